//! Search on PostgreSQL: the same [`SearchQuery`] as on SQLite, as a
//! `tsquery` over the rows' tsvectors. Every token is a quoted lexeme (so
//! nothing typed is syntax); a word is a prefix (`'order':*`), a phrase
//! follows positions (`'a' <-> 'b'`), as FTS5's `"a b"*` and `"a b"` do.
//! Dates are sort-key ranges and amounts compare their fixed-width keys,
//! as on SQLite, so both give the same ids in the same order.

use super::super::query::{AmountCmp, Kinds, SearchQuery, Term};
use super::super::rows;
use super::super::tokens::{amount_marker, marker};
use tokio_postgres::types::ToSql;

fn phrase(tokens: &[String], prefix: bool) -> String {
    let mut parts: Vec<String> = tokens.iter().map(|t| lexeme(t)).collect();
    if prefix && let Some(last) = parts.last_mut() {
        last.push_str(":*");
    }
    let joined = parts.join(" <-> ");
    if parts.len() > 1 { format!("({joined})") } else { joined }
}

fn word(tokens: &[String], amount: Option<rust_decimal::Decimal>) -> String {
    match amount {
        Some(amount) if tokens.len() > 1 => lexeme(&amount_marker(amount)),
        Some(amount) => format!("({} | {})", phrase(tokens, true), lexeme(&amount_marker(amount))),
        None => phrase(tokens, true),
    }
}

/// The tsquery for a query, or none when only the kind is asked for (a
/// walk of the index by sort key does that without the words).
pub fn tsquery(query: &SearchQuery) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(status) = &query.status {
        parts.push(lexeme(&marker("st_", status)));
    }
    if let Some(currency) = &query.currency {
        parts.push(lexeme(&marker("cur_", currency)));
    }
    if let Some(link) = &query.link {
        parts.push(lexeme(&marker("lnk_", link)));
    }
    for cmp in &query.amounts {
        if let AmountCmp::Eq(amount) = cmp {
            parts.push(lexeme(&amount_marker(*amount)));
        }
    }
    // A link and its payments carry the link's marker.
    if let Some(links) = query.case_links().filter(|links| !links.is_empty()) {
        let any: Vec<String> = links.iter().map(|id| lexeme(&marker("lnk_", id))).collect();
        parts.push(format!("({})", any.join(" | ")));
    }
    for term in &query.terms {
        parts.push(match term {
            Term::Word { tokens, amount } => word(tokens, *amount),
            Term::Phrase(tokens) => phrase(tokens, false),
            Term::Hash(hex) => format!("({}:* | {}:*)", lexeme(hex), lexeme(&format!("0x{hex}"))),
        });
    }
    (!parts.is_empty()).then(|| parts.join(" & "))
}

/// The SQL after `SELECT search.sort_key`, and its parameters. The kind is
/// the sort key's lowest bit; with no words, the kind's marker token is
/// left out (every row of the kind has it) and the primary key is walked.
pub fn from_where(query: &SearchQuery) -> (String, Vec<Box<dyn ToSql + Sync + Send>>) {
    from_where_over(query, " FROM search")
}

/// Rows a search first looks through, newest first, before it asks the
/// word index: a broad search finds its window (and 1,001 matches for its
/// count) among them; a narrow one falls through to the index, where it
/// is cheap. The planner cannot tell the two apart from PostgreSQL's
/// statistics (a prefix's frequency is a guess), so the search does.
pub const SLICE: i64 = 8_000;

/// As [`from_where`], over the newest [`SLICE`] rows of the date range only.
pub fn from_where_in_slice(query: &SearchQuery) -> (String, Vec<Box<dyn ToSql + Sync + Send>>) {
    let source = format!(
        " FROM (SELECT sort_key, doc FROM search WHERE sort_key BETWEEN $1 AND $2 \
         ORDER BY sort_key DESC LIMIT {SLICE}) AS search"
    );
    from_where_over(query, &source)
}

