//! The tables whose columns the agent chooses (`app::columns`): links,
//! transactions, webhooks. Each column's header, width and cell, and which
//! of the chosen columns fit the table: from the right of the chosen order,
//! the first to go, never the id, the amount, its currency or the status.

use super::Theme;
use super::cells::{CELL_MAX, Shown, TableRow, right, short_age, status_cell};
use crate::api::{PaymentLink, Transaction, Webhook};
use crate::app::App;
use crate::app::columns::{Chosen, Column, Table};
use crate::sanitize::for_terminal_truncated;
use crate::store::{Sort, SortColumn};
use chrono::{DateTime, Utc};
use ratatui::layout::Constraint;
use ratatui::widgets::Cell;

/// How wide a column is: exactly, or at least so much and a share of what
/// is left over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    Exactly(u16),
    AtLeast(u16, u16),
}

/// The characters of a hash a table shows: enough to tell payments apart
/// and to find on the explorer page the cell links to.
pub const HASH_SHOWN: usize = 12;

fn shape(table: Table, column: Column) -> (&'static str, Width) {
    use Column::*;
    match (table, column) {
        (Table::Transactions, Id) => ("ID", Width::Exactly(17)),
        (_, Id) => ("ID", Width::Exactly(16)),
        (_, Amount) => ("AMOUNT", Width::Exactly(14)),
        (_, Currency) => ("CUR", Width::Exactly(5)),
        (Table::Links, Status) => ("STATUS", Width::Exactly(13)),
        (Table::Transactions, Status) => ("STATUS", Width::Exactly(11)),
        (_, Status) => ("STATUS", Width::Exactly(10)),
        (Table::Transactions, Description) => ("ORDER", Width::AtLeast(12, 1)),
        (_, Description) => ("DESCRIPTION", Width::AtLeast(12, 1)),
        (_, Age) => ("AGE", Width::Exactly(4)),
        (Table::Webhooks, Url) => ("URL", Width::AtLeast(16, 2)),
        // A checkout URL's length: whole, or not at all.
        (_, Url) => ("URL", Width::Exactly(38)),
        (_, Paid) => ("PAID", Width::Exactly(4)),
        (_, Link) => ("LINK", Width::AtLeast(10, 1)),
        (_, Hash) => ("HASH", Width::Exactly(HASH_SHOWN as u16 + 1)),
        (_, Confirmed) => ("CONFIRMED", Width::Exactly(9)),
        (_, Settled) => ("SETTLED", Width::Exactly(7)),
        (_, Events) => ("EVENTS", Width::AtLeast(10, 1)),
    }
}

/// The chosen columns that fit `room` cells (after the marker column),
/// each with its width.
pub fn fit(table: Table, chosen: &[Chosen], room: u16) -> Vec<(Column, Constraint)> {
    let width = |c: &Chosen| match (c.width, shape(table, c.column).1) {
        (Some(n), _) => Width::Exactly(n),
        (None, width) => width,
    };
    let needs = |c: &Chosen| match width(c) {
        Width::Exactly(n) | Width::AtLeast(n, _) => u32::from(n),
    };
    // Each column and the space before it.
    let used = |kept: &[Chosen]| kept.iter().map(needs).sum::<u32>() + kept.len().saturating_sub(1) as u32;
    // The rightmost of the list goes first, whatever its width.
    let mut kept: Vec<Chosen> = chosen.to_vec();
    while used(&kept) > u32::from(room) {
        match kept.iter().rposition(|c| !c.column.kept()) {
            Some(at) => {
                kept.remove(at);
            }
            None => break,
        }
    }
    let any_fill = kept.iter().any(|c| matches!(width(c), Width::AtLeast(..)));
    kept.iter()
        .enumerate()
        .map(|(at, c)| {
            let constraint = match width(c) {
                Width::AtLeast(_, share) => Constraint::Fill(share),
                // With nothing to fill, the last column takes the rest.
                Width::Exactly(n) if !any_fill && at + 1 == kept.len() => Constraint::Min(n),
                Width::Exactly(n) => Constraint::Length(n),
            };
            (c.column, constraint)
        })
        .collect()
}

/// The header of a column, with the sort's arrow when it sorts by it.
pub fn header(table: Table, column: Column, arrow: Option<char>) -> String {
    let mut text = shape(table, column).0.to_string();
    text.extend(arrow);
    text
}

