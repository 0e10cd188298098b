//! Reading the shared mirror: the same lists, search windows, overview,
//! reports and exports as the SQLite store, by the same rules (the
//! assembly of figures is shared; only the queries are PostgreSQL's).

use super::super::export::{
    BatchEnd, KEY_COLUMN, LinkRow, RawRow, RowSink, Selection, TransactionRow, Value, filter_parts, link_of_payment,
    numbered, table,
};
use super::super::overview::{self, Money, Overview, OverviewQuery};
use super::super::query::SearchQuery;
use super::super::report::{ReportLine, ReportLines, ReportPlan, ReportQuery};
use super::super::rows::{self, Kind, from_micros};
use super::super::search::{COUNT_CAP, SearchHit, SearchPage};
use super::search;
use crate::api::{LinkStatus, Page, PaymentLink, Transaction, TransactionStatus, Webhook, WebhookEvent, WebhookStatus};

use rust_decimal::Decimal;
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row};

type Error = tokio_postgres::Error;
type Params = Vec<Box<dyn ToSql + Sync + Send>>;

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

/// A decimal stored as text (or read as `numeric::text`); a bad one is 0,
/// as it cannot be written by this program.
fn decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap_or_default()
}

/// A link from a row whose first columns are [`rows::LINK_COLUMNS`].
pub fn link(row: &Row) -> PaymentLink {
    link_at(row, 0)
}

/// A link from [`rows::LINK_COLUMNS`] starting at column `first`.
pub fn link_at(row: &Row, first: usize) -> PaymentLink {
    PaymentLink {
        id: row.get(first),
        created_at: from_micros(row.get(first + 1)),
        status: LinkStatus::parse(row.get::<_, &str>(first + 2)),
        currency: row.get(first + 3),
        amount: decimal(row.get(first + 4)),
        description: row.get(first + 5),
        url: row.get(first + 6),
        paid_at: row.get::<_, Option<i64>>(first + 7).map(from_micros),
        expires_at: row.get::<_, Option<i64>>(first + 8).map(from_micros),
    }
}

/// A transaction from a row whose first columns are [`rows::TRANSACTION_COLUMNS`].
pub fn transaction(row: &Row) -> Transaction {
    transaction_at(row, 0)
}

/// A transaction from [`rows::TRANSACTION_COLUMNS`] starting at column `first`.
fn transaction_at(row: &Row, first: usize) -> Transaction {
    Transaction {
        id: row.get(first),
        created_at: from_micros(row.get(first + 1)),
        status: TransactionStatus::parse(row.get::<_, &str>(first + 2)),
        currency: row.get(first + 3),
        amount: decimal(row.get(first + 4)),
        payment_link_id: row.get(first + 5),
        tx_hash: row.get(first + 6),
        confirmed_at: row.get::<_, Option<i64>>(first + 7).map(from_micros),
        settled_at: row.get::<_, Option<i64>>(first + 8).map(from_micros),
    }
}

const WEBHOOK_COLUMNS: &str = "id, url, events, status, created_at";

fn webhook(row: &Row) -> Webhook {
    let events: Vec<String> = serde_json::from_str(row.get::<_, &str>(2)).unwrap_or_default();
    Webhook {
        id: row.get(0),
        url: row.get(1),
        events: events.iter().map(|e| WebhookEvent::parse(e)).collect(),
        status: WebhookStatus::parse(row.get::<_, &str>(3)),
        created_at: row.get::<_, Option<i64>>(4).map(from_micros),
    }
}

pub async fn webhooks(client: &impl GenericClient) -> Result<Page<Webhook>, Error> {
    let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY position");
    let data: Vec<Webhook> = client.query(&sql, &[]).await?.iter().map(webhook).collect();
    let total = data.len() as u64;
    Ok(Page { data, total, limit: None, offset: None, skipped: 0 })
}

