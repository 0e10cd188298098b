//! The store contract's checks about cases: kept as rows arrive, judged
//! alike on both backends, found by `case:`, told with when a link ended
//! and what agents did.

use super::super::window::{Anchor, ListQuery, Sort, WindowAsk, Windowed};
use super::super::*;
use crate::api::{LinkStatus, PaymentLink, Transaction, TransactionStatus};
use crate::test_support::txn;

fn case_query(now: chrono::DateTime<chrono::Utc>) -> cases::CaseQuery {
    cases::CaseQuery {
        rules: crate::cases::CaseRules::default(),
        now,
        kind: None,
        order: cases::CaseOrder::Oldest,
        handled: cases::Handled::Open,
    }
}

async fn case_kinds(store: &Store) -> Vec<(String, crate::cases::CaseKind)> {
    let now = crate::test_support::t0();
    match store.cases(case_query(now)).await {
        Ok(cases) => cases.into_iter().map(|c| (c.link_id, c.kind)).collect(),
        Err(err) => panic!("{err}"),
    }
}

pub async fn cases_are_kept_as_rows_arrive_in_any_order(store: Store) {
    use crate::cases::CaseKind;
    use crate::test_support::{dec, link, t0};
    let order = |id: &str, amount: &str| PaymentLink {
        amount: dec(amount),
        currency: "USDT".into(),
        status: LinkStatus::Paid,
        description: Some("Order #1234".into()),
        ..link(id)
    };
    let paid = |id: &str, on: &str, amount: &str, minutes: i64| Transaction {
        payment_link_id: Some(on.into()),
        amount: dec(amount),
        currency: "USDT".into(),
        status: TransactionStatus::Settled,
        created_at: t0() - chrono::Duration::minutes(minutes),
        ..txn(id)
    };
    let save = |links: Vec<PaymentLink>, transactions: Vec<Transaction>| {
        let store = store.clone();
        async move { assert!(store.save(Batch { links, transactions, ..Batch::default() }).await.is_ok()) }
    };
    // The payment first, its link later (a backfill reads them apart):
    // short of 75 once the link says how much it was for.
    save(vec![], vec![paid("txn_short", "pl_short", "74.10", 90)]).await;
    assert_eq!(case_kinds(&store).await, vec![], "an amount unknown is no shortfall yet");
    save(vec![order("pl_short", "75.00")], vec![]).await;
    assert_eq!(case_kinds(&store).await, vec![("pl_short".into(), CaseKind::Underpaid)]);
    // Paid twice, however the pages bring the two payments.
    save(vec![order("pl_twice", "75")], vec![paid("txn_second", "pl_twice", "75.000000", 30)]).await;
    assert_eq!(case_kinds(&store).await.len(), 1, "one exact payment is no case");
    save(vec![], vec![paid("txn_first", "pl_twice", "75.00", 60)]).await;
    assert!(case_kinds(&store).await.contains(&("pl_twice".into(), CaseKind::PaidTwice)));
    // A failed attempt, then a payment: no case.
    let failed = Transaction { status: TransactionStatus::Failed, ..paid("txn_failed", "pl_retry", "75", 200) };
    save(vec![order("pl_retry", "75")], vec![failed]).await;
    assert!(case_kinds(&store).await.contains(&("pl_retry".into(), CaseKind::FailedNeverPaid)));
    save(vec![], vec![paid("txn_retried", "pl_retry", "75", 190)]).await;
    assert!(!case_kinds(&store).await.iter().any(|(id, _)| id == "pl_retry"), "failed, then paid");
    // A failed attempt, then one under way: no case either, though a new
    // payment under way is read back only for a link whose facts are kept.
    let failed = Transaction { status: TransactionStatus::Failed, ..paid("txn_failed_2", "pl_again", "75", 200) };
    save(vec![order("pl_again", "75")], vec![failed]).await;
    assert!(case_kinds(&store).await.contains(&("pl_again".into(), CaseKind::FailedNeverPaid)));
    let pending = Transaction { status: TransactionStatus::Pending, ..paid("txn_again", "pl_again", "75", 5) };
    save(vec![], vec![pending]).await;
    assert!(!case_kinds(&store).await.iter().any(|(id, _)| id == "pl_again"), "failed, then under way");
    // A confirmed payment credited with another amount (a row written over
    // may change more than its status) is read back: now overpaid.
    let confirmed = Transaction { status: TransactionStatus::Confirmed, ..paid("txn_recount", "pl_recount", "75", 20) };
    save(vec![order("pl_recount", "75")], vec![confirmed]).await;
    assert!(!case_kinds(&store).await.iter().any(|(id, _)| id == "pl_recount"), "paid exactly");
    save(vec![], vec![paid("txn_recount", "pl_recount", "80", 20)]).await;
    assert!(case_kinds(&store).await.contains(&("pl_recount".into(), CaseKind::Overpaid)), "credited 80 of 75");
    // The balance link for the shortfall, paid: the case closes itself.
    let text = crate::cases::balance_description("pl_short", Some("Order #1234"));
    let balance = PaymentLink { description: Some(text), status: LinkStatus::Active, ..order("pl_balance", "0.90") };
    save(vec![balance.clone()], vec![]).await;
    assert!(case_kinds(&store).await.contains(&("pl_short".into(), CaseKind::Underpaid)), "not paid yet");
    let facts = store.order("pl_short").await.map(|order| order.facts());
    assert_eq!(facts.ok().and_then(|f| f.balance).map(|b| (b.link_id, b.paid)), Some(("pl_balance".into(), false)));
    save(vec![PaymentLink { status: LinkStatus::Paid, ..balance }], vec![]).await;
    assert!(!case_kinds(&store).await.iter().any(|(id, _)| id == "pl_short"), "settled by its balance link");
}

