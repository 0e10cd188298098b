//! `App::update`: messages in, state and commands out, on a test clock.

use super::*;
use crate::api::{LinkStatus, WebhookEvent, WebhookStatus};
use chrono::TimeZone;
use rust_decimal::Decimal;

fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).single().unwrap_or_default()
}

fn link(n: u64, status: LinkStatus) -> PaymentLink {
    PaymentLink {
        id: format!("pl_{n:05}"),
        url: Some(format!("https://pay.pik.global/pl_{n:05}")),
        amount: Decimal::new(7500, 2),
        currency: "USDT".into(),
        description: Some(format!("Order {n}")),
        status,
        created_at: t0() - Duration::seconds(1000 - n as i64),
        paid_at: None,
        expires_at: None,
    }
}

fn txn(n: u64, status: TransactionStatus) -> Transaction {
    Transaction {
        id: format!("txn_{n:05}"),
        payment_link_id: Some("pl_00001".into()),
        amount: Decimal::new(7500, 2),
        currency: "USDT".into(),
        status,
        tx_hash: None,
        created_at: t0(),
        confirmed_at: None,
        settled_at: None,
    }
}

fn hook(n: u64) -> Webhook {
    Webhook {
        id: format!("wh_{n}"),
        url: format!("https://example.com/{n}"),
        events: vec![WebhookEvent::PaymentSettled],
        status: WebhookStatus::Active,
        created_at: Some(t0()),
    }
}

/// What the server would answer for links `newest` down to 1.
fn links_page(newest: u64, offset: u64, limit: u32) -> Page<PaymentLink> {
    let data =
        (1..=newest).rev().skip(offset as usize).take(limit as usize).map(|n| link(n, LinkStatus::Active)).collect();
    Page { data, total: newest, limit: Some(limit), offset: Some(offset as u32), skipped: 0 }
}

fn app() -> App {
    App::new(Settings::default(), 120, 40, t0())
}

fn fetches(cmds: &[Cmd]) -> Vec<(Pane, u64)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::FetchPage { pane, offset, .. } => Some((*pane, *offset)),
            _ => None,
        })
        .collect()
}

fn request_for(cmds: &[Cmd], want: Pane) -> Option<(RequestId, u64, ServerFilter)> {
    cmds.iter().find_map(|c| match c {
        Cmd::FetchPage { pane, request, offset, filter, .. } if *pane == want => {
            Some((*request, *offset, filter.clone()))
        }
        _ => None,
    })
}

/// Answers every page request in `cmds` like a server with `newest` links,
/// 3 transactions and 2 webhooks; returns the commands that follow.
fn serve(app: &mut App, cmds: Vec<Cmd>, newest: u64, now: DateTime<Utc>) -> Vec<Cmd> {
    let mut next = Vec::new();
    for cmd in cmds {
        if let Cmd::FetchPage { pane, request, offset, limit, .. } = cmd {
            let result = match pane {
                Pane::Links => Loaded::Links(links_page(newest, offset, limit)),
                Pane::Transactions => Loaded::Transactions(Page {
                    data: vec![
                        txn(3, TransactionStatus::Pending),
                        txn(2, TransactionStatus::Settled),
                        txn(1, TransactionStatus::Failed),
                    ],
                    total: 3,
                    limit: Some(limit),
                    offset: Some(0),
                    skipped: 0,
                }),
                Pane::Events => continue,
                Pane::Webhooks => Loaded::Webhooks(Page {
                    data: vec![hook(2), hook(1)],
                    total: 2,
                    limit: None,
                    offset: None,
                    skipped: 0,
                }),
            };
            next.extend(app.update(Msg::Page { pane, request, offset, result: Ok(result) }, now));
        }
    }
    next
}

fn key(app: &mut App, c: char, now: DateTime<Utc>) -> Vec<Cmd> {
    app.update(Msg::Key(Key::char(c)), now)
}

fn started(newest: u64) -> App {
    let mut app = app();
    let cmds = app.update(Msg::Tick, t0());
    assert_eq!(fetches(&cmds), [(Pane::Links, 0), (Pane::Transactions, 0), (Pane::Webhooks, 0)]);
    let rest = serve(&mut app, cmds, newest, t0());
    assert!(fetches(&rest).is_empty(), "nothing more until the selection moves: {rest:?}");
    app
}

