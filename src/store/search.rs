//! What a search finds, on either backend: hits, a window of them with a
//! capped count, and the date ranges both backends filter by.

use super::query::SearchQuery;
use super::rows::{self};
use crate::api::{PaymentLink, Transaction};

/// Counting stops here: "more than 1,000" says to narrow the search down,
/// and counting every match of a broad one would cost more than finding
/// the rows. Scrolling goes on past it, a window at a time.
pub const COUNT_CAP: u64 = 1_000;

/// One row a search found.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchHit {
    Link(PaymentLink),
    Transaction(Transaction),
}

impl SearchHit {
    pub fn id(&self) -> &str {
        match self {
            SearchHit::Link(link) => &link.id,
            SearchHit::Transaction(txn) => &txn.id,
        }
    }
}

/// A window of results, and how many matched in all.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub total: u64,
    /// The count stopped at [`COUNT_CAP`]: there are at least that many.
    pub capped: bool,
    pub offset: u64,
    pub hits: Vec<SearchHit>,
}

/// The confirmation and settlement ranges as (column, lowest, highest) in
/// microseconds, both ends inclusive: a range's end is its last second, so
/// the whole of that second is in.
pub fn time_ranges(query: &SearchQuery) -> Vec<(&'static str, i64, i64)> {
    [("confirmed_at", query.confirmed), ("settled_at", query.settled)]
        .into_iter()
        .filter_map(|(column, range)| {
            let range = range?;
            let low = range.from.map(rows::micros).unwrap_or(i64::MIN);
            let high = range.to.map(|t| rows::micros(t).saturating_add(999_999)).unwrap_or(i64::MAX);
            Some((column, low, high))
        })
        .collect()
}
