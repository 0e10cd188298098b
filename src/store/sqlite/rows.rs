//! Rows in and out of SQLite: upserts that keep the search index and the
//! running totals in step (a status only moves forward, terminal ones are
//! final: `store/rows.rs`), and rows read back as the API's models.

use super::super::rollups::Deltas;
use super::super::rows::{
    Change, Kind, SLOTS, Upserted, amount_key, first_slot, from_micros, link_rank, may_replace, micros, sort_key,
    transaction_rank,
};
pub use super::super::rows::{LINK_COLUMNS, TRANSACTION_COLUMNS};
use super::super::tokens::{link_document, transaction_document};
use crate::api::{LinkStatus, Page, PaymentLink, Transaction, TransactionStatus, Webhook, WebhookEvent, WebhookStatus};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use rust_decimal::Decimal;

fn optional_time(value: Option<i64>) -> Option<DateTime<Utc>> {
    value.map(from_micros)
}

fn decimal(row: &Row, column: usize) -> rusqlite::Result<Decimal> {
    let text = row.get_ref(column)?.as_str()?;
    Decimal::from_str_exact(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e)))
}

/// The sort key and status already stored for an id.
fn existing(conn: &Connection, kind: Kind, id: &str) -> rusqlite::Result<Option<(i64, String)>> {
    let sql = format!("SELECT sort_key, status FROM {} WHERE id = ?1", kind.table());
    conn.prepare_cached(&sql)?.query_row([id], |row| Ok((row.get(0)?, row.get(1)?))).optional()
}

/// Whether the stored link is this one, field for field. Most saves are
/// polls of rows that did not change: rewriting them and their index entry
/// was most of the dashboard's idle CPU.
fn same_link(conn: &Connection, link: &PaymentLink) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM links WHERE id = ?1 AND created_at = ?2 AND status = ?3 AND currency = ?4 AND amount = ?5 \
         AND description IS ?6 AND url IS ?7 AND paid_at IS ?8 AND expires_at IS ?9",
    )?
    .exists(params![
        link.id,
        micros(link.created_at),
        link.status.as_str(),
        link.currency,
        link.amount.to_string(),
        link.description,
        link.url,
        link.paid_at.map(micros),
        link.expires_at.map(micros),
    ])
}

/// Whether the stored transaction is this one, field for field.
fn same_transaction(conn: &Connection, txn: &Transaction) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM transactions WHERE id = ?1 AND created_at = ?2 AND status = ?3 AND currency = ?4 \
         AND amount = ?5 AND payment_link_id IS ?6 AND tx_hash IS ?7 AND confirmed_at IS ?8 AND settled_at IS ?9",
    )?
    .exists(params![
        txn.id,
        micros(txn.created_at),
        txn.status.as_str(),
        txn.currency,
        txn.amount.to_string(),
        txn.payment_link_id,
        txn.tx_hash,
        txn.confirmed_at.map(micros),
        txn.settled_at.map(micros),
    ])
}

/// A free sort key for a new item: its hash slot, or the next free one.
fn free_key(conn: &Connection, kind: Kind, created_at: DateTime<Utc>, id: &str) -> rusqlite::Result<i64> {
    let sql = format!("SELECT 1 FROM {} WHERE sort_key = ?1", kind.table());
    let mut taken = conn.prepare_cached(&sql)?;
    let start = first_slot(id);
    for probe in 0..SLOTS {
        let key = sort_key(kind, created_at, start + probe);
        if !taken.exists([key])? {
            return Ok(key);
        }
    }
    // Half a million items in one second of one account: not a real case.
    Err(rusqlite::Error::InvalidQuery)
}

fn index(conn: &Connection, key: i64, document: &str, replace: bool) -> rusqlite::Result<()> {
    if replace {
        conn.prepare_cached("DELETE FROM search WHERE rowid = ?1")?.execute([key])?;
    }
    conn.prepare_cached("INSERT INTO search (rowid, doc) VALUES (?1, ?2)")?.execute(params![key, document])?;
    Ok(())
}

/// Writes a link (statuses only move forward), noting the change to the
/// totals in `deltas`.
pub fn upsert_link(
    conn: &Connection,
    link: &PaymentLink,
    now: DateTime<Utc>,
    deltas: &mut Deltas,
) -> rusqlite::Result<Upserted> {
    let found = existing(conn, Kind::Link, &link.id)?;
    if let Some((_, old)) = &found
        && (!may_replace(old, link.status.as_str(), link_rank) || same_link(conn, link)?)
    {
        return Ok(Upserted::default());
    }
    let key = match found {
        Some((key, _)) => key,
        None => free_key(conn, Kind::Link, link.created_at, &link.id)?,
    };
    conn.prepare_cached(
        "INSERT OR REPLACE INTO links (sort_key, id, created_at, status, currency, amount, amount_key, \
         description, url, paid_at, expires_at, mirrored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        key,
        link.id,
        micros(link.created_at),
        link.status.as_str(),
        link.currency,
        link.amount.to_string(),
        amount_key(link.amount),
        link.description,
        link.url,
        link.paid_at.map(micros),
        link.expires_at.map(micros),
        micros(now),
    ])?;
    index(conn, key, &link_document(link), found.is_some())?;
    if let Some((_, old)) = &found
        && old != link.status.as_str()
    {
        conn.prepare_cached("INSERT OR IGNORE INTO link_changes (link_id, status, seen_at) VALUES (?1, ?2, ?3)")?
            .execute(params![link.id, link.status.as_str(), micros(now)])?;
    }
    deltas.link(link, found.as_ref().map(|(_, status)| status.as_str()));
    let inserted = u64::from(found.is_none());
    let change = Change { links: true, ids: vec![link.id.clone()], ..Change::default() };
    Ok(Upserted { inserted, updated: 1 - inserted, changed: Vec::new(), change })
}

