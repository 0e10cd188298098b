//! The Overview on SQLite: the figures from the rollups, the cases from
//! their facts (`store/overview.rs` assembles them).

use super::super::overview::{Money, Overview, OverviewQuery, chart_bars, chart_slots, slot_range};
use super::rows;
use crate::api::Webhook;
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
    let late = super::super::cases::Late::of(&query.rules, query.now);
    let cases = super::super::overview::cases(super::cases::all(conn, late)?, query);
    let disabled: Vec<Webhook> = conn
        .prepare_cached(
            "SELECT id, url, events, status, created_at FROM webhooks WHERE status = 'disabled' ORDER BY position",
        )?
        .query_map([], rows::webhook_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(Overview { money, chart_currency, chart, cases, disabled })
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