/// The rows behind sort keys, in the keys' order.
async fn hits(client: &impl GenericClient, keys: &[i64]) -> Result<Vec<SearchHit>, Error> {
    let (links_keys, txn_keys): (Vec<i64>, Vec<i64>) = keys.iter().partition(|k| Kind::of(**k) == Kind::Link);
    let mut found = std::collections::HashMap::new();
    if !links_keys.is_empty() {
        let sql = format!("SELECT {}, sort_key FROM links WHERE sort_key = ANY($1)", rows::LINK_COLUMNS);
        for row in client.query(&sql, &[&links_keys]).await? {
            found.insert(row.get::<_, i64>(9), SearchHit::Link(link(&row)));
        }
    }
    if !txn_keys.is_empty() {
        let sql = format!("SELECT {}, sort_key FROM transactions WHERE sort_key = ANY($1)", rows::TRANSACTION_COLUMNS);
        for row in client.query(&sql, &[&txn_keys]).await? {
            found.insert(row.get::<_, i64>(9), SearchHit::Transaction(transaction(&row)));
        }
    }
    Ok(keys.iter().filter_map(|k| found.remove(k)).collect())
}

/// The sort keys a query gives (its first column).
async fn keys(client: &impl GenericClient, sql: &str, params: &Params) -> Result<Vec<i64>, Error> {
    Ok(client.query(sql, &refs(params)).await?.iter().map(|r| r.get(0)).collect())
}

/// One window of what `from_where` selects, newest first by `key`.
async fn window(
    client: &impl GenericClient,
    key: &str,
    from_where: &str,
    mut params: Params,
    limit: u32,
    offset: u64,
) -> Result<Vec<i64>, Error> {
    params.push(Box::new(i64::from(limit)));
    params.push(Box::new(i64::try_from(offset).unwrap_or(i64::MAX)));
    let sql =
        format!("SELECT {key}{from_where} ORDER BY {key} DESC LIMIT ${} OFFSET ${}", params.len() - 1, params.len());
    keys(client, &sql, &params).await
}

/// A search's page: its window and its count, capped.
fn search_page(counted: u64, offset: u64, hits: Vec<SearchHit>) -> SearchPage {
    SearchPage { total: counted.min(COUNT_CAP), capped: counted > COUNT_CAP, offset, hits }
}

pub async fn search(
    client: &impl GenericClient,
    query: &SearchQuery,
    offset: u64,
    limit: u32,
) -> Result<SearchPage, Error> {
    let cap = i64::try_from(COUNT_CAP).unwrap_or(1_000) + 1;
    if let Some((from_where, params)) = search::filters_only(query) {
        // Filters alone: an index of their tokens, walked in key order.
        let count_sql =
            format!("SELECT count(*) FROM (SELECT 1{from_where} ORDER BY sort_key DESC LIMIT {cap}) AS found");
        let counted = u64::try_from(client.query_one(&count_sql, &refs(&params)).await?.get::<_, i64>(0)).unwrap_or(0);
        let keys = window(client, "sort_key", &from_where, params, limit, offset).await?;
        return Ok(search_page(counted, offset, hits(client, &keys).await?));
    }
    let wanted = cap.max(i64::try_from(offset).unwrap_or(i64::MAX).saturating_add(i64::from(limit)));
    // First the newest rows of the range, in order.
    let (in_slice, mut params) = search::from_where_in_slice(query);
    let slice_sql = format!("SELECT search.sort_key{in_slice} ORDER BY search.sort_key DESC LIMIT {wanted}");
    let found = keys(client, &slice_sql, &params).await?;
    let range_sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM search WHERE sort_key BETWEEN $1 AND $2 \
         ORDER BY sort_key DESC LIMIT {}) AS range",
        search::SLICE + 1
    );
    params.truncate(2);
    let in_range: i64 = client.query_one(&range_sql, &refs(&params)).await?.get(0);
    let whole_range = in_range <= search::SLICE;
    let start = usize::try_from(offset).unwrap_or(usize::MAX);
    let end = start.saturating_add(limit as usize);
    // Whether `found` holds every match up to `wanted` (else it holds the
    // slice's, which are enough for the count but maybe not the window).
    let complete = whole_range || (found.len() as i64) < cap;
    let found = if whole_range || found.len() as i64 >= cap {
        found
    } else {
        // A narrow search: the word index finds its rows, for the count
        // and the window at once (`+ 0` keeps the planner on the index
        // rather than a walk of the whole key order).
        let (from_where, params) = search::from_where(query);
        let sql = format!("SELECT search.sort_key{from_where} ORDER BY search.sort_key + 0 DESC LIMIT {wanted}");
        keys(client, &sql, &params).await?
    };
    let counted = found.len() as u64;
    let keys = if found.len() >= end || complete {
        found.get(start.min(found.len())..end.min(found.len())).unwrap_or_default().to_vec()
    } else {
        // Scrolled past what was read: that window alone.
        let (from_where, params) = search::from_where(query);
        window(client, "search.sort_key", &from_where, params, limit, offset).await?
    };
    Ok(search_page(counted, offset, hits(client, &keys).await?))
}

