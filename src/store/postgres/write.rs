//! Writing a batch to the shared mirror: the rules of the SQLite store
//! (statuses only move forward, unchanged rows are not rewritten, totals
//! move with the rows), in a few statements a batch rather than a few a
//! row, since every statement is a round trip to the server. Writers take
//! one advisory lock per transaction: the sync and a dashboard keeping its
//! own write never decide on the same row at once.

use super::super::rollups::Deltas;
use super::super::rows::{
    self, Kind, amount_key, first_slot, link_rank, may_replace, micros, sort_key, transaction_rank,
};
use super::super::tokens::{link_document, marker, transaction_document};
use super::super::{Batch, StoreError, Upserted};
use super::search::tsvector;
use crate::api::{PaymentLink, Transaction, TransactionStatus, Webhook, WebhookEvent};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use tokio_postgres::Transaction as Tx;

/// The advisory lock every write transaction takes ("pik2").
const WRITE_LOCK: i64 = 0x7069_6b32;

/// The channel the mirror announces its changes on.
pub const CHANNEL: &str = "pik_mirror";

/// Most transaction ids a notice carries (a notice holds 8,000 bytes).
const NOTICE_IDS: usize = 100;

type Error = tokio_postgres::Error;

/// The stored fields of a row, in [`rows::LINK_COLUMNS`] or
/// [`rows::TRANSACTION_COLUMNS`] order (the two have the same types), as
/// compared and written.
type Fields = (String, i64, String, String, String, Option<String>, Option<String>, Option<i64>, Option<i64>);

fn link_fields(link: &PaymentLink) -> Fields {
    (
        link.id.clone(),
        micros(link.created_at),
        link.status.as_str().to_string(),
        link.currency.clone(),
        link.amount.to_string(),
        link.description.clone(),
        link.url.clone(),
        link.paid_at.map(micros),
        link.expires_at.map(micros),
    )
}

fn transaction_fields(txn: &Transaction) -> Fields {
    (
        txn.id.clone(),
        micros(txn.created_at),
        txn.status.as_str().to_string(),
        txn.currency.clone(),
        txn.amount.to_string(),
        txn.payment_link_id.clone(),
        txn.tx_hash.clone(),
        txn.confirmed_at.map(micros),
        txn.settled_at.map(micros),
    )
}

/// What is stored for these ids: (sort key, fields).
async fn stored(tx: &Tx<'_>, kind: Kind, ids: &[String]) -> Result<HashMap<String, (i64, Fields)>, Error> {
    let (table, columns) =
        if kind == Kind::Link { ("links", rows::LINK_COLUMNS) } else { ("transactions", rows::TRANSACTION_COLUMNS) };
    let sql = format!("SELECT sort_key, {columns} FROM {table} WHERE id = ANY($1)");
    let found = tx.query(&sql, &[&ids]).await?;
    Ok(found
        .iter()
        .map(|row| {
            let fields: Fields = (
                row.get(1),
                row.get(2),
                row.get(3),
                row.get(4),
                row.get(5),
                row.get(6),
                row.get(7),
                row.get(8),
                row.get(9),
            );
            (fields.0.clone(), (row.get::<_, i64>(0), fields))
        })
        .collect())
}

