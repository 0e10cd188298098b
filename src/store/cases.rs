//! Cases in the store: the rules both backends keep. A write finds the
//! links it touched ([`touched`]); in the same transaction the backend
//! tells their facts from those kept where it can ([`Touched::tell`]),
//! reads the rest back from their rows, and keeps the facts that may make
//! a case (`cases::LinkFacts::worth_keeping`), so the list reads a small
//! table, never the payments.

use crate::api::{PaymentLink, Transaction, TransactionStatus};
use crate::cases::{self, Case, CaseKind, CaseRules, Handling, LinkFacts};
use crate::store::rows::micros;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The links whose facts a write may have changed.
#[derive(Debug, Default, PartialEq)]
pub struct Touched {
    /// Links written, the orders balance links were made for, and the links
    /// of payments written over (a row written over may have changed more
    /// than its status): read back.
    pub read: BTreeSet<String>,
    /// Payments new to the mirror on the other links, by link: added to the
    /// facts kept ([`LinkFacts::with_arrival`]), and the link read back only
    /// when they cannot tell, or when the payments may start a case.
    pub arrived: BTreeMap<String, Vec<Transaction>>,
}

/// What a write touched: the links written, and each payment written with
/// the status it had in the mirror before (`None`: new).
pub fn touched<'a>(
    links: impl IntoIterator<Item = &'a PaymentLink>,
    payments: impl IntoIterator<Item = (&'a Transaction, Option<TransactionStatus>)>,
) -> Touched {
    let mut touched = Touched::default();
    for link in links {
        touched.read.insert(link.id.clone());
        if let Some(order) = cases::balance_for(link.description.as_deref()) {
            touched.read.insert(order.to_string());
        }
    }
    for (txn, before) in payments {
        let Some(id) = &txn.payment_link_id else { continue };
        match before {
            None => touched.arrived.entry(id.clone()).or_default().push(txn.clone()),
            Some(_) => {
                touched.read.insert(id.clone());
            }
        }
    }
    touched.arrived.retain(|id, _| !touched.read.contains(id));
    touched
}

impl Touched {
    /// Every link touched: the facts kept for these are what a write reads first.
    pub fn links(&self) -> Vec<&str> {
        self.read.iter().chain(self.arrived.keys()).map(String::as_str).collect()
    }

    /// The links not kept whose arrivals are failures: whether each was paid
    /// decides whether it must be read (a failure on an order paid is no case).
    pub fn to_ask_paid(&self, kept: &HashMap<String, Option<LinkFacts>>) -> Vec<&str> {
        self.arrived
            .iter()
            .filter(|(id, _)| !kept.contains_key(*id))
            .filter(|(_, payments)| payments.iter().any(|p| p.status == TransactionStatus::Failed))
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// The facts this write changed that can be told without reading rows,
    /// and the links that must be read back. `kept` holds the facts kept
    /// of the links touched (`None`: kept, but unreadable by this build);
    /// `paid` the links asked of ([`Touched::to_ask_paid`]) that were paid.
    pub fn tell(
        &self,
        kept: &HashMap<String, Option<LinkFacts>>,
        paid: &HashSet<String>,
    ) -> (Vec<LinkFacts>, BTreeSet<String>) {
        let mut told = Vec::new();
        let mut read = self.read.clone();
        for (id, payments) in &self.arrived {
            match kept.get(id) {
                Some(Some(facts)) => {
                    let added = payments.iter().try_fold(facts.clone(), |facts, p| facts.with_arrival(p));
                    match added {
                        Some(facts) => told.push(facts),
                        None => {
                            read.insert(id.clone());
                        }
                    }
                }
                Some(None) => {
                    read.insert(id.clone());
                }
                None => {
                    let paid = paid.contains(id);
                    if payments.iter().any(|p| LinkFacts::arrival_may_start_keeping(&p.status, paid)) {
                        read.insert(id.clone());
                    }
                }
            }
        }
        (told, read)
    }
}

/// The SQL that finds which of some links were paid (both backends, the
/// list of ids appended in each one's way): the index by status and link
/// answers it without the rows.
pub const PAID_LINKS: &str =
    "SELECT DISTINCT payment_link_id FROM transactions WHERE status IN ('confirmed', 'settled') AND payment_link_id ";

/// The facts kept of the links that payments arrived on, read from their
/// JSON (`None`: kept, but this build cannot read them).
pub fn known_facts(kept: &HashMap<String, String>, touched: &Touched) -> HashMap<String, Option<LinkFacts>> {
    touched
        .arrived
        .keys()
        .filter_map(|id| kept.get(id).map(|json| (id.clone(), serde_json::from_str(json).ok())))
        .collect()
}

/// Since when a payment under way is late: pending since before
/// `pending_before`, or confirmed (not credited) since before
/// `confirmed_before`. Such payments are few; the store finds them at list
/// time rather than keeping facts for every payment under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Late {
    pub pending_before: DateTime<Utc>,
    pub confirmed_before: DateTime<Utc>,
}

