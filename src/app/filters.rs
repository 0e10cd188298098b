//! The panes' filters: what each shows, set by keys and `:` commands. They
//! are questions for the mirror, like the sort; dates are shown in the
//! agent's zone.

use super::pane::TransactionFilter;
use super::{App, Pane};

/// The currencies `c` cycles through.
const CURRENCIES: [&str; 4] = ["USDT", "USDC", "BTC", "ETH"];

impl App {
    pub(super) fn cycle_currency(&mut self) {
        let mut filter = self.transactions.filter.clone();
        let current = filter.currency.as_deref();
        filter.currency = match current {
            None => Some(CURRENCIES[0].to_string()),
            Some(code) => {
                CURRENCIES.iter().position(|c| *c == code).and_then(|i| CURRENCIES.get(i + 1)).map(|c| c.to_string())
            }
        };
        self.set_transactions_filter(filter);
    }

    /// The Transactions pane for one link (`None` for all links).
    pub(super) fn show_link_transactions(&mut self, link_id: Option<String>) {
        let filter = TransactionFilter { payment_link_id: link_id, ..self.transactions.filter.clone() };
        self.set_transactions_filter(filter);
    }

    /// Shows the Transactions pane with this filter.
    pub(super) fn set_transactions_filter(&mut self, filter: TransactionFilter) {
        self.switch_pane(Pane::Transactions);
        if self.transactions.set_filter(filter) {
            self.detail = None;
        }
    }

    /// "settled 2026-11-29 00:00–23:59 CET (Europe/Berlin)", or "from …",
    /// "to …": the Transactions pane's dates in the agent's zone, named.
    pub fn transactions_date_words(&self) -> Vec<String> {
        let filter = &self.transactions.filter;
        let zone = &self.settings.zone;
        let field = match filter.date {
            crate::store::DateField::Created => String::new(),
            other => format!("{} ", other.as_str()),
        };
        let at =
            |t: chrono::DateTime<chrono::Utc>| format!("{} {}", zone.format(t, "%Y-%m-%d %H:%M"), zone.abbreviation(t));
        let mut words = match (filter.from, filter.to) {
            (Some(from), Some(to))
                if zone.date_of(from) == zone.date_of(to) && zone.abbreviation(from) == zone.abbreviation(to) =>
            {
                let (day, start, end) =
                    (zone.format(from, "%Y-%m-%d"), zone.format(from, "%H:%M"), zone.format(to, "%H:%M"));
                vec![format!("{field}{day} {start}–{end} {}", zone.abbreviation(to))]
            }
            (from, to) => {
                let mut words = Vec::new();
                if let Some(from) = from {
                    words.push(format!("{field}from {}", at(from)));
                }
                if let Some(to) = to {
                    let field = if from.is_some() { "" } else { field.as_str() };
                    words.push(format!("{field}to {}", at(to)));
                }
                words
            }
        };
        match words.last_mut() {
            Some(last) => {
                let named = filter.from.or(filter.to).is_some_and(|t| zone.abbreviation(t) == zone.name());
                if !named {
                    last.push_str(&format!(" ({})", crate::sanitize::for_terminal_truncated(zone.name(), 40)));
                }
            }
            None if filter.date != crate::store::DateField::Created => {
                words.push(format!("dates: {}", filter.date.as_str()))
            }
            None => {}
        }
        words
    }

    pub(super) fn set_links_filter(&mut self, filter: super::LinkFilter) {
        if self.links.set_filter(filter) && self.pane == Pane::Links {
            self.detail = None;
        }
    }
}
