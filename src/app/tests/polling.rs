//! Polling, paging, merging, backoff and the open detail's refresh.

use super::*;
use crate::api::{LinkStatus, TransactionStatus};
use crate::test_support::{answer_with, numbered_txn, page, refusal, unreachable};

#[test]
fn startup_loads_the_first_page_of_every_pane() {
    let (app, _) = started(300);
    assert_eq!(app.links.list.loaded(), 50);
    assert_eq!(app.header_tabs().1, [" 1 Links 300 ", " 2 Transactions 3 ", " 3 Webhooks 2 "]);
    assert_eq!(app.data_age().as_deref(), Some("0 s ago"));
}

#[test]
fn moving_down_prefetches_the_next_page_once() {
    let (mut app, pik) = started(300);
    let view = app.view_height();
    assert!(view > 10);
    // Well before the end: nothing.
    for _ in 0..(50 - view - 1) {
        assert!(fetches(&key(&mut app, 'j', t0())).is_empty());
    }
    // Within one screen of row 50: the next page, ahead of time.
    let cmds = key(&mut app, 'j', t0());
    assert_eq!(fetches(&cmds), [(Polled::Links, 50)]);
    // More moves while it is in flight fetch nothing.
    assert!(fetches(&key(&mut app, 'j', t0())).is_empty());
    assert!(fetches(&key(&mut app, 'G', t0())).is_empty());
    answer_all(&mut app, cmds, &pik, t0());
    assert_eq!(app.links.list.loaded(), 100);
}

#[test]
fn the_polling_plan_at_idle_is_one_request_per_refresh_plus_slow_hidden_panes() {
    let (mut app, pik) = started(300);
    let mut count: std::collections::HashMap<Polled, usize> = Default::default();
    // One minute, ticking every 250 ms, with the server answering at once.
    for step in 1..=240 {
        let now = t0() + Duration::milliseconds(250 * step);
        let cmds = app.update(Msg::Tick, now);
        for (pane, offset) in fetches(&cmds) {
            assert_eq!(offset, 0);
            *count.entry(pane).or_default() += 1;
        }
        answer_all(&mut app, cmds, &pik, now);
    }
    assert_eq!(count.get(&Polled::Links), Some(&12), "visible pane every 5 s");
    assert_eq!(count.get(&Polled::Transactions), Some(&2), "hidden panes every 30 s");
    assert_eq!(count.get(&Polled::Webhooks), Some(&2));
}

#[test]
fn polling_never_stacks_up_while_a_request_is_slow() {
    let (mut app, _) = started(300);
    let mut outstanding = Vec::new();
    for step in 1..=40 {
        outstanding.extend(app.update(Msg::Tick, t0() + Duration::seconds(step)));
    }
    // No answers at all for 40 s: one request per pane, no pile-up.
    assert_eq!(fetches(&outstanding), [(Polled::Links, 0), (Polled::Transactions, 0), (Polled::Webhooks, 0)]);
}

#[test]
fn new_rows_from_a_poll_are_marked_and_the_view_stays_put() {
    let (mut app, _) = started(300);
    for _ in 0..5 {
        key(&mut app, 'j', t0());
    }
    let selected = app.links.list.selected_row().map(|r| r.id.clone());
    let cmds = app.update(Msg::Tick, t0() + Duration::seconds(5));
    answer_all(&mut app, cmds, &FakePik::numbered(303), t0() + Duration::seconds(5));
    assert_eq!(app.links.list.selected_row().map(|r| r.id.clone()), selected);
    assert_eq!(app.mark(Pane::Links, "pl_00303"), Some(Mark::New));
    assert_eq!(app.links.list.total(), Some(303));
    app.update(Msg::Tick, t0() + Duration::seconds(5 + MARK_TTL_SECS));
    assert_eq!(app.mark(Pane::Links, "pl_00303"), None, "marks fade");
}

#[test]
fn new_rows_above_a_selection_at_the_top_do_not_move_it_to_another_item() {
    let (mut app, _) = started(300);
    press(&mut app, input::KeyCode::Enter, t0());
    let cmds = app.update(Msg::Tick, t0() + Duration::seconds(5));
    answer_all(&mut app, cmds, &FakePik::numbered(302), t0() + Duration::seconds(5));
    assert_eq!(app.links.list.selected_row().map(|r| r.id.as_str()), Some("pl_00300"));
    assert_eq!(app.detail().map(|d| d.id.as_str()), Some("pl_00300"));
    assert_eq!(app.links.list.scroll(), 0, "the new rows show above");
}

