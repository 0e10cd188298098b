//! Cases on PostgreSQL: the same facts as on SQLite (`store/cases.rs`),
//! read back for all the touched links at once, in the write's transaction.

use super::read::{link, transaction};
use crate::api::LinkStatus;
use crate::cases::{LinkFacts, Order, balance_for};
use crate::store::cases::{LATE_LINKS, Late, PAID_LINKS, Touched, known_facts, with_late};
use crate::store::export::numbered;
use crate::store::rows::{LINK_COLUMNS, TRANSACTION_COLUMNS, from_micros};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap, HashSet};
use tokio_postgres::GenericClient;

type Error = tokio_postgres::Error;

/// Keeps the facts of `touched` links, and which links are balance links.
/// Rows are read back only for the links whose facts the write cannot
/// tell from those kept (`Touched::tell`).
pub async fn keep<C: GenericClient>(client: &C, touched: &Touched) -> Result<(), Error> {
    let asked = touched.links();
    if asked.is_empty() {
        return Ok(());
    }
    let rows = client.query("SELECT link_id, facts FROM case_facts WHERE link_id = ANY($1)", &[&asked]).await?;
    let kept: HashMap<String, String> = rows.iter().map(|row| (row.get(0), row.get(1))).collect();
    let known = known_facts(&kept, touched);
    let ask_paid = touched.to_ask_paid(&known);
    let mut paid = HashSet::new();
    if !ask_paid.is_empty() {
        let rows = client.query(&format!("{PAID_LINKS}= ANY($1)"), &[&ask_paid]).await?;
        paid.extend(rows.iter().map(|row| row.get::<_, String>(0)));
    }
    let (mut facts, read) = touched.tell(&known, &paid);
    let read: Vec<&str> = read.iter().map(String::as_str).collect();
    let (mut balances, mut originals) = (Vec::new(), Vec::new());
    if !read.is_empty() {
        for order in orders(client, &read).await? {
            let facts_read = order.facts();
            if let Some(original) = facts_read.link.as_ref().and_then(|l| balance_for(l.description.as_deref())) {
                balances.push(order.link_id.clone());
                originals.push(original.to_string());
            }
            facts.push(facts_read);
        }
    }
    if !balances.is_empty() {
        client
            .execute(
                "INSERT INTO balance_links (balance, original) SELECT * FROM unnest($1::text[], $2::text[]) \
                 ON CONFLICT (balance) DO UPDATE SET original = EXCLUDED.original",
                &[&balances, &originals],
            )
            .await?;
    }
    let (mut changed, mut json, mut dropped) = (Vec::new(), Vec::new(), Vec::new());
    for facts in &facts {
        let before = kept.get(&facts.link_id);
        if !facts.worth_keeping() {
            if before.is_some() {
                dropped.push(facts.link_id.as_str());
            }
            continue;
        }
        // Facts are plain data: they always serialize.
        if let Ok(text) = serde_json::to_string(facts)
            && before != Some(&text)
        {
            changed.push(facts.link_id.as_str());
            json.push(text);
        }
    }
    if !dropped.is_empty() {
        client.execute("DELETE FROM case_facts WHERE link_id = ANY($1)", &[&dropped]).await?;
    }
    if !changed.is_empty() {
        client
            .execute(
                "INSERT INTO case_facts (link_id, facts) SELECT * FROM unnest($1::text[], $2::text[]) \
                 ON CONFLICT (link_id) DO UPDATE SET facts = EXCLUDED.facts",
                &[&changed, &json],
            )
            .await?;
    }
    Ok(())
}