/// Free sort keys for new items: the hash slot, or the next free one.
async fn free_keys(tx: &Tx<'_>, kind: Kind, wanted: &[(String, DateTime<Utc>)]) -> Result<HashMap<String, i64>, Error> {
    let table = if kind == Kind::Link { "links" } else { "transactions" };
    let first: Vec<i64> = wanted.iter().map(|(id, at)| sort_key(kind, *at, first_slot(id))).collect();
    let sql = format!("SELECT sort_key FROM {table} WHERE sort_key = ANY($1)");
    let mut taken: HashSet<i64> = tx.query(&sql, &[&first]).await?.iter().map(|row| row.get(0)).collect();
    let probe = format!("SELECT 1 FROM {table} WHERE sort_key = $1");
    let mut keys = HashMap::new();
    for (id, at) in wanted {
        let start = first_slot(id);
        let mut chosen = None;
        for step in 0..rows::SLOTS {
            let key = sort_key(kind, *at, start + step);
            if taken.contains(&key) {
                continue;
            }
            // Past the first slot the batch's query did not look: ask.
            if step > 0 && tx.query_opt(&probe, &[&key]).await?.is_some() {
                taken.insert(key);
                continue;
            }
            chosen = Some(key);
            break;
        }
        if let Some(key) = chosen {
            taken.insert(key);
            keys.insert(id.clone(), key);
        }
    }
    Ok(keys)
}

/// A link or a transaction, as the writer sees it.
trait Item {
    const KIND: Kind;
    fn id(&self) -> &String;
    fn created_at(&self) -> DateTime<Utc>;
    fn fields(&self) -> Fields;
    fn amount_key(&self) -> String;
    fn document(&self) -> String;
    fn rank(status: &str) -> u8;
}

impl Item for PaymentLink {
    const KIND: Kind = Kind::Link;
    fn id(&self) -> &String {
        &self.id
    }
    fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    fn fields(&self) -> Fields {
        link_fields(self)
    }
    fn amount_key(&self) -> String {
        amount_key(self.amount)
    }
    fn document(&self) -> String {
        link_document(self)
    }
    fn rank(status: &str) -> u8 {
        link_rank(status)
    }
}

impl Item for Transaction {
    const KIND: Kind = Kind::Transaction;
    fn id(&self) -> &String {
        &self.id
    }
    fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    fn fields(&self) -> Fields {
        transaction_fields(self)
    }
    fn amount_key(&self) -> String {
        amount_key(self.amount)
    }
    fn document(&self) -> String {
        transaction_document(self)
    }
    fn rank(status: &str) -> u8 {
        transaction_rank(status)
    }
}

/// A row to write: its key, its fields, and the status it had (if stored).
struct Planned {
    key: i64,
    fields: Fields,
    amount_key: String,
    document: String,
    old_status: Option<String>,
}

/// The rows of a batch that must be written (new, or changed and not
/// backwards), each with its sort key: one lookup for the batch.
async fn plan<'a, T: Item>(tx: &Tx<'_>, items: &'a [T]) -> Result<Vec<(&'a T, Planned)>, Error> {
    let items = last_of_each(items, T::id);
    let ids: Vec<String> = items.iter().map(|i| i.id().clone()).collect();
    let found = stored(tx, T::KIND, &ids).await?;
    let new: Vec<(String, DateTime<Utc>)> =
        items.iter().filter(|i| !found.contains_key(i.id())).map(|i| (i.id().clone(), i.created_at())).collect();
    let keys = free_keys(tx, T::KIND, &new).await?;
    let mut out = Vec::new();
    for item in items {
        let fields = item.fields();
        let old = found.get(item.id());
        if let Some((_, stored)) = old
            && (!may_replace(&stored.2, &fields.2, T::rank) || *stored == fields)
        {
            continue;
        }
        let Some(key) = old.map(|(key, _)| *key).or_else(|| keys.get(item.id()).copied()) else { continue };
        let old_status = old.map(|(_, stored)| stored.2.clone());
        out.push((item, Planned { key, fields, amount_key: item.amount_key(), document: item.document(), old_status }));
    }
    Ok(out)
}

/// Counts what is written and queues its index entries.
fn account<T>(written: &mut Written, keys: &mut Vec<i64>, docs: &mut Vec<String>, planned: &[(&T, Planned)]) {
    for (_, row) in planned {
        keys.push(row.key);
        docs.push(tsvector(&row.document));
        written.upserted.inserted += u64::from(row.old_status.is_none());
        written.upserted.updated += u64::from(row.old_status.is_some());
    }
}

