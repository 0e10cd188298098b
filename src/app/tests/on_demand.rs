//! A mirror that holds only what the agent scrolled to: asked for more near
//! the end of what it holds, never more and more while the list lags it.

use super::*;
use crate::api::LinkStatus;
use crate::app::pane::LinkFilter;
use crate::store::Batch;
use crate::sync::{MirrorStatus, Progress};
use crate::test_support::numbered_link;

/// What the sync says while it holds `done` of PIK's 5,000 links.
fn holding(done: u64) -> MirrorStatus {
    MirrorStatus { links: Progress { done, total: Some(5_000), complete: false }, ..MirrorStatus::default() }
}

#[test]
fn a_filtered_list_on_a_mirror_of_rows_scrolled_to_asks_for_more_after_the_sync_said_it_holds_them() {
    let mut links: Vec<_> = (1..=100).rev().map(|n| numbered_link(n, LinkStatus::Active)).collect();
    links[40].status = LinkStatus::Paid;
    let mirror = TestMirror::holding(links, vec![], vec![]);
    let settings = Settings { store: StoreKind::OnDemand(None), ..Settings::default() };
    let mut app = crate::test_support::loaded_app(settings, 120, 40, &mirror);
    app.update(Msg::Mirror(holding(100)), t0());
    app.links.set_filter(LinkFilter { status: Some(LinkStatus::Paid) });
    let cmds = app.update(Msg::Tick, t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.focus.as_ref().map(|f| f.wanted[0]), Some(200), "one paid link: the end of what is held");
    // The sync saves the next 100 and says so only after the list read them
    // (the store announces a save before the sync counts it).
    let more: Vec<_> = (101..=200).map(|n| numbered_link(n, LinkStatus::Active)).collect();
    let change = mirror.save(Batch { links: more, ..Batch::default() });
    let cmds = app.update(Msg::StoreChanged(change), t0());
    answer_all(&mut app, cmds, &mirror, t0());
    app.update(Msg::Mirror(holding(200)), t0());
    assert_eq!(app.focus.as_ref().map(|f| f.wanted[0]), Some(300), "still one paid link: 100 more");
}

#[test]
fn a_mirror_of_rows_scrolled_to_is_not_asked_for_more_while_the_list_lags_the_sync() {
    let mirror = TestMirror::numbered(100);
    let settings = Settings { store: StoreKind::OnDemand(None), ..Settings::default() };
    let mut app = crate::test_support::loaded_app(settings, 120, 40, &mirror);
    // The top of the list is within three screens of what it holds: 100 more.
    let cmds = app.update(Msg::Mirror(holding(100)), t0());
    assert_eq!(focus_of(&cmds).map(|f| f.wanted[0]), Some(200));
    // The sync holds them and says so before the list is read again: the
    // list's 100 rows are not the end of what the mirror holds.
    let cmds = app.update(Msg::Mirror(holding(200)), t0());
    assert_eq!(focus_of(&cmds).map(|f| f.wanted[0]), None, "asked again: {cmds:?}");
    assert_eq!(app.focus.as_ref().map(|f| f.wanted[0]), Some(200));
}

#[test]
fn a_mirror_of_rows_scrolled_to_is_asked_for_more_near_its_end_and_a_whole_one_ends() {
    let mirror = TestMirror::numbered(100);
    let settings = Settings { store: StoreKind::OnDemand(None), ..Settings::default() };
    let mut app = crate::test_support::loaded_app(settings, 120, 40, &mirror);
    app.update(Msg::Mirror(holding(100)), t0());
    let mut wanted = None;
    for _ in 0..60 {
        let cmds = key(&mut app, 'j', t0());
        wanted = focus_of(&cmds).map(|f| f.wanted[0]).or(wanted);
        answer_all(&mut app, cmds, &mirror, t0());
    }
    assert_eq!(wanted, Some(200), "a page more than it holds");
    key(&mut app, 'G', t0());
    assert!(app.more_coming(Pane::Links), "the end of what it holds is not the list's");
    // Once the backfill reached PIK's end, the list ends there: no endless loading.
    let whole = holding(100);
    app.update(Msg::Mirror(MirrorStatus { links: Progress { complete: true, ..whole.links }, ..whole }), t0());
    assert!(!app.more_coming(Pane::Links));
}
