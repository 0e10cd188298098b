//! The Overview pane and alerts: what is asked of the mirror, the keys,
//! Enter on what needs attention, news versus history, each alert once.

use super::*;
use crate::api::TransactionStatus;
use crate::store::{OverviewQuery, Step};
use crate::sync::{MirrorStatus, Phase};
use crate::test_support::{alert_entry, answer_overview, dec, overview_fixture, txn};
use alerts::AlertRule;

pub(super) fn settings(rules: &[&[(&str, &str)]]) -> Settings {
    let alerts =
        rules.iter().map(|rule| AlertRule::parse(&alert_entry(1, rule)).unwrap_or_else(|e| panic!("{e}"))).collect();
    let zone = crate::zone::Zone::bundled("Europe/Berlin").unwrap_or_default();
    Settings { zone, alerts, ..Settings::default() }
}

fn up_to_date() -> Msg {
    Msg::Mirror(MirrorStatus { phase: Phase::UpToDate, synced_at: Some(t0()), ..MirrorStatus::default() })
}

pub(super) fn overview_query(cmds: &[Cmd]) -> Option<OverviewQuery> {
    cmds.iter().find_map(|c| match c {
        Cmd::Overview { query, .. } => Some(query.clone()),
        _ => None,
    })
}

/// The app on the Overview with the fixture's figures, its mirror up to date.
pub(super) fn on_overview(settings: Settings) -> App {
    let mut app = App::new(settings, 120, 40, t0());
    app.update(up_to_date(), t0());
    let cmds = key(&mut app, '0', t0());
    let fixture = overview_fixture(app.overview_query().from, t0());
    answer_overview(&mut app, cmds, &fixture, t0());
    app
}

#[test]
fn the_overview_asks_for_local_days_and_its_keys_change_the_question() {
    let mut app = App::new(settings(&[]), 120, 40, t0());
    let cmds = app.update(up_to_date(), t0());
    let Some(today) = overview_query(&cmds) else { panic!("asked for nothing: {cmds:?}") };
    // t0 is 2027-01-15 08:00 UTC: 09:00 in Berlin (UTC+1), whose day began at 23:00 UTC.
    assert_eq!(
        (today.from.to_rfc3339(), today.to - today.from),
        ("2027-01-14T23:00:00+00:00".into(), Duration::days(1))
    );
    assert_eq!(today.step, Step::Hour);
    assert!(today.from <= today.now && today.now < today.to);
    let fixture = overview_fixture(today.from, t0());
    answer_overview(&mut app, cmds, &fixture, t0());
    key(&mut app, '0', t0());
    assert_eq!(app.pane(), Pane::Overview);
    let yesterday = overview_query(&key(&mut app, ']', t0()));
    assert_eq!(
        yesterday.map(|q| (q.from.to_rfc3339(), q.to.to_rfc3339(), q.step, q.bars.len())),
        Some(("2027-01-13T23:00:00+00:00".into(), "2027-01-14T23:00:00+00:00".into(), Step::Hour, 24)),
        "yesterday: the whole of the local day before, a bar an hour"
    );
    let week = overview_query(&key(&mut app, ']', t0()));
    assert!(week.as_ref().is_some_and(|q| q.step == Step::Day && q.to - q.from == Duration::days(7)), "{week:?}");
    let month = overview_query(&key(&mut app, ']', t0()));
    assert!(month.is_some_and(|q| q.to - q.from == Duration::days(30)));
    let back_to_week = overview_query(&key(&mut app, '[', t0()));
    assert!(back_to_week.is_some_and(|q| q.to - q.from == Duration::days(7)));
    // ←/→ pick the chart's currency among those with figures (the answer
    // for 7 days has not come: the figures shown are still the fixture's).
    let next = overview_query(&press(&mut app, input::KeyCode::Right, t0()));
    assert_eq!(next.and_then(|q| q.chart_currency), Some("BTC".into()), "after USDT comes BTC again");
    let previous = overview_query(&press(&mut app, input::KeyCode::Left, t0()));
    assert_eq!(previous.and_then(|q| q.chart_currency), Some("USDC".into()));
}

