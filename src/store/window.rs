//! The panes' rows: a window of a list on the mirror around what is on
//! screen, keyset-paged by the list's sort (never OFFSET: the millionth
//! row costs what the first does), with its count. The SQL is written once
//! here and numbered by each backend; every sort is an index walk.
//!
//! A sort is a column and a direction. Each column sorts by a tuple that
//! ends with the unique sort key, so rows never tie and a row's place is
//! its cursor: the tuple's values, carried with the row.

use super::export::{Value, filter_parts};
use super::query::{Kinds, SearchQuery};
use super::rows::{self, Kind};
use crate::api::{PaymentLink, Transaction};

/// What a list may be sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SortColumn {
    #[default]
    Created,
    /// Amounts compare as numbers, within a currency first.
    Amount,
    Currency,
    Status,
    /// A link's description.
    Description,
    /// When a payment was credited (unsettled ones last, newest first).
    Settled,
    /// A payment's link.
    Link,
}

impl SortColumn {
    /// In the order of the tables' columns, left to right.
    pub const LINKS: &'static [SortColumn] =
        &[SortColumn::Amount, SortColumn::Currency, SortColumn::Status, SortColumn::Description, SortColumn::Created];
    pub const TRANSACTIONS: &'static [SortColumn] = &[
        SortColumn::Link,
        SortColumn::Amount,
        SortColumn::Currency,
        SortColumn::Status,
        SortColumn::Created,
        SortColumn::Settled,
    ];

    /// The columns a list of this kind sorts by, in the order `<` `>` step.
    pub fn of(kinds: Kinds) -> &'static [SortColumn] {
        match kinds {
            Kinds::Links => Self::LINKS,
            Kinds::Transactions | Kinds::Both => Self::TRANSACTIONS,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SortColumn::Created => "created",
            SortColumn::Amount => "amount",
            SortColumn::Currency => "currency",
            SortColumn::Status => "status",
            SortColumn::Description => "description",
            SortColumn::Settled => "settled",
            SortColumn::Link => "link",
        }
    }

    pub fn parse(text: &str) -> Option<SortColumn> {
        [
            SortColumn::Created,
            SortColumn::Amount,
            SortColumn::Currency,
            SortColumn::Status,
            SortColumn::Description,
            SortColumn::Settled,
            SortColumn::Link,
        ]
        .into_iter()
        .find(|column| column.name().eq_ignore_ascii_case(text.trim()))
    }

    /// The tuple it sorts by, ending with the sort key: each an SQL
    /// expression and whether it is text (text compares byte by byte on
    /// both backends).
    fn keys(self) -> &'static [(&'static str, bool)] {
        match self {
            SortColumn::Created => &[("sort_key", false)],
            SortColumn::Amount => &[("currency", true), ("amount_key", true), ("sort_key", false)],
            SortColumn::Currency => &[("currency", true), ("sort_key", false)],
            SortColumn::Status => &[("status", true), ("sort_key", false)],
            SortColumn::Description => &[("coalesce(description, '')", true), ("sort_key", false)],
            SortColumn::Settled => &[("coalesce(settled_at, 0)", false), ("sort_key", false)],
            SortColumn::Link => &[("coalesce(payment_link_id, '')", true), ("sort_key", false)],
        }
    }
}

/// A column and a direction. The default: newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { column: SortColumn::Created, descending: true }
    }
}

