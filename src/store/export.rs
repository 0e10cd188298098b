//! Reading rows out for an export, newest first, a batch at a time by sort
//! key (keyset paging: batch `n` costs the same as batch 1, and no lock is
//! held between batches). A filter export reads the table through its
//! index; a search export runs the search itself, so it has exactly the
//! rows the search shows.

use super::query::{Kinds, SearchQuery};
use super::rows::{self, Kind};
use super::search;
use rusqlite::{Connection, ToSql};

/// Which rows an export takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every row of one kind passing the query's field filters (its free
    /// text is not used): the panes' filters, the export commands.
    Filter(SearchQuery),
    /// Exactly what a search finds.
    Search(SearchQuery),
}

impl Selection {
    pub fn kinds(&self) -> Kinds {
        match self {
            Selection::Filter(query) | Selection::Search(query) => query.kinds,
        }
    }
}

/// A link as stored, borrowed from the database while it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRow<'a> {
    pub id: &'a str,
    /// Microseconds since the epoch, like the other times.
    pub created_at: i64,
    pub status: &'a str,
    pub currency: &'a str,
    /// Exactly as PIK gave it.
    pub amount: &'a str,
    pub description: Option<&'a str>,
    pub url: Option<&'a str>,
    pub paid_at: Option<i64>,
    pub expires_at: Option<i64>,
}

/// A transaction as stored, borrowed from the database while it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionRow<'a> {
    pub id: &'a str,
    pub created_at: i64,
    pub status: &'a str,
    pub currency: &'a str,
    pub amount: &'a str,
    pub payment_link_id: Option<&'a str>,
    pub tx_hash: Option<&'a str>,
    pub confirmed_at: Option<i64>,
    pub settled_at: Option<i64>,
    /// The payment's link, as mirrored: its description (the customer's
    /// order reference) and its amount, if the link is in the mirror.
    pub link_description: Option<&'a str>,
    pub link_amount: Option<&'a str>,
}

/// The description and amount of a payment's link, as two more columns
/// after a transaction's (`of` is the transactions table or its alias).
pub fn link_of_payment(of: &str) -> String {
    format!(
        ", (SELECT description FROM links AS link WHERE link.id = {of}.payment_link_id), \
         (SELECT amount FROM links AS link WHERE link.id = {of}.payment_link_id)"
    )
}

/// The column of an export row that holds its sort key: after the row's
/// nine (and before a payment's link columns).
pub const KEY_COLUMN: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawRow<'a> {
    Link(LinkRow<'a>),
    Transaction(TransactionRow<'a>),
}

/// Where exported rows go: written as they are read, with no copy between.
pub trait RowSink: Send {
    fn row(&mut self, row: &RawRow<'_>) -> std::io::Result<()>;
}

/// How a batch ended: rows written, and where the next batch starts (none:
/// that was the last); or the sink's failure.
#[derive(Debug)]
pub struct BatchEnd {
    pub written: u64,
    pub next: Option<i64>,
}

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

/// A value a filter compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Text(String),
}

/// The table of a filter export, and its filters as SQL with `?` where
/// each value goes (in order), for either backend to number its own way.
pub fn filter_parts(query: &SearchQuery) -> (Kind, String, Vec<Value>) {
    let kind = if query.kinds == Kinds::Links { Kind::Link } else { Kind::Transaction };
    let (low, high) = rows::key_range(query.from, query.created_until());
    // Without dates no range at all: a count can then use a small index
    // instead of walking the table.
    let mut sql = String::from(if query.from.is_none() && query.created_until().is_none() {
        " WHERE CAST(? AS BIGINT) <= CAST(? AS BIGINT)"
    } else {
        " WHERE sort_key BETWEEN ? AND ?"
    });
    let mut values = vec![Value::Int(low), Value::Int(high)];
    if let Some(status) = &query.status {
        sql.push_str(" AND lower(status) = lower(?)");
        values.push(Value::Text(status.clone()));
    }
    if let Some(currency) = &query.currency {
        sql.push_str(" AND upper(currency) = upper(?)");
        values.push(Value::Text(currency.clone()));
    }
    if let Some(link) = &query.link {
        let column = if kind == Kind::Link { "id" } else { "payment_link_id" };
        sql.push_str(&format!(" AND lower({column}) = lower(?)"));
        values.push(Value::Text(link.clone()));
    }
    for cmp in &query.amounts {
        let (op, amount) = cmp.parts();
        sql.push_str(&format!(" AND amount_key {op} ?"));
        values.push(Value::Text(rows::amount_key(amount)));
    }
    if kind == Kind::Link && query.transactions_only() {
        // Links have no confirmation or settlement time.
        sql.push_str(" AND 1 = 0");
    }
    for (column, low, high) in search::time_ranges(query) {
        if kind == Kind::Transaction {
            sql.push_str(&format!(" AND {column} BETWEEN ? AND ?"));
            values.push(Value::Int(low));
            values.push(Value::Int(high));
        }
    }
    (kind, sql, values)
}

/// `?` numbered from `first` with `sign` before each number: `?1` for
/// SQLite, `$1` for PostgreSQL.
pub fn numbered(sql: &str, sign: char, first: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = first;
    for c in sql.chars() {
        if c == '?' {
            out.push(sign);
            out.push_str(&next.to_string());
            next += 1;
        } else {
            out.push(c);
        }
    }
    out
}

/// The table of a filter export, and its filters as SQLite SQL.
fn filter_sql(query: &SearchQuery) -> (Kind, String, Vec<Box<dyn ToSql>>) {
    let (kind, sql, values) = filter_parts(query);
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

/// The table of a kind, and what an export reads of a row: its columns,
/// its sort key, and a payment's link columns.
pub fn table(kind: Kind) -> (&'static str, String) {
    match kind {
        Kind::Link => ("links", format!("{}, sort_key", rows::LINK_COLUMNS)),
        Kind::Transaction => {
            ("transactions", format!("{}, sort_key{}", rows::TRANSACTION_COLUMNS, link_of_payment("transactions")))
        }
    }
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
