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

/// The team's handling from the command line: a claim, a second agent told
/// who has it, a resolution that takes the case off the list, notes, the
/// export and import round trip, and the audit log, with no key in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_are_claimed_resolved_noted_exported_and_audited() {
    let (sandbox, id) = with_an_underpaid_order().await;
    let Ok(home) = tempfile::tempdir() else { panic!("a temp dir") };
    let config_for = |agent: &str| {
        let path = home.path().join(format!("{agent}.toml"));
        assert!(std::fs::write(&path, format!("agent = \"{agent}\"\n")).is_ok());
        path.display().to_string()
    };
    let (alice, bob) = (config_for("alice"), config_for("bob"));
    let as_agent = |config: &str, args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--config", config]);
        pik(&sandbox, home.path(), &all)
    };
    // The mirror is brought up to date once; the acts read it as it is.
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "--json"]);
    assert_eq!(code, 0, "{text}");
    let (code, claimed, text) = as_agent(&alice, &["cases", "claim", &id, "--json"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!((claimed["agent"].as_str(), claimed["act"].as_str()), (Some("alice"), Some("claimed the case")));
    let (code, _, text) = as_agent(&bob, &["cases", "claim", &id]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("claimed by alice") && text.contains("s ago"), "{text}");
    let (code, json, text) = as_agent(&alice, &["cases", "--offline", "--show", "mine", "--json"]);
    assert_eq!(code, 0, "{text}");
    let mine = json["cases"].as_array().cloned().unwrap_or_default();
    assert_eq!(mine.iter().map(|c| c["link_id"].clone()).collect::<Vec<_>>(), [Value::from(id.clone())], "{json}");
    assert_eq!(mine[0]["claimed_by"], "alice");
    // A note over the limit is refused, one with controls kept as text.
    let huge = "x".repeat(100_000);
    let (code, _, text) = as_agent(&bob, &["cases", "note", &id, &huge]);
    assert_eq!(code, 2, "{}", &text[..text.len().min(300)]);
    assert!(text.contains("at most 4000 characters"), "{}", &text[..text.len().min(300)]);
    let (code, _, text) = as_agent(&bob, &["cases", "note", &id, "called back\u{1b}[2J\nno answer"]);
    assert_eq!(code, 0, "{text}");
    let (code, _, text) = as_agent(&bob, &["cases", "resolve", &id, "--reason", "customer accepted the shortfall"]);
    assert_eq!(code, 0, "{text}");
    let (_, open, _) = pik(&sandbox, home.path(), &["cases", "--offline", "--json"]);
    let listed = open["cases"].as_array().cloned().unwrap_or_default();
    assert!(!listed.iter().any(|c| c["link_id"] == id.as_str()), "a resolved case leaves the list: {open}");
    let (_, resolved, _) = pik(&sandbox, home.path(), &["cases", "--offline", "--show", "resolved", "--json"]);
    let resolved = resolved["cases"].as_array().cloned().unwrap_or_default();
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0]["resolved"]["reason"], "customer accepted the shortfall");
    let (code, _, story) = pik(&sandbox, home.path(), &["cases", "show", &id, "--offline"]);
    assert_eq!(code, 0, "{story}");
    assert!(story.contains("alice claimed the case") && story.contains("bob resolved the case"), "{story}");
    assert!(!story.contains('\u{1b}'), "the note is cleaned on screen: {story:?}");

    // Exported, imported into a fresh record, exported again: the same bytes.
    let first = home.path().join("handling.jsonl");
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "export", "--output", &first.display().to_string()]);
    assert_eq!(code, 0, "{text}");
    let (code, _, text) = pik(&sandbox, home.path(), &["cases", "export", "--output", &first.display().to_string()]);
    assert_ne!(code, 0, "an export never writes over a file: {text}");
    let Ok(elsewhere) = tempfile::tempdir() else { panic!("a temp dir") };
    let (code, imported, text) =
        pik(&sandbox, elsewhere.path(), &["cases", "import", &first.display().to_string(), "--json"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!((imported["read"].as_u64(), imported["imported"].as_u64()), (Some(3), Some(3)), "{imported}");
    let (_, again, _) = pik(&sandbox, elsewhere.path(), &["cases", "import", &first.display().to_string(), "--json"]);
    assert_eq!(again["imported"].as_u64(), Some(0), "importing twice changes nothing: {again}");
    let second = elsewhere.path().join("handling.jsonl");
    let (code, _, text) =
        pik(&sandbox, elsewhere.path(), &["cases", "export", "--output", &second.display().to_string()]);
    assert_eq!(code, 0, "{text}");
    let (Ok(one), Ok(two)) = (std::fs::read(&first), std::fs::read(&second)) else { panic!("the two exports") };
    assert_eq!(one, two);
    // A file with a bad line is refused whole, naming the line.
    let bad = home.path().join("bad.jsonl");
    let mut text = String::from_utf8_lossy(&one).into_owned();
    text.push_str("{\"not\": \"an act\"}\n");
    assert!(std::fs::write(&bad, text).is_ok());
    let Ok(third) = tempfile::tempdir() else { panic!("a temp dir") };
    let (code, _, text) = pik(&sandbox, third.path(), &["cases", "import", &bad.display().to_string()]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("line 4") && text.contains("nothing was imported"), "{text}");
    let (_, audited, _) = pik(&sandbox, third.path(), &["audit", "--json"]);
    assert_eq!(audited["total"].as_u64(), Some(0), "nothing from that file: {audited}");

    // Writes to PIK from the commands, through the one submit path: in the log too.
    let (code, made, text) =
        as_agent(&alice, &["links", "create", "--amount", "10.00", "--currency", "USDT", "--no-qr", "--json"]);
    assert_eq!(code, 0, "{text}");
    let made_id = made["id"].as_str().unwrap_or_default().to_string();
    let (code, _, text) = as_agent(&bob, &["links", "deactivate", &made_id, "--yes"]);
    assert_eq!(code, 0, "{text}");
    let (code, _, text) = pik(
        &sandbox,
        home.path(),
        &["links", "export", "--offline", "-o", &home.path().join("links.csv").display().to_string()],
    );
    assert_eq!(code, 0, "{text}");
    let hook = [
        "webhooks",
        "create",
        "--url",
        "https://shop.example/pik?token=s3cret",
        "--event",
        "payment.settled",
        "--json",
    ];
    let (code, registered, text) = as_agent(&alice, &hook);
    assert_eq!(code, 0, "{text}");
    let secret = registered["secret"].as_str().unwrap_or_default().to_string();
    assert!(secret.starts_with("whsec_"), "{registered}");

    // The audit log: every act, the agent filter, no key or secret in its bytes.
    let (code, audit, text) = pik(&sandbox, home.path(), &["audit", "--json"]);
    assert_eq!(code, 0, "{text}");
    let acts = audit["acts"].as_array().cloned().unwrap_or_default();
    let said: Vec<(String, String)> = acts
        .iter()
        .map(|a| (a["agent"].as_str().unwrap_or("").into(), a["act"].as_str().unwrap_or("").into()))
        .collect();
    let someone = acts.get(5).and_then(|a| a["agent"].as_str()).unwrap_or_default().to_string();
    let expected = [
        ("alice", "claimed the case"),
        ("bob", "noted on the case"),
        ("bob", "resolved the case"),
        ("alice", "created a link"),
        ("bob", "deactivated a link"),
        (someone.as_str(), "exported"),
        ("alice", "registered a webhook"),
    ];
    assert_eq!(said, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    assert!(acts.iter().all(|a| a["at"].as_str().is_some_and(|at| at.ends_with('Z'))), "UTC: {audit}");
    let created = &acts[3];
    assert_eq!((created["subject"].as_str(), created["detail"].as_str()), (Some(made_id.as_str()), Some("10.00 USDT")));
    assert!(created["request_id"].as_str().is_some_and(|id| id.len() == 32), "the request's id: {created}");
    assert_eq!(acts[4]["outcome"], "done");
    assert!(acts[5]["detail"].as_str().is_some_and(|d| d.contains("links.csv") && d.contains("as CSV")), "{audit}");
    assert_eq!(acts[6]["detail"], "https://shop.example/…", "where it goes, no path or query: {audit}");
    let (_, only_bob, _) = pik(&sandbox, home.path(), &["audit", "--agent", "bob", "--json"]);
    assert_eq!(only_bob["total"].as_u64(), Some(3));
    let (code, _, table) = pik(&sandbox, home.path(), &["audit"]);
    assert_eq!(code, 0, "{table}");
    assert!(table.contains("AT (UTC)") || table.contains("UTC"), "the zone is named: {table}");
    for file in std::fs::read_dir(home.path()).into_iter().flatten().flatten() {
        let bytes = std::fs::read(file.path()).unwrap_or_default();
        for secret in [DEMO_KEY, secret.as_str(), "s3cret"] {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret} is in {}", file.path().display());
        }
    }
    sandbox.shutdown().await;
}
