//! Each rule at its edge: at it, one unit under, one over.

use super::facts::{BalanceLink, balance_description, balance_for};
use super::reply;
use super::*;
use crate::api::{LinkStatus, PaymentLink, Transaction, TransactionStatus};
use crate::test_support::{dec, link, t0, txn};
use chrono::Duration;

fn order(amount: &str, status: LinkStatus) -> PaymentLink {
    PaymentLink { amount: dec(amount), currency: "USDT".into(), status, ..link("pl_order") }
}

fn payment(n: u32, amount: &str, status: TransactionStatus, minutes_ago: i64) -> Transaction {
    let created_at = t0() - Duration::minutes(minutes_ago);
    let confirmed_at =
        matches!(status, TransactionStatus::Confirmed | TransactionStatus::Settled).then_some(created_at);
    Transaction {
        payment_link_id: Some("pl_order".into()),
        amount: dec(amount),
        currency: "USDT".into(),
        status,
        created_at,
        confirmed_at,
        ..txn(&format!("txn_{n}"))
    }
}

fn case_of(link: Option<PaymentLink>, payments: &[Transaction], rules: &CaseRules) -> Option<Case> {
    judge(&LinkFacts::of("pl_order", link.as_ref(), payments, None), rules, t0())
}

fn kind(link: PaymentLink, payments: &[Transaction], rules: &CaseRules) -> Option<CaseKind> {
    case_of(Some(link), payments, rules).map(|c| c.kind)
}

#[test]
fn every_kind_at_its_threshold_edge() {
    for edge in crate::test_support::case_edges() {
        let facts = LinkFacts::of(&edge.link.id, Some(&edge.link), &edge.payments, None);
        assert_eq!(judge(&facts, &edge.rules, t0()).map(|c| c.kind), edge.expected, "{}", edge.what);
    }
}

#[test]
fn the_case_says_what_is_missing() {
    let payments = [payment(1, "74.10", TransactionStatus::Settled, 60)];
    let case = case_of(Some(order("75.00", LinkStatus::Paid)), &payments, &CaseRules::default());
    assert_eq!(case.as_ref().and_then(Case::missing), Some(dec("0.90")));
    assert_eq!(case.map(|c| c.since), Some(t0() - Duration::minutes(60)));
}

#[test]
fn paid_twice_is_named_before_overpaid_and_lists_both() {
    let payments =
        [payment(1, "75", TransactionStatus::Settled, 50), payment(2, "75.00", TransactionStatus::Confirmed, 20)];
    let case = case_of(Some(order("75", LinkStatus::Paid)), &payments, &CaseRules::default());
    assert_eq!(case.map(|c| c.met), Some(vec![CaseKind::PaidTwice, CaseKind::Overpaid]));
    // Two payments that add up to the amount are one order paid in two parts.
    let halves =
        [payment(1, "37.50", TransactionStatus::Settled, 50), payment(2, "37.50", TransactionStatus::Settled, 20)];
    assert_eq!(kind(order("75", LinkStatus::Paid), &halves, &CaseRules::default()), None);
    // However their rows arrive.
    let mut reversed = payments.to_vec();
    reversed.reverse();
    assert_eq!(kind(order("75", LinkStatus::Paid), &reversed, &CaseRules::default()), Some(CaseKind::PaidTwice));
}

/// Small orders, each with up to two payments of every status, at times
/// that tie and times that do not.
fn small_orders() -> Vec<Vec<Transaction>> {
    let statuses = [
        TransactionStatus::Pending,
        TransactionStatus::Confirmed,
        TransactionStatus::Settled,
        TransactionStatus::Failed,
    ];
    let mut orders: Vec<Vec<Transaction>> = vec![Vec::new()];
    for s in &statuses {
        for (a, m) in [("75", 30), ("70", 10)] {
            orders.push(vec![payment(1, a, s.clone(), m)]);
            for t in &statuses {
                orders.push(vec![payment(1, a, s.clone(), m), payment(2, "75.00", t.clone(), 40 - m)]);
            }
        }
    }
    orders
}

fn small_links() -> [Option<PaymentLink>; 5] {
    [
        None,
        Some(order("75", LinkStatus::Active)),
        Some(order("75", LinkStatus::Paid)),
        Some(order("75", LinkStatus::Expired)),
        Some(order("80", LinkStatus::Active)),
    ]
}

