//! The order of the Links and Transactions panes: `<` and `>` move the
//! sort to the column left or right at once, `I` turns it round, `:sort
//! COLUMN [asc|desc]` names it. Each pane keeps its own; the config file
//! gives the first. The mirror sorts, by index: nothing is sorted here.

use super::{App, Pane};

/// What the notice of a new sort is about: it goes with its pane.
use crate::store::{Kinds, Sort, SortColumn};

impl App {
    /// The sort of a pane that sorts.
    pub fn sort_of(&self, pane: Pane) -> Option<Sort> {
        match pane {
            Pane::Links => Some(self.links.sort),
            Pane::Transactions => Some(self.transactions.sort),
            Pane::Webhooks | Pane::Events | Pane::Search | Pane::Overview => None,
        }
    }

    fn sort_kinds(&self) -> Option<Kinds> {
        match self.pane {
            Pane::Links => Some(Kinds::Links),
            Pane::Transactions => Some(Kinds::Transactions),
            Pane::Webhooks | Pane::Events | Pane::Search | Pane::Overview => None,
        }
    }

    /// `<` and `>`: the column left or right of the sort column, in its
    /// usual direction.
    pub(super) fn step_sort(&mut self, forward: bool) {
        let (Some(kinds), Some(sort)) = (self.sort_kinds(), self.sort_of(self.pane)) else { return };
        let columns = SortColumn::of(kinds);
        let at = columns.iter().position(|c| *c == sort.column).unwrap_or(0);
        let next = if forward { (at + 1) % columns.len() } else { (at + columns.len() - 1) % columns.len() };
        self.set_sort(Sort::usual(columns[next]));
    }

    /// `I`: the same column the other way round.
    pub(super) fn invert_sort(&mut self) {
        if let Some(sort) = self.sort_of(self.pane) {
            self.set_sort(Sort { descending: !sort.descending, ..sort });
        }
    }

    /// `:sort COLUMN [asc|desc]`: an unknown column changes nothing and
    /// names the columns.
    pub(super) fn sort_command(&mut self, text: &str) {
        let Some(kinds) = self.sort_kinds() else {
            return self.notify("only the Links and Transactions panes sort", true);
        };
        match Sort::parse(text, kinds) {
            Ok(sort) => self.set_sort(sort),
            Err(words) => self.notify(words, true),
        }
    }

    fn set_sort(&mut self, sort: Sort) {
        let changed = match self.pane {
            Pane::Links => self.links.set_sort(sort),
            Pane::Transactions => self.transactions.set_sort(sort),
            Pane::Webhooks | Pane::Events | Pane::Search | Pane::Overview => false,
        };
        if !changed {
            return;
        }
        self.detail = None;
        // A search shows its matches newest first; the sort is the pane's.
        let text = match self.search_view(self.pane) {
            Some(_) => format!("sorted: {}, shown when the search ends (esc)", sort.words()),
            None => format!("sorted: {}", sort.words()),
        };
        self.notify_about(super::ABOUT_THIS_PANE, text, false);
    }
}
