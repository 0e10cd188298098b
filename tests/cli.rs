//! The one-shot commands, run as a user would: the real binary against the
//! sandbox, reading its stdout, stderr and exit code.

mod common;

use common::*;
use pik_tui::sandbox::{DEMO_KEY, READ_ONLY_KEY, Sandbox};
use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `pik-tui` with the sandbox's URL and the given key, isolated from any
/// config file of the machine's user.
async fn pik(sandbox: &Sandbox, key: Option<&str>, args: &[&str]) -> Run {
    let home = tempfile::tempdir().ok();
    let home_path = home.as_ref().map(|h| h.path().to_path_buf()).unwrap_or_default();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_pik-tui"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home_path)
        .env("XDG_CONFIG_HOME", home_path.join("config"))
        .env("PIK_BASE_URL", sandbox.base_url())
        .stdin(std::process::Stdio::null());
    if let Some(key) = key {
        command.env("PIK_API_KEY", key);
    }
    let output = match command.output().await {
        Ok(output) => output,
        Err(err) => panic!("pik-tui did not run: {err}"),
    };
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_create_prints_a_qr_code_that_decodes_to_the_url() {
    let sandbox = quiet_sandbox().await;
    let run = pik(
        &sandbox,
        Some(DEMO_KEY),
        &["links", "create", "--amount", "75.00", "--currency", "USDT", "--description", "Order #1234"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let url = run.stdout.lines().find(|l| l.starts_with("https://")).unwrap_or_default().to_string();
    assert!(url.starts_with("https://pay.pik.global/pl_"), "{}", run.stdout);
    assert!(run.stdout.contains("75.00 USDT") && run.stdout.contains("Order #1234"));
    // Not a terminal: plain blocks, no colour codes.
    assert!(!run.stdout.contains('\u{1b}'));
    let qr: Vec<String> = run.stdout.lines().filter(|l| l.contains('█')).map(str::to_string).collect();
    assert!(qr.len() > 10, "no QR code in:\n{}", run.stdout);
    assert_eq!(decode_half_block_qr(&qr).as_deref(), Some(url.as_str()));
    // And the link exists.
    let id = url.trim_start_matches("https://pay.pik.global/");
    let get = pik(&sandbox, Some(DEMO_KEY), &["links", "get", id, "--json"]).await;
    let link: Value = serde_json::from_str(&get.stdout).unwrap_or_default();
    assert_eq!((link["amount"].as_str(), link["status"].as_str()), (Some("75.00"), Some("active")));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_is_one_document() {
    let sandbox = quiet_sandbox().await;
    for args in [
        &["links", "create", "--amount", "1.5", "--currency", "BTC", "--json"][..],
        &["links", "list", "--limit", "3", "--json"],
        &["transactions", "list", "--status", "settled", "--json"],
        &["webhooks", "list", "--json"],
        &[
            "webhooks",
            "create",
            "--url",
            "https://example.com/h",
            "--event",
            "payment.settled,payment.failed",
            "--json",
        ],
    ] {
        let run = pik(&sandbox, Some(DEMO_KEY), args).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let parsed = serde_json::from_str::<Value>(&run.stdout);
        assert!(parsed.is_ok(), "{args:?} printed no single JSON document:\n{}", run.stdout);
    }
    let run = pik(&sandbox, Some(DEMO_KEY), &["links", "list", "--limit", "3", "--json"]).await;
    let page: Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    assert_eq!((page["data"].as_array().map(Vec::len), page["total"].as_u64()), (Some(3), Some(301)));
    let run = pik(
        &sandbox,
        Some(DEMO_KEY),
        &["webhooks", "create", "--url", "https://e.com/x", "--event", "payment.settled", "--json"],
    )
    .await;
    let hook: Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    assert!(hook["secret"].as_str().is_some_and(|s| s.starts_with("whsec_")), "the secret must be shown once");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_are_readable() {
    let sandbox = quiet_sandbox().await;
    let run = pik(&sandbox, Some(DEMO_KEY), &["links", "list", "--limit", "5", "--offset", "10"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("ID") && lines[0].contains("AMOUNT") && lines[0].contains("DESCRIPTION"));
    assert_eq!(lines.len(), 7, "{}", run.stdout);
    assert!(lines[1].starts_with("pl_"));
    assert_eq!(lines[6], "11–15 of 300 (--offset 15 for more)");
    let run = pik(&sandbox, Some(DEMO_KEY), &["transactions", "list", "--limit", "2", "--from", "2000-01-01"]).await;
    assert!(run.stdout.lines().nth(1).is_some_and(|l| l.starts_with("txn_")), "{}", run.stdout);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_one_clear_line_with_a_meaningful_exit_code() {
    let sandbox = quiet_sandbox().await;
    let rejected = pik(&sandbox, Some("pik_test_wrongkey123"), &["links", "list"]).await;
    assert_eq!(rejected.code, 3);
    assert_eq!(rejected.stderr.lines().count(), 1, "{}", rejected.stderr);
    assert!(rejected.stderr.starts_with("error: the API key was rejected (401)"), "{}", rejected.stderr);
    assert!(rejected.stdout.is_empty());
    assert!(!rejected.stderr.contains("pik_test_wrongkey123"));

    let json = pik(&sandbox, Some("pik_test_wrongkey123"), &["links", "list", "--json"]).await;
    let error: Value = serde_json::from_str(&json.stdout).unwrap_or_default();
    assert_eq!((error["error"]["status"].as_u64(), error["error"]["code"].as_str()), (Some(401), Some("unauthorized")));
    assert!(!json.stdout.contains("pik_test_wrongkey123"));

    let read_only =
        pik(&sandbox, Some(READ_ONLY_KEY), &["links", "create", "--amount", "5", "--currency", "USDT"]).await;
    assert_eq!(read_only.code, 3, "{}", read_only.stderr);
    let missing = pik(&sandbox, Some(DEMO_KEY), &["transactions", "get", "txn_missing"]).await;
    assert_eq!(missing.code, 4, "{}", missing.stderr);
    let no_key = pik(&sandbox, None, &["links", "list"]).await;
    assert_eq!(no_key.code, 2);
    assert!(no_key.stderr.contains("no API key"), "{}", no_key.stderr);
    let unconfirmed = pik(&sandbox, Some(DEMO_KEY), &["links", "deactivate", "pl_x"]).await;
    assert_ne!(unconfirmed.code, 0);
    for run in [&rejected, &read_only, &missing, &no_key] {
        assert!(!run.stderr.contains("panicked") && !run.stderr.contains("backtrace"), "{}", run.stderr);
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_amount_sends_nothing() {
    let sandbox = quiet_sandbox().await;
    reset_requests(&sandbox).await;
    for amount in ["abc", "-1", "0", "1e5", "1,000.00", "1.0000001"] {
        let run = pik(&sandbox, Some(DEMO_KEY), &["links", "create", "--amount", amount, "--currency", "USDT"]).await;
        assert_eq!(run.code, 2, "{amount}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: --amount"), "{amount}: {}", run.stderr);
    }
    assert_eq!(request_count(&sandbox, "POST /v1/payment-links").await, (0, 0));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivate_and_plain_http_refusal() {
    let sandbox = quiet_sandbox().await;
    let created =
        pik(&sandbox, Some(DEMO_KEY), &["links", "create", "--amount", "9", "--currency", "USDC", "--json"]).await;
    let link: Value = serde_json::from_str(&created.stdout).unwrap_or_default();
    let id = link["id"].as_str().unwrap_or_default();
    let run = pik(&sandbox, Some(DEMO_KEY), &["links", "deactivate", id, "--yes"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), format!("{id} is now deactivated"));

    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_pik-tui"));
    let output = command
        .args(["links", "list", "--base-url", "http://api.pik.global/v1"])
        .env("PIK_API_KEY", DEMO_KEY)
        .output()
        .await;
    let Ok(output) = output else { panic!("did not run") };
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("requires HTTPS"));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_from_the_api_is_printed_harmless() {
    let sandbox = quiet_sandbox().await;
    let hostile = "\u{1b}]52;c;aGk=\u{7}\u{1b}]0;title\u{7}\u{1b}[2J\u{9b}31m\u{202e}evil";
    control(
        &sandbox,
        reqwest::Method::POST,
        "/payment-links",
        Some(serde_json::json!({"amount": "1", "currency": "USDT", "description": hostile, "url": hostile})),
    )
    .await;
    for args in [&["links", "list", "--limit", "1"][..], &["links", "list", "--limit", "1", "--json"]] {
        let run = pik(&sandbox, Some(DEMO_KEY), args).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!run.stdout.contains(bad), "{args:?} printed {bad:?}");
        }
    }
    sandbox.shutdown().await;
}

#[test]
fn webhooks_verify_checks_a_body_from_standard_input() {
    use std::io::Write;
    let Ok(dir) = tempfile::tempdir() else { panic!("temp dir") };
    let secret_file = dir.path().join("secret");
    assert!(std::fs::write(&secret_file, "whsec_topsecret\n").is_ok());
    let body = b"{\"event\":\"payment.settled\",\"id\":\"evt_1\"}\n";
    let good = pik_tui::signature::sign(b"whsec_topsecret", body);
    let run = |signature: &str, body: &[u8]| {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_pik-tui"))
            .args(["webhooks", "verify", "--signature", signature, "--secret-file"])
            .arg(&secret_file)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn();
        let Ok(mut child) = child else { panic!("did not start") };
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(body);
        }
        let Ok(output) = child.wait_with_output() else { panic!("did not finish") };
        (output.status.code(), String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    assert_eq!(run(&good, body), (Some(0), "valid".to_string()));
    // One byte more (the newline a copy-paste drops, say) and it fails.
    assert_eq!(run(&good, &body[..body.len() - 1]), (Some(1), "invalid".to_string()));
    assert_eq!(run("deadbeef", body), (Some(1), "invalid".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_date_in_to_takes_in_the_whole_day_as_in_the_dashboard() {
    let sandbox = quiet_sandbox().await;
    let page = client(&sandbox).list_links(&Default::default()).await;
    let link = page.ok().and_then(|p| p.data.first().map(|l| l.id.clone())).unwrap_or_default();
    let plant = serde_json::json!({"payment_link_id": link, "created_at": "2020-02-03T18:30:00Z"});
    let (status, planted) = control(&sandbox, reqwest::Method::POST, "/transactions", Some(plant)).await;
    assert_eq!(status, 201, "{planted}");
    let id = planted["id"].as_str().unwrap_or_default().to_string();
    let listed = |args: Vec<&'static str>| {
        let sandbox = &sandbox;
        async move {
            let mut all = vec!["transactions", "list", "--json", "--limit", "100"];
            all.extend(args);
            let run = pik(sandbox, Some(DEMO_KEY), &all).await;
            assert_eq!(run.code, 0, "{}", run.stderr);
            serde_json::from_str::<Value>(&run.stdout).unwrap_or_default()
        }
    };
    let ids = |listed: &Value| -> Vec<String> {
        listed["data"].as_array().into_iter().flatten().filter_map(|t| t["id"].as_str().map(str::to_string)).collect()
    };
    let day = listed(vec!["--tz", "UTC", "--from", "2020-02-03", "--to", "2020-02-03"]).await;
    assert_eq!(ids(&day), vec![id.clone()], "18:30 is within --to 2020-02-03");
    let before = listed(vec!["--tz", "UTC", "--to", "2020-02-02"]).await;
    assert_eq!(before["total"], 0, "{before}");
    // 18:30 UTC is already the next day in India: days are the agent's.
    let india = listed(vec!["--tz", "Asia/Kolkata", "--from", "2020-02-03", "--to", "2020-02-03"]).await;
    assert!(!ids(&india).contains(&id), "{india}");
    let next = listed(vec!["--tz", "Asia/Kolkata", "--from", "2020-02-04", "--to", "2020-02-04"]).await;
    assert_eq!(ids(&next), vec![id.clone()]);
    let month = listed(vec!["--tz", "UTC", "--from", "2020-02", "--to", "2020-02"]).await;
    assert_eq!(ids(&month), vec![id.clone()], "a month");
    let bad = pik(&sandbox, Some(DEMO_KEY), &["transactions", "list", "--to", "someday"]).await;
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("2026-11-29, 2026-11, today, yesterday or 7d"), "{}", bad.stderr);
    let zone = pik(&sandbox, Some(DEMO_KEY), &["transactions", "list", "--tz", "Mars/Base"]).await;
    assert_eq!(zone.code, 2);
    assert!(zone.stderr.contains("unknown time zone \"Mars/Base\""), "{}", zone.stderr);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_cut_short_by_a_closed_pipe_ends_quietly() {
    let sandbox = quiet_sandbox().await;
    let mut child = match std::process::Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(["links", "list", "--limit", "100", "--json"])
        .env("PIK_BASE_URL", sandbox.base_url())
        .env("PIK_API_KEY", DEMO_KEY)
        .env("HOME", std::env::temp_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(err) => panic!("did not run: {err}"),
    };
    // Like `| head -1` that has already gone: the pipe is closed before
    // the command writes (it is still asking the sandbox).
    drop(child.stdout.take());
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(err) => panic!("{err}"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.trim().is_empty(), "nothing to say about a reader that left: {stderr}");
    sandbox.shutdown().await;
}

fn pik_sync(args: &[&str]) -> std::process::Output {
    match std::process::Command::new(env!("CARGO_BIN_EXE_pik-tui")).args(args).env_remove("PIK_API_KEY").output() {
        Ok(output) => output,
        Err(err) => panic!("pik-tui did not run: {err}"),
    }
}

#[test]
fn each_subcommand_shows_and_takes_only_its_own_flags() {
    let help = |args: &[&str]| String::from_utf8_lossy(&pik_sync(args).stdout).into_owned();
    let account = ["--base-url", "--api-key-file", "--read-only", "--max-rps", "--timeout", "--profile"];
    let sandbox = help(&["sandbox", "--help"]);
    for flag in account.iter().chain(&["--json", "--store", "--no-store", "--demo"]) {
        assert!(!sandbox.contains(flag), "sandbox --help lists {flag}:\n{sandbox}");
    }
    assert!(sandbox.contains("--port") && sandbox.contains("--seed"), "{sandbox}");
    let verify = help(&["webhooks", "verify", "--help"]);
    for flag in account.iter().chain(&["--store"]) {
        assert!(!verify.contains(flag), "webhooks verify --help lists {flag}");
    }
    let list = help(&["links", "list", "--help"]);
    for flag in account.iter().chain(&["--json"]) {
        assert!(list.contains(flag), "links list --help lacks {flag}");
    }
    assert!(!list.contains("--store") && !list.contains("--demo"), "links list does not read the mirror:\n{list}");
    let search = help(&["search", "--help"]);
    assert!(search.contains("--store") && search.contains("--no-store") && search.contains("--json"), "{search}");
    let completions = help(&["completions", "--help"]);
    assert!(!completions.contains("--base-url") && !completions.contains("--json"), "{completions}");
    // Where a flag means nothing it is refused, naming it, with exit 2.
    for (args, named) in [
        (&["sandbox", "--base-url", "http://127.0.0.1:9/v1"][..], "'--base-url'"),
        (&["sandbox", "--json"], "'--json'"),
        (&["webhooks", "verify", "--secret-file", "f", "--signature", "s", "--max-rps", "3"], "'--max-rps'"),
        (&["links", "list", "--store", "/tmp/x.sqlite"], "'--store'"),
        (&["man", "--json"], "'--json'"),
        (&["search", "x", "--demo"], "'--demo'"),
        (&["--store", "/tmp/x.sqlite", "search", "x"], "--store is an option of the dashboard"),
        (&["--demo", "links", "list"], "--demo is an option of the dashboard"),
        (&["--json", "links", "list"], "'--json'"),
    ] {
        let out = pik_sync(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} was not refused: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}
