//! The sync's place in the account, saved in the store in the same
//! transaction as the rows it brought, so that a sync killed at any point
//! goes on where it stopped, with nothing lost or counted twice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The key the state is saved under.
pub const KEY: &str = "sync";

/// The links' backfill: an offset into "newest first", corrected for the
/// items that arrive on top meanwhile (they push everything down).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCursor {
    pub offset: u64,
    /// PIK's total when `offset` was last moved.
    pub total: Option<u64>,
    pub done: bool,
}

impl LinkCursor {
    /// Moves past a page read at `offset`: items that arrived on top since
    /// the last page shifted the list down by the growth of the total, and
    /// whatever was seen before lies above `offset + shift`; this page
    /// covered `offset..offset + received`. Never skips: at worst a few
    /// rows are read twice.
    pub fn advance(&mut self, received: u64, total: u64, page_size: u64) {
        let shift = self.total.map(|before| total.saturating_sub(before)).unwrap_or(0);
        self.offset += received.max(shift);
        self.total = Some(total);
        if received < page_size || self.offset >= total {
            self.done = true;
        }
    }
}

/// The transactions' backfill: a time cursor. Each page asks for what was
/// created at or before `before`, skipping the `skip` items at exactly that
/// time already read, so that new payments never shift it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionCursor {
    pub before: Option<DateTime<Utc>>,
    pub skip: u64,
    /// All transactions when the backfill started: the progress bar's end.
    pub total: Option<u64>,
    pub done: bool,
}

impl TransactionCursor {
    /// Moves past a page: `times` are its items' creation times, newest first.
    pub fn advance(&mut self, times: &[DateTime<Utc>], page_size: u64) {
        let Some(oldest) = times.iter().min().copied() else {
            self.done = true;
            return;
        };
        let at_oldest = times.iter().filter(|t| **t == oldest).count() as u64;
        if self.before == Some(oldest) {
            self.skip += times.len() as u64;
        } else {
            self.before = Some(oldest);
            self.skip = at_oldest;
        }
        if (times.len() as u64) < page_size {
            self.done = true;
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub links: LinkCursor,
    pub transactions: TransactionCursor,
    /// When a full cycle last ended: the mirror was up to date then.
    pub synced_at: Option<DateTime<Utc>>,
    /// PIK's totals of links and transactions when the mirror last found
    /// itself short of rows and started reading them again.
    #[serde(default)]
    pub repaired: Option<(u64, u64)>,
}

impl SyncState {
    pub fn backfilled(&self) -> bool {
        self.links.done && self.transactions.done
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a saved state; an unreadable one starts over (the rows stay,
    /// and a backfill over them only updates them).
    pub fn from_json(text: Option<&str>) -> SyncState {
        text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::t0;
    use chrono::Duration;

    #[test]
    fn the_link_cursor_makes_up_for_items_arriving_on_top() {
        let mut cursor = LinkCursor::default();
        cursor.advance(100, 1000, 100);
        assert_eq!(cursor.offset, 100);
        // 7 arrived since: this page (read at 100) overlapped 7 seen rows.
        cursor.advance(100, 1007, 100);
        assert_eq!(cursor.offset, 200, "overlap, no skip");
        // 150 arrived since: the whole page was seen rows; jump past them.
        cursor.advance(100, 1157, 100);
        assert_eq!(cursor.offset, 350);
        cursor.advance(40, 1157, 100);
        assert!(cursor.done);
    }

    #[test]
    fn the_time_cursor_steps_back_and_skips_what_it_read_at_the_same_second() {
        let mut cursor = TransactionCursor::default();
        let at = |s: i64| t0() - Duration::seconds(s);
        cursor.advance(&[at(1), at(2), at(5), at(5)], 4);
        assert_eq!((cursor.before, cursor.skip, cursor.done), (Some(at(5)), 2, false));
        // A page all at the same second: skip grows.
        cursor.advance(&[at(5), at(5), at(5), at(5)], 4);
        assert_eq!((cursor.before, cursor.skip), (Some(at(5)), 6));
        cursor.advance(&[at(5), at(9)], 4);
        assert_eq!((cursor.before, cursor.skip, cursor.done), (Some(at(9)), 1, true));
        let mut empty = TransactionCursor::default();
        empty.advance(&[], 4);
        assert!(empty.done);
    }
}