impl Sort {
    /// `amount desc`, `status`: a column and an optional direction; what
    /// goes wrong names the columns of `kinds`.
    pub fn parse(text: &str, kinds: Kinds) -> Result<Sort, String> {
        let columns: Vec<&str> = SortColumn::of(kinds).iter().map(|c| c.name()).collect();
        let mut words = text.split_whitespace();
        let refused = || format!("sort by one of: {} (and asc or desc)", columns.join(", "));
        let column = words.next().and_then(SortColumn::parse).filter(|c| SortColumn::of(kinds).contains(c));
        let Some(column) = column else { return Err(refused()) };
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None => Sort::usual(column).descending,
            Some("desc") => true,
            Some("asc") => false,
            Some(_) => return Err(refused()),
        };
        if words.next().is_some() {
            return Err(refused());
        }
        Ok(Sort { column, descending })
    }

    /// A column in its usual direction: times and amounts largest first,
    /// words from A.
    pub fn usual(column: SortColumn) -> Sort {
        let descending = matches!(column, SortColumn::Created | SortColumn::Amount | SortColumn::Settled);
        Sort { column, descending }
    }

    /// The sort as the config file and `:sort` take it: "amount desc".
    pub fn written(self) -> String {
        format!("{} {}", self.column.name(), if self.descending { "desc" } else { "asc" })
    }

    /// The sort in words: "newest first", "settled, oldest first",
    /// "amount ↓" (largest first), "status ↑" (A to Z).
    pub fn words(self) -> String {
        match (self.column, self.descending) {
            (SortColumn::Created, true) => "newest first".into(),
            (SortColumn::Created, false) => "oldest first".into(),
            (SortColumn::Settled, true) => "settled, newest first".into(),
            (SortColumn::Settled, false) => "settled, oldest first".into(),
            (column, descending) => format!("{} {}", column.name(), if descending { "↓" } else { "↑" }),
        }
    }

    /// Whether its column shows ages ("2h"), which run the other way from
    /// the times they sort by: newest first is youngest first.
    pub fn by_age(self) -> bool {
        matches!(self.column, SortColumn::Created | SortColumn::Settled)
    }
}

/// A list on the mirror: the rows a filter selects, in a sort order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Its kinds are links or transactions; its words are not used.
    pub filter: SearchQuery,
    pub sort: Sort,
}

/// A row's place in its list: the values of the sort's tuple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub Vec<Value>);

/// Where a window starts or ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// The list's first rows.
    First,
    /// Its last rows.
    Last,
    /// From this row on (it included).
    From(Cursor),
    /// The rows up to this one (it included).
    UpTo(Cursor),
}

/// A window asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowAsk {
    pub query: ListQuery,
    pub anchor: Anchor,
    pub limit: u32,
    /// Also count the list, and the rows before the window.
    pub count: bool,
}

/// A window of a list, in list order.
#[derive(Debug, Clone, PartialEq)]
pub struct Window<T> {
    pub rows: Vec<(Cursor, T)>,
    /// The rows the list holds, when counted.
    pub total: Option<u64>,
    /// The rows before the window's first, when counted or known.
    pub before: Option<u64>,
    /// Every row of the list's kind the mirror holds, whatever the filter,
    /// when counted: how far an on-demand mirror reaches.
    pub held: Option<u64>,
    pub more_before: bool,
    pub more_after: bool,
    /// What the table shows beside the rows: the description of each
    /// payment's link, by link id.
    pub about: std::collections::HashMap<String, String>,
}

/// A window of links or of transactions.
#[derive(Debug, Clone, PartialEq)]
pub enum Windowed {
    Links(Window<PaymentLink>),
    Transactions(Window<Transaction>),
}

/// The sort's tuple as SQL: text compares byte by byte (PostgreSQL's
/// default collation would not).
fn tuple(sort: Sort, postgres: bool) -> Vec<String> {
    sort.column
        .keys()
        .iter()
        .map(|(expression, text)| match (*text, postgres) {
            (true, true) => format!("({expression}) COLLATE \"C\""),
            _ => (*expression).to_string(),
        })
        .collect()
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The table of a list.
pub fn kind_of(query: &ListQuery) -> Kind {
    if query.filter.kinds == Kinds::Links { Kind::Link } else { Kind::Transaction }
}

/// Whether rows come "after" a cursor in list order by `>` (ascending) or `<`.
fn after(sort: Sort) -> &'static str {
    if sort.descending { "<" } else { ">" }
}

fn before(sort: Sort) -> &'static str {
    if sort.descending { ">" } else { "<" }
}