/// Writes a transaction (statuses only move forward), noting the change to
/// the totals in `deltas`; `report` asks for it back in
/// [`Upserted::changed`] when it is new or its status moved. With it, the
/// status it had before, if it was written over a row.
pub fn upsert_transaction(
    conn: &Connection,
    txn: &Transaction,
    now: DateTime<Utc>,
    report: bool,
    deltas: &mut Deltas,
) -> rusqlite::Result<(Upserted, Option<TransactionStatus>)> {
    let found = existing(conn, Kind::Transaction, &txn.id)?;
    if let Some((_, old)) = &found
        && (!may_replace(old, txn.status.as_str(), transaction_rank) || same_transaction(conn, txn)?)
    {
        return Ok((Upserted::default(), None));
    }
    let key = match found {
        Some((key, _)) => key,
        None => free_key(conn, Kind::Transaction, txn.created_at, &txn.id)?,
    };
    conn.prepare_cached(
        "INSERT OR REPLACE INTO transactions (sort_key, id, created_at, status, currency, amount, amount_key, \
         payment_link_id, tx_hash, confirmed_at, settled_at, mirrored_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        key,
        txn.id,
        micros(txn.created_at),
        txn.status.as_str(),
        txn.currency,
        txn.amount.to_string(),
        amount_key(txn.amount),
        txn.payment_link_id,
        txn.tx_hash,
        txn.confirmed_at.map(micros),
        txn.settled_at.map(micros),
        micros(now),
    ])?;
    index(conn, key, &transaction_document(txn), found.is_some())?;
    let old = found.as_ref().map(|(_, status)| status.as_str());
    deltas.transaction(txn, old)?;
    let moved = old != Some(txn.status.as_str());
    let inserted = u64::from(found.is_none());
    let changed = if report && moved { vec![txn.clone()] } else { Vec::new() };
    let change = Change { transactions: true, ids: vec![txn.id.clone()], ..Change::default() };
    Ok((Upserted { inserted, updated: 1 - inserted, changed, change }, old.map(TransactionStatus::parse)))
}

/// Webhooks are few and come all at once: the stored set is replaced when
/// it differs. Says whether it did.
pub fn replace_webhooks(conn: &Connection, hooks: &[Webhook]) -> rusqlite::Result<bool> {
    let stored: Vec<Webhook> = conn
        .prepare_cached("SELECT id, url, events, status, created_at FROM webhooks ORDER BY position")?
        .query_map([], webhook_from_row)?
        .collect::<Result<_, _>>()?;
    if stored == hooks {
        return Ok(false);
    }
    conn.execute("DELETE FROM webhooks", [])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR REPLACE INTO webhooks (id, position, url, events, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (position, hook) in hooks.iter().enumerate() {
        let events: Vec<&str> = hook.events.iter().map(WebhookEvent::as_str).collect();
        let events = serde_json::to_string(&events).unwrap_or_else(|_| "[]".into());
        insert.execute(params![
            hook.id,
            position as i64,
            hook.url,
            events,
            hook.status.as_str(),
            hook.created_at.map(micros)
        ])?;
    }
    Ok(true)
}

/// A link from a row whose first columns are [`LINK_COLUMNS`], in order
/// (read by position: a name lookup per field costs more than the rest).
pub fn link_from_row(row: &Row) -> rusqlite::Result<PaymentLink> {
    link_at(row, 0)
}

/// A link from [`LINK_COLUMNS`] starting at column `at`.
pub fn link_at(row: &Row, at: usize) -> rusqlite::Result<PaymentLink> {
    Ok(PaymentLink {
        id: row.get(at)?,
        created_at: from_micros(row.get(at + 1)?),
        status: LinkStatus::parse(row.get_ref(at + 2)?.as_str()?),
        currency: row.get(at + 3)?,
        amount: decimal(row, at + 4)?,
        description: row.get(at + 5)?,
        url: row.get(at + 6)?,
        paid_at: optional_time(row.get(at + 7)?),
        expires_at: optional_time(row.get(at + 8)?),
    })
}

/// A transaction from a row whose first columns are [`TRANSACTION_COLUMNS`],
/// in order.
pub fn transaction_from_row(row: &Row) -> rusqlite::Result<Transaction> {
    Ok(Transaction {
        id: row.get(0)?,
        created_at: from_micros(row.get(1)?),
        status: TransactionStatus::parse(row.get_ref(2)?.as_str()?),
        currency: row.get(3)?,
        amount: decimal(row, 4)?,
        payment_link_id: row.get(5)?,
        tx_hash: row.get(6)?,
        confirmed_at: optional_time(row.get(7)?),
        settled_at: optional_time(row.get(8)?),
    })
}

pub fn webhook_from_row(row: &Row) -> rusqlite::Result<Webhook> {
    let events: String = row.get("events")?;
    let events: Vec<String> = serde_json::from_str(&events).unwrap_or_default();
    Ok(Webhook {
        id: row.get("id")?,
        url: row.get("url")?,
        events: events.iter().map(|e| WebhookEvent::parse(e)).collect(),
        status: WebhookStatus::parse(&row.get::<_, String>("status")?),
        created_at: optional_time(row.get("created_at")?),
    })
}

pub fn webhooks(conn: &Connection) -> rusqlite::Result<Page<Webhook>> {
    let data: Vec<Webhook> = conn
        .prepare_cached("SELECT id, url, events, status, created_at FROM webhooks ORDER BY position")?
        .query_map([], webhook_from_row)?
        .collect::<Result<_, _>>()?;
    let total = data.len() as u64;
    Ok(Page { data, total, limit: None, offset: None, skipped: 0 })
}
