//! A case as an agent meets it, in the real binary in a pseudo-terminal: a
//! customer sent 74.10 of a 75.00 USDT order. The Overview lists the case,
//! Enter tells its story and the next step, and `b` makes a balance link
//! of exactly what is missing, with one request to PIK.

mod common;

use common::pty::*;
use common::*;
use serde_json::json;

#[test]
fn an_underpaid_order_shows_its_case_and_b_makes_a_balance_link_of_what_is_missing() {
    let (runtime, sandbox) = runtime_with_quiet_sandbox();
    let order = json!({"amount": "75.00", "currency": "USDT", "description": "Order #1234"});
    let (status, link) = runtime.block_on(control(&sandbox, reqwest::Method::POST, "/payment-links", Some(order)));
    assert_eq!(status, 201, "{link}");
    let id = link["id"].as_str().unwrap_or_default().to_string();
    let pay = json!({"outcome": "settle", "amount": "74.10"});
    let path = format!("/payment-links/{id}/pay");
    let (status, paid) = runtime.block_on(control(&sandbox, reqwest::Method::POST, &path, Some(pay)));
    assert_eq!(status, 201, "{paid}");

    let mut session = Session::start_with(
        None,
        &["--base-url", &sandbox.base_url(), "--no-mouse", "--tz", "Europe/Berlin"],
        120,
        40,
        &[("PIK_API_KEY", pik_tui::sandbox::DEMO_KEY)],
    );
    session.wait_for("the mirror", |s| s.contains("mirror up to date"));
    session.send("0");
    session.wait_for("the case in the Overview", |s| s.lines().any(|l| l.contains(&id) && l.contains("underpaid")));
    // Only this order's row, then its case.
    session.send("/");
    session.send(&id);
    session.send("\r");
    session.send("\r");
    let screen = session.wait_for("the case view", |s| s.contains("0.90 missing"));
    assert!(screen.contains("Customer sent 74.10 of 75.00 USDT"), "{screen}");
    assert!(
        screen.contains("Europe/Berlin") && screen.contains("made for 75.00 USDT"),
        "the story, zone named: {screen}"
    );
    assert!(screen.contains("b balance link"), "{screen}");
    // c: the reply, copied, and in the story as this agent's act.
    session.send("c");
    let story = session.wait_for("the copy in the story", |s| s.contains("copied the reply pl_"));
    assert!(story.contains("(underpaid reply)"), "{story}");

    runtime.block_on(reset_requests(&sandbox));
    session.send("b");
    let form = session.wait_for("the filled-in form", |s| s.contains("New payment link") && s.contains("0.90"));
    // The field shows the start of the text: what the link is.
    assert!(form.contains("Balance for Order #1234"), "{form}");
    session.send("\r");
    let created = session.wait_for("the balance link", |s| s.contains("Payment link created"));
    let (_, posts) = runtime.block_on(request_count(&sandbox, "POST /v1/payment-links"));
    assert_eq!(posts, 1, "one create, never two: {created}");
    let page = runtime.block_on(async { client(&sandbox).list_links(&Default::default()).await });
    let Ok(page) = page else { panic!("the links") };
    let balance =
        page.data.iter().find(|l| l.description.as_deref() == Some(&format!("Balance for Order #1234 ({id})")));
    let Some(balance) = balance else { panic!("no balance link at PIK") };
    assert_eq!((balance.amount.to_string().as_str(), balance.currency.as_str()), ("0.90", "USDT"));
    session.send("\u{1b}");
    // Apart, or the two read as Alt-q.
    session.wait_for("the result closed", |s| !s.contains("Payment link created"));
    session.send("q");
    assert!(session.wait_exit());
    drop(runtime);
}
