//! Search on SQLite: a [`SearchQuery`] becomes one FTS5 expression, in
//! which every token is quoted (so nothing the agent types is ever syntax),
//! plus a rowid range for dates and a join for amount ranges. Results come
//! newest first straight from the index (rowids are sort keys), a window at
//! a time, with a count capped so that a broad search stays fast.

use super::super::query::{AmountCmp, Kinds, SearchQuery, Term};
use super::super::rows::{self, Kind};
use super::super::search::{COUNT_CAP, SearchHit, SearchPage, time_ranges};
use super::super::tokens::{self, amount_marker, marker};
use super::rows::{link_from_row, transaction_from_row};
use rusqlite::{Connection, ToSql};

fn quoted(tokens: &[String]) -> String {
    // Tokens are letters, digits and `_` only: no quote can be inside.
    format!("\"{}\"", tokens.join(" "))
}

/// A word's expression: a prefix match on its tokens (results narrow as
/// the agent types); a whole number also matches that amount exactly (so
/// `75` finds 75.00). A number with a decimal point is an amount and
/// nothing else: one exact token, however large the account.
fn word_expression(tokens: &[String], amount: Option<rust_decimal::Decimal>) -> String {
    let text = format!("{}*", quoted(tokens));
    match amount {
        Some(amount) if tokens.len() > 1 => format!("\"{}\"", amount_marker(amount)),
        Some(amount) => format!("({text} OR \"{}\")", amount_marker(amount)),
        None => text,
    }
}

/// The FTS5 expression for a query. The kind is checked by the sort key's
/// lowest bit (see [`kind_check`]) rather than by a token that every row
/// has, except when there is nothing else to match.
pub fn match_expression(query: &SearchQuery) -> String {
    let mut parts = Vec::new();
    if let Some(status) = &query.status {
        parts.push(format!("\"{}\"", marker("st_", status)));
    }
    if let Some(currency) = &query.currency {
        parts.push(format!("\"{}\"", marker("cur_", currency)));
    }
    if let Some(link) = &query.link {
        parts.push(format!("\"{}\"", marker("lnk_", link)));
    }
    for cmp in &query.amounts {
        if let AmountCmp::Eq(amount) = cmp {
            parts.push(format!("\"{}\"", amount_marker(*amount)));
        }
    }
    // A link and its payments carry the link's marker.
    if let Some(links) = query.case_links().filter(|links| !links.is_empty()) {
        let any: Vec<String> = links.iter().map(|id| format!("\"{}\"", marker("lnk_", id))).collect();
        parts.push(format!("({})", any.join(" OR ")));
    }
    for term in &query.terms {
        parts.push(match term {
            Term::Word { tokens, amount } => word_expression(tokens, *amount),
            Term::Phrase(tokens) => quoted(tokens),
            // Hex digits only: nothing in it can be FTS5 syntax.
            Term::Hash(hex) => format!("(\"{hex}\"* OR \"0x{hex}\"*)"),
        });
    }
    if parts.is_empty() {
        parts.push(match query.kinds {
            Kinds::Links => format!("\"{}\"", tokens::LINK_KIND),
            Kinds::Transactions => format!("\"{}\"", tokens::TRANSACTION_KIND),
            Kinds::Both => format!("(\"{}\" OR \"{}\")", tokens::LINK_KIND, tokens::TRANSACTION_KIND),
        });
    }
    parts.join(" AND ")
}

/// The SQL that keeps one kind: links have even sort keys, transactions odd.
fn kind_check(kinds: Kinds) -> &'static str {
    match kinds {
        Kinds::Links => " AND (search.rowid & 1) = 0",
        Kinds::Transactions => " AND (search.rowid & 1) = 1",
        Kinds::Both => "",
    }
}

