//! A corpus of hostile strings in every text field the API returns (link
//! description and URL, transaction hash, webhook URL, error messages, and
//! bodies with invalid JSON escapes), shown by the real binary in a pty.
//! None of their control sequences may reach the terminal, and the layout
//! (the borders of the table and the detail) must stay where it is.

mod common;

use common::pty::*;
use serde_json::json;
use std::time::Duration;

/// (name, text) — each text carries a marker so it can be found on screen.
fn corpus() -> Vec<(&'static str, String)> {
    vec![
        ("osc52", "I0 \u{1b}]52;c;aGVsbG8=\u{7} clipboard".into()),
        ("osc0", "I1 \u{1b}]0;pwned-title\u{7} title".into()),
        ("csi", "I2 \u{1b}[2JZQ\u{1b}[31m red".into()),
        ("dcs", "I3 \u{1b}P+q544e\u{1b}\\ dcs".into()),
        ("apc", "I4 \u{1b}_hidden-apc\u{1b}\\ apc".into()),
        ("bare esc", "I5 a\u{1b}b esc".into()),
        ("c1", "I6 x\u{9b}31my c1".into()),
        ("bidi", "I7 \u{202e}evil\u{202c} \u{2066}iso\u{2069} bidi".into()),
        ("zero width", "I8 a\u{200d}b\u{200b}c\u{feff} zw".into()),
        ("long", format!("I9 {}", "W".repeat(10_000))),
        ("osc8", "I10 \u{1b}]8;;https://evil.example/a\u{1b}\\ click \u{1b}]8;;\u{1b}\\ osc8".into()),
        ("https url with an escape", "https://pay.pik.global/I11\u{1b}]8;;https://evil.example/b\u{7}x".into()),
        ("https url with a bidi override", "https://pay.pik.global/I12\u{202e}lmth.exe".into()),
    ]
}

/// Byte sequences that must never be written, whatever the screen shows.
const FORBIDDEN: &[&str] = &[
    "\u{1b}]52;",
    "\u{1b}]0;pwned",
    "\u{1b}[2JZQ",
    "\u{1b}P+q",
    "\u{1b}_hidden",
    "a\u{1b}b",
    "\u{9b}",
    "\u{202e}",
    "\u{2066}",
    "\u{200d}",
    "\u{200b}",
    "\u{feff}",
    "\u{1b}]8;;https://evil",
];

/// The borders stay put: every body row of the split layout has the table's
/// left border in column 0 and the detail's left border at the same column.
fn assert_layout_intact(screen: &str, what: &str) {
    let lines: Vec<&str> = screen.lines().collect();
    let body: Vec<&str> = lines.iter().skip(2).take(lines.len().saturating_sub(4)).copied().collect();
    let split: Vec<Option<usize>> =
        body.iter().map(|l| l.chars().collect::<Vec<_>>().windows(2).position(|w| w == ['│', '│'])).collect();
    let first = split.first().copied().flatten();
    assert!(first.is_some(), "{what}: no split layout:\n{screen}");
    for (line, at) in body.iter().zip(&split) {
        if line.contains('┌') || line.contains('└') {
            continue; // a dialog or popup border
        }
        assert!(line.starts_with('│'), "{what}: the left border moved:\n{screen}");
        assert_eq!(*at, first, "{what}: the detail's border moved in {line:?}\n{screen}");
    }
}

/// Esc alone: a key right after it would be read as Alt-key.
fn escape(session: &mut Session) {
    session.send("\u{1b}");
    std::thread::sleep(Duration::from_millis(150));
}

fn assert_clean(session: &Session, what: &str) {
    let raw = String::from_utf8_lossy(&session.raw()).into_owned();
    for sequence in FORBIDDEN {
        assert!(!raw.contains(sequence), "{what}: {sequence:?} reached the terminal");
    }
    // Every OSC 8 link written holds a plain https URL (or closes a link).
    for rest in raw.split("\u{1b}]8;;").skip(1) {
        let Some((uri, _)) = rest.split_once("\u{1b}\\") else { panic!("{what}: an OSC 8 sequence not ended") };
        let plain = uri.bytes().all(|b| b.is_ascii_graphic());
        assert!(uri.is_empty() || (uri.starts_with("https://") && plain), "{what}: OSC 8 to {uri:?}");
    }
}

