//! The `?` overlay, k9s-style: every key from the keymap (the user's keys
//! included; writes left out in read-only mode), then the `:` commands.
//! It scrolls when the terminal is short.

use super::{Theme, rect};
use crate::app::App;
use crate::app::layout::Area;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The overlay's two sections: the keys (from the keymap), then the `:`
/// commands. Each is (keys or command, words).
pub fn sections(app: &App) -> [Vec<(String, String)>; 2] {
    let keymap = &app.settings.keymap;
    let mut keys: Vec<(String, String)> = keymap
        .help(app.settings.read_only, |action| app.offers(action))
        .into_iter()
        .map(|line| (line.keys, line.words.to_string()))
        .collect();
    keys.push(("mouse".into(), "wheel scrolls, click selects a row or tab".into()));
    let commands = crate::app::command::HELP.iter().map(|(c, w)| ((*c).to_string(), (*w).to_string())).collect();
    [keys, commands]
}

/// The search syntax, for the help.
fn search_syntax() -> Vec<(String, String)> {
    [
        ("pl_8f2  0x9f3c", "an id or a tx hash (16 hex digits or more: with or without its 0x), or their start"),
        ("order 1234  75", "words of a description; an amount (75 finds 75.00)"),
        ("75 usdt", "an amount beside a currency code: that amount in that currency"),
        ("\"Order #1234\"", "a phrase, as written"),
        ("status:paid  currency:USDT", "a status, a currency"),
        ("amount:>=100  amount:75", "an amount, or a range (>, >=, <, <=)"),
        ("from:2026-11-29  to:yesterday", "created from / to: a day, 2026-11, today, yesterday, 7d, or a time"),
        ("settled:2026-11-01..2026-11-30", "settled (or confirmed:, created:) in that day, month or range"),
        ("link:pl_…", "a link and the payments through it"),
        ("case:underpaid  case:any", "orders with such a case now (paid-twice, stuck-pending, …), and their payments"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

/// Rows of (keys, words) as lines: the words wrapped under themselves at
/// `width`, so no line is cut at any width.
pub(super) fn aligned(rows: &[(String, String)], theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let keys_width = rows.iter().map(|(k, _)| unicode_width::UnicodeWidthStr::width(k.as_str())).max().unwrap_or(0);
    let keys_width = keys_width.min(width / 2);
    let room = width.saturating_sub(keys_width + 3).max(10);
    let mut lines = Vec::new();
    for (keys, words) in rows {
        let wrapped = textwrap::wrap(words, room);
        let key_lines = textwrap::wrap(keys, keys_width.max(1));
        for i in 0..wrapped.len().max(key_lines.len()) {
            let key = key_lines.get(i).map(|k| k.to_string()).unwrap_or_default();
            let word = wrapped.get(i).map(|w| w.to_string()).unwrap_or_default();
            lines
                .push(Line::from(vec![Span::styled(format!(" {key:<keys_width$}  "), theme.title()), Span::raw(word)]));
        }
    }
    lines
}

/// A box in the middle of the screen with `lines` (wrapped to fit),
/// scrolled by `scroll`, and a last line saying how to get out.
pub fn overlay(frame: &mut Frame, app: &App, theme: &Theme, title: &str, lines: Vec<Line>, last: &str, scroll: u16) {
    let (width, height) = app.size();
    let box_width = width.saturating_sub(4).min(100);
    let room = usize::from(box_width.saturating_sub(3)).max(10);
    // The way out, wrapped too; "more" whenever it does not all fit.
    let fits = lines.len() + textwrap::wrap(last, room).len() + 2 <= usize::from(height.saturating_sub(2));
    let last = if fits { last.to_string() } else { format!("{last}  ↓ more: j/k scroll") };
    let last: Vec<Line> = textwrap::wrap(&last, room)
        .into_iter()
        .map(|l| Line::from(Span::styled(format!(" {l}"), theme.dim())))
        .collect();
    let wanted = u16::try_from(lines.len() + last.len()).unwrap_or(u16::MAX).saturating_add(2);
    let box_height = height.saturating_sub(2).min(wanted);
    let area = Area { x: (width - box_width) / 2, y: (height - box_height) / 2, width: box_width, height: box_height };
    let inside = usize::from(box_height.saturating_sub(2)).saturating_sub(last.len());
    let scroll = usize::from(scroll).min(lines.len().saturating_sub(inside));
    let mut shown: Vec<Line> = lines.into_iter().skip(scroll).take(inside).collect();
    shown.extend(last);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(format!(" {title} "), theme.title()));
    frame.render_widget(Clear, rect(area));
    frame.render_widget(Paragraph::new(shown).block(block), rect(area));
}

/// The room inside an overlay for its lines.
pub(super) fn inner_width(app: &App) -> usize {
    usize::from(app.size().0.saturating_sub(4).min(100).saturating_sub(2))
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, scroll: u16) {
    let width = inner_width(app);
    let [keys, commands] = sections(app);
    let note = |text: &str| -> Vec<Line<'static>> {
        textwrap::wrap(text, width.saturating_sub(1).max(10))
            .into_iter()
            .map(|line| Line::from(Span::styled(format!(" {line}"), theme.dim())))
            .collect()
    };
    let mut all = aligned(&keys, theme, width);
    all.push(Line::from(""));
    all.extend(note("after : (paste an id to jump straight there)"));
    all.extend(aligned(&commands, theme, width));
    all.push(Line::from(""));
    all.extend(note("search (/ and S): words match as prefixes, newest first"));
    all.extend(aligned(&search_syntax(), theme, width));
    overlay(
        frame,
        app,
        theme,
        "keys",
        all,
        "new rows +, changed *; Shift+drag selects text; any other key closes",
        scroll,
    );
}

/// `:audit`: what agents did, newest first, every time in the agent's zone.
pub fn audit(frame: &mut Frame, app: &App, theme: &Theme, view: &crate::app::audit_view::AuditView) {
    let zone = &app.settings.zone;
    let mut lines = match &view.acts {
        None => vec![Line::from(Span::styled(" reading the audit log…", theme.dim()))],
        Some(Err(why)) => vec![Line::from(Span::styled(
            format!(" the audit log could not be read: {}", crate::sanitize::for_terminal_truncated(why, 200)),
            theme.error(),
        ))],
        Some(Ok(acts)) => {
            let rows: Vec<(String, String)> = acts
                .iter()
                .map(|act| {
                    (zone.format(act.at, "%Y-%m-%d %H:%M"), crate::sanitize::for_terminal(&act.words()).into_owned())
                })
                .collect();
            aligned(&rows, theme, inner_width(app))
        }
    };
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(" nothing has been done through pik-tui yet", theme.dim())));
    }
    let shown = crate::app::audit_view::SHOWN;
    let title = format!(
        "audit log, newest first (the last {shown}; all of it: pik-tui audit) · {}",
        crate::sanitize::for_terminal_truncated(zone.name(), 40)
    );
    overlay(frame, app, theme, &title, lines, "any other key closes", view.scroll);
}

/// `:alerts`: this session's alerts, newest first, each with its time.
pub fn alerts(frame: &mut Frame, app: &App, theme: &Theme, scroll: u16) {
    let zone = &app.settings.zone;
    let rows: Vec<(String, String)> = app
        .alert_log()
        .entries
        .iter()
        .rev()
        .map(|entry| (zone.format(entry.at, "%H:%M:%S"), crate::sanitize::for_terminal(&entry.text).into_owned()))
        .collect();
    let mut lines = aligned(&rows, theme, inner_width(app));
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(" no alert has fired in this session", theme.dim())));
    }
    let title = format!("alerts ({}), newest first", crate::sanitize::for_terminal_truncated(zone.name(), 40));
    overlay(frame, app, theme, &title, lines, "any other key closes", scroll);
}