/// The SQL of a window (with `?` for each value, numbered by the backend):
/// the row's columns, then its cursor's; the values; and whether the rows
/// come back in reverse list order (to be turned round).
pub fn window_sql(ask: &WindowAsk, postgres: bool) -> (Kind, String, Vec<Value>, bool) {
    let query = &ask.query;
    let (kind, filter, mut values) = filter_parts(&query.filter, postgres);
    let (table, row_columns) = match kind {
        Kind::Link => ("links", rows::LINK_COLUMNS),
        Kind::Transaction => ("transactions", rows::TRANSACTION_COLUMNS),
    };
    let tuple = tuple(query.sort, postgres);
    let keys = tuple.join(", ");
    let mut sql = format!("SELECT {row_columns}, {keys} FROM {table}{filter}");
    let (comparison, reverse) = match &ask.anchor {
        Anchor::First => (None, false),
        Anchor::Last => (None, true),
        Anchor::From(cursor) => (Some((format!("{}=", after(query.sort)), cursor)), false),
        Anchor::UpTo(cursor) => (Some((format!("{}=", before(query.sort)), cursor)), true),
    };
    if let Some((op, cursor)) = comparison {
        sql.push_str(&format!(" AND ({keys}) {op} ({})", placeholders(cursor.0.len())));
        values.extend(cursor.0.iter().cloned());
    }
    let descending = query.sort.descending != reverse;
    let direction = if descending { "DESC" } else { "ASC" };
    let order: Vec<String> = tuple.iter().map(|key| format!("{key} {direction}")).collect();
    sql.push_str(&format!(" ORDER BY {} LIMIT {}", order.join(", "), ask.limit.saturating_add(1)));
    (kind, sql, values, reverse)
}

/// The SQL that counts a list's rows, or only those before `first` in list
/// order. Those are counted a prefix of the tuple at a time, each an index
/// range (`k1 < a`, then `k1 = a AND k2 < b`, …): neither backend walks an
/// expression index for a comparison of whole tuples, and a count deep in
/// a list would read the table.
pub fn count_sql(query: &ListQuery, first: Option<&Cursor>, postgres: bool) -> (String, Vec<Value>) {
    if first.is_none()
        && let Some(total) = total_sql(query)
    {
        return total;
    }
    let (kind, filter, values) = filter_parts(&query.filter, postgres);
    let table = if kind == Kind::Link { "links" } else { "transactions" };
    let count = format!("SELECT count(*) FROM {table}{filter}");
    let Some(cursor) = first else { return (count, values) };
    let keys = tuple(query.sort, postgres);
    let mut terms = Vec::new();
    let mut all = Vec::new();
    for (at, key) in keys.iter().enumerate() {
        let mut term = format!("({count}");
        all.extend(values.iter().cloned());
        for (equal, value) in keys.iter().zip(&cursor.0).take(at) {
            term.push_str(&format!(" AND {equal} = ?"));
            all.push(value.clone());
        }
        term.push_str(&format!(" AND {key} {} ?)", before(query.sort)));
        all.extend(cursor.0.get(at).cloned());
        terms.push(term);
    }
    (format!("SELECT {}", terms.join(" + ")), all)
}

/// The SQL that counts every row of a filtered list's kind (`Window::held`),
/// from the kept totals; `None` when the list is its whole kind already.
pub fn held_sql(query: &ListQuery) -> Option<(String, Vec<Value>)> {
    let whole = SearchQuery::everything(query.filter.kinds);
    if query.filter == whole {
        return None;
    }
    total_sql(&ListQuery { filter: whole, sort: query.sort })
}