#[test]
fn it_is_asked_for_often_while_shown_and_rarely_while_hidden() {
    let mut app = on_overview(settings(&[]));
    let at = |secs| t0() + Duration::seconds(secs);
    let fixture = overview_fixture(app.overview_query().from, t0());
    assert!(overview_query(&app.update(Msg::Tick, at(4))).is_none());
    let cmds = app.update(Msg::Tick, at(5));
    assert!(overview_query(&cmds).is_some(), "every refresh");
    answer_overview(&mut app, cmds, &fixture, at(5));
    key(&mut app, '1', at(6));
    // Hidden: once when it was due, then every five minutes.
    let cmds = app.update(Msg::Tick, at(20));
    answer_overview(&mut app, cmds, &fixture, at(20));
    assert!(overview_query(&app.update(Msg::Tick, at(200))).is_none(), "hidden: not every refresh");
    let cmds = app.update(Msg::Tick, at(320));
    assert!(overview_query(&cmds).is_some(), "hidden: every five minutes");
    answer_overview(&mut app, cmds, &fixture, at(320));
    // News from the sync: at once.
    let cmds = app.update(Msg::Changes(vec![txn("txn_moved")]), at(330));
    assert!(overview_query(&cmds).is_some(), "news: at once");
}

#[test]
fn enter_on_what_needs_attention_opens_it() {
    let mut app = on_overview(settings(&[]));
    assert_eq!(app.list(Pane::Overview).total(), Some(7), "six cases and a disabled webhook");
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    assert!(matches!(app.mode(), Mode::Case(view) if view.link_id == "pl_twice00001"), "the case view");
    assert!(cmds.iter().any(|c| matches!(c, Cmd::ReadOrder { link_id, .. } if link_id == "pl_twice00001")), "read");
    press(&mut app, input::KeyCode::Esc, t0());
    assert!(matches!(app.mode(), Mode::Normal) && !app.detail_open());
    key(&mut app, 'G', t0());
    press(&mut app, input::KeyCode::Enter, t0());
    assert!(app.detail().is_some_and(|d| d.kind == DetailKind::Webhook && d.id == "wh_old000"));
    press(&mut app, input::KeyCode::Esc, t0());
    // A refusal of the local listener joins the list, and Enter says what it means.
    app.update(Msg::Refused("the signature does not match".into()), t0());
    key(&mut app, 'G', t0());
    press(&mut app, input::KeyCode::Enter, t0());
    assert!(!app.detail_open());
    assert!(app.notice().is_some_and(|n| n.text.contains("the signature does not match")), "{:?}", app.notice());
}

#[test]
fn items_found_before_the_mirror_is_up_to_date_are_history_not_news() {
    let rules: &[&[(&str, &str)]] = &[&[("when", "attention"), ("notify", "osc9")]];
    let mut app = App::new(settings(rules), 120, 40, t0());
    let backfilling = MirrorStatus {
        phase: Phase::Backfilling { of: crate::sync::Of::Transactions, eta: None },
        ..MirrorStatus::default()
    };
    let cmds = app.update(Msg::Mirror(backfilling), t0());
    let from = app.overview_query().from;
    let mut fixture = overview_fixture(from, t0());
    let last = fixture.cases.pop();
    let cmds = answer_overview(&mut app, cmds, &fixture, t0());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Notify { .. })));
    // The backfill finds more; still history: nothing marked, nothing fired.
    if let Some(last) = last {
        fixture.cases.push(last);
    }
    let later = t0() + Duration::seconds(31);
    let asked = app.update(Msg::Tick, later);
    let cmds = answer_overview(&mut app, asked, &fixture, later);
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Notify { .. })), "{cmds:?}");
    assert_eq!(app.news(Pane::Overview, "wh_old000"), None);
    // Up to date: that picture is the baseline; what comes after is news, once.
    let asked = app.update(up_to_date(), later);
    let cmds = answer_overview(&mut app, asked, &fixture, later);
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Notify { .. })));
    let Some(mut stuck) = fixture.cases.first().cloned() else { panic!("a case in the fixture") };
    stuck.link_id = "pl_newlystuck".into();
    stuck.kind = crate::cases::CaseKind::StuckPending;
    fixture.cases.insert(0, stuck);
    let news = t0() + Duration::seconds(62);
    let asked = app.update(Msg::Tick, news);
    let cmds = answer_overview(&mut app, asked, &fixture, news);
    let notified: Vec<&Cmd> = cmds.iter().filter(|c| matches!(c, Cmd::Notify { .. })).collect();
    assert_eq!(notified.len(), 1, "{cmds:?}");
    assert!(matches!(notified[0], Cmd::Notify { how: Notify::Osc9, text } if text.contains("pl_newlystuck")));
    assert_eq!(app.news(Pane::Overview, "pl_newlystuck"), Some(News::New));
    assert!(app.alert().is_some_and(|a| a.text.contains("new case: stuck pending")));
    let again = t0() + Duration::seconds(93);
    let asked = app.update(Msg::Tick, again);
    let cmds = answer_overview(&mut app, asked, &fixture, again);
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Notify { .. })), "once per event");
}