#[test]
fn errors_keep_the_data_back_off_and_turn_stale() {
    let (mut app, pik) = started(300);
    let at = t0() + Duration::seconds(5);
    let cmds = app.update(Msg::Tick, at);
    let Some((request, _)) = request_for(&cmds, Polled::Links) else { panic!("{cmds:?}") };
    let limited = ErrorInfo {
        retry_after: Some(StdDuration::from_secs(4)),
        message: "slow down".into(),
        ..refusal(429, "rate limited (429)")
    };
    app.update(Msg::Page { pane: Polled::Links, request, offset: 0, source: Source::Pik, result: Err(limited) }, at);
    assert_eq!(app.links.list.loaded(), 50, "the last good data stays");
    assert_eq!(app.links.poll.next_poll, at + Duration::seconds(4), "Retry-After is honoured");
    assert!(fetches(&app.update(Msg::Tick, at + Duration::seconds(3))).is_empty());

    // Unreachable: backoff from one refresh interval (5 s) to two (10 s), so
    // the pane is back within two intervals of PIK recovering.
    let mut waits = Vec::new();
    let mut now = at + Duration::seconds(4);
    for _ in 0..6 {
        let cmds = app.update(Msg::Tick, now);
        let Some((request, _)) = request_for(&cmds, Polled::Links) else { panic!("no retry at {now}") };
        app.update(
            Msg::Page { pane: Polled::Links, request, offset: 0, source: Source::Pik, result: Err(unreachable()) },
            now,
        );
        let wait = app.links.poll.next_poll - now;
        waits.push(wait.num_seconds());
        now += wait;
    }
    assert_eq!(waits, [10, 10, 10, 10, 10, 10]);
    assert!(app.is_stale());
    assert!(app.links.poll.unreachable(), "classified by kind, not by words");
    // Recovery clears the error.
    let cmds = app.update(Msg::Tick, now);
    answer_all(&mut app, cmds, &pik, now);
    assert!(app.links.poll.error.is_none() && !app.is_stale());
}

#[test]
fn a_rejected_key_is_retried_slowly() {
    let (mut app, _) = started(300);
    let at = t0() + Duration::seconds(5);
    let cmds = app.update(Msg::Tick, at);
    let Some((request, _)) = request_for(&cmds, Polled::Links) else { panic!("{cmds:?}") };
    let rejected = refusal(401, "the API key was rejected (401)");
    app.update(Msg::Page { pane: Polled::Links, request, offset: 0, source: Source::Pik, result: Err(rejected) }, at);
    assert_eq!(app.links.poll.next_poll, at + Duration::seconds(pane::MAX_BACKOFF_SECS));
}

#[test]
fn a_settled_transaction_rings_the_bell_when_asked() {
    let mut app = App::new(Settings { bell: true, ..Settings::default() }, 120, 40, t0());
    let cmds = app.update(Msg::Tick, t0());
    answer_all(&mut app, cmds, &FakePik::numbered(10), t0());
    let now = t0() + Duration::seconds(30);
    let cmds = app.update(Msg::Tick, now);
    let Some((request, _)) = request_for(&cmds, Polled::Transactions) else { panic!("{cmds:?}") };
    let settled = page(
        vec![
            numbered_txn(3, TransactionStatus::Settled),
            numbered_txn(2, TransactionStatus::Settled),
            numbered_txn(1, TransactionStatus::Failed),
        ],
        3,
    );
    let msg = Msg::Page {
        pane: Polled::Transactions,
        request,
        offset: 0,
        source: Source::Pik,
        result: Ok(Loaded::Transactions(settled)),
    };
    let cmds = app.update(msg, now);
    assert!(cmds.contains(&Cmd::Bell));
    assert_eq!(app.mark(Pane::Transactions, "txn_00003"), Some(Mark::Changed));
}

