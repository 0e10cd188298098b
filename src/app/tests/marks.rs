//! Marks and what is done with the marked rows: copied, exported,
//! deactivated one request each, none retried, failures left marked.

use super::*;
use crate::api::LinkStatus;
use crate::app::dialogs::Write;
use crate::app::input::KeyCode;
use crate::test_support::{lost_answer, refusal, unreachable};

/// The link a write deactivates, and its request.
fn deactivation(cmds: &[Cmd]) -> Option<(RequestId, String)> {
    cmds.iter().find_map(|c| match c {
        Cmd::Write { request, write: Write::DeactivateLink { id }, .. } => Some((*request, id.clone())),
        _ => None,
    })
}

fn writes(cmds: &[Cmd]) -> usize {
    cmds.iter().filter(|c| matches!(c, Cmd::Write { .. })).count()
}

fn copied(cmds: &[Cmd]) -> Option<String> {
    cmds.iter().find_map(|c| match c {
        Cmd::Copy(text) => Some(text.clone()),
        _ => None,
    })
}

fn notice(app: &App) -> String {
    app.notice().map(|n| n.text.clone()).unwrap_or_default()
}

fn marked(app: &App, pane: Pane) -> Vec<String> {
    app.marks(pane).ids().map(str::to_string).collect()
}

/// Links pane, three rows marked: the first, second and fourth (newest first).
fn three_marked() -> (App, TestMirror) {
    let (mut app, mirror) = started(300);
    key(&mut app, ' ', t0());
    key(&mut app, ' ', t0());
    key(&mut app, 'j', t0());
    key(&mut app, ' ', t0());
    assert_eq!(marked(&app, Pane::Links), ["pl_00300", "pl_00299", "pl_00297"]);
    (app, mirror)
}

