//! Drawing one frame from `&App`. No state changes, no I/O. Every string
//! that came from the API goes through `sanitize` before it is drawn.

mod detail;
mod forms;
mod help;
mod table;
mod theme;

pub use theme::Theme;

use crate::app::layout::{Area, TABS_START, tab_spans};
use crate::app::paged::ListOps;
use crate::app::{App, Environment, Mode, Pane, age_words};
use crate::sanitize::for_terminal;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub(crate) fn rect(area: Area) -> Rect {
    Rect::new(area.x, area.y, area.width, area.height)
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let full = frame.area();
    let screen = app.screen();
    if screen.too_small || full.width < app.size().0 || full.height < app.size().1 {
        let text = format!(
            "terminal too small: {}×{}, need {}×{}",
            full.width,
            full.height,
            crate::app::layout::MIN_WIDTH,
            crate::app::layout::MIN_HEIGHT
        );
        frame.render_widget(Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }), full);
        return;
    }
    header(frame, app, theme, screen.header);
    table::draw(frame, app, theme, screen.table);
    if let Some(area) = screen.detail {
        detail::draw(frame, app, theme, area);
    }
    if let Some(area) = screen.popup {
        frame.render_widget(Clear, rect(area));
        detail::draw(frame, app, theme, area);
    }
    footer(frame, app, theme, screen.footer);
    match app.mode() {
        Mode::Help => help::draw(frame, app, theme),
        Mode::NewLink(form) => forms::link_form(frame, app, theme, form),
        Mode::Created(created) => forms::created(frame, app, theme, created),
        Mode::Deactivate(confirm) => forms::confirm_deactivate(frame, app, theme, confirm),
        Mode::NewWebhook(form) => forms::webhook_form(frame, app, theme, form),
        Mode::Secret(dialog) => forms::secret(frame, app, theme, dialog),
        Mode::Verify(form) => forms::verify(frame, app, theme, form),
        Mode::Normal | Mode::Filter { .. } | Mode::Command(_) => {}
    }
}

fn header(frame: &mut Frame, app: &App, theme: &Theme, area: Area) {
    let area = rect(area);
    let labels = app.tab_labels();
    let mut spans = vec![Span::styled(" pik-tui ", theme.title())];
    let spans_at = tab_spans(&labels, TABS_START);
    let mut x = u16::try_from(" pik-tui ".len()).unwrap_or(0);
    for ((label, (start, _)), pane) in labels.iter().zip(&spans_at).zip(app.panes()) {
        if *start > x {
            spans.push(Span::raw(" ".repeat(usize::from(*start - x))));
        }
        let style = if pane == app.pane() { theme.tab_active() } else { theme.tab() };
        spans.push(Span::styled(label.clone(), style));
        x = start + u16::try_from(unicode_width::UnicodeWidthStr::width(label.as_str())).unwrap_or(0);
    }
    let left = Line::from(spans);

    let (env_label, env_style) = match app.settings.environment {
        Environment::Live => (" LIVE ", theme.live()),
        Environment::Test => (" TEST ", theme.test()),
        Environment::Sandbox => (" SANDBOX ", theme.sandbox()),
        Environment::Unknown => (" ? KEY ", theme.test()),
    };
    let mut right = Vec::new();
    if let Some(profile) = &app.settings.profile {
        right.push(Span::styled(format!("{} ", for_terminal(profile)), theme.dim()));
    }
    if app.settings.read_only {
        right.push(Span::styled("read-only ", theme.dim()));
    }
    right.push(Span::styled(env_label, env_style));
    let status = app.status(app.pane());
    let (connection, style) = if app.pane() == Pane::Events {
        ("  ● listening ", theme.ok())
    } else if app.paused() {
        ("  ⏸ paused ", theme.warning())
    } else if status.error.is_some() {
        ("  ✕ error ", theme.error())
    } else if status.last_success.is_none() {
        ("  … connecting ", theme.dim())
    } else if app.is_stale() {
        ("  ● stale ", theme.warning())
    } else {
        ("  ● live ", theme.ok())
    };
    right.push(Span::styled(connection, style));
    let left_width = u16::try_from(left.width()).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(left), area);
    // The right side only where it fits beside the tabs; the environment
    // label alone when space is short (it matters most: LIVE).
    let full = Line::from(right);
    let compact = Line::from(Span::styled(env_label, env_style));
    for candidate in [full, compact] {
        let width = u16::try_from(candidate.width()).unwrap_or(u16::MAX);
        if u32::from(left_width) + u32::from(width) < u32::from(area.width) {
            let right_area = Rect::new(area.x + area.width - width, area.y, width, 1);
            frame.render_widget(Paragraph::new(candidate), right_area);
            break;
        }
    }
}

