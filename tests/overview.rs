//! The Overview's figures and the reconciliation report, computed by the
//! store from its running totals, against an independent computation here
//! from the sandbox's own data (read through its API, summed with Decimal).

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use pik_tui::api::{PaymentLink, Transaction, TransactionStatus, WebhookStatus};
use pik_tui::app::overview::local_midnight;
use pik_tui::sandbox::{SandboxConfig, SeedSizes};
use pik_tui::store::{Account, Attention, OverviewQuery, Place, Step, Store, Thresholds};
use pik_tui::sync::{Sync, SyncOptions};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// A frozen sandbox (nothing moves while the test compares) mirrored whole.
async fn mirrored() -> (pik_tui::sandbox::Sandbox, Store, Vec<PaymentLink>, Vec<Transaction>) {
    let sandbox = start(SandboxConfig {
        activity: false,
        speed: 0.0,
        rate_limit_per_sec: None,
        sizes: SeedSizes { links: 600, transactions: 2500, webhooks: 3 },
        ..SandboxConfig::default()
    })
    .await;
    let client = client(&sandbox);
    let account = Account::new(&sandbox.base_url(), &pik_tui::api::ApiKey::new(pik_tui::sandbox::DEMO_KEY));
    let store = match Store::open(Place::Memory, &account) {
        Ok(opened) => opened.store,
        Err(err) => panic!("{err}"),
    };
    let (mut sync, _) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
    if let Err(err) = sync.catch_up().await {
        panic!("sync: {err}");
    }
    let (links, transactions) = truth(&client).await;
    (sandbox, store, links, transactions)
}

fn within(at: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    from <= at && at <= to
}

/// In a period, whose end is exclusive.
fn during(at: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    from <= at && at < to
}

