//! The panes as windows on the mirror: what is read when, by cursor; the
//! new and changed rows and the selection when the mirror changes; what the sync is told;
//! the open detail's refresh.

use super::*;
use crate::api::{LinkStatus, PaymentLink, TransactionStatus};
use crate::store::{Anchor, Batch, Change};
use crate::sync::{MirrorStatus, Progress, Shown};
use crate::test_support::{numbered_link, numbered_txn, page};

/// The id the mirror of `newest` numbered links has at a place, newest first.
fn id_at(newest: u64, place: usize) -> String {
    format!("pl_{:05}", newest - place as u64)
}

fn selected_id(app: &App) -> Option<String> {
    app.links.list.selected_row().map(|row| row.id.clone())
}

/// Presses `c` and answers what it reads.
fn press_read(app: &mut App, mirror: &TestMirror, c: char) -> Vec<Cmd> {
    let cmds = key(app, c, t0());
    let asked = cmds.clone();
    answer_all(app, cmds, mirror, t0());
    asked
}

#[test]
fn startup_reads_every_list_from_the_mirror_and_asks_pik_nothing() {
    let mirror = TestMirror::numbered(300);
    let mut app = app();
    let tabs = app.header_tabs().1;
    assert!(tabs.contains(&" 1 Links … ".to_string()), "nothing known yet is no 0: {tabs:?}");
    let mut cmds = app.update(Msg::Mirror(up_to_date_at(t0())), t0());
    cmds.extend(app.update(Msg::Tick, t0()));
    assert!(
        cmds.iter().all(|c| matches!(c, Cmd::List { .. } | Cmd::Focus(_) | Cmd::Overview { .. })),
        "the mirror is read and the sync told; PIK is asked nothing: {cmds:?}"
    );
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.links.list.loaded(), window::WINDOW as usize, "a window, not the list");
    assert_eq!(app.links.list.total(), Some(300));
    let tabs = app.header_tabs().1;
    assert!(
        tabs.contains(&" 1 Links 300 ".to_string()) && tabs.contains(&" 2 Transactions 3 ".to_string()),
        "{tabs:?}"
    );
    assert!(tabs.contains(&" 3 Webhooks 2 ".to_string()), "{tabs:?}");
}

#[test]
fn g_and_end_reach_the_ends_of_the_list_in_one_press() {
    let (mut app, mirror) = started(643);
    let asked = press_read(&mut app, &mirror, 'G');
    assert!(matches!(window_ask(&asked, Kinds::Links).map(|a| a.anchor), Some(Anchor::Last)), "{asked:?}");
    assert_eq!(app.links.list.selected(), 642);
    assert_eq!(selected_id(&app).as_deref(), Some("pl_00001"), "the last row of the list, not of a page");
    press_read(&mut app, &mirror, 'g');
    assert_eq!((app.links.list.selected(), selected_id(&app).as_deref()), (0, Some("pl_00643")));
}

#[test]
fn scrolling_reads_windows_by_cursor_and_each_row_is_at_its_place() {
    let (mut app, mirror) = started(643);
    let mut anchors = Vec::new();
    for place in 1..=420 {
        let asked = press_read(&mut app, &mirror, 'j');
        anchors.extend(window_ask(&asked, Kinds::Links).map(|ask| ask.anchor));
        assert_eq!(selected_id(&app), Some(id_at(643, place)), "at row {place}");
        assert!(app.links.list.loaded() <= window::WINDOW as usize);
    }
    assert!(!anchors.is_empty() && anchors.iter().all(|a| matches!(a, Anchor::From(_))), "{anchors:?}");
    // And back up, by cursor again.
    let mut up = Vec::new();
    for place in (0..420).rev() {
        let asked = press_read(&mut app, &mirror, 'k');
        up.extend(window_ask(&asked, Kinds::Links).map(|ask| ask.anchor));
        assert_eq!(selected_id(&app), Some(id_at(643, place)), "at row {place}");
    }
    assert!(up.iter().any(|a| matches!(a, Anchor::UpTo(_) | Anchor::First)), "{up:?}");
}