/// What a batch wrote, for the notice to the dashboards.
#[derive(Debug, Default)]
pub struct Written {
    pub upserted: Upserted,
    pub links: u64,
    pub transactions: u64,
    pub webhooks: bool,
    /// Transactions new or moved.
    pub moved: Vec<String>,
}

pub async fn save(tx: &Tx<'_>, batch: &Batch, now: DateTime<Utc>) -> Result<Result<Written, StoreError>, Error> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK]).await?;
    let mut written = Written::default();
    let mut deltas = Deltas::default();
    let mut search_keys: Vec<i64> = Vec::new();
    let mut search_docs: Vec<String> = Vec::new();
    let mut written_links: Vec<&PaymentLink> = Vec::new();
    let mut written_transactions: Vec<(&Transaction, Option<TransactionStatus>)> = Vec::new();
    if !batch.links.is_empty() {
        let planned = plan(tx, &batch.links).await?;
        written_links.extend(planned.iter().map(|(link, _)| *link));
        for (link, row) in &planned {
            deltas.link(link, row.old_status.as_deref());
        }
        written.links = planned.len() as u64;
        account(&mut written, &mut search_keys, &mut search_docs, &planned);
        write_links(tx, &planned, micros(now)).await?;
        let (changed, statuses): (Vec<&str>, Vec<&str>) = planned
            .iter()
            .filter(|(_, row)| row.old_status.as_ref().is_some_and(|old| *old != row.fields.2))
            .map(|(_, row)| (row.fields.0.as_str(), row.fields.2.as_str()))
            .unzip();
        if !changed.is_empty() {
            tx.execute(
                "INSERT INTO link_changes (link_id, status, seen_at) SELECT i, s, $3 FROM unnest($1::text[], $2::text[]) \
                 AS u(i, s) ON CONFLICT DO NOTHING",
                &[&changed, &statuses, &micros(now)],
            )
            .await?;
        }
    }
    if !batch.transactions.is_empty() {
        let planned = plan(tx, &batch.transactions).await?;
        written_transactions
            .extend(planned.iter().map(|(txn, row)| (*txn, row.old_status.as_deref().map(TransactionStatus::parse))));
        for (txn, row) in &planned {
            if let Err(e) = deltas.transaction(txn, row.old_status.as_deref()) {
                return Ok(Err(StoreError::Sql(e.to_string())));
            }
            if row.old_status.as_deref() != Some(txn.status.as_str()) {
                if batch.report_changes {
                    written.upserted.changed.push((*txn).clone());
                }
                written.moved.push(txn.id.clone());
            }
        }
        written.transactions = planned.len() as u64;
        account(&mut written, &mut search_keys, &mut search_docs, &planned);
        write_transactions(tx, &planned, micros(now)).await?;
    }
    if !search_keys.is_empty() {
        tx.execute(
            "INSERT INTO search (sort_key, doc) SELECT k, d::tsvector FROM unnest($1::bigint[], $2::text[]) AS u(k, d) \
             ON CONFLICT (sort_key) DO UPDATE SET doc = EXCLUDED.doc",
            &[&search_keys, &search_docs],
        )
        .await?;
    }
    super::rollups::apply(tx, deltas).await?;
    super::cases::keep(tx, &crate::store::cases::touched(written_links, written_transactions)).await?;
    if let Some(hooks) = &batch.webhooks {
        written.webhooks = replace_webhooks(tx, hooks).await?;
    }
    if let Some((key, value)) = &batch.state {
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[key, value],
        )
        .await?;
    }
    if written.links > 0 || written.transactions > 0 || written.webhooks {
        // Delivered at commit, and only then.
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &notice(&written)]).await?;
    }
    Ok(Ok(written))
}

/// The notice's text: what changed, and the transactions that moved.
pub fn notice(written: &Written) -> String {
    let moved: Vec<&String> = written.moved.iter().take(NOTICE_IDS).collect();
    serde_json::json!({
        "links": written.links,
        "transactions": written.transactions,
        "webhooks": written.webhooks,
        "moved": moved,
    })
    .to_string()
}