#[test]
fn the_syncs_live_changes_fire_matching_rules_once() {
    let rules: &[&[(&str, &str)]] = &[
        &[("when", "settled"), ("currency", "USDT"), ("min_amount", "1000"), ("bell", "")],
        &[("when", "failed"), ("notify", "osc777")],
    ];
    let mut app = App::new(settings(rules), 120, 40, t0());
    let settled =
        |id: &str, amount: &str| Transaction { status: TransactionStatus::Settled, amount: dec(amount), ..txn(id) };
    let failed = Transaction { status: TransactionStatus::Failed, ..txn("txn_f") };
    let cmds = app.update(Msg::Changes(vec![settled("txn_small", "999.99"), settled("txn_big", "1000"), failed]), t0());
    assert_eq!(cmds.iter().filter(|c| **c == Cmd::Bell).count(), 1);
    assert_eq!(cmds.iter().filter(|c| matches!(c, Cmd::Notify { how: Notify::Osc777, .. })).count(), 1);
    let again = app.update(Msg::Changes(vec![settled("txn_big", "1000")]), t0());
    assert!(!again.contains(&Cmd::Bell), "the same event seen again");
}

/// The sync reports after every request: the screen is redrawn only for
/// what it shows, never for a time that changes no age on it.
#[test]
fn the_same_mirror_status_again_does_not_redraw_and_a_new_one_does() {
    let mut app = App::new(settings(&[]), 120, 40, t0());
    app.update(up_to_date(), t0());
    assert!(app.take_dirty(), "the first status is news");
    app.update(up_to_date(), t0());
    assert!(!app.take_dirty(), "the same status again is not");
    let at = |seconds: i64| MirrorStatus {
        phase: Phase::UpToDate,
        synced_at: Some(t0() + Duration::seconds(seconds)),
        pik: crate::sync::Health { ok_at: Some(t0() + Duration::seconds(seconds)), trouble: None },
        ..MirrorStatus::default()
    };
    app.update(Msg::Mirror(at(3)), t0() + Duration::seconds(3));
    assert!(!app.take_dirty(), "PIK answered again: still updated just now");
    app.update(Msg::Tick, t0() + Duration::seconds(40));
    assert!(app.take_dirty(), "the age shown moved on");
    app.update(Msg::Mirror(at(40)), t0() + Duration::seconds(40));
    assert!(app.take_dirty(), "a newer sync time, shown as just now again");
    let failing = MirrorStatus { phase: Phase::Failing("PIK unreachable".into()), ..at(40) };
    app.update(Msg::Mirror(failing), t0() + Duration::seconds(40));
    assert!(app.take_dirty(), "a new phase is news");
}

/// The ages in the rows, the detail and the cases count in tens of
/// seconds: the screen is redrawn as they move, though nothing else did.
#[test]
fn the_ages_on_screen_are_redrawn_as_they_move_and_no_more() {
    let mut app = App::new(settings(&[]), 120, 40, t0());
    app.update(Msg::Tick, t0());
    app.take_dirty();
    app.update(Msg::Tick, t0() + Duration::seconds(1));
    assert!(!app.take_dirty(), "no age on screen moved in a second");
    app.update(Msg::Tick, t0() + Duration::seconds(10));
    assert!(app.take_dirty(), "a row's age moved on");
}

