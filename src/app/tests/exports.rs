//! `e`: what is exported from which pane, and the export's life in the app.

use super::*;
use crate::store::{Kinds, Selection};
use crate::test_support::answer_all;
use forms::{ExportJob, ExportSource};

fn export_job(cmds: &[Cmd]) -> Option<(RequestId, ExportJob)> {
    cmds.iter().find_map(|c| match c {
        Cmd::Export { request, job, .. } => Some((*request, job.clone())),
        _ => None,
    })
}

fn mirror_app() -> (App, TestMirror) {
    let mirror = TestMirror::numbered(30);
    let mut app = App::new(Settings { read_only: true, ..Settings::default() }, 120, 40, t0());
    let cmds = app.update(Msg::Tick, t0());
    answer_all(&mut app, cmds, &mirror, t0());
    (app, mirror)
}

#[test]
fn e_exports_the_panes_filters_or_its_search_and_nothing_elsewhere() {
    let (mut app, _) = mirror_app();
    key(&mut app, '2', t0());
    key(&mut app, 's', t0());
    key(&mut app, 'e', t0());
    let Mode::Export(form) = app.mode() else { panic!("no form: {:?}", app.mode()) };
    let Selection::Filter(query) = &form.selection else { panic!("{:?}", form.selection) };
    assert_eq!((query.kinds, query.status.as_deref()), (Kinds::Transactions, Some("pending")));
    assert_eq!(form.source, ExportSource::Mirror);
    assert!(form.what.contains("status pending"), "{}", form.what);
    press(&mut app, input::KeyCode::Esc, t0());
    // A search in the pane: the search's rows.
    key(&mut app, '/', t0());
    typed(&mut app, "order 12", t0());
    press(&mut app, input::KeyCode::Enter, t0());
    key(&mut app, 'e', t0());
    let Mode::Export(form) = app.mode() else { panic!("no form") };
    assert!(matches!(&form.selection, Selection::Search(q) if q.kinds == Kinds::Transactions && q.terms.len() == 2));
    press(&mut app, input::KeyCode::Esc, t0());
    key(&mut app, '3', t0());
    key(&mut app, 'e', t0());
    assert!(matches!(app.mode(), Mode::Normal), "webhooks are not exported");
}

#[test]
fn an_export_runs_in_the_background_from_start_to_its_notice() {
    let (mut app, _) = mirror_app();
    key(&mut app, 'e', t0());
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some((request, job)) = export_job(&cmds) else { panic!("no export: {cmds:?}") };
    assert!(job.path.to_string_lossy().starts_with("pik-links-") && !job.overwrite, "{job:?}");
    // The file is there already: the form says so; Enter again replaces it.
    app.update(Msg::Export { request, event: ExportEvent::Exists("/x/pik-links.csv".into()) }, t0());
    let Mode::Export(form) = app.mode() else { panic!("the form closed") };
    assert!(form.problem.as_deref().is_some_and(|p| p.contains("exists")));
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    let Some((request, job)) = export_job(&cmds) else { panic!("no export") };
    assert!(job.overwrite);
    app.update(Msg::Export { request, event: ExportEvent::Started("/x/pik-links.csv".into()) }, t0());
    assert!(matches!(app.mode(), Mode::Normal), "the dashboard is free while it runs");
    app.update(Msg::Export { request, event: ExportEvent::Progress { done: 5_000, total: 12_345 } }, t0());
    assert_eq!(app.export_run().map(|r| (r.done, r.total)), Some((5_000, 12_345)));
    key(&mut app, 'e', t0());
    assert!(app.notice().is_some_and(|n| n.text.contains("already running")), "one at a time");
    let done = ExportEvent::Done { rows: 12_345, path: "/x/pik-links.csv".into() };
    app.update(Msg::Export { request, event: done }, t0());
    assert!(app.export_run().is_none());
    assert!(app.notice().is_some_and(|n| n.text == "wrote 12,345 rows to /x/pik-links.csv"));
}

#[test]
fn a_mirror_of_rows_scrolled_to_exports_from_pik_and_refuses_a_search() {
    let mirror = TestMirror::numbered(30);
    let settings = Settings { store: StoreKind::OnDemand(None), ..Settings::default() };
    let mut app = crate::test_support::loaded_app(settings, 120, 40, &mirror);
    key(&mut app, 'e', t0());
    let Mode::Export(form) = app.mode() else { panic!("no form") };
    assert_eq!(form.source, ExportSource::Pik, "a part of the account must not pass for all of it");
    assert!(matches!(form.selection, Selection::Filter(_)));
    assert!(form.what.contains("read from PIK"), "{}", form.what);
    press(&mut app, input::KeyCode::Esc, t0());
    key(&mut app, '/', t0());
    typed(&mut app, "Order 1", t0());
    press(&mut app, input::KeyCode::Enter, t0());
    key(&mut app, 'e', t0());
    assert!(matches!(app.mode(), Mode::Normal));
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.contains("holds only rows scrolled to")));
}
