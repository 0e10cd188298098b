//! The mirror answering the same list requests as PIK, with the same
//! filters and paging, newest first: for the first frame at start-up and
//! for scrolling while PIK cannot be reached.

use super::rows;
use crate::api::{LinkQuery, Page, PaymentLink, Transaction, TransactionQuery, Webhook};
use rusqlite::{Connection, ToSql};

fn page<T>(data: Vec<T>, total: i64, limit: u32, offset: u32) -> Page<T> {
    Page { data, total: u64::try_from(total).unwrap_or(0), limit: Some(limit), offset: Some(offset), skipped: 0 }
}

pub fn links(conn: &Connection, query: &LinkQuery) -> rusqlite::Result<Page<PaymentLink>> {
    let (limit, offset) = (query.limit.unwrap_or(20), query.offset.unwrap_or(0));
    let status = query.status.as_ref().map(|s| s.as_str().to_string());
    let filter = if status.is_some() { " WHERE status = ?1" } else { " WHERE ?1 IS NULL" };
    let total: i64 =
        conn.prepare_cached(&format!("SELECT count(*) FROM links{filter}"))?.query_row([&status], |r| r.get(0))?;
    let sql = format!("SELECT {} FROM links{filter} ORDER BY sort_key DESC LIMIT ?2 OFFSET ?3", rows::LINK_COLUMNS);
    let data = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![status, limit, offset], rows::link_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(page(data, total, limit, offset))
}

pub fn transactions(conn: &Connection, query: &TransactionQuery) -> rusqlite::Result<Page<Transaction>> {
    let (limit, offset) = (query.limit.unwrap_or(20), query.offset.unwrap_or(0));
    let (low, high) = rows::key_range(query.from, query.to);
    let mut filter = String::from(" WHERE sort_key BETWEEN ?1 AND ?2");
    let mut params: Vec<Box<dyn ToSql>> = vec![Box::new(low), Box::new(high)];
    let mut equal = |column: &str, value: Option<String>| {
        if let Some(value) = value {
            params.push(Box::new(value));
            filter.push_str(&format!(" AND {column} = ?{}", params.len()));
        }
    };
    equal("status", query.status.as_ref().map(|s| s.as_str().to_string()));
    equal("currency", query.currency.clone());
    equal("payment_link_id", query.payment_link_id.clone());
    let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM transactions{filter}"))?
        .query_row(refs.as_slice(), |r| r.get(0))?;
    params.push(Box::new(limit));
    params.push(Box::new(offset));
    let sql = format!(
        "SELECT {} FROM transactions{filter} ORDER BY sort_key DESC LIMIT ?{} OFFSET ?{}",
        rows::TRANSACTION_COLUMNS,
        params.len() - 1,
        params.len()
    );
    let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
    let data =
        conn.prepare_cached(&sql)?.query_map(refs.as_slice(), rows::transaction_from_row)?.collect::<Result<_, _>>()?;
    Ok(page(data, total, limit, offset))
}

pub fn webhooks(conn: &Connection) -> rusqlite::Result<Page<Webhook>> {
    let data: Vec<Webhook> = conn
        .prepare_cached("SELECT id, url, events, status, created_at FROM webhooks ORDER BY position")?
        .query_map([], rows::webhook_from_row)?
        .collect::<Result<_, _>>()?;
    let total = data.len() as u64;
    Ok(Page { data, total, limit: None, offset: None, skipped: 0 })
}
