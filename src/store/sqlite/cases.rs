//! Cases on SQLite: each touched link's facts read back from its rows in
//! the write's transaction, kept when they may make a case.

use super::rows::{link_from_row, transaction_from_row};
use crate::api::{LinkStatus, PaymentLink};
use crate::cases::{LinkFacts, Order, balance_for};
use crate::store::rows::from_micros;
use crate::store::rows::{LINK_COLUMNS, TRANSACTION_COLUMNS};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeSet;

/// Keeps the facts of `touched` links, and which links are balance links.
pub fn keep(conn: &Connection, touched: &BTreeSet<String>) -> rusqlite::Result<()> {
    for id in touched {
        let facts = order(conn, id)?.facts();
        if let Some(order) = facts.link.as_ref().and_then(|l| balance_for(l.description.as_deref())) {
            conn.prepare_cached("INSERT OR REPLACE INTO balance_links (balance, original) VALUES (?1, ?2)")?
                .execute(params![id, order])?;
        }
        if facts.worth_keeping() {
            let json =
                serde_json::to_string(&facts).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            conn.prepare_cached("INSERT OR REPLACE INTO case_facts (link_id, facts) VALUES (?1, ?2)")?
                .execute(params![id, json])?;
        } else {
            conn.prepare_cached("DELETE FROM case_facts WHERE link_id = ?1")?.execute([id])?;
        }
    }
    Ok(())
}

/// An order's rows.
pub fn order(conn: &Connection, id: &str) -> rusqlite::Result<Order> {
    let link = link_by_id(conn, id)?;
    let payments = conn
        .prepare_cached(&format!("SELECT {TRANSACTION_COLUMNS} FROM transactions WHERE payment_link_id = ?1"))?
        .query_map([id], transaction_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let balance_ids = conn
        .prepare_cached("SELECT balance FROM balance_links WHERE original = ?1")?
        .query_map([id], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut balance_links = Vec::new();
    for balance in balance_ids {
        balance_links.extend(link_by_id(conn, &balance)?);
    }
    Ok(Order { link_id: id.to_string(), link, payments, balance_links, ..Order::default() })
}

/// When the mirror saw the link's status change, oldest first.
pub fn status_seen(conn: &Connection, id: &str) -> rusqlite::Result<Vec<(LinkStatus, DateTime<Utc>)>> {
    conn.prepare_cached("SELECT status, seen_at FROM link_changes WHERE link_id = ?1 ORDER BY seen_at")?
        .query_map([id], |row| Ok((LinkStatus::parse(&row.get::<_, String>(0)?), from_micros(row.get(1)?))))?
        .collect()
}

fn link_by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<PaymentLink>> {
    conn.prepare_cached(&format!("SELECT {LINK_COLUMNS} FROM links WHERE id = ?1"))?
        .query_row([id], link_from_row)
        .optional()
}

/// Every fact kept (a small table: links paid exactly once are not in it).
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<LinkFacts>> {
    let mut statement = conn.prepare_cached("SELECT facts FROM case_facts")?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    let mut facts = Vec::new();
    for json in rows {
        let json = json?;
        // A row this build cannot read is skipped, never a failed list.
        match serde_json::from_str(&json) {
            Ok(read) => facts.push(read),
            Err(err) => tracing::warn!(%err, "a case's facts could not be read"),
        }
    }
    Ok(facts)
}

/// The facts of every link with a payment: after the migration that adds
/// the table, and when the table is found out of step.
pub fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM case_facts", [])?;
    conn.execute("DELETE FROM balance_links", [])?;
    let balance_links: Vec<(String, Option<String>)> = conn
        .prepare("SELECT id, description FROM links WHERE description LIKE 'Balance for %'")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, description) in &balance_links {
        if let Some(order) = balance_for(description.as_deref()) {
            conn.execute(
                "INSERT OR REPLACE INTO balance_links (balance, original) VALUES (?1, ?2)",
                params![id, order],
            )?;
        }
    }
    let linked: BTreeSet<String> = conn
        .prepare("SELECT DISTINCT payment_link_id FROM transactions WHERE payment_link_id IS NOT NULL")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    keep(conn, &linked)
}