/// The column a sort shows in, among those shown: a sort by settlement
/// without its column shows in the age column (which then says when).
pub fn sorted_by(sort: SortColumn, shown: &[Column]) -> Option<Column> {
    let column = match sort {
        SortColumn::Created => Column::Age,
        SortColumn::Amount => Column::Amount,
        SortColumn::Currency => Column::Currency,
        SortColumn::Status => Column::Status,
        SortColumn::Description => Column::Description,
        SortColumn::Link => Column::Link,
        SortColumn::Settled if shown.contains(&Column::Settled) => Column::Settled,
        SortColumn::Settled => Column::Age,
    };
    shown.contains(&column).then_some(column)
}

fn age(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> Cell<'static> {
    Cell::from(at.map(|t| short_age(now, t)).unwrap_or_else(|| "—".into()))
}

fn text(value: &str) -> Cell<'static> {
    Cell::from(for_terminal_truncated(value, CELL_MAX))
}

/// A hash as a table shows it: its first characters.
pub fn short_hash(hash: &str) -> String {
    let shown: String = for_terminal_truncated(hash, CELL_MAX).chars().take(HASH_SHOWN).collect();
    if hash.chars().count() > HASH_SHOWN { format!("{shown}…") } else { shown }
}

impl TableRow for PaymentLink {
    const NOUN: &'static str = "links";
    const TABLE: Option<Table> = Some(Table::Links);

    fn cell(&self, column: Column, _beside: Option<&str>, now: DateTime<Utc>, theme: &Theme) -> Cell<'static> {
        match column {
            Column::Id => text(&self.id),
            Column::Amount => right(self.amount.to_string()),
            Column::Currency => Cell::from(for_terminal_truncated(&self.currency, 8)),
            Column::Status => status_cell(self.status.as_str(), theme),
            Column::Description => text(self.description.as_deref().unwrap_or("—")),
            Column::Age => age(now, Some(self.created_at)),
            Column::Paid => age(now, self.paid_at),
            Column::Url => text(self.url.as_deref().unwrap_or("—")),
            _ => Cell::from(""),
        }
    }
}

impl TableRow for Transaction {
    const NOUN: &'static str = "transactions";
    const TABLE: Option<Table> = Some(Table::Transactions);

    fn cell(&self, column: Column, beside: Option<&str>, now: DateTime<Utc>, theme: &Theme) -> Cell<'static> {
        match column {
            Column::Id => text(&self.id),
            Column::Link => text(self.payment_link_id.as_deref().unwrap_or("—")),
            Column::Amount => right(self.amount.to_string()),
            Column::Currency => Cell::from(for_terminal_truncated(&self.currency, 8)),
            Column::Status => status_cell(self.status.as_str(), theme),
            Column::Age => age(now, Some(self.created_at)),
            Column::Confirmed => age(now, self.confirmed_at),
            Column::Settled => age(now, self.settled_at),
            Column::Hash => Cell::from(self.tx_hash.as_deref().map(short_hash).unwrap_or_else(|| "—".into())),
            // The order it pays for, as its link describes it.
            Column::Description => text(beside.unwrap_or("—")),
            _ => Cell::from(""),
        }
    }

    fn beside_key(&self) -> Option<&str> {
        self.payment_link_id.as_deref()
    }

    /// Sorted by settlement with no column of its own, the age column
    /// says when each was credited.
    fn sorted_cell(
        &self,
        column: Column,
        beside: Option<&str>,
        sort: Option<SortColumn>,
        now: DateTime<Utc>,
        theme: &Theme,
    ) -> Cell<'static> {
        match (column, sort) {
            (Column::Age, Some(SortColumn::Settled)) => age(now, self.settled_at),
            _ => self.cell(column, beside, now, theme),
        }
    }
}

impl TableRow for Webhook {
    const NOUN: &'static str = "webhooks";
    const TABLE: Option<Table> = Some(Table::Webhooks);

    fn cell(&self, column: Column, _beside: Option<&str>, now: DateTime<Utc>, theme: &Theme) -> Cell<'static> {
        match column {
            Column::Id => text(&self.id),
            Column::Url => text(&self.url),
            Column::Events => {
                let events: Vec<&str> = self.events.iter().map(|e| e.as_str().trim_start_matches("payment.")).collect();
                text(&events.join(","))
            }
            Column::Status => status_cell(self.status.as_str(), theme),
            Column::Age => age(now, self.created_at),
            _ => Cell::from(""),
        }
    }
}

/// The columns a table is drawn with: the chosen ones that fit, with
/// the sort's arrow; or a fixed table's.
pub struct Layout {
    sort: Option<Sort>,
    chosen: Option<(Table, Vec<(Column, Constraint)>)>,
}