#[test]
fn an_idle_dashboard_does_not_ask_to_redraw_every_tick() {
    let (mut app, _) = started(300);
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
fn the_status_filter_cycles_and_goes_to_the_api() {
    let (mut app, pik) = started(300);
    let cmds = key(&mut app, 's', t0());
    let Some((_, PageRequest::Links { filter, offset, .. })) = request_for(&cmds, Polled::Links) else {
        panic!("no refetch: {cmds:?}")
    };
    assert_eq!((offset, filter.status.clone()), (0, Some(LinkStatus::Active)));
    assert_eq!(app.links.list.loaded(), 0, "the old rows are gone");
    // A late answer to the old request is ignored.
    let old = Msg::Page {
        pane: Polled::Links,
        request: 1,
        source: Source::Pik,
        offset: 0,
        result: Ok(pik.answer(&PageRequest::Links { filter: LinkFilter::default(), offset: 0, limit: 50 })),
    };
    app.update(old, t0());
    assert_eq!(app.links.list.loaded(), 0);
    let mut statuses = vec![filter.status];
    for _ in 0..4 {
        let cmds = key(&mut app, 's', t0());
        statuses.push(match request_for(&cmds, Polled::Links) {
            Some((_, PageRequest::Links { filter, .. })) => filter.status,
            other => panic!("{other:?}"),
        });
    }
    use LinkStatus::*;
    assert_eq!(statuses, [Some(Active), Some(Paid), Some(Expired), Some(Deactivated), None]);
}

fn transaction_filter(cmds: &[Cmd]) -> Option<TransactionFilter> {
    match request_for(cmds, Polled::Transactions) {
        Some((_, PageRequest::Transactions { filter, .. })) => Some(filter),
        _ => None,
    }
}

#[test]
fn transaction_filters_currency_link_and_dates() {
    let (mut app, _) = started(300);
    key(&mut app, '2', t0());
    let cmds = key(&mut app, 'c', t0());
    assert_eq!(transaction_filter(&cmds).and_then(|f| f.currency).as_deref(), Some("USDT"));
    typed(&mut app, ":from 2024-01-15", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some(filter) = transaction_filter(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(filter.from.map(|t| t.to_rfc3339()).as_deref(), Some("2024-01-15T00:00:00+00:00"));
    assert_eq!(filter.currency.as_deref(), Some("USDT"), "filters combine");
    typed(&mut app, ":to 2024-01-16", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let to = transaction_filter(&cmds).and_then(|f| f.to);
    assert_eq!(to.map(|t| t.to_rfc3339()).as_deref(), Some("2024-01-16T23:59:59+00:00"), "a date means the whole day");
    // From the links pane, `t` shows one link's transactions.
    key(&mut app, '1', t0());
    let cmds = key(&mut app, 't', t0());
    assert_eq!(app.pane(), Pane::Transactions);
    assert_eq!(transaction_filter(&cmds).and_then(|f| f.payment_link_id).as_deref(), Some("pl_00300"));
    // A bad date is refused with a note, and nothing is fetched.
    typed(&mut app, ":from someday", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    assert!(fetches(&cmds).is_empty());
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.contains("2026-11-29, 2026-11, today, yesterday")));
    // A status that is not one of the pane's is refused.
    typed(&mut app, ":status paid", t0());
    press(&mut app, input::KeyCode::Enter, t0());
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.contains("settled")), "{:?}", app.notice());
    typed(&mut app, ":status settled", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    assert_eq!(transaction_filter(&cmds).and_then(|f| f.status), Some(TransactionStatus::Settled));
}

#[test]
fn the_open_detail_is_refreshed_with_its_transactions() {
    let (mut app, _) = started(300);
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    assert!(cmds.iter().any(|c| matches!(c, Cmd::FetchLinkTransactions { link_id, .. } if link_id == "pl_00300")));
    // Answered: the detail shows them, and refreshes them a refresh later.
    for cmd in cmds {
        match cmd {
            Cmd::FetchLinkTransactions { request, link_id } => {
                let result = Ok(page(vec![numbered_txn(9, TransactionStatus::Pending)], 1));
                app.update(Msg::LinkTransactions { request, link_id, result }, t0());
            }
            Cmd::FetchLink { request, id } => {
                let found = Found::Link(crate::test_support::link(&id));
                app.update(Msg::Object { request, result: Ok(found) }, t0());
            }
            _ => {}
        }
    }
    let later = t0() + Duration::seconds(5);
    let cmds = app.update(Msg::Tick, later);
    let Some((request, link_id)) = cmds.iter().find_map(|c| match c {
        Cmd::FetchLinkTransactions { request, link_id } => Some((*request, link_id.clone())),
        _ => None,
    }) else {
        panic!("the detail's transactions were not refreshed: {cmds:?}")
    };
    let result = Ok(page(vec![numbered_txn(9, TransactionStatus::Settled)], 1));
    app.update(Msg::LinkTransactions { request, link_id, result }, later);
    let shown = app.detail().and_then(|d| d.link_transactions.clone()).and_then(Result::ok);
    assert_eq!(shown.map(|p| p.data[0].status.clone()), Some(TransactionStatus::Settled));
}

/// Scrolls the links down to `row` with the keyboard, loading pages as a
/// user's scrolling would.
fn scroll_to(app: &mut App, pik: &FakePik, row: usize) {
    while app.links.list.selected() < row {
        let cmds = key(app, 'j', t0());
        answer_all(app, cmds, pik, t0());
    }
}

#[test]
fn polling_rereads_the_rows_on_screen_below_the_first_page_with_one_extra_request() {
    let (mut app, mut pik) = started(300);
    let view = app.view_height();
    // Inside the first page: the poll is the first page alone.
    scroll_to(&mut app, &pik, 20);
    let cmds = app.update(Msg::Tick, t0() + Duration::seconds(5));
    assert_eq!(fetches(&cmds), [(Polled::Links, 0)], "no extra request inside the first page");
    answer_all(&mut app, cmds, &pik, t0() + Duration::seconds(5));
    // Down on the third page: one extra request, covering the rows on screen.
    scroll_to(&mut app, &pik, 120);
    let (first, end) = app.links.list.on_screen(view).unwrap_or_default();
    assert!(first > 50, "{first}");
    let changed_id = app.links.list.visible_row(first + 2).map(|l| l.id.clone()).unwrap_or_default();
    if let Some(row) = pik.links.iter_mut().find(|l| l.id == changed_id) {
        row.status = LinkStatus::Paid;
    }
    let now = t0() + Duration::seconds(10);
    let cmds = app.update(Msg::Tick, now);
    let links: Vec<&PageRequest> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::FetchPage { page, .. } if page.pane() == Polled::Links => Some(page),
            _ => None,
        })
        .collect();
    assert_eq!(links.len(), 2, "one extra request per refresh: {links:?}");
    let PageRequest::Links { offset, limit, .. } = links[1] else { panic!("{links:?}") };
    assert!(
        *offset as usize <= first && *offset as usize + *limit as usize >= end,
        "{offset}+{limit} vs {first}..{end}"
    );
    answer_all(&mut app, cmds, &pik, now);
    assert_eq!(app.links.list.find(&changed_id).map(|l| l.status.clone()), Some(LinkStatus::Paid));
    assert_eq!(app.mark(Pane::Links, &changed_id), Some(Mark::Changed));
    // Nothing moved: the selection is on the same row.
    assert_eq!(app.links.list.selected(), 120);
    // A re-read still out does not get a second one next time.
    let cmds = app.update(Msg::Tick, now + Duration::seconds(5));
    let first_page = cmds.iter().filter(|c| matches!(c, Cmd::FetchPage { .. })).count();
    assert_eq!(first_page, 2);
    let again = app.update(Msg::Tick, now + Duration::seconds(10));
    assert!(fetches(&again).is_empty(), "nothing while both are out: {again:?}");
}

