//! A window of a list on SQLite (see `store/window.rs`).

use super::super::export::{Value, numbered};
use super::super::rows::Kind;
use super::super::window::{
    Anchor, Cursor, Window, WindowAsk, Windowed, count_sql, cursor_types, descriptions_sql, finish, held_sql,
    window_sql,
};
use super::rows;
use rusqlite::{Connection, Row, ToSql};

fn params(values: &[Value]) -> Vec<Box<dyn ToSql>> {
    values
        .iter()
        .map(|value| -> Box<dyn ToSql> {
            match value {
                Value::Int(n) => Box::new(*n),
                Value::Text(text) => Box::new(text.clone()),
            }
        })
        .collect()
}

pub fn count(conn: &Connection, sql: &str, values: &[Value]) -> rusqlite::Result<u64> {
    let params = params(values);
    let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
    let counted: i64 = conn.prepare_cached(&numbered(sql, '?', 1))?.query_row(refs.as_slice(), |row| row.get(0))?;
    Ok(u64::try_from(counted).unwrap_or(0))
}

/// The cursor after a row's nine columns.
fn cursor(row: &Row, types: &[bool]) -> rusqlite::Result<Cursor> {
    let mut values = Vec::with_capacity(types.len());
    for (i, text) in types.iter().enumerate() {
        values.push(if *text { Value::Text(row.get(9 + i)?) } else { Value::Int(row.get(9 + i)?) });
    }
    Ok(Cursor(values))
}

fn rows_of<T>(
    conn: &Connection,
    sql: &str,
    values: &[Value],
    types: &[bool],
    read: fn(&Row) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<(Cursor, T)>> {
    let params = params(values);
    let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
    let mut statement = conn.prepare_cached(&numbered(sql, '?', 1))?;
    let mut found = statement.query(refs.as_slice())?;
    let mut rows = Vec::new();
    while let Some(row) = found.next()? {
        rows.push((cursor(row, types)?, read(row)?));
    }
    Ok(rows)
}

/// Counts the list and the rows before the window, when asked.
fn counted<T>(conn: &Connection, ask: &WindowAsk, mut window: Window<T>) -> rusqlite::Result<Window<T>> {
    if !ask.count {
        return Ok(window);
    }
    let (sql, values) = count_sql(&ask.query, None, false);
    let total = count(conn, &sql, &values)?;
    window.before = match (&ask.anchor, window.rows.first()) {
        (Anchor::First, _) | (_, None) => Some(0),
        (Anchor::Last, _) => Some(total.saturating_sub(window.rows.len() as u64)),
        (_, Some((first, _))) => {
            let (sql, values) = count_sql(&ask.query, Some(first), false);
            Some(count(conn, &sql, &values)?)
        }
    };
    window.held = match held_sql(&ask.query) {
        Some((sql, values)) => Some(count(conn, &sql, &values)?),
        None => Some(total),
    };
    window.total = Some(total);
    Ok(window)
}

pub fn read(conn: &Connection, ask: &WindowAsk) -> rusqlite::Result<Windowed> {
    let (kind, sql, values, reversed) = window_sql(ask, false);
    let types = cursor_types(ask.query.sort);
    Ok(match kind {
        Kind::Link => {
            let rows = rows_of(conn, &sql, &values, &types, rows::link_from_row)?;
            Windowed::Links(counted(conn, ask, finish(rows, ask, reversed))?)
        }
        Kind::Transaction => {
            let rows = rows_of(conn, &sql, &values, &types, rows::transaction_from_row)?;
            let mut window = counted(conn, ask, finish(rows, ask, reversed))?;
            if let Some((sql, values)) = descriptions_sql(&window) {
                let params = params(&values);
                let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
                // Not kept among the prepared statements: its `IN` list has a
                // length of its own each time, and would push the others out.
                let mut statement = conn.prepare(&numbered(&sql, '?', 1))?;
                let pairs = statement.query_map(refs.as_slice(), |row| Ok((row.get(0)?, row.get(1)?)))?;
                window.about = pairs.collect::<rusqlite::Result<_>>()?;
            }
            Windowed::Transactions(window)
        }
    })
}