/// Random payment histories on random links, saved in random batches, each
/// payment often seen on its way too (pending, confirmed): the store's case
/// list is what judging every link from its rows gives. Several histories,
/// one after the other in one store, so that payments arrive on links whose
/// facts are kept as well as on links new to it.
pub async fn the_case_list_equals_a_recomputation_from_the_rows(store: Store) {
    for seed in [19, 20, 21, 22] {
        a_random_history_is_judged_as_from_its_rows(&store, seed).await;
    }
}

async fn a_random_history_is_judged_as_from_its_rows(store: &Store, seed: u64) {
    use crate::test_support::{dec, link, t0};
    let mut rng = fastrand::Rng::with_seed(seed);
    let statuses = [LinkStatus::Active, LinkStatus::Paid, LinkStatus::Expired, LinkStatus::Deactivated];
    let payment_statuses = [
        TransactionStatus::Pending,
        TransactionStatus::Confirmed,
        TransactionStatus::Settled,
        TransactionStatus::Failed,
    ];
    let mut links = Vec::new();
    let mut payments = Vec::new();
    let mut on_the_way = Vec::new();
    for n in 0..60 {
        let id = format!("pl_p{seed}_{n:03}");
        let amount = ["75", "75.00", "10.5", "0.001"][rng.usize(..4)];
        links.push(PaymentLink {
            amount: dec(amount),
            currency: "USDT".into(),
            status: statuses[rng.usize(..4)].clone(),
            ..link(&id)
        });
        for p in 0..rng.usize(0..4) {
            let status = payment_statuses[rng.usize(..4)].clone();
            let paid = ["75", "74.99", "75.01", "10.50", "0.001", "150"][rng.usize(..6)];
            let created_at = t0() - chrono::Duration::minutes(rng.i64(1..300));
            let confirmed_at = matches!(status, TransactionStatus::Confirmed | TransactionStatus::Settled)
                .then(|| created_at + chrono::Duration::minutes(rng.i64(0..5)));
            let payment = Transaction {
                payment_link_id: Some(id.clone()),
                amount: dec(paid),
                currency: "USDT".into(),
                status,
                created_at,
                confirmed_at,
                ..txn(&format!("txn_p{seed}_{n:03}_{p}"))
            };
            if rng.bool() {
                on_the_way.push(Transaction {
                    status: TransactionStatus::Pending,
                    confirmed_at: None,
                    ..payment.clone()
                });
            }
            if payment.status == TransactionStatus::Settled && rng.bool() {
                on_the_way.push(Transaction { status: TransactionStatus::Confirmed, ..payment.clone() });
            }
            payments.push(payment);
        }
    }
    // Saved in random order, in random batches, links and payments mixed; a
    // status seen after a later one is ignored, as from PIK.
    let mut rows: Vec<Result<PaymentLink, Transaction>> =
        links.iter().cloned().map(Ok).chain(payments.iter().chain(&on_the_way).cloned().map(Err)).collect();
    rng.shuffle(&mut rows);
    for chunk in rows.chunks(7) {
        let links = chunk.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        let transactions = chunk.iter().filter_map(|r| r.as_ref().err().cloned()).collect();
        assert!(store.save(Batch { links, transactions, ..Batch::default() }).await.is_ok());
    }
    let mut expected: Vec<(String, crate::cases::CaseKind)> = crate::test_support::judged(&links, &payments, t0())
        .into_iter()
        .map(|case| (case.link_id, case.kind))
        .collect();
    let prefix = format!("pl_p{seed}_");
    let mut found: Vec<_> = case_kinds(store).await.into_iter().filter(|(id, _)| id.starts_with(&prefix)).collect();
    expected.sort();
    found.sort();
    assert!(expected.len() > 10, "a history with cases: {expected:?}");
    assert_eq!(found, expected);
}

