use super::*;
use crate::app::input::KeyCode;

fn user(line: usize, key: &str, action: &str) -> UserKey {
    UserKey { line, key: key.into(), action: action.into() }
}

#[test]
fn the_defaults_have_no_clashes_and_every_action_a_name() {
    let keymap = Keymap::default();
    for (i, a) in keymap.bindings().iter().enumerate() {
        assert_ne!(a.action.name(), "?", "{:?} has no config name", a.action);
        for b in &keymap.bindings()[i + 1..] {
            if a.scope.overlaps(b.scope) {
                let shared: Vec<_> = a.keys.iter().filter(|k| b.keys.contains(k)).collect();
                assert!(shared.is_empty(), "{:?} and {:?} share {shared:?}", a.action, b.action);
            }
        }
    }
    for (action, name) in NAMES {
        assert_eq!(Action::from_name(name), Some(*action));
    }
}

#[test]
fn keys_parse_as_the_config_writes_them() {
    for (text, key) in [
        ("x", Key::char('x')),
        ("G", Key::char('G')),
        ("?", Key::char('?')),
        ("ctrl-n", Key::ctrl('n')),
        ("Ctrl-N", Key::ctrl('n')),
        ("alt-x", Key { code: KeyCode::Char('x'), ctrl: false, alt: true }),
        ("enter", Key::plain(KeyCode::Enter)),
        ("shift-tab", Key::plain(KeyCode::BackTab)),
        ("space", Key::char(' ')),
        ("pgdn", Key::plain(KeyCode::PageDown)),
    ] {
        assert_eq!(parse_key(text), Ok(key), "{text}");
    }
    for bad in ["", "xy", "ctrl-", "f13", "\u{1b}"] {
        assert!(parse_key(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn a_user_key_takes_over_and_the_defaults_stay() {
    let keymap = Keymap::with_user(&[user(3, "ctrl-n", "new_link"), user(4, "x", "deactivate")]);
    let Ok(keymap) = keymap else { panic!("{keymap:?}") };
    let links = Context::Pane(Pane::Links);
    assert_eq!(keymap.lookup(links, Key::ctrl('n')).map(|b| b.action), Some(Action::NewLink));
    assert_eq!(keymap.lookup(links, Key::char('x')).map(|b| b.action), Some(Action::Deactivate));
    assert_eq!(keymap.lookup(links, Key::char('d')).map(|b| b.action), Some(Action::Deactivate));
    // A user key used by a default elsewhere moves to the user's action there.
    let Ok(keymap) = Keymap::with_user(&[user(1, "d", "first")]) else { panic!() };
    assert_eq!(keymap.lookup(links, Key::char('d')).map(|b| b.action), Some(Action::First));
    // "none" unbinds.
    let Ok(keymap) = Keymap::with_user(&[user(1, "q", "none")]) else { panic!() };
    assert_eq!(keymap.lookup(links, Key::char('q')), None);
}

#[test]
fn clashes_unknown_actions_and_bad_keys_name_their_line() {
    let clash = Keymap::with_user(&[user(2, "x", "deactivate"), user(5, "x", "new_link")]);
    let Err(error) = clash else { panic!("accepted: {clash:?}") };
    assert_eq!(error.line, 5);
    assert!(error.message.contains("line 2") && error.message.contains("deactivate"), "{error}");
    // The same key for actions that never meet is fine.
    assert!(Keymap::with_user(&[user(1, "x", "deactivate"), user(2, "x", "verify")]).is_ok());
    let unknown = Keymap::with_user(&[user(7, "x", "launch_rockets")]);
    assert!(matches!(unknown, Err(KeymapError { line: 7, ref message }) if message.contains("unknown action")));
    let bad = Keymap::with_user(&[user(9, "ctrl+x", "quit")]);
    assert!(matches!(bad, Err(KeymapError { line: 9, .. })));
    let reserved = Keymap::with_user(&[user(4, "ctrl-c", "help")]);
    assert!(matches!(reserved, Err(KeymapError { line: 4, .. })));
}

#[test]
fn hints_merge_neighbours_and_read_only_drops_writes() {
    let keymap = Keymap::default();
    let hints = keymap.hints(Context::Pane(Pane::Links), false, |_| true);
    let shown: Vec<String> = hints.iter().map(|h| format!("{} {}", h.keys, h.words)).collect();
    assert_eq!(shown[0], "↑↓ move");
    assert!(shown.contains(&"d deactivate".to_string()), "{shown:?}");
    let read_only = keymap.hints(Context::Pane(Pane::Links), true, |_| true);
    assert!(!read_only.iter().any(|h| h.words == "deactivate" || h.words == "new link"));
}
