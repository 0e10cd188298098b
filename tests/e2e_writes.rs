//! The write paths of the real binary in a pseudo-terminal, with `--demo`:
//! create a link (QR code, OSC 52 copy), refuse an invalid amount without a
//! request, deactivate with confirmation, register a webhook that a separate
//! `pik-tui webhooks listen` then receives, and the "may have been created"
//! path when PIK answers too late.

mod common;

use base64::Engine;
use common::pty::*;
use serde_json::{Value, json};
use std::io::BufRead;
use std::time::{Duration, Instant};

const DOWN: &str = "\u{1b}[B";
const RIGHT: &str = "\u{1b}[C";

fn links_with_description(port: u16, description: &str) -> Vec<Value> {
    let page = call(port, reqwest::Method::GET, "/v1/payment-links?limit=100", None);
    page["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|l| l["description"] == description)
        .collect()
}

fn type_keys(session: &mut Session, keys: &[&str]) {
    for key in keys {
        session.send(key);
        std::thread::sleep(Duration::from_millis(60));
    }
}

#[test]
fn create_a_link_see_its_qr_code_copy_it_and_find_it_in_the_list() {
    let (mut session, port) = demo_with_port(120);
    type_keys(&mut session, &["n", "75.00", "\t", RIGHT, "\t", "E2E order 5521", "\r"]);
    let screen = session.wait_for("the result view", |s| s.contains("Payment link created"));
    let url = screen
        .lines()
        .find_map(|l| l.find("https://pay.pik.global/pl_").map(|at| &l[at..]))
        .and_then(|rest| rest.split(|c: char| c.is_whitespace() || c == '│').next())
        .unwrap_or_default()
        .to_string();
    assert!(url.len() > 30, "no URL on screen:\n{screen}");
    assert!(screen.contains("75.00 USDC") && screen.contains("E2E order 5521"), "{screen}");
    assert!(screen.lines().filter(|l| l.contains("▄▄▄▄▄")).count() >= 2, "no QR code:\n{screen}");

    session.send("y");
    session.wait_for("the copy confirmation", |s| s.contains("copied ✓"));
    let raw = String::from_utf8_lossy(&session.raw()).into_owned();
    assert_eq!(raw.matches("\u{1b}]52;").count(), 1, "exactly one OSC 52 sequence");
    let start = raw.find("\u{1b}]52;c;").map(|i| i + 7).unwrap_or(0);
    let end = raw[start..].find('\u{7}').map(|i| start + i).unwrap_or(start);
    let copied = base64::engine::general_purpose::STANDARD.decode(&raw[start..end]).unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&copied), url, "the sequence carries the URL");

    session.send("\u{1b}");
    let id = url.trim_start_matches("https://pay.pik.global/");
    // Its row (the description column shows "E2E order 552" at this width).
    session.wait_for("the new link in the Links pane", |s| {
        s.lines().any(|l| l.contains(id) && l.contains("E2E order 55"))
    });
    assert_eq!(links_with_description(port, "E2E order 5521").len(), 1);
    // In the audit log, with its amount and the request's outcome.
    session.send(":audit\r");
    let audit = session.wait_for("the audit log", |s| s.contains("audit log, newest first") && s.contains(id));
    assert!(audit.lines().any(|l| l.contains(&format!("created a link {id} (75.00 USDC)"))), "{audit}");
    session.send("q");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn an_invalid_amount_is_refused_before_anything_is_sent() {
    let (mut session, port) = demo_with_port(120);
    call(port, reqwest::Method::DELETE, "/_sandbox/requests", None);
    type_keys(&mut session, &["n", "1,000.00", "\r"]);
    session.wait_for("the amount error", |s| s.contains("digits and one dot"));
    type_keys(&mut session, &["\u{15}", "-1", "\r"]);
    session.wait_for("the amount error", |s| s.contains("must be more than 0"));
    std::thread::sleep(Duration::from_millis(500));
    let counter = call(port, reqwest::Method::GET, "/_sandbox/requests", None);
    assert_eq!(counter["by_route"]["POST /v1/payment-links"], Value::Null, "a request was sent: {counter}");
    // Esc asks before throwing the input away; n keeps it.
    type_keys(&mut session, &["\u{1b}", "n"]);
    session.wait_for("the kept input", |s| s.contains("▸ Amount      -1"));
    session.send("\u{3}"); // Ctrl-C quits from anywhere
    assert!(session.wait_exit());
}