impl Late {
    pub fn of(rules: &CaseRules, now: DateTime<Utc>) -> Late {
        Late { pending_before: now - rules.pending_after, confirmed_before: now - rules.credit_after }
    }
}

/// The SQL that finds the links with a late payment (both backends, with
/// `?` for the two times in microseconds): the index by status walks the
/// few payments under way.
pub const LATE_LINKS: &str = "SELECT DISTINCT payment_link_id FROM transactions WHERE payment_link_id IS NOT NULL \
     AND ((status = 'pending' AND created_at <= ?) \
     OR (status = 'confirmed' AND coalesce(confirmed_at, created_at) <= ?))";

impl Late {
    /// The two times of [`LATE_LINKS`], in microseconds.
    pub fn bounds(&self) -> (i64, i64) {
        (micros(self.pending_before), micros(self.confirmed_before))
    }
}

/// The facts a list judges: those kept, and those of the links with a late
/// payment (read from their rows), one per link.
pub fn with_late(mut kept: Vec<LinkFacts>, late: Vec<LinkFacts>) -> Vec<LinkFacts> {
    let known: std::collections::HashSet<String> = late.iter().map(|f| f.link_id.clone()).collect();
    kept.retain(|facts| !known.contains(&facts.link_id));
    kept.extend(late);
    kept
}

/// Which cases, in which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseQuery {
    pub rules: CaseRules,
    pub now: DateTime<Utc>,
    pub kind: Option<CaseKind>,
    pub order: CaseOrder,
    pub handled: Handled,
}

/// Which cases by their handling: those open (the case list), or as the
/// list's filters ask.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Handled {
    #[default]
    Open,
    /// Open and claimed by this agent.
    Mine(String),
    Unclaimed,
    /// Resolved, and the resolution stands.
    Resolved,
    /// Resolved since this time (the start of the agent's today).
    ResolvedSince(DateTime<Utc>),
}

impl Handled {
    pub fn admits(&self, case: &Case) -> bool {
        let open = case.resolved.is_none();
        match self {
            Handled::Open => open,
            Handled::Mine(agent) => open && case.claimed.as_ref().is_some_and(|(by, _)| by == agent),
            Handled::Unclaimed => open && case.claimed.is_none(),
            Handled::Resolved => !open,
            Handled::ResolvedSince(since) => case.resolved.as_ref().is_some_and(|r| r.at >= *since),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseOrder {
    #[default]
    Oldest,
    /// The most money at stake first, currency by currency (amounts of
    /// two currencies do not compare).
    Largest,
}

/// The cases of the facts kept, in the order asked.
pub fn list(
    facts: impl IntoIterator<Item = LinkFacts>,
    query: &CaseQuery,
    handling: &BTreeMap<String, Handling>,
) -> Vec<Case> {
    let mut cases: Vec<Case> = facts
        .into_iter()
        .filter_map(|facts| {
            let case = cases::judge(&facts, &query.rules, query.now)?;
            Some(case.handled(handling.get(&facts.link_id), &facts))
        })
        .filter(|case| query.kind.is_none_or(|kind| case.kind == kind))
        .filter(|case| query.handled.admits(case))
        .collect();
    match query.order {
        CaseOrder::Oldest => cases.sort_by(|a, b| a.since.cmp(&b.since).then_with(|| a.link_id.cmp(&b.link_id))),
        CaseOrder::Largest => cases.sort_by(|a, b| {
            a.currency
                .cmp(&b.currency)
                .then_with(|| at_stake(b).cmp(&at_stake(a)))
                .then_with(|| a.link_id.cmp(&b.link_id))
        }),
    }
    cases
}

/// The money a case is about: what is missing or over, else the order's.
pub fn at_stake(case: &Case) -> Decimal {
    match case.kind {
        CaseKind::Underpaid | CaseKind::Overpaid | CaseKind::PaidTwice => {
            case.difference().map(|d| d.abs()).unwrap_or(case.received)
        }
        _ => case.expected.unwrap_or(case.received),
    }
}