/// The figures of a period, and the cases of the `facts` kept.
pub async fn overview(
    client: &impl GenericClient,
    query: &OverviewQuery,
    facts: Vec<crate::cases::LinkFacts>,
) -> Result<Overview, Error> {
    let (first, last) = overview::slot_range(query);
    let mut money = Money::default();
    let sql = "SELECT currency, status, count, amount::text FROM rollup_transactions WHERE slot BETWEEN $1 AND $2";
    for row in client.query(sql, &[&first, &last]).await? {
        money.transactions(row.get(0), row.get::<_, &str>(1), row.get(2), decimal(row.get(3)));
    }
    let sql = "SELECT currency, count, amount::text FROM rollup_settled WHERE slot BETWEEN $1 AND $2";
    for row in client.query(sql, &[&first, &last]).await? {
        money.settled(row.get(0), row.get(1), decimal(row.get(2)));
    }
    let sql = "SELECT currency, sum(created)::bigint, sum(paid)::bigint FROM rollup_links \
               WHERE slot BETWEEN $1 AND $2 GROUP BY currency";
    for row in client.query(sql, &[&first, &last]).await? {
        money.links(row.get(0), row.get(1), row.get(2));
    }
    let (money, chart_currency) = money.finish(query);
    let chart = match &chart_currency {
        Some(currency) => {
            let (first, last) = overview::chart_slots(query);
            let sql = "SELECT slot, amount::text FROM rollup_settled WHERE currency = $1 AND slot BETWEEN $2 AND $3";
            let settled = client
                .query(sql, &[currency, &first, &last])
                .await?
                .iter()
                .map(|row| (row.get::<_, i64>(0), decimal(row.get(1))))
                .collect();
            overview::chart_bars(query, settled)
        }
        None => Vec::new(),
    };
    let cases = overview::cases(facts, query);
    let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE status = 'disabled' ORDER BY position");
    let disabled = client.query(&sql, &[]).await?.iter().map(webhook).collect();
    Ok(Overview { money, chart_currency, chart, cases, disabled })
}

pub async fn report(client: &impl GenericClient, query: &ReportQuery) -> Result<Vec<ReportLine>, Error> {
    let plan = ReportPlan::new(query);
    let mut lines = ReportLines::new(query.by_day.clone());
    if let Some((first, last)) = plan.whole_slots {
        let sql = "SELECT slot, currency, status, count, amount::text FROM rollup_transactions \
                   WHERE slot BETWEEN $1 AND $2";
        for row in client.query(sql, &[&first, &last]).await? {
            lines.slot(row.get(0), row.get(1), row.get(2), row.get(3), decimal(row.get(4)));
        }
    }
    let sql = plan.rows_sql('$');
    for edge in plan.edges() {
        for row in client.query(&sql, &[&edge.key_low, &edge.key_high, &edge.low, &edge.high]).await? {
            lines.row(row.get(0), row.get(1), row.get(2), decimal(row.get(3)));
        }
    }
    Ok(lines.finish())
}

/// A filter export's table and its conditions, as on SQLite.
fn filter_sql(query: &SearchQuery) -> (Kind, String, Params) {
    let (kind, sql, values) = filter_parts(query, true);
    let params = values
        .into_iter()
        .map(|value| -> Box<dyn ToSql + Sync + Send> {
            match value {
                Value::Int(n) => Box::new(n),
                Value::Text(text) => Box::new(text),
            }
        })
        .collect();
    (kind, numbered(&sql, '$', 1), params)
}

pub async fn export_count(client: &impl GenericClient, selection: &Selection) -> Result<u64, Error> {
    let counted: i64 = match selection {
        Selection::Filter(query) => {
            let (kind, filter, params) = filter_sql(query);
            let sql = format!("SELECT count(*) FROM {}{filter}", table(kind).0);
            client.query_one(&sql, &refs(&params)).await?.get(0)
        }
        Selection::Search(query) => {
            let (from_where, params) = search::from_where(query);
            client.query_one(&format!("SELECT count(*){from_where}"), &refs(&params)).await?.get(0)
        }
    };
    Ok(u64::try_from(counted).unwrap_or(0))
}

