//! Rows the agent marked to act on together (Space, `V` for a range,
//! `:marks clear`): per pane, by id, in the order marked. A mark keeps the
//! row's id and money only, so that it outlives scrolling, sorting, filters
//! and live updates (the row is drawn from the list as it is now), and a
//! question can total the marked rows without holding them.

use super::resource::Resource;
use super::{App, Cmd, Pane};
use indexmap::IndexMap;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What a mark keeps of its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    pub id: String,
    pub money: Option<(Decimal, String)>,
    /// Its status when last seen.
    pub status: String,
}

impl Marked {
    pub fn of<T: Resource>(row: &T) -> Marked {
        Marked {
            id: row.id().to_string(),
            money: row.money().map(|(amount, currency)| (amount, currency.to_string())),
            status: row.status_text().to_string(),
        }
    }
}

/// What a mark keeps besides the id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Kept {
    money: Option<(Decimal, String)>,
    status: String,
}

/// One pane's marks.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    rows: IndexMap<String, Kept>,
    /// The row last marked with Space: where a range starts.
    anchor: Option<String>,
}

impl Marks {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.rows.contains_key(id)
    }

    /// The ids, in the order marked.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rows.keys().map(String::as_str)
    }

    /// Marks or unmarks a row; says whether it is marked now.
    pub fn toggle(&mut self, row: Marked) -> bool {
        if self.rows.shift_remove(&row.id).is_some() {
            self.anchor = None;
            return false;
        }
        self.anchor = Some(row.id.clone());
        self.rows.insert(row.id, Kept { money: row.money, status: row.status });
        true
    }

    /// Marks a row (a range's); says whether it was not marked before.
    pub fn mark(&mut self, row: Marked) -> bool {
        self.rows.insert(row.id, Kept { money: row.money, status: row.status }).is_none()
    }

    /// How many were last seen with another status than this one.
    pub fn not(&self, status: &str) -> usize {
        self.rows.values().filter(|kept| kept.status != status).count()
    }

    pub fn anchor(&self) -> Option<&str> {
        self.anchor.as_deref()
    }

    pub fn unmark(&mut self, id: &str) {
        self.rows.shift_remove(id);
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.anchor = None;
    }

    /// The marked rows' money, per currency (codes in order); `None` when
    /// a total is too large to hold (never a wrong one).
    pub fn totals(&self) -> Option<BTreeMap<String, Decimal>> {
        let mut totals = BTreeMap::new();
        for (amount, currency) in self.rows.values().filter_map(|kept| kept.money.as_ref()) {
            let total = totals.entry(currency.clone()).or_insert(Decimal::ZERO);
            *total = total.checked_add(*amount)?;
        }
        Some(totals)
    }
}

/// Each currency's total, one a line: "700.00 USDT"; a line saying so
/// when there is none, or one too large to add up.
pub fn totals_lines(totals: Option<&BTreeMap<String, Decimal>>) -> Vec<String> {
    match totals {
        None => vec!["too large to add up".into()],
        Some(totals) if totals.is_empty() => vec!["no amount".into()],
        Some(totals) => totals
            .iter()
            .map(|(currency, amount)| format!("{amount} {}", crate::sanitize::for_terminal_truncated(currency, 10)))
            .collect(),
    }
}

/// The most rows a pane marks: an export of them is one `IN` list, and
/// SQLite takes at most 32,766 values in a statement.
pub const MAX_MARKS: usize = 20_000;

/// The most a terminal's clipboard is asked to carry: OSC 52 payloads past
/// about 100 kB of base64 are cut or dropped by common terminals and tmux.
pub const CLIPBOARD_MAX_BYTES: usize = 74_000;

impl App {
    pub fn marks(&self, pane: Pane) -> &Marks {
        &self.marks[usize::from(pane.bit())]
    }

    pub(super) fn marks_mut(&mut self, pane: Pane) -> &mut Marks {
        &mut self.marks[usize::from(pane.bit())]
    }

    /// Space: marks or unmarks the selected row, and moves on to the next.
    pub(super) fn toggle_mark(&mut self) {
        let list = self.list(self.pane);
        let Some(row) = list.marked_at(list.selected()) else {
            return self.notify("no row here to mark", true);
        };
        let marks = self.marks(self.pane);
        if marks.len() >= MAX_MARKS && !marks.contains(&row.id) {
            return self.notify(
                format!(
                    "at most {} rows can be marked: act on these first",
                    crate::human::group_thousands(MAX_MARKS as u64)
                ),
                true,
            );
        }
        self.marks_mut(self.pane).toggle(row);
        self.move_selection(1);
    }

