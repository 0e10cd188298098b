//! Running totals per 15-minute slot of UTC, kept in step with every write,
//! so the overview and reports read a few thousand small rows instead of a
//! million: transactions by creation slot, currency and status; settled
//! volume by settlement slot; links created and paid. Sums are exact
//! decimals (money is never a float), kept as text.

use crate::api::{LinkStatus, PaymentLink, Transaction, TransactionStatus};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Seconds in a slot. Every time zone's offset is a multiple of it, so
/// local hours and days are whole slots.
pub const SLOT_SECS: i64 = 900;

pub fn slot(time: DateTime<Utc>) -> i64 {
    time.timestamp().div_euclid(SLOT_SECS)
}

pub(super) fn overflow() -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure("a sum of amounts is too large for a decimal".into())
}

pub(super) fn decimal(text: &str) -> rusqlite::Result<Decimal> {
    Decimal::from_str_exact(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// Changes to the totals, gathered over a batch of writes and applied
/// once at its end: a page of 100 rows touches a few slots, so this is a
/// few statements a batch instead of two a row.
#[derive(Debug, Default)]
pub struct Deltas {
    pub(super) transactions: TransactionTotals,
    pub(super) settled: SettledTotals,
    pub(super) links: LinkTotals,
    pub(super) lists: ListTotals,
}

/// Rows per list (`"links"` or `"transactions"`), status and currency: what
/// a list's count reads, instead of counting a million rows.
pub type ListTotals = HashMap<(&'static str, String, String), i64>;

pub type TransactionTotals = HashMap<(i64, String, String), (i64, Decimal)>;
pub type SettledTotals = HashMap<(i64, String), (i64, Decimal)>;
pub type LinkTotals = HashMap<(i64, String), (i64, i64)>;

fn add(entry: &mut (i64, Decimal), count: i64, amount: Decimal) -> rusqlite::Result<()> {
    entry.0 += count;
    entry.1 = entry.1.checked_add(amount).ok_or_else(overflow)?;
    Ok(())
}

/// When a transaction's money arrived: its settlement (its creation if PIK
/// gave no settlement time).
fn settled_slot(txn: &Transaction) -> i64 {
    slot(txn.settled_at.unwrap_or(txn.created_at))
}

impl Deltas {
    /// A transaction written over `old` (its stored status, if it was stored).
    pub fn transaction(&mut self, txn: &Transaction, old: Option<&str>) -> rusqlite::Result<()> {
        let new = txn.status.as_str();
        if old == Some(new) {
            return Ok(());
        }
        self.list_moved("transactions", &txn.currency, old, new);
        let at = slot(txn.created_at);
        if let Some(old) = old {
            let entry = self.transactions.entry((at, txn.currency.clone(), old.to_string())).or_default();
            add(entry, -1, -txn.amount)?;
        }
        add(self.transactions.entry((at, txn.currency.clone(), new.to_string())).or_default(), 1, txn.amount)?;
        if txn.status == TransactionStatus::Settled {
            add(self.settled.entry((settled_slot(txn), txn.currency.clone())).or_default(), 1, txn.amount)?;
        }
        Ok(())
    }

    /// A link written over `old`.
    pub fn link(&mut self, link: &PaymentLink, old: Option<&str>) {
        if old != Some(link.status.as_str()) {
            self.list_moved("links", &link.currency, old, link.status.as_str());
        }
        if old.is_none() {
            self.links.entry((slot(link.created_at), link.currency.clone())).or_default().0 += 1;
        }
        if link.status == LinkStatus::Paid && old != Some(LinkStatus::Paid.as_str()) {
            let at = slot(link.paid_at.unwrap_or(link.created_at));
            self.links.entry((at, link.currency.clone())).or_default().1 += 1;
        }
    }

    /// A row of a list new (`old` none) or moved from `old` to `new`.
    fn list_moved(&mut self, list: &'static str, currency: &str, old: Option<&str>, new: &str) {
        if let Some(old) = old {
            *self.lists.entry((list, old.to_string(), currency.to_string())).or_default() -= 1;
        }
        *self.lists.entry((list, new.to_string(), currency.to_string())).or_default() += 1;
    }

    /// What was gathered: transactions by (slot, currency, status), settled
    /// by (slot, currency), links (created, paid) by (slot, currency), rows
    /// by (list, status, currency).
    pub fn into_parts(self) -> (TransactionTotals, SettledTotals, LinkTotals, ListTotals) {
        (self.transactions, self.settled, self.links, self.lists)
    }
}