impl Layout {
    /// For `room` cells after the marker column.
    pub fn of<T: TableRow>(app: &App, sort: Option<Sort>, room: u16) -> Layout {
        let chosen = T::TABLE.map(|table| {
            // A view shows its own columns, if it has them.
            let view = app.shown_view().and_then(|view| view.columns.as_deref());
            (table, fit(table, view.unwrap_or(app.settings.columns.of(table)), room))
        });
        Layout { sort, chosen }
    }

    /// A fixed table's.
    pub fn fixed() -> Layout {
        Layout { sort: None, chosen: None }
    }

    fn shown(&self) -> Vec<Column> {
        self.chosen.iter().flat_map(|(_, columns)| columns.iter().map(|(c, _)| *c)).collect()
    }

    /// The column the sort shows in, and whether the age column says when
    /// a payment was credited.
    fn sorted(&self) -> Option<(Column, bool)> {
        let sort = self.sort?;
        let shown = self.shown();
        let column = sorted_by(sort.column, &shown)?;
        Some((column, sort.column == SortColumn::Settled && column == Column::Age))
    }

    /// The headers, the sort column's with its direction: ↓ largest (or
    /// Z) first. An age column's arrow is its ages' (newest first is the
    /// smallest ages first: ↑).
    pub(super) fn headers<T: TableRow>(&self) -> Vec<String> {
        let Some((table, columns)) = &self.chosen else {
            return T::headers().iter().map(|h| h.to_string()).collect();
        };
        let sorted = self.sorted();
        let arrow = self.sort.map(|sort| if sort.descending != sort.by_age() { '↓' } else { '↑' });
        let mut headers = vec![String::new()];
        for (column, _) in columns {
            headers.push(match sorted {
                Some((at, true)) if at == *column => format!("SETTLED{}", arrow.unwrap_or(' ')),
                Some((at, false)) if at == *column => header(*table, *column, arrow),
                _ => header(*table, *column, None),
            });
        }
        headers
    }

    pub(super) fn widths<T: TableRow>(&self) -> Vec<Constraint> {
        let Some((_, columns)) = &self.chosen else { return T::widths() };
        let settled_in_age = self.sorted().is_some_and(|(_, in_age)| in_age);
        let mut widths = vec![Constraint::Length(1)];
        widths.extend(columns.iter().map(|(column, width)| match column {
            // A settlement's age needs its header's room.
            Column::Age if settled_in_age => Constraint::Length(8),
            _ => *width,
        }));
        widths
    }

    pub(super) fn cells<T: TableRow>(
        &self,
        row: &T,
        list: &dyn Shown<T>,
        now: DateTime<Utc>,
        theme: &Theme,
    ) -> Vec<Cell<'static>> {
        let Some((_, columns)) = &self.chosen else { return row.cells(now, theme) };
        let sort = self.sort.map(|s| s.column);
        let beside = row.beside_key().and_then(|key| list.beside(key));
        columns.iter().map(|(column, _)| row.sorted_cell(*column, beside, sort, now, theme)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(columns: &[Column]) -> Vec<Chosen> {
        columns.iter().map(|&column| Chosen { column, width: None }).collect()
    }

    #[test]
    fn a_narrow_table_gives_up_columns_from_the_right_but_never_the_id_amount_or_status() {
        use Column::*;
        let all = chosen(Table::Links.offered());
        let names = |room: u16| fit(Table::Links, &all, room).into_iter().map(|(c, _)| c.name()).collect::<Vec<_>>();
        assert_eq!(names(200), ["id", "amount", "currency", "status", "age", "description", "paid", "url"]);
        assert_eq!(names(69), ["id", "amount", "currency", "status", "age", "description"]);
        assert_eq!(names(68), ["id", "amount", "currency", "status", "age"], "the rightmost goes first");
        assert_eq!(names(56), ["id", "amount", "currency", "status", "age"]);
        assert_eq!(names(55), ["id", "amount", "currency", "status"]);
        assert_eq!(names(10), ["id", "amount", "currency", "status"], "never given up, however narrow");
        // The agent's order is the priority: the description goes last here,
        // and a narrow column right of a wide one goes before it.
        let mine = chosen(&[Id, Description, Amount, Status, Age, Currency]);
        let fitted: Vec<_> = fit(Table::Links, &mine, 66).into_iter().map(|(c, _)| c.name()).collect();
        assert_eq!(fitted, ["id", "description", "amount", "status", "currency"]);
    }
}
