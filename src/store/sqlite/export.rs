//! Export batches read from SQLite, by sort key (`store/export.rs` holds
//! the selection and the rows' shape).

use super::super::export::{
    BatchEnd, KEY_COLUMN, LinkRow, RawRow, RowSink, Selection, TransactionRow, Value, filter_parts, numbered, table,
};
use super::super::query::SearchQuery;
use super::super::rows::Kind;
use super::search;
use rusqlite::{Connection, ToSql};

fn read_row<'a>(kind: Kind, row: &'a rusqlite::Row<'a>) -> rusqlite::Result<RawRow<'a>> {
    let text = |i: usize| row.get_ref(i).and_then(|v| v.as_str().map_err(rusqlite::Error::from));
    let maybe = |i: usize| row.get_ref(i).and_then(|v| v.as_str_or_null().map_err(rusqlite::Error::from));
    let time = |i: usize| row.get::<_, Option<i64>>(i);
    Ok(match kind {
        // The columns of rows::LINK_COLUMNS, in order.
        Kind::Link => RawRow::Link(LinkRow {
            id: text(0)?,
            created_at: row.get(1)?,
            status: text(2)?,
            currency: text(3)?,
            amount: text(4)?,
            description: maybe(5)?,
            url: maybe(6)?,
            paid_at: time(7)?,
            expires_at: time(8)?,
        }),
        // The columns of rows::TRANSACTION_COLUMNS, in order.
        Kind::Transaction => RawRow::Transaction(TransactionRow {
            id: text(0)?,
            created_at: row.get(1)?,
            status: text(2)?,
            currency: text(3)?,
            amount: text(4)?,
            payment_link_id: maybe(5)?,
            tx_hash: maybe(6)?,
            confirmed_at: time(7)?,
            settled_at: time(8)?,
            link_description: maybe(KEY_COLUMN + 1)?,
            link_amount: maybe(KEY_COLUMN + 2)?,
        }),
    })
}

/// The table of a filter export, and its filters as SQLite SQL.
fn filter_sql(query: &SearchQuery) -> (Kind, String, Vec<Box<dyn ToSql>>) {
    let (kind, sql, values) = filter_parts(query, false);
    let params = values
        .into_iter()
        .map(|value| -> Box<dyn ToSql> {
            match value {
                Value::Int(n) => Box::new(n),
                Value::Text(text) => Box::new(text),
            }
        })
        .collect();
    (kind, numbered(&sql, '?', 1), params)
}

/// How many rows the export will have.
pub fn count(conn: &Connection, selection: &Selection) -> rusqlite::Result<u64> {
    let counted: i64 = match selection {
        Selection::Filter(query) => {
            let (kind, filter, params) = filter_sql(query);
            let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
            let sql = format!("SELECT count(*) FROM {}{filter}", table(kind).0);
            conn.prepare_cached(&sql)?.query_row(refs.as_slice(), |row| row.get(0))?
        }
        Selection::Search(query) => {
            let (from_where, params) = search::from_where(query);
            let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
            conn.prepare_cached(&format!("SELECT count(*){from_where}"))?
                .query_row(refs.as_slice(), |row| row.get(0))?
        }
    };
    Ok(u64::try_from(counted).unwrap_or(0))
}

/// Writes up to `limit` rows below sort key `before` (from the top when
/// none) to `sink`, newest first.
pub fn batch(
    conn: &Connection,
    selection: &Selection,
    before: Option<i64>,
    limit: u32,
    sink: &mut dyn RowSink,
) -> rusqlite::Result<std::io::Result<BatchEnd>> {
    let before = before.unwrap_or(i64::MAX);
    let mut written = 0u64;
    let mut last = None;
    // Rows the query gave (a search's row may have gone meanwhile).
    let seen = match selection {
        Selection::Filter(query) => {
            let (kind, filter, mut params) = filter_sql(query);
            params.push(Box::new(before));
            params.push(Box::new(i64::from(limit)));
            let (name, columns) = table(kind);
            let sql = format!(
                "SELECT {columns} FROM {name}{filter} AND sort_key < ?{} ORDER BY sort_key DESC LIMIT ?{}",
                params.len() - 1,
                params.len()
            );
            let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
            let mut statement = conn.prepare_cached(&sql)?;
            let mut found = statement.query(refs.as_slice())?;
            while let Some(row) = found.next()? {
                if let Err(error) = sink.row(&read_row(kind, row)?) {
                    return Ok(Err(error));
                }
                written += 1;
                last = Some(row.get::<_, i64>(KEY_COLUMN)?);
            }
            written
        }
        Selection::Search(query) => {
            let (from_where, mut params) = search::from_where(query);
            params.push(Box::new(before));
            params.push(Box::new(i64::from(limit)));
            let sql = format!(
                "SELECT search.rowid{from_where} AND search.rowid < ?{} ORDER BY search.rowid DESC LIMIT ?{}",
                params.len() - 1,
                params.len()
            );
            let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
            let keys: Vec<i64> =
                conn.prepare_cached(&sql)?.query_map(refs.as_slice(), |row| row.get(0))?.collect::<Result<_, _>>()?;
            for key in &keys {
                let kind = Kind::of(*key);
                let (name, columns) = table(kind);
                let mut statement =
                    conn.prepare_cached(&format!("SELECT {columns} FROM {name} WHERE sort_key = ?1"))?;
                let mut found = statement.query([key])?;
                if let Some(row) = found.next()? {
                    if let Err(error) = sink.row(&read_row(kind, row)?) {
                        return Ok(Err(error));
                    }
                    written += 1;
                }
            }
            last = keys.last().copied();
            keys.len() as u64
        }
    };
    let next = last.filter(|_| seen >= u64::from(limit));
    Ok(Ok(BatchEnd { written, next }))
}
