//! The table of the visible pane. Only the rows on screen are built, so a
//! frame costs the same with 100 or 100,000 loaded rows.

use super::theme::status_glyph;
use super::{Theme, marked, rect};
use crate::api::{EventEnvelope, PaymentLink, Transaction, Webhook};
use crate::app::layout::Area;
use crate::app::paged::{ListOps, Mark, PagedList};
use crate::app::resource::Resource;
use crate::app::search::SearchView;
use crate::app::{App, Pane};
use crate::human::group_thousands;
use crate::sanitize::for_terminal_truncated;
use crate::store::SearchHit;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

/// What a resource shows in the table.
pub trait TableRow: Resource {
    fn headers() -> &'static [&'static str];
    fn widths() -> Vec<Constraint>;
    fn cells(&self, now: DateTime<Utc>, theme: &Theme) -> Vec<Cell<'static>>;
    const NOUN: &'static str;
}

/// "now", "42s", "5m", "3h", "12d": short ages for a column.
pub fn short_age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let seconds = (now - then).num_seconds();
    match seconds {
        i64::MIN..5 => "now".into(),
        5..60 => format!("{seconds}s"),
        60..3600 => format!("{}m", seconds / 60),
        3600..86400 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86400),
    }
}

fn status_cell(status: &str, theme: &Theme) -> Cell<'static> {
    let text = format!("{} {}", status_glyph(status), for_terminal_truncated(status, 14));
    Cell::from(Span::styled(text, theme.status(status)))
}

fn right(text: String) -> Cell<'static> {
    Cell::from(Line::from(text).alignment(Alignment::Right))
}

/// Cells are cut before drawing: ratatui would clip them anyway, but a
/// 10,000-character description should not even be copied into the frame.
pub const CELL_MAX: usize = 120;

impl TableRow for PaymentLink {
    const NOUN: &'static str = "links";

    fn headers() -> &'static [&'static str] {
        &["", "ID", "AMOUNT", "CUR", "STATUS", "DESCRIPTION", "AGE"]
    }

    fn widths() -> Vec<Constraint> {
        vec![
            Constraint::Length(1),
            Constraint::Length(16),
            Constraint::Length(14),
            Constraint::Length(5),
            Constraint::Length(13),
            Constraint::Fill(1),
            Constraint::Length(4),
        ]
    }

    fn cells(&self, now: DateTime<Utc>, theme: &Theme) -> Vec<Cell<'static>> {
        vec![
            Cell::from(for_terminal_truncated(&self.id, CELL_MAX)),
            right(self.amount.to_string()),
            Cell::from(for_terminal_truncated(&self.currency, 8)),
            status_cell(self.status.as_str(), theme),
            Cell::from(for_terminal_truncated(self.description.as_deref().unwrap_or("—"), CELL_MAX)),
            Cell::from(short_age(now, self.created_at)),
        ]
    }
}

impl TableRow for Transaction {
    const NOUN: &'static str = "transactions";

    fn headers() -> &'static [&'static str] {
        &["", "ID", "LINK", "AMOUNT", "CUR", "STATUS", "AGE"]
    }

    fn widths() -> Vec<Constraint> {
        vec![
            Constraint::Length(1),
            Constraint::Length(17),
            Constraint::Fill(1),
            Constraint::Length(14),
            Constraint::Length(5),
            Constraint::Length(11),
            Constraint::Length(4),
        ]
    }

    fn cells(&self, now: DateTime<Utc>, theme: &Theme) -> Vec<Cell<'static>> {
        vec![
            Cell::from(for_terminal_truncated(&self.id, CELL_MAX)),
            Cell::from(for_terminal_truncated(self.payment_link_id.as_deref().unwrap_or("—"), CELL_MAX)),
            right(self.amount.to_string()),
            Cell::from(for_terminal_truncated(&self.currency, 8)),
            status_cell(self.status.as_str(), theme),
            Cell::from(short_age(now, self.created_at)),
        ]
    }
}

impl TableRow for Webhook {
    const NOUN: &'static str = "webhooks";