/// (count, sum) per currency of the transactions that pass `keep`.
fn sums(transactions: &[Transaction], keep: impl Fn(&Transaction) -> bool) -> BTreeMap<String, (u64, Decimal)> {
    let mut out: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
    for txn in transactions.iter().filter(|t| keep(t)) {
        let entry = out.entry(txn.currency.clone()).or_default();
        entry.0 += 1;
        entry.1 += txn.amount;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_figures_match_the_sandboxs_own_data_summed_with_decimal() {
    let (sandbox, store, links, transactions) = mirrored().await;
    let now = Utc::now();
    // The data must be worth comparing: three currencies at least, every status.
    let currencies: BTreeSet<&str> = transactions.iter().map(|t| t.currency.as_str()).collect();
    assert!(currencies.len() >= 3, "{currencies:?}");
    for status in [
        TransactionStatus::Pending,
        TransactionStatus::Confirmed,
        TransactionStatus::Settled,
        TransactionStatus::Failed,
    ] {
        assert!(transactions.iter().any(|t| t.status == status), "no {status:?} payment");
    }
    // Today in two zones (one 5 h 45 min off UTC), 7 days and 30 days.
    for (offset, days_back, step) in
        [(0, 0, Step::Hour), (20_700, 0, Step::Hour), (0, 6, Step::Day), (-18_000, 29, Step::Day)]
    {
        let (from, to) = (local_midnight(now, offset, days_back), local_midnight(now, offset, -1));
        let query = OverviewQuery { from, to, now, step, chart_currency: None, thresholds: Thresholds::default() };
        let overview = match store.overview(query.clone()).await {
            Ok(overview) => overview,
            Err(err) => panic!("{err}"),
        };
        let settled = sums(&transactions, |t| {
            t.status == TransactionStatus::Settled && during(t.settled_at.unwrap_or(t.created_at), from, to)
        });
        let made = |status: TransactionStatus| {
            sums(&transactions, move |t| t.status == status && during(t.created_at, from, to))
        };
        let (confirmed, pending, failed) =
            (made(TransactionStatus::Confirmed), made(TransactionStatus::Pending), made(TransactionStatus::Failed));
        let mut expected_currencies: BTreeSet<String> = BTreeSet::new();
        for map in [&settled, &confirmed, &pending, &failed] {
            expected_currencies.extend(map.keys().cloned());
        }
        expected_currencies
            .extend(links.iter().filter(|l| within(l.created_at, from, now)).map(|l| l.currency.clone()));
        let shown: BTreeSet<String> = overview.money.iter().map(|m| m.currency.clone()).collect();
        assert_eq!(shown, expected_currencies, "currencies from {from}");
        for figures in &overview.money {
            let c = &figures.currency;
            let pair = |f: pik_tui::store::Figure| (f.count, f.amount);
            let get = |map: &BTreeMap<String, (u64, Decimal)>| map.get(c).copied().unwrap_or_default();
            assert_eq!(pair(figures.settled), get(&settled), "{c} settled from {from}");
            assert_eq!(pair(figures.confirmed), get(&confirmed), "{c} confirmed from {from}");
            assert_eq!(pair(figures.pending), get(&pending), "{c} pending from {from}");
            assert_eq!(pair(figures.failed), get(&failed), "{c} failed from {from}");
            let created = links.iter().filter(|l| &l.currency == c && within(l.created_at, from, now)).count();
            let paid =
                links.iter().filter(|l| &l.currency == c && l.paid_at.is_some_and(|p| within(p, from, now))).count();
            assert_eq!((figures.links_created, figures.links_paid), (created as u64, paid as u64), "{c} links");
        }
        // Each bar: the settled volume of its hour or day.
        let Some(currency) = overview.chart_currency.clone() else { panic!("no chart currency from {from}") };
        let width = match step {
            Step::Hour => Duration::hours(1),
            Step::Day => Duration::days(1),
        };
        assert!(!overview.chart.is_empty());
        for (start, volume) in &overview.chart {
            let expected: Decimal = transactions
                .iter()
                .filter(|t| t.status == TransactionStatus::Settled && t.currency == currency)
                .filter(|t| {
                    let at = t.settled_at.unwrap_or(t.created_at);
                    *start <= at && at < *start + width
                })
                .map(|t| t.amount)
                .sum();
            assert_eq!(*volume, expected, "{currency} bar at {start}");
        }
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attention_lists_what_the_sandbox_holds_stuck() {
    let (sandbox, store, links, transactions) = mirrored().await;
    let now = Utc::now();
    let (from, to) = (local_midnight(now, 0, 0), local_midnight(now, 0, -1));
    let thresholds = Thresholds::default();
    let query = OverviewQuery { from, to, now, step: Step::Hour, chart_currency: None, thresholds };
    let overview = match store.overview(query).await {
        Ok(overview) => overview,
        Err(err) => panic!("{err}"),
    };
    let mut shown: BTreeSet<(String, String)> = BTreeSet::new();
    for item in &overview.attention {
        let (kind, id) = match item {
            Attention::PendingTooLong(t) => ("pending", t.id.clone()),
            Attention::NotSettled(t) => ("not settled", t.id.clone()),
            Attention::Failed(t) => ("failed", t.id.clone()),
            Attention::ExpiredWithPayment { payment, .. } => ("expired link", payment.id.clone()),
            Attention::WebhookDisabled(hook) => ("webhook", hook.id.clone()),
        };
        shown.insert((kind.to_string(), id));
    }
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for t in &transactions {
        let link = links.iter().find(|l| Some(&l.id) == t.payment_link_id.as_ref());
        let open = matches!(t.status, TransactionStatus::Pending | TransactionStatus::Confirmed);
        // One row an object: a payment on an expired link is listed as that.
        if open && link.is_some_and(|l| l.status == pik_tui::api::LinkStatus::Expired) {
            expected.insert(("expired link".into(), t.id.clone()));
            continue;
        }
        if t.status == TransactionStatus::Pending && now - t.created_at > thresholds.pending_after {
            expected.insert(("pending".into(), t.id.clone()));
        }
        if t.status == TransactionStatus::Confirmed
            && now - t.confirmed_at.unwrap_or(t.created_at) > thresholds.settle_after
        {
            expected.insert(("not settled".into(), t.id.clone()));
        }
        if t.status == TransactionStatus::Failed && during(t.created_at, from, to) {
            expected.insert(("failed".into(), t.id.clone()));
        }
    }
    let hooks = match client(&sandbox).list_webhooks().await {
        Ok(page) => page.data,
        Err(err) => panic!("{err}"),
    };
    for hook in hooks.iter().filter(|h| h.status == WebhookStatus::Disabled) {
        expected.insert(("webhook".into(), hook.id.clone()));
    }
    // The seeded data has one of each kind.
    for kind in ["pending", "not settled", "failed", "expired link", "webhook"] {
        assert!(expected.iter().any(|(k, _)| k == kind), "the seed has no {kind}");
    }
    assert_eq!(shown, expected);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_is_exact_for_any_from_and_to_by_day_or_not() {
    let (sandbox, store, _, transactions) = mirrored().await;
    let now = Utc::now();
    // Edges inside 15-minute slots, so both the totals and the rows count.
    for (from, to) in [
        (now - Duration::days(9) - Duration::seconds(437), now - Duration::days(2) + Duration::seconds(61)),
        (now - Duration::days(31), now),
        (now - Duration::minutes(50), now - Duration::minutes(44)),
    ] {
        for by_day in [false, true] {
            let lines = match store.report(from, to, by_day).await {
                Ok(lines) => lines,
                Err(err) => panic!("{err}"),
            };
            let mut expected: BTreeMap<(Option<chrono::NaiveDate>, String, String), (u64, Decimal)> = BTreeMap::new();
            for t in transactions.iter().filter(|t| within(t.created_at, from, to)) {
                let day = by_day.then(|| t.created_at.date_naive());
                let entry = expected.entry((day, t.currency.clone(), t.status.as_str().to_string())).or_default();
                entry.0 += 1;
                entry.1 += t.amount;
            }
            let got: BTreeMap<_, _> =
                lines.into_iter().map(|l| ((l.day, l.currency, l.status), (l.count, l.amount))).collect();
            assert_eq!(got, expected, "{from} to {to}, by day {by_day}");
        }
    }
    sandbox.shutdown().await;
}
