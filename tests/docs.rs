//! PIK's own pages against this project: every JSON example in them decodes
//! verbatim with the client's models, and every curl request in them works
//! against the sandbox once the base URL and key are swapped.
//!
//! The pages are kept verbatim under `tests/fixtures/pik-docs/`; when the
//! shared originals sit beside the checkout, a test checks they still match.

mod common;

use common::*;
use pik_tui::api::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::path::PathBuf;

const PAGES: &[(&str, &str)] = &[
    ("overview.txt", include_str!("fixtures/pik-docs/overview.txt")),
    ("payment-links.txt", include_str!("fixtures/pik-docs/payment-links.txt")),
    ("pik-api.md", include_str!("fixtures/pik-docs/pik-api.md")),
];

/// Every balanced `{...}` in the text that parses as JSON, outermost only.
fn json_examples(text: &str) -> Vec<Value> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut start = 0;
    while let Some(open) = text[start..].find('{').map(|i| i + start) {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let mut end = None;
        for (i, &b) in bytes.iter().enumerate().skip(open) {
            match (in_string, escaped, b) {
                (true, true, _) => escaped = false,
                (true, false, b'\\') => escaped = true,
                (true, false, b'"') => in_string = false,
                (false, _, b'"') => in_string = true,
                (false, _, b'{') => depth += 1,
                (false, _, b'}') => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        match serde_json::from_str::<Value>(&text[open..=end]) {
            Ok(value) => {
                found.push(value);
                start = end + 1;
            }
            // Not JSON (a sketch like `{data: [...]}`): look inside it.
            Err(_) => start = open + 1,
        }
    }
    found
}

/// Decodes one example with the model its shape calls for; names what it was.
fn decode(example: &Value) -> Result<&'static str, String> {
    let text = example.to_string();
    let id = example["id"].as_str().unwrap_or_default();
    let failed = |e: serde_json::Error| e.to_string();
    if example.get("error").is_some() {
        let err = ApiError::from_response(400, Some("application/json"), text.as_bytes(), None);
        return match (err.code(), err.message().is_empty()) {
            (Some(_), false) => Ok("error"),
            _ => Err(format!("error example not read: {err}")),
        };
    }
    if example.get("event").is_some() {
        return serde_json::from_value::<EventEnvelope>(example.clone()).map(|_| "event").map_err(failed);
    }
    if let Some(items) = example.get("data").and_then(Value::as_array) {
        let page = Page::<PaymentLink>::from_json(text.as_bytes()).map_err(failed)?;
        return if page.skipped == 0 && page.data.len() == items.len() {
            Ok("link list")
        } else {
            Err("items skipped".into())
        };
    }
    if id.starts_with("pl_") {
        return serde_json::from_value::<PaymentLink>(example.clone()).map(|_| "link").map_err(failed);
    }
    if id.starts_with("txn_") {
        return serde_json::from_value::<Transaction>(example.clone()).map(|_| "transaction").map_err(failed);
    }
    if example.get("amount").is_some() && example.get("currency").is_some() {
        // A create-link request body: the client must be able to send it.
        let amount = example["amount"].as_str().unwrap_or_default();
        let currency = example["currency"].as_str().unwrap_or_default();
        let description = example["description"].as_str();
        return pik_tui::oneshot::check_new_link(amount, currency, description)
            .map(|_| "create-link request")
            .map_err(|f| f.message);
    }
    Err(format!("no model for this example: {text}"))
}

#[test]
fn every_json_example_in_the_docs_decodes_verbatim() {
    let mut kinds = Vec::new();
    for (page, text) in PAGES {
        for example in json_examples(text) {
            match decode(&example) {
                Ok(kind) => kinds.push(format!("{page}: {kind}")),
                Err(err) => panic!("{page}: {err}\n{example:#}"),
            }
        }
    }
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "overview.txt: create-link request",
            "overview.txt: error",
            "payment-links.txt: create-link request",
            "payment-links.txt: link",
            "payment-links.txt: link",
            "payment-links.txt: link list",
            "pik-api.md: error",
            "pik-api.md: event",
            "pik-api.md: transaction",
        ],
        "the set of examples found changed"
    );
}

#[test]
fn the_transaction_example_keeps_every_field() {
    let text = r#"{"id":"txn_def456","payment_link_id":"pl_abc123xyz","amount":"75.00","currency":"USDT","status":"settled","tx_hash":"0xabc123def456...","created_at":"2024-01-15T10:40:00Z","confirmed_at":"2024-01-15T10:45:00Z","settled_at":"2024-01-15T11:00:00Z"}"#;
    assert!(PAGES[2].1.contains(text), "the example is no longer in pik-api.md");
    let txn = serde_json::from_str::<Transaction>(text);
    let Ok(txn) = txn else { panic!("{txn:?}") };
    assert_eq!(txn.status, TransactionStatus::Settled);
    assert_eq!(txn.tx_hash.as_deref(), Some("0xabc123def456..."));
    assert_eq!(txn.amount.to_string(), "75.00");
    assert_eq!(txn.settled_at.map(|t| t.to_rfc3339()).as_deref(), Some("2024-01-15T11:00:00+00:00"));
}

