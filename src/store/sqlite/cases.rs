//! Cases on SQLite: each touched link's facts read back from its rows in
//! the write's transaction, kept when they may make a case.

use super::rows::{link_from_row, transaction_from_row};
use crate::api::{LinkStatus, PaymentLink};
use crate::cases::{LinkFacts, Order, balance_for};
use crate::store::cases::{LATE_LINKS, Late, PAID_LINKS, Touched, known_facts, with_late};
use crate::store::export::numbered;
use crate::store::rows::from_micros;
use crate::store::rows::{LINK_COLUMNS, TRANSACTION_COLUMNS};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Links whose rows are read at once: one statement a table for them all.
const AT_ONCE: usize = 500;

/// Keeps the facts of `touched` links, and which links are balance links.
/// Rows are read back only for the links whose facts the write cannot
/// tell from those kept (`Touched::tell`); facts are written only when they
/// changed: most writes change no case.
pub fn keep(conn: &Connection, touched: &Touched) -> rusqlite::Result<()> {
    let mut kept: HashMap<String, String> = HashMap::new();
    for chunk in touched.links().chunks(AT_ONCE) {
        let mut statement = conn.prepare_cached(
            "SELECT link_id, facts FROM case_facts WHERE link_id IN (SELECT value FROM json_each(?1))",
        )?;
        for row in statement.query_map([json_list(chunk)?], |row| Ok((row.get(0)?, row.get(1)?)))? {
            let (id, facts) = row?;
            kept.insert(id, facts);
        }
    }
    let known = known_facts(&kept, touched);
    let mut paid = HashSet::new();
    for chunk in touched.to_ask_paid(&known).chunks(AT_ONCE) {
        let mut statement = conn.prepare_cached(&format!("{PAID_LINKS}IN (SELECT value FROM json_each(?1))"))?;
        for id in statement.query_map([json_list(chunk)?], |row| row.get(0))? {
            paid.insert(id?);
        }
    }
    let (mut facts, read) = touched.tell(&known, &paid);
    let read: Vec<&str> = read.iter().map(String::as_str).collect();
    for chunk in read.chunks(AT_ONCE) {
        for order in orders(conn, chunk)? {
            let facts_read = order.facts();
            if let Some(original) = facts_read.link.as_ref().and_then(|l| balance_for(l.description.as_deref())) {
                conn.prepare_cached("INSERT OR REPLACE INTO balance_links (balance, original) VALUES (?1, ?2)")?
                    .execute(params![order.link_id, original])?;
            }
            facts.push(facts_read);
        }
    }
    for facts in facts {
        let id = &facts.link_id;
        let before = kept.remove(id);
        if facts.worth_keeping() {
            let json =
                serde_json::to_string(&facts).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            if before.as_ref() != Some(&json) {
                conn.prepare_cached(
                    "INSERT INTO case_facts (link_id, facts) VALUES (?1, ?2) \
                     ON CONFLICT (link_id) DO UPDATE SET facts = excluded.facts",
                )?
                .execute(params![id, json])?;
            }
        } else if before.is_some() {
            conn.prepare_cached("DELETE FROM case_facts WHERE link_id = ?1")?.execute([id])?;
        }
    }
    Ok(())
}

fn json_list(ids: &[&str]) -> rusqlite::Result<String> {
    serde_json::to_string(ids).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// An order's rows.
pub fn order(conn: &Connection, id: &str) -> rusqlite::Result<Order> {
    Ok(orders(conn, &[id])?.pop().unwrap_or_else(|| Order { link_id: id.to_string(), ..Order::default() }))
}

/// The rows of these orders, one for each id, in the order given.
pub fn orders(conn: &Connection, ids: &[&str]) -> rusqlite::Result<Vec<Order>> {
    let listed = json_list(ids)?;
    let mut links: HashMap<String, PaymentLink> = conn
        .prepare_cached(&format!("SELECT {LINK_COLUMNS} FROM links WHERE id IN (SELECT value FROM json_each(?1))"))?
        .query_map([&listed], link_from_row)?
        .map(|link| link.map(|l| (l.id.clone(), l)))
        .collect::<rusqlite::Result<_>>()?;
    let mut payments: HashMap<String, Vec<_>> = HashMap::new();
    let sql = format!(
        "SELECT {TRANSACTION_COLUMNS} FROM transactions WHERE payment_link_id IN (SELECT value FROM json_each(?1))"
    );
    for txn in conn.prepare_cached(&sql)?.query_map([&listed], transaction_from_row)? {
        let txn = txn?;
        payments.entry(txn.payment_link_id.clone().unwrap_or_default()).or_default().push(txn);
    }
    let sql = format!(
        "SELECT b.original, {} FROM balance_links b JOIN links l ON l.id = b.balance \
         WHERE b.original IN (SELECT value FROM json_each(?1))",
        LINK_COLUMNS.split(", ").map(|c| format!("l.{c}")).collect::<Vec<_>>().join(", ")
    );
    let mut balances: HashMap<String, Vec<PaymentLink>> = HashMap::new();
    let mut statement = conn.prepare_cached(&sql)?;
    let mut found = statement.query([&listed])?;
    while let Some(row) = found.next()? {
        let original: String = row.get(0)?;
        balances.entry(original).or_default().push(super::rows::link_at(row, 1)?);
    }
    Ok(ids
        .iter()
        .map(|id| Order {
            link_id: id.to_string(),
            link: links.remove(*id),
            payments: payments.remove(*id).unwrap_or_default(),
            balance_links: balances.remove(*id).unwrap_or_default(),
            ..Order::default()
        })
        .collect())
}

/// When the mirror saw the link's status change, oldest first.
pub fn status_seen(conn: &Connection, id: &str) -> rusqlite::Result<Vec<(LinkStatus, DateTime<Utc>)>> {
    conn.prepare_cached("SELECT status, seen_at FROM link_changes WHERE link_id = ?1 ORDER BY seen_at")?
        .query_map([id], |row| Ok((LinkStatus::parse(&row.get::<_, String>(0)?), from_micros(row.get(1)?))))?
        .collect()
}

/// The facts to judge: every one kept (a small table: links paid exactly
/// once are not in it), and those of the links with a payment `late`.
pub fn all(conn: &Connection, late: Late) -> rusqlite::Result<Vec<LinkFacts>> {
    let (pending, confirmed) = late.bounds();
    let ids: Vec<String> = conn
        .prepare_cached(&numbered(LATE_LINKS, '?', 1))?
        .query_map(params![pending, confirmed], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut found = Vec::new();
    for chunk in ids.chunks(AT_ONCE) {
        let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
        found.extend(orders(conn, &chunk)?.iter().map(Order::facts));
    }
    Ok(with_late(kept(conn)?, found))
}

/// Every fact kept.
fn kept(conn: &Connection) -> rusqlite::Result<Vec<LinkFacts>> {
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
    keep(conn, &Touched { read: linked, ..Touched::default() })
}