#[test]
fn startup_loads_the_first_page_of_every_pane() {
    let app = started(300);
    assert_eq!(app.links.loaded(), 50);
    assert_eq!(app.tab_labels(), [" 1 Links 300 ", " 2 Transactions 3 ", " 3 Webhooks 2 "]);
    assert_eq!(app.data_age().as_deref(), Some("0 s ago"));
}

#[test]
fn moving_down_prefetches_the_next_page_once() {
    let mut app = started(300);
    let view = app.view_height();
    assert!(view > 10);
    // Well before the end: nothing.
    for _ in 0..(50 - view - 1) {
        assert!(fetches(&key(&mut app, 'j', t0())).is_empty());
    }
    // Within one screen of row 50: the next page, ahead of time.
    let cmds = key(&mut app, 'j', t0());
    assert_eq!(fetches(&cmds), [(Pane::Links, 50)]);
    // More moves while it is in flight fetch nothing.
    assert!(fetches(&key(&mut app, 'j', t0())).is_empty());
    assert!(fetches(&key(&mut app, 'G', t0())).is_empty());
    serve(&mut app, cmds, 300, t0());
    assert_eq!(app.links.loaded(), 100);
}

#[test]
fn the_polling_plan_at_idle_is_one_request_per_refresh_plus_slow_hidden_panes() {
    let mut app = started(300);
    let mut count: std::collections::HashMap<Pane, usize> = Default::default();
    // One minute, ticking every 250 ms, with the server answering at once.
    for step in 1..=240 {
        let now = t0() + Duration::milliseconds(250 * step);
        let cmds = app.update(Msg::Tick, now);
        for (pane, offset) in fetches(&cmds) {
            assert_eq!(offset, 0);
            *count.entry(pane).or_default() += 1;
        }
        serve(&mut app, cmds, 300, now);
    }
    assert_eq!(count.get(&Pane::Links), Some(&12), "visible pane every 5 s");
    assert_eq!(count.get(&Pane::Transactions), Some(&2), "hidden panes every 30 s");
    assert_eq!(count.get(&Pane::Webhooks), Some(&2));
}

#[test]
fn polling_never_stacks_up_while_a_request_is_slow() {
    let mut app = started(300);
    let mut outstanding = Vec::new();
    for step in 1..=40 {
        outstanding.extend(app.update(Msg::Tick, t0() + Duration::seconds(step)));
    }
    // No answers at all for 40 s: one request per pane, no pile-up.
    assert_eq!(fetches(&outstanding), [(Pane::Links, 0), (Pane::Transactions, 0), (Pane::Webhooks, 0)]);
}

#[test]
fn new_rows_from_a_poll_are_marked_and_the_view_stays_put() {
    let mut app = started(300);
    for _ in 0..5 {
        key(&mut app, 'j', t0());
    }
    let selected = app.links.selected_row().map(|r| r.id.clone());
    let cmds = app.update(Msg::Tick, t0() + Duration::seconds(5));
    serve(&mut app, cmds, 303, t0() + Duration::seconds(5));
    assert_eq!(app.links.selected_row().map(|r| r.id.clone()), selected);
    assert_eq!(app.mark(Pane::Links, "pl_00303"), Some(Mark::New));
    assert_eq!(app.links.total(), Some(303));
    app.update(Msg::Tick, t0() + Duration::seconds(5 + MARK_TTL_SECS));
    assert_eq!(app.mark(Pane::Links, "pl_00303"), None, "marks fade");
}

#[test]
fn new_rows_above_a_selection_at_the_top_do_not_move_it_to_another_item() {
    let mut app = started(300);
    app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    let cmds = app.update(Msg::Tick, t0() + Duration::seconds(5));
    serve(&mut app, cmds, 302, t0() + Duration::seconds(5));
    assert_eq!(app.links.selected_row().map(|r| r.id.as_str()), Some("pl_00300"));
    assert_eq!(app.detail().map(|d| d.id.as_str()), Some("pl_00300"));
    assert_eq!(app.links.scroll(), 0, "the new rows show above");
}