#[test]
fn a_change_in_the_mirror_is_read_again_marked_and_the_selection_stays() {
    let (mut app, mirror) = started(300);
    for _ in 0..5 {
        key(&mut app, 'j', t0());
    }
    let selected = selected_id(&app);
    let mut links: Vec<PaymentLink> = (301..=303).map(|n| numbered_link(n, LinkStatus::Active)).collect();
    links.push(numbered_link(298, LinkStatus::Paid));
    let change = mirror.save(Batch { links, ..Batch::default() });
    assert!(change.links);
    let later = t0() + Duration::seconds(1);
    let cmds = app.update(Msg::StoreChanged(change), later);
    assert!(window_ask(&cmds, Kinds::Links).is_some(), "the visible list is read at once");
    answer_all(&mut app, cmds, &mirror, later);
    assert_eq!(selected_id(&app), selected, "the selection stays on its row");
    assert_eq!(app.news(Pane::Links, "pl_00303"), Some(News::New));
    assert_eq!(app.news(Pane::Links, "pl_00298"), Some(News::Changed));
    assert_eq!(app.news(Pane::Links, "pl_00297"), None);
    assert_eq!(app.links.list.total(), Some(303));
    app.update(Msg::Tick, later + Duration::seconds(NEWS_TTL_SECS));
    assert_eq!(app.news(Pane::Links, "pl_00303"), None, "news fade");
}