/// One entry per id, the last one given (a batch may hold an id twice).
fn last_of_each<T>(items: &[T], id: impl Fn(&T) -> &String) -> Vec<&T> {
    let mut seen = HashSet::new();
    let mut out: Vec<&T> = items.iter().rev().filter(|item| seen.insert(id(item).clone())).collect();
    out.reverse();
    out
}

/// The rows' status tokens (`st_paid`), as the search index has them.
fn status_tokens<T>(rows: &[(&T, Planned)]) -> Vec<String> {
    rows.iter().map(|(_, r)| marker("st_", &r.fields.2)).collect()
}

/// The rows' currency tokens (`cur_usdt`).
fn currency_tokens<T>(rows: &[(&T, Planned)]) -> Vec<String> {
    rows.iter().map(|(_, r)| marker("cur_", &r.fields.3)).collect()
}

async fn write_links<T>(tx: &Tx<'_>, rows: &[(&T, Planned)], now: i64) -> Result<(), Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let keys: Vec<i64> = rows.iter().map(|(_, r)| r.key).collect();
    let ids: Vec<&str> = rows.iter().map(|(_, r)| r.fields.0.as_str()).collect();
    let created: Vec<i64> = rows.iter().map(|(_, r)| r.fields.1).collect();
    let status: Vec<&str> = rows.iter().map(|(_, r)| r.fields.2.as_str()).collect();
    let currency: Vec<&str> = rows.iter().map(|(_, r)| r.fields.3.as_str()).collect();
    let amount: Vec<&str> = rows.iter().map(|(_, r)| r.fields.4.as_str()).collect();
    let amount_keys: Vec<&str> = rows.iter().map(|(_, r)| r.amount_key.as_str()).collect();
    let description: Vec<Option<&str>> = rows.iter().map(|(_, r)| r.fields.5.as_deref()).collect();
    let url: Vec<Option<&str>> = rows.iter().map(|(_, r)| r.fields.6.as_deref()).collect();
    let paid: Vec<Option<i64>> = rows.iter().map(|(_, r)| r.fields.7).collect();
    let expires: Vec<Option<i64>> = rows.iter().map(|(_, r)| r.fields.8).collect();
    tx.execute(
        "INSERT INTO links (sort_key, id, created_at, status, currency, amount, amount_key, description, url, \
         paid_at, expires_at, mirrored_at, status_token, currency_token) \
         SELECT k, i, c, s, cu, a, ak, d, u, p, e, $12, st, ct FROM unnest($1::bigint[], $2::text[], $3::bigint[], \
         $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], \
         $13::text[], $14::text[]) AS r(k, i, c, s, cu, a, ak, d, u, p, e, st, ct) \
         ON CONFLICT (id) DO UPDATE SET created_at = EXCLUDED.created_at, status = EXCLUDED.status, \
         currency = EXCLUDED.currency, amount = EXCLUDED.amount, amount_key = EXCLUDED.amount_key, \
         description = EXCLUDED.description, url = EXCLUDED.url, paid_at = EXCLUDED.paid_at, \
         expires_at = EXCLUDED.expires_at, mirrored_at = EXCLUDED.mirrored_at, \
         status_token = EXCLUDED.status_token, currency_token = EXCLUDED.currency_token",
        &[
            &keys,
            &ids,
            &created,
            &status,
            &currency,
            &amount,
            &amount_keys,
            &description,
            &url,
            &paid,
            &expires,
            &now,
            &status_tokens(rows),
            &currency_tokens(rows),
        ],
    )
    .await?;
    Ok(())
}