#[test]
fn enter_on_a_case_tells_its_story_and_b_fills_a_balance_link_with_what_is_missing() {
    use crate::api::{LinkStatus, PaymentLink};
    use crate::cases::Order;
    use crate::test_support::link;
    let mut app = on_overview(settings(&[]));
    key(&mut app, 'j', t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let asked = cmds.iter().find_map(|c| match c {
        Cmd::ReadOrder { request, link_id } => Some((*request, link_id.clone())),
        _ => None,
    });
    let Some((request, link_id)) = asked else { panic!("the order is read from the mirror: {cmds:?}") };
    assert_eq!(link_id, "pl_short00001");
    assert!(matches!(app.mode(), Mode::Case(_)));
    let order = crate::test_support::underpaid_order(&link_id);
    let order_again = order.clone();
    app.update(Msg::OrderRead { request, result: Ok(Box::new(order)) }, t0());
    let Mode::Case(view) = app.mode() else { panic!("the case view") };
    let step = view.next_step(&app).unwrap_or_default();
    assert!(step.starts_with("Customer sent 74.10 of 75.00 USDT: 0.90 missing."), "{step}");
    // c: the reply to the customer, shown and copied.
    let cmds = key(&mut app, 'c', t0());
    let copied = cmds.iter().find_map(|c| match c {
        Cmd::Copy(text) => Some(text.clone()),
        _ => None,
    });
    assert!(copied.as_deref().is_some_and(|t| t.contains("so 0.90 USDT is still missing")), "{copied:?}");
    assert!(matches!(app.mode(), Mode::Case(view) if view.reply == copied), "shown where it was made");
    // ...and written in the audit log by this agent; once there, the story is read again to show it.
    let recorded = cmds.iter().find_map(|c| match c {
        Cmd::Record(act) => Some(act.clone()),
        _ => None,
    });
    let Some(act) = recorded else { panic!("the copy is recorded: {cmds:?}") };
    assert_eq!(
        (act.agent.as_str(), act.act.as_str(), act.subject.as_deref(), act.detail.as_str(), act.at),
        ("agent@desk", "copied the reply", Some("pl_short00001"), "underpaid reply", t0())
    );
    let cmds = app.update(Msg::Recorded { subject: act.subject.clone(), result: Ok(()) }, t0());
    assert!(cmds.iter().any(|c| matches!(c, Cmd::ReadOrder { link_id, .. } if link_id == "pl_short00001")), "{cmds:?}");
    let cmds = app.update(Msg::Recorded { subject: act.subject.clone(), result: Err("disk full".into()) }, t0());
    assert!(cmds.is_empty(), "nothing retried");
    let said = app.notice().map(|n| (n.is_error, n.text.clone()));
    assert_eq!(said, Some((true, "not written to the audit log: disk full".into())));
    // b: the new-link form, filled in with exactly what is missing.
    key(&mut app, 'b', t0());
    let Mode::NewLink(form) = app.mode() else { panic!("the new-link form") };
    assert_eq!(form.amount.value(), "0.90");
    assert_eq!(form.currency(), "USDT");
    assert_eq!(form.description.value(), "Balance for Order #1234 (pl_short00001)");
    // With a balance link open already, b says so and makes no second one.
    press(&mut app, input::KeyCode::Esc, t0());
    key(&mut app, 'y', t0()); // discard what was filled in
    assert!(matches!(app.mode(), Mode::Normal), "the form closed, nothing sent");
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some(request) = cmds.iter().find_map(|c| match c {
        Cmd::ReadOrder { request, .. } => Some(*request),
        _ => None,
    }) else {
        panic!("read again: {cmds:?}")
    };
    let open = PaymentLink { status: LinkStatus::Active, ..link("pl_balance01") };
    let order = Order { balance_links: vec![open], ..order_again };
    app.update(Msg::OrderRead { request, result: Ok(Box::new(order)) }, t0());
    key(&mut app, 'b', t0());
    assert!(matches!(app.mode(), Mode::Case(_)), "no form");
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.contains("pl_balance01")), "{:?}", app.notice());
}

#[test]
fn from_a_payment_one_key_to_its_case_and_one_to_its_link() {
    let mirror = crate::test_support::TestMirror::holding(
        vec![crate::test_support::link("pl_order")],
        vec![Transaction { payment_link_id: Some("pl_order".into()), ..txn("txn_on_order") }],
        vec![],
    );
    let mut app = crate::test_support::loaded_app(settings(&[]), 120, 40, &mirror);
    key(&mut app, '2', t0());
    let cmds = key(&mut app, 'C', t0());
    assert!(cmds.iter().any(|c| matches!(c, Cmd::ReadOrder { link_id, .. } if link_id == "pl_order")), "{cmds:?}");
    press(&mut app, input::KeyCode::Esc, t0());
    assert!(matches!(app.mode(), Mode::Normal));
    let cmds = key(&mut app, 'L', t0());
    assert!(app.detail().is_some_and(|d| d.kind == DetailKind::Link && d.id == "pl_order"), "{cmds:?}");
}

