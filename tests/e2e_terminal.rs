//! What the terminal and the setup say, in the real binary: a locale that
//! is not UTF-8 gets ASCII, TERM=dumb a clear refusal, a key file others
//! can read a warning on screen at start, a bad config exit 2, a search
//! filter that does not parse its reason where it is typed, and a help
//! that wraps instead of cutting lines short.

mod common;

use common::pty::*;
use common::*;
use pik_tui::sandbox::DEMO_KEY;
use std::process::Command;

#[test]
fn a_locale_that_is_not_utf8_gets_ascii() {
    let mut session = Session::start_with(None, &["--demo", "--no-mouse"], 100, 24, &[("LANG", "C"), ("LC_ALL", "")]);
    let screen = session.wait_for("link rows", |s| s.contains("pl_"));
    assert!(screen.is_ascii(), "{screen}");
    assert!(screen.contains("+ Links") || screen.contains("+-"), "ASCII borders:\n{screen}");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn term_dumb_is_refused_with_what_works_instead() {
    let output = Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(["--demo"])
        .env("TERM", "dumb")
        .env("HOME", std::env::temp_dir())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TERM=dumb") && stderr.contains("pik-tui links list"), "{stderr}");
    // Nothing was drawn: no alternate screen, no mouse.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("\u{1b}[?1049h") && !stdout.contains("\u{1b}[?1000h"), "{stdout:?}");
}

#[test]
fn a_bad_config_stops_the_dashboard_with_exit_2_as_the_commands_do() {
    let (_dir, config) = config_file("theme = \"plaid\"\n");
    for args in [vec!["--demo", "--config", config.as_str()], vec!["--demo", "--config", "/nonexistent/config.toml"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_pik-tui"))
            .args(&args)
            .env("HOME", std::env::temp_dir())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("line 1") || stderr.contains("no such file"), "{stderr}");
    }
}

#[test]
fn a_key_file_others_can_read_is_warned_of_on_screen_at_start() {
    let (runtime, sandbox) = runtime_with_quiet_sandbox();
    let Ok(dir) = tempfile::tempdir() else { panic!("no temp dir") };
    let key = dir.path().join("key");
    assert!(std::fs::write(&key, DEMO_KEY).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert!(std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).is_ok());
    }
    let key_arg = key.display().to_string();
    let mut session = Session::start(
        &["--base-url", &sandbox.base_url(), "--api-key-file", &key_arg, "--no-store", "--no-mouse"],
        200,
        24,
    );
    let screen = session.wait_for("the warning", |s| s.contains("readable by other users"));
    assert!(screen.contains("chmod 600"), "{screen}");
    session.send("q");
    assert!(session.wait_exit());
    drop(runtime);
}

#[test]
fn a_search_filter_that_does_not_parse_says_so_where_it_is_typed() {
    let mut session = Session::start(&["--demo", "--no-mouse"], 140, 24);
    session.wait_for("the mirror", |s| s.contains("mirror up to date"));
    session.send("/from:someday");
    session.wait_for("the reason", |s| s.contains("from: use a date like 2026-11-29, yesterday or 7d"));
    session.send("\u{1b}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn the_help_wraps_at_any_width() {
    let mut session = Session::start(&["--demo", "--no-mouse"], 60, 50);
    session.wait_for("link rows", |s| s.contains("pl_"));
    session.send("?");
    session.wait_for("the help", |s| s.contains(" keys "));
    // Scroll to the commands: the line about dates is whole, wrapped.
    let mut seen = String::new();
    for _ in 0..12 {
        seen.push_str(&session.contents());
        session.send("j");
        session.send("j");
        session.send("j");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The words of the screens, without the boxes' sides between lines.
    let words: String = seen
        .split_whitespace()
        .filter(|w| !w.chars().all(|c| matches!(c, '│' | '▶' | '+' | '*')))
        .collect::<Vec<_>>()
        .join(" ");
    for part in ["2026-11-29, 2026-11,", "yesterday, 7d, ISO", "8601"] {
        assert!(words.contains(part), "{part:?} cut from the help:\n{seen}");
    }
    session.send("q");
    session.send("q");
    assert!(session.wait_exit());
}