/// The table of every rule at its edge, saved and kept by the store.
pub async fn every_case_kind_at_its_threshold_edge(store: Store) {
    let edges = crate::test_support::case_edges();
    let links = edges.iter().map(|edge| edge.link.clone()).collect();
    let transactions = edges.iter().flat_map(|edge| edge.payments.clone()).collect();
    assert!(store.save(Batch { links, transactions, ..Batch::default() }).await.is_ok());
    for edge in &edges {
        let query = cases::CaseQuery { rules: edge.rules.clone(), ..case_query(crate::test_support::t0()) };
        let found = match store.cases(query).await {
            Ok(cases) => cases.into_iter().find(|case| case.link_id == edge.link.id).map(|case| case.kind),
            Err(err) => panic!("{err}"),
        };
        assert_eq!(found, edge.expected, "{}", edge.what);
    }
}

/// `case:underpaid` finds the underpaid orders' links and payments, in
/// a search and in a list's window, and no other.
pub async fn a_case_filter_finds_the_orders_and_their_payments(store: Store) {
    use crate::cases::CaseRules;
    use crate::test_support::t0;
    let edges = crate::test_support::case_edges();
    let links = edges.iter().map(|edge| edge.link.clone()).collect();
    let transactions = edges.iter().flat_map(|edge| edge.payments.clone()).collect();
    assert!(store.save(Batch { links, transactions, ..Batch::default() }).await.is_ok());
    let rules = CaseRules::default();
    // What the default rules make of the table, judged straight from the rows.
    let all_links: Vec<PaymentLink> = edges.iter().map(|edge| edge.link.clone()).collect();
    let all_payments: Vec<Transaction> = edges.iter().flat_map(|edge| edge.payments.clone()).collect();
    let judged = crate::test_support::judged(&all_links, &all_payments, t0());
    let payments_of = |kind: Option<crate::cases::CaseKind>| -> Vec<String> {
        let mut ids: Vec<String> = judged
            .iter()
            .filter(|case| kind.is_none_or(|kind| case.kind == kind))
            .flat_map(|case| {
                all_payments.iter().filter(|p| p.payment_link_id.as_deref() == Some(case.link_id.as_str()))
            })
            .map(|p| p.id.clone())
            .collect();
        ids.sort();
        ids
    };
    let underpaid = payments_of(Some(crate::cases::CaseKind::Underpaid));
    assert!(underpaid.len() > 2, "the table has underpaid orders: {underpaid:?}");
    let zone = crate::zone::Zone::utc();
    let reading = super::super::Reading { zone: &zone, now: t0(), cases: &rules };
    let parse = |text: &str, kinds: Kinds| SearchQuery::parse_in(text, kinds, reading);
    let found = match store.search(parse("case:underpaid", Kinds::Transactions), 0, 50).await {
        Ok(page) => page,
        Err(err) => panic!("{err}"),
    };
    let mut ids: Vec<String> = found.hits.iter().map(|hit| hit.id().to_string()).collect();
    ids.sort();
    assert_eq!(ids, underpaid, "the underpaid orders' payments");
    let links = store.search(parse("case:underpaid", Kinds::Both), 0, 50).await.map(|page| page.total);
    assert_eq!(links.ok(), Some(2 * underpaid.len() as u64), "each with its link (one payment each)");
    // With words too, and in a list's window and count.
    let narrowed = store.search(parse(&format!("case:underpaid {}", underpaid[0]), Kinds::Both), 0, 50).await;
    assert_eq!(narrowed.map(|page| page.total).ok(), Some(1));
    let filter = parse("case:any", Kinds::Transactions);
    let ask = WindowAsk {
        query: ListQuery { filter: filter.clone(), sort: Sort::default() },
        anchor: Anchor::First,
        limit: 100,
        count: true,
    };
    let window = match store.window(ask).await {
        Ok(Windowed::Transactions(window)) => window,
        other => panic!("{other:?}"),
    };
    let mut listed: Vec<String> = window.rows.iter().map(|(_, txn)| txn.id.clone()).collect();
    listed.sort();
    assert_eq!(listed, payments_of(None), "every payment of every case");
    assert_eq!(window.total, Some(listed.len() as u64));
    assert_eq!(store.count(filter).await.ok(), Some(listed.len() as u64));
    // A kind no order has finds nothing, never everything.
    let none = store.search(parse("case:paid-twice status:pending", Kinds::Both), 0, 50).await;
    assert_eq!(none.map(|page| page.total).ok(), Some(0));
    assert!(parse("case:lost", Kinds::Both).problems.iter().any(|p| p.contains("underpaid")), "a kind refused by name");
}