    fn headers() -> &'static [&'static str] {
        &["", "ID", "URL", "EVENTS", "STATUS", "AGE"]
    }

    fn widths() -> Vec<Constraint> {
        vec![
            Constraint::Length(1),
            Constraint::Length(16),
            Constraint::Fill(2),
            Constraint::Fill(1),
            Constraint::Length(10),
            Constraint::Length(4),
        ]
    }

    fn cells(&self, now: DateTime<Utc>, theme: &Theme) -> Vec<Cell<'static>> {
        let events: Vec<String> =
            self.events.iter().map(|e| e.as_str().trim_start_matches("payment.").to_string()).collect();
        vec![
            Cell::from(for_terminal_truncated(&self.id, CELL_MAX)),
            Cell::from(for_terminal_truncated(&self.url, CELL_MAX)),
            Cell::from(for_terminal_truncated(&events.join(","), CELL_MAX)),
            status_cell(self.status.as_str(), theme),
            Cell::from(self.created_at.map(|t| short_age(now, t)).unwrap_or_else(|| "—".into())),
        ]
    }
}

impl TableRow for EventEnvelope {
    const NOUN: &'static str = "events yet: they appear as the sandbox delivers them";

    fn headers() -> &'static [&'static str] {
        &["", "EVENT", "TRANSACTION", "LINK", "AMOUNT", "CUR", "AGE"]
    }

    fn widths() -> Vec<Constraint> {
        vec![
            Constraint::Length(1),
            Constraint::Length(18),
            Constraint::Length(17),
            Constraint::Fill(1),
            Constraint::Length(14),
            Constraint::Length(5),
            Constraint::Length(4),
        ]
    }

    fn cells(&self, now: DateTime<Utc>, theme: &Theme) -> Vec<Cell<'static>> {
        let event = self.event.as_str();
        let style = theme.status(self.data.status.as_str());
        vec![
            Cell::from(Span::styled(for_terminal_truncated(event, 30), style)),
            Cell::from(for_terminal_truncated(&self.data.transaction_id, CELL_MAX)),
            Cell::from(for_terminal_truncated(self.data.payment_link_id.as_deref().unwrap_or("—"), CELL_MAX)),
            right(self.data.amount.to_string()),
            Cell::from(for_terminal_truncated(&self.data.currency, 8)),
            Cell::from(self.created_at.map(|t| short_age(now, t)).unwrap_or_else(|| "—".into())),
        ]
    }
}

/// A list the table can draw: loaded rows of one type, or search hits.
pub trait Shown<T>: ListOps {
    fn row(&self, position: usize) -> Option<&T>;
}

impl<T: Resource> Shown<T> for PagedList<T> {
    fn row(&self, position: usize) -> Option<&T> {
        self.visible_row(position)
    }
}

impl Shown<SearchHit> for SearchView {
    fn row(&self, position: usize) -> Option<&SearchHit> {
        SearchView::row(self, position)
    }
}

impl TableRow for SearchHit {
    const NOUN: &'static str = "matches";

    fn headers() -> &'static [&'static str] {
        &["", "ID", "AMOUNT", "CUR", "STATUS", "ABOUT", "AGE"]
    }

    fn widths() -> Vec<Constraint> {
        PaymentLink::widths()
    }

    fn cells(&self, now: DateTime<Utc>, theme: &Theme) -> Vec<Cell<'static>> {
        match self {
            SearchHit::Link(link) => link.cells(now, theme),
            SearchHit::Transaction(txn) => vec![
                Cell::from(for_terminal_truncated(&txn.id, CELL_MAX)),
                right(txn.amount.to_string()),
                Cell::from(for_terminal_truncated(&txn.currency, 8)),
                status_cell(txn.status.as_str(), theme),
                Cell::from(format!(
                    "payment · {}",
                    for_terminal_truncated(txn.payment_link_id.as_deref().unwrap_or("—"), CELL_MAX)
                )),
                Cell::from(short_age(now, txn.created_at)),
            ],
        }
    }
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Area) {
    let pane = app.pane();
    if let Some(view) = app.search_view(pane) {
        let title = search_title(app, pane, view);
        let empty = if view.loaded_once() && view.from_filter() {
            "nothing in the mirror matches these filters".to_string()
        } else if view.loaded_once() {
            format!("nothing in the mirror matches {}", for_terminal_truncated(&view.text, 40))
        } else {
            "searching…".to_string()
        };
        return draw_list(frame, app, view, title, empty, theme, area);
    }
    match pane {
        Pane::Links => draw_pane(frame, app, &app.links.list, theme, area),
        Pane::Transactions => draw_pane(frame, app, &app.transactions.list, theme, area),
        Pane::Webhooks => draw_pane(frame, app, &app.webhooks.list, theme, area),
        Pane::Events => draw_pane(frame, app, &app.events, theme, area),
        // The Overview is drawn by its own module; Search is shown in a list pane.
        Pane::Overview | Pane::Search => {}
    }
}

