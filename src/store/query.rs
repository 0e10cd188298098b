//! The search syntax, parsed into plain data: free words, quoted phrases
//! and field filters (`status:paid`, `currency:USDT`, `amount:>=100`,
//! `amount:75`, `from:2024-01-15`, `to:…`, `created:…`, `confirmed:…`,
//! `settled:2026-11-01..2026-11-30`, `link:pl_…`, `case:underpaid`). Dates
//! are read in the agent's zone ([`crate::date_arg`]). Anything else is plain text: FTS
//! operators, quotes that do not close, SQL, control characters. The app
//! builds a [`SearchQuery`] from what the agent types; each store backend
//! turns it into its own query.

use super::cases::Handled;
use super::tokens::tokenize;
use crate::cases::{CaseKind, CaseRules};
use crate::date_arg::{self, Bound};
use crate::zone::Zone;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Which kinds of rows a search covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kinds {
    Links,
    Transactions,
    Both,
}

/// A comparison with an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountCmp {
    Eq(Decimal),
    Ge(Decimal),
    Gt(Decimal),
    Le(Decimal),
    Lt(Decimal),
}

impl AmountCmp {
    /// The comparison as an SQL operator, and its amount.
    pub fn parts(&self) -> (&'static str, Decimal) {
        match *self {
            AmountCmp::Eq(a) => ("=", a),
            AmountCmp::Ge(a) => (">=", a),
            AmountCmp::Gt(a) => (">", a),
            AmountCmp::Le(a) => ("<=", a),
            AmountCmp::Lt(a) => ("<", a),
        }
    }
}

impl SearchQuery {
    /// The amount ranges (not the exact amounts, which are index tokens):
    /// operator and fixed-width amount key, for either backend's SQL.
    pub fn amount_ranges(&self) -> Vec<(&'static str, String)> {
        self.amounts
            .iter()
            .filter(|cmp| !matches!(cmp, AmountCmp::Eq(_)))
            .map(|cmp| {
                let (op, amount) = cmp.parts();
                (op, super::rows::amount_key(amount))
            })
            .collect()
    }
}

/// One free term: a word (matched as a prefix) or a quoted phrase (exact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// The word's tokens; its last token matches as a prefix. A word that
    /// reads as an amount also matches that amount exactly.
    Word {
        tokens: Vec<String>,
        amount: Option<Decimal>,
    },
    Phrase(Vec<String>),
    /// A transaction hash (16 or more hex digits), lower case without its
    /// `0x`: it matches with or without one, as pasted from an explorer.
    Hash(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub kinds: Kinds,
    pub terms: Vec<Term>,
    pub status: Option<String>,
    pub currency: Option<String>,
    pub link: Option<String>,
    pub amounts: Vec<AmountCmp>,
    /// Created from / to (both ends inclusive, to the second).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Transactions confirmed / settled in these ranges (inclusive).
    pub confirmed: Option<TimeRange>,
    pub settled: Option<TimeRange>,
    /// Links with a case, and their payments.
    pub case: Option<Box<CaseFilter>>,
    /// Only these rows, by id (the rows an agent marked): a filter for the
    /// mirror only; PIK lists cannot say it.
    pub ids: Option<Vec<String>>,
    /// Filters typed that could not be read, each in words saying what to
    /// type instead ("from: use a date like 2026-11-29, yesterday or 7d").
    pub problems: Vec<String>,
    /// Two queries joined ask one field for two values (`status:active`
    /// and `status:paid`): no row matches.
    pub contradicts: bool,
}

/// Most links a `case:` filter holds: each is a term of the query.
pub const MAX_CASE_LINKS: usize = 5_000;

/// `case:underpaid`, `case:any`: the orders with such a case now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    /// One kind, or any.
    pub kind: Option<CaseKind>,
    /// Open cases (`case:any`, a kind), or resolved ones (`case:resolved`).
    pub handled: Handled,
    pub rules: CaseRules,
    pub now: DateTime<Utc>,
    /// The links that have such a case: a case is judged with the clock and
    /// the rules, so the store finds them before the query runs.
    pub links: Option<Vec<String>>,
}

/// From / to, both ends inclusive (to the second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Which of a transaction's times a date filter applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DateField {
    #[default]
    Created,
    Confirmed,
    Settled,
}

impl DateField {
    pub const ALL: [DateField; 3] = [DateField::Created, DateField::Confirmed, DateField::Settled];

