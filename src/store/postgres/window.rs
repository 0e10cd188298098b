//! A window of a list on PostgreSQL (see `store/window.rs`): the same SQL
//! as on SQLite, text compared byte by byte.

use super::super::export::{Value, numbered};
use super::super::rows::Kind;
use super::super::window::{
    Anchor, Cursor, Window, WindowAsk, Windowed, count_sql, cursor_types, descriptions_sql, finish, held_sql,
    window_sql,
};
use super::read::{link, transaction};
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row};

type Params = Vec<Box<dyn ToSql + Sync + Send>>;

fn params(values: &[Value]) -> Params {
    values
        .iter()
        .map(|value| -> Box<dyn ToSql + Sync + Send> {
            match value {
                Value::Int(n) => Box::new(*n),
                Value::Text(text) => Box::new(text.clone()),
            }
        })
        .collect()
}

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

pub async fn count(client: &impl GenericClient, sql: &str, values: &[Value]) -> Result<u64, tokio_postgres::Error> {
    let params = params(values);
    let counted: i64 = client.query_one(&numbered(sql, '$', 1), &refs(&params)).await?.get(0);
    Ok(u64::try_from(counted).unwrap_or(0))
}

fn cursor(row: &Row, types: &[bool]) -> Cursor {
    Cursor(
        types
            .iter()
            .enumerate()
            .map(|(i, text)| if *text { Value::Text(row.get(9 + i)) } else { Value::Int(row.get(9 + i)) })
            .collect(),
    )
}

async fn counted<T>(
    client: &impl GenericClient,
    ask: &WindowAsk,
    mut window: Window<T>,
) -> Result<Window<T>, tokio_postgres::Error> {
    if !ask.count {
        return Ok(window);
    }
    let (sql, values) = count_sql(&ask.query, None, true);
    let total = count(client, &sql, &values).await?;
    window.before = match (&ask.anchor, window.rows.first()) {
        (Anchor::First, _) | (_, None) => Some(0),
        (Anchor::Last, _) => Some(total.saturating_sub(window.rows.len() as u64)),
        (_, Some((first, _))) => {
            let (sql, values) = count_sql(&ask.query, Some(first), true);
            Some(count(client, &sql, &values).await?)
        }
    };
    window.held = match held_sql(&ask.query) {
        Some((sql, values)) => Some(count(client, &sql, &values).await?),
        None => Some(total),
    };
    window.total = Some(total);
    Ok(window)
}

pub async fn read(client: &impl GenericClient, ask: &WindowAsk) -> Result<Windowed, tokio_postgres::Error> {
    let (kind, sql, values, reversed) = window_sql(ask, true);
    let types = cursor_types(ask.query.sort);
    let params = params(&values);
    let found = client.query(&numbered(&sql, '$', 1), &refs(&params)).await?;
    Ok(match kind {
        Kind::Link => {
            let rows = found.iter().map(|row| (cursor(row, &types), link(row))).collect();
            Windowed::Links(counted(client, ask, finish(rows, ask, reversed)).await?)
        }
        Kind::Transaction => {
            let rows = found.iter().map(|row| (cursor(row, &types), transaction(row))).collect();
            let mut window = counted(client, ask, finish(rows, ask, reversed)).await?;
            if let Some((sql, values)) = descriptions_sql(&window) {
                let values = self::params(&values);
                let pairs = client.query(&numbered(&sql, '$', 1), &refs(&values)).await?;
                window.about = pairs.iter().map(|row| (row.get(0), row.get(1))).collect();
            }
            Windowed::Transactions(window)
        }
    })
}