/// PIK gives no time for an expiry: the store keeps when it saw one, and
/// never makes one up for a link it first saw expired.
pub async fn a_link_s_end_is_dated_when_the_mirror_saw_it(store: Store) {
    use crate::test_support::link;
    let save = |links: Vec<PaymentLink>| {
        let store = store.clone();
        async move { assert!(store.save(Batch { links, ..Batch::default() }).await.is_ok()) }
    };
    let seen = |id: &'static str| {
        let store = store.clone();
        async move {
            match store.order(id).await {
                Ok(order) => order.status_seen,
                Err(err) => panic!("{err}"),
            }
        }
    };
    save(vec![link("pl_watched"), PaymentLink { status: LinkStatus::Expired, ..link("pl_found_expired") }]).await;
    let before = chrono::Utc::now();
    save(vec![PaymentLink { status: LinkStatus::Expired, ..link("pl_watched") }]).await;
    let after = chrono::Utc::now();
    let watched = seen("pl_watched").await;
    assert_eq!(watched.iter().map(|(status, _)| status.clone()).collect::<Vec<_>>(), [LinkStatus::Expired]);
    let at = watched[0].1;
    assert!(at >= before - chrono::Duration::milliseconds(1) && at <= after, "{at} not in {before}..{after}");
    assert_eq!(seen("pl_found_expired").await, vec![], "first seen expired: when is not known");
    // Saved again, the first sighting stays.
    save(vec![PaymentLink { status: LinkStatus::Expired, description: Some("again".into()), ..link("pl_watched") }])
        .await;
    assert_eq!(seen("pl_watched").await, watched);
    assert!(store.clear().await.is_ok());
    assert_eq!(seen("pl_watched").await, vec![], "a copy of PIK's data, cleared with the mirror");
}