#[test]
fn new_rows_above_a_selection_at_the_top_keep_it_on_its_item() {
    let (mut app, mirror) = started(300);
    press(&mut app, input::KeyCode::Enter, t0());
    let change = mirror.save(Batch { links: vec![numbered_link(301, LinkStatus::Active)], ..Batch::default() });
    let cmds = app.update(Msg::StoreChanged(change), t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(selected_id(&app).as_deref(), Some("pl_00300"));
    assert_eq!(app.detail().map(|d| d.id.as_str()), Some("pl_00300"));
    assert_eq!(app.links.list.scroll(), 0, "the new row shows above");
}

#[test]
fn a_list_not_looked_at_yet_shows_its_newest_row_first() {
    let (mut app, mirror) = started(300);
    // Payments arrive while the Transactions pane is hidden.
    let newer: Vec<_> = (4..=8).map(|n| numbered_txn(n, TransactionStatus::Pending)).collect();
    let change = mirror.save(Batch { transactions: newer, ..Batch::default() });
    let later = t0() + app.settings.refresh;
    let mut cmds = app.update(Msg::StoreChanged(change), later);
    cmds.extend(app.update(Msg::Tick, later));
    answer_all(&mut app, cmds, &mirror, later);
    key(&mut app, '2', later);
    let first = app.transactions.list.selected_row().map(|t| t.id.clone());
    assert_eq!(first.as_deref(), Some("txn_00008"), "not the row that was first before they came");
}

#[test]
fn an_idle_dashboard_reads_nothing_and_tells_the_sync_nothing_new() {
    let (mut app, mirror) = started(300);
    let mut asked = Vec::new();
    for step in 1..=120 {
        let now = t0() + Duration::milliseconds(500 * step);
        let cmds = app.update(Msg::Tick, now);
        asked.extend(cmds.iter().filter(|c| matches!(c, Cmd::List { .. } | Cmd::Focus(_))).cloned());
        answer_all(&mut app, cmds, &mirror, now);
    }
    assert!(asked.is_empty(), "nothing changed, nothing is read: {asked:?}");
}

#[test]
fn a_hidden_list_reads_its_changes_at_most_every_refresh() {
    let (mut app, mirror) = started(300);
    let change =
        mirror.save(Batch { transactions: vec![numbered_txn(4, TransactionStatus::Pending)], ..Batch::default() });
    let soon = t0() + Duration::seconds(1);
    let cmds = app.update(Msg::StoreChanged(change), soon);
    assert!(window_ask(&cmds, Kinds::Transactions).is_none(), "hidden: not at once");
    let later = t0() + app.settings.refresh;
    let cmds = app.update(Msg::Tick, later);
    assert!(window_ask(&cmds, Kinds::Transactions).is_some(), "within a refresh: {cmds:?}");
    answer_all(&mut app, cmds, &mirror, later);
    assert!(app.header_tabs().1.contains(&" 2 Transactions 4 ".to_string()));
}

#[test]
fn pause_keeps_the_rows_on_screen_as_they_are() {
    let (mut app, mirror) = started(300);
    key(&mut app, 'p', t0());
    let change = mirror.save(Batch { links: vec![numbered_link(301, LinkStatus::Active)], ..Batch::default() });
    let cmds = app.update(Msg::StoreChanged(change), t0());
    assert!(window_ask(&cmds, Kinds::Links).is_none(), "paused: {cmds:?}");
    let cmds = key(&mut app, 'p', t0());
    assert!(window_ask(&cmds, Kinds::Links).is_some(), "resumed: read at once");
}

#[test]
fn a_failed_read_is_tried_again_in_a_moment_not_in_a_loop() {
    let mut app = app();
    let cmds = app.update(Msg::Tick, t0());
    for cmd in cmds {
        if let Cmd::List { request, .. } = cmd {
            let cmds = app.update(Msg::Listed { request, result: Err("disk I/O error".into()) }, t0());
            assert!(reads(&cmds).is_empty(), "no read loop: {cmds:?}");
        }
    }
    assert_eq!(app.links.list.error.as_deref(), Some("disk I/O error"));
    assert!(reads(&app.update(Msg::Tick, t0() + Duration::seconds(1))).is_empty());
    let cmds = app.update(Msg::Tick, t0() + Duration::seconds(2));
    assert!(window_ask(&cmds, Kinds::Links).is_some(), "{cmds:?}");
}

#[test]
fn a_settled_transaction_rings_the_bell_when_asked() {
    let mut app = App::new(Settings { bell: true, ..Settings::default() }, 120, 40, t0());
    let cmds = app.update(Msg::Changes(vec![numbered_txn(3, TransactionStatus::Settled)]), t0());
    assert!(cmds.contains(&Cmd::Bell));
    let cmds = app.update(Msg::Changes(vec![numbered_txn(3, TransactionStatus::Settled)]), t0());
    assert!(!cmds.contains(&Cmd::Bell), "each event once");
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
fn the_status_filter_cycles_and_is_a_question_for_the_mirror() {
    let (mut app, mirror) = started(300);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let cmds = key(&mut app, 's', t0());
        let Some(ask) = window_ask(&cmds, Kinds::Links) else { panic!("no read: {cmds:?}") };
        assert_eq!(ask.anchor, Anchor::First, "a new filter reads from the top");
        statuses.push(ask.query.filter.status.clone());
        answer_all(&mut app, cmds, &mirror, t0());
    }
    let names = ["active", "paid", "expired", "deactivated"].map(|s| Some(s.to_string()));
    assert_eq!(statuses[..4], names, "then all: {statuses:?}");
    assert_eq!(statuses[4], None);
    // A late answer to a read made before the filter changed falls on the floor.
    let stale = Msg::Listed { request: 1, result: Err("late".into()) };
    app.update(stale, t0());
    assert_eq!(app.links.list.error, None);
}

#[test]
fn transaction_filters_currency_link_and_dates() {
    let (mut app, _) = started(300);
    key(&mut app, '2', t0());
    let cmds = key(&mut app, 'c', t0());
    let filter = |cmds: &[Cmd]| window_ask(cmds, Kinds::Transactions).map(|ask| ask.query.filter);
    assert_eq!(filter(&cmds).and_then(|f| f.currency).as_deref(), Some("USDT"));
    typed(&mut app, ":from 2024-01-15", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some(query) = filter(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(query.from.map(|t| t.to_rfc3339()).as_deref(), Some("2024-01-15T00:00:00+00:00"));
    assert_eq!(query.currency.as_deref(), Some("USDT"), "filters combine");
    typed(&mut app, ":to 2024-01-16", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let to = filter(&cmds).and_then(|f| f.to);
    assert_eq!(to.map(|t| t.to_rfc3339()).as_deref(), Some("2024-01-16T23:59:59+00:00"), "a date means the whole day");
    // The same dates by settlement time: the mirror reads them by that time.
    typed(&mut app, ":date settled", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some(query) = filter(&cmds) else { panic!("{cmds:?}") };
    assert_eq!((query.from, query.to), (None, None));
    assert!(query.settled.is_some_and(|r| r.from.is_some() && r.to.is_some()), "{query:?}");
    // From the links pane, `t` shows one link's transactions.
    key(&mut app, '1', t0());
    let cmds = key(&mut app, 't', t0());
    assert_eq!(app.pane(), Pane::Transactions);
    assert_eq!(filter(&cmds).and_then(|f| f.link).as_deref(), Some("pl_00300"));
    // A bad date is refused with a note, and nothing is read.
    typed(&mut app, ":from someday", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    assert!(reads(&cmds).is_empty());
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.contains("2026-11-29, 2026-11, today, yesterday")));
    // A status that is not one of the pane's is refused.
    typed(&mut app, ":status paid", t0());
    press(&mut app, input::KeyCode::Enter, t0());
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.contains("settled")), "{:?}", app.notice());
    typed(&mut app, ":status settled", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    assert_eq!(filter(&cmds).and_then(|f| f.status).as_deref(), Some("settled"));
}

#[test]
fn the_open_detail_is_refreshed_from_pik_with_its_transactions() {
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

#[test]
fn a_webhooks_read_that_fails_is_tried_again_in_a_moment_not_in_a_loop() {
    let (mut app, _) = started(300);
    key(&mut app, '3', t0());
    let hooks_read = |cmds: &[Cmd]| {
        cmds.iter().find_map(|c| match c {
            Cmd::List { request, ask: ListAsk::Webhooks } => Some(*request),
            _ => None,
        })
    };
    let change = Change { webhooks: true, ..Change::default() };
    let cmds = app.update(Msg::StoreChanged(change), t0());
    let Some(request) = hooks_read(&cmds) else { panic!("the shown webhooks are read again: {cmds:?}") };
    let cmds = app.update(Msg::Listed { request, result: Err("disk I/O error".into()) }, t0());
    assert_eq!(hooks_read(&cmds), None, "read again at once: {cmds:?}");
    assert_eq!(hooks_read(&app.update(Msg::Tick, t0() + Duration::seconds(1))), None);
    assert!(hooks_read(&app.update(Msg::Tick, t0() + Duration::seconds(2))).is_some(), "tried again");
}

#[test]
fn the_sync_is_told_what_is_on_screen() {
    let mirror = TestMirror::numbered(300);
    let mut app = app();
    let cmds = app.update(Msg::Tick, t0());
    let Some(focus) = focus_of(&cmds) else { panic!("{cmds:?}") };
    assert_eq!((focus.shown, focus.on_screen.len()), (Some(Shown::Links), 0), "the top: the sync reads it anyway");
    answer_all(&mut app, cmds, &mirror, t0());
    // Scrolled past the newest rows: the unfinished ones on screen are named.
    let mut focus = None;
    for _ in 0..120 {
        let cmds = key(&mut app, 'j', t0());
        focus = focus_of(&cmds).or(focus);
        answer_all(&mut app, cmds, &mirror, t0());
    }
    let Some(focus) = focus else { panic!("not told") };
    assert_eq!(focus.on_screen.len(), app.view_height(), "every active link on screen");
    assert!(focus.on_screen.iter().any(|row| row.id == "pl_00181"), "{:?}", focus.on_screen);
    // Another pane, and a refresh asked for.
    let cmds = key(&mut app, '2', t0());
    assert_eq!(focus_of(&cmds).and_then(|f| f.shown), Some(Shown::Transactions));
    let cmds = key(&mut app, 'r', t0());
    assert_eq!(focus_of(&cmds).map(|f| f.asked), Some(1));
}

#[test]
fn freshness_and_trouble_come_from_the_sync_alone() {
    assert_eq!(app().data_age(), None, "nothing heard from the sync yet");
    let (mut app, _) = started(300);
    let heard =
        MirrorStatus { pik: crate::sync::Health { ok_at: Some(t0()), trouble: None }, ..MirrorStatus::default() };
    app.update(Msg::Mirror(heard.clone()), t0());
    assert_eq!(app.data_age().as_deref(), Some("just now"));
    app.update(Msg::Tick, t0() + Duration::seconds(16));
    assert!(app.is_stale(), "older than three refreshes");
    let trouble = crate::sync::Trouble {
        summary: "PIK unreachable".into(),
        unreachable: true,
        status: None,
        retry_at: t0() + Duration::seconds(30),
    };
    let failing = MirrorStatus { pik: crate::sync::Health { trouble: Some(trouble), ..heard.pik }, ..heard };
    app.update(Msg::Mirror(failing), t0() + Duration::seconds(120));
    assert!(app.trouble().is_some_and(|t| t.unreachable));
    assert_eq!(app.data_age().as_deref(), Some("2 min ago"), "the rows stay, with their age");
    assert_eq!(app.links.list.loaded(), window::WINDOW as usize);
}

#[test]
fn a_count_read_before_the_mirror_filled_is_not_shown_as_a_zero() {
    // The lists are read while the mirror is empty and the backfill runs.
    let mirror = TestMirror::new();
    let mut app = app();
    let tab = |app: &App| app.header_tabs().1.into_iter().find(|t| t.starts_with(" 2 ")).unwrap_or_default();
    let partial = MirrorStatus {
        transactions: Progress { done: 0, total: Some(1_000), complete: false },
        links: Progress { done: 0, total: Some(300), complete: false },
        ..up_to_date_at(t0())
    };
    let mut cmds = app.update(Msg::Mirror(partial.clone()), t0());
    cmds.extend(app.update(Msg::Tick, t0()));
    answer_all(&mut app, cmds, &mirror, t0());
    assert!(tab(&app).ends_with(" 1,000 "), "PIK's count meanwhile: {}", tab(&app));
    // The backfill ends: the store changed, and the mirror holds it all.
    let rows: Vec<_> = (1..=1_000).map(|n| numbered_txn(n, TransactionStatus::Settled)).collect();
    let change = mirror.save(Batch { transactions: rows, ..Batch::default() });
    let whole = MirrorStatus {
        transactions: Progress { done: 1_000, total: Some(1_000), complete: true },
        links: Progress { done: 0, total: Some(300), complete: false },
        ..partial
    };
    let later = t0() + Duration::seconds(1);
    let mut cmds = app.update(Msg::StoreChanged(change), later);
    cmds.extend(app.update(Msg::Mirror(whole), later));
    assert!(!tab(&app).ends_with(" 0 "), "a 0 read before the rows came: {}", tab(&app));
    // The hidden list is read again at once, not a refresh later.
    answer_all(&mut app, cmds, &mirror, later);
    assert!(tab(&app).ends_with(" 1,000 "), "{}", tab(&app));
}

#[test]
fn while_paused_pik_s_count_stays_as_it_was_too() {
    // A mirror of part of the links, PIK's count on screen.
    let mirror = TestMirror::numbered(300);
    let mut app = app();
    let partial = |total| MirrorStatus {
        links: Progress { done: 300, total: Some(total), complete: false },
        ..up_to_date_at(t0())
    };
    let mut cmds = app.update(Msg::Mirror(partial(1_000)), t0());
    cmds.extend(app.update(Msg::Tick, t0()));
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.pik_count(Pane::Links), Some(1_000));
    key(&mut app, 'p', t0());
    app.update(Msg::Mirror(partial(1_040)), t0() + Duration::seconds(5));
    assert_eq!(app.pik_count(Pane::Links), Some(1_000), "paused: the count on screen stays");
    key(&mut app, 'p', t0() + Duration::seconds(6));
    assert_eq!(app.pik_count(Pane::Links), Some(1_040), "resumed");
}

#[test]
fn a_window_that_comes_back_empty_with_rows_beyond_it_reads_the_top_and_never_panics() {
    use crate::app::list::ListOps;
    use crate::app::window::{ListWindow, Wanted};
    use crate::store::Window;
    // Found by the property test: a window read past rows that had gone
    // (first row 39, none held) computed a range whose end was before its start.
    let mut list: ListWindow<PaymentLink> = ListWindow::new();
    let first = Wanted { anchor: Anchor::First, count: true };
    list.begin(1, &first, 0);
    let window = Window {
        rows: vec![],
        total: Some(60),
        before: Some(39),
        more_before: true,
        more_after: true,
        held: None,
        about: Default::default(),
    };
    list.apply(1, window, 20, t0());
    list.select(30, 20);
    assert!(list.scroll() > 0, "scrolled");
    let wanted = list.wanted(20, true, t0());
    assert!(matches!(wanted, Some((Wanted { anchor: Anchor::First, .. }, 0))), "{wanted:?}");
}