/// The SQL that reads a whole list's count from the totals kept as rows
/// are written (`list_totals`), when its filter is one they hold: none, a
/// status, a currency.
fn total_sql(query: &ListQuery) -> Option<(String, Vec<Value>)> {
    let filter = &query.filter;
    let kept = filter.link.is_none()
        && filter.amounts.is_empty()
        && filter.from.is_none()
        && filter.to.is_none()
        && filter.confirmed.is_none()
        && filter.settled.is_none()
        && filter.case.is_none()
        && filter.ids.is_none()
        && filter.terms.is_empty()
        && !filter.contradicts;
    if !kept {
        return None;
    }
    let list = if kind_of(query) == Kind::Link { "links" } else { "transactions" };
    let mut sql = String::from("SELECT CAST(coalesce(sum(count), 0) AS BIGINT) FROM list_totals WHERE list = ?");
    let mut values = vec![Value::Text(list.into())];
    super::export::status_and_currency(filter, &mut sql, &mut values);
    Some((sql, values))
}

/// Whether the cursor values of a sort are text, in order.
pub fn cursor_types(sort: Sort) -> Vec<bool> {
    sort.column.keys().iter().map(|(_, text)| *text).collect()
}

/// Puts a window's rows in list order and says what lies beyond them,
/// from the `limit + 1` rows read.
pub fn finish<T>(mut rows: Vec<(Cursor, T)>, ask: &WindowAsk, reversed: bool) -> Window<T> {
    let limit = ask.limit as usize;
    let more = rows.len() > limit;
    rows.truncate(limit);
    if reversed {
        rows.reverse();
    }
    let (more_before, more_after) = match &ask.anchor {
        Anchor::First => (false, more),
        Anchor::From(_) => (true, more),
        Anchor::Last => (more, false),
        Anchor::UpTo(_) => (more, true),
    };
    let before = match ask.anchor {
        Anchor::First => Some(0),
        _ => None,
    };
    Window { rows, total: None, before, more_before, more_after, held: None, about: Default::default() }
}

/// The SQL that reads the descriptions of a window's payments' links
/// (`Window::about`): each a link id and its description.
pub fn descriptions_sql(window: &Window<Transaction>) -> Option<(String, Vec<Value>)> {
    let mut ids: Vec<&str> = window.rows.iter().filter_map(|(_, txn)| txn.payment_link_id.as_deref()).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return None;
    }
    let sql = format!(
        "SELECT id, description FROM links WHERE description IS NOT NULL AND id IN ({})",
        placeholders(ids.len())
    );
    Some((sql, ids.into_iter().map(|id| Value::Text(id.to_string())).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_are_read_and_refused_naming_the_columns() {
        let read = |text: &str| Sort::parse(text, Kinds::Transactions);
        assert_eq!(read("amount desc"), Ok(Sort { column: SortColumn::Amount, descending: true }));
        assert_eq!(read("Status"), Ok(Sort { column: SortColumn::Status, descending: false }));
        assert_eq!(read("settled asc"), Ok(Sort { column: SortColumn::Settled, descending: false }));
        let refused = read("colour");
        assert_eq!(
            refused,
            Err("sort by one of: link, amount, currency, status, created, settled (and asc or desc)".into())
        );
        assert!(Sort::parse("description", Kinds::Links).is_ok());
        assert!(read("description").is_err(), "payments have no description");
        assert!(read("amount sideways").is_err());
    }

    #[test]
    fn a_window_is_a_keyset_never_an_offset() {
        let query = ListQuery {
            filter: SearchQuery::everything(Kinds::Transactions),
            sort: Sort { column: SortColumn::Amount, descending: true },
        };
        let cursor = Cursor(vec![Value::Text("USDT".into()), Value::Text("x".into()), Value::Int(7)]);
        let ask = WindowAsk { query, anchor: Anchor::From(cursor), limit: 150, count: false };
        let (_, sql, values, reversed) = window_sql(&ask, false);
        assert!(sql.contains("(currency, amount_key, sort_key) <= (?, ?, ?)"), "{sql}");
        assert!(sql.ends_with("ORDER BY currency DESC, amount_key DESC, sort_key DESC LIMIT 151"), "{sql}");
        assert!(!sql.to_uppercase().contains("OFFSET"));
        assert_eq!((values.len(), reversed), (5, false), "the filter's two, the cursor's three");
        let (_, pg, _, _) = window_sql(&ask, true);
        assert!(pg.contains("(currency) COLLATE \"C\""), "{pg}");
    }
}