/// An act about an order or its balance link is in the order's story; the
/// audit log is not a copy of PIK, so clearing the mirror leaves it whole.
pub async fn what_agents_did_is_kept_apart_and_outlives_a_clear(store: Store) {
    use crate::test_support::{act, dec, link, t0};
    let balance = PaymentLink {
        description: Some(crate::cases::balance_description("pl_short", Some("Order #1234"))),
        amount: dec("0.90"),
        ..link("pl_balance")
    };
    assert!(store.save(Batch { links: vec![link("pl_short"), balance], ..Batch::default() }).await.is_ok());
    let created = act("created a link", "pl_balance", t0() - chrono::Duration::minutes(9));
    let copied = act("copied the reply", "pl_short", t0() - chrono::Duration::minutes(5));
    let elsewhere = act("copied the reply", "pl_other", t0());
    for act in [&created, &copied, &elsewhere] {
        assert!(store.append_act(act.clone()).await.is_ok());
    }
    let order = store.order("pl_short").await.map(|order| untimed(order.acts));
    assert_eq!(order, Ok(untimed(vec![created, copied.clone()])), "its own and its balance link's, oldest first");
    assert!(store.clear().await.is_ok());
    let kept = store.acts_about(vec!["pl_short".into()]).await.map(untimed);
    assert_eq!(kept, Ok(untimed(vec![copied])), "never cleared with the mirror");
}

/// Acts without their times: PostgreSQL dates an act by its own clock.
fn untimed(acts: Vec<crate::audit::Act>) -> Vec<crate::audit::Act> {
    acts.into_iter().map(|act| crate::audit::Act { at: chrono::DateTime::UNIX_EPOCH, ..act }).collect()
}