    /// `V`: marks every row from the one last marked to the selected one.
    pub(super) fn mark_range(&mut self) {
        let pane = self.pane;
        let Some(anchor) = self.marks(pane).anchor().map(str::to_string) else {
            return self.notify("mark a row with space first: V marks from it to here", true);
        };
        let list = self.list(pane);
        let here = list.selected();
        // The rows held around the selection, either way, until the anchor.
        let held = |position: usize| list.marked_at(position);
        let mut rows = Vec::new();
        let mut found = false;
        for step in [-1isize, 1] {
            let mut run = Vec::new();
            let mut at = here;
            while let Some(row) = held(at) {
                let is_anchor = row.id == anchor;
                run.push(row);
                if is_anchor {
                    found = true;
                    break;
                }
                match at.checked_add_signed(step) {
                    Some(next) => at = next,
                    None => break,
                }
            }
            if found {
                // In list order.
                if step < 0 {
                    run.reverse();
                }
                rows = run;
                break;
            }
        }
        if !found {
            return self.notify(
                "the row last marked is not among the rows loaded here: mark ranges within a few screens",
                true,
            );
        }
        let marks = self.marks_mut(pane);
        let room = MAX_MARKS.saturating_sub(marks.len());
        let fresh: Vec<Marked> = rows.into_iter().filter(|row| !marks.contains(&row.id)).collect();
        let cut = fresh.len() > room;
        let added = fresh.into_iter().take(room).filter(|row| marks.mark(row.clone())).count();
        let total = marks.len();
        match cut {
            true => self.notify(format!("marked {added} more: {total} marked, the most there can be"), true),
            false => self.notify(format!("marked {added} more: {total} marked"), false),
        }
    }

    /// `:marks clear`.
    pub(super) fn clear_marks(&mut self) {
        let count = self.marks(self.pane).len();
        self.marks_mut(self.pane).clear();
        self.notify(format!("cleared {count} marks"), false);
    }

    /// `i`: copies the ids of the marked rows, one a line, or the selected
    /// row's id; the footer says what went.
    pub(super) fn copy_ids(&mut self, cmds: &mut Vec<Cmd>) {
        let marks = self.marks(self.pane);
        if marks.is_empty() {
            let Some(id) = self.detail_or_selected_id() else {
                return self.notify("no row selected: no id to copy", true);
            };
            let clean = crate::sanitize::for_terminal(&id).into_owned();
            match clean == id {
                true => self.notify(format!("copied {clean}"), false),
                // A hostile id is never copied raw: what went is said.
                false => self.notify(format!("copied {clean}, its control characters removed"), true),
            }
            cmds.push(Cmd::Copy(clean));
            return;
        }
        let mut text = String::new();
        for id in marks.ids() {
            text.push_str(&crate::sanitize::for_terminal(id));
            text.push('\n');
        }
        let count = marks.len();
        if text.len() > CLIPBOARD_MAX_BYTES {
            return self.notify(
                format!(
                    "{} ids are {} kB, more than a terminal's clipboard carries ({} kB): export them instead (e)",
                    crate::human::group_thousands(count as u64),
                    text.len() / 1000,
                    CLIPBOARD_MAX_BYTES / 1000
                ),
                true,
            );
        }
        self.notify(
            format!("copied the ids of {} marked rows, one a line", crate::human::group_thousands(count as u64)),
            false,
        );
        cmds.push(Cmd::Copy(text));
    }

    /// The id of the open detail, or else of the selected row.
    fn detail_or_selected_id(&self) -> Option<String> {
        self.detail.as_ref().map(|d| d.id.clone()).or_else(|| self.selected_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, amount: i64, currency: &str) -> Marked {
        Marked { id: id.into(), money: Some((Decimal::new(amount, 2), currency.into())), status: "active".into() }
    }

    #[test]
    fn marks_keep_their_order_and_total_per_currency() {
        let mut marks = Marks::default();
        assert!(marks.toggle(row("pl_b", 10_000, "USDT")));
        assert!(marks.toggle(row("pl_a", 5, "BTC")));
        assert!(marks.mark(row("pl_c", 2_550, "USDT")));
        assert!(!marks.mark(row("pl_c", 2_550, "USDT")), "marked twice is marked once");
        assert_eq!(marks.ids().collect::<Vec<_>>(), ["pl_b", "pl_a", "pl_c"]);
        assert_eq!(totals_lines(marks.totals().as_ref()), ["0.05 BTC", "125.50 USDT"]);
        assert_eq!(marks.anchor(), Some("pl_a"));
        assert!(!marks.toggle(row("pl_a", 5, "BTC")), "space again unmarks");
        assert_eq!((marks.len(), marks.anchor()), (2, None));
        marks.unmark("pl_b");
        assert_eq!(marks.ids().collect::<Vec<_>>(), ["pl_c"]);
        // A total too large to hold is said, never wrapped or panicked on.
        let huge = Marked { id: "pl_d".into(), money: Some((Decimal::MAX, "USDT".into())), status: "paid".into() };
        assert!(marks.mark(huge));
        assert_eq!(totals_lines(marks.totals().as_ref()), ["too large to add up"]);
        assert_eq!(marks.not("active"), 1);
    }
}