#[test]
fn the_status_filter_cycles_and_goes_to_the_api() {
    let mut app = started(300);
    let cmds = key(&mut app, 's', t0());
    let Some((_, offset, filter)) = request_for(&cmds, Pane::Links) else { panic!("no refetch: {cmds:?}") };
    assert_eq!((offset, filter.status.as_deref()), (0, Some("active")));
    assert_eq!(app.links.loaded(), 0, "the old rows are gone");
    // A late answer to the old request is ignored.
    let old = Msg::Page { pane: Pane::Links, request: 1, offset: 0, result: Ok(Loaded::Links(links_page(300, 0, 50))) };
    app.update(old, t0());
    assert_eq!(app.links.loaded(), 0);
    let mut statuses = vec![filter.status];
    for _ in 0..4 {
        let cmds = key(&mut app, 's', t0());
        statuses.push(request_for(&cmds, Pane::Links).and_then(|(_, _, f)| f.status));
    }
    assert_eq!(
        statuses,
        [Some("active".into()), Some("paid".into()), Some("expired".into()), Some("deactivated".into()), None]
    );
}

#[test]
fn transaction_filters_currency_link_and_dates() {
    let mut app = started(300);
    key(&mut app, '2', t0());
    let cmds = key(&mut app, 'c', t0());
    assert_eq!(request_for(&cmds, Pane::Transactions).and_then(|(_, _, f)| f.currency).as_deref(), Some("USDT"));
    for c in ":from 2024-01-15".chars() {
        key(&mut app, c, t0());
    }
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    let Some((_, _, filter)) = request_for(&cmds, Pane::Transactions) else { panic!("{cmds:?}") };
    assert_eq!(filter.from.map(|t| t.to_rfc3339()).as_deref(), Some("2024-01-15T00:00:00+00:00"));
    assert_eq!(filter.currency.as_deref(), Some("USDT"), "filters combine");
    for c in ":to 2024-01-16".chars() {
        key(&mut app, c, t0());
    }
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    let to = request_for(&cmds, Pane::Transactions).and_then(|(_, _, f)| f.to);
    assert_eq!(to.map(|t| t.to_rfc3339()).as_deref(), Some("2024-01-16T23:59:59+00:00"), "a date means the whole day");
    // From the links pane, `t` shows one link's transactions.
    key(&mut app, '1', t0());
    let cmds = key(&mut app, 't', t0());
    assert_eq!(app.pane(), Pane::Transactions);
    assert_eq!(
        request_for(&cmds, Pane::Transactions).and_then(|(_, _, f)| f.payment_link_id).as_deref(),
        Some("pl_00300")
    );
    // A bad date is refused with a note, and nothing is fetched.
    for c in ":from yesterday".chars() {
        key(&mut app, c, t0());
    }
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    assert!(fetches(&cmds).is_empty());
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.contains("2024-01-15")));
}

#[test]
fn the_text_filter_narrows_as_you_type_and_esc_restores() {
    let mut app = started(300);
    for c in "/order 29".chars() {
        key(&mut app, c, t0());
    }
    assert_eq!(app.links.visible_len(), 10, "Order 299..290 (Order 29 is not loaded)");
    app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    assert!(matches!(app.mode(), Mode::Normal));
    assert_eq!(app.links.text_filter(), "order 29");
    key(&mut app, '/', t0());
    key(&mut app, 'x', t0());
    assert_eq!(app.links.visible_len(), 0);
    app.update(Msg::Key(Key::plain(KeyCode::Esc)), t0());
    assert_eq!(app.links.text_filter(), "order 29", "Esc restores the previous filter");
    app.update(Msg::Key(Key::plain(KeyCode::Esc)), t0());
    assert_eq!(app.links.visible_len(), 50, "Esc in the list clears it");
}

