//! The Overview's figures and the reconciliation report, computed by the
//! store from its running totals, against an independent computation here
//! from the sandbox's own data (read through its API, summed with Decimal).

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use pik_tui::api::{PaymentLink, Transaction, TransactionStatus, WebhookStatus};
use pik_tui::app::overview::{Period, period_query};
use pik_tui::sandbox::{SandboxConfig, SeedSizes};
use pik_tui::store::{Account, DateField, Place, ReportQuery, Store};
use pik_tui::sync::{Sync, SyncOptions};
use pik_tui::zone::Zone;
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
    // Today in two zones (one 5 h 45 min off UTC), yesterday, 7 days, and
    // 30 days of a zone that changed its clocks in them.
    for (zone, period) in [
        ("UTC", Period::Today),
        ("Asia/Kathmandu", Period::Today),
        ("Europe/Berlin", Period::Yesterday),
        ("UTC", Period::Week),
        ("America/New_York", Period::Month),
    ] {
        let zone = Zone::bundled(zone).unwrap_or_default();
        let query = period_query(&zone, period, now, pik_tui::cases::CaseRules::default());
        let (from, to) = (query.from, query.to);
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
        expected_currencies.extend(links.iter().filter(|l| during(l.created_at, from, to)).map(|l| l.currency.clone()));
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
            let created = links.iter().filter(|l| &l.currency == c && during(l.created_at, from, to)).count();
            let paid =
                links.iter().filter(|l| &l.currency == c && l.paid_at.is_some_and(|p| during(p, from, to))).count();
            assert_eq!((figures.links_created, figures.links_paid), (created as u64, paid as u64), "{c} links");
        }
        // Each bar: the settled volume of its local hour or day (up to now).
        // Early in a day nothing may have happened yet: no figures, no chart.
        let Some(currency) = overview.chart_currency.clone() else {
            assert!(overview.money.is_empty(), "figures from {from} but no chart currency");
            continue;
        };
        assert!(!overview.chart.is_empty());
        for (i, (start, volume)) in overview.chart.iter().enumerate() {
            let end = overview.chart.get(i + 1).map(|(next, _)| *next).unwrap_or(to);
            if period == Period::Month {
                assert_eq!(zone.format(*start, "%H:%M"), "00:00", "a day's bar starts at a local midnight");
            }
            let expected: Decimal = transactions
                .iter()
                .filter(|t| t.status == TransactionStatus::Settled && t.currency == currency)
                .filter(|t| {
                    let at = t.settled_at.unwrap_or(t.created_at);
                    *start <= at && at < end
                })
                .map(|t| t.amount)
                .sum();
            assert_eq!(*volume, expected, "{currency} bar at {start}");
        }
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cases_are_what_the_sandbox_s_rows_make_every_kind_of_them() {
    use pik_tui::cases::{CaseKind, CaseRules};
    let (sandbox, store, links, transactions) = mirrored().await;
    let now = Utc::now();
    let query = period_query(&Zone::utc(), Period::Today, now, CaseRules::default());
    let overview = match store.overview(query).await {
        Ok(overview) => overview,
        Err(err) => panic!("{err}"),
    };
    let shown: BTreeSet<(String, CaseKind)> = overview.cases.iter().map(|c| (c.link_id.clone(), c.kind)).collect();
    // Each link judged from the rows PIK's API gives.
    let expected: BTreeSet<(String, CaseKind)> = pik_tui::test_support::judged(&links, &transactions, now)
        .into_iter()
        .map(|case| (case.link_id, case.kind))
        .collect();
    for kind in CaseKind::ALL {
        assert!(expected.iter().any(|(_, k)| *k == kind), "the seed has no {kind:?} case");
    }
    assert_eq!(shown, expected);
    let hooks = match client(&sandbox).list_webhooks().await {
        Ok(page) => page.data,
        Err(err) => panic!("{err}"),
    };
    let disabled: Vec<String> =
        hooks.iter().filter(|h| h.status == WebhookStatus::Disabled).map(|h| h.id.clone()).collect();
    assert!(!disabled.is_empty(), "the seed disables a webhook");
    assert_eq!(overview.disabled.iter().map(|h| h.id.clone()).collect::<Vec<_>>(), disabled);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_is_exact_for_any_from_and_to_by_day_or_not() {
    let (sandbox, store, _, transactions) = mirrored().await;
    let now = Utc::now();
    let zones =
        ["UTC", "Europe/Berlin", "Asia/Kathmandu", "America/New_York"].map(|z| Zone::bundled(z).unwrap_or_default());
    // Edges inside 15-minute slots, so both the totals and the rows count.
    for (from, to) in [
        (now - Duration::days(9) - Duration::seconds(437), now - Duration::days(2) + Duration::seconds(61)),
        (now - Duration::days(31), now),
        (now - Duration::minutes(50), now - Duration::minutes(44)),
    ] {
        for date in DateField::ALL {
            for by_day in [None, Some(&zones[1]), Some(&zones[2]), Some(&zones[3]), Some(&zones[0])] {
                let query = ReportQuery { from, to, date, by_day: by_day.cloned() };
                let lines = match store.report(query).await {
                    Ok(lines) => lines,
                    Err(err) => panic!("{err}"),
                };
                let mut expected: BTreeMap<(Option<chrono::NaiveDate>, String, String), (u64, Decimal)> =
                    BTreeMap::new();
                for t in &transactions {
                    let time = match date {
                        DateField::Created => Some(t.created_at),
                        DateField::Confirmed => t.confirmed_at,
                        DateField::Settled => t.settled_at,
                    };
                    let Some(time) = time.filter(|at| within(*at, from, to)) else { continue };
                    let day = by_day.map(|zone| zone.date_of(time));
                    let entry = expected.entry((day, t.currency.clone(), t.status.as_str().to_string())).or_default();
                    entry.0 += 1;
                    entry.1 += t.amount;
                }
                let got: BTreeMap<_, _> =
                    lines.into_iter().map(|l| ((l.day, l.currency, l.status), (l.count, l.amount))).collect();
                let zone = by_day.map(Zone::name);
                assert_eq!(got, expected, "{from} to {to}, {date:?}, by day in {zone:?}");
            }
        }
    }
    sandbox.shutdown().await;
}
