//! Times on screen, in the real binary: each in the agent's zone with the
//! offset in force at that instant (not today's), the zone named, `:tz` to
//! switch, and `:date settled` reading the Transactions pane by settlement.

mod common;

use common::pty::*;
use common::*;

/// A payment made on 2026-10-18 at 14:21:37 UTC: 10:21:37 in New York,
/// where summer time was still on (it ended on 1 November).
fn plant_october_payment(port: u16) -> String {
    let links = call(port, reqwest::Method::GET, "/v1/payment-links?limit=1", None);
    let link = links["data"][0]["id"].as_str().unwrap_or_default().to_string();
    let plant = serde_json::json!({
        "payment_link_id": link,
        "status": "settled",
        "created_at": "2026-10-18T14:21:37Z",
        "confirmed_at": "2026-10-18T14:30:00Z",
        "settled_at": "2026-10-18T15:02:09Z",
    });
    let txn = call(port, reqwest::Method::POST, "/_sandbox/transactions", Some(plant));
    txn["id"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_time_is_shown_with_the_offset_in_force_then_and_the_zone_is_named() {
    let port = free_port();
    let port_text = port.to_string();
    let mut session = Session::start_with(
        None,
        &["--demo", "--demo-port", &port_text, "--no-mouse"],
        160,
        30,
        &[("TZ", "America/New_York")],
    );
    session.wait_for("link rows", |s| s.contains("pl_"));
    let id = plant_october_payment(port);
    assert!(id.starts_with("txn_"), "{id}");
    let header = session
        .wait_for("the zone in the header", |s| s.lines().next().is_some_and(|l| l.contains("America/New_York")));
    assert!(header.lines().next().is_some_and(|l| l.contains("SANDBOX")), "{header}");
    session.send(&format!(":{id}\r"));
    // Created and settled in EDT (waited for together: a screen can be read
    // half drawn), and no time shown with today's offset (EST).
    let screen = session.wait_for("the payment's detail", |s| {
        s.contains("2026-10-18 10:21:37 EDT") && s.contains("2026-10-18 11:02:09 EDT")
    });
    assert!(!screen.contains("09:21:37"), "{screen}");
    // `:tz` switches every time on screen at once.
    session.send("\u{1b}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    session.send(":tz UTC\r");
    session.wait_for("the note", |s| s.contains("times are shown in UTC"));
    session.send(&format!(":{id}\r"));
    let screen = session.wait_for("the detail in UTC", |s| s.contains("2026-10-18 14:21:37 UTC"));
    assert!(screen.lines().next().is_some_and(|l| l.contains("UTC") && !l.contains("New_York")), "{screen}");
    session.send("\u{1b}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    session.send(":tz Mars/Olympus\r");
    session.wait_for("a refusal naming the zone", |s| s.contains("unknown time zone \"Mars/Olympus\""));
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn date_settled_reads_the_pane_by_when_payments_were_credited() {
    let (runtime, sandbox) = runtime_with_quiet_sandbox();
    let truth = runtime.block_on(truth(&client(&sandbox))).1;
    // A whole UTC day of the past weeks, the one with the most credited:
    // what was credited then, whenever it was made.
    let settled_on = |day: chrono::NaiveDate| {
        let start = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default();
        truth
            .iter()
            .filter(|t| t.settled_at.is_some_and(|at| start <= at && at < start + chrono::Duration::days(1)))
            .count()
    };
    let today = chrono::Utc::now().date_naive();
    let day =
        (2..25).map(|back| today - chrono::Duration::days(back)).max_by_key(|day| settled_on(*day)).unwrap_or(today);
    let settled = settled_on(day);
    assert!(settled > 3, "the seed settles payments every few days: {settled}");
    let mut session = Session::start_with(
        None,
        &["--base-url", &sandbox.base_url(), "--no-store", "--no-mouse", "--tz", "UTC"],
        160,
        30,
        &[("PIK_API_KEY", pik_tui::sandbox::DEMO_KEY)],
    );
    session.wait_for("the mirror", |s| s.contains("mirror up to date"));
    session.send("2");
    session.wait_for("transaction rows", |s| s.contains("txn_"));
    session.send(&format!(":date settled\r:from {day}\r:to {day}\r"));
    // The mirror in memory reads on as the list's end shows, until it holds
    // them all: then the count is the day's, not a part of it.
    let title = format!(" of {settled} ·");
    let screen = session.wait_for("the day's settlements", |s| s.contains(&title));
    assert!(screen.contains(&format!("settled {day} 00:00–23:59 UTC")), "{screen}");
    // By creation the same day is another list (the export finance got wrong).
    session.send(":status settled\r:date created\r");
    let by_creation = format!("status: settled · {day} 00:00–23:59 UTC");
    session.wait_for("the day by creation", |s| s.contains(&by_creation));
    session.send("q");
    assert!(session.wait_exit());
    drop(runtime);
}