#[test]
fn a_payment_s_detail_shows_the_order_it_pays() {
    use crate::api::PaymentLink;
    use crate::test_support::{dec, link};
    let order = PaymentLink { amount: dec("75.00"), description: Some("Order #1234".into()), ..link("pl_order") };
    let paid = Transaction {
        payment_link_id: Some("pl_order".into()),
        amount: dec("74.10"),
        status: TransactionStatus::Settled,
        ..txn("txn_short")
    };
    let mirror = crate::test_support::TestMirror::holding(vec![order], vec![paid], vec![]);
    let mut app = crate::test_support::loaded_app(settings(&[]), 120, 40, &mirror);
    key(&mut app, '2', t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let mut cmds = cmds;
    cmds.extend(app.update(Msg::Tick, t0() + Duration::seconds(1)));
    crate::test_support::answer_all(&mut app, cmds, &mirror, t0() + Duration::seconds(1));
    let shown = app.detail().and_then(|d| d.order.as_ref()).and_then(|o| o.link.as_ref()).map(|l| l.amount);
    assert_eq!(shown, Some(dec("75.00")), "the link's amount beside the payment's");
}

#[test]
fn a_case_whose_link_is_not_mirrored_fetches_it_by_id_and_links_each_hash_to_its_explorer() {
    use crate::cases::Order;
    use crate::test_support::{dec, link, refusal};
    let mut app = on_overview(settings(&[]));
    key(&mut app, 'j', t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some((request, link_id)) = cmds.iter().find_map(|c| match c {
        Cmd::ReadOrder { request, link_id } => Some((*request, link_id.clone())),
        _ => None,
    }) else {
        panic!("{cmds:?}")
    };
    let hash = format!("0x{}", "ab".repeat(32));
    let paid = Transaction {
        payment_link_id: Some(link_id.clone()),
        amount: dec("74.10"),
        currency: "USDT".into(),
        status: TransactionStatus::Settled,
        tx_hash: Some(hash.clone()),
        ..txn("txn_first")
    };
    // Its payment is mirrored, its link not yet: asked of PIK, once.
    let order = Order { link_id: link_id.clone(), payments: vec![paid.clone()], ..Order::default() };
    let cmds = app.update(Msg::OrderRead { request, result: Ok(Box::new(order.clone())) }, t0());
    let fetches: Vec<(crate::app::list::RequestId, String)> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::FetchLink { request, id } => Some((*request, id.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(fetches.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(), [link_id.as_str()], "{cmds:?}");
    let fetch = fetches[0].0;
    // PIK has it (the worker kept it in the mirror): the order is read again.
    let found = crate::app::Found::Link(link(&link_id));
    let cmds = app.update(Msg::Object { request: fetch, result: Ok(found) }, t0());
    let Some(again) = cmds.iter().find_map(|c| match c {
        Cmd::ReadOrder { request, .. } => Some(*request),
        _ => None,
    }) else {
        panic!("read again: {cmds:?}")
    };
    let whole = Order { link: Some(link(&link_id)), ..order.clone() };
    let cmds = app.update(Msg::OrderRead { request: again, result: Ok(Box::new(whole)) }, t0());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::FetchLink { .. })), "fetched once: {cmds:?}");
    // Each payment's hash in the story is a link to its explorer page.
    let targets = crate::ui::hyperlinks::targets(&app);
    assert!(targets.iter().any(|t| t.text == hash && t.url.contains(&hash)), "{targets:?}");
    // A link PIK does not know either is said so.
    press(&mut app, input::KeyCode::Esc, t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some(request) = cmds.iter().find_map(|c| match c {
        Cmd::ReadOrder { request, .. } => Some(*request),
        _ => None,
    }) else {
        panic!("{cmds:?}")
    };
    let cmds = app.update(Msg::OrderRead { request, result: Ok(Box::new(order)) }, t0());
    let Some(fetch) = cmds.iter().find_map(|c| match c {
        Cmd::FetchLink { request, .. } => Some(*request),
        _ => None,
    }) else {
        panic!("{cmds:?}")
    };
    app.update(Msg::Object { request: fetch, result: Err(refusal(404, "not found (404)")) }, t0());
    let said = app.notice().map(|n| n.text.clone()).unwrap_or_default();
    assert_eq!(said, format!("PIK has no link {link_id}"));
}