/// The SQL after `SELECT search.rowid`, and its parameters.
pub(super) fn from_where(query: &SearchQuery) -> (String, Vec<Box<dyn ToSql>>) {
    let ranges = query.amount_ranges();
    let (low, high) = rows::key_range(query.from, query.created_until());
    let mut sql = String::from(" FROM search");
    if !ranges.is_empty() {
        sql.push_str(" LEFT JOIN links ON links.sort_key = search.rowid");
    }
    if !ranges.is_empty() || query.transactions_only() {
        sql.push_str(" LEFT JOIN transactions ON transactions.sort_key = search.rowid");
    }
    sql.push_str(" WHERE search MATCH ?1 AND search.rowid BETWEEN ?2 AND ?3");
    sql.push_str(kind_check(if query.transactions_only() { Kinds::Transactions } else { query.kinds }));
    if query.case_links().is_some_and(|links| links.is_empty()) || query.contradicts {
        sql.push_str(" AND 1 = 0");
    }
    let mut params: Vec<Box<dyn ToSql>> = vec![Box::new(match_expression(query)), Box::new(low), Box::new(high)];
    for (op, key) in ranges {
        params.push(Box::new(key));
        sql.push_str(&format!(" AND coalesce(links.amount_key, transactions.amount_key) {op} ?{}", params.len()));
    }
    for (column, low, high) in time_ranges(query) {
        params.push(Box::new(low));
        params.push(Box::new(high));
        sql.push_str(&format!(" AND transactions.{column} BETWEEN ?{} AND ?{}", params.len() - 1, params.len()));
    }
    (sql, params)
}

/// Rows `offset..offset + limit` of what the query matches, newest first,
/// and the (capped) count.
pub fn search(conn: &Connection, query: &SearchQuery, offset: u64, limit: u32) -> rusqlite::Result<SearchPage> {
    let (from_where, mut params) = from_where(query);
    let count_sql = format!("SELECT count(*) FROM (SELECT search.rowid{from_where} LIMIT {})", COUNT_CAP + 1);
    let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
    let counted: i64 = conn.prepare_cached(&count_sql)?.query_row(refs.as_slice(), |row| row.get(0))?;
    let counted = u64::try_from(counted).unwrap_or(0);
    params.push(Box::new(i64::from(limit)));
    params.push(Box::new(i64::try_from(offset).unwrap_or(i64::MAX)));
    let window_sql = format!(
        "SELECT search.rowid{from_where} ORDER BY search.rowid DESC LIMIT ?{} OFFSET ?{}",
        params.len() - 1,
        params.len()
    );
    let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
    let keys: Vec<i64> =
        conn.prepare_cached(&window_sql)?.query_map(refs.as_slice(), |row| row.get(0))?.collect::<Result<_, _>>()?;
    let mut hits = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(hit) = hit(conn, key)? {
            hits.push(hit);
        }
    }
    Ok(SearchPage { total: counted.min(COUNT_CAP), capped: counted > COUNT_CAP, offset, hits })
}

/// The row behind a sort key.
pub(super) fn hit(conn: &Connection, key: i64) -> rusqlite::Result<Option<SearchHit>> {
    use rusqlite::OptionalExtension;
    match Kind::of(key) {
        Kind::Link => {
            let sql = format!("SELECT {} FROM links WHERE sort_key = ?1", rows::LINK_COLUMNS);
            conn.prepare_cached(&sql)?.query_row([key], link_from_row).optional().map(|l| l.map(SearchHit::Link))
        }
        Kind::Transaction => {
            let sql = format!("SELECT {} FROM transactions WHERE sort_key = ?1", rows::TRANSACTION_COLUMNS);
            conn.prepare_cached(&sql)?
                .query_row([key], transaction_from_row)
                .optional()
                .map(|t| t.map(SearchHit::Transaction))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_match_but_a_kind_matches_every_row_of_it() {
        assert_eq!(match_expression(&SearchQuery::everything(Kinds::Links)), "\"k_link\"");
        assert_eq!(match_expression(&SearchQuery::everything(Kinds::Both)), "(\"k_link\" OR \"k_txn\")");
    }

    #[test]
    fn every_token_is_quoted() {
        let query = SearchQuery::parse("Order NEAR \"a\" -b status:paid 75 pl_8f", Kinds::Links);
        assert_eq!(
            match_expression(&query),
            "\"st_paid\" AND \"order\"* AND \"near\"* AND \"a\" AND \"b\"* AND (\"75\"* OR \"amt_75\") AND \"pl_8f\"*"
        );
    }
}
