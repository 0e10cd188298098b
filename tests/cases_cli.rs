//! `pik-tui cases` as a user runs it, against the sandbox with a case
//! planted through its controls: a customer who sent 74.10 of 75.00 USDT.

mod common;

use common::*;
use pik_tui::sandbox::{DEMO_KEY, Sandbox, SandboxConfig, SeedSizes};
use serde_json::{Value, json};
use std::process::{Command, Stdio};

fn pik(sandbox: &Sandbox, home: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(args)
        .arg("--store")
        .arg(home.join("mirror.sqlite"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("PIK_BASE_URL", sandbox.base_url())
        .env("PIK_API_KEY", DEMO_KEY)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output();
    let Ok(output) = output else { panic!("pik-tui did not run") };
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    let text = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), json, text)
}

/// A quiet sandbox with a 75.00 USDT order paid 74.10.
async fn with_an_underpaid_order() -> (Sandbox, String) {
    let sandbox = start(SandboxConfig {
        activity: false,
        speed: 0.0,
        rate_limit_per_sec: None,
        sizes: SeedSizes { links: 40, transactions: 60, webhooks: 1 },
        ..SandboxConfig::default()
    })
    .await;
    let link = json!({"amount": "75.00", "currency": "USDT", "description": "Order #1234 \u{1b}[31mred"});
    let (status, planted) = control(&sandbox, reqwest::Method::POST, "/payment-links", Some(link)).await;
    assert_eq!(status, 201, "{planted}");
    let id = planted["id"].as_str().unwrap_or_default().to_string();
    let pay = json!({"outcome": "settle", "amount": "74.10"});
    let (status, paid) = control(&sandbox, reqwest::Method::POST, &format!("/payment-links/{id}/pay"), Some(pay)).await;
    assert_eq!((status, paid["amount"].as_str()), (201, Some("74.10")), "{paid}");
    (sandbox, id)
}

