//! What a row shows in a table, whatever the table: the `TableRow` of each
//! resource (its chosen columns, or a fixed set), the lists a table can
//! draw (`Shown`), and the cells every table uses (ages, statuses, amounts).

use super::Theme;
use super::theme::status_glyph;
use crate::app::columns::Column;
use crate::app::list::{ListOps, LocalList};
use crate::app::resource::Resource;
use crate::app::search::SearchView;
use crate::app::window::ListWindow;
use crate::sanitize::for_terminal_truncated;
use crate::store::{SearchHit, SortColumn};
use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Constraint};
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

/// What a resource shows in the table: the columns the agent chose
/// (links, transactions, webhooks: `ui::columns`), or a fixed set.
pub trait TableRow: Resource {
    const NOUN: &'static str;
    /// The table whose columns the agent chooses; `None` for a fixed one.
    const TABLE: Option<crate::app::columns::Table> = None;

    /// A fixed table's headers (the marker column's first), widths, cells.
    fn headers() -> &'static [&'static str] {
        &[]
    }

    fn widths() -> Vec<Constraint> {
        Vec::new()
    }

    fn cells(&self, _now: DateTime<Utc>, _theme: &Theme) -> Vec<Cell<'static>> {
        Vec::new()
    }

    /// A chosen column's cell; `beside` is what its list holds beside it
    /// (`Shown::beside`).
    fn cell(&self, _column: Column, _beside: Option<&str>, _now: DateTime<Utc>, _theme: &Theme) -> Cell<'static> {
        Cell::from("")
    }

    /// What the list holds beside the row that a cell shows, by its key:
    /// a payment's link's description, by the link's id.
    fn beside_key(&self) -> Option<&str> {
        None
    }

    /// The same under a sort, unless the sort shows a time the row does
    /// not (a payment's settlement).
    fn sorted_cell(
        &self,
        column: Column,
        beside: Option<&str>,
        _sort: Option<SortColumn>,
        now: DateTime<Utc>,
        theme: &Theme,
    ) -> Cell<'static> {
        self.cell(column, beside, now, theme)
    }
}

/// "now", "42s", "5m", "3h", "12d": short ages for a column.
pub fn short_age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let seconds = (now - then).num_seconds();
    // In tens of seconds, as `age_words`: the screen is redrawn for time
    // every 10 s at most (`App::clock_face`).
    match seconds {
        i64::MIN..10 => "now".into(),
        10..60 => format!("{}s", seconds / 10 * 10),
        60..3600 => format!("{}m", seconds / 60),
        3600..86400 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86400),
    }
}

pub(super) fn status_cell(status: &str, theme: &Theme) -> Cell<'static> {
    let text = format!("{} {}", status_glyph(status), for_terminal_truncated(status, 14));
    Cell::from(Span::styled(text, theme.status(status)))
}

pub(super) fn right(text: String) -> Cell<'static> {
    Cell::from(Line::from(text).alignment(Alignment::Right))
}

/// Cells are cut before drawing: ratatui would clip them anyway, but a
/// 10,000-character description should not even be copied into the frame.
pub const CELL_MAX: usize = 120;

/// A list the table can draw: a window on the mirror, a list held whole,
/// or search hits.
pub trait Shown<T>: ListOps {
    fn row(&self, position: usize) -> Option<&T>;

    /// What it holds beside its rows, by key (`TableRow::beside_key`).
    fn beside(&self, _key: &str) -> Option<&str> {
        None
    }
}

impl<T: Resource> Shown<T> for LocalList<T> {
    fn row(&self, position: usize) -> Option<&T> {
        self.visible_row(position)
    }
}

impl<T: Resource + PartialEq> Shown<T> for ListWindow<T> {
    fn row(&self, position: usize) -> Option<&T> {
        ListWindow::row(self, position)
    }

    fn beside(&self, key: &str) -> Option<&str> {
        self.about(key)
    }
}

impl Shown<SearchHit> for SearchView {
    fn row(&self, position: usize) -> Option<&SearchHit> {
        SearchView::row(self, position)
    }
}
