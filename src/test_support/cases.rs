//! The cases' test data: links judged from their rows, every rule at its
//! edge, and an act of the audit log.

use super::*;

/// Every link judged straight from its rows, with the default rules: what
/// the store's kept facts must agree with.
pub fn judged(links: &[PaymentLink], transactions: &[Transaction], now: DateTime<Utc>) -> Vec<crate::cases::Case> {
    use crate::cases::{CaseRules, LinkFacts, judge};
    links
        .iter()
        .filter_map(|link| {
            let on: Vec<Transaction> = transactions
                .iter()
                .filter(|t| t.payment_link_id.as_deref() == Some(link.id.as_str()))
                .cloned()
                .collect();
            judge(&LinkFacts::of(&link.id, Some(link), &on, None), &CaseRules::default(), now)
        })
        .collect()
}

/// One row of the table of case rules at their edges.
pub struct CaseEdge {
    pub what: &'static str,
    pub rules: crate::cases::CaseRules,
    pub link: PaymentLink,
    pub payments: Vec<Transaction>,
    pub expected: Option<crate::cases::CaseKind>,
}

/// Every kind at its threshold: at the edge, one unit under and one over
/// (a cent for amounts, a minute for times), each on its own link, judged
/// at [`t0`]. Run by the rules' unit test and by both stores' contract.
pub fn case_edges() -> Vec<CaseEdge> {
    use crate::cases::{CaseKind::*, CaseRules, Tolerance};
    use TransactionStatus::{Confirmed, Failed, Pending, Settled};
    let exact = CaseRules::default();
    let cent = CaseRules {
        per_currency: [("USDT".to_string(), Tolerance::Amount(dec("0.01")))].into(),
        ..CaseRules::default()
    };
    let percent = CaseRules { tolerance: Tolerance::Percent(dec("1")), ..CaseRules::default() };
    type Paid<'a> = &'a [(&'a str, TransactionStatus, i64)];
    let table: Vec<(&str, &CaseRules, LinkStatus, Paid<'_>, Option<crate::cases::CaseKind>)> = vec![
        ("exact amount", &exact, LinkStatus::Paid, &[("75.00", Settled, 90)], None),
        ("another precision is no difference", &exact, LinkStatus::Paid, &[("75.000000", Settled, 90)], None),
        ("a cent short", &exact, LinkStatus::Paid, &[("74.99", Settled, 90)], Some(Underpaid)),
        ("a cent over", &exact, LinkStatus::Paid, &[("75.01", Settled, 90)], Some(Overpaid)),
        ("short by the tolerance", &cent, LinkStatus::Paid, &[("74.99", Settled, 90)], None),
        ("a cent under the tolerance", &cent, LinkStatus::Paid, &[("74.98", Settled, 90)], Some(Underpaid)),
        ("over by the tolerance", &cent, LinkStatus::Paid, &[("75.01", Settled, 90)], None),
        ("a cent over the tolerance", &cent, LinkStatus::Paid, &[("75.02", Settled, 90)], Some(Overpaid)),
        ("short by 1 %", &percent, LinkStatus::Paid, &[("74.25", Settled, 90)], None),
        ("a cent under 1 %", &percent, LinkStatus::Paid, &[("74.24", Settled, 90)], Some(Underpaid)),
        ("over by 1 %", &percent, LinkStatus::Paid, &[("75.75", Settled, 90)], None),
        ("a cent over 1 %", &percent, LinkStatus::Paid, &[("75.76", Settled, 90)], Some(Overpaid)),
        (
            "two full payments",
            &exact,
            LinkStatus::Paid,
            &[("75", Settled, 90), ("75.00", Confirmed, 80)],
            Some(PaidTwice),
        ),
        (
            "a second payment a cent short of full",
            &exact,
            LinkStatus::Paid,
            &[("75", Settled, 90), ("74.99", Settled, 80)],
            Some(Overpaid),
        ),
        ("two halves", &exact, LinkStatus::Paid, &[("37.50", Settled, 90), ("37.50", Settled, 80)], None),
        ("paid after expiry", &exact, LinkStatus::Expired, &[("75", Settled, 90)], Some(PaidLate)),
        ("paid after deactivation", &exact, LinkStatus::Deactivated, &[("75", Settled, 90)], Some(PaidLate)),
        ("pending a minute under 30", &exact, LinkStatus::Active, &[("75", Pending, 29)], None),
        ("pending 30 minutes", &exact, LinkStatus::Active, &[("75", Pending, 30)], None),
        ("pending 31 minutes", &exact, LinkStatus::Active, &[("75", Pending, 31)], Some(StuckPending)),
        ("confirmed a minute under 2 h", &exact, LinkStatus::Paid, &[("75", Confirmed, 119)], None),
        ("confirmed 2 h", &exact, LinkStatus::Paid, &[("75", Confirmed, 120)], None),
        ("confirmed 2 h 1 min", &exact, LinkStatus::Paid, &[("75", Confirmed, 121)], Some(NotCredited)),
        ("failed a minute under 1 h", &exact, LinkStatus::Active, &[("75", Failed, 59)], None),
        ("failed 1 h", &exact, LinkStatus::Active, &[("75", Failed, 60)], None),
        ("failed 1 h 1 min", &exact, LinkStatus::Active, &[("75", Failed, 61)], Some(FailedNeverPaid)),
        ("failed on an expired link", &exact, LinkStatus::Expired, &[("75", Failed, 1)], Some(FailedNeverPaid)),
        ("failed, then paid", &exact, LinkStatus::Paid, &[("75", Failed, 90), ("75", Settled, 80)], None),
    ];
    table
        .into_iter()
        .enumerate()
        .map(|(n, (what, rules, status, paid, expected))| {
            let id = format!("pl_edge{n:02}");
            let payments = paid
                .iter()
                .enumerate()
                .map(|(k, (amount, status, minutes_ago))| {
                    let created_at = t0() - chrono::Duration::minutes(*minutes_ago);
                    let on_chain = matches!(status, Confirmed | Settled);
                    Transaction {
                        payment_link_id: Some(id.clone()),
                        amount: dec(amount),
                        currency: "USDT".into(),
                        status: status.clone(),
                        created_at,
                        confirmed_at: on_chain.then_some(created_at),
                        settled_at: (*status == Settled).then_some(created_at),
                        ..txn(&format!("txn_edge{n:02}_{k}"))
                    }
                })
                .collect();
            let link = PaymentLink {
                amount: dec("75"),
                currency: "USDT".into(),
                status,
                created_at: t0() - chrono::Duration::hours(3),
                ..link(&id)
            };
            CaseEdge { what, rules: rules.clone(), link, payments, expected }
        })
        .collect()
}

/// An act of "alice@desk" about `subject`, done, with an id of its own.
pub fn act(what: &str, subject: &str, at: DateTime<Utc>) -> crate::audit::Act {
    let act = crate::audit::Act::new(at, "alice@desk", Some("live"), what, Some(subject), "0.90 USDT".into());
    crate::audit::Act { uid: crate::audit::new_uid(), ..act }
}

/// The order of the cases' tests: 75.00 USDT asked ("Order #1234"), 74.10
/// received, on the link `link_id`.
pub fn underpaid_order(link_id: &str) -> crate::cases::Order {
    use crate::api::{LinkStatus, PaymentLink, Transaction, TransactionStatus};
    let order_link = PaymentLink {
        amount: super::dec("75.00"),
        currency: "USDT".into(),
        status: LinkStatus::Paid,
        description: Some("Order #1234".into()),
        ..super::link(link_id)
    };
    let paid = Transaction {
        payment_link_id: Some(link_id.into()),
        amount: super::dec("74.10"),
        currency: "USDT".into(),
        status: TransactionStatus::Settled,
        ..super::txn("txn_short")
    };
    crate::cases::Order { link_id: link_id.into(), link: Some(order_link), payments: vec![paid], ..Default::default() }
}