#[test]
fn hidden_panes_and_webhooks_are_never_reread_by_window() {
    let (mut app, pik) = started(300);
    scroll_to(&mut app, &pik, 120);
    key(&mut app, '2', t0());
    // The links are hidden now: their rare poll is the first page alone.
    let mut seen = Vec::new();
    for step in 1..=40 {
        let now = t0() + Duration::seconds(step);
        let cmds = app.update(Msg::Tick, now);
        seen.extend(fetches(&cmds));
        answer_all(&mut app, cmds, &pik, now);
    }
    assert!(seen.iter().filter(|(p, _)| *p == Polled::Links).all(|(_, offset)| *offset == 0), "{seen:?}");
    assert!(seen.iter().filter(|(p, _)| *p == Polled::Links).count() <= 2);
}

fn mirror_app() -> App {
    App::new(Settings { mirror: Ok(()), ..Settings::default() }, 120, 40, t0())
}

#[test]
fn the_first_frame_comes_from_the_mirror_and_pik_merges_into_it() {
    let mut app = mirror_app();
    let cmds = app.update(Msg::Tick, t0());
    let sources: Vec<Source> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::FetchPage { page, source, .. } if page.pane() == Polled::Links => Some(*source),
            _ => None,
        })
        .collect();
    assert_eq!(sources, [Source::Mirror, Source::Pik], "both at once");
    // The mirror answers first, with an older picture: 3 fewer links.
    let (older, now) = (FakePik::numbered(297), FakePik::numbered(300));
    let mirror_first: Vec<Cmd> =
        cmds.iter().filter(|c| matches!(c, Cmd::FetchPage { source: Source::Mirror, .. })).cloned().collect();
    let pik_later: Vec<Cmd> =
        cmds.iter().filter(|c| matches!(c, Cmd::FetchPage { source: Source::Pik, .. })).cloned().collect();
    answer_all(&mut app, mirror_first, &older, t0());
    assert_eq!(app.links.list.selected_row().map(|l| l.id.as_str()), Some("pl_00297"));
    assert!(app.shows_mirror(Pane::Links));
    answer_all(&mut app, pik_later, &now, t0());
    assert!(!app.shows_mirror(Pane::Links));
    assert_eq!(app.links.list.loaded(), 50 + 3, "merged by id");
    assert_eq!(app.mark(Pane::Links, "pl_00300"), Some(Mark::New), "new since the mirror's picture");
    assert_eq!(app.links.list.selected_row().map(|l| l.id.as_str()), Some("pl_00297"), "the place is kept");
}

