//! `pik-tui completions` and `pik-tui man`, checked by the programs that
//! read them: bash loads the script, groff renders the page without a
//! warning. Both programs are required (CI installs them): a missing one
//! fails the test rather than skip it.

use std::process::{Command, Output};

fn pik(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_pik-tui")).args(args).output() {
        Ok(output) => output,
        Err(err) => panic!("pik-tui {args:?}: {err}"),
    }
}

fn run(program: &str, args: &[&str]) -> Output {
    match Command::new(program).args(args).output() {
        Ok(output) => output,
        Err(err) => panic!("{program} is needed for this test (.ci/run installs it): {err}"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn bash_loads_the_completion_script_and_completes_subcommands_and_flags() {
    let binary = env!("CARGO_BIN_EXE_pik-tui");
    let script = format!("source <('{binary}' completions bash) && complete -p pik-tui");
    let loaded = run("bash", &["-c", &script]);
    assert!(loaded.status.success(), "bash: {}", text(&loaded.stderr));
    let line = text(&loaded.stdout);
    assert!(line.starts_with("complete ") && line.trim_end().ends_with(" pik-tui"), "{line}");
    // What a Tab offers after `pik-tui ` and after `pik-tui links list --st`.
    let offer = |words: &str, current: usize| {
        let script = format!(
            "source <('{binary}' completions bash) && COMP_WORDS=({words}) && COMP_CWORD={current} && \
             COMP_LINE='{words}' && COMP_POINT=${{#COMP_LINE}} && $(complete -p pik-tui | sed -E 's/.* -F ([^ ]+) .*/\\1/') pik-tui \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = run("bash", &["-c", &script]);
        assert!(out.status.success(), "bash: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let subcommands = offer("pik-tui ''", 1);
    for expected in ["links", "transactions", "webhooks", "sandbox", "search", "report", "completions", "man"] {
        assert!(subcommands.lines().any(|l| l == expected), "{expected} not offered: {subcommands}");
    }
    let flags = offer("pik-tui links list --st", 3);
    assert!(flags.lines().any(|l| l == "--status"), "--status not offered: {flags}");
}

#[test]
fn every_shell_gets_a_script_naming_the_command() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef pik-tui"),
        ("fish", "complete -c pik-tui"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = pik(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains(marker), "{shell}: no {marker:?}");
    }
    let refused = pik(&["completions", "tcsh"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("possible values: bash, zsh, fish, powershell"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn the_man_page_renders_without_warnings() {
    let page = pik(&["man"]);
    assert!(page.status.success(), "{}", text(&page.stderr));
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("{err}"),
    };
    let file = dir.path().join("pik-tui.1");
    if let Err(err) = std::fs::write(&file, &page.stdout) {
        panic!("{err}");
    }
    let path = file.to_string_lossy().into_owned();
    // -ww: every warning; -z: check only, the rendering is read below.
    let checked = run("groff", &["-man", "-Tutf8", "-ww", "-z", &path]);
    assert!(checked.status.success() && checked.stderr.is_empty(), "groff: {}", text(&checked.stderr));
    let shown = Command::new("man").args(["-l", &path]).env("MANPAGER", "cat").env("MANWIDTH", "80").output();
    let shown = match shown {
        Ok(out) => out,
        Err(err) => panic!("man is needed for this test (.ci/run installs it): {err}"),
    };
    let page = text(&shown.stdout);
    assert!(shown.status.success(), "man -l: {}", text(&shown.stderr));
    for expected in ["pik-tui", "NAME", "SYNOPSIS", "links", "sandbox", "--demo"] {
        assert!(page.contains(expected), "{expected} missing from the man page:\n{page}");
    }
}