#[test]
fn jumping_to_a_pasted_id_fetches_it_and_opens_its_detail() {
    let mut app = started(300);
    app.update(Msg::Paste("  txn_04242\n".into()), t0());
    assert!(matches!(app.mode(), Mode::Command(text) if text == "txn_04242"));
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    let Some(request) = cmds.iter().find_map(|c| match c {
        Cmd::FetchTransaction { request, id } if id == "txn_04242" => Some(*request),
        _ => None,
    }) else {
        panic!("no fetch: {cmds:?}")
    };
    let found = Found::Transaction(txn(4242, TransactionStatus::Confirmed));
    app.update(Msg::Object { request, result: Ok(found.clone()) }, t0());
    assert_eq!(app.pane(), Pane::Transactions);
    assert!(app.detail_open());
    assert_eq!(app.detail().and_then(|d| d.object.clone()), Some(found));

    // A link that is not there says so.
    for c in ":pl_nope".chars() {
        key(&mut app, c, t0());
    }
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    let Some(request) = cmds.iter().find_map(|c| match c {
        Cmd::FetchLink { request, .. } => Some(*request),
        _ => None,
    }) else {
        panic!("{cmds:?}")
    };
    let missing = ErrorInfo {
        summary: "not found (404)".into(),
        message: String::new(),
        status: Some(404),
        retry_after: None,
        may_have_happened: false,
    };
    app.update(Msg::Object { request, result: Err(missing) }, t0());
    assert_eq!(app.notice().map(|n| n.text.as_str()), Some("no payment link pl_nope"));

    // Webhooks are looked up in the (complete) list: PIK has no get-one.
    for c in ":wh_1".chars() {
        key(&mut app, c, t0());
    }
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::FetchLink { .. } | Cmd::FetchTransaction { .. })));
    assert_eq!((app.pane(), app.webhooks.selected_row().map(|w| w.id.as_str())), (Pane::Webhooks, Some("wh_1")));
    for c in ":nonsense".chars() {
        key(&mut app, c, t0());
    }
    app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.starts_with("unknown command")));
}

#[test]
fn errors_keep_the_data_back_off_and_turn_stale() {
    let mut app = started(300);
    let at = t0() + Duration::seconds(5);
    let cmds = app.update(Msg::Tick, at);
    let Some((request, _, _)) = request_for(&cmds, Pane::Links) else { panic!("{cmds:?}") };
    let limited = ErrorInfo {
        summary: "rate limited (429)".into(),
        message: "slow down".into(),
        status: Some(429),
        retry_after: Some(StdDuration::from_secs(4)),
        may_have_happened: false,
    };
    app.update(Msg::Page { pane: Pane::Links, request, offset: 0, result: Err(limited) }, at);
    assert_eq!(app.links.loaded(), 50, "the last good data stays");
    assert_eq!(app.status(Pane::Links).next_poll, at + Duration::seconds(4), "Retry-After is honoured");
    assert!(fetches(&app.update(Msg::Tick, at + Duration::seconds(3))).is_empty());

    // Unreachable: backoff from one refresh interval (5 s) to two (10 s), so
    // the pane is back within two intervals of PIK recovering.
    let mut waits = Vec::new();
    let mut now = at + Duration::seconds(4);
    for _ in 0..6 {
        let cmds = app.update(Msg::Tick, now);
        let Some((request, _, _)) = request_for(&cmds, Pane::Links) else { panic!("no retry at {now}") };
        let down = ErrorInfo {
            summary: "PIK unreachable".into(),
            message: String::new(),
            status: None,
            retry_after: None,
            may_have_happened: false,
        };
        app.update(Msg::Page { pane: Pane::Links, request, offset: 0, result: Err(down) }, now);
        let wait = app.status(Pane::Links).next_poll - now;
        waits.push(wait.num_seconds());
        now += wait;
    }
    assert_eq!(waits, [10, 10, 10, 10, 10, 10]);
    assert!(app.is_stale());
    assert!(app.status(Pane::Links).error.is_some());
    // Recovery clears the error.
    let cmds = app.update(Msg::Tick, now);
    serve(&mut app, cmds, 300, now);
    assert!(app.status(Pane::Links).error.is_none() && !app.is_stale());
}

