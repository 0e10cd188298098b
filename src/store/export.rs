//! Reading rows out for an export, newest first, a batch at a time by sort
//! key (keyset paging: batch `n` costs the same as batch 1, and no lock is
//! held between batches). A filter export reads the table through its
//! index; a search export runs the search itself, so it has exactly the
//! rows the search shows.

use super::query::{AmountCmp, Kinds, SearchQuery};
use super::rows::{self, Kind};
use super::search::{self, SearchHit};
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

/// A batch of rows and where the next one starts (none: that was the last).
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub rows: Vec<SearchHit>,
    pub next: Option<i64>,
}

/// The table of a filter export, and its filters as SQL.
fn filter_sql(query: &SearchQuery) -> (Kind, String, Vec<Box<dyn ToSql>>) {
    let kind = if query.kinds == Kinds::Links { Kind::Link } else { Kind::Transaction };
    let (low, high) = rows::key_range(query.from, query.to);
    let mut sql = String::from(" WHERE sort_key BETWEEN ?1 AND ?2");
    let mut params: Vec<Box<dyn ToSql>> = vec![Box::new(low), Box::new(high)];
    let mut push = |sql_part: &str, value: Box<dyn ToSql>| {
        params.push(value);
        sql.push_str(&sql_part.replace('?', &format!("?{}", params.len())));
    };
    if let Some(status) = &query.status {
        push(" AND lower(status) = lower(?)", Box::new(status.clone()));
    }
    if let Some(currency) = &query.currency {
        push(" AND upper(currency) = upper(?)", Box::new(currency.clone()));
    }
    if let Some(link) = &query.link {
        let column = if kind == Kind::Link { "id" } else { "payment_link_id" };
        push(&format!(" AND lower({column}) = lower(?)"), Box::new(link.clone()));
    }
    for cmp in &query.amounts {
        let (op, amount) = match cmp {
            AmountCmp::Eq(a) => ("=", a),
            AmountCmp::Ge(a) => (">=", a),
            AmountCmp::Gt(a) => (">", a),
            AmountCmp::Le(a) => ("<=", a),
            AmountCmp::Lt(a) => ("<", a),
        };
        push(&format!(" AND amount_key {op} ?"), Box::new(rows::amount_key(*amount)));
    }
    (kind, sql, params)
}

fn table(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Link => ("links", rows::LINK_COLUMNS),
        Kind::Transaction => ("transactions", rows::TRANSACTION_COLUMNS),
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

/// Up to `limit` rows below sort key `before` (from the top when none).
pub fn batch(conn: &Connection, selection: &Selection, before: Option<i64>, limit: u32) -> rusqlite::Result<Batch> {
    let before = before.unwrap_or(i64::MAX);
    let (rows, last): (Vec<SearchHit>, Option<i64>) = match selection {
        Selection::Filter(query) => {
            let (kind, filter, mut params) = filter_sql(query);
            params.push(Box::new(before));
            params.push(Box::new(i64::from(limit)));
            let (name, columns) = table(kind);
            let sql = format!(
                "SELECT {columns}, sort_key FROM {name}{filter} AND sort_key < ?{} ORDER BY sort_key DESC LIMIT ?{}",
                params.len() - 1,
                params.len()
            );
            let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
            let mut statement = conn.prepare_cached(&sql)?;
            let found: Vec<(SearchHit, i64)> = statement
                .query_map(refs.as_slice(), |row| {
                    let hit = match kind {
                        Kind::Link => SearchHit::Link(rows::link_from_row(row)?),
                        Kind::Transaction => SearchHit::Transaction(rows::transaction_from_row(row)?),
                    };
                    Ok((hit, row.get("sort_key")?))
                })?
                .collect::<Result<_, _>>()?;
            let last = found.last().map(|(_, key)| *key);
            (found.into_iter().map(|(hit, _)| hit).collect(), last)
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
            let mut hits = Vec::with_capacity(keys.len());
            for key in &keys {
                hits.extend(search::hit(conn, *key)?);
            }
            (hits, keys.last().copied())
        }
    };
    let full = rows.len() as u32 >= limit;
    Ok(Batch { rows, next: last.filter(|_| full) })
}