/// The arrivals a write does not read back for
/// (`arrival_may_start_keeping` false) never make a link worth keeping:
/// every small order not kept, with every payment added.
#[test]
fn arrivals_the_store_skips_never_start_keeping_a_link() {
    use TransactionStatus::{Confirmed, Failed, Pending, Settled};
    let kept = |link: &Option<PaymentLink>, payments: &[Transaction]| {
        LinkFacts::of("pl_order", link.as_ref(), payments, None).worth_keeping()
    };
    let mut skipped = 0;
    for link in &small_links() {
        for payments in small_orders().iter().filter(|p| !kept(link, p)) {
            let paid = payments.iter().any(|p| super::facts::is_good(&p.status));
            for status in [Pending, Confirmed, Settled, Failed] {
                for (amount, minutes) in [("75", 45), ("70", 20), ("75", 5)] {
                    let mut after = payments.clone();
                    after.push(payment(9, amount, status.clone(), minutes));
                    let may = LinkFacts::arrival_may_start_keeping(&status, paid);
                    assert!(!kept(link, &after) || may, "{link:?} {after:?}");
                    skipped += usize::from(!may);
                }
            }
        }
    }
    assert!(skipped > 100, "the check ran on {skipped} skipped arrivals");
}

/// Facts told from an arrival are the facts read from the rows: every
/// small order, kept or not, with every payment added, at every time
/// (ties too); and an arrival that leaves a failure's place unknown is
/// not told.
#[test]
fn facts_told_from_an_arrival_are_those_read_from_the_rows() {
    use TransactionStatus::{Confirmed, Failed, Pending, Settled};
    let (mut told, mut untold) = (0, 0);
    for link in &small_links() {
        for payments in &small_orders() {
            let facts = LinkFacts::of("pl_order", link.as_ref(), payments, None);
            for status in [Pending, Confirmed, Settled, Failed] {
                for (amount, minutes) in [("75", 45), ("70.000", 30), ("75", 20), ("80", 10), ("75", 1)] {
                    let arrival = payment(9, amount, status.clone(), minutes);
                    let mut after = payments.clone();
                    after.push(arrival.clone());
                    match facts.with_arrival(&arrival) {
                        Some(added) => {
                            told += 1;
                            let read = LinkFacts::of("pl_order", link.as_ref(), &after, None);
                            assert_eq!(added, read, "{link:?} {payments:?} + {arrival:?}");
                            // Equal as text too: the store compares the JSON kept.
                            assert_eq!(serde_json::to_string(&added).ok(), serde_json::to_string(&read).ok());
                        }
                        None => untold += 1,
                    }
                }
            }
        }
    }
    assert!(told > 1_000 && untold > 10, "told {told}, untold {untold}");
}

#[test]
fn paid_late_comes_after_the_amount_kinds() {
    let exact = [payment(1, "75", TransactionStatus::Settled, 10)];
    assert_eq!(kind(order("75", LinkStatus::Expired), &exact, &CaseRules::default()), Some(CaseKind::PaidLate));
    assert_eq!(kind(order("75", LinkStatus::Deactivated), &exact, &CaseRules::default()), Some(CaseKind::PaidLate));
    let short = [payment(1, "70", TransactionStatus::Settled, 10)];
    let case = case_of(Some(order("75", LinkStatus::Expired)), &short, &CaseRules::default());
    assert_eq!(case.map(|c| c.met), Some(vec![CaseKind::Underpaid, CaseKind::PaidLate]));
}

