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
        ("pl_8f2  0x9f3c", "an id or a tx hash, or their start"),
        ("order 1234  75", "words of a description; an amount (75 finds 75.00)"),
        ("\"Order #1234\"", "a phrase, as written"),
        ("status:paid  currency:USDT", "a status, a currency"),
        ("amount:>=100  amount:75", "an amount, or a range (>, >=, <, <=)"),
        ("from:2024-01-15  to:…", "created from / to a date or time"),
        ("link:pl_…", "a link and the payments through it"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

fn aligned<'a>(rows: &'a [(String, String)], theme: &Theme) -> impl Iterator<Item = Line<'a>> + 'a {
    let width = rows.iter().map(|(k, _)| unicode_width::UnicodeWidthStr::width(k.as_str())).max().unwrap_or(0);
    let title = theme.title();
    rows.iter().map(move |(keys, words)| {
        Line::from(vec![Span::styled(format!(" {keys:<width$}  "), title), Span::raw(words.as_str())])
    })
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, scroll: u16) {
    let (width, height) = app.size();
    let [keys, commands] = sections(app);
    let syntax = search_syntax();
    let mut all: Vec<Line> = aligned(&keys, theme).collect();
    all.push(Line::from(""));
    all.push(Line::from(Span::styled(" after : (paste an id to jump straight there)", theme.dim())));
    all.extend(aligned(&commands, theme));
    all.push(Line::from(""));
    all.push(Line::from(Span::styled(" search (/ and S): words match as prefixes, newest first", theme.dim())));
    all.extend(aligned(&syntax, theme));
    let box_width = width.saturating_sub(4).min(90);
    let wanted = u16::try_from(all.len()).unwrap_or(u16::MAX).saturating_add(3);
    let box_height = height.saturating_sub(2).min(wanted);
    let area = Area { x: (width - box_width) / 2, y: (height - box_height) / 2, width: box_width, height: box_height };
    let inside = usize::from(box_height.saturating_sub(3));
    let scroll = usize::from(scroll).min(all.len().saturating_sub(inside));
    let more = if scroll + inside < all.len() { "  ↓ more: j/k scroll" } else { "" };
    let mut shown: Vec<Line> = all.into_iter().skip(scroll).take(inside).collect();
    shown.push(Line::from(Span::styled(
        format!(" new rows are marked +, changed ones *; any other key closes{more}"),
        theme.dim(),
    )));
    let block = Block::default().borders(Borders::ALL).title(Span::styled(" keys ", theme.title()));
    frame.render_widget(Clear, rect(area));
    frame.render_widget(Paragraph::new(shown).block(block), rect(area));
}
