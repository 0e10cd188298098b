//! The Overview on SQLite: the figures from the rollups, what needs
//! attention from the rows (`store/overview.rs` assembles them).

use super::super::overview::{
    ATTENTION_EACH, Attention, Money, Overview, OverviewQuery, Stuck, attention_items, capped, chart_bars, chart_slots,
    failed_keys, slot_range, stuck_before,
};
use super::rows;
use crate::api::{PaymentLink, Transaction, Webhook};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use rust_decimal::Decimal;

fn decimal(text: &str) -> rusqlite::Result<Decimal> {
    Decimal::from_str_exact(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

pub fn overview(conn: &Connection, query: &OverviewQuery) -> rusqlite::Result<Overview> {
    let (first, last) = slot_range(query);
    let mut money = Money::default();
    let mut rows = conn.prepare_cached(
        "SELECT currency, status, count, amount FROM rollup_transactions WHERE slot BETWEEN ?1 AND ?2",
    )?;
    let mut found = rows.query(params![first, last])?;
    while let Some(row) = found.next()? {
        let amount: String = row.get(3)?;
        money.transactions(row.get(0)?, &row.get::<_, String>(1)?, row.get(2)?, decimal(&amount)?);
    }
    let mut rows =
        conn.prepare_cached("SELECT currency, count, amount FROM rollup_settled WHERE slot BETWEEN ?1 AND ?2")?;
    let mut found = rows.query(params![first, last])?;
    while let Some(row) = found.next()? {
        let amount: String = row.get(2)?;
        money.settled(row.get(0)?, row.get(1)?, decimal(&amount)?);
    }
    let mut rows = conn.prepare_cached(
        "SELECT currency, sum(created), sum(paid) FROM rollup_links WHERE slot BETWEEN ?1 AND ?2 GROUP BY currency",
    )?;
    let mut found = rows.query(params![first, last])?;
    while let Some(row) = found.next()? {
        money.links(row.get(0)?, row.get(1)?, row.get(2)?);
    }
    let (money, chart_currency) = money.finish(query);
    let chart = match &chart_currency {
        Some(currency) => chart(conn, query, currency)?,
        None => Vec::new(),
    };
    let attention = attention(conn, query)?;
    Ok(Overview { money, chart_currency, chart, attention_capped: capped(&attention), attention })
}

/// Settled volume per bar: local hours or days from the period's start.
fn chart(conn: &Connection, query: &OverviewQuery, currency: &str) -> rusqlite::Result<Vec<(DateTime<Utc>, Decimal)>> {
    let (first, last) = chart_slots(query);
    let mut rows =
        conn.prepare_cached("SELECT slot, amount FROM rollup_settled WHERE currency = ?1 AND slot BETWEEN ?2 AND ?3")?;
    let mut found = rows.query(params![currency, first, last])?;
    let mut settled = Vec::new();
    while let Some(row) = found.next()? {
        settled.push((row.get::<_, i64>(0)?, decimal(&row.get::<_, String>(1)?)?));
    }
    Ok(chart_bars(query, settled))
}

fn transactions_where(
    conn: &Connection,
    condition: &str,
    values: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<Transaction>> {
    let sql =
        format!("SELECT {} FROM transactions WHERE {condition} LIMIT {ATTENTION_EACH}", rows::TRANSACTION_COLUMNS);
    conn.prepare_cached(&sql)?.query_map(values, rows::transaction_from_row)?.collect()
}

/// What needs attention now, most urgent first: payments stuck pending (the
/// oldest first), confirmed but not credited, links that expired with a
/// payment under way, failures in the period (newest first), and webhook
/// endpoints PIK has disabled.
pub fn attention(conn: &Connection, query: &OverviewQuery) -> rusqlite::Result<Vec<Attention>> {
    let (pending_before, confirmed_before) = stuck_before(query);
    // A payment on a link that has expired says more than its age alone:
    // it is listed there, once.
    let sql = format!(
        "SELECT {link_columns}, t.id AS t_id FROM transactions t JOIN links l ON l.id = t.payment_link_id \
         WHERE t.status IN ('pending', 'confirmed') AND l.status = 'expired' ORDER BY t.created_at LIMIT {ATTENTION_EACH}",
        link_columns = rows::LINK_COLUMNS.split(", ").map(|c| format!("l.{c} AS {c}")).collect::<Vec<_>>().join(", "),
    );
    let expired_links: Vec<(PaymentLink, String)> = conn
        .prepare_cached(&sql)?
        .query_map([], |row| Ok((rows::link_from_row(row)?, row.get::<_, String>("t_id")?)))?
        .collect::<Result<_, _>>()?;
    let mut expired = Vec::new();
    for (link, payment) in expired_links {
        if let Some(payment) = transactions_where(conn, "id = ?1", &[&payment])?.into_iter().next() {
            expired.push((link, payment));
        }
    }
    let pending =
        transactions_where(conn, "status = 'pending' AND created_at < ?1 ORDER BY created_at", &[&pending_before])?;
    let confirmed = transactions_where(
        conn,
        "status = 'confirmed' AND coalesce(confirmed_at, created_at) < ?1 ORDER BY coalesce(confirmed_at, created_at)",
        &[&confirmed_before],
    )?;
    let (low, high) = failed_keys(query);
    let failed = transactions_where(
        conn,
        "status = 'failed' AND sort_key BETWEEN ?1 AND ?2 ORDER BY sort_key DESC",
        &[&low, &high],
    )?;
    let disabled: Vec<Webhook> = conn
        .prepare_cached(
            "SELECT id, url, events, status, created_at FROM webhooks WHERE status = 'disabled' ORDER BY position",
        )?
        .query_map([], rows::webhook_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(attention_items(Stuck { expired, pending, confirmed, failed, disabled }))
}