async fn write_transactions<T>(tx: &Tx<'_>, rows: &[(&T, Planned)], now: i64) -> Result<(), Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let keys: Vec<i64> = rows.iter().map(|(_, r)| r.key).collect();
    let ids: Vec<&str> = rows.iter().map(|(_, r)| r.fields.0.as_str()).collect();
    let created: Vec<i64> = rows.iter().map(|(_, r)| r.fields.1).collect();
    let status: Vec<&str> = rows.iter().map(|(_, r)| r.fields.2.as_str()).collect();
    let currency: Vec<&str> = rows.iter().map(|(_, r)| r.fields.3.as_str()).collect();
    let amount: Vec<&str> = rows.iter().map(|(_, r)| r.fields.4.as_str()).collect();
    let amount_keys: Vec<&str> = rows.iter().map(|(_, r)| r.amount_key.as_str()).collect();
    let link: Vec<Option<&str>> = rows.iter().map(|(_, r)| r.fields.5.as_deref()).collect();
    let hash: Vec<Option<&str>> = rows.iter().map(|(_, r)| r.fields.6.as_deref()).collect();
    let confirmed: Vec<Option<i64>> = rows.iter().map(|(_, r)| r.fields.7).collect();
    let settled: Vec<Option<i64>> = rows.iter().map(|(_, r)| r.fields.8).collect();
    tx.execute(
        "INSERT INTO transactions (sort_key, id, created_at, status, currency, amount, amount_key, \
         payment_link_id, tx_hash, confirmed_at, settled_at, mirrored_at, status_token, currency_token) \
         SELECT k, i, c, s, cu, a, ak, l, h, co, se, $12, st, ct FROM unnest($1::bigint[], $2::text[], \
         $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], \
         $11::bigint[], $13::text[], $14::text[]) AS r(k, i, c, s, cu, a, ak, l, h, co, se, st, ct) \
         ON CONFLICT (id) DO UPDATE SET created_at = EXCLUDED.created_at, status = EXCLUDED.status, \
         currency = EXCLUDED.currency, amount = EXCLUDED.amount, amount_key = EXCLUDED.amount_key, \
         payment_link_id = EXCLUDED.payment_link_id, tx_hash = EXCLUDED.tx_hash, \
         confirmed_at = EXCLUDED.confirmed_at, settled_at = EXCLUDED.settled_at, mirrored_at = EXCLUDED.mirrored_at, \
         status_token = EXCLUDED.status_token, currency_token = EXCLUDED.currency_token",
        &[
            &keys,
            &ids,
            &created,
            &status,
            &currency,
            &amount,
            &amount_keys,
            &link,
            &hash,
            &confirmed,
            &settled,
            &now,
            &status_tokens(rows),
            &currency_tokens(rows),
        ],
    )
    .await?;
    Ok(())
}

/// Replaces the stored webhooks when they differ; says whether they did.
async fn replace_webhooks(tx: &Tx<'_>, hooks: &[Webhook]) -> Result<bool, Error> {
    let events = |hook: &Webhook| {
        let names: Vec<&str> = hook.events.iter().map(WebhookEvent::as_str).collect();
        serde_json::to_string(&names).unwrap_or_else(|_| "[]".into())
    };
    let wanted: Vec<(String, String, String, String, Option<i64>)> = hooks
        .iter()
        .map(|h| (h.id.clone(), h.url.clone(), events(h), h.status.as_str().to_string(), h.created_at.map(micros)))
        .collect();
    let stored: Vec<(String, String, String, String, Option<i64>)> = tx
        .query("SELECT id, url, events, status, created_at FROM webhooks ORDER BY position", &[])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect();
    if stored == wanted {
        return Ok(false);
    }
    tx.execute("DELETE FROM webhooks", &[]).await?;
    for (position, (id, url, events, status, created)) in wanted.iter().enumerate() {
        tx.execute(
            "INSERT INTO webhooks (id, position, url, events, status, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO NOTHING",
            &[id, &(position as i32), url, events, status, created],
        )
        .await?;
    }
    Ok(true)
}
