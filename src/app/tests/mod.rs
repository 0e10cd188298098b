//! `App::update`: messages in, state and commands out, on a test clock.
//! Rows, the fake PIK and errors come from `crate::test_support`.

mod exports;
mod keys;
mod notices;
mod overview;
mod polling;
mod writes;

use super::*;
use crate::human::{age_words, group_thousands};
use crate::test_support::{FakePik, answer_all, fetches, t0};
use input::{Key, Mouse};
use std::time::Duration as StdDuration;

fn app() -> App {
    App::new(Settings::default(), 120, 40, t0())
}

fn key(app: &mut App, c: char, now: DateTime<Utc>) -> Vec<Cmd> {
    app.update(Msg::Key(Key::char(c)), now)
}

fn press(app: &mut App, code: input::KeyCode, now: DateTime<Utc>) -> Vec<Cmd> {
    app.update(Msg::Key(Key::plain(code)), now)
}

fn typed(app: &mut App, text: &str, now: DateTime<Utc>) {
    for c in text.chars() {
        key(app, c, now);
    }
}

/// The first page request for `pane` in `cmds`.
fn request_for(cmds: &[Cmd], pane: Polled) -> Option<(RequestId, PageRequest)> {
    cmds.iter().find_map(|c| match c {
        Cmd::FetchPage { request, page, .. } if page.pane() == pane => Some((*request, page.clone())),
        _ => None,
    })
}

/// An app that has loaded the first page of every pane from a fake PIK
/// with `newest` links.
fn started(newest: u64) -> (App, FakePik) {
    let pik = FakePik::numbered(newest);
    let mut app = app();
    let cmds = app.update(Msg::Tick, t0());
    assert_eq!(fetches(&cmds), [(Polled::Links, 0), (Polled::Transactions, 0), (Polled::Webhooks, 0)]);
    let rest = answer_all(&mut app, cmds, &pik, t0());
    assert!(fetches(&rest).is_empty(), "nothing more until the selection moves: {rest:?}");
    (app, pik)
}

#[test]
fn small_numbers_read_well() {
    assert_eq!(group_thousands(1004), "1,004");
    assert_eq!(group_thousands(100), "100");
    assert_eq!(group_thousands(1_234_567), "1,234,567");
    assert_eq!(age_words(Duration::seconds(3)), "3 s ago");
    assert_eq!(age_words(Duration::seconds(125)), "2 min ago");
}
