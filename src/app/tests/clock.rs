//! How often the app asks to be told the time.

use super::*;
use crate::test_support::page;

#[test]
fn time_is_looked_at_only_as_often_as_the_screen_needs() {
    let (mut app, _) = started(300);
    let (rest, second) = (std::time::Duration::from_secs(2), std::time::Duration::from_secs(1));
    assert_eq!(app.tick_within(), rest, "at rest ages move in tens of seconds");
    // The open detail is read every refresh: the tick comes no later than that.
    let cmds = press(&mut app, input::KeyCode::Enter, t0());
    for cmd in cmds {
        match cmd {
            Cmd::FetchLinkTransactions { request, link_id } => {
                app.update(Msg::LinkTransactions { request, link_id, result: Ok(page(vec![], 0)) }, t0());
            }
            Cmd::FetchLink { request, id } => {
                let found = Found::Link(crate::test_support::link(&id));
                app.update(Msg::Object { request, result: Ok(found) }, t0());
            }
            _ => {}
        }
    }
    let soon = t0() + Duration::milliseconds(4_600);
    app.update(Msg::Tick, soon);
    assert_eq!(app.tick_within(), std::time::Duration::from_millis(400), "the detail's next read");
    // A move: the detail follows the selection after its 250 ms debounce.
    press(&mut app, input::KeyCode::Down, soon);
    assert_eq!(app.tick_within(), std::time::Duration::from_millis(250));
    // A countdown in seconds on screen: every second.
    press(&mut app, input::KeyCode::Esc, soon);
    assert_eq!(app.tick_within(), rest, "the detail closed");
    let trouble = crate::sync::Trouble {
        summary: "PIK unreachable".into(),
        unreachable: true,
        status: None,
        retry_at: soon + Duration::seconds(30),
    };
    let failing =
        MirrorStatus { pik: crate::sync::Health { ok_at: Some(t0()), trouble: Some(trouble) }, ..up_to_date_at(t0()) };
    app.update(Msg::Mirror(failing), soon);
    assert_eq!(app.tick_within(), second, "retrying in 30 s, 29 s, …");
    // Looked at between two of its seconds: when it next drops one.
    app.update(Msg::Tick, soon + Duration::milliseconds(300));
    assert_eq!(app.tick_within(), std::time::Duration::from_millis(701));
}
