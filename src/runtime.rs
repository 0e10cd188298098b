//! The terminal and the event loop. Terminal events, ticks and worker results
//! all become `Msg`s; `App::update` answers with `Cmd`s for the worker. The
//! screen is redrawn only when the app says something changed.
//!
//! The terminal is restored on every way out: `q`, Ctrl-C, an error, a panic
//! (panic hook), SIGTERM and SIGHUP (an SSH connection that dropped).

use crate::api::Client;
use crate::app::input::{Key, KeyCode, Mouse, MouseKind};
use crate::app::{App, Cmd, Msg, ProfileInfo, Settings};
use crate::mirror::Mirror;
use crate::store::Change;
use crate::ui::{self, Theme};
use crate::worker::Worker;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event, EventStream,
    KeyEventKind, KeyModifiers, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use futures_util::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::Write;
use tokio::sync::broadcast;

/// What the dashboard talks to: PIK through a client (objects by id and
/// writes), and the account's mirror with its sync (everything listed).
pub struct Connection {
    pub client: Client,
    pub mirror: Mirror,
}

/// Resolves a profile by name and connects to its account (`:profile NAME`).
pub type ProfileSwitcher = Box<dyn Fn(&str) -> Result<(Connection, ProfileInfo), String> + Send + Sync>;

pub struct RunOptions {
    pub settings: Settings,
    pub mouse: bool,
    pub theme: Theme,
    /// What a local listener hears (the demo's): verified events for the
    /// Events pane, refusals for the Overview ([`Msg::Event`], [`Msg::Refused`]).
    pub heard: Option<tokio::sync::mpsc::UnboundedReceiver<Msg>>,
    pub switch_profile: Option<ProfileSwitcher>,
    /// Words to show once the screen is up (a mirror moved aside, say).
    pub notes: Vec<String>,
}

/// The next word from the listener, or never when there is none.
async fn next_heard(heard: &mut Option<tokio::sync::mpsc::UnboundedReceiver<Msg>>) -> Msg {
    match heard {
        Some(receiver) => match receiver.recv().await {
            Some(msg) => msg,
            None => std::future::pending().await,
        },
        None => std::future::pending().await,
    }
}

/// The store's next notice, with any others already waiting (a backfill
/// writes page after page: the screen reads once for them all).
async fn next_notice(notices: &mut broadcast::Receiver<Change>) -> Change {
    let mut change = match notices.recv().await {
        Ok(change) => change,
        // Notices were missed: anything may have changed.
        Err(broadcast::error::RecvError::Lagged(_)) => Change::anything(),
        Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
    };
    loop {
        match notices.try_recv() {
            Ok(more) => change.add(more),
            Err(broadcast::error::TryRecvError::Lagged(_)) => change.add(Change::anything()),
            Err(_) => return change,
        }
    }
}

/// The mirror's next word: its status, what its store changed, or the
/// transactions its sync found new or moved live.
async fn next_from_mirror(mirror: &mut Mirror) -> Msg {
    tokio::select! {
        changed = mirror.status.changed() => match changed {
            Ok(()) => Msg::Mirror(mirror.status.borrow_and_update().clone()),
            // The sync is gone; its last word stands.
            Err(_) => std::future::pending().await,
        },
        Some(changes) = mirror.changes.recv() => Msg::Changes(changes),
        change = next_notice(&mut mirror.notices) => Msg::StoreChanged(change),
    }
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let mut out = std::io::stdout();
    let _ = execute!(out, DisableMouseCapture, DisableBracketedPaste, LeaveAlternateScreen, crossterm::cursor::Show);
    let _ = out.flush();
}

/// Restores the terminal when dropped: on return, on `?`, on unwinding.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Leave the alternate screen first, so the message can be read.
        restore_terminal();
        previous(info);
    }));
}