#[test]
fn a_failed_attempt_followed_by_a_payment_is_no_case() {
    use TransactionStatus::{Failed, Pending, Settled};
    let rules = CaseRules::default();
    let then_paid = [payment(1, "75", Failed, 300), payment(2, "75", Settled, 290)];
    assert_eq!(kind(order("75", LinkStatus::Paid), &then_paid, &rules), None);
    let facts = LinkFacts::of("pl_order", Some(&order("75", LinkStatus::Paid)), &then_paid, None);
    assert!(!facts.worth_keeping(), "an order paid once, exactly, is not kept");
    // Nor one that failed after it was paid (the customer tried the link again).
    let paid_then_failed = [payment(1, "75", Settled, 300), payment(2, "75", Failed, 290)];
    assert_eq!(kind(order("75", LinkStatus::Paid), &paid_then_failed, &rules), None);
    let facts = LinkFacts::of("pl_order", Some(&order("75", LinkStatus::Paid)), &paid_then_failed, None);
    assert!(!facts.worth_keeping(), "a failure on a paid order can make no case: not kept");
    // A payment under way writes no facts: the store finds the late ones when it lists.
    for status in [Pending, TransactionStatus::Confirmed] {
        let facts =
            LinkFacts::of("pl_order", Some(&order("75", LinkStatus::Active)), &[payment(1, "75", status, 90)], None);
        assert!(!facts.worth_keeping(), "under way");
    }
    // A retry under way is no failure either (it is stuck if it lingers).
    let retrying = [payment(1, "75", Failed, 300), payment(2, "75", Pending, 10)];
    assert_eq!(kind(order("75", LinkStatus::Active), &retrying, &rules), None);
}

#[test]
fn a_paid_balance_link_closes_an_underpaid_case() {
    let payments = [payment(1, "74.10", TransactionStatus::Settled, 60)];
    let link = order("75", LinkStatus::Paid);
    let balance = |paid| Some(BalanceLink { link_id: "pl_balance".into(), amount: dec("0.90"), paid });
    let open = LinkFacts::of("pl_order", Some(&link), &payments, balance(false));
    assert_eq!(judge(&open, &CaseRules::default(), t0()).map(|c| c.kind), Some(CaseKind::Underpaid));
    let closed = LinkFacts::of("pl_order", Some(&link), &payments, balance(true));
    assert_eq!(judge(&closed, &CaseRules::default(), t0()), None);
}

#[test]
fn a_case_whose_link_is_not_mirrored_yet_says_so() {
    let payments = [payment(1, "75", TransactionStatus::Pending, 45)];
    let case = case_of(None, &payments, &CaseRules::default());
    assert_eq!(case.as_ref().map(|c| (c.kind, c.expected)), Some((CaseKind::StuckPending, None)));
    let facts = LinkFacts::of("pl_order", None, &[payment(1, "75", TransactionStatus::Settled, 45)], None);
    assert!(facts.worth_keeping(), "its amount is not known yet");
}

#[test]
fn balance_links_name_the_order_they_are_for() {
    let text = balance_description("pl_abc123", Some("Order #1234"));
    assert_eq!(text, "Balance for Order #1234 (pl_abc123)");
    assert_eq!(balance_for(Some(&text)), Some("pl_abc123"));
    assert_eq!(balance_for(Some("Balance for x (pl_)")), None);
    assert_eq!(balance_for(Some("Order (pl_abc)")), None);
    // A hostile description is cleaned before it is sent to PIK.
    let hostile = balance_description("pl_a", Some("Order \u{1b}]52;c;evil\u{7}"));
    assert!(!hostile.contains('\u{1b}') && !hostile.contains('\u{7}'), "{hostile:?}");
}

#[test]
fn tolerances_are_read_exactly_and_refused_clearly() {
    assert_eq!(Tolerance::parse("0.01"), Ok(Tolerance::Amount(dec("0.01"))));
    assert_eq!(Tolerance::parse("0.5%"), Ok(Tolerance::Percent(dec("0.5"))));
    assert!(Tolerance::parse("-1").is_err_and(|e| e.contains("never negative")));
    assert!(Tolerance::parse("a lot").is_err_and(|e| e.contains("0.5%")));
    assert_eq!(CaseKind::parse("Paid_Twice"), Some(CaseKind::PaidTwice));
    assert_eq!(CaseKind::parse("failed never paid"), Some(CaseKind::FailedNeverPaid));
}

#[test]
fn the_config_s_lines_are_read_and_a_bad_one_is_named() {
    let rules = CaseRules::from_lines([
        (3, "pending_after", "45m"),
        (5, "tolerance.usdt", "0.01"),
        (6, "tolerance.default", "0.5%"),
    ]);
    let Ok(rules) = rules else { panic!("{rules:?}") };
    assert_eq!(rules.pending_after, Duration::minutes(45));
    assert_eq!(rules.tolerance("USDT", dec("75")), dec("0.01"));
    assert_eq!(rules.tolerance("BTC", dec("2")), dec("0.01"), "0.5 % of 2");
    let bad = CaseRules::from_lines([(7, "credit_after", "soon")]);
    assert!(matches!(&bad, Err((7, message)) if message.contains("credit_after")), "{bad:?}");
    let bad = CaseRules::from_lines([(9, "tolerance.BTC", "-1")]);
    assert!(matches!(&bad, Err((9, message)) if message.contains("never negative")), "{bad:?}");
}

