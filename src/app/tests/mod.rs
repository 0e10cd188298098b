//! `App::update`: messages in, state and commands out, on a test clock.
//! Rows, the mirror in memory and errors come from `crate::test_support`.

mod case_handling;
mod clock;
mod exports;
mod keys;
mod marks;
mod notices;
mod on_demand;
mod overview;
mod reading;
mod sorting;
mod views;
mod writes;

use super::*;
use crate::human::{age_words, group_thousands};
use crate::store::{Kinds, WindowAsk};
use crate::test_support::{TestMirror, answer_all, reads, t0};
use input::{Key, Mouse};
use list::{ListOps, News};

/// What the sync was told, if it was told anything.
fn focus_of(cmds: &[Cmd]) -> Option<crate::sync::Focus> {
    cmds.iter().find_map(|c| match c {
        Cmd::Focus(focus) => Some(focus.clone()),
        _ => None,
    })
}

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

/// The window asked for of a list of `kinds` in `cmds`.
fn window_ask(cmds: &[Cmd], kinds: Kinds) -> Option<WindowAsk> {
    reads(cmds).into_iter().find_map(|ask| match ask {
        ListAsk::Window(ask) if ask.query.filter.kinds == kinds => Some(*ask),
        _ => None,
    })
}

/// An app that has read every list from a mirror of `newest` links.
fn started(newest: u64) -> (App, TestMirror) {
    let mirror = TestMirror::numbered(newest);
    let mut app = app();
    let mut cmds = app.update(Msg::Mirror(up_to_date_at(t0())), t0());
    cmds.extend(app.update(Msg::Tick, t0()));
    assert_eq!(reads(&cmds).len(), 3, "the three lists: {cmds:?}");
    let rest = answer_all(&mut app, cmds, &mirror, t0());
    assert!(reads(&rest).is_empty(), "nothing more until the selection moves: {rest:?}");
    (app, mirror)
}

/// The sync's word that the mirror holds the whole account, as of `at`.
fn up_to_date_at(at: DateTime<Utc>) -> MirrorStatus {
    let whole = crate::sync::Progress { done: 0, total: None, complete: true };
    MirrorStatus {
        phase: crate::sync::Phase::UpToDate,
        links: whole,
        transactions: whole,
        synced_at: Some(at),
        pik: crate::sync::Health { ok_at: Some(at), trouble: None },
    }
}

#[test]
fn small_numbers_read_well() {
    assert_eq!(group_thousands(1004), "1,004");
    assert_eq!(group_thousands(100), "100");
    assert_eq!(group_thousands(1_234_567), "1,234,567");
    assert_eq!(age_words(Duration::seconds(3)), "just now");
    assert_eq!(age_words(Duration::seconds(10)), "10 s ago");
    assert_eq!(age_words(Duration::seconds(59)), "50 s ago");
    assert_eq!(age_words(Duration::seconds(125)), "2 min ago");
}