fn raw(kind: Kind, row: &Row) -> RawRow<'_> {
    match kind {
        Kind::Link => RawRow::Link(LinkRow {
            id: row.get(0),
            created_at: row.get(1),
            status: row.get(2),
            currency: row.get(3),
            amount: row.get(4),
            description: row.get(5),
            url: row.get(6),
            paid_at: row.get(7),
            expires_at: row.get(8),
        }),
        Kind::Transaction => RawRow::Transaction(TransactionRow {
            id: row.get(0),
            created_at: row.get(1),
            status: row.get(2),
            currency: row.get(3),
            amount: row.get(4),
            payment_link_id: row.get(5),
            tx_hash: row.get(6),
            confirmed_at: row.get(7),
            settled_at: row.get(8),
            link_description: row.get(KEY_COLUMN + 1),
            link_amount: row.get(KEY_COLUMN + 2),
        }),
    }
}

/// Which kind a row of an export batch is.
type KindOf = Box<dyn Fn(&Row) -> Kind>;

/// Up to `limit` rows below sort key `before`, newest first, to `sink`.
pub async fn export_batch(
    client: &impl GenericClient,
    selection: &Selection,
    before: Option<i64>,
    limit: u32,
    sink: &mut dyn RowSink,
) -> Result<std::io::Result<BatchEnd>, Error> {
    let before = before.unwrap_or(i64::MAX);
    let (found, kind_of): (Vec<Row>, KindOf) = match selection {
        Selection::Filter(query) => {
            let (kind, filter, mut params) = filter_sql(query);
            params.push(Box::new(before));
            params.push(Box::new(i64::from(limit)));
            let (name, columns) = table(kind);
            let sql = format!(
                "SELECT {columns} FROM {name}{filter} AND sort_key < ${} ORDER BY sort_key DESC LIMIT ${}",
                params.len() - 1,
                params.len()
            );
            (client.query(&sql, &refs(&params)).await?, Box::new(move |_: &Row| kind))
        }
        Selection::Search(query) => {
            let (from_where, mut params) = search::from_where(query);
            params.push(Box::new(before));
            params.push(Box::new(i64::from(limit)));
            // Both kinds' columns side by side; the key's bit says which half is the row.
            let sql = format!(
                "WITH found AS (SELECT search.sort_key AS key{from_where} AND search.sort_key < ${} \
                 ORDER BY search.sort_key DESC LIMIT ${}) \
                 SELECT coalesce(l.id, t.id), coalesce(l.created_at, t.created_at), coalesce(l.status, t.status), \
                 coalesce(l.currency, t.currency), coalesce(l.amount, t.amount), \
                 CASE WHEN l.id IS NULL THEN t.payment_link_id ELSE l.description END, \
                 CASE WHEN l.id IS NULL THEN t.tx_hash ELSE l.url END, \
                 CASE WHEN l.id IS NULL THEN t.confirmed_at ELSE l.paid_at END, \
                 CASE WHEN l.id IS NULL THEN t.settled_at ELSE l.expires_at END, found.key{} \
                 FROM found LEFT JOIN links l ON l.sort_key = found.key \
                 LEFT JOIN transactions t ON t.sort_key = found.key \
                 WHERE coalesce(l.id, t.id) IS NOT NULL ORDER BY found.key DESC",
                params.len() - 1,
                params.len(),
                link_of_payment("t"),
            );
            (client.query(&sql, &refs(&params)).await?, Box::new(|row: &Row| Kind::of(row.get::<_, i64>(KEY_COLUMN))))
        }
    };
    let mut written = 0u64;
    let mut last = None;
    for row in &found {
        if let Err(error) = sink.row(&raw(kind_of(row), row)) {
            return Ok(Err(error));
        }
        written += 1;
        last = Some(row.get::<_, i64>(KEY_COLUMN));
    }
    let next = last.filter(|_| written >= u64::from(limit));
    Ok(Ok(BatchEnd { written, next }))
}
