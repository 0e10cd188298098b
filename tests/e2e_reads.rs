//! The real binary against a quiet sandbox: the panes read the mirror and
//! the sync alone asks PIK, within its budget; a mirror kept in memory
//! (`--no-store`) fetches only what the agent scrolls to; `:sort` orders the
//! list by index in the mirror. Counts come from the sandbox's own counter;
//! the bounds are loose, as the clock of a loaded machine is.

mod common;

use common::pty::{Session, row_at};
use pik_tui::sandbox::{DEMO_KEY, SandboxConfig, SeedSizes};
use serde_json::Value;
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => panic!("{err}"),
    }
}

/// The sandbox's request counter, and a way to reset it.
fn counter(runtime: &tokio::runtime::Runtime, control: &str, reset: bool) -> Value {
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let url = format!("{control}/requests");
        let sent = if reset { client.delete(url).send().await } else { client.get(url).send().await };
        match sent {
            Ok(response) => response.json::<Value>().await.unwrap_or_default(),
            Err(err) => panic!("{err}"),
        }
    })
}

fn on(counts: &Value, route: &str) -> u64 {
    counts["by_route"][route].as_u64().unwrap_or(0)
}

const LINKS: &str = "GET /v1/payment-links";
const TRANSACTIONS: &str = "GET /v1/transactions";
const WEBHOOKS: &str = "GET /v1/webhooks";

#[test]
fn at_idle_the_kind_on_screen_is_read_every_refresh_and_the_hidden_ones_rarely() {
    let runtime = runtime();
    let config = SandboxConfig { activity: false, rate_limit_per_sec: None, ..SandboxConfig::default() };
    let sandbox = match runtime.block_on(pik_tui::sandbox::start(config)) {
        Ok(sandbox) => sandbox,
        Err(err) => panic!("{err}"),
    };
    let base = sandbox.base_url();
    let control = sandbox.control_url();
    let mut session = Session::start_with(
        None,
        &["--base-url", &base, "--no-store", "--refresh", "1", "--no-mouse"],
        120,
        30,
        &[("PIK_API_KEY", DEMO_KEY)],
    );
    session.wait_for("the mirror up to date", |s| s.contains("mirror up to date"));
    // Ten seconds with the links shown, nothing happening at PIK.
    counter(&runtime, &control, true);
    std::thread::sleep(Duration::from_secs(10));
    let links_shown = counter(&runtime, &control, false);
    // Then ten with the webhooks shown.
    session.send("3");
    session.wait_for("the webhooks", |s| s.contains("Webhooks ·"));
    std::thread::sleep(Duration::from_millis(500));
    counter(&runtime, &control, true);
    std::thread::sleep(Duration::from_secs(10));
    let hooks_shown = counter(&runtime, &control, false);
    session.send("q");
    assert!(session.wait_exit());
    // Every refresh (1 s) for the kind shown; every six for the others; the
    // unfinished sets once a minute (three requests at most in a window).
    let (links, others) = (on(&links_shown, LINKS), on(&links_shown, TRANSACTIONS) + on(&links_shown, WEBHOOKS));
    assert!((6..=14).contains(&links), "links shown: {links} reads of links in 10 s: {links_shown}");
    assert!(others <= 8, "links shown: {others} reads of the hidden kinds: {links_shown}");
    let total = links_shown["total"].as_u64().unwrap_or(u64::MAX);
    assert!(total <= 22, "{total} requests in 10 s at 1 s refreshes: {links_shown}");
    let (hooks, links) = (on(&hooks_shown, WEBHOOKS), on(&hooks_shown, LINKS));
    assert!((6..=14).contains(&hooks), "webhooks shown: {hooks_shown}");
    assert!(links <= 4, "the links, hidden, ask at the hidden rate only: {hooks_shown}");
    runtime.block_on(sandbox.shutdown());
}

#[test]
fn without_a_store_scrolling_to_row_500_of_5000_fetches_only_what_was_scrolled_to() {
    let runtime = runtime();
    let config = SandboxConfig {
        activity: false,
        rate_limit_per_sec: None,
        sizes: SeedSizes { links: 5000, transactions: 200, webhooks: 1 },
        ..SandboxConfig::default()
    };
    let sandbox = match runtime.block_on(pik_tui::sandbox::start(config)) {
        Ok(sandbox) => sandbox,
        Err(err) => panic!("{err}"),
    };
    let base = sandbox.base_url();
    let mut session = Session::start_with(
        None,
        &["--base-url", &base, "--no-store", "--no-mouse"],
        120,
        40,
        &[("PIK_API_KEY", DEMO_KEY)],
    );
    let screen = session.wait_for("PIK's count", |s| s.contains("5,000 at PIK"));
    assert!(screen.contains("1 Links 5,000"), "the tab counts PIK's links, not the part held:\n{screen}");
    // Page down to row 500, as an agent would, a page at a time.
    while row_at(&session.contents()) < 500 {
        session.send("\u{1b}[6~");
        std::thread::sleep(Duration::from_millis(150));
    }
    let rows = |s: &str| s.lines().filter(|l| l.contains("pl_")).count();
    let screen = session.wait_for("rows at row 500", |s| row_at(s) >= 500 && rows(s) > 30);
    assert!(!screen.contains("loading older rows"), "{screen}");
    let counts = counter(&runtime, &sandbox.control_url(), false);
    let deepest = counts["deepest"][LINKS].as_u64().unwrap_or(0);
    // Pages by offset as the agent scrolled, a few ahead, and no further.
    assert!((400..1000).contains(&deepest), "the deepest page of links asked: {deepest}: {counts}");
    assert!(on(&counts, LINKS) < 40, "not a backfill of 5,000 links: {counts}");
    session.send("q");
    assert!(session.wait_exit());
    runtime.block_on(sandbox.shutdown());
}

/// The rows on screen as (currency, amount), in order.
fn amounts(screen: &str) -> Vec<(String, rust_decimal::Decimal)> {
    screen
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.iter().position(|w| w.starts_with("pl_"))?;
            let amount = words.get(at + 1)?.parse().ok()?;
            Some((words.get(at + 2)?.to_string(), amount))
        })
        .collect()
}

#[test]
fn sort_amount_desc_orders_by_currency_then_amount_and_says_so() {
    let mut session = Session::start(&["--demo", "--no-mouse"], 120, 40);
    session.wait_for("the mirror up to date", |s| s.contains("mirror up to date"));
    session.send(":sort colour\r");
    let refused = session.wait_for("the refusal", |s| s.contains("sort by one of"));
    assert!(refused.contains("amount, currency, status, description, created"), "{refused}");
    session.send(":sort amount desc\r");
    // The header turns at once; the rows come with the store's answer.
    let sorted = |rows: &[(String, rust_decimal::Decimal)]| {
        rows.windows(2).all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1))
    };
    let screen =
        session.wait_for("the sorted list", |s| s.contains("AMOUNT↓") && amounts(s).len() > 20 && sorted(&amounts(s)));
    let rows = amounts(&screen);
    for pair in rows.windows(2) {
        let ((a_currency, a), (b_currency, b)) = (&pair[0], &pair[1]);
        assert!(a_currency >= b_currency, "currencies in order: {rows:?}");
        assert!(a_currency != b_currency || a >= b, "amounts largest first, as numbers: {rows:?}");
    }
    // `I` turns it round at once.
    session.send("I");
    let screen = session.wait_for("the other way", |s| s.contains("AMOUNT↑"));
    let rows = amounts(&screen);
    assert!(rows.windows(2).all(|p| p[0].0 <= p[1].0), "{rows:?}");
    session.send("q");
    assert!(session.wait_exit());
}
