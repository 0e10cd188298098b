//! The running totals on SQLite: a batch's changes applied in its
//! transaction, and every total rebuilt from the rows (by a migration).

use super::super::rollups::{Deltas, decimal, overflow};
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

impl Deltas {
    /// Adds everything gathered to the stored totals.
    pub fn apply(self, conn: &Connection) -> rusqlite::Result<()> {
        for ((at, currency, status), (count, amount)) in self.transactions {
            let current: Option<String> = conn
                .prepare_cached(
                    "SELECT amount FROM rollup_transactions WHERE slot = ?1 AND currency = ?2 AND status = ?3",
                )?
                .query_row(params![at, currency, status], |row| row.get(0))
                .optional()?;
            let sum = sum(current, amount)?;
            conn.prepare_cached(
                "INSERT INTO rollup_transactions (slot, currency, status, count, amount) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (slot, currency, status) DO UPDATE SET count = count + ?4, amount = ?5",
            )?
            .execute(params![at, currency, status, count, sum.to_string()])?;
        }
        for ((at, currency), (count, amount)) in self.settled {
            let current: Option<String> = conn
                .prepare_cached("SELECT amount FROM rollup_settled WHERE slot = ?1 AND currency = ?2")?
                .query_row(params![at, currency], |row| row.get(0))
                .optional()?;
            let sum = sum(current, amount)?;
            conn.prepare_cached(
                "INSERT INTO rollup_settled (slot, currency, count, amount) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (slot, currency) DO UPDATE SET count = count + ?3, amount = ?4",
            )?
            .execute(params![at, currency, count, sum.to_string()])?;
        }
        for ((at, currency), (created, paid)) in self.links {
            conn.prepare_cached(
                "INSERT INTO rollup_links (slot, currency, created, paid) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (slot, currency) DO UPDATE SET created = created + ?3, paid = paid + ?4",
            )?
            .execute(params![at, currency, created, paid])?;
        }
        for ((list, status, currency), count) in self.lists.into_iter().filter(|(_, count)| *count != 0) {
            conn.prepare_cached(
                "INSERT INTO list_totals (list, status, currency, count) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (list, status, currency) DO UPDATE SET count = count + ?4",
            )?
            .execute(params![list, status, currency, count])?;
        }
        Ok(())
    }
}

/// A stored sum (if any) plus `amount`, exactly.
fn sum(current: Option<String>, amount: Decimal) -> rusqlite::Result<Decimal> {
    match current {
        Some(text) => decimal(&text)?.checked_add(amount).ok_or_else(overflow),
        None => Ok(amount),
    }
}

/// Computes every total again from the rows (a file of an older schema).
pub fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("DELETE FROM rollup_transactions; DELETE FROM rollup_settled; DELETE FROM rollup_links;")?;
    let mut deltas = Deltas::default();
    let sql = format!("SELECT {} FROM transactions", super::rows::TRANSACTION_COLUMNS);
    let mut rows = conn.prepare(&sql)?;
    for txn in rows.query_map([], super::rows::transaction_from_row)? {
        deltas.transaction(&txn?, None)?;
    }
    let sql = format!("SELECT {} FROM links", super::rows::LINK_COLUMNS);
    let mut rows = conn.prepare(&sql)?;
    for link in rows.query_map([], super::rows::link_from_row)? {
        deltas.link(&link?, None);
    }
    // The lists' counts have their own migration, after this one.
    deltas.lists.clear();
    deltas.apply(conn)
}
