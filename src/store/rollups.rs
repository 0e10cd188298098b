//! Running totals per 15-minute slot of UTC, kept in step with every write,
//! so the overview and reports read a few thousand small rows instead of a
//! million: transactions by creation slot, currency and status; settled
//! volume by settlement slot; links created and paid. Sums are exact
//! decimals (money is never a float), kept as text.

use crate::api::{LinkStatus, PaymentLink, Transaction, TransactionStatus};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Seconds in a slot. Every time zone's offset is a multiple of it, so
/// local hours and days are whole slots.
pub const SLOT_SECS: i64 = 900;

pub fn slot(time: DateTime<Utc>) -> i64 {
    time.timestamp().div_euclid(SLOT_SECS)
}

fn overflow() -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure("a sum of amounts is too large for a decimal".into())
}

fn decimal(text: &str) -> rusqlite::Result<Decimal> {
    Decimal::from_str_exact(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// Adds `count` items of `amount` in all to a transactions total.
fn add_transactions(
    conn: &Connection,
    slot: i64,
    currency: &str,
    status: &str,
    count: i64,
    amount: Decimal,
) -> rusqlite::Result<()> {
    let current: Option<String> = conn
        .prepare_cached("SELECT amount FROM rollup_transactions WHERE slot = ?1 AND currency = ?2 AND status = ?3")?
        .query_row(params![slot, currency, status], |row| row.get(0))
        .optional()?;
    let sum = match current {
        Some(text) => decimal(&text)?.checked_add(amount).ok_or_else(overflow)?,
        None => amount,
    };
    conn.prepare_cached(
        "INSERT INTO rollup_transactions (slot, currency, status, count, amount) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (slot, currency, status) DO UPDATE SET count = count + ?4, amount = ?5",
    )?
    .execute(params![slot, currency, status, count, sum.to_string()])?;
    Ok(())
}

fn add_settled(conn: &Connection, slot: i64, currency: &str, count: i64, amount: Decimal) -> rusqlite::Result<()> {
    let current: Option<String> = conn
        .prepare_cached("SELECT amount FROM rollup_settled WHERE slot = ?1 AND currency = ?2")?
        .query_row(params![slot, currency], |row| row.get(0))
        .optional()?;
    let sum = match current {
        Some(text) => decimal(&text)?.checked_add(amount).ok_or_else(overflow)?,
        None => amount,
    };
    conn.prepare_cached(
        "INSERT INTO rollup_settled (slot, currency, count, amount) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (slot, currency) DO UPDATE SET count = count + ?3, amount = ?4",
    )?
    .execute(params![slot, currency, count, sum.to_string()])?;
    Ok(())
}

fn add_links(conn: &Connection, slot: i64, currency: &str, created: i64, paid: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO rollup_links (slot, currency, created, paid) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (slot, currency) DO UPDATE SET created = created + ?3, paid = paid + ?4",
    )?
    .execute(params![slot, currency, created, paid])?;
    Ok(())
}

/// When a transaction's money arrived: its settlement (its creation if PIK
/// gave no settlement time).
fn settled_slot(txn: &Transaction) -> i64 {
    slot(txn.settled_at.unwrap_or(txn.created_at))
}

/// Keeps the totals in step with a transaction written over `old` (its
/// stored status, if it was stored).
pub fn transaction_written(conn: &Connection, txn: &Transaction, old: Option<&str>) -> rusqlite::Result<()> {
    let new = txn.status.as_str();
    if old == Some(new) {
        return Ok(());
    }
    let at = slot(txn.created_at);
    if let Some(old) = old {
        add_transactions(conn, at, &txn.currency, old, -1, -txn.amount)?;
    }
    add_transactions(conn, at, &txn.currency, new, 1, txn.amount)?;
    if txn.status == TransactionStatus::Settled {
        add_settled(conn, settled_slot(txn), &txn.currency, 1, txn.amount)?;
    }
    Ok(())
}

/// Keeps the totals in step with a link written over `old`.
pub fn link_written(conn: &Connection, link: &PaymentLink, old: Option<&str>) -> rusqlite::Result<()> {
    let paid = link.status == LinkStatus::Paid && old != Some(LinkStatus::Paid.as_str());
    if old.is_none() {
        add_links(conn, slot(link.created_at), &link.currency, 1, 0)?;
    }
    if paid {
        add_links(conn, slot(link.paid_at.unwrap_or(link.created_at)), &link.currency, 0, 1)?;
    }
    Ok(())
}

/// Computes every total again from the rows (a file of an older schema).
pub fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("DELETE FROM rollup_transactions; DELETE FROM rollup_settled; DELETE FROM rollup_links;")?;
    let mut transactions: HashMap<(i64, String, String), (i64, Decimal)> = HashMap::new();
    let mut settled: HashMap<(i64, String), (i64, Decimal)> = HashMap::new();
    let sql = format!("SELECT {} FROM transactions", super::rows::TRANSACTION_COLUMNS);
    let mut rows = conn.prepare(&sql)?;
    for txn in rows.query_map([], super::rows::transaction_from_row)? {
        let txn = txn?;
        let key = (slot(txn.created_at), txn.currency.clone(), txn.status.as_str().to_string());
        let entry = transactions.entry(key).or_insert((0, Decimal::ZERO));
        entry.0 += 1;
        entry.1 = entry.1.checked_add(txn.amount).ok_or_else(overflow)?;
        if txn.status == TransactionStatus::Settled {
            let entry = settled.entry((settled_slot(&txn), txn.currency.clone())).or_insert((0, Decimal::ZERO));
            entry.0 += 1;
            entry.1 = entry.1.checked_add(txn.amount).ok_or_else(overflow)?;
        }
    }
    for ((slot, currency, status), (count, amount)) in transactions {
        add_transactions(conn, slot, &currency, &status, count, amount)?;
    }
    for ((slot, currency), (count, amount)) in settled {
        add_settled(conn, slot, &currency, count, amount)?;
    }
    let sql = format!("SELECT {} FROM links", super::rows::LINK_COLUMNS);
    let mut rows = conn.prepare(&sql)?;
    for link in rows.query_map([], super::rows::link_from_row)? {
        link_written(conn, &link?, None)?;
    }
    Ok(())
}
