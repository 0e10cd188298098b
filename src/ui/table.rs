//! The table of the visible pane. Only the rows on screen are built, so a
//! frame costs the same whatever the size of the list behind it. The sort
//! column's header carries its direction.

use super::{Theme, emphasised, rect};
use crate::api::EventEnvelope;
use crate::app::columns::Column;
use crate::app::layout::Area;
use crate::app::list::{ListOps, LocalList, News};
use crate::app::search::SearchView;
use crate::app::window::ListWindow;
use crate::app::{App, Pane};
use crate::human::group_thousands;
use crate::sanitize::for_terminal_truncated;
use crate::store::{SearchHit, Sort};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Constraint;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

pub use super::cells::{CELL_MAX, Shown, TableRow, short_age};
use super::cells::{right, status_cell};
pub use super::columns::Layout;

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

impl TableRow for SearchHit {
    const NOUN: &'static str = "matches";

    fn headers() -> &'static [&'static str] {
        &["", "ID", "AMOUNT", "CUR", "STATUS", "ABOUT", "AGE"]
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
        use Column::*;
        match self {
            SearchHit::Link(link) => {
                [Id, Amount, Currency, Status, Description, Age].map(|c| link.cell(c, None, now, theme)).into()
            }
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
        let empty = if view.loaded_once() {
            format!("nothing in the mirror matches {}", for_terminal_truncated(&view.text, 40))
        } else {
            "searching…".to_string()
        };
        return draw_list(frame, app, view, Drawn { title, empty, sort: None }, theme, area);
    }
    match pane {
        Pane::Links => draw_window(frame, app, &app.links.list, theme, area),
        Pane::Transactions => draw_window(frame, app, &app.transactions.list, theme, area),
        Pane::Webhooks => draw_local(frame, app, &app.webhooks.list, app.webhooks.error.as_deref(), theme, area),
        Pane::Events => draw_local(frame, app, &app.events, None, theme, area),
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
    // In a view, the search is within it: its name says so.
    let within = match app.shown_view() {
        Some(view) => for_terminal_truncated(&view.name, 24),
        None => pane.title().to_string(),
    };
    let mut title = format!(" {within} · search: {} · {found} ", for_terminal_truncated(&text, 40));
    if let Some(error) = &view.error {
        title.push_str(&format!("· {} ", for_terminal_truncated(error, 60)));
    }
    let on_demand = app.settings.store.on_demand();
    if let Some(mirror) = app.mirror().filter(|m| m.partial() || on_demand) {
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
        if on_demand {
            title.push_str(&format!("· searched only the {} rows loaded ", group_thousands(done)));
        } else {
            title.push_str(&format!(
                "· searched {} of about {total} — results may be incomplete ",
                group_thousands(done)
            ));
        }
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

/// A Links or Transactions pane (not a search): a window on the mirror,
/// with its filters, its count, and older rows still coming at its end.
fn draw_window<T: TableRow + PartialEq>(frame: &mut Frame, app: &App, list: &ListWindow<T>, theme: &Theme, area: Area) {
    let pane = app.pane();
    let holds_all = app.holds_all(pane);
    // Where the agent is first (it survives a narrow title), then the
    // list's count: while the mirror holds part of the kind, it says so.
    let held = list.total().map(group_thousands).unwrap_or_else(|| "…".into());
    let count = match (app.pik_count(pane), holds_all) {
        (Some(pik), _) => format!("{held} loaded, {} at PIK", group_thousands(pik)),
        (None, false) => format!("{held} loaded so far"),
        (None, true) => held,
    };
    let at = match (list.loaded_once(), list.visible_len()) {
        (false, _) => String::new(),
        (true, 0) => format!("no {} · ", T::NOUN),
        (true, _) => format!("row {} of {count} · ", group_thousands(list.selected() as u64 + 1)),
    };
    let mut title = match app.shown_view() {
        // A view says its name and its query first: what the rows are.
        Some(view) => {
            // The pane's own filters narrow a view: said only when set.
            let own = match pane {
                Pane::Links => app.links.filter != Default::default(),
                _ => app.transactions.filter != Default::default(),
            };
            let own = if own { format!(" · {}", filter_words(app, pane)) } else { String::new() };
            format!(
                " {} · {at}{}{own}",
                for_terminal_truncated(&view.name, 24),
                for_terminal_truncated(&view.query, 60)
            )
        }
        None => format!(" {} · {at}{}", pane.title(), filter_words(app, pane)),
    };
    let sort = app.sort_of(pane);
    if let Some(sort) = sort.filter(|s| *s != Sort::default()) {
        // A narrow screen may hide the sort column: the title names it.
        title.push_str(&format!(" · {}", sort.words()));
        if !holds_all {
            title.push_str(" among the rows loaded");
        }
    }
    title.push(' ');
    if let Some(error) = &list.error {
        title.push_str(&format!("· the mirror failed: {} ", for_terminal_truncated(error, 60)));
    }
    let more = app.more_coming(pane);
    let empty = match (list.loaded_once(), &list.error, more) {
        (false, Some(_), _) => "could not read the mirror; see the title".to_string(),
        (false, None, _) => "loading…".to_string(),
        (true, _, true) => format!("no {} in the mirror yet: loading…", T::NOUN),
        (true, _, false) => format!("no {}", T::NOUN),
    };
    let mut drawn = Drawn { title, empty, sort };
    if more {
        // The end of what the mirror holds, not of the list.
        let (words, title) = match app.trouble() {
            Some(_) => ("older rows load when PIK answers", "· more when PIK answers "),
            None => ("loading older rows…", "· more coming "),
        };
        drawn.title.push_str(title);
        return draw_list_then(frame, app, list, drawn, Some(words), theme, area);
    }
    draw_list(frame, app, list, drawn, theme, area);
}

/// A list held whole (the webhooks, the events): its title and empty
/// message, and its text filter.
fn draw_local<T: TableRow>(
    frame: &mut Frame,
    app: &App,
    list: &LocalList<T>,
    error: Option<&str>,
    theme: &Theme,
    area: Area,
) {
    let pane = app.pane();
    let total = list.total().map(group_thousands).unwrap_or_else(|| "…".into());
    let mut title = format!(" {} · {total} ", pane.title());
    if !list.text_filter().is_empty() {
        title.push_str(&format!(
            "· /{} ({} shown) ",
            for_terminal_truncated(list.text_filter(), 20),
            list.visible_len()
        ));
    }
    if let Some(error) = error {
        title.push_str(&format!("· the mirror failed: {} ", for_terminal_truncated(error, 60)));
    }
    let empty = if !list.loaded_once() {
        "loading…".to_string()
    } else if !list.text_filter().is_empty() {
        format!("no {} match /{}", T::NOUN, for_terminal_truncated(list.text_filter(), 30))
    } else {
        format!("no {}", T::NOUN)
    };
    draw_list(frame, app, list, Drawn { title, empty, sort: None }, theme, area);
}

/// What a list is drawn with: its title, what it says when empty, its sort.
struct Drawn {
    title: String,
    empty: String,
    sort: Option<Sort>,
}

/// Draws the rows on screen of any list, and nothing more: a frame costs
/// the same with 100 or 100,000 rows behind it.
fn draw_list<T: TableRow>(frame: &mut Frame, app: &App, list: &dyn Shown<T>, drawn: Drawn, theme: &Theme, area: Area) {
    draw_list_then(frame, app, list, drawn, None, theme, area);
}

/// The same, with a line after the list's last row when it shows (older
/// rows on their way).
fn draw_list_then<T: TableRow>(
    frame: &mut Frame,
    app: &App,
    list: &dyn Shown<T>,
    drawn: Drawn,
    after: Option<&str>,
    theme: &Theme,
    area: Area,
) {
    let Drawn { title, empty, sort } = drawn;
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

    let marker = if app.marks(app.pane()).is_empty() { 1 } else { 2 };
    let layout = Layout::of::<T>(app, sort, outer.width.saturating_sub(2 + marker + 1));
    let mut rows = visible_rows(app, list, height, &layout, theme);
    let end = (list.scroll() + height).min(list.visible_len());
    // The app leaves a line below the last row for it (`leave_room_below`).
    if let Some(after) = after
        && end == list.visible_len()
        && rows.len() < height
    {
        rows.push(Row::new(vec![Cell::from(""), Cell::from(Span::styled(after, theme.dim()))]));
    }
    let header =
        Row::new(layout.headers::<T>().into_iter().map(Cell::from).collect::<Vec<_>>()).style(theme.header_row());
    let table = Table::new(rows, marker_width(app, layout.widths::<T>())).header(header).block(block).column_spacing(1);
    frame.render_widget(table, outer);
}

/// With rows marked, the marker column has room for the mark (`▶●`).
pub fn marker_width(app: &App, mut widths: Vec<Constraint>) -> Vec<Constraint> {
    if !app.marks(app.pane()).is_empty()
        && let Some(first) = widths.first_mut()
    {
        *first = Constraint::Length(2);
    }
    widths
}

/// The rows on screen of a list, `height` of them from its scroll offset:
/// the selection marker, new and changed rows, the agent's marks, the cells.
pub fn visible_rows<T: TableRow>(
    app: &App,
    list: &dyn Shown<T>,
    height: usize,
    layout: &Layout,
    theme: &Theme,
) -> Vec<Row<'static>> {
    let now = app.now();
    let marks = app.marks(app.pane());
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
        let mark = list.news(item.id());
        let (marker, mark_style) = match (selected, mark) {
            (true, _) => ("▶", Style::new()),
            (false, Some(News::New)) => ("+", theme.new_row()),
            (false, Some(News::Changed)) => ("*", theme.changed_row()),
            (false, None) => (" ", Style::new()),
        };
        let mut marker = vec![Span::styled(marker, mark_style)];
        if marks.contains(item.id()) {
            marker.push(Span::styled("●", theme.title()));
        }
        let mut cells = vec![Cell::from(Line::from(marker))];
        cells.extend(layout.cells(item, list, now, theme));
        let mut style = if selected { theme.selected() } else { Style::new() };
        if mark.is_some() {
            style = emphasised(style);
        }
        rows.push(Row::new(cells).style(style));
    }
    rows
}
