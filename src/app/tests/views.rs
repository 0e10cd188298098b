//! Saved views: tabs after the panes with live counts, the rows the search
//! finds for the same query, in the view's order; the pane's own list
//! untouched while a view has its place; `:save` and `:views`.

use super::*;
use crate::app::Tab;
use crate::app::input::KeyCode;
use crate::app::views::ViewDef;
use crate::store::{Reading, SearchQuery};

fn def(name: &str, query: &str, sort: Option<&str>, key: Option<&str>) -> ViewDef {
    let zone = crate::zone::Zone::utc();
    let rules = crate::cases::CaseRules::default();
    let reading = Reading { zone: &zone, now: t0(), cases: &rules };
    match ViewDef::read(name, query, sort, key, None, reading) {
        Ok(view) => view,
        Err(why) => panic!("{why}"),
    }
}

/// An app with `views`, every list read from a mirror of 300 links.
fn with_views(views: Vec<ViewDef>) -> (App, TestMirror) {
    let mirror = TestMirror::numbered(300);
    let settings = Settings { views, ..Settings::default() };
    let mut app = App::new(settings, 120, 40, t0());
    let mut cmds = app.update(Msg::Mirror(up_to_date_at(t0())), t0());
    cmds.extend(app.update(Msg::Tick, t0()));
    answer_all(&mut app, cmds, &mirror, t0());
    (app, mirror)
}

fn ids_on_screen(app: &App) -> Vec<String> {
    let list = app.list(app.pane());
    (0..list.visible_len().min(30)).filter_map(|at| list.marked_at(at)).map(|row| row.id).collect()
}

#[test]
fn a_view_lists_what_the_search_finds_for_its_query_with_its_count_on_its_tab() {
    let query = "Order 29";
    let (mut app, mirror) = with_views(vec![def("nines", query, None, Some("u"))]);
    let searched = mirror.block_on(mirror.store.search(SearchQuery::parse(query, Kinds::Both), 0, 1000));
    let Ok(searched) = searched else { panic!("{searched:?}") };
    let found: Vec<String> = searched.hits.iter().map(|hit| hit.id().to_string()).collect();
    assert_eq!(found.len(), 11, "Order 29 and 290 to 299: {found:?}");
    // Hidden, its tab already counts it.
    assert_eq!(app.tabs().last(), Some(&Tab::View(0)));
    let (_, labels) = app.header_tabs();
    assert!(labels.last().is_some_and(|l| l.contains(" u nines 11 ")), "{labels:?}");
    // Its key shows it: the same rows, in the same order (newest first).
    let cmds = key(&mut app, 'u', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.tab(), Tab::View(0));
    assert_eq!(app.list(app.pane()).total(), Some(searched.total));
    assert_eq!(ids_on_screen(&app), found);
}

