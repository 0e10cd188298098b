//! The Overview and alerts in the real binary, in a pseudo-terminal, with
//! `--demo`: the chart and what needs attention on `0`, Enter opening it,
//! and an alert that reaches the terminal as one well-formed OSC 9 sequence
//! for a payment that settles live, and none for the account's history.

mod common;

use common::pty::*;

#[test]
fn zero_shows_the_chart_and_what_needs_attention_and_enter_opens_it() {
    let mut session = Session::start(&["--demo", "--no-mouse"], 120, 40);
    session.wait_for("link rows", |s| s.contains("pl_"));
    session.send("0");
    session.wait_for("the chart and the cases", |s| {
        s.contains("per hour")
            && s.contains("00:00")
            && s.contains("24:00")
            && s.contains("cases)")
            && s.contains(" stuck ")
    });
    // The list may have been computed before the mirror held the payments
    // (a slow machine), and the selection stays on the item it was on: go
    // to the first row, the oldest case.
    session.send("g");
    let first_selected = |s: &str| {
        let lines: Vec<&str> = s.lines().collect();
        let title = lines.iter().position(|l| l.contains("need attention"));
        title.and_then(|at| lines.get(at + 1)).is_some_and(|l| l.contains("▶ ") && l.contains("pl_"))
    };
    let screen = session.wait_for("the first row selected", first_selected);
    assert!(screen.contains("Overview · today"), "{screen}");
    assert!(screen.contains("settled") && screen.contains("links made"), "{screen}");
    let Some(row) = screen.lines().find(|l| l.contains("▶ ") && l.contains("pl_")) else { panic!("{screen}") };
    let Some(id) = row.split_whitespace().find(|w| w.starts_with("pl_")) else { panic!("{row}") };
    let id = id.trim_end_matches('│').to_string();
    // Enter: the case, its story read from the mirror, and what to do.
    session.send("\r");
    let label = format!("the case view of {id}");
    let case = session.wait_for(&label, |s| s.contains(&format!("case of {id}")) && s.contains("made for"));
    assert!(case.contains("other keys close"), "{case}");
    session.send("\u{1b}");
    session.wait_for("the case closed", |s| !s.contains("case of "));
    session.send("q");
    assert!(session.wait_exit());
}

/// The OSC 9 notifications written so far: their texts.
fn notifications(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    text.split("\u{1b}]9;").skip(1).map(|rest| rest.split('\u{7}').next().unwrap_or_default().to_string()).collect()
}

#[test]
fn a_payment_settling_live_fires_one_well_formed_notification_and_history_none() {
    let (_dir, config) = config_file("[[alerts]]\nwhen = \"settled\"\nnotify = \"osc9\"\n");
    let port = free_port();
    let port_text = port.to_string();
    let args = ["--demo", "--demo-port", &port_text, "--refresh", "1", "--config", &config, "--no-mouse"];
    let mut session = Session::start(&args, 140, 30);
    // History: the seeded payments settled before the start; the mirror
    // fills and catches up; nothing may fire for any of it.
    session.wait_for("the mirror up to date", |s| s.contains("mirror up to date"));
    session.send("2");
    session.wait_for("transactions", |s| s.contains("txn_"));
    std::thread::sleep(std::time::Duration::from_secs(2));
    let before = notifications(&session.raw());
    // The demo's own simulated payments may settle meanwhile: those are news
    // too. Only a payment made here is counted.
    let links = call(port, reqwest::Method::GET, "/v1/payment-links?status=active&limit=1", None);
    let link = links["data"][0]["id"].as_str().unwrap_or_default().to_string();
    let settle = Some(serde_json::json!({"outcome": "settle"}));
    let txn = call(port, reqwest::Method::POST, &format!("/_sandbox/payment-links/{link}/pay"), settle);
    let Some(txn_id) = txn["id"].as_str().map(str::to_string) else { panic!("{txn}") };
    assert!(before.iter().all(|n| !n.contains(&txn_id)));
    session.wait_for("the alert's notice", |s| s.contains(&txn_id) && s.contains("settled"));
    // The poll and the sync may both see it: one notification all the same.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let raw = session.raw();
    let mine: Vec<String> = notifications(&raw).into_iter().filter(|n| n.contains(&txn_id)).collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert!(mine[0].starts_with("settled ") && mine[0].chars().all(|c| !c.is_control()), "{:?}", mine[0]);
    // Seeded history would name seeded payments, settled long ago.
    let seeded = call(port, reqwest::Method::GET, "/v1/transactions?status=settled&limit=100&offset=100", None);
    let old: Vec<&str> =
        seeded["data"].as_array().map(|a| a.iter().filter_map(|t| t["id"].as_str()).collect()).unwrap_or_default();
    assert!(!old.is_empty());
    assert!(notifications(&raw).iter().all(|n| old.iter().all(|id| !n.contains(id))), "history fired");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn e_in_a_search_writes_exactly_the_rows_found() {
    let mut session = Session::start(&["--demo", "--no-mouse"], 120, 40);
    session.wait_for("the mirror up to date", |s| s.contains("mirror up to date"));
    session.send("S");
    for c in "order".chars() {
        session.send(&c.to_string());
    }
    session.send("\r");
    let screen = session.wait_for("the count found", |s| s.contains(" found "));
    let Some(found) = screen
        .split(" found ")
        .next()
        .and_then(|before| before.rsplit(' ').next())
        .and_then(|n| n.replace(',', "").parse::<usize>().ok())
    else {
        panic!("{screen}")
    };
    assert!(found > 0);
    let Ok(dir) = tempfile::tempdir() else { panic!("temp dir") };
    let path = dir.path().join("found.csv");
    session.send("e");
    session.wait_for("the export form", |s| s.contains("matching the search"));
    session.send("\u{15}"); // ctrl-u: clear the offered name
    session.send(&path.display().to_string());
    session.send("\r");
    session.wait_for("the rows written", |s| s.contains(&format!("wrote {found} rows to")));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), found + 1, "a header and the rows found");
    assert!(lines[0].starts_with("kind,id,"), "{}", lines[0]);
    session.send("q");
    assert!(session.wait_exit());
}
