//! What the footer says: a message ends when what it spoke of ends, a
//! command taken silently says what it found, and alerts are kept for
//! `:alerts` when a later one takes the footer.

use super::*;
use crate::api::PaymentLink;
use crate::api::{LinkStatus, Transaction, TransactionStatus};
use crate::test_support::{TestMirror, alert_entry, link, numbered_link, refusal, txn};
use alerts::AlertRule;

fn command(app: &mut App, line: &str, now: DateTime<Utc>) -> Vec<Cmd> {
    typed(app, &format!(":{line}"), now);
    press(app, input::KeyCode::Enter, now)
}

fn lookup(cmds: &[Cmd]) -> Option<RequestId> {
    cmds.iter().find_map(|c| match c {
        Cmd::FetchLink { request, .. } | Cmd::FetchTransaction { request, .. } => Some(*request),
        _ => None,
    })
}

#[test]
fn a_message_ends_when_what_it_spoke_of_ends() {
    let (mut app, _) = started(300);
    key(&mut app, '2', t0());
    command(&mut app, "from someday", t0());
    assert!(app.notice().is_some_and(|n| n.is_error), "{:?}", app.notice());
    // A command that works ends the error of one that did not.
    command(&mut app, "status settled", t0() + Duration::seconds(1));
    assert_eq!(app.notice(), None, "the stale error is gone");
    // "looking up …" ends when the object comes.
    let cmds = command(&mut app, "txn_00042", t0() + Duration::seconds(2));
    assert!(app.notice().is_some_and(|n| n.text.starts_with("looking up txn_00042")));
    let Some(request) = lookup(&cmds) else { panic!("no lookup: {cmds:?}") };
    let found = Found::Transaction(txn("txn_00042"));
    app.update(Msg::Object { request, result: Ok(found) }, t0() + Duration::seconds(2));
    assert_eq!(app.notice(), None, "the detail is there: nothing is being looked up");
}

#[test]
fn a_link_that_does_not_exist_is_said_and_the_filter_stays_as_it_was() {
    let (mut app, _) = started(300);
    let cmds = command(&mut app, "link pl_nope", t0());
    let Some(request) = lookup(&cmds) else { panic!("the link is looked up first: {cmds:?}") };
    app.update(Msg::Object { request, result: Err(refusal(404, "not found (404)")) }, t0());
    assert!(app.notice().is_some_and(|n| n.is_error && n.text == "no payment link pl_nope"), "{:?}", app.notice());
    assert_eq!(app.transactions.filter.payment_link_id, None);
    let cmds = command(&mut app, "link pl_00007", t0());
    let Some(request) = lookup(&cmds) else { panic!("{cmds:?}") };
    app.update(Msg::Object { request, result: Ok(Found::Link(numbered_link(7, LinkStatus::Active))) }, t0());
    assert_eq!(app.transactions.filter.payment_link_id.as_deref(), Some("pl_00007"));
    assert_eq!(app.pane(), Pane::Transactions);
}

#[test]
fn a_currency_no_payment_has_is_said_once_the_list_comes_back() {
    let (mut app, mirror) = started(300);
    let cmds = command(&mut app, "currency xyz", t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert!(
        app.notice().is_some_and(|n| n.is_error && n.text.starts_with("no payment has currency XYZ")),
        "{:?}",
        app.notice()
    );
}

#[test]
fn profiles_that_do_not_exist_say_where_they_would_be_written() {
    let settings =
        Settings { config_path: Some("/home/agent/.config/pik-tui/config.toml".into()), ..Settings::default() };
    let mut app = App::new(settings, 120, 40, t0());
    command(&mut app, "profile nosuch", t0());
    let text = app.notice().map(|n| n.text.clone()).unwrap_or_default();
    assert_eq!(
        text,
        "no profiles are configured: add [profiles.NAME] tables to /home/agent/.config/pik-tui/config.toml"
    );
    let settings = Settings { profiles: vec!["live".into(), "test".into()], ..Settings::default() };
    let mut app = App::new(settings, 120, 40, t0());
    command(&mut app, "profile nosuch", t0());
    assert!(app.notice().is_some_and(|n| n.text == "no profile \"nosuch\"; known: live, test"), "{:?}", app.notice());
}

#[test]
fn an_alert_does_not_lose_the_one_before_it() {
    let rule = AlertRule::parse(&alert_entry(1, &[("when", "settled")])).unwrap_or_else(|e| panic!("{e}"));
    let settings = Settings { alerts: vec![rule], ..Settings::default() };
    let mut app = App::new(settings, 120, 40, t0());
    let settled = |id: &str| Transaction { status: TransactionStatus::Settled, ..txn(id) };
    app.update(Msg::Changes(vec![settled("txn_first")]), t0());
    app.update(Msg::Changes(vec![settled("txn_second")]), t0() + Duration::seconds(2));
    assert!(app.alert().is_some_and(|a| a.text.contains("txn_second")));
    assert_eq!(app.alert_log().unread, 2, "the footer says there is one more");
    command(&mut app, "alerts", t0() + Duration::seconds(3));
    assert!(matches!(app.mode(), Mode::Alerts { .. }));
    let texts: Vec<&str> = app.alert_log().entries.iter().map(|e| e.text.as_str()).collect();
    assert!(texts.len() == 2 && texts[0].contains("txn_first") && texts[1].contains("txn_second"), "{texts:?}");
    assert_eq!(app.alert_log().unread, 0, "read");
    key(&mut app, 'q', t0() + Duration::seconds(4));
    assert!(matches!(app.mode(), Mode::Normal), "any other key closes it");
}

#[test]
fn what_was_said_of_a_pane_or_a_row_ends_with_it() {
    let (mut app, _) = started(300);
    key(&mut app, '2', t0());
    // `d` works in the Links pane: said here, gone in the next pane.
    key(&mut app, 'd', t0());
    assert!(app.notice().is_some_and(|n| n.text.contains("in Links")), "{:?}", app.notice());
    key(&mut app, '3', t0());
    assert_eq!(app.notice(), None, "a notice about the Transactions pane, shown over the Webhooks");
    // A refusal about a paid link is not shown over the question about an active one.
    let active = PaymentLink { created_at: t0(), ..link("pl_active") };
    let paid = PaymentLink { status: LinkStatus::Paid, created_at: t0() - Duration::hours(1), ..link("pl_paid") };
    let mirror = TestMirror::holding(vec![active, paid], vec![], vec![]);
    let mut app = crate::test_support::loaded_app(Settings::default(), 120, 40, &mirror);
    key(&mut app, 'j', t0());
    key(&mut app, 'd', t0());
    assert!(app.notice().is_some_and(|n| n.text.contains("this one is paid")), "{:?}", app.notice());
    key(&mut app, 'k', t0());
    key(&mut app, 'd', t0());
    assert!(matches!(app.mode(), Mode::Deactivate(_)), "{:?}", app.notice());
    assert_eq!(app.notice(), None, "what was said of the paid link");
}