#[test]
fn each_kind_says_what_went_wrong_and_the_next_step() {
    use TransactionStatus::{Confirmed, Failed, Pending, Settled};
    let rules = CaseRules::default();
    let told = |link: PaymentLink, payments: &[Transaction]| {
        let facts = LinkFacts::of("pl_order", Some(&link), payments, None);
        let case = judge(&facts, &rules, t0()).unwrap_or_else(|| panic!("no case: {payments:?}"));
        next_step(&case, &facts, t0())
    };
    let paid = || order("75.00", LinkStatus::Paid);
    assert_eq!(
        told(paid(), &[payment(1, "74.1", Settled, 60)]),
        "Customer sent 74.10 of 75.00 USDT: 0.90 missing. Send a balance link, or accept the shortfall."
    );
    assert!(
        told(paid(), &[payment(1, "76", Settled, 60)]).starts_with("Customer sent 76.00 of 75.00 USDT: 1.00 over.")
    );
    let twice = told(paid(), &[payment(1, "75", Settled, 60), payment(2, "75", Settled, 30)]);
    assert!(twice.starts_with("Paid 2 times: 75.00 USDT over."), "{twice}");
    let late = told(order("75", LinkStatus::Deactivated), &[payment(1, "75", Settled, 60)]);
    assert!(late.starts_with("Paid after the link was deactivated"), "{late}");
    assert!(
        told(order("75", LinkStatus::Active), &[payment(1, "75", Pending, 47)])
            .starts_with("Pending, started 47 min ago")
    );
    let credit = told(paid(), &[payment(1, "75", Confirmed, 60 * 24 * 42)]);
    assert!(credit.starts_with("Confirmed 42 d ago, not credited: ask PIK support"), "{credit}");
    assert!(told(order("75", LinkStatus::Expired), &[payment(1, "75", Failed, 90)]).contains("new link"));
}

#[test]
fn the_story_is_told_oldest_first_with_the_link_s_end_last() {
    let link = PaymentLink {
        status: LinkStatus::Expired,
        created_at: t0() - Duration::hours(3),
        ..order("75", LinkStatus::Expired)
    };
    let failed = payment(1, "75", TransactionStatus::Failed, 120);
    let paid = Transaction {
        settled_at: Some(t0() - Duration::minutes(50)),
        ..payment(2, "75", TransactionStatus::Settled, 60)
    };
    let order = Order { link_id: link.id.clone(), link: Some(link), payments: vec![paid, failed], ..Order::default() };
    let story = timeline(&order, &[]);
    let words: Vec<&str> = story.iter().map(|m| m.what.as_str()).collect();
    assert_eq!(
        words,
        [
            "link pl_order made for 75 USDT",
            "payment txn_1 of 75 USDT started, and failed",
            "payment txn_2 of 75 USDT started",
            "payment txn_2 confirmed on chain",
            "payment txn_2 credited",
            "link pl_order is expired now",
        ]
    );
    assert!(story.windows(2).all(|pair| pair[0].at <= pair[1].at));
    // Where the mirror saw it expire, the story says when, in its place.
    let seen = t0() - Duration::minutes(55);
    let story = timeline(&Order { status_seen: vec![(LinkStatus::Expired, seen)], ..order }, &[]);
    let expiry: Vec<(DateTime<Utc>, &str)> =
        story.iter().filter(|m| m.what.contains("expired")).map(|m| (m.at, m.what.as_str())).collect();
    assert_eq!(expiry, [(seen, "link pl_order expired (when the mirror saw it: PIK gives no time)")]);
    assert_eq!(story.last().map(|m| m.what.as_str()), Some("payment txn_2 credited"));
}