fn python_decimal(expression: &str) -> String {
    let output = Command::new("python3")
        .args(["-c", &format!("from decimal import Decimal as D; print({expression})")])
        .output();
    let Ok(output) = output else { panic!("python3 is needed (CI installs it)") };
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_json_lists_the_underpaid_order_with_exact_amounts() {
    let (sandbox, id) = with_an_underpaid_order().await;
    let Ok(home) = tempfile::tempdir() else { panic!("a temp dir") };
    let (code, json, text) = pik(&sandbox, home.path(), &["cases", "--json"]);
    assert_eq!(code, 0, "{text}");
    let cases = json["cases"].as_array().cloned().unwrap_or_default();
    let Some(case) = cases.iter().find(|c| c["link_id"] == id.as_str()) else { panic!("no case for {id}: {text}") };
    assert_eq!(case["kind"], "underpaid");
    let (expected, received, difference) = (
        case["expected"].as_str().unwrap_or_default(),
        case["received"].as_str().unwrap_or_default(),
        case["difference"].as_str().unwrap_or_default(),
    );
    // The figures, checked with Python's decimal (never floats).
    assert_eq!(python_decimal(&format!("D('{received}') - D('{expected}') == D('{difference}')")), "True");
    assert_eq!(python_decimal(&format!("D('{expected}') - D('{received}')")), "0.90");
    assert!(case["since"].as_str().is_some_and(|s| s.ends_with('Z')), "UTC in JSON: {case}");
    // Of a kind, and none of another.
    let (_, only, _) = pik(&sandbox, home.path(), &["cases", "--kind", "underpaid", "--offline", "--json"]);
    assert!(only["cases"].as_array().is_some_and(|c| c.iter().all(|c| c["kind"] == "underpaid") && !c.is_empty()));
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "--kind", "lost", "--offline"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("paid-twice"), "the kinds are named: {text}");

    // One order: its story and the next step, in words.
    let (code, shown, text) = pik(&sandbox, home.path(), &["cases", "show", &id, "--offline", "--json"]);
    assert_eq!(code, 0, "{text}");
    let step = shown["next_step"].as_str().unwrap_or_default();
    assert!(step.contains("sent 74.10 of 75.00 USDT: 0.90 missing"), "{step}");
    assert!(shown["timeline"].as_array().is_some_and(|t| t.len() >= 3), "made, started, confirmed…: {shown}");
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "show", &id, "--offline"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("underpaid") && text.contains("0.90 missing"), "{text}");
    assert!(!text.contains('\u{1b}'), "the description's escape is not printed raw: {text:?}");
    // The reply to the customer: its figures checked with Python's decimal.
    let (code, _, reply) = pik(&sandbox, home.path(), &["cases", "reply", &id, "--offline"]);
    assert_eq!(code, 0, "{reply}");
    let figures: Vec<&str> = reply
        .split_whitespace()
        .filter(|w| w.trim_end_matches([',', '.']).parse::<f64>().is_ok() && w.contains('.'))
        .map(|w| w.trim_end_matches([',']))
        .collect();
    let [received, due, missing] = figures[..] else { panic!("three amounts in {reply}") };
    assert_eq!(python_decimal(&format!("D('{due}') - D('{received}') == D('{missing}')")), "True", "{reply}");
    assert!(!reply.contains('\u{1b}'), "the description is cleaned in the reply: {reply:?}");
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "reply", &id, "--offline", "--template", "overpaid"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("more than the 75.00 USDT due"), "another kind's template: {text}");
    // The balance link: exactly what is missing, sent once.
    reset_requests(&sandbox).await;
    let (code, made, text) = pik(&sandbox, home.path(), &["cases", "balance", &id, "--no-qr", "--json"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!((made["amount"].as_str(), made["currency"].as_str()), (Some("0.90"), Some("USDT")), "{made}");
    assert_eq!(made["description"].as_str(), Some(format!("Balance for Order #1234 ^[[31mred ({id})").as_str()));
    assert_eq!(request_count(&sandbox, "POST /v1/payment-links").await.1, 1);
    // Again: one is open already, so none is made.
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "balance", &id, "--no-qr"]);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("open already"), "{text}");
    assert_eq!(request_count(&sandbox, "POST /v1/payment-links").await.1, 1, "never a second one");
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "show", "pl_nothere", "--offline"]);
    assert_eq!(code, 4, "{text}");
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "show", "pl_nothere"]);
    assert_eq!(code, 4, "not at PIK either: {text}");
    // An order made since the mirror was last brought up to date (it is
    // fresh enough not to be synced again): fetched by id, not "no such link".
    let (_, newer) = {
        let link = json!({"amount": "20.00", "currency": "USDT", "description": "Order #1235"});
        let (status, planted) = control(&sandbox, reqwest::Method::POST, "/payment-links", Some(link)).await;
        assert_eq!(status, 201);
        let newer = planted["id"].as_str().unwrap_or_default().to_string();
        let pay = json!({"outcome": "settle", "amount": "19.50"});
        control(&sandbox, reqwest::Method::POST, &format!("/payment-links/{newer}/pay"), Some(pay)).await;
        (status, newer)
    };
    let (code, shown, text) = pik(&sandbox, home.path(), &["cases", "show", &newer, "--json"]);
    assert_eq!(code, 0, "{text}");
    assert!(shown["next_step"].as_str().is_some_and(|s| s.contains("19.50 of 20.00 USDT: 0.50 missing")), "{shown}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_cases_line_in_the_config_is_refused_naming_it() {
    let (sandbox, id) = with_an_underpaid_order().await;
    let Ok(home) = tempfile::tempdir() else { panic!("a temp dir") };
    let config = home.path().join("config.toml");
    let written = std::fs::write(&config, "[cases]\npending_after = \"45m\"\n\n[cases.tolerance]\nUSDT = \"lots\"\n");
    assert!(written.is_ok());
    let path = config.display().to_string();
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "--config", &path, "--offline"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("line 5") && text.contains("USDT"), "{text}");
    // Within a tolerance of 1.00 USDT, 74.10 of 75.00 is paid.
    assert!(std::fs::write(&config, "[cases.tolerance]\nUSDT = \"1.00\"\n").is_ok());
    let (code, json, text) = pik(&sandbox, home.path(), &["cases", "--config", &path, "--kind", "underpaid", "--json"]);
    assert_eq!(code, 0, "{text}");
    let cases = json["cases"].as_array().cloned().unwrap_or_default();
    assert!(!cases.iter().any(|c| c["link_id"] == id.as_str()), "within a tolerance of 1.00: {json}");
    // What is still listed in USDT is short by more than the tolerance.
    let short = |c: &Value| c["difference"].as_str().and_then(|d| d.parse::<rust_decimal::Decimal>().ok());
    let one = rust_decimal::Decimal::ONE;
    assert!(cases.iter().filter(|c| c["currency"] == "USDT").all(|c| short(c).is_some_and(|d| d < -one)), "{json}");
    sandbox.shutdown().await;
}