#[test]
fn keys_per_pane() {
    let mut app = started(300);
    assert_eq!(key(&mut app, 'q', t0()), [Cmd::Quit]);
    assert_eq!(app.update(Msg::Key(Key::ctrl('c')), t0()), [Cmd::Quit]);
    key(&mut app, '3', t0());
    key(&mut app, 's', t0());
    assert!(app.notice().is_some_and(|n| n.text.contains("no status filter")));
    key(&mut app, 'c', t0());
    assert!(app.status(Pane::Webhooks).filter.is_empty(), "c is for transactions only");
    app.update(Msg::Key(Key::plain(KeyCode::Tab)), t0());
    assert_eq!(app.pane(), Pane::Links);
    app.update(Msg::Key(Key::plain(KeyCode::BackTab)), t0());
    assert_eq!(app.pane(), Pane::Webhooks);
    key(&mut app, '?', t0());
    assert!(matches!(app.mode(), Mode::Help));
    key(&mut app, 'x', t0());
    assert!(matches!(app.mode(), Mode::Normal));
    key(&mut app, '1', t0());
    key(&mut app, 'G', t0());
    assert_eq!(app.links.selected(), 49);
    key(&mut app, 'g', t0());
    assert_eq!(app.links.selected(), 0);
    // Enter opens the detail and fetches the link and its transactions.
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    assert!(cmds.iter().any(|c| matches!(c, Cmd::FetchLinkTransactions { link_id, .. } if link_id == "pl_00300")));
    assert!(app.detail_open());
    app.update(Msg::Key(Key::plain(KeyCode::Esc)), t0());
    assert!(!app.detail_open());
    // p pauses polling.
    let mut app = started(300);
    key(&mut app, 'p', t0());
    assert!(fetches(&app.update(Msg::Tick, t0() + Duration::seconds(60))).is_empty());
    let cmds = key(&mut app, 'p', t0() + Duration::seconds(61));
    assert!(fetches(&cmds).contains(&(Pane::Links, 0)), "resuming refreshes at once");
}

#[test]
fn the_mouse_selects_rows_and_tabs_and_scrolls() {
    let mut app = started(300);
    let rows = app.screen().table_rows();
    app.update(Msg::Mouse(Mouse { kind: MouseKind::Click, column: rows.x + 2, row: rows.y + 4 }), t0());
    assert_eq!(app.links.selected(), 4);
    app.update(Msg::Mouse(Mouse { kind: MouseKind::ScrollDown, column: 5, row: 5 }), t0());
    assert_eq!(app.links.selected(), 7);
    let spans = layout::tab_spans(&app.tab_labels(), layout::TABS_START);
    app.update(Msg::Mouse(Mouse { kind: MouseKind::Click, column: spans[1].0 + 1, row: 0 }), t0());
    assert_eq!(app.pane(), Pane::Transactions);
}

#[test]
fn an_idle_dashboard_does_not_ask_to_redraw_every_tick() {
    let mut app = started(300);
    app.take_dirty();
    let mut redraws = 0;
    // Ten ticks within the same second, with no data change: at most one redraw.
    for step in 0..10 {
        app.update(Msg::Tick, t0() + Duration::milliseconds(400 + 50 * step));
        redraws += usize::from(app.take_dirty());
    }
    assert!(redraws <= 1, "{redraws} redraws");
}

#[test]
fn a_settled_transaction_rings_the_bell_when_asked() {
    let mut app = App::new(Settings { bell: true, ..Settings::default() }, 120, 40, t0());
    let cmds = app.update(Msg::Tick, t0());
    serve(&mut app, cmds, 10, t0());
    let now = t0() + Duration::seconds(30);
    let cmds = app.update(Msg::Tick, now);
    let Some((request, _, _)) = request_for(&cmds, Pane::Transactions) else { panic!("{cmds:?}") };
    let page = Page {
        data: vec![
            txn(3, TransactionStatus::Settled),
            txn(2, TransactionStatus::Settled),
            txn(1, TransactionStatus::Failed),
        ],
        total: 3,
        limit: Some(50),
        offset: Some(0),
        skipped: 0,
    };
    let cmds = app.update(
        Msg::Page { pane: Pane::Transactions, request, offset: 0, result: Ok(Loaded::Transactions(page)) },
        now,
    );
    assert!(cmds.contains(&Cmd::Bell));
    assert_eq!(app.mark(Pane::Transactions, "txn_00003"), Some(Mark::Changed));
}