#[test]
fn an_empty_mirror_changes_nothing() {
    let mut app = mirror_app();
    let cmds = app.update(Msg::Tick, t0());
    answer_all(&mut app, cmds, &FakePik::default(), t0());
    let mut app = mirror_app();
    let cmds = app.update(Msg::Tick, t0());
    let (mirror, pik): (Vec<Cmd>, Vec<Cmd>) =
        cmds.into_iter().partition(|c| matches!(c, Cmd::FetchPage { source: Source::Mirror, .. }));
    answer_all(&mut app, mirror, &FakePik::default(), t0());
    assert!(!app.shows_mirror(Pane::Links));
    answer_all(&mut app, pik, &FakePik::numbered(300), t0());
    assert_eq!(app.links.list.selected(), 0, "the selection is on the newest row");
    assert_eq!(app.mark(Pane::Links, "pl_00300"), None, "a first load marks nothing");
}

#[test]
fn scrolling_while_pik_is_unreachable_reads_the_mirror() {
    let mut app = mirror_app();
    let cmds = app.update(Msg::Tick, t0());
    let pik = FakePik::numbered(300);
    answer_all(&mut app, cmds, &pik, t0());
    let at = t0() + Duration::seconds(5);
    let cmds = app.update(Msg::Tick, at);
    answer_with(&mut app, cmds, at, |page| {
        if page.pane() == Polled::Links { Err(crate::test_support::unreachable()) } else { Ok(pik.answer(page)) }
    });
    assert!(app.links.poll.unreachable());
    let mut sources = Vec::new();
    while app.links.list.selected() < 45 {
        let cmds = key(&mut app, 'j', at);
        for cmd in &cmds {
            if let Cmd::FetchPage { page, source, .. } = cmd
                && page.pane() == Polled::Links
                && page.offset() > 0
            {
                sources.push(*source);
            }
        }
        answer_all(&mut app, cmds, &pik, at);
    }
    assert_eq!(sources, [Source::Mirror]);
    assert_eq!(app.links.list.loaded(), 100);
    assert!(app.shows_mirror(Pane::Links));
}

#[test]
fn a_range_of_settlement_times_is_read_from_the_mirror_and_refused_without_one() {
    let (mut app, _) = started(300);
    key(&mut app, '2', t0());
    typed(&mut app, ":date settled", t0());
    press(&mut app, input::KeyCode::Enter, t0());
    typed(&mut app, ":from yesterday", t0());
    press(&mut app, input::KeyCode::Enter, t0());
    let refused = app.notice().is_some_and(|n| n.is_error && n.text.contains("settled dates need the mirror"));
    assert!(refused, "{:?}", app.notice());
    assert_eq!(app.transactions.filter.from, None, "nothing changed");
    // With a mirror (in Berlin): the day is asked of it, by settlement time.
    let zone = crate::zone::Zone::bundled("Europe/Berlin").unwrap_or_default();
    let mut app = App::new(Settings { mirror: Ok(()), zone, ..Settings::default() }, 120, 30, t0());
    key(&mut app, '2', t0());
    typed(&mut app, ":date settled", t0());
    press(&mut app, input::KeyCode::Enter, t0());
    typed(&mut app, ":from yesterday", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let asked = cmds.iter().find_map(|c| match c {
        Cmd::Search { query, .. } => Some(query.clone()),
        _ => None,
    });
    let Some(asked) = asked else { panic!("the mirror was not asked: {cmds:?}") };
    // t0 is 2027-01-15 09:00 in Berlin: yesterday began at 23:00 UTC on the 13th.
    let from = asked.settled.and_then(|range| range.from).map(|t| t.to_rfc3339());
    assert_eq!(from.as_deref(), Some("2027-01-13T23:00:00+00:00"));
    assert_eq!((asked.from, asked.to), (None, None), "not a range of creation times");
    assert!(app.transactions_date_words().iter().any(|w| w.contains("settled from 2027-01-14 00:00 CET")));
    // Back to creation times: PIK's pages again.
    typed(&mut app, ":date created", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let page = request_for(&cmds, Polled::Transactions);
    assert!(
        matches!(&page, Some((_, PageRequest::Transactions { filter, .. })) if filter.created_range().0.is_some()),
        "{page:?}"
    );
}
