//! The `?` overlay: every key, k9s-style.

use super::{Theme, rect};
use crate::app::App;
use crate::app::layout::Area;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

const KEYS: &[(&str, &str)] = &[
    ("1 2 3 4 Tab ⇧Tab", "switch pane: links, transactions, webhooks, events (demo)"),
    ("n", "new payment link (in Webhooks: register an endpoint)"),
    ("d", "deactivate the selected link (asks first)"),
    ("v", "check a PIK-Signature (Webhooks pane)"),
    ("j k ↑ ↓", "move"),
    ("PgUp PgDn ^b ^f", "page up, page down"),
    ("g G Home End", "first, last loaded row"),
    ("⏎ / esc", "open the detail / go back"),
    (":", "jump to an id: paste pl_…, txn_… or wh_…"),
    (":status :currency", ":link ID  :from DATE  :to DATE  :clear  (filters)"),
    ("/", "filter the loaded rows by text"),
    ("s", "cycle the status filter (sent to PIK)"),
    ("c", "cycle the currency filter (transactions)"),
    ("t", "the selected link's transactions"),
    ("r", "refresh now"),
    ("p", "pause / resume live updates"),
    ("y", "copy the URL or secret shown (OSC 52: works over SSH)"),
    ("mouse", "wheel scrolls, click selects a row or tab"),
    ("? / q ^c", "this help / quit"),
];

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let (width, height) = app.size();
    let box_width = width.saturating_sub(4).min(84);
    let box_height = height.saturating_sub(2).min(u16::try_from(KEYS.len()).unwrap_or(20) + 4);
    let area = Area { x: (width - box_width) / 2, y: (height - box_height) / 2, width: box_width, height: box_height };
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(keys, what)| Line::from(vec![Span::styled(format!(" {keys:<18}"), theme.title()), Span::raw(*what)]))
        .collect();
    lines.push(Line::from(Span::styled(" new rows are marked +, changed ones *; any key closes", theme.dim())));
    let block = Block::default().borders(Borders::ALL).title(Span::styled(" keys ", theme.title()));
    frame.render_widget(Clear, rect(area));
    frame.render_widget(Paragraph::new(lines).block(block), rect(area));
}