/// The curl commands of a page, with continuation lines joined.
fn curl_commands(text: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("curl ") {
            continue;
        }
        let mut command = String::new();
        let mut current = line;
        loop {
            let trimmed = current.trim_end();
            let continued = trimmed.ends_with('\\');
            command.push_str(trimmed.strip_suffix('\\').unwrap_or(trimmed));
            command.push(if continued { ' ' } else { '\n' });
            // A quoted body (-d '{ ... }') may span lines without a backslash.
            let quote_open = command.matches('\'').count() % 2 == 1;
            if !continued && !quote_open {
                break;
            }
            match lines.next() {
                Some(next) => current = next,
                None => break,
            }
        }
        let command = command.trim_end().to_string();
        commands.push(command);
    }
    commands
}

#[tokio::test]
async fn the_curl_requests_in_the_docs_work_against_the_sandbox() {
    let sandbox = quiet_sandbox().await;
    // The docs' GET-by-id example asks for pl_abc123xyz: plant it as shown.
    let (status, _) = control(
        &sandbox,
        Method::POST,
        "/payment-links",
        Some(json!({"id": "pl_abc123xyz", "amount": "75.00", "currency": "USDT", "description": "Order #1234",
                    "status": "paid", "created_at": "2024-01-15T10:30:00Z", "paid_at": "2024-01-15T10:45:00Z"})),
    )
    .await;
    assert_eq!(status, 201);
    let mut ran = Vec::new();
    for (page, text) in PAGES {
        for command in curl_commands(text) {
            let swapped = command
                .replace("https://api.pik.global/v1", &sandbox.base_url())
                .replace("YOUR_API_KEY", pik_tui::sandbox::DEMO_KEY);
            let script = format!("{swapped} -sS -w '\\n%{{http_code}}'");
            let output = tokio::process::Command::new("bash").arg("-c").arg(&script).output().await;
            let Ok(output) = output else { panic!("bash did not run: {output:?}") };
            assert!(output.status.success(), "{page}: curl failed: {}", String::from_utf8_lossy(&output.stderr));
            let stdout = String::from_utf8_lossy(&output.stdout).to_string();
            let (body, code) = stdout.rsplit_once('\n').unwrap_or(("", ""));
            let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
            let shape = if command.contains("-X POST") {
                assert_eq!(code, "201", "{page}: {command}\n{body}");
                let link = serde_json::from_value::<PaymentLink>(body.clone());
                assert!(link.is_ok_and(|l| l.status == LinkStatus::Active && l.url.is_some()), "{body}");
                "create"
            } else if command.contains("pl_abc123xyz") {
                assert_eq!(code, "200", "{page}: {command}\n{body}");
                assert_eq!(body["status"], "paid");
                assert_eq!(body["paid_at"], "2024-01-15T10:45:00Z");
                assert_eq!(body["url"], "https://pay.pik.global/pl_abc123xyz");
                "get"
            } else {
                assert_eq!(code, "200", "{page}: {command}\n{body}");
                assert_eq!((body["limit"].as_u64(), body["offset"].as_u64()), (Some(10), Some(0)), "{body}");
                let items = body["data"].as_array().cloned().unwrap_or_default();
                assert!(!items.is_empty() && items.iter().all(|l| l["status"] == "active"));
                "list"
            };
            ran.push(format!("{page}: {shape}"));
        }
    }
    assert_eq!(
        ran,
        ["overview.txt: create", "payment-links.txt: create", "payment-links.txt: list", "payment-links.txt: get"]
    );
    sandbox.shutdown().await;
}

#[test]
fn the_fixtures_match_the_shared_pages_when_present() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let originals = [
        ("overview.txt", shared.join("pik-docs/overview.txt")),
        ("payment-links.txt", shared.join("pik-docs/payment-links.txt")),
        ("pik-api.md", shared.join("pik-api.md")),
    ];
    for (name, path) in originals {
        let Ok(original) = std::fs::read_to_string(&path) else {
            eprintln!("note: {} is not beside this checkout; comparing nothing for {name}", path.display());
            continue;
        };
        let fixture = PAGES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).unwrap_or_default();
        assert_eq!(fixture, original, "tests/fixtures/pik-docs/{name} differs from {}: copy it again", path.display());
    }
}
