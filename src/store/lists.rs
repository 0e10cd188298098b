//! The webhooks, read whole (PIK does not page them: there are few).

use super::rows;
use crate::api::{Page, Webhook};
use rusqlite::Connection;

pub fn webhooks(conn: &Connection) -> rusqlite::Result<Page<Webhook>> {
    let data: Vec<Webhook> = conn
        .prepare_cached("SELECT id, url, events, status, created_at FROM webhooks ORDER BY position")?
        .query_map([], rows::webhook_from_row)?
        .collect::<Result<_, _>>()?;
    let total = data.len() as u64;
    Ok(Page { data, total, limit: None, offset: None, skipped: 0 })
}