/// " Links · search: "order" · 12 found · searched 43,210 of about 100,000 — results may be incomplete "
fn search_title(app: &App, pane: Pane, view: &SearchView) -> String {
    let found = match (view.total, view.capped) {
        (Some(total), false) => format!("{} found", group_thousands(total)),
        (Some(total), true) => format!("more than {} found: narrow it down", group_thousands(total)),
        (None, _) => "searching…".to_string(),
    };
    let text = if view.text.trim().is_empty() { "everything".to_string() } else { format!("{:?}", view.text.trim()) };
    let mut title = if view.from_filter() {
        // The pane's own filters, read from the mirror (PIK cannot answer them).
        format!(" {} · {found} · {} · from the mirror ", pane.title(), filter_words(app, pane))
    } else {
        format!(" {} · search: {} · {found} ", pane.title(), for_terminal_truncated(&text, 40))
    };
    if let Some(error) = &view.error {
        title.push_str(&format!("· {} ", for_terminal_truncated(error, 60)));
    }
    if let Some(mirror) = app.mirror().filter(|m| m.partial()) {
        use crate::store::Kinds;
        let (done, total) = match view.kinds() {
            Kinds::Links => (mirror.links.done, mirror.links.total),
            Kinds::Transactions => (mirror.transactions.done, mirror.transactions.total),
            Kinds::Both => (
                mirror.links.done + mirror.transactions.done,
                mirror.links.total.zip(mirror.transactions.total).map(|(a, b)| a + b),
            ),
        };
        let total = total.map(group_thousands).unwrap_or_else(|| "…".into());
        title.push_str(&format!("· searched {} of about {total} — results may be incomplete ", group_thousands(done)));
    }
    title
}

/// "status: paid · currency: USDT · link: pl_… · settled from 2026-11-29
/// 00:00 CET · to 2026-11-29 23:59 CET · Europe/Berlin"
fn filter_words(app: &App, pane: Pane) -> String {
    let mut words = Vec::new();
    match pane {
        Pane::Links => {
            let status = app.links.filter.status.as_ref().map(|s| s.as_str()).unwrap_or("all");
            words.push(format!("status: {}", for_terminal_truncated(status, 14)));
        }
        Pane::Transactions => {
            let filter = &app.transactions.filter;
            let status = filter.status.as_ref().map(|s| s.as_str()).unwrap_or("all");
            words.push(format!("status: {}", for_terminal_truncated(status, 14)));
            if let Some(currency) = &filter.currency {
                words.push(format!("currency: {}", for_terminal_truncated(currency, 10)));
            }
            if let Some(link) = &filter.payment_link_id {
                words.push(format!("link: {}", for_terminal_truncated(link, 24)));
            }
            words.extend(app.transactions_date_words());
        }
        Pane::Webhooks | Pane::Events | Pane::Search | Pane::Overview => {}
    }
    words.join(" · ")
}