#[test]
fn small_numbers_read_well() {
    assert_eq!(group_thousands(1004), "1,004");
    assert_eq!(group_thousands(100), "100");
    assert_eq!(group_thousands(1_234_567), "1,234,567");
    assert_eq!(age_words(Duration::seconds(3)), "3 s ago");
    assert_eq!(age_words(Duration::seconds(125)), "2 min ago");
}

fn refusal(status: u16, summary: &str, may_have_happened: bool) -> ErrorInfo {
    ErrorInfo {
        summary: summary.into(),
        message: String::new(),
        status: Some(status),
        retry_after: None,
        may_have_happened,
    }
}

#[test]
fn a_failed_create_keeps_the_input_unlocks_and_is_not_retried() {
    let mut app = started(300);
    key(&mut app, 'n', t0());
    for c in "75.00".chars() {
        key(&mut app, c, t0());
    }
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    let creates: Vec<_> = cmds.iter().filter(|c| matches!(c, Cmd::CreateLink { .. })).collect();
    assert_eq!(creates.len(), 1);
    let Some(Cmd::CreateLink { request, .. }) = creates.first().copied().cloned() else { panic!() };
    // A second Enter while it is in flight sends nothing.
    let again = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0());
    assert!(!again.iter().any(|c| matches!(c, Cmd::CreateLink { .. })));
    let cmds =
        app.update(Msg::LinkCreated { request, result: Err(refusal(422, "request refused (422)", false)) }, t0());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::CreateLink { .. })), "never retried on its own");
    let Mode::NewLink(form) = app.mode() else { panic!("the form closed") };
    assert_eq!(form.amount.value(), "75.00");
    assert!(form.submitting.is_none() && form.failure.as_deref() == Some("request refused (422)"));
    // A timeout after sending: "may have been created", and the list refreshes.
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0() + Duration::seconds(1));
    let Some(request) = cmds.iter().find_map(|c| match c {
        Cmd::CreateLink { request, .. } => Some(*request),
        _ => None,
    }) else {
        panic!("{cmds:?}")
    };
    let at = t0() + Duration::seconds(2);
    let cmds =
        app.update(Msg::LinkCreated { request, result: Err(refusal(0, "PIK did not answer in time", true)) }, at);
    assert!(fetches(&cmds).contains(&(Pane::Links, 0)), "the links are refreshed at once: {cmds:?}");
    let Mode::NewLink(form) = app.mode() else { panic!("the form closed") };
    assert!(form.failure.as_deref().is_some_and(|f| f.contains("MAY have been created")));
}

#[test]
fn deactivating_on_a_server_without_delete_says_so() {
    for status in [404, 405] {
        let mut app = started(300);
        key(&mut app, 'd', t0());
        let cmds = key(&mut app, 'y', t0());
        let Some(request) = cmds.iter().find_map(|c| match c {
            Cmd::DeactivateLink { request, id } if id == "pl_00300" => Some(*request),
            _ => None,
        }) else {
            panic!("{cmds:?}")
        };
        app.update(Msg::LinkDeactivated { request, result: Err(refusal(status, "x", false)) }, t0());
        let notice = app.notice().map(|n| n.text.clone()).unwrap_or_default();
        assert!(
            notice.contains("does not support deactivating links") && notice.contains(&status.to_string()),
            "{notice}"
        );
        assert_eq!(app.links.selected_row().map(|l| l.status.clone()), Some(LinkStatus::Active));
    }
    // Only active links: a paid one is refused before anything is sent.
    let mut app = started(300);
    let mut page = links_page(300, 0, 50);
    page.data[0].status = LinkStatus::Paid;
    let cmds = app.update(Msg::Tick, t0() + Duration::seconds(5));
    let Some((request, _, _)) = request_for(&cmds, Pane::Links) else { panic!() };
    app.update(
        Msg::Page { pane: Pane::Links, request, offset: 0, result: Ok(Loaded::Links(page)) },
        t0() + Duration::seconds(5),
    );
    key(&mut app, 'd', t0() + Duration::seconds(5));
    assert!(matches!(app.mode(), Mode::Normal));
    assert!(app.notice().is_some_and(|n| n.text.contains("only an active link")));
}