/// The footer: what the keys do here, and on the right the data's age or
/// what went wrong, in words.
fn footer(frame: &mut Frame, app: &App, theme: &Theme, area: Area) {
    let area = rect(area);
    // While typing, the footer is the input line.
    let typing = match app.mode() {
        Mode::Command(text) => Some((":", text, "⏎ go  esc cancel   paste an id: pl_… txn_… wh_…")),
        Mode::Filter { text, .. } => Some(("/", text, "filters loaded rows as you type  ⏎ keep  esc undo")),
        _ => None,
    };
    if let Some((prompt, text, hint)) = typing {
        let line = Line::from(vec![
            Span::styled(prompt, theme.title()),
            Span::raw(for_terminal(text).into_owned()),
            Span::styled("▏   ", theme.dim()),
            Span::styled(hint, theme.dim()),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    // (hint, whether it is a write action: hidden in read-only mode)
    let hints: &[(&str, bool)] = match app.pane() {
        Pane::Links => &[
            ("↑↓ move", false),
            ("⏎ open", false),
            ("n new", true),
            ("d deactivate", true),
            ("s status", false),
            ("t txns", false),
            ("/ filter", false),
            (": jump", false),
            ("? help", false),
            ("q quit", false),
        ],
        Pane::Transactions => &[
            ("↑↓ move", false),
            ("⏎ open", false),
            ("n new link", true),
            ("s status", false),
            ("c currency", false),
            ("/ filter", false),
            (": jump", false),
            ("? help", false),
            ("q quit", false),
        ],
        Pane::Webhooks => &[
            ("↑↓ move", false),
            ("⏎ open", false),
            ("n register", true),
            ("v verify", false),
            ("/ filter", false),
            (": jump", false),
            ("? help", false),
            ("q quit", false),
        ],
        Pane::Events => {
            &[("↑↓ move", false), ("⏎ open", false), ("/ filter", false), ("? help", false), ("q quit", false)]
        }
    };
    let hints = hints.iter().filter(|(_, write)| !(*write && app.settings.read_only)).map(|(hint, _)| *hint);
    let (right, style) = status_words(app, theme);
    let right_width = u16::try_from(unicode_width::UnicodeWidthStr::width(right.as_str())).unwrap_or(u16::MAX);
    // Whole hints only, as many as fit beside the status words.
    let room = usize::from(area.width.saturating_sub(right_width).saturating_sub(2));
    let mut shown = String::new();
    for hint in hints {
        let next = format!("{shown} {hint} ");
        if unicode_width::UnicodeWidthStr::width(next.as_str()) > room {
            break;
        }
        shown = next;
    }
    frame.render_widget(Paragraph::new(Span::styled(shown, theme.dim())), area);
    let right_width = right_width.min(area.width);
    let right_area = Rect::new(area.x + area.width - right_width, area.y, right_width, 1);
    frame.render_widget(Paragraph::new(Span::styled(right, style)), right_area);
}

/// "updated 3 s ago", or the last error in words a person understands.
pub fn status_words(app: &App, theme: &Theme) -> (String, Style) {
    if let Some(notice) = app.notice() {
        let style = if notice.is_error { theme.error() } else { theme.ok() };
        return (format!("{} ", for_terminal(&notice.text)), style);
    }
    if app.pane() == Pane::Events {
        let count = app.events.total().unwrap_or(0);
        return (format!("{count} verified events received "), theme.dim());
    }
    let status = app.status(app.pane());
    let now = app.now();
    let retry_in = (status.next_poll - now).num_seconds().max(0);
    if let Some(error) = &status.error {
        let age = status.last_success.map(|t| age_words(now - t));
        let words = match (error.status, age) {
            (Some(401), _) => "API key rejected (401): check the key or profile".to_string(),
            (Some(403), _) => "API key not allowed to read this (403)".to_string(),
            (Some(429), _) => format!("rate limited, retrying in {retry_in} s"),
            (None, Some(age)) if error.summary.contains("unreachable") || error.summary.contains("in time") => {
                format!("PIK unreachable, showing data from {age}")
            }
            (_, Some(age)) => {
                format!("{}, showing data from {age}, retrying in {retry_in} s", for_terminal(&error.summary))
            }
            (_, None) => format!("{}, retrying in {retry_in} s", for_terminal(&error.summary)),
        };
        return (format!("{words} "), theme.error());
    }
    match status.last_success {
        Some(at) => {
            let style = if app.is_stale() { theme.warning() } else { theme.dim() };
            (format!("updated {} ", age_words(now - at)), style)
        }
        None => ("loading… ".to_string(), theme.dim()),
    }
}

/// Bold for rows marked new or changed.
pub(crate) fn marked(style: Style) -> Style {
    style.add_modifier(Modifier::BOLD)
}