/// A pane's own list (not a search): its title and empty message.
fn draw_pane<T: TableRow>(frame: &mut Frame, app: &App, list: &PagedList<T>, theme: &Theme, area: Area) {
    let pane = app.pane();
    let poll = app.poll(pane);
    let total = list.total().map(group_thousands).unwrap_or_else(|| "…".into());
    let filters = filter_words(app, pane);
    let filters = if filters.is_empty() { String::new() } else { format!("{filters} · ") };
    let cached = if app.shows_mirror(pane) {
        match app.mirror().and_then(|m| m.synced_at) {
            Some(at) => format!("cached · {} old · ", crate::human::age_words(app.now() - at).trim_end_matches(" ago")),
            None => "cached · ".to_string(),
        }
    } else {
        String::new()
    };
    let filters = format!("{cached}{filters}");
    let mut title =
        format!(" {} · {filters}loaded {} of {total} ", pane.title(), group_thousands(list.loaded() as u64));
    if !list.text_filter().is_empty() {
        title.push_str(&format!(
            "· /{} ({} shown) ",
            for_terminal_truncated(list.text_filter(), 20),
            list.visible_len()
        ));
    }
    let message = if !list.loaded_once() {
        match poll.and_then(|p| p.error.as_ref()) {
            Some(_) => "could not load; see the footer".to_string(),
            None => "loading…".to_string(),
        }
    } else if !list.text_filter().is_empty() {
        format!("no loaded {} match /{}", T::NOUN, for_terminal_truncated(list.text_filter(), 30))
    } else {
        format!("no {}", T::NOUN)
    };
    draw_list(frame, app, list, title, message, theme, area);
}

/// Draws the rows on screen of any list, and nothing more: a frame costs
/// the same with 100 or 100,000 rows behind it.
fn draw_list<T: TableRow>(
    frame: &mut Frame,
    app: &App,
    list: &dyn Shown<T>,
    title: String,
    empty: String,
    theme: &Theme,
    area: Area,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(!app.detail_open()))
        .title(Span::styled(title, theme.title()));
    let outer = rect(area);
    let rows_area = app.screen().table_rows();
    let height = usize::from(rows_area.height);

    if list.visible_len() == 0 {
        frame.render_widget(Paragraph::new(empty).style(theme.dim()).block(block), outer);
        return;
    }

    let mut rows = visible_rows(app, list, height, theme);
    // The row past the last loaded one, while the next page is coming.
    let end = (list.scroll() + height).min(list.visible_len());
    if end == list.visible_len() && rows.len() < height && list.in_flight().is_some_and(|o| o > 0) {
        rows.push(Row::new(vec![Cell::from(""), Cell::from(Span::styled("loading more…", theme.dim()))]));
    }
    let header = Row::new(T::headers().iter().map(|h| Cell::from(*h)).collect::<Vec<_>>()).style(theme.header_row());
    let table = Table::new(rows, T::widths()).header(header).block(block).column_spacing(1);
    frame.render_widget(table, outer);
}

/// The rows on screen of a list, `height` of them from its scroll offset:
/// the selection marker, new and changed marks, the cells.
pub fn visible_rows<T: TableRow>(app: &App, list: &dyn Shown<T>, height: usize, theme: &Theme) -> Vec<Row<'static>> {
    let now = app.now();
    let start = list.scroll();
    let end = (start + height).min(list.visible_len());
    let mut rows: Vec<Row> = Vec::with_capacity(end.saturating_sub(start) + 1);
    for position in start..end {
        let selected = position == list.selected();
        // A search's rows outside its window are on their way.
        let Some(item) = list.row(position) else {
            let marker = if selected { "▶" } else { " " };
            rows.push(Row::new(vec![Cell::from(marker), Cell::from(Span::styled("…", theme.dim()))]));
            continue;
        };
        let mark = list.mark(item.id());
        let (marker, mark_style) = match (selected, mark) {
            (true, _) => ("▶", Style::new()),
            (false, Some(Mark::New)) => ("+", theme.new_row()),
            (false, Some(Mark::Changed)) => ("*", theme.changed_row()),
            (false, None) => (" ", Style::new()),
        };
        let mut cells = vec![Cell::from(Span::styled(marker, mark_style))];
        cells.extend(item.cells(now, theme));
        let mut style = if selected { theme.selected() } else { Style::new() };
        if mark.is_some() {
            style = marked(style);
        }
        rows.push(Row::new(cells).style(style));
    }
    rows
}