fn from_where_over(query: &SearchQuery, source: &str) -> (String, Vec<Box<dyn ToSql + Sync + Send>>) {
    let (low, high) = rows::key_range(query.from, query.created_until());
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(low), Box::new(high)];
    let ranges = query.amount_ranges();
    let mut sql = String::from(source);
    if !ranges.is_empty() {
        sql.push_str(" LEFT JOIN links ON links.sort_key = search.sort_key");
    }
    if !ranges.is_empty() || query.transactions_only() {
        sql.push_str(" LEFT JOIN transactions ON transactions.sort_key = search.sort_key");
    }
    sql.push_str(" WHERE search.sort_key BETWEEN $1 AND $2");
    if let Some(text) = tsquery(query) {
        params.push(Box::new(text));
        sql.push_str(&format!(" AND search.doc @@ ${}::text::tsquery", params.len()));
    }
    if query.case_links().is_some_and(|links| links.is_empty()) || query.contradicts {
        sql.push_str(" AND false");
    }
    let kinds = if query.transactions_only() { Kinds::Transactions } else { query.kinds };
    sql.push_str(match kinds {
        Kinds::Links => " AND (search.sort_key & 1) = 0",
        Kinds::Transactions => " AND (search.sort_key & 1) = 1",
        Kinds::Both => "",
    });
    for (op, key) in ranges {
        params.push(Box::new(key));
        sql.push_str(&format!(
            " AND coalesce(links.amount_key, transactions.amount_key) {op} (${}::text COLLATE \"C\")",
            params.len()
        ));
    }
    time_conditions(query, "transactions.", &mut sql, &mut params);
    (sql, params)
}

/// The confirmation and settlement ranges, as conditions on columns named
/// with `prefix`.
fn time_conditions(
    query: &SearchQuery,
    prefix: &str,
    sql: &mut String,
    params: &mut Vec<Box<dyn ToSql + Sync + Send>>,
) {
    for (column, low, high) in super::super::search::time_ranges(query) {
        params.push(Box::new(low));
        params.push(Box::new(high));
        sql.push_str(&format!(" AND {prefix}{column} BETWEEN ${} AND ${}", params.len() - 1, params.len()));
    }
}

/// A search of filters alone (a status or a currency, amounts, dates; one
/// kind, no words, no link): the SQL after `SELECT sort_key` over the
/// kind's own table, whose filter-token columns hold what the index's
/// marker tokens hold, so that an index walks it in key order.
pub fn filters_only(query: &SearchQuery) -> Option<(String, Vec<Box<dyn ToSql + Sync + Send>>)> {
    let table = match query.kinds {
        Kinds::Links => "links",
        Kinds::Transactions => "transactions",
        Kinds::Both => return None,
    };
    if !query.terms.is_empty()
        || query.link.is_some()
        || query.case.is_some()
        || (query.status.is_none() && query.currency.is_none())
    {
        return None;
    }
    if table == "links" && query.transactions_only() {
        return None;
    }
    let (low, high) = rows::key_range(query.from, query.created_until());
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(low), Box::new(high)];
    let mut sql = format!(" FROM {table} WHERE sort_key BETWEEN $1 AND $2");
    if let Some(status) = &query.status {
        params.push(Box::new(marker("st_", status)));
        sql.push_str(&format!(" AND status_token = ${}", params.len()));
    }
    if let Some(currency) = &query.currency {
        params.push(Box::new(marker("cur_", currency)));
        sql.push_str(&format!(" AND currency_token = ${}", params.len()));
    }
    for cmp in &query.amounts {
        let (op, amount) = cmp.parts();
        params.push(Box::new(rows::amount_key(amount)));
        sql.push_str(&format!(" AND amount_key {op} (${}::text COLLATE \"C\")", params.len()));
    }
    time_conditions(query, "", &mut sql, &mut params);
    Some((sql, params))
}

/// A tsvector literal from a document of space-separated tokens, with
/// their positions (phrases need them), as FTS5 indexes it.
pub fn tsvector(document: &str) -> String {
    let mut out = String::with_capacity(document.len() * 2);
    for (position, token) in document.split(' ').filter(|t| !t.is_empty()).enumerate().take(16_383) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&lexeme(token));
        out.push(':');
        out.push_str(&(position + 1).to_string());
    }
    out
}

/// A token as a quoted lexeme (tokens are letters, digits and `_`, but a
/// quote or backslash is escaped all the same).
pub fn lexeme(token: &str) -> String {
    format!("'{}'", token.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_becomes_positioned_lexemes() {
        assert_eq!(tsvector("k_link pl_8f order 1234"), "'k_link':1 'pl_8f':2 'order':3 '1234':4");
        assert_eq!(lexeme("it's\\"), "'it''s\\\\'");
        assert_eq!(tsvector(""), "");
    }

    #[test]
    fn every_token_is_a_quoted_lexeme() {
        let query = SearchQuery::parse("Order NEAR \"a b\" status:paid 75 pl_8f", Kinds::Links);
        assert_eq!(
            tsquery(&query).as_deref(),
            Some("'st_paid' & 'order':* & 'near':* & ('a' <-> 'b') & ('75':* | 'amt_75') & 'pl_8f':*")
        );
        assert_eq!(tsquery(&SearchQuery::everything(Kinds::Both)), None);
        let quote = SearchQuery::parse("o'brien & !x", Kinds::Both);
        assert_eq!(tsquery(&quote).as_deref(), Some("('o' <-> 'brien':*) & 'x':*"));
    }
}
