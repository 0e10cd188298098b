//! Marks and bulk actions in the real binary, in a pseudo-terminal, against
//! the demo's sandbox: three marked links deactivated with exactly three
//! DELETE requests; one PIK refuses is named in the report and stays
//! marked; `i` copies a payment's id (OSC 52).

mod common;

use base64::Engine;
use common::pty::*;
use serde_json::{Value, json};

fn plant(port: u16, id: &str, status: &str) {
    let body = json!({"id": id, "amount": "10.00", "currency": "USDT", "description": "Bulk e2e", "status": status});
    let planted = call(port, reqwest::Method::POST, "/_sandbox/payment-links", Some(body));
    assert_eq!(planted["id"], id, "{planted}");
}

/// DELETE requests the sandbox has answered since its counter was reset.
fn deletes(port: u16) -> u64 {
    let counter = call(port, reqwest::Method::GET, "/_sandbox/requests", None);
    let routes = counter["by_route"].as_object().cloned().unwrap_or_default();
    routes.iter().filter(|(route, _)| route.starts_with("DELETE ")).map(|(_, n)| n.as_u64().unwrap_or(0)).sum()
}

fn status(port: u16, id: &str) -> Value {
    call(port, reqwest::Method::GET, &format!("/v1/payment-links/{id}"), None)["status"].clone()
}

/// The Links pane searched down to the planted links, all three marked.
fn mark_three(session: &mut Session, ids: &[&str; 3]) {
    session.send("1");
    session.send("/");
    session.send("\u{15}"); // the last search's text goes
    session.send(&ids[0][..9]);
    session.send("\r");
    session.wait_for("the three links", |s| ids.iter().all(|id| s.contains(id)) && s.contains("3 found"));
    session.send("   ");
    session.wait_for("three marked", |s| s.contains("3 marked") && s.matches("●").count() >= 3);
}

#[test]
fn three_marked_links_are_deactivated_with_three_requests_and_a_refusal_stays_marked() {
    let (mut session, port) = demo_with_port(120);
    let first = ["pl_bulkaa01", "pl_bulkaa02", "pl_bulkaa03"];
    for id in first {
        plant(port, id, "active");
    }
    mark_three(&mut session, &first);
    call(port, reqwest::Method::DELETE, "/_sandbox/requests", None);
    session.send("d");
    session.wait_for("one question", |s| s.contains("Deactivate 3 marked payment links?") && s.contains("30.00 USDT"));
    session.send("y");
    session.wait_for("the report", |s| s.contains("deactivated 3"));
    assert_eq!(deletes(port), 3, "one request a link");
    for id in first {
        assert_eq!(status(port, id), "deactivated", "{id}");
    }
    // A second lot, the middle one paid already: PIK refuses it, the
    // others go, and it stays marked.
    let second = ["pl_bulkbb01", "pl_bulkbb02", "pl_bulkbb03"];
    plant(port, second[0], "active");
    plant(port, second[1], "paid");
    plant(port, second[2], "active");
    mark_three(&mut session, &second);
    call(port, reqwest::Method::DELETE, "/_sandbox/requests", None);
    session.send("d");
    session.wait_for("the question", |s| s.contains("Deactivate 3 marked payment links?"));
    session.send("y");
    let report = session.wait_for("the report", |s| s.contains("deactivated 2, 1 failed: pl_bulkbb02"));
    assert!(report.contains("1 marked"), "the refused link stays marked:\n{report}");
    let marked_row = report.lines().find(|l| l.contains("pl_bulkbb02")).unwrap_or_default().to_string();
    assert!(marked_row.contains("●"), "{marked_row}");
    assert_eq!(deletes(port), 3, "none retried");
    assert_eq!(status(port, second[1]), "paid");
    assert_eq!(status(port, second[2]), "deactivated");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn i_copies_a_payment_s_id() {
    let (mut session, _port) = demo_with_port(120);
    session.send("2");
    session.wait_for("payments", |s| s.contains("txn_"));
    session.send("i");
    let screen = session.wait_for("the copy named", |s| s.contains("copied txn_"));
    let id: String =
        screen.split("copied ").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap_or_default().to_string();
    let encoded = base64::engine::general_purpose::STANDARD.encode(id.as_bytes());
    let raw = String::from_utf8_lossy(&session.raw()).to_string();
    assert!(raw.contains(&format!("\u{1b}]52;c;{encoded}\u{7}")), "no OSC 52 with {id}");
    session.send("q");
    assert!(session.wait_exit());
}
