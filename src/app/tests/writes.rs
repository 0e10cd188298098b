//! The write paths: one submit path, locked dialogs, no retries.

use super::*;
use crate::api::LinkStatus;
use crate::app::input::KeyCode;
use crate::test_support::{link, lost_answer, refusal, write_request};

#[test]
fn a_failed_create_keeps_the_input_unlocks_and_is_not_retried() {
    let (mut app, _) = started(300);
    key(&mut app, 'n', t0());
    typed(&mut app, "75.00", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    let writes: Vec<_> = cmds.iter().filter(|c| matches!(c, Cmd::Write { .. })).collect();
    assert_eq!(writes.len(), 1);
    let Some(request) = write_request(&cmds) else { panic!() };
    // A second Enter while it is in flight sends nothing.
    let again = press(&mut app, KeyCode::Enter, t0());
    assert_eq!(write_request(&again), None);
    let cmds = app.update(Msg::Written { request, result: Err(refusal(422, "request refused (422)")) }, t0());
    assert_eq!(write_request(&cmds), None, "never retried on its own");
    let Mode::NewLink(form) = app.mode() else { panic!("the form closed") };
    assert_eq!(form.amount.value(), "75.00");
    assert!(form.submitting.is_none() && form.failure.as_deref() == Some("request refused (422)"));
    // A timeout after sending: "may have been created", and the list refreshes.
    let cmds = press(&mut app, KeyCode::Enter, t0() + Duration::seconds(1));
    let Some(request) = write_request(&cmds) else { panic!("{cmds:?}") };
    let at = t0() + Duration::seconds(2);
    let cmds = app.update(Msg::Written { request, result: Err(lost_answer()) }, at);
    let asked = cmds.iter().any(|c| matches!(c, Cmd::Focus(focus) if focus.asked == 1));
    assert!(asked, "the sync reads the links at once: {cmds:?}");
    let Mode::NewLink(form) = app.mode() else { panic!("the form closed") };
    assert!(form.failure.as_deref().is_some_and(|f| f.contains("MAY have been created")));
}

#[test]
fn a_created_link_shows_its_result_and_esc_selects_it_on_top() {
    let (mut app, mirror) = started(300);
    key(&mut app, 'n', t0());
    typed(&mut app, "75.00", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    let Some(request) = write_request(&cmds) else { panic!() };
    let created = link("pl_new");
    let cmds = app.update(Msg::Written { request, result: Ok(Written::Link(created.clone())) }, t0());
    assert!(matches!(app.mode(), Mode::Created(_)));
    // The submit path wrote it in the audit log, whatever came of it: the app records nothing twice.
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Record(_))), "{cmds:?}");
    // An answer to a request nobody waits for any more changes nothing.
    app.update(Msg::Written { request, result: Err(refusal(500, "x")) }, t0());
    assert!(matches!(app.mode(), Mode::Created(_)));
    let cmds = key(&mut app, 'y', t0());
    assert!(cmds.contains(&Cmd::Copy("https://pay.pik.global/pl_new".into())));
    press(&mut app, KeyCode::Esc, t0());
    assert!(matches!(app.mode(), Mode::Normal));
    // The worker kept it in the mirror, which says so after the Esc: it is
    // selected as soon as the list holds it.
    let change = mirror.save(crate::store::Batch { links: vec![link("pl_new")], ..Default::default() });
    let cmds = app.update(Msg::StoreChanged(change), t0());
    answer_all(&mut app, cmds, &mirror, t0());
    assert_eq!(app.links.list.selected_row().map(|l| l.id.as_str()), Some("pl_new"));
    assert_eq!(app.news(Pane::Links, "pl_new"), Some(News::New));
}

#[test]
fn deactivating_on_a_server_without_delete_says_so() {
    for status in [404, 405] {
        let (mut app, _) = started(300);
        key(&mut app, 'd', t0());
        let cmds = key(&mut app, 'y', t0());
        let Some(request) = cmds.iter().find_map(|c| match c {
            Cmd::Write { request, write: Write::DeactivateLink { id }, .. } if id == "pl_00300" => Some(*request),
            _ => None,
        }) else {
            panic!("{cmds:?}")
        };
        app.update(Msg::Written { request, result: Err(refusal(status, "x")) }, t0());
        let notice = app.notice().map(|n| n.text.clone()).unwrap_or_default();
        assert!(
            notice.contains("does not support deactivating links") && notice.contains(&status.to_string()),
            "{notice}"
        );
        assert_eq!(app.links.list.selected_row().map(|l| l.status.clone()), Some(LinkStatus::Active));
    }
    // Only active links: a paid one is refused before anything is sent.
    let (mut app, mirror) = started(300);
    let paid = crate::test_support::numbered_link(300, LinkStatus::Paid);
    let change = mirror.save(crate::store::Batch { links: vec![paid], ..Default::default() });
    let cmds = app.update(Msg::StoreChanged(change), t0() + Duration::seconds(5));
    answer_all(&mut app, cmds, &mirror, t0() + Duration::seconds(5));
    key(&mut app, 'd', t0() + Duration::seconds(5));
    assert!(matches!(app.mode(), Mode::Normal));
    assert!(app.notice().is_some_and(|n| n.text.contains("only an active link")));
}

#[test]
fn the_secret_dialog_closes_only_on_enter() {
    let (mut app, _) = started(300);
    key(&mut app, '3', t0());
    key(&mut app, 'n', t0());
    typed(&mut app, "https://merchant.example.com/pik", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    let Some(request) = write_request(&cmds) else { panic!("{cmds:?}") };
    let webhook = crate::test_support::hook("wh_new");
    let secret = crate::api::WebhookSecret::new("whsec_x".into());
    app.update(Msg::Written { request, result: Ok(Written::Webhook(webhook, secret)) }, t0());
    press(&mut app, KeyCode::Esc, t0());
    assert!(matches!(app.mode(), Mode::Secret(_)), "Esc does not close it");
    assert!(app.notice().is_some_and(|n| n.text.contains("press Enter")));
    press(&mut app, KeyCode::Enter, t0());
    assert!(matches!(app.mode(), Mode::Normal));
    assert_eq!(app.webhooks.list.find("wh_new").map(|w| w.id.as_str()), Some("wh_new"));
}
