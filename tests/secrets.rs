//! The API key never shows: not on the screen, not in the log file, not in
//! `--json` error output, not in a panic message, whatever goes wrong
//! (401, 500, timeouts).

mod common;

use common::pty::Session;
use common::*;
use pik_tui::sandbox::{Access, SandboxConfig, SandboxKey};
use reqwest::Method;
use serde_json::json;

const KEY: &str = "pik_test_SECRETvalue7731xq";
const WRONG_KEY: &str = "pik_test_WRONGsecret4409zz";

async fn sandbox_with_key() -> pik_tui::sandbox::Sandbox {
    start(SandboxConfig {
        activity: false,
        rate_limit_per_sec: None,
        keys: vec![SandboxKey { key: KEY.into(), access: Access::ReadWrite }],
        ..SandboxConfig::default()
    })
    .await
}

async fn one_shot(base: &str, key: &str, args: &[&str]) -> (i32, String) {
    let Ok(home) = tempfile::tempdir() else { panic!("temp dir") };
    let log = home.path().join("log");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(args)
        .arg("--log-file")
        .arg(&log)
        .env_clear()
        .env("HOME", home.path())
        .env("PIK_BASE_URL", base)
        .env("PIK_API_KEY", key)
        .env("PIK_LOG", "debug")
        .output()
        .await;
    let Ok(output) = output else { panic!("did not run") };
    let text = format!(
        "{}{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    (output.status.code().unwrap_or(-1), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shot_commands_never_print_or_log_the_key() {
    let sandbox = sandbox_with_key().await;
    let base = sandbox.base_url();
    let mut checked = 0;
    // 401 with a wrong key (the wrong key is a secret too).
    for args in [&["links", "list"][..], &["links", "list", "--json"]] {
        let (code, text) = one_shot(&base, WRONG_KEY, args).await;
        assert_eq!(code, 3, "{text}");
        assert!(!text.contains(WRONG_KEY) && !text.contains("WRONGsecret"), "{text}");
        checked += 1;
    }
    // 500s, and answers too late for the timeout.
    for faults in [json!({"error_rate": 1.0}), json!({"latency_ms": 2500})] {
        control(&sandbox, Method::PUT, "/faults", Some(faults.clone())).await;
        for args in [
            &["transactions", "list", "--timeout", "1"][..],
            &["links", "create", "--amount", "5", "--currency", "USDT", "--json", "--timeout", "1"],
        ] {
            let (code, text) = one_shot(&base, KEY, args).await;
            assert_ne!(code, 0, "{faults}: {text}");
            assert!(!text.contains(KEY) && !text.contains("SECRETvalue"), "{faults} {args:?}: {text}");
            // The log did get written (so the check above looked at something).
            assert!(text.contains("TEST key (redacted)"), "{text}");
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_never_shows_or_logs_the_key_even_when_it_panics() {
    let sandbox = sandbox_with_key().await;
    control(&sandbox, Method::PUT, "/faults", Some(json!({"error_rate": 1.0}))).await;
    let base = sandbox.base_url();
    let screen = tokio::task::spawn_blocking(move || {
        let mut session = Session::start_with(
            Some("echo AFTER-EXIT"),
            &["--base-url", &base, "--refresh", "1"],
            120,
            30,
            &[("PIK_API_KEY", KEY), ("PIK_LOG", "debug"), ("PIK_TUI_TEST_PANIC", "1"), ("RUST_BACKTRACE", "1")],
        );
        session.wait_for("the error footer", |s| s.contains("PIK server error (500)"));
        session.send("\u{10}"); // panic
        let screen = session.wait_for("the panic message", |s| s.contains("AFTER-EXIT"));
        let raw = String::from_utf8_lossy(&session.raw()).into_owned();
        let log = session.log();
        (screen, raw, log)
    })
    .await;
    let Ok((screen, raw, log)) = screen else { panic!("the session failed") };
    assert!(raw.contains("test panic") && screen.contains("AFTER-EXIT"), "{screen}");
    assert!(log.contains("PIK request") && log.contains("TEST key (redacted)"), "the log is empty:\n{log}");
    for (name, text) in [("screen", &screen), ("terminal bytes", &raw), ("log file", &log)] {
        assert!(!text.contains(KEY) && !text.contains("SECRETvalue"), "the key is in the {name}");
    }
    sandbox.shutdown().await;
}