fn translate(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            use crossterm::event::KeyCode as C;
            let code = match key.code {
                C::Char(c) => KeyCode::Char(c),
                C::Enter => KeyCode::Enter,
                C::Esc => KeyCode::Esc,
                C::Backspace => KeyCode::Backspace,
                C::Delete => KeyCode::Delete,
                C::Tab if key.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
                C::Tab => KeyCode::Tab,
                C::BackTab => KeyCode::BackTab,
                C::Up => KeyCode::Up,
                C::Down => KeyCode::Down,
                C::Left => KeyCode::Left,
                C::Right => KeyCode::Right,
                C::PageUp => KeyCode::PageUp,
                C::PageDown => KeyCode::PageDown,
                C::Home => KeyCode::Home,
                C::End => KeyCode::End,
                _ => return None,
            };
            Some(Msg::Key(Key {
                code,
                ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
                alt: key.modifiers.contains(KeyModifiers::ALT),
            }))
        }
        Event::Mouse(mouse) => {
            let kind = match mouse.kind {
                MouseEventKind::ScrollDown => MouseKind::ScrollDown,
                MouseEventKind::ScrollUp => MouseKind::ScrollUp,
                MouseEventKind::Down(crossterm::event::MouseButton::Left) => MouseKind::Click,
                _ => return None,
            };
            Some(Msg::Mouse(Mouse { kind, column: mouse.column, row: mouse.row }))
        }
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        _ => None,
    }
}

/// SIGTERM (asked to stop) and SIGHUP (the SSH connection dropped).
struct QuitSignals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

impl QuitSignals {
    fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self { terminate: signal(SignalKind::terminate())?, hangup: signal(SignalKind::hangup())? })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Waits for the next one and names it.
    async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.terminate.recv() => "SIGTERM",
                _ = self.hangup.recv() => "SIGHUP",
            }
        }
        #[cfg(not(unix))]
        std::future::pending().await
    }
}