#[test]
fn deactivate_asks_first_and_defaults_to_no() {
    let (mut session, port) = demo_with_port(120);
    let link = call(
        port,
        reqwest::Method::POST,
        "/v1/payment-links",
        Some(json!({"amount": "9.99", "currency": "USDT", "description": "To deactivate"})),
    );
    let id = link["id"].as_str().unwrap_or_default().to_string();
    type_keys(&mut session, &[":", &id, "\r"]);
    session.wait_for("the link's detail", |s| s.lines().next().is_some_and(|_| s.contains(&format!("┌ {id}"))));
    session.send("d");
    session
        .wait_for("the confirmation", |s| s.contains("Deactivate this payment link?") && s.contains("To deactivate"));
    session.send("\r"); // the default answer is No
    session.wait_for("the dialog to close", |s| !s.contains("Deactivate this payment link?"));
    assert_eq!(call(port, reqwest::Method::GET, &format!("/v1/payment-links/{id}"), None)["status"], "active");
    type_keys(&mut session, &["d", "y"]);
    session.wait_for("the deactivation", |s| s.contains(&format!("{id} is now deactivated")));
    assert_eq!(call(port, reqwest::Method::GET, &format!("/v1/payment-links/{id}"), None)["status"], "deactivated");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn a_registered_webhook_reaches_a_separate_listener_that_verifies_it() {
    let (mut session, port) = demo_with_port(130);
    let listen_port = free_port();
    type_keys(&mut session, &["3", "n", &format!("http://127.0.0.1:{listen_port}/hook"), "\r"]);
    let screen = session.wait_for("the secret dialog", |s| s.contains("save its secret") && s.contains("whsec_"));
    let secret = screen
        .find("whsec_")
        .map(|at| &screen[at..])
        .and_then(|rest| rest.split(|c: char| c.is_whitespace() || c == '│').next())
        .unwrap_or_default()
        .to_string();
    assert!(secret.len() > 20, "{screen}");
    // Only an explicit "saved" closes the dialog.
    session.send("\u{1b}");
    session.wait_for("the reminder", |s| s.contains("press Enter once the secret is saved"));
    session.send("\r");
    session.wait_for("the dialog to close", |s| !s.contains("save its secret"));

    let Ok(dir) = tempfile::tempdir() else { panic!("temp dir") };
    let secret_file = dir.path().join("secret");
    assert!(std::fs::write(&secret_file, format!("{secret}\n")).is_ok());
    let listener = std::process::Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(["webhooks", "listen", "--port", &listen_port.to_string(), "--secret-file"])
        .arg(&secret_file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut listener) = listener else { panic!("the listener did not start") };
    let (Some(stdout), Some(stderr)) = (listener.stdout.take(), listener.stderr.take()) else { panic!("no pipes") };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Pay only once it listens: a payment before would be delivered to a
    // closed port and retried minutes (of simulated time) later.
    let (ready_tx, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("listening on") {
                let _ = ready_tx.send(());
            }
        }
    });
    assert!(ready.recv_timeout(DEADLINE).is_ok(), "the listener never said it listens");
    let active = call(port, reqwest::Method::GET, "/v1/payment-links?status=active&limit=1", None);
    let link = active["data"][0]["id"].as_str().unwrap_or_default().to_string();
    let txn = call(
        port,
        reqwest::Method::POST,
        &format!("/_sandbox/payment-links/{link}/pay"),
        Some(json!({"outcome": "settle"})),
    );
    let txn_id = txn["id"].as_str().unwrap_or_default().to_string();
    let started = Instant::now();
    let mut lines = Vec::new();
    while started.elapsed() < DEADLINE
        && !lines.iter().any(|l: &String| l.contains(&txn_id) && l.contains("payment.settled"))
    {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            lines.push(line);
        }
    }
    assert!(
        lines.iter().any(|l| l.contains(&txn_id) && l.contains("payment.settled") && l.contains(&link)),
        "the listener printed: {lines:?}"
    );
    // The sandbox records the delivery as accepted (the listener verified
    // it: 200) once the answer is back, a moment after the listener printed.
    let delivered = |deliveries: &serde_json::Value| {
        deliveries["data"].as_array().cloned().unwrap_or_default().into_iter().any(|d| {
            d["url"].as_str().is_some_and(|u| u.contains(&listen_port.to_string())) && d["state"] == "delivered"
        })
    };
    let started = Instant::now();
    let mut deliveries = call(port, reqwest::Method::GET, "/_sandbox/deliveries", None);
    while !delivered(&deliveries) && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
        deliveries = call(port, reqwest::Method::GET, "/_sandbox/deliveries", None);
    }
    let _ = listener.kill();
    assert!(delivered(&deliveries), "{deliveries}");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn a_create_that_times_out_may_have_happened_and_is_not_repeated() {
    let port = free_port();
    let port_text = port.to_string();
    let mut session =
        Session::start(&["--demo", "--demo-port", &port_text, "--refresh", "1", "--timeout", "2"], 120, 30);
    session.wait_for("link rows", |s| s.contains("pl_"));
    // PIK creates the link but answers after 3 s, past the 2 s timeout.
    call(port, reqwest::Method::PUT, "/_sandbox/faults", Some(json!({"latency_ms": 3000, "methods": ["POST"]})));
    call(port, reqwest::Method::DELETE, "/_sandbox/requests", None);
    type_keys(&mut session, &["n", "12.34", DOWN, DOWN, "Timeout probe 991", "\r"]);
    session.wait_for("the locked form", |s| s.contains("creating…"));
    let screen = session.wait_for("the may-have-been-created message", |s| s.contains("MAY have been created"));
    assert!(screen.contains("12.34") && screen.contains("Timeout probe 991"), "the input is kept:\n{screen}");
    call(port, reqwest::Method::DELETE, "/_sandbox/faults", None);
    std::thread::sleep(Duration::from_millis(3500));
    let created = links_with_description(port, "Timeout probe 991");
    assert_eq!(created.len(), 1, "exactly one link");
    let id = created[0]["id"].as_str().unwrap_or_default().to_string();
    let counter = call(port, reqwest::Method::GET, "/_sandbox/requests", None);
    assert_eq!(counter["by_route"]["POST /v1/payment-links"], 1, "not retried: {counter}");
    // The list was refreshed: the link is there to check.
    type_keys(&mut session, &["\u{1b}", "y"]);
    session.wait_for("the link in the list", |s| s.lines().any(|l| l.contains(&id) && l.contains("Timeout probe")));
    session.send("q");
    assert!(session.wait_exit());
}
