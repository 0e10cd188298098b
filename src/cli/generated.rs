//! What is generated from the command line's definition: shell completion
//! scripts (clap_complete) and the man page (clap_mangen).

/// The shells `pik-tui completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl From<CompletionShell> for clap_complete::Shell {
    fn from(shell: CompletionShell) -> Self {
        match shell {
            CompletionShell::Bash => clap_complete::Shell::Bash,
            CompletionShell::Zsh => clap_complete::Shell::Zsh,
            CompletionShell::Fish => clap_complete::Shell::Fish,
            CompletionShell::Powershell => clap_complete::Shell::PowerShell,
        }
    }
}

/// Writes the completion script for `shell`.
pub fn write_completions(
    shell: CompletionShell,
    mut command: clap::Command,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(clap_complete::Shell::from(shell), &mut command, "pik-tui", &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == CompletionShell::Bash {
        // clap_complete 4.6 spells the case labels of a hyphenated binary's
        // subcommands `pik__subcmd__tui__…` but the state it matches them
        // against `pik__tui__…`, so nothing after a subcommand completed
        // (clap-rs/clap#6421). Spell both the same way.
        script = script.replace("pik__subcmd__tui", "pik__tui");
    }
    out.write_all(script.as_bytes())
}

/// Writes the man page.
pub fn write_man_page(command: clap::Command, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    clap_mangen::Man::new(command).render(out)
}