/// Runs the dashboard until the user quits or the terminal goes away.
pub async fn run(connection: Connection, options: RunOptions) -> anyhow::Result<()> {
    let Connection { client, mut mirror } = connection;
    let mut signals = QuitSignals::new()?;
    install_panic_hook();
    enable_raw_mode()?;
    let _guard = TerminalGuard;
    let mut stdout = std::io::stdout();
    execute!(stdout, EnterAlternateScreen, EnableBracketedPaste, crossterm::cursor::Hide)?;
    if options.mouse {
        execute!(stdout, EnableMouseCapture)?;
    }
    // Nothing here may ask the terminal a question and wait for the answer:
    // ratatui's clear() asks for the cursor position and fails when no answer
    // comes in time (a slow SSH link, a terminal that does not answer). So
    // the size comes from the tty (an ioctl), the viewport is fixed to it,
    // and resizes are applied from Resize events.
    let (width, height) = crossterm::terminal::size()?;
    let viewport = TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, width, height)) };
    let mut terminal = Terminal::with_options(CrosstermBackend::new(std::io::stdout()), viewport)?;
    // Not `terminal.clear()`: it too asks for the cursor position.
    execute!(std::io::stdout(), crossterm::terminal::Clear(crossterm::terminal::ClearType::All))?;
    let size = Rect::new(0, 0, width, height);

    let (results_tx, mut results) = tokio::sync::mpsc::unbounded_channel();
    let mut worker = Worker::for_connection(client, mirror.store.clone(), results_tx.clone());
    if !options.notes.is_empty() {
        // One footer line: a second note would replace the first.
        let _ = results_tx.send(Msg::Note(options.notes.join(" · ")));
    }
    let mut heard = options.heard;
    let in_tmux = std::env::var_os("TMUX").is_some();
    let mut app = App::new(options.settings, size.width, size.height, chrono::Utc::now());
    let mut events = EventStream::new();
    // The OSC 8 links on screen, and whether the screen was redrawn whole.
    let mut links: Vec<ui::hyperlinks::Placement> = Vec::new();
    let mut resized = false;
    // Time is looked at as seldom as the app allows (`App::tick_within`):
    // wake-ups are most of an idle dashboard's CPU.
    let mut tick_at = tokio::time::Instant::now() + app.tick_within();
    let tick = tokio::time::sleep_until(tick_at);
    tokio::pin!(tick);

    loop {
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => translate(event),
                Some(Err(err)) => return Err(err.into()),
                None => return Ok(()),
            },
            Some(msg) = results.recv() => Some(msg),
            () = &mut tick => Some(Msg::Tick),
            msg = next_heard(&mut heard) => Some(msg),
            msg = next_from_mirror(&mut mirror) => Some(msg),
            name = signals.next() => {
                tracing::info!("{name}: quitting");
                return Ok(());
            }
        };
        let Some(msg) = msg else { continue };
        let ticked = matches!(msg, Msg::Tick);
        #[cfg(feature = "test-panic")]
        if matches!(&msg, Msg::Key(key) if key.code == KeyCode::Char('p') && key.ctrl)
            && std::env::var_os("PIK_TUI_TEST_PANIC").is_some()
        {
            panic!("test panic (test-panic feature), to check the terminal is restored");
        }
        if let Msg::Resize { width, height } = msg {
            terminal.resize(Rect::new(0, 0, width, height))?;
            resized = true;
        }
        for cmd in app.update(msg, chrono::Utc::now()) {
            match cmd {
                Cmd::Quit => return Ok(()),
                Cmd::Bell => {
                    let _ = terminal.backend_mut().write_all(b"\x07");
                    let _ = terminal.backend_mut().flush();
                }
                Cmd::Notify { how, text } => {
                    let sequence = crate::desktop_notice::sequence(how, &text, in_tmux);
                    let _ = terminal.backend_mut().write_all(sequence.as_bytes());
                    let _ = terminal.backend_mut().flush();
                }
                Cmd::Copy(text) => {
                    let _ = terminal.backend_mut().write_all(crate::clipboard::osc52(&text).as_bytes());
                    let _ = terminal.backend_mut().flush();
                }
                Cmd::SwitchProfile(name) => {
                    let switched = match &options.switch_profile {
                        Some(switch) => switch(&name),
                        None => Err("profiles need a config file".to_string()),
                    };
                    // The answer goes round the loop like any other, so the
                    // app sees it after the commands of this message.
                    let answer = switched.map(|(connection, info)| {
                        // The old account's sync stops as its mirror drops.
                        mirror = connection.mirror;
                        worker = Worker::for_connection(connection.client, mirror.store.clone(), results_tx.clone());
                        info
                    });
                    let _ = results_tx.send(Msg::ProfileSwitched(answer));
                }
                Cmd::Focus(focus) => {
                    if let Some(sender) = &mirror.focus {
                        sender.send_replace(focus);
                    }
                }
                Cmd::LoadZone(name) => {
                    let found = crate::zone::Zone::named(&name).map_err(|e| e.to_string());
                    let _ = results_tx.send(Msg::Zone(found));
                }
                other => worker.run(other),
            }
        }
        // A tick comes when the app next needs one; any other message may
        // only bring it nearer (a stream of them never holds it off).
        let due = tokio::time::Instant::now() + app.tick_within();
        let next = if ticked { due } else { tick_at.min(due) };
        if next != tick_at {
            tick_at = next;
            tick.as_mut().reset(tick_at);
        }
        if app.take_dirty() {
            let targets = ui::hyperlinks::targets(&app);
            let completed = terminal.draw(|frame| ui::draw(frame, &app, &options.theme))?;
            let placed = ui::hyperlinks::place(completed.buffer, &targets);
            // Cells ratatui rewrote lose their link, and it rewrites only
            // cells that changed: so writing links again when the set of
            // them changes (or the screen was resized) keeps them all.
            if placed != links || resized {
                write_links(terminal.backend_mut(), &placed)?;
            }
            links = placed;
            resized = false;
        }
    }
}

/// Writes each placed text again, in its cells' style, inside an OSC 8
/// sequence (the URL comes from `hyperlink`: checked, plain ASCII).
fn write_links(out: &mut impl Write, placed: &[ui::hyperlinks::Placement]) -> std::io::Result<()> {
    use crossterm::style::{Attribute, Print, SetAttribute, SetStyle};
    use ratatui::backend::IntoCrossterm;
    for link in placed {
        crossterm::queue!(
            out,
            crossterm::cursor::MoveTo(link.x, link.y),
            SetAttribute(Attribute::Reset),
            SetStyle(link.style.into_crossterm()),
            Print(crate::hyperlink::wrap(&link.url, &link.text)),
            SetAttribute(Attribute::Reset),
        )?;
    }
    out.flush()
}
