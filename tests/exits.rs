//! Every way out restores the terminal: `q`, Ctrl-C, SIGTERM, SIGHUP (an SSH
//! drop) and a panic. Restored means the alternate screen is left, the
//! cursor is shown, and raw mode is off, so the pty echoes again: checked
//! by `stty` run in the same terminal right after pik-tui exits.

mod common;

use common::pty::*;

/// Runs the demo, leaves it the given way, and returns the screen after exit.
fn leave(how: &str) -> (String, Vec<u8>) {
    let mut session = Session::start_with(
        Some("stty -a | tr ';' '\\n' | grep -E -o -- '-?icanon|-?echo( |$)' | tr '\\n' ' '; echo STTY-DONE"),
        &["--demo"],
        120,
        30,
        &[("PIK_TUI_TEST_PANIC", "1"), ("RUST_BACKTRACE", "0")],
    );
    session.wait_for("link rows", |s| s.contains("pl_"));
    match how {
        "q" => session.send("q"),
        "ctrl-c" => session.send("\u{3}"),
        "panic" => session.send("\u{10}"), // Ctrl-P, only in test builds
        signal => {
            let Some(pid) = session.program_pid() else { panic!("no pid") };
            let sent = std::process::Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status();
            assert!(sent.is_ok_and(|s| s.success()), "kill -{signal} failed");
        }
    }
    let screen = session.wait_for("stty after exit", |s| s.contains("STTY-DONE"));
    (screen, session.raw())
}

fn assert_restored(how: &str, screen: &str, raw: &[u8]) {
    assert!(ends_restored(raw), "{how}: alternate screen not left or cursor hidden");
    assert!(screen.contains("icanon") && !screen.contains("-icanon"), "{how}: still raw (no icanon):\n{screen}");
    assert!(screen.contains("echo") && !screen.contains("-echo"), "{how}: no echo:\n{screen}");
}

#[test]
fn quit_keys_restore_the_terminal() {
    for how in ["q", "ctrl-c"] {
        let (screen, raw) = leave(how);
        assert!(screen.contains("EXIT=0"), "{how}:\n{screen}");
        assert_restored(how, &screen, &raw);
    }
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for how in ["TERM", "HUP"] {
        let (screen, raw) = leave(how);
        assert!(screen.contains("EXIT=0"), "{how}:\n{screen}");
        assert_restored(how, &screen, &raw);
    }
}

#[test]
fn a_panic_restores_the_terminal_and_leaves_a_readable_message() {
    let (screen, raw) = leave("panic");
    assert!(screen.contains("EXIT=101"), "{screen}");
    assert!(screen.contains("test panic"), "the message must be readable after the restore:\n{screen}");
    assert_restored("panic", &screen, &raw);
}