#[test]
fn the_story_holds_what_agents_did_and_the_events_heard() {
    use crate::api::{EventData, EventEnvelope, WebhookEvent};
    let link = PaymentLink { created_at: t0() - Duration::hours(3), ..order("75", LinkStatus::Paid) };
    let paid = payment(1, "74.10", TransactionStatus::Settled, 60);
    let act = crate::audit::Act::new(
        t0() - Duration::minutes(10),
        "alice@desk",
        None,
        "copied the reply",
        Some("pl_order"),
        "underpaid reply".into(),
    );
    let heard = |id: &str, on: &str, at: Option<chrono::DateTime<chrono::Utc>>| EventEnvelope {
        event: WebhookEvent::PaymentSettled,
        id: id.into(),
        created_at: at,
        data: EventData {
            transaction_id: "txn_1".into(),
            payment_link_id: Some(on.into()),
            amount: dec("74.10"),
            currency: "USDT".into(),
            status: TransactionStatus::Settled,
            confirmed_at: None,
            settled_at: None,
        },
    };
    let events = [
        heard("evt_1", "pl_order", Some(t0() - Duration::minutes(59))),
        heard("evt_other", "pl_other", Some(t0() - Duration::minutes(30))),
        heard("evt_2", "pl_order", None),
    ];
    let order = Order {
        link_id: "pl_order".into(),
        link: Some(link),
        payments: vec![paid],
        acts: vec![act],
        ..Order::default()
    };
    let words: Vec<String> = timeline(&order, &events).into_iter().map(|m| m.what).collect();
    assert_eq!(
        words,
        [
            "link pl_order made for 75 USDT",
            "payment txn_1 of 74.10 USDT started",
            "payment txn_1 confirmed on chain",
            "webhook payment.settled heard by the local listener: payment txn_1 settled",
            "alice@desk copied the reply pl_order (underpaid reply)",
            "webhook payment.settled heard by the local listener: payment txn_1 settled (PIK gave no time)",
        ]
    );
}

#[test]
fn a_reply_carries_the_figures_and_nothing_raw_from_pik() {
    use super::reply::check;
    let hostile = PaymentLink {
        description: Some("Order #1234\u{1b}]52;c;ZXZpbA==\u{7}".into()),
        ..order("75.00", LinkStatus::Paid)
    };
    let paid =
        Transaction { tx_hash: Some("0xabc\u{1b}[2J".into()), ..payment(1, "74.10", TransactionStatus::Settled, 60) };
    let balance = PaymentLink {
        url: Some("https://pay.pik.global/pl_balance".into()),
        status: LinkStatus::Active,
        ..link("pl_balance")
    };
    let order_rows = Order {
        link_id: "pl_order".into(),
        link: Some(hostile),
        payments: vec![paid],
        balance_links: vec![balance],
        ..Order::default()
    };
    let Some(case) = judge(&order_rows.facts(), &CaseRules::default(), t0()) else { panic!("underpaid") };
    let text = reply(default_template(CaseKind::Underpaid), &case, &order_rows, &Default::default());
    assert!(text.contains("We received 74.10 USDT of the 75.00 USDT due, so 0.90 USDT is still missing"), "{text}");
    assert!(text.contains("https://pay.pik.global/pl_balance"), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "nothing raw reaches the clipboard: {text:?}");
    for kind in CaseKind::ALL {
        assert_eq!(check(default_template(kind)), Ok(()), "{kind:?}");
    }
}

#[test]
fn templates_are_checked_naming_the_line() {
    let replies = Replies::from_lines([(4, "underpaid", "Missing {missing} {currency}.")]);
    assert!(replies.is_ok_and(|r| r.template(CaseKind::Underpaid) == "Missing {missing} {currency}."));
    let unknown = Replies::from_lines([(5, "underpaid", "Hi {name}")]);
    assert!(matches!(&unknown, Err((5, m)) if m.contains("{name} is not a placeholder")), "{unknown:?}");
    let open = Replies::from_lines([(6, "overpaid", "Hi {missing")]);
    assert!(matches!(&open, Err((6, m)) if m.contains("not closed")), "{open:?}");
    let long = Replies::from_lines([(7, "overpaid", "x".repeat(1_001).as_str())]);
    assert!(matches!(&long, Err((7, m)) if m.contains("longer than 1000")), "{long:?}");
    let kind = Replies::from_lines([(8, "lost", "Hi")]);
    assert!(matches!(&kind, Err((8, m)) if m.contains("paid-twice")), "{kind:?}");
}