#[test]
fn space_marks_v_marks_a_range_and_marks_outlive_sorting_and_updates() {
    let (mut app, mirror) = three_marked();
    // V: from the row last marked (pl_00297) to the selection, two below.
    key(&mut app, 'j', t0());
    key(&mut app, 'j', t0());
    key(&mut app, 'V', t0());
    assert_eq!(marked(&app, Pane::Links), ["pl_00300", "pl_00299", "pl_00297", "pl_00296", "pl_00295", "pl_00294"]);
    assert!(notice(&app).contains("6 marked"), "{}", notice(&app));
    // Space on a marked row unmarks it.
    app.update(Msg::Key(Key::plain(KeyCode::Home)), t0());
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Home)), t0());
    answer_all(&mut app, cmds, &mirror, t0());
    key(&mut app, ' ', t0());
    assert!(!app.marks(Pane::Links).contains("pl_00300"));
    // A sort, a scroll to the end and a live update: the marks stay.
    typed(&mut app, ":sort amount asc", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    answer_all(&mut app, cmds, &mirror, t0());
    let cmds = key(&mut app, 'G', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    let paid = crate::test_support::numbered_link(299, LinkStatus::Paid);
    let change = mirror.save(crate::store::Batch { links: vec![paid], ..Default::default() });
    let at = t0() + Duration::seconds(1);
    let cmds = app.update(Msg::StoreChanged(change), at);
    answer_all(&mut app, cmds, &mirror, at);
    assert_eq!(marked(&app, Pane::Links), ["pl_00299", "pl_00297", "pl_00296", "pl_00295", "pl_00294"]);
    // Each pane has its own; :marks clear clears the pane's.
    key(&mut app, '2', at);
    assert!(app.marks(Pane::Transactions).is_empty());
    key(&mut app, '1', at);
    typed(&mut app, ":marks clear", at);
    press(&mut app, KeyCode::Enter, at);
    assert!(app.marks(Pane::Links).is_empty());
    assert!(notice(&app).contains("cleared 5 marks"), "{}", notice(&app));
}

#[test]
fn i_copies_the_selected_id_or_the_marked_ones_one_a_line() {
    let (mut app, _) = started(300);
    key(&mut app, '2', t0());
    let cmds = key(&mut app, 'i', t0());
    assert_eq!(copied(&cmds).as_deref(), Some("txn_00003"));
    assert!(notice(&app).contains("copied txn_00003"), "{}", notice(&app));
    let (mut app, _) = three_marked();
    let cmds = key(&mut app, 'i', t0());
    assert_eq!(copied(&cmds).as_deref(), Some("pl_00300\npl_00299\npl_00297\n"));
    assert!(notice(&app).contains("3 marked"), "{}", notice(&app));
}

#[test]
fn ten_thousand_marks_are_copied_never_but_exported_and_the_most_is_said() {
    let (mut app, _) = started(300);
    for n in 0..10_000 {
        let row = crate::app::marks::Marked { id: format!("pl_{n:012}"), money: None, status: "active".into() };
        app.marks_mut(Pane::Links).mark(row);
    }
    let cmds = key(&mut app, 'i', t0());
    assert_eq!(copied(&cmds), None, "more than a clipboard carries");
    assert!(
        notice(&app).contains("10,000 ids are 160 kB") && notice(&app).contains("export them instead"),
        "{}",
        notice(&app)
    );
    key(&mut app, 'e', t0());
    let Mode::Export(form) = app.mode() else { panic!("no export form") };
    let crate::store::Selection::Filter(query) = &form.selection else { panic!("{:?}", form.selection) };
    assert_eq!(query.ids.as_ref().map(Vec::len), Some(10_000));
    press(&mut app, KeyCode::Esc, t0());
    // Past the most a pane marks, V says so.
    for n in 10_000..crate::app::marks::MAX_MARKS {
        let row = crate::app::marks::Marked { id: format!("pl_{n:012}"), money: None, status: "active".into() };
        app.marks_mut(Pane::Links).mark(row);
    }
    key(&mut app, ' ', t0());
    assert!(notice(&app).contains("at most 20,000 rows"), "{}", notice(&app));
}

#[test]
fn e_exports_exactly_the_marked_rows() {
    let (mut app, _) = three_marked();
    key(&mut app, 'e', t0());
    let Mode::Export(form) = app.mode() else { panic!("no export form: {:?}", app.notice()) };
    let crate::store::Selection::Filter(query) = &form.selection else { panic!("{:?}", form.selection) };
    assert_eq!(query.ids.as_deref(), Some(&["pl_00300".to_string(), "pl_00299".into(), "pl_00297".into()][..]));
    assert!(form.what.contains("exactly the 3 marked links"), "{}", form.what);
}

#[test]
fn deactivating_marked_links_asks_once_then_sends_one_at_a_time_and_reports() {
    let (mut app, _) = three_marked();
    key(&mut app, 'd', t0());
    let Mode::Deactivate(question) = app.mode() else { panic!("no question") };
    assert_eq!((question.links.len(), question.summary.clone(), question.yes), (3, vec!["225.00 USDT".into()], false));
    // Enter takes the default, No: nothing is sent.
    let cmds = press(&mut app, KeyCode::Enter, t0());
    assert_eq!(writes(&cmds), 0);
    key(&mut app, 'd', t0());
    let cmds = key(&mut app, 'y', t0());
    assert_eq!(writes(&cmds), 1, "one at a time");
    let Some((first, id)) = deactivation(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(id, "pl_00300");
    assert!(app.bulk_run().is_some_and(|run| run.progress().contains("1 of 3")));
    let done = crate::test_support::numbered_link(300, LinkStatus::Deactivated);
    let cmds = app.update(Msg::Written { request: first, result: Ok(Written::Deactivated(done)) }, t0());
    let Some((second, id)) = deactivation(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(id, "pl_00299");
    // PIK refuses the second (it was paid meanwhile): the third still goes.
    let paid = refusal(422, "Only an active payment link can be deactivated; this one is paid.");
    let cmds = app.update(Msg::Written { request: second, result: Err(paid) }, t0());
    assert_eq!(writes(&cmds), 1, "never retried: {cmds:?}");
    let Some((third, id)) = deactivation(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(id, "pl_00297");
    let done = crate::test_support::numbered_link(297, LinkStatus::Deactivated);
    let cmds = app.update(Msg::Written { request: third, result: Ok(Written::Deactivated(done)) }, t0());
    assert_eq!(writes(&cmds), 0);
    assert!(app.bulk_run().is_none());
    let report = notice(&app);
    assert!(
        report.starts_with("deactivated 2, 1 failed: pl_00299 (") && report.contains("this one is paid"),
        "{report}"
    );
    assert_eq!(marked(&app, Pane::Links), ["pl_00299"], "the failure stays marked");
}

#[test]
fn pik_failing_halfway_stops_the_run_and_leaves_the_rest_marked() {
    for failure in [unreachable(), refusal(500, "PIK failed (500)"), lost_answer()] {
        let (mut app, _) = three_marked();
        key(&mut app, 'd', t0());
        let cmds = key(&mut app, 'y', t0());
        let Some((first, _)) = deactivation(&cmds) else { panic!("{cmds:?}") };
        let done = crate::test_support::numbered_link(300, LinkStatus::Deactivated);
        let cmds = app.update(Msg::Written { request: first, result: Ok(Written::Deactivated(done)) }, t0());
        let Some((second, _)) = deactivation(&cmds) else { panic!("{cmds:?}") };
        let cmds = app.update(Msg::Written { request: second, result: Err(failure.clone()) }, t0());
        assert_eq!(writes(&cmds), 0, "the rest are not sent, nothing is retried");
        let report = notice(&app);
        let said = match failure.may_have_happened {
            true => "deactivated 1, 1 unknown (no answer: may or may not be deactivated): pl_00299",
            false => "deactivated 1, 1 failed: pl_00299",
        };
        assert!(report.starts_with(said) && report.contains("1 not sent"), "{report}");
        assert_eq!(marked(&app, Pane::Links), ["pl_00299", "pl_00297"]);
    }
}

#[test]
fn read_only_mode_asks_nothing_and_deactivates_nothing() {
    let (mut app, _) = three_marked();
    app.settings.read_only = true;
    let cmds = key(&mut app, 'd', t0());
    assert!(!matches!(app.mode(), Mode::Deactivate(_)), "no question in read-only mode");
    assert_eq!(writes(&cmds), 0);
    assert_eq!(app.marks(Pane::Links).len(), 3);
}

#[test]
fn v_marks_a_range_upwards_too() {
    let (mut app, _) = started(300);
    for _ in 0..4 {
        key(&mut app, 'j', t0());
    }
    key(&mut app, ' ', t0()); // pl_00296, the selection moves to pl_00295
    for _ in 0..4 {
        key(&mut app, 'k', t0());
    }
    key(&mut app, 'V', t0()); // from pl_00299 down to pl_00296
    assert_eq!(marked(&app, Pane::Links), ["pl_00296", "pl_00299", "pl_00298", "pl_00297"]);
}

#[test]
fn during_a_run_nothing_else_deactivates_the_profile_stays_and_esc_stops_it() {
    let (mut app, _) = three_marked();
    app.settings.profiles = vec!["other".into()];
    key(&mut app, 'd', t0());
    let cmds = key(&mut app, 'y', t0());
    let Some((first, _)) = deactivation(&cmds) else { panic!("{cmds:?}") };
    // Space marks one more meanwhile; :marks clear is no way to a second run.
    key(&mut app, 'j', t0());
    key(&mut app, ' ', t0());
    typed(&mut app, ":marks clear", t0());
    press(&mut app, KeyCode::Enter, t0());
    let cmds = key(&mut app, 'd', t0());
    assert!(!matches!(app.mode(), Mode::Deactivate(_)) && writes(&cmds) == 0, "d during a run");
    typed(&mut app, ":profile other", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::SwitchProfile(_))), "no switch during a run");
    // An answer to another request is not the run's.
    let cmds = app.update(Msg::Written { request: first + 100, result: Err(refusal(422, "x")) }, t0());
    assert_eq!(writes(&cmds), 0);
    // Esc: the request on its way is the last.
    press(&mut app, KeyCode::Esc, t0());
    assert!(app.bulk_run().is_some_and(|run| run.progress().starts_with("stopping")));
    let done = crate::test_support::numbered_link(300, LinkStatus::Deactivated);
    let cmds = app.update(Msg::Written { request: first, result: Ok(Written::Deactivated(done)) }, t0());
    assert_eq!(writes(&cmds), 0, "nothing more is sent");
    let report = notice(&app);
    assert!(report.contains("deactivated 1") && report.contains("stopped (by you), 2 not sent"), "{report}");
    assert!(app.bulk_run().is_none());
}

#[test]
fn the_search_pane_exports_marked_rows_of_one_kind_only() {
    let (mut app, _) = started(300);
    key(&mut app, 'S', t0());
    press(&mut app, KeyCode::Enter, t0()); // the search as it is
    let link = crate::app::marks::Marked { id: "pl_00300".into(), money: None, status: "active".into() };
    app.marks_mut(Pane::Search).mark(link);
    key(&mut app, 'e', t0());
    assert!(matches!(app.mode(), Mode::Export(_)), "one kind marked: {:?}", app.notice());
    press(&mut app, KeyCode::Esc, t0());
    // A payment marked beside the link: neither the marks nor the whole search.
    let marks = app.marks_mut(Pane::Search);
    marks.mark(crate::app::marks::Marked { id: "txn_00003".into(), money: None, status: "pending".into() });
    key(&mut app, 'e', t0());
    assert!(!matches!(app.mode(), Mode::Export(_)));
    assert!(notice(&app).contains("marked together"), "{}", notice(&app));
}
