//! Reading rows out for an export, newest first, a batch at a time by sort
//! key (keyset paging: batch `n` costs the same as batch 1, and no lock is
//! held between batches). A filter export reads the table through its
//! index; a search export runs the search itself, so it has exactly the
//! rows the search shows.

use super::query::{Kinds, SearchQuery};
use super::rows::{self, Kind};
use super::search;

/// Which rows an export takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every row of one kind passing the query's filters and words: the
    /// panes' filters, a saved view, the marked rows, the export commands.
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

    /// What is exported, in words, for the audit log: "transactions found by a search".
    pub fn words(&self) -> String {
        let kinds = match self.kinds() {
            Kinds::Links => "links",
            Kinds::Transactions => "transactions",
            Kinds::Both => "links and transactions",
        };
        match self {
            Selection::Filter(query) if query.ids.is_some() => format!("marked {kinds}"),
            Selection::Filter(_) => format!("{kinds} by filters"),
            Selection::Search(_) => format!("{kinds} found by a search"),
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

/// A value a filter compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Text(String),
}

/// A filter's status and currency as conditions, compared as both the
/// rows and the kept totals (`list_totals`) are, so the two counts agree.
pub fn status_and_currency(query: &SearchQuery, sql: &mut String, values: &mut Vec<Value>) {
    if let Some(status) = &query.status {
        sql.push_str(" AND lower(status) = lower(?)");
        values.push(Value::Text(status.clone()));
    }
    if let Some(currency) = &query.currency {
        sql.push_str(" AND upper(currency) = upper(?)");
        values.push(Value::Text(currency.clone()));
    }
}

/// The table of a list or a filter export, and its filters as SQL with `?`
/// where each value goes (in order), for either backend to number its own
/// way. Words (a saved view's `ACME`) are matched by the backend's search
/// index, as the search matches them.
pub fn filter_parts(query: &SearchQuery, postgres: bool) -> (Kind, String, Vec<Value>) {
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
    status_and_currency(query, &mut sql, &mut values);
    if let Some(link) = &query.link {
        let column = if kind == Kind::Link { "id" } else { "payment_link_id" };
        sql.push_str(&format!(" AND lower({column}) = lower(?)"));
        values.push(Value::Text(link.clone()));
    }
    if query.contradicts {
        sql.push_str(" AND 1 = 0");
    }
    if let Some(ids) = &query.ids {
        if ids.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(" AND id IN ({})", vec!["?"; ids.len()].join(", ")));
            values.extend(ids.iter().map(|id| Value::Text(id.clone())));
        }
    }
    if let Some(links) = query.case_links() {
        let column = if kind == Kind::Link { "id" } else { "payment_link_id" };
        if links.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(" AND {column} IN ({})", vec!["?"; links.len()].join(", ")));
            values.extend(links.iter().map(|id| Value::Text(id.clone())));
        }
    }
    for cmp in &query.amounts {
        let (op, amount) = cmp.parts();
        sql.push_str(&format!(" AND amount_key {op} ?"));
        values.push(Value::Text(rows::amount_key(amount)));
    }
    if !query.terms.is_empty() {
        // The index matches the words and the markers of the filters too
        // (status, currency, link, amount): it hands over only the rows of
        // the kind that pass them all, the fewest it can.
        let parity = if kind == Kind::Link { 0 } else { 1 };
        match (postgres, super::postgres::search::tsquery(query)) {
            (true, Some(tsquery)) => {
                sql.push_str(&format!(
                    " AND sort_key IN (SELECT sort_key FROM search WHERE doc @@ ?::text::tsquery AND (sort_key & 1) = {parity})"
                ));
                values.push(Value::Text(tsquery));
            }
            // Words with nothing to match: nothing matches them.
            (true, None) => sql.push_str(" AND 1 = 0"),
            (false, _) => {
                sql.push_str(&format!(
                    " AND sort_key IN (SELECT rowid FROM search WHERE search MATCH ? AND (rowid & 1) = {parity})"
                ));
                values.push(Value::Text(super::sqlite::search::match_expression(query)));
            }
        }
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