/// Claims, resolutions and notes: decided in the store's transaction (of
/// two claims at once, one wins and the other is told who has it), kept in
/// the record (a clear leaves them, an import adds nothing twice), and
/// applied to the case list (a resolved case leaves it, and comes back by
/// itself when its payments change).
pub async fn case_handling_is_decided_in_order_and_outlives_a_clear(store: Store) {
    use crate::audit::{Act, AuditQuery};
    use crate::cases::{CaseAct, handling::Basis};
    use crate::test_support::{dec, link, t0};
    let order =
        |id: &str| PaymentLink { amount: dec("75"), currency: "USDT".into(), status: LinkStatus::Paid, ..link(id) };
    let paid = |id: &str, on: &str, amount: &str| Transaction {
        payment_link_id: Some(on.into()),
        amount: dec(amount),
        currency: "USDT".into(),
        status: TransactionStatus::Settled,
        created_at: t0() - chrono::Duration::hours(2),
        ..txn(id)
    };
    let links = vec![order("pl_short"), order("pl_race")];
    let transactions = vec![paid("txn_short", "pl_short", "74.10"), paid("txn_race", "pl_race", "70")];
    assert!(store.save(Batch { links, transactions, ..Batch::default() }).await.is_ok());
    let now = chrono::Utc::now();
    let act = |agent: &str, what: CaseAct, on: &str, detail: &str| {
        Act::new(now, agent, Some("live"), what.name(), Some(on), detail.to_string())
    };
    let facts = |id: &'static str| {
        let store = store.clone();
        async move { store.order(id).await.map(|order| order.facts()).ok() }
    };
    let take = |act: Act, facts: Option<crate::cases::LinkFacts>| {
        let store = store.clone();
        async move {
            match store.act_on_case(act, facts).await {
                Ok(done) => done.map(|act| act.act),
                Err(err) => panic!("{err}"),
            }
        }
    };
    let listed = |handled: cases::Handled| {
        let store = store.clone();
        async move {
            let query = cases::CaseQuery { handled, ..case_query(t0()) };
            match store.cases(query).await {
                Ok(cases) => cases,
                Err(err) => panic!("{err}"),
            }
        }
    };
    // A claim, and a second one told who has it.
    assert_eq!(take(act("alice", CaseAct::Claim, "pl_short", ""), None).await, Ok(CaseAct::Claim.name().into()));
    let second = take(act("bob", CaseAct::Claim, "pl_short", ""), None).await;
    assert!(second.as_ref().is_err_and(|why| why.starts_with("claimed by alice ")), "{second:?}");
    let open = listed(cases::Handled::Open).await;
    let short = open.iter().find(|case| case.link_id == "pl_short").and_then(|case| case.claimed.clone());
    assert_eq!(short.map(|(by, _)| by), Some("alice".into()), "the list says who has it");
    let mine: Vec<String> = listed(cases::Handled::Mine("alice".into())).await.into_iter().map(|c| c.link_id).collect();
    assert_eq!(mine, ["pl_short"]);
    let unclaimed: Vec<String> = listed(cases::Handled::Unclaimed).await.into_iter().map(|c| c.link_id).collect();
    assert_eq!(unclaimed, ["pl_race"]);
    // Two claims at once: one wins, the other is told.
    let (one, two) = tokio::join!(
        take(act("alice", CaseAct::Claim, "pl_race", ""), None),
        take(act("bob", CaseAct::Claim, "pl_race", ""), None)
    );
    assert_eq!(usize::from(one.is_ok()) + usize::from(two.is_ok()), 1, "{one:?} {two:?}");
    assert!([one, two].iter().any(|r| r.as_ref().is_err_and(|why| why.starts_with("claimed by "))));
    // Resolved on the payments as they are: out of the list, found as resolved.
    let short_facts = facts("pl_short").await;
    let resolve = Act {
        basis: short_facts.as_ref().map(|f| Basis::of(f).to_json()),
        ..act("bob", CaseAct::Resolve, "pl_short", "customer accepted the shortfall")
    };
    assert!(take(resolve, short_facts).await.is_ok());
    assert!(!listed(cases::Handled::Open).await.iter().any(|case| case.link_id == "pl_short"));
    let resolved = listed(cases::Handled::Resolved).await;
    let reason = resolved.iter().find(|c| c.link_id == "pl_short").and_then(|c| c.resolved.clone()).map(|r| r.reason);
    assert_eq!(reason.as_deref(), Some("customer accepted the shortfall"));
    let zone = crate::zone::Zone::utc();
    let rules = crate::cases::CaseRules::default();
    let reading = super::super::Reading { zone: &zone, now: t0(), cases: &rules };
    let found = store.search(SearchQuery::parse_in("case:resolved", Kinds::Links, reading), 0, 10).await;
    assert_eq!(
        found.map(|page| page.hits.iter().map(|hit| hit.id().to_string()).collect::<Vec<_>>()).ok(),
        Some(vec!["pl_short".to_string()])
    );
    // A new payment: open again, saying why.
    assert!(
        store
            .save(Batch { transactions: vec![paid("txn_more", "pl_short", "0.40")], ..Batch::default() })
            .await
            .is_ok()
    );
    let open = listed(cases::Handled::Open).await;
    let reopened = open.iter().find(|case| case.link_id == "pl_short").and_then(|case| case.reopened.clone());
    assert_eq!(reopened.as_deref(), Some("received 74.1 → 74.5 USDT (1 → 2 payments on chain)"));
    let order = store.order("pl_short").await.unwrap_or_default();
    let story: Vec<String> = crate::cases::timeline(&order, &[]).into_iter().map(|m| m.what).collect();
    let said = "open again by itself: received 74.1 → 74.5 USDT (1 → 2 payments on chain)";
    assert!(story.iter().any(|what| what == said), "its reason in the timeline: {story:?}");
    // Notes in order; all of it outlives a clear, and an import adds nothing twice.
    assert!(take(act("alice", CaseAct::Note, "pl_short", "called the customer\nno answer"), None).await.is_ok());
    let everything = store.audit(AuditQuery { cases_only: true, ..AuditQuery::default() }).await;
    let Ok(everything) = everything else { panic!("{everything:?}") };
    assert_eq!(everything.len(), 4, "{everything:?}");
    assert!(store.clear().await.is_ok());
    let after = store.audit(AuditQuery { cases_only: true, ..AuditQuery::default() }).await;
    assert_eq!(after.as_ref().ok(), Some(&everything), "never cleared with the mirror");
    assert_eq!(store.import_acts(everything.clone()).await.ok(), Some(0), "nothing twice");
    let again = store.audit(AuditQuery { cases_only: true, ..AuditQuery::default() }).await;
    assert_eq!(again.ok(), Some(everything.clone()));
    let by_alice = store.audit(AuditQuery { agent: Some("alice".into()), ..AuditQuery::default() }).await;
    let hers: Vec<Act> = everything.into_iter().filter(|act| act.agent == "alice").collect();
    assert!(hers.len() >= 2, "her claim and her note: {hers:?}");
    assert_eq!(by_alice.ok(), Some(hers));
}