#[test]
fn a_view_sorts_by_its_sort_and_leaves_the_pane_s_own_list_as_it_was() {
    let (mut app, mirror) = with_views(vec![
        def("big", "status:active", Some("description desc"), Some("u")),
        def("pay", "status:settled", None, None),
    ]);
    assert_eq!(app.views().nth(1).map(|v| v.kinds), Some(Kinds::Transactions), "a payment's status");
    // The Links pane, scrolled down.
    for _ in 0..5 {
        key(&mut app, 'j', t0());
    }
    let cmds = key(&mut app, 'u', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.sort_of(Pane::Links).map(|s| s.words()), Some("description ↓".into()));
    assert_eq!(ids_on_screen(&app).first().map(String::as_str), Some("pl_00099"), "Order 99 sorts last of the words");
    // Tab goes on to the next view, and back to the Links pane as it was.
    let cmds = press(&mut app, KeyCode::Tab, t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.tab(), Tab::View(1));
    assert_eq!(app.pane(), Pane::Transactions);
    let cmds = key(&mut app, '1', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!((app.tab(), app.list(Pane::Links).selected()), (Tab::Pane(Pane::Links), 5));
    assert_eq!(app.links.sort, crate::store::Sort::default());
    // :view by name, and a name that is no view names them all.
    typed(&mut app, ":view BIG", t0());
    press(&mut app, KeyCode::Enter, t0());
    assert_eq!(app.tab(), Tab::View(0));
    typed(&mut app, ":view nope", t0());
    press(&mut app, KeyCode::Enter, t0());
    let said = app.notice().map(|n| n.text.clone()).unwrap_or_default();
    assert!(said.contains("no view named \"nope\"") && said.contains("u big (") && said.contains("pay ("), "{said}");
}

#[test]
fn a_view_s_count_follows_the_mirror_while_hidden() {
    let (mut app, mirror) = with_views(vec![def("paid", "status:paid", None, None)]);
    assert_eq!(app.view_count(0), Some(0));
    let paid = crate::test_support::numbered_link(300, crate::api::LinkStatus::Paid);
    let change = mirror.save(crate::store::Batch { links: vec![paid], ..Default::default() });
    let later = t0() + Duration::seconds(6);
    let mut cmds = app.update(Msg::StoreChanged(change), later);
    cmds.extend(app.update(Msg::Tick, later));
    answer_all(&mut app, cmds, &mirror, later);
    assert_eq!(app.view_count(0), Some(1));
}

#[test]
fn save_makes_a_tab_at_once_and_asks_for_the_file_and_a_name_is_not_taken_twice() {
    let (mut app, mirror) = with_views(vec![def("big", "status:active", None, None)]);
    app.settings.config_path = Some("/tmp/pik-tui-test-config.toml".into());
    key(&mut app, 's', t0()); // status: active
    key(&mut app, 's', t0()); // status: paid
    typed(&mut app, ":sort amount", t0());
    press(&mut app, KeyCode::Enter, t0());
    typed(&mut app, ":save paid ones", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    let saved = cmds.iter().find_map(|c| match c {
        Cmd::SaveView { path, view, replace } => Some((path.clone(), view.clone(), *replace)),
        _ => None,
    });
    let Some((path, view, replace)) = saved else { panic!("{cmds:?}") };
    assert_eq!(path.as_deref(), Some("/tmp/pik-tui-test-config.toml"));
    assert_eq!(
        (view.name.as_str(), view.query.as_str(), view.sort_words().as_str(), replace),
        ("paid ones", "status:paid", "amount desc", false)
    );
    assert_eq!(app.views().count(), 2, "a tab at once");
    answer_all(&mut app, cmds, &mirror, t0());
    // The file could not take it: the tab stays for the session, and it is said.
    app.update(Msg::ViewSaved { name: "paid ones".into(), result: Err("disk full".into()) }, t0());
    let said = app.notice().map(|n| n.text.clone()).unwrap_or_default();
    assert!(said.contains("for this session only") && said.contains("disk full"), "{said}");
    assert_eq!(app.views().count(), 2);
    // The same name again is refused, unless :save! replaces it.
    typed(&mut app, ":save Paid Ones", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::SaveView { .. })));
    assert!(app.notice().is_some_and(|n| n.text.contains(":save! ")));
    typed(&mut app, ":save! Paid Ones", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    assert!(cmds.iter().any(|c| matches!(c, Cmd::SaveView { replace: true, .. })));
    assert_eq!(app.views().count(), 2);
}

#[test]
fn a_view_that_does_not_read_is_refused_in_words() {
    let zone = crate::zone::Zone::utc();
    let rules = crate::cases::CaseRules::default();
    let reading = Reading { zone: &zone, now: t0(), cases: &rules };
    let read = |query: &str, sort: Option<&str>, key: Option<&str>| ViewDef::read("v", query, sort, key, None, reading);
    assert!(read("created:someday", None, None).is_err_and(|e| e.contains("created")));
    assert!(read("amount:lots", None, None).is_err_and(|e| e.contains("amount")));
    assert!(read("status:active", Some("colour"), None).is_err_and(|e| e.contains("sort by one of")));
    assert!(read("status:active", None, Some("uu")).is_err_and(|e| e.contains("one character")));
    assert!(ViewDef::read("", "x", None, None, None, reading).is_err());
    assert_eq!(read("status:failed created:today", None, None).map(|v| v.kinds), Ok(Kinds::Transactions));
    assert_eq!(read("ACME", None, None).map(|v| v.kinds), Ok(Kinds::Links));
    assert_eq!(read("case:underpaid", Some("settled"), None).map(|v| v.kinds), Ok(Kinds::Transactions));
}

#[test]
fn the_pane_s_own_filter_narrows_a_view_and_never_widens_it() {
    let (mut app, mirror) = with_views(vec![def("active", "status:active", None, Some("u"))]);
    let cmds = key(&mut app, 'u', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.list(app.pane()).total(), Some(300));
    // `s` cycles the pane's own status: active, then paid (none of the view's).
    let cmds = key(&mut app, 's', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.list(app.pane()).total(), Some(300), "active and active");
    let cmds = key(&mut app, 's', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.list(app.pane()).total(), Some(0), "active and paid: no row is both");
}

#[test]
fn marks_searches_and_saved_views_belong_to_their_list() {
    let (mut app, mirror) = with_views(vec![def("active", "status:active", None, Some("u"))]);
    app.settings.config_path = Some("/tmp/pik-tui-test-config.toml".into());
    // A mark in the Links pane is not the view's, and back again it is there.
    key(&mut app, ' ', t0());
    let cmds = key(&mut app, 'u', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert!(app.marks(Pane::Links).is_empty(), "the view has marks of its own");
    key(&mut app, ' ', t0());
    key(&mut app, ' ', t0());
    assert_eq!(app.marks(Pane::Links).len(), 2);
    let cmds = key(&mut app, '1', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.marks(Pane::Links).ids().collect::<Vec<_>>(), ["pl_00300"]);
    // A search on its way when the lists swap is asked for again, not lost.
    key(&mut app, '/', t0());
    let cmds = typed_cmds(&mut app, "order");
    assert!(cmds.iter().any(|c| matches!(c, Cmd::Search { .. })), "{cmds:?}");
    press(&mut app, KeyCode::Enter, t0());
    key(&mut app, 'u', t0());
    let cmds = key(&mut app, '1', t0());
    let asked = cmds.iter().any(|c| matches!(c, Cmd::Search { .. }));
    answer_all(&mut app, cmds, &mirror, t0());
    assert!(asked && app.search_view(Pane::Links).is_some_and(|s| s.total.is_some()), "the search came back");
    // A view saved now outlives a profile switch, as the file's do.
    typed(&mut app, ":save mine", t0());
    press(&mut app, KeyCode::Enter, t0());
    let info = ProfileInfo {
        name: "other".into(),
        environment: Environment::Test,
        read_only: false,
        store: StoreKind::File,
        zone: crate::zone::Zone::utc(),
        agent: "alice".into(),
    };
    app.settings.profiles = vec!["other".into()];
    typed(&mut app, ":profile other", t0());
    press(&mut app, KeyCode::Enter, t0());
    app.update(Msg::ProfileSwitched(Ok(info)), t0());
    let names: Vec<String> = app.views().map(|v| v.name.clone()).collect();
    assert_eq!(names, ["active", "mine"]);
    assert_eq!(app.tab(), Tab::Pane(Pane::Links));
}

#[test]
fn saving_over_the_view_on_screen_shows_the_new_one_and_a_click_opens_a_view() {
    let (mut app, mirror) = with_views(vec![def("active", "status:active", None, Some("u"))]);
    app.settings.config_path = Some("/tmp/pik-tui-test-config.toml".into());
    let cmds = key(&mut app, 'u', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    typed(&mut app, ":sort amount", t0());
    press(&mut app, KeyCode::Enter, t0());
    typed(&mut app, ":save! active", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.tab(), Tab::View(0), "still on screen");
    assert_eq!(app.views().next().map(|v| (v.sort_words(), v.key)), Some(("amount desc".into(), Some('u'))));
    assert_eq!(app.sort_of(Pane::Links).map(|s| s.written()), Some("amount desc".into()));
    // The header's last tab is the view: a click there opens it.
    let cmds = key(&mut app, '2', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    let (start, labels) = app.header_tabs();
    let spans = layout::tab_spans(&labels, start);
    let Some((x, _)) = spans.last() else { panic!("no tabs") };
    app.update(Msg::Mouse(Mouse { kind: input::MouseKind::Click, column: *x + 1, row: 0 }), t0());
    assert_eq!(app.tab(), Tab::View(0));
}

/// Types `text` and returns the commands the last key asked for.
fn typed_cmds(app: &mut App, text: &str) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    for c in text.chars() {
        cmds.extend(key(app, c, t0()));
    }
    cmds
}

#[test]
fn a_search_in_a_view_never_leaves_it_and_save_keeps_only_what_is_on_screen() {
    let (mut app, mirror) = with_views(vec![def("active", "status:active", None, Some("u"))]);
    app.settings.config_path = Some("/tmp/pik-tui-test-config.toml".into());
    let cmds = key(&mut app, 'u', t0());
    answer_all(&mut app, cmds, &mirror, t0());
    // Typing another status searches within the view: no row is both.
    key(&mut app, '/', t0());
    let cmds = typed_cmds(&mut app, "status:paid");
    answer_all(&mut app, cmds, &mirror, t0());
    assert!(app.search_view(Pane::Links).is_some_and(|s| s.query().contradicts && s.total == Some(0)));
    press(&mut app, KeyCode::Esc, t0());
    // The pane's own filter against the view's: nothing on screen, nothing saved.
    key(&mut app, 's', t0());
    key(&mut app, 's', t0()); // paid
    typed(&mut app, ":save both", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::SaveView { .. })), "{cmds:?}");
    assert!(app.notice().is_some_and(|n| n.text.contains("do not write as one query")));
    // The same status twice is one query: saved.
    key(&mut app, 's', t0()); // expired
    key(&mut app, 's', t0()); // deactivated
    key(&mut app, 's', t0()); // all
    key(&mut app, 's', t0()); // active
    typed(&mut app, ":save still active", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    let saved = cmds.iter().find_map(|c| match c {
        Cmd::SaveView { view, .. } => Some(view.query.clone()),
        _ => None,
    });
    assert_eq!(saved.as_deref(), Some("status:active status:active"));
}
