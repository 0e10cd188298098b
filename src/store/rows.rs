//! Rows in and out of SQLite: sort keys, amount keys that compare exactly
//! as text, times as microseconds, and upserts that keep the search index
//! in step. A status only moves forward: an answer fetched earlier but
//! written later (a pane's page racing the sync) never undoes a newer one,
//! and terminal statuses are final.

use crate::api::{LinkStatus, Transaction, TransactionStatus};
use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;

/// Slots per second of creation time: how many items of one second get
/// distinct sort keys before the probe wraps.
pub const SLOTS: i64 = 500_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Link = 0,
    Transaction = 1,
}

impl Kind {
    pub fn of(sort_key: i64) -> Kind {
        if sort_key & 1 == 0 { Kind::Link } else { Kind::Transaction }
    }

    pub fn table(self) -> &'static str {
        match self {
            Kind::Link => "links",
            Kind::Transaction => "transactions",
        }
    }
}

/// The sort key of an item created at `created_at`, in slot `slot`.
pub fn sort_key(kind: Kind, created_at: DateTime<Utc>, slot: i64) -> i64 {
    let seconds = created_at.timestamp().clamp(0, i64::MAX / SLOTS / 2 - 1);
    (seconds * SLOTS + slot.rem_euclid(SLOTS)) * 2 + kind as i64
}

/// The smallest and largest sort keys of a time range (inclusive), for
/// range filters on either kind.
pub fn key_range(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> (i64, i64) {
    let low = from.map(|t| sort_key(Kind::Link, t, 0)).unwrap_or(0);
    let high = to.map(|t| sort_key(Kind::Transaction, t, SLOTS - 1)).unwrap_or(i64::MAX);
    (low, high)
}

/// The first slot tried for an id: spread by its hash (FNV-1a).
pub(super) fn first_slot(id: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % SLOTS as u64) as i64
}

/// An amount as fixed-width text that sorts like the number: 20 integer
/// digits and 18 decimals (the most any currency has). Negative amounts,
/// which PIK does not have, sort first.
pub fn amount_key(amount: Decimal) -> String {
    if amount.is_sign_negative() {
        return format!("-{}", amount);
    }
    let text = amount.normalize().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    format!("{int:0>20}.{frac:0<18}")
}

pub fn micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

pub fn from_micros(value: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(value).single().unwrap_or_default()
}

/// How far along its life a status is; a lower rank never replaces a higher one.
pub(super) fn link_rank(status: &str) -> u8 {
    match LinkStatus::parse(status) {
        LinkStatus::Active => 0,
        LinkStatus::Other(_) => 0,
        LinkStatus::Paid | LinkStatus::Expired | LinkStatus::Deactivated => 2,
    }
}

pub(super) fn transaction_rank(status: &str) -> u8 {
    match TransactionStatus::parse(status) {
        TransactionStatus::Pending | TransactionStatus::Other(_) => 0,
        TransactionStatus::Confirmed => 1,
        TransactionStatus::Settled | TransactionStatus::Failed => 2,
    }
}

/// Whether a stored status may be replaced by a new one.
pub(super) fn may_replace(old: &str, new: &str, rank: fn(&str) -> u8) -> bool {
    if old == new {
        return true;
    }
    let (old_rank, new_rank) = (rank(old), rank(new));
    // Terminal statuses are final; otherwise never backwards.
    old_rank < 2 && new_rank >= old_rank
}

/// What an upsert did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Upserted {
    pub inserted: u64,
    pub updated: u64,
    /// Transactions new to the store or whose status moved, when the batch
    /// asked for them (the sync's live cycles, for alerts).
    pub changed: Vec<Transaction>,
    /// What the write changed, for the store's notice.
    pub change: Change,
}

impl std::ops::AddAssign for Upserted {
    fn add_assign(&mut self, other: Upserted) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.changed.extend(other.changed);
        self.change.add(other.change);
    }
}

/// What a write changed, as the store announces it once committed: the
/// kinds of rows written, and the ids of the rows new or changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    pub links: bool,
    pub transactions: bool,
    pub webhooks: bool,
    pub ids: Vec<String>,
    /// An agent acted on a case (the record, not the mirror, changed).
    pub acts: bool,
}

impl Change {
    /// Something changed, unknown what (another process wrote).
    pub fn anything() -> Change {
        Change { links: true, transactions: true, webhooks: true, ids: Vec::new(), acts: true }
    }

    /// An agent acted on a case.
    pub fn acts() -> Change {
        Change { acts: true, ..Change::default() }
    }

    pub fn is_empty(&self) -> bool {
        !self.links && !self.transactions && !self.webhooks && !self.acts
    }

    pub fn add(&mut self, other: Change) {
        self.acts |= other.acts;
        self.links |= other.links;
        self.transactions |= other.transactions;
        self.webhooks |= other.webhooks;
        self.ids.extend(other.ids);
    }
}

pub const LINK_COLUMNS: &str = "id, created_at, status, currency, amount, description, url, paid_at, expires_at";

pub const TRANSACTION_COLUMNS: &str =
    "id, created_at, status, currency, amount, payment_link_id, tx_hash, confirmed_at, settled_at";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_keys_sort_like_the_numbers() {
        let mut amounts: Vec<Decimal> = ["0.015", "75.00", "75", "100", "9.99", "1000000", "0.000000000000000001"]
            .iter()
            .map(|a| a.parse().unwrap_or_default())
            .collect();
        let mut by_key = amounts.clone();
        by_key.sort_by_key(|a| amount_key(*a));
        amounts.sort();
        assert_eq!(by_key, amounts);
        assert_eq!(amount_key("75.00".parse().unwrap_or_default()), amount_key(Decimal::from(75)));
    }

    #[test]
    fn sort_keys_order_by_time_then_keep_kinds_apart() {
        let t = crate::test_support::t0();
        let a = sort_key(Kind::Link, t, first_slot("pl_a"));
        let b = sort_key(Kind::Transaction, t + chrono::Duration::seconds(1), 0);
        assert!(a < b);
        assert_eq!((Kind::of(a), Kind::of(b)), (Kind::Link, Kind::Transaction));
        let (low, high) = key_range(Some(t), Some(t));
        assert!(low <= a && a <= high && b > high);
    }

    #[test]
    fn statuses_only_move_forward() {
        assert!(may_replace("active", "paid", link_rank));
        assert!(!may_replace("paid", "active", link_rank));
        assert!(!may_replace("paid", "expired", link_rank), "terminal is final");
        assert!(may_replace("pending", "confirmed", transaction_rank));
        assert!(!may_replace("confirmed", "pending", transaction_rank));
        assert!(!may_replace("settled", "failed", transaction_rank));
        assert!(may_replace("pending", "pending", transaction_rank));
    }
}
