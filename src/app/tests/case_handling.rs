//! The case view's handling keys: a claim sent to the store, a refusal
//! told, a reason and a note kept in their editor until the store has them.

use super::overview::{on_overview, overview_query, settings};
use super::*;
use crate::test_support::dec;

/// The Overview's first case opened, its order read: 74.10 of 75.00 USDT.
fn on_an_underpaid_case() -> App {
    let mut app = on_overview(settings(&[]));
    key(&mut app, 'j', t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some(request) = cmds.iter().find_map(|c| match c {
        Cmd::ReadOrder { request, .. } => Some(*request),
        _ => None,
    }) else {
        panic!("the order is read: {cmds:?}")
    };
    let order = crate::test_support::underpaid_order("pl_short00001");
    app.update(Msg::OrderRead { request, result: Ok(Box::new(order)) }, t0());
    app
}

fn act_sent(cmds: &[Cmd]) -> Option<(RequestId, crate::audit::Act)> {
    cmds.iter().find_map(|c| match c {
        Cmd::ActOnCase { request, act, .. } => Some((*request, (**act).clone())),
        _ => None,
    })
}

#[test]
fn m_claims_the_case_and_a_claim_that_lost_says_who_has_it() {
    let mut app = on_an_underpaid_case();
    let cmds = key(&mut app, 'm', t0());
    let Some((request, act)) = act_sent(&cmds) else { panic!("a claim is sent: {cmds:?}") };
    assert_eq!(
        (act.agent.as_str(), act.act.as_str(), act.subject.as_deref(), act.at),
        ("agent@desk", "claimed the case", Some("pl_short00001"), t0())
    );
    let cmds = app.update(Msg::CaseActed { request, result: Ok(Err("claimed by alice 3 s ago".into())) }, t0());
    assert!(act_sent(&cmds).is_none(), "nothing retried: {cmds:?}");
    assert!(cmds.iter().any(|c| matches!(c, Cmd::ReadOrder { .. })), "the case as it is now: {cmds:?}");
    let said = app.notice().map(|n| (n.is_error, n.text.clone()));
    assert_eq!(said, Some((true, "pl_short00001: claimed by alice 3 s ago".into())));
    assert!(matches!(app.mode(), Mode::Case(_)), "the case stays open");
}

#[test]
fn a_reason_stays_in_its_editor_until_the_store_has_it() {
    let mut app = on_an_underpaid_case();
    key(&mut app, 'R', t0());
    // Enter on nothing: refused in the editor, nothing sent.
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    assert!(act_sent(&cmds).is_none());
    let Mode::Case(view) = app.mode() else { panic!("the case view") };
    assert_eq!(view.editing.as_ref().and_then(|e| e.error.clone()).as_deref(), Some("a reason is needed"));
    typed(&mut app, "refunded outside PIK", t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some((request, act)) = act_sent(&cmds) else { panic!("the resolution is sent: {cmds:?}") };
    assert_eq!((act.act.as_str(), act.detail.as_str()), ("resolved the case", "refunded outside PIK"));
    let basis = act.basis.as_deref().and_then(|b| serde_json::from_str::<crate::cases::handling::Basis>(b).ok());
    assert_eq!(basis.map(|b| (b.good, b.received)), Some((1, dec("74.10"))), "the payments it was resolved on");
    // The record cannot be reached: told, and the reason is still there.
    app.update(Msg::CaseActed { request, result: Err("PostgreSQL is unreachable".into()) }, t0());
    let Mode::Case(view) = app.mode() else { panic!("the case view") };
    let editing = view.editing.as_ref().map(|e| (e.text(), e.error.clone(), e.sent));
    assert_eq!(
        editing,
        Some(("refunded outside PIK".into(), Some("not written: PostgreSQL is unreachable".into()), None))
    );
    // Sent again by hand: done, the editor closes and the case is read again.
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some((request, act)) = act_sent(&cmds) else { panic!("sent again: {cmds:?}") };
    let cmds = app.update(Msg::CaseActed { request, result: Ok(Ok(Box::new(act))) }, t0());
    assert!(cmds.iter().any(|c| matches!(c, Cmd::ReadOrder { link_id, .. } if link_id == "pl_short00001")), "{cmds:?}");
    assert!(matches!(app.mode(), Mode::Case(view) if view.editing.is_none()));
    assert_eq!(app.notice().map(|n| n.text.clone()).as_deref(), Some("resolved pl_short00001"));
}

#[test]
fn a_note_takes_several_lines_and_a_paste() {
    let mut app = on_an_underpaid_case();
    key(&mut app, 'n', t0());
    typed(&mut app, "called the customer", t0());
    app.update(Msg::Key(Key { code: input::KeyCode::Enter, ctrl: false, alt: true }), t0());
    app.update(Msg::Paste("no answer\nwill try at 9".into()), t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some((_, act)) = act_sent(&cmds) else { panic!("the note is sent: {cmds:?}") };
    assert_eq!(
        (act.act.as_str(), act.detail.as_str()),
        ("noted on the case", "called the customer\nno answer\nwill try at 9")
    );
    // While it is on its way: a second Enter sends nothing more, typing
    // changes nothing; Esc closes the view.
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    assert!(act_sent(&cmds).is_none(), "sent once: {cmds:?}");
    typed(&mut app, "x", t0());
    let Mode::Case(view) = app.mode() else { panic!("the case view") };
    let text = view.editing.as_ref().map(|e| e.text());
    assert_eq!(text.as_deref(), Some("called the customer\nno answer\nwill try at 9"));
    press(&mut app, input::KeyCode::Esc, t0());
    assert!(matches!(app.mode(), Mode::Normal), "closed while sending");
}

/// The answer to a claim is told, and touches no note being typed; a
/// second act waits for the first's answer.
#[test]
fn a_claim_s_answer_leaves_a_note_being_typed_alone() {
    let mut app = on_an_underpaid_case();
    let Some((request, act)) = act_sent(&key(&mut app, 'm', t0())) else { panic!("a claim is sent") };
    let cmds = key(&mut app, 'O', t0());
    assert!(act_sent(&cmds).is_none(), "one at a time: {cmds:?}");
    assert_eq!(app.notice().map(|n| n.text.clone()).as_deref(), Some("the last act on a case is still on its way"));
    key(&mut app, 'n', t0());
    typed(&mut app, "half a note", t0());
    app.update(Msg::CaseActed { request, result: Ok(Ok(Box::new(act))) }, t0());
    let Mode::Case(view) = app.mode() else { panic!("the case view") };
    let editing = view.editing.as_ref().map(|e| (e.text(), e.error.clone(), e.sent));
    assert_eq!(editing, Some(("half a note".to_string(), None, None)), "still being typed");
    assert_eq!(app.notice().map(|n| n.text.clone()).as_deref(), Some("claimed pl_short00001"));
}

#[test]
fn f_turns_the_case_list_s_filter() {
    use crate::store::cases::Handled;
    let mut app = on_overview(settings(&[]));
    let turn = |app: &mut App| overview_query(&key(app, 'f', t0())).map(|q| q.handled);
    assert_eq!(turn(&mut app), Some(Handled::Mine("agent@desk".into())));
    assert_eq!(app.notice().map(|n| n.text.clone()).as_deref(), Some("the list shows my cases"));
    assert_eq!(turn(&mut app), Some(Handled::Unclaimed));
    let today = crate::zone::Zone::bundled("Europe/Berlin").map(|z| z.day_around(t0()).0);
    assert_eq!(turn(&mut app), today.map(Handled::ResolvedSince));
    assert_eq!(turn(&mut app), Some(Handled::Open));
}

/// An open case is said to be looked at, again every 10 s, and no longer
/// once closed: on a shared store the others see "bob is looking at this".
#[test]
fn an_open_case_says_who_is_looking_until_it_closes() {
    let looked = |cmds: &[Cmd]| {
        cmds.iter().find_map(|c| match c {
            Cmd::LookAt { link_id, by, lasts } => Some((link_id.clone(), by.agent.clone(), *lasts)),
            _ => None,
        })
    };
    let mut app = on_overview(settings(&[]));
    key(&mut app, 'j', t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let lasts = chrono::Duration::seconds(crate::app::case_handling::LOOKING_LASTS_SECS);
    assert_eq!(looked(&cmds), Some(("pl_short00001".into(), "agent@desk".into(), Some(lasts))));
    assert_eq!(looked(&app.update(Msg::Tick, t0() + chrono::Duration::seconds(5))), None, "not at every tick");
    let later = t0() + chrono::Duration::seconds(10);
    assert_eq!(looked(&app.update(Msg::Tick, later)), Some(("pl_short00001".into(), "agent@desk".into(), Some(lasts))));
    let cmds = press(&mut app, input::KeyCode::Esc, later);
    assert_eq!(looked(&cmds), Some(("pl_short00001".into(), "agent@desk".into(), None)), "closed: {cmds:?}");
    assert_eq!(looked(&app.update(Msg::Tick, later + chrono::Duration::seconds(30))), None);
}