#[test]
fn hostile_strings_in_every_field_never_reach_the_terminal() {
    let (mut session, port) = demo_with_port(150);
    let corpus = corpus();
    // Links whose description and URL are hostile; a transaction whose hash
    // is; webhooks whose URL is.
    let mut link_ids = Vec::new();
    for (_, text) in &corpus {
        let link = call(
            port,
            reqwest::Method::POST,
            "/_sandbox/payment-links",
            Some(json!({"amount": "1.00", "currency": "USDT", "description": text, "url": text})),
        );
        link_ids.push(link["id"].as_str().unwrap_or_default().to_string());
        call(
            port,
            reqwest::Method::POST,
            "/_sandbox/webhooks",
            Some(json!({"url": text, "events": ["payment.settled"], "unchecked_url": true})),
        );
    }
    let mut txn_ids = Vec::new();
    for (link, (_, text)) in link_ids.iter().zip(&corpus) {
        let txn = call(
            port,
            reqwest::Method::POST,
            "/_sandbox/transactions",
            Some(json!({"payment_link_id": link, "status": "confirmed", "tx_hash": text})),
        );
        txn_ids.push(txn["id"].as_str().unwrap_or_default().to_string());
    }

    // The table of links (descriptions), then each link's detail (URL).
    session.wait_for("the planted links", |s| s.contains("I9 WWW") && s.contains("I0"));
    assert_layout_intact(&session.contents(), "links table");
    for id in &link_ids {
        session.send(&format!(":{id}\r"));
        session.wait_for("the link's detail", |s| s.contains(&format!("┌ {id}")));
        assert_layout_intact(&session.contents(), id);
        escape(&mut session);
    }
    // Each transaction's detail (hash), found by id.
    for id in &txn_ids {
        session.send(&format!(":{id}\r"));
        session.wait_for("the transaction's detail", |s| s.contains(&format!("┌ {id}")) && s.contains("tx_hash"));
        assert_layout_intact(&session.contents(), id);
        escape(&mut session);
    }
    // The webhooks (URLs), each selected in turn so its detail is drawn.
    session.send("3");
    session.wait_for("the webhooks", |s| s.contains("I9 WWW"));
    for _ in 0..corpus.len() {
        session.send("j");
        std::thread::sleep(Duration::from_millis(80));
        assert_layout_intact(&session.contents(), "webhooks");
    }
    // An error message from PIK, shown in the form.
    // (A 429: its message is shown; a 500 on a create says "may have been created".)
    let message = corpus[0].1.clone() + &corpus[7].1 + &corpus[6].1;
    call(
        port,
        reqwest::Method::PUT,
        "/_sandbox/faults",
        Some(json!({"rate_limit_rate": 1.0, "methods": ["POST"], "message": message})),
    );
    session.send("1");
    session.send("n");
    session.send("5\r");
    session.wait_for("the error in the form", |s| s.contains("rate limited (429)") && s.contains("I0"));
    call(port, reqwest::Method::DELETE, "/_sandbox/faults", None);
    escape(&mut session);
    session.send("y");
    // A page with invalid JSON escapes and control bytes: refused as a whole,
    // said in words, the last good rows kept.
    let broken = r#"{"data":[{"id":"pl_x\ud800","description":"\u001b]52;c;aGk=\u0007","amount":"1","currency":"USDT","status":"active","created_at":"2024-01-15T10:30:00Z"}],"total":1}"#;
    call(
        port,
        reqwest::Method::PUT,
        "/_sandbox/faults",
        Some(json!({"malformed_rate": 1.0, "methods": ["GET"], "malformed_body": broken})),
    );
    session.send("r");
    let screen = session.wait_for("the decode error", |s| s.contains("unexpected answer from PIK"));
    assert!(screen.contains("I9 WWW"), "the last good rows stay:\n{screen}");
    call(port, reqwest::Method::DELETE, "/_sandbox/faults", None);
    assert_clean(&session, "the whole session");
    session.send("q");
    assert!(session.wait_exit());
}
