//! Rows in and out of SQLite: sort keys, amount keys that compare exactly
//! as text, times as microseconds, and upserts that keep the search index
//! in step. A status only moves forward: an answer fetched earlier but
//! written later (a pane's page racing the sync) never undoes a newer one,
//! and terminal statuses are final.

use super::tokens::{link_document, transaction_document};
use crate::api::{LinkStatus, PaymentLink, Transaction, TransactionStatus, Webhook, WebhookEvent, WebhookStatus};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
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

    fn table(self) -> &'static str {
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

fn optional_time(value: Option<i64>) -> Option<DateTime<Utc>> {
    value.map(from_micros)
}

fn decimal(row: &Row, column: usize) -> rusqlite::Result<Decimal> {
    let text = row.get_ref(column)?.as_str()?;
    Decimal::from_str_exact(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e)))
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
}

impl Change {
    /// Something changed, unknown what (another process wrote).
    pub fn anything() -> Change {
        Change { links: true, transactions: true, webhooks: true, ids: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        !self.links && !self.transactions && !self.webhooks
    }

    pub fn add(&mut self, other: Change) {
        self.links |= other.links;
        self.transactions |= other.transactions;
        self.webhooks |= other.webhooks;
        self.ids.extend(other.ids);
    }
}

/// The sort key and status already stored for an id.
fn existing(conn: &Connection, kind: Kind, id: &str) -> rusqlite::Result<Option<(i64, String)>> {
    let sql = format!("SELECT sort_key, status FROM {} WHERE id = ?1", kind.table());
    conn.query_row(&sql, [id], |row| Ok((row.get(0)?, row.get(1)?))).optional()
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
    deltas: &mut super::rollups::Deltas,
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
    deltas.link(link, found.as_ref().map(|(_, status)| status.as_str()));
    let inserted = u64::from(found.is_none());
    let change = Change { links: true, ids: vec![link.id.clone()], ..Change::default() };
    Ok(Upserted { inserted, updated: 1 - inserted, changed: Vec::new(), change })
}

/// Writes a transaction (statuses only move forward), noting the change to
/// the totals in `deltas`; `report` asks for it back in
/// [`Upserted::changed`] when it is new or its status moved.
pub fn upsert_transaction(
    conn: &Connection,
    txn: &Transaction,
    now: DateTime<Utc>,
    report: bool,
    deltas: &mut super::rollups::Deltas,
) -> rusqlite::Result<Upserted> {
    let found = existing(conn, Kind::Transaction, &txn.id)?;
    if let Some((_, old)) = &found
        && (!may_replace(old, txn.status.as_str(), transaction_rank) || same_transaction(conn, txn)?)
    {
        return Ok(Upserted::default());
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
    Ok(Upserted { inserted, updated: 1 - inserted, changed, change })
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

pub const LINK_COLUMNS: &str = "id, created_at, status, currency, amount, description, url, paid_at, expires_at";

/// A link from a row whose first columns are [`LINK_COLUMNS`], in order
/// (read by position: a name lookup per field costs more than the rest).
pub fn link_from_row(row: &Row) -> rusqlite::Result<PaymentLink> {
    Ok(PaymentLink {
        id: row.get(0)?,
        created_at: from_micros(row.get(1)?),
        status: LinkStatus::parse(row.get_ref(2)?.as_str()?),
        currency: row.get(3)?,
        amount: decimal(row, 4)?,
        description: row.get(5)?,
        url: row.get(6)?,
        paid_at: optional_time(row.get(7)?),
        expires_at: optional_time(row.get(8)?),
    })
}

pub const TRANSACTION_COLUMNS: &str =
    "id, created_at, status, currency, amount, payment_link_id, tx_hash, confirmed_at, settled_at";

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