    pub fn as_str(self) -> &'static str {
        match self {
            DateField::Created => "created",
            DateField::Confirmed => "confirmed",
            DateField::Settled => "settled",
        }
    }

    pub fn parse(text: &str) -> Option<DateField> {
        DateField::ALL.into_iter().find(|field| field.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// What a typed query is read with: the agent's zone and today (for
/// dates), and the case rules (for `case:`).
#[derive(Debug, Clone, Copy)]
pub struct Reading<'a> {
    pub zone: &'a Zone,
    pub now: DateTime<Utc>,
    pub cases: &'a CaseRules,
}

/// Longest query text read; the rest is ignored (a 10,000-character paste
/// must not become a 10,000-term query).
pub const MAX_QUERY_CHARS: usize = 500;
/// Most terms used; more add nothing a person meant.
const MAX_TERMS: usize = 16;

impl SearchQuery {
    pub fn everything(kinds: Kinds) -> Self {
        SearchQuery {
            kinds,
            terms: Vec::new(),
            status: None,
            currency: None,
            link: None,
            amounts: Vec::new(),
            from: None,
            to: None,
            confirmed: None,
            settled: None,
            case: None,
            ids: None,
            problems: Vec::new(),
            contradicts: false,
        }
    }

    /// This query and `other` together: a row must match both. One field
    /// given two values matches no row; of two date ranges, what both
    /// cover; words, amounts and marked rows add up.
    pub fn and(&self, other: SearchQuery) -> SearchQuery {
        let mut both = self.clone();
        let mut contradicts = other.contradicts;
        let mut one = |mine: &mut Option<String>, theirs: Option<String>| match (mine.as_deref(), theirs) {
            (_, None) => {}
            (None, theirs) => *mine = theirs,
            (Some(m), Some(t)) => contradicts |= !m.eq_ignore_ascii_case(&t),
        };
        one(&mut both.status, other.status);
        one(&mut both.currency, other.currency);
        one(&mut both.link, other.link);
        let later = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| a.max(b);
        let earlier = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        both.from = later(both.from, other.from);
        both.to = earlier(both.to, other.to);
        let range = |a: Option<TimeRange>, b: Option<TimeRange>| match (a, b) {
            (Some(a), Some(b)) => Some(TimeRange { from: later(a.from, b.from), to: earlier(a.to, b.to) }),
            (a, b) => a.or(b),
        };
        both.confirmed = range(both.confirmed, other.confirmed);
        both.settled = range(both.settled, other.settled);
        both.terms.extend(other.terms);
        both.amounts.extend(other.amounts);
        both.problems.extend(other.problems);
        both.ids = match (both.ids, other.ids) {
            (Some(mine), Some(theirs)) => Some(mine.into_iter().filter(|id| theirs.contains(id)).collect()),
            (mine, theirs) => mine.or(theirs),
        };
        match (&both.case, other.case) {
            (_, None) => {}
            (None, theirs) => both.case = theirs,
            (Some(mine), Some(theirs)) => contradicts |= mine.kind != theirs.kind || mine.handled != theirs.handled,
        }
        both.contradicts |= contradicts;
        both
    }

    /// Sets a date range on one of a transaction's times.
    pub fn set_dates(&mut self, field: DateField, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) {
        let range = (from.is_some() || to.is_some()).then_some(TimeRange { from, to });
        match field {
            DateField::Created => (self.from, self.to) = (from, to),
            DateField::Confirmed => self.confirmed = range,
            DateField::Settled => self.settled = range,
        }
    }

    /// The newest creation a row may have: a payment is confirmed and
    /// settled after it was created, so the ends of those ranges bound it
    /// too (a search for yesterday's settlements reads nothing newer).
    pub fn created_until(&self) -> Option<DateTime<Utc>> {
        [self.to, self.confirmed.and_then(|r| r.to), self.settled.and_then(|r| r.to)].into_iter().flatten().min()
    }

    /// Whether a filter on a transaction's confirmation or settlement time
    /// leaves links out.
    pub fn transactions_only(&self) -> bool {
        self.confirmed.is_some() || self.settled.is_some()
    }

    /// Reads what the agent typed, with dates in UTC and today from the
    /// clock: for tests.
    #[cfg(any(test, feature = "test-support"))]
    pub fn parse(text: &str, kinds: Kinds) -> SearchQuery {
        SearchQuery::parse_in(
            text,
            kinds,
            Reading { zone: &Zone::utc(), now: Utc::now(), cases: &CaseRules::default() },
        )
    }

    /// Reads what the agent typed, dates in the agent's zone. Never fails:
    /// what is not a filter is text.
    pub fn parse_in(text: &str, kinds: Kinds, reading: Reading<'_>) -> SearchQuery {
        let mut query = SearchQuery::everything(kinds);
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        for piece in split(&text) {
            if query.terms.len() >= MAX_TERMS {
                break;
            }
            match piece {
                Piece::Quoted(phrase) => {
                    let tokens = tokenize(&phrase);
                    if !tokens.is_empty() {
                        query.terms.push(Term::Phrase(tokens));
                    }
                }
                Piece::Bare(word) => match query.filter(&word, reading) {
                    Ok(true) => {}
                    Ok(false) => query.word(&word),
                    Err(problem) => query.problems.push(problem),
                },
            }
        }
        query.amount_in_currency();
        query
    }

    fn word(&mut self, word: &str) {
        let hex = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")).unwrap_or(word);
        if hex.len() >= 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            self.terms.push(Term::Hash(hex.to_ascii_lowercase()));
            return;
        }
        let tokens = tokenize(word);
        if tokens.is_empty() {
            return;
        }
        let amount = parse_amount(word);
        self.terms.push(Term::Word { tokens, amount });
    }

    /// `75 usdt`, `usdt 75`: a bare amount beside a currency code is both
    /// filters, as an agent reading "I sent 75 USDT" types it.
    fn amount_in_currency(&mut self) {
        if self.currency.is_some() {
            return;
        }
        let currency = self.terms.iter().position(|term| {
            matches!(term, Term::Word { tokens, amount: None }
                if tokens.len() == 1 && crate::money::currency_rule(&tokens[0].to_ascii_uppercase()).is_some())
        });
        let amount = self.terms.iter().position(|term| matches!(term, Term::Word { amount: Some(_), .. }));
        let (Some(currency), Some(amount)) = (currency, amount) else { return };
        if let (Term::Word { tokens, .. }, Term::Word { amount: Some(value), .. }) =
            (&self.terms[currency], &self.terms[amount])
        {
            self.currency = Some(tokens[0].to_ascii_uppercase());
            self.amounts.push(AmountCmp::Eq(*value));
        }
        for at in [currency.max(amount), currency.min(amount)] {
            self.terms.remove(at);
        }
    }

    /// Applies `field:value`: Ok(true) when it was a filter, Ok(false) when
    /// it is text, and what to type instead when a filter's value cannot be
    /// read (it is never searched for as text: that would find nothing,
    /// silently).
    fn filter(&mut self, word: &str, reading: Reading<'_>) -> Result<bool, String> {
        let Some((field, value)) = word.split_once(':') else { return Ok(false) };
        let value = value.trim();
        let field = field.to_ascii_lowercase();
        if value.is_empty() {
            return Ok(false);
        }
        let date = |what: &str| format!("{what}: use a date like 2026-11-29, yesterday or 7d");
        match field.as_str() {
            "status" => self.status = Some(value.to_ascii_lowercase()),
            "currency" => self.currency = Some(value.to_ascii_uppercase()),
            "link" => self.link = Some(value.to_string()),
            "from" => match date_arg::parse(value, Bound::Start, reading.zone, reading.now) {
                Some(from) => self.from = Some(from),
                None => return Err(date("from")),
            },
            "to" => match date_arg::parse(value, Bound::End, reading.zone, reading.now) {
                Some(to) => self.to = Some(to),
                None => return Err(date("to")),
            },
            name @ ("created" | "confirmed" | "settled") => match date_arg::range(value, reading.zone, reading.now) {
                Some((from, to)) => self.set_dates(DateField::parse(name).unwrap_or_default(), Some(from), Some(to)),
                None => return Err(format!("{}, or a range like 2026-11-01..2026-11-30", date(name))),
            },
            "amount" => match parse_comparison(value) {
                Some(cmp) => self.amounts.push(cmp),
                None => return Err("amount: use a number like 75, or a range like >=100 or <1".into()),
            },
            "case" => {
                let (kind, handled) = match value.to_ascii_lowercase().as_str() {
                    "any" | "all" => (None, Handled::Open),
                    "resolved" => (None, Handled::Resolved),
                    name => match CaseKind::parse(name) {
                        Some(kind) => (Some(kind), Handled::Open),
                        None => return Err(format!("case: use one of {}, resolved, or any", CaseKind::names())),
                    },
                };
                let (rules, now) = (reading.cases.clone(), reading.now);
                self.case = Some(Box::new(CaseFilter { kind, handled, rules, now, links: None }));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The links a `case:` filter keeps, once the store has found them; with
    /// a filter not yet resolved, none (nothing passes rather than all).
    pub fn case_links(&self) -> Option<&[String]> {
        self.case.as_ref().map(|filter| filter.links.as_deref().unwrap_or(&[]))
    }

    /// Whether it would list every row of its kinds, newest first.
    pub fn is_everything(&self) -> bool {
        *self == SearchQuery::everything(self.kinds)
    }
}

fn parse_amount(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let ok = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|b| *b == b'.').count() <= 1
        && !text.starts_with('.')
        && !text.ends_with('.')
        && text.len() <= 30;
    if !ok {
        return None;
    }
    Decimal::from_str_exact(text).ok()
}

fn parse_comparison(value: &str) -> Option<AmountCmp> {
    let (op, number) = ["<=", ">=", "<", ">", "="]
        .iter()
        .find_map(|op| value.strip_prefix(op).map(|rest| (*op, rest)))
        .unwrap_or(("=", value));
    let amount = parse_amount(number)?;
    Some(match op {
        "<=" => AmountCmp::Le(amount),
        ">=" => AmountCmp::Ge(amount),
        "<" => AmountCmp::Lt(amount),
        ">" => AmountCmp::Gt(amount),
        _ => AmountCmp::Eq(amount),
    })
}

enum Piece {
    Bare(String),
    Quoted(String),
}

/// Splits on whitespace, keeping "quoted phrases" together. A quote that
/// does not close quotes the rest; quotes inside a word are just characters.
fn split(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c.is_control() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let phrase: String = chars.by_ref().take_while(|c| *c != '"').collect();
            pieces.push(Piece::Quoted(phrase));
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c.is_control() {
                break;
            }
            word.push(c);
            chars.next();
        }
        pieces.push(Piece::Bare(word));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> SearchQuery {
        SearchQuery::parse(text, Kinds::Both)
    }

    fn word(tokens: &[&str], amount: Option<&str>) -> Term {
        Term::Word {
            tokens: tokens.iter().map(|t| t.to_string()).collect(),
            amount: amount.and_then(|a| Decimal::from_str_exact(a).ok()),
        }
    }

    #[test]
    fn words_phrases_and_filters() {
        let query = q("Order \"Order #1234\" status:PAID currency:usdt amount:>=100 link:pl_abc from:2024-01-15");
        assert_eq!(query.terms, [word(&["order"], None), Term::Phrase(vec!["order".into(), "1234".into()])]);
        assert_eq!(query.status.as_deref(), Some("paid"));
        assert_eq!(query.currency.as_deref(), Some("USDT"));
        assert_eq!(query.link.as_deref(), Some("pl_abc"));
        assert_eq!(query.amounts, [AmountCmp::Ge(Decimal::from(100))]);
        assert_eq!(query.from.map(|t| t.to_rfc3339()).as_deref(), Some("2024-01-15T00:00:00+00:00"));
        assert_eq!(q("75").terms, [word(&["75"], Some("75"))]);
        assert_eq!(q("amount:75").amounts, [AmountCmp::Eq(Decimal::from(75))]);
        assert_eq!(q("0x9F3C").terms, [word(&["0x9f3c"], None)]);
        assert_eq!(q("pl_8f2").terms, [word(&["pl_8f2"], None)]);
    }

    #[test]
    fn case_filters_name_a_kind_or_any() {
        let kind = |text: &str| q(text).case.map(|filter| filter.kind);
        assert_eq!(kind("case:underpaid"), Some(Some(CaseKind::Underpaid)));
        assert_eq!(kind("case:paid_twice"), Some(Some(CaseKind::PaidTwice)));
        assert_eq!(kind("CASE:Stuck"), Some(Some(CaseKind::StuckPending)));
        assert_eq!(kind("case:any"), Some(None));
        let handled = |text: &str| q(text).case.map(|filter| filter.handled);
        assert_eq!(handled("case:resolved"), Some(Handled::Resolved));
        assert_eq!(handled("case:underpaid"), Some(Handled::Open));
        let unknown = q("case:lost order");
        assert_eq!(unknown.case, None);
        assert_eq!(unknown.problems, [format!("case: use one of {}, resolved, or any", CaseKind::names())]);
        // Found by the store, never assumed: a filter not yet resolved passes nothing.
        assert_eq!(q("case:underpaid").case_links(), Some(&[][..]));
    }

    #[test]
    fn date_filters_are_local_days_of_the_agents_zone_on_the_time_named() {
        let Some(berlin) = Zone::bundled("Europe/Berlin") else { panic!("Berlin") };
        let now = DateTime::parse_from_rfc3339("2026-11-30T13:00:00Z").map(|t| t.with_timezone(&Utc)).ok();
        let Some(now) = now else { panic!("now") };
        let parse = |text: &str| {
            SearchQuery::parse_in(text, Kinds::Both, Reading { zone: &berlin, now, cases: &CaseRules::default() })
        };
        let shown =
            |range: Option<TimeRange>| range.map(|r| (r.from.map(|t| t.to_rfc3339()), r.to.map(|t| t.to_rfc3339())));
        let day = |from: &str, to: &str| Some((Some(from.to_string()), Some(to.to_string())));
        let settled = parse("settled:2026-11-29");
        assert_eq!(shown(settled.settled), day("2026-11-28T23:00:00+00:00", "2026-11-29T22:59:59+00:00"));
        assert!(settled.transactions_only() && settled.from.is_none());
        assert_eq!(settled.created_until().map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-29T22:59:59+00:00"));
        let month = parse("settled:2026-11-01..2026-11-30 status:settled");
        assert_eq!(shown(month.settled), day("2026-10-31T23:00:00+00:00", "2026-11-30T22:59:59+00:00"));
        // October's last Sunday has 25 hours: its end is in winter time.
        assert_eq!(
            shown(parse("confirmed:2026-10-25").confirmed),
            day("2026-10-24T22:00:00+00:00", "2026-10-25T22:59:59+00:00")
        );
        assert_eq!(shown(parse("settled:yesterday").settled), shown(settled.settled));
        let created = parse("created:7d");
        assert_eq!(
            (created.from.map(|t| t.to_rfc3339()), created.settled),
            (Some("2026-11-23T23:00:00+00:00".into()), None)
        );
        assert_eq!(parse("from:2026-10").from.map(|t| t.to_rfc3339()).as_deref(), Some("2026-09-30T22:00:00+00:00"));
    }

    #[test]
    fn searches_as_agents_type_them() {
        // An amount beside a currency code is both filters, either way round.
        for text in ["75 usdt", "usdt 75", "USDT 75.00"] {
            let query = q(text);
            assert_eq!(query.currency.as_deref(), Some("USDT"), "{text:?}");
            assert_eq!(query.amounts, [AmountCmp::Eq(Decimal::from(75))], "{text:?}");
            assert!(query.terms.is_empty(), "{text:?}: {:?}", query.terms);
        }
        // Not a known currency, or no amount: words as before.
        assert_eq!(q("75 apples").currency, None);
        assert_eq!(q("order usdt").terms.len(), 2);
        // A hash with or without its 0x.
        let hash = "9f3c5e7a11b2c3d4e5f6";
        assert_eq!(q(hash).terms, [Term::Hash(hash.into())]);
        assert_eq!(q(&format!("0x{}", hash.to_uppercase())).terms, [Term::Hash(hash.into())]);
        assert_eq!(q("9f3c5e7a").terms.len(), 1, "too short for a hash: a word");
        assert!(matches!(&q("9f3c5e7a").terms[0], Term::Word { .. }));
        // A filter that does not parse says what to type, and is not searched for.
        let bad = q("from:tomorrowish amount:abc settled:never order");
        assert_eq!(
            bad.problems,
            [
                "from: use a date like 2026-11-29, yesterday or 7d",
                "amount: use a number like 75, or a range like >=100 or <1",
                "settled: use a date like 2026-11-29, yesterday or 7d, or a range like 2026-11-01..2026-11-30",
            ]
        );
        assert_eq!(bad.terms, [word(&["order"], None)]);
        assert!(q("from:yesterday from:2026-10 amount:>=5").problems.is_empty());
    }

    #[test]
    fn anything_else_is_plain_text() {
        for hostile in [
            "\"unbalanced",
            "a\" OR \"1\"=\"1",
            "'; DROP TABLE links; --",
            "NEAR(a b) AND c* -d ^e",
            "status: currency:",
            "amount:lots from:someday settled:never",
            "\u{1b}]52;c;aGk=\u{7}",
            "*",
            ":::",
        ] {
            let query = q(hostile);
            // Nothing here is a filter value with syntax in it, and every
            // token is plain letters, digits and underscores.
            for term in &query.terms {
                let tokens = match term {
                    Term::Word { tokens, .. } | Term::Phrase(tokens) => tokens.clone(),
                    Term::Hash(hex) => vec![hex.clone()],
                };
                assert!(tokens.iter().all(|t| t.chars().all(|c| c.is_alphanumeric() || c == '_')), "{hostile:?}");
            }
            assert_eq!((query.from, query.settled), (None, None), "{hostile:?}");
        }
        assert_eq!(q("\"unbalanced quote").terms, [Term::Phrase(vec!["unbalanced".into(), "quote".into()])]);
        let long = "word ".repeat(3000);
        assert!(q(&long).terms.len() <= MAX_TERMS);
        assert!(q("").is_everything() && q("  \u{7} ").is_everything());
    }
}
