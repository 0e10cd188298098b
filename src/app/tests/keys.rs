//! Keys, the mouse, pastes, the `/` and `:` prompts, jumps and profiles.

use super::*;
use crate::api::TransactionStatus;
use crate::app::input::{KeyCode, MouseKind};
use crate::app::keymap::{Action, Binding, Context, PaneSet, Scope, UserKey};
use crate::test_support::{numbered_txn, refusal};

#[test]
fn the_text_filter_of_a_short_list_narrows_as_you_type_and_esc_restores() {
    let (mut app, _) = started(300);
    key(&mut app, '3', t0());
    typed(&mut app, "/example.com/wh_2", t0());
    assert_eq!(app.webhooks.list.visible_len(), 1);
    press(&mut app, KeyCode::Enter, t0());
    assert!(matches!(app.mode(), Mode::Normal));
    assert_eq!(app.webhooks.list.text_filter(), "example.com/wh_2");
    key(&mut app, '/', t0());
    key(&mut app, 'x', t0());
    assert_eq!(app.webhooks.list.visible_len(), 0);
    press(&mut app, KeyCode::Esc, t0());
    assert_eq!(app.webhooks.list.text_filter(), "example.com/wh_2", "Esc restores the previous filter");
    press(&mut app, KeyCode::Esc, t0());
    assert_eq!(app.webhooks.list.visible_len(), 2, "Esc in the list clears it");
    // The prompt edits like the forms: word delete.
    typed(&mut app, "/example wh", t0());
    app.update(Msg::Key(Key::ctrl('w')), t0());
    assert_eq!(app.webhooks.list.text_filter(), "example");
}

#[test]
fn jumping_to_a_pasted_id_fetches_it_and_opens_its_detail() {
    let (mut app, _) = started(300);
    app.update(Msg::Paste("  txn_04242\n".into()), t0());
    assert!(matches!(app.mode(), Mode::Command(prompt) if prompt.text() == "txn_04242"));
    let cmds = press(&mut app, KeyCode::Enter, t0());
    let Some(request) = cmds.iter().find_map(|c| match c {
        Cmd::FetchTransaction { request, id } if id == "txn_04242" => Some(*request),
        _ => None,
    }) else {
        panic!("no fetch: {cmds:?}")
    };
    let found = Found::Transaction(numbered_txn(4242, TransactionStatus::Confirmed));
    app.update(Msg::Object { request, result: Ok(found.clone()) }, t0());
    assert_eq!(app.pane(), Pane::Transactions);
    assert!(app.detail_open());
    assert_eq!(app.detail().and_then(|d| d.object.clone()), Some(found));

    // A link that is not there says so.
    typed(&mut app, ":pl_nope", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    let Some(request) = cmds.iter().find_map(|c| match c {
        Cmd::FetchLink { request, .. } => Some(*request),
        _ => None,
    }) else {
        panic!("{cmds:?}")
    };
    app.update(Msg::Object { request, result: Err(refusal(404, "not found (404)")) }, t0());
    assert_eq!(app.notice().map(|n| n.text.as_str()), Some("no payment link pl_nope"));

    // Webhooks are looked up in the (complete) list: PIK has no get-one.
    typed(&mut app, ":wh_1", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::FetchLink { .. } | Cmd::FetchTransaction { .. })));
    assert_eq!((app.pane(), app.webhooks.list.selected_row().map(|w| w.id.as_str())), (Pane::Webhooks, Some("wh_1")));
    typed(&mut app, ":nonsense", t0());
    press(&mut app, KeyCode::Enter, t0());
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.starts_with("unknown command")));
}

#[test]
fn keys_per_pane() {
    let (mut app, _) = started(300);
    assert_eq!(key(&mut app, 'q', t0()), [Cmd::Quit]);
    assert_eq!(app.update(Msg::Key(Key::ctrl('c')), t0()), [Cmd::Quit]);
    key(&mut app, '3', t0());
    typed(&mut app, ":status active", t0());
    press(&mut app, KeyCode::Enter, t0());
    assert!(app.notice().is_some_and(|n| n.text.contains("no status filter")));
    key(&mut app, 'c', t0());
    assert_eq!(app.transactions.filter, TransactionFilter::default(), "c is for transactions only");
    press(&mut app, KeyCode::Tab, t0());
    assert_eq!(app.pane(), Pane::Search);
    press(&mut app, KeyCode::BackTab, t0());
    assert_eq!(app.pane(), Pane::Webhooks);
    key(&mut app, '?', t0());
    assert!(matches!(app.mode(), Mode::Help { .. }));
    key(&mut app, 'j', t0());
    assert!(matches!(app.mode(), Mode::Help { scroll: 1 }), "the help scrolls");
    key(&mut app, 'x', t0());
    assert!(matches!(app.mode(), Mode::Normal));
    key(&mut app, '1', t0());
    key(&mut app, 'G', t0());
    assert_eq!(app.links.list.selected(), 299, "the list's last row, not the last one held");
    key(&mut app, 'g', t0());
    assert_eq!(app.links.list.selected(), 0);
    // Enter opens the detail and fetches the link and its transactions.
    let cmds = press(&mut app, KeyCode::Enter, t0());
    assert!(cmds.iter().any(|c| matches!(c, Cmd::FetchLinkTransactions { link_id, .. } if link_id == "pl_00300")));
    assert!(app.detail_open());
    press(&mut app, KeyCode::Esc, t0());
    assert!(!app.detail_open());
    // p pauses live updates, and r asks the sync for what is on screen.
    let (mut app, _) = started(300);
    key(&mut app, 'p', t0());
    assert!(app.paused());
    let cmds = key(&mut app, 'p', t0() + Duration::seconds(61));
    assert!(cmds.iter().any(|c| matches!(c, Cmd::Focus(f) if f.asked == 1)), "resuming refreshes at once");
}