/// Orders' rows, for all of them at once.
pub async fn orders<C: GenericClient>(client: &C, ids: &[&str]) -> Result<Vec<Order>, Error> {
    let links = client.query(&format!("SELECT {LINK_COLUMNS} FROM links WHERE id = ANY($1)"), &[&ids]).await?;
    let links: HashMap<String, _> = links.iter().map(link).map(|l| (l.id.clone(), l)).collect();
    let sql = format!("SELECT {TRANSACTION_COLUMNS} FROM transactions WHERE payment_link_id = ANY($1)");
    let mut payments: HashMap<String, Vec<_>> = HashMap::new();
    for row in client.query(&sql, &[&ids]).await? {
        let txn = transaction(&row);
        payments.entry(txn.payment_link_id.clone().unwrap_or_default()).or_default().push(txn);
    }
    let sql = format!(
        "SELECT b.original, {} FROM balance_links b JOIN links l ON l.id = b.balance WHERE b.original = ANY($1)",
        LINK_COLUMNS.split(", ").map(|c| format!("l.{c}")).collect::<Vec<_>>().join(", ")
    );
    let mut balances: HashMap<String, Vec<_>> = HashMap::new();
    for row in client.query(&sql, &[&ids]).await? {
        let original: String = row.get(0);
        balances.entry(original).or_default().push(super::read::link_at(&row, 1));
    }
    Ok(ids
        .iter()
        .map(|id| Order {
            link_id: id.to_string(),
            link: links.get(*id).cloned(),
            payments: payments.remove(*id).unwrap_or_default(),
            balance_links: balances.remove(*id).unwrap_or_default(),
            status_seen: Vec::new(),
            acts: Vec::new(),
            looking: Vec::new(),
        })
        .collect())
}

/// When the mirror saw the link's status change, oldest first.
pub async fn status_seen<C: GenericClient>(client: &C, id: &str) -> Result<Vec<(LinkStatus, DateTime<Utc>)>, Error> {
    let rows =
        client.query("SELECT status, seen_at FROM link_changes WHERE link_id = $1 ORDER BY seen_at", &[&id]).await?;
    Ok(rows.iter().map(|row| (LinkStatus::parse(row.get::<_, &str>(0)), from_micros(row.get(1)))).collect())
}

/// The facts to judge: every one kept, and those of the links with a
/// payment `late`.
pub async fn all<C: GenericClient>(client: &C, late: Late) -> Result<Vec<LinkFacts>, Error> {
    let (pending, confirmed) = late.bounds();
    let rows = client.query(&numbered(LATE_LINKS, '$', 1), &[&pending, &confirmed]).await?;
    let ids: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
    let mut found = Vec::new();
    for chunk in ids.chunks(1_000) {
        let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
        found.extend(orders(client, &chunk).await?.iter().map(Order::facts));
    }
    Ok(with_late(kept(client).await?, found))
}

/// Every fact kept.
async fn kept<C: GenericClient>(client: &C) -> Result<Vec<LinkFacts>, Error> {
    let rows = client.query("SELECT facts FROM case_facts", &[]).await?;
    let mut facts = Vec::new();
    for row in rows {
        match serde_json::from_str(row.get::<_, &str>(0)) {
            Ok(read) => facts.push(read),
            Err(err) => tracing::warn!(%err, "a case's facts could not be read"),
        }
    }
    Ok(facts)
}

/// The facts of every link with a payment, after the migration that adds
/// the tables.
pub async fn rebuild<C: GenericClient>(client: &C) -> Result<(), Error> {
    let rows = client.query("SELECT id FROM links WHERE description LIKE 'Balance for %'", &[]).await?;
    let mut touched: BTreeSet<String> = rows.iter().map(|row| row.get(0)).collect();
    let rows = client
        .query("SELECT DISTINCT payment_link_id FROM transactions WHERE payment_link_id IS NOT NULL", &[])
        .await?;
    touched.extend(rows.iter().map(|row| row.get::<_, String>(0)));
    let touched: Vec<String> = touched.into_iter().collect();
    for chunk in touched.chunks(1_000) {
        keep(client, &Touched { read: chunk.iter().cloned().collect(), ..Touched::default() }).await?;
    }
    Ok(())
}