#[test]
fn the_mouse_selects_rows_and_tabs_and_scrolls() {
    let (mut app, _) = started(300);
    let rows = app.screen().table_rows();
    app.update(Msg::Mouse(Mouse { kind: MouseKind::Click, column: rows.x + 2, row: rows.y + 4 }), t0());
    assert_eq!(app.links.list.selected(), 4);
    app.update(Msg::Mouse(Mouse { kind: MouseKind::ScrollDown, column: 5, row: 5 }), t0());
    assert_eq!(app.links.list.selected(), 7);
    let (start, labels) = app.header_tabs();
    let spans = layout::tab_spans(&labels, start);
    app.update(Msg::Mouse(Mouse { kind: MouseKind::Click, column: spans[2].0 + 1, row: 0 }), t0());
    assert_eq!(app.pane(), Pane::Transactions);
}

#[test]
fn a_user_keymap_drives_the_app() {
    let lines = [UserKey { line: 2, key: "ctrl-n".into(), action: "new_link".into() }];
    let Ok(keymap) = keymap::Keymap::with_user(&lines) else { panic!("refused") };
    let mut app = App::new(Settings { keymap, ..Settings::default() }, 120, 40, t0());
    app.update(Msg::Key(Key::ctrl('n')), t0());
    assert!(matches!(app.mode(), Mode::NewLink(_)));
}

#[test]
fn a_binding_added_to_the_table_shows_in_the_footer_and_help_and_writes_hide_in_read_only() {
    let mut bindings = keymap::Keymap::default().bindings().to_vec();
    bindings.push(Binding {
        action: Action::Refresh,
        keys: vec![Key::char('R')],
        scope: Scope::Panes(PaneSet::of(&[Pane::Links])),
        write: true,
        hint: Some("big red button"),
        help: "press the big red button",
    });
    let keymap = keymap::Keymap::from_bindings(bindings);
    let hints = keymap.hints(Context::Pane(Pane::Links), false, |_| true);
    assert!(hints.iter().any(|h| h.keys == "R" && h.words == "big red button"), "{hints:?}");
    let help = keymap.help(false, |_| true);
    assert!(help.iter().any(|h| h.keys == "R" && h.words == "press the big red button"), "{help:?}");
    assert!(!keymap.hints(Context::Pane(Pane::Links), true, |_| true).iter().any(|h| h.words == "big red button"));
    assert!(!keymap.help(true, |_| true).iter().any(|h| h.words == "press the big red button"));
    // And the app refuses it in read-only mode.
    let settings = Settings { keymap, read_only: true, ..Settings::default() };
    let mut app = App::new(settings, 120, 40, t0());
    key(&mut app, 'R', t0());
    assert!(app.notice().is_some_and(|n| n.text.contains("read-only")));
}

#[test]
fn switching_profile_clears_the_old_rows_and_ignores_late_answers() {
    let (mut app, mirror) = started(300);
    app.settings.profiles = vec!["test".into(), "live".into()];
    app.settings.profile = Some("test".into());
    // A read for the old profile goes out and is still on its way.
    let late = key(&mut app, 's', t0());
    assert!(!reads(&late).is_empty());
    typed(&mut app, ":profile nope", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::SwitchProfile(_))));
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.contains("no profile")));
    typed(&mut app, ":profile live", t0());
    let cmds = press(&mut app, KeyCode::Enter, t0());
    assert!(cmds.contains(&Cmd::SwitchProfile("live".into())));
    assert_eq!(app.switching(), Some("live"));
    assert!(reads(&app.update(Msg::Tick, t0() + Duration::seconds(9))).is_empty(), "nothing read meanwhile");
    let zone = crate::zone::Zone::utc();
    let info = ProfileInfo {
        name: "live".into(),
        environment: Environment::Live,
        read_only: true,
        store: StoreKind::File,
        zone,
        agent: "alice@live".into(),
    };
    let cmds = app.update(Msg::ProfileSwitched(Ok(info)), t0() + Duration::seconds(10));
    assert_eq!(app.links.list.loaded(), 0, "no row of the old profile is kept");
    assert_eq!((app.settings.environment, app.settings.read_only), (Environment::Live, true));
    assert_eq!(app.settings.agent, "alice@live", "acts under the new profile are its agent's");
    assert!(window_ask(&cmds, Kinds::Links).is_some(), "the new profile is read at once");
    // The old profile's answer arrives late: ignored.
    answer_all(&mut app, late, &mirror, t0() + Duration::seconds(11));
    assert_eq!(app.links.list.loaded(), 0);
    // A failed switch says why and keeps the profile.
    typed(&mut app, ":profile test", t0() + Duration::seconds(12));
    press(&mut app, KeyCode::Enter, t0() + Duration::seconds(12));
    app.update(Msg::ProfileSwitched(Err("cannot read the key file".into())), t0() + Duration::seconds(13));
    assert_eq!(app.settings.profile.as_deref(), Some("live"));
    assert!(app.notice().is_some_and(|n| n.is_error && n.text.contains("cannot read the key file")));
}
