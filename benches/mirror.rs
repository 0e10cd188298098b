//! The mirror's figures, each printed beside its target; nothing asserted.
//! `cargo bench --bench mirror` (several minutes: it builds a mirror of
//! 1,000,000 transactions and 300,000 links first).
//!
//! 1. search p50/p95 per kind of query, beside a linear scan in memory;
//!    a window of the Transactions pane under each sort order, p95;
//! 2. store size per million transactions;
//! 3. sync throughput against a sandbox with a known rate limit;
//! 4. dashboard memory with the 1,000,000-row mirror;
//! 5. cold start to the first frame with data, PIK answering after 2 s;
//! 6. the Overview computed over the 1,000,000 transactions;
//! 7. export of the 1,000,000 transactions to CSV (and JSON Lines);
//! 8. cases: the list on that mirror, a save with and without case upkeep,
//!    and the cases of the demo (`cargo bench --bench mirror -- cases`: these
//!    alone, on the same mirror).

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

use chrono::{Duration as Span, TimeZone, Utc};
use pik_tui::api::{
    ApiKey, Client, ClientConfig, LinkStatus, PaymentLink, RetryPolicy, Transaction, TransactionStatus,
};
use pik_tui::export::{self, Destination, Format};
use pik_tui::sandbox::{self, SandboxConfig, SeedSizes};
use pik_tui::store::{
    Account, Anchor, Batch, Kinds, ListQuery, OverviewQuery, Place, SearchQuery, Selection, Sort, SortColumn, Step,
    Store, WindowAsk, Windowed,
};
use pik_tui::sync::{Sync, SyncOptions};
use rust_decimal::Decimal;
use std::time::{Duration, Instant};

const LINKS: usize = 300_000;
const TRANSACTIONS: usize = 1_000_000;

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => panic!("runtime: {err}"),
    }
}

fn print(name: &str, measured: String, target: &str) {
    println!("{name:<58} {measured:<52} {target}");
}

/// What happens to an order in the large account: most are paid once,
/// exactly, some after failed attempts; a few go wrong, each way a case can.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Paid,
    Open,
    Underpaid,
    Overpaid,
    PaidTwice,
    PaidLate,
    Pending,
    NotCredited,
    FailedNeverPaid,
}

fn fate(rng: &mut fastrand::Rng, n: usize) -> Fate {
    if n + 200 > LINKS {
        return Fate::Open;
    }
    // Per 10,000 orders: about 1 % go wrong, as a gateway sees.
    match rng.u32(..10_000) {
        0..30 => Fate::Underpaid,
        30..40 => Fate::Overpaid,
        40..50 => Fate::PaidTwice,
        50..60 => Fate::PaidLate,
        60..65 => Fate::Pending,
        65..70 => Fate::NotCredited,
        70..90 => Fate::FailedNeverPaid,
        _ => Fate::Paid,
    }
}

/// The rows of a large account, as PIK would list them: each order's
/// payments come after it, failed attempts before the one that went through.
fn account(rng: &mut fastrand::Rng) -> (Vec<PaymentLink>, Vec<Transaction>) {
    let start = Utc.with_ymd_and_hms(2025, 11, 1, 0, 0, 0).single().unwrap_or_default();
    let words = ["Order #", "Invoice ", "Subscription ", "Consulting ", "Hosting renewal #", "Ticket ", "Café order "];
    let currencies = ["USDT", "USDT", "USDT", "USDC", "USDC", "BTC", "ETH"];
    let fates: Vec<Fate> = (0..LINKS).map(|n| fate(rng, n)).collect();
    let links: Vec<PaymentLink> = (0..LINKS)
        .map(|n| {
            let currency = currencies[rng.usize(..currencies.len())];
            let amount = Decimal::new(rng.i64(100..250_000), 2);
            let at = start + Span::seconds(n as i64 * 100 - rng.i64(1..100));
            PaymentLink {
                id: format!("pl_{}", rand_id(rng)),
                url: None,
                amount,
                currency: currency.into(),
                description: Some(format!("{}{}", words[rng.usize(..words.len())], rng.u32(1000..99_999))),
                status: match fates[n] {
                    Fate::Open | Fate::Pending => LinkStatus::Active,
                    Fate::PaidLate | Fate::FailedNeverPaid => LinkStatus::Expired,
                    _ => LinkStatus::Paid,
                },
                created_at: at,
                paid_at: None,
                expires_at: None,
            }
        })
        .collect();
    let transactions = (0..TRANSACTIONS)
        .map(|n| {
            // The transactions fall to the orders in turn, about 3.3 each.
            let order = n * LINKS / TRANSACTIONS;
            let last = (n + 1) * LINKS / TRANSACTIONS != order;
            let (link, fate) = (&links[order], fates[order]);
            // Every 30 s one; an order's come after it (order n·0.3 was made at n·30 s).
            let at = start + Span::seconds(n as i64 * 30 + rng.i64(0..30));
            let (status, amount) = match (fate, last) {
                (Fate::Open | Fate::FailedNeverPaid, _) | (_, false) => (TransactionStatus::Failed, link.amount),
                (Fate::Underpaid, true) => (
                    TransactionStatus::Settled,
                    link.amount - Decimal::new(rng.i64(1..500), 2).min(link.amount - Decimal::new(1, 2)),
                ),
                (Fate::Overpaid, true) => (TransactionStatus::Settled, link.amount + Decimal::new(rng.i64(1..500), 2)),
                (Fate::Pending, true) => (TransactionStatus::Pending, link.amount),
                (Fate::NotCredited, true) => (TransactionStatus::Confirmed, link.amount),
                (Fate::Paid | Fate::PaidTwice | Fate::PaidLate, true) => (TransactionStatus::Settled, link.amount),
            };
            // Paid twice: the attempt before the last went through too.
            let second_to_last = (n + 2) * LINKS / TRANSACTIONS != order && !last;
            let status = if fate == Fate::PaidTwice && second_to_last { TransactionStatus::Settled } else { status };
            let on_chain = matches!(status, TransactionStatus::Settled | TransactionStatus::Confirmed);
            let settled = status == TransactionStatus::Settled;
            Transaction {
                id: format!("txn_{}", rand_id(rng)),
                payment_link_id: Some(link.id.clone()),
                amount,
                currency: link.currency.clone(),
                tx_hash: on_chain.then(|| format!("0x{}", (0..64).map(|_| rng.hexdigit()).collect::<String>())),
                status,
                created_at: at,
                confirmed_at: on_chain.then_some(at + Span::seconds(30)),
                settled_at: settled.then_some(at + Span::seconds(90)),
            }
        })
        .collect();
    (links, transactions)
}

trait Hex {
    fn hexdigit(&mut self) -> char;
}

impl Hex for fastrand::Rng {
    fn hexdigit(&mut self) -> char {
        char::from_digit(self.u32(..16), 16).unwrap_or('0')
    }
}

fn rand_id(rng: &mut fastrand::Rng) -> String {
    (0..12).map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.usize(..36)])).collect()
}

/// Writes the rows through the store, 10,000 a batch.
async fn fill(store: &Store, links: &[PaymentLink], transactions: &[Transaction]) {
    for chunk in links.chunks(10_000) {
        let batch = Batch { links: chunk.to_vec(), ..Batch::default() };
        store.save(batch).await.unwrap_or_else(|e| panic!("{e}"));
    }
    for chunk in transactions.chunks(10_000) {
        let batch = Batch { transactions: chunk.to_vec(), ..Batch::default() };
        store.save(batch).await.unwrap_or_else(|e| panic!("{e}"));
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// 1b. The same rows and the same questions on PostgreSQL (the test
/// cluster: initdb in a temp folder), each kind's p95 beside SQLite's.
fn postgres_search(
    runtime: &tokio::runtime::Runtime,
    links: &[PaymentLink],
    transactions: &[Transaction],
    questions: &[(&str, Vec<(String, Kinds)>)],
    sqlite_p95: &[Duration],
) {
    let Some(cluster) = pik_tui::test_cluster::cluster() else {
        println!("search on PostgreSQL: skipped (PostgreSQL is not installed)");
        return;
    };
    let url = cluster.database("bench");
    let Ok(target) = pik_tui::store::postgres::Target::parse(&url, pik_tui::store::postgres::Given::ConfigFile) else {
        panic!("the cluster's URL")
    };
    let account = Account::new("http://127.0.0.1/v1", &ApiKey::new(sandbox::DEMO_KEY));
    let store = match runtime.block_on(Store::open_place(Place::Postgres(target), &account)) {
        Ok(opened) => opened.store,
        Err(err) => panic!("{err}"),
    };
    let loaded = Instant::now();
    runtime.block_on(fill(&store, links, transactions));
    let rows = links.len() + transactions.len();
    let seconds = loaded.elapsed().as_secs_f64();
    print(
        "PostgreSQL: the same rows written through the store",
        format!("{:.0} s ({:.0} rows/s)", seconds, rows as f64 / seconds),
        "printed",
    );
    // Statistics for the planner, as autovacuum would gather soon after a load.
    if let Some(shared) = store.shared() {
        runtime.block_on(shared.analyze()).unwrap_or_else(|e| panic!("{e}"));
    }
    for ((name, asked), sqlite) in questions.iter().zip(sqlite_p95) {
        let mut times = Vec::new();
        for (text, kind) in asked {
            let started = Instant::now();
            let page = runtime.block_on(store.search(SearchQuery::parse(text, *kind), 0, 50));
            times.push(started.elapsed());
            if page.is_err() {
                println!("search failed: {page:?}");
            }
        }
        times.sort();
        print(
            &format!("search p50 / p95 on PostgreSQL: {name}"),
            format!(
                "{} / {}   (SQLite p95: {})",
                millis(percentile(&times, 0.5)),
                millis(percentile(&times, 0.95)),
                millis(*sqlite)
            ),
            "p95 ≤ 30 ms",
        );
    }
}

/// Reads a list a window at a time, `steps` windows down by cursor, as a
/// pane does: the first counted (a new list), and a counted re-read at each
/// place (as a notice causes); prints the times beside the target.
fn time_windows(runtime: &tokio::runtime::Runtime, store: &Store, name: &str, query: ListQuery, steps: usize) {
    let mut scrolled = Vec::new();
    let mut counted = Vec::new();
    let mut anchor = Anchor::First;
    for step in 0..steps {
        let ask = WindowAsk { query: query.clone(), anchor: anchor.clone(), limit: 150, count: step == 0 };
        let started = Instant::now();
        let read = runtime.block_on(store.window(ask));
        if step == 0 {
            counted.push(started.elapsed())
        } else {
            scrolled.push(started.elapsed())
        }
        let again = WindowAsk { query: query.clone(), anchor: anchor.clone(), limit: 150, count: true };
        let started = Instant::now();
        assert!(runtime.block_on(store.window(again)).is_ok());
        counted.push(started.elapsed());
        let last = match read {
            Ok(Windowed::Links(window)) => window.rows.last().map(|(cursor, _)| cursor.clone()),
            Ok(Windowed::Transactions(window)) => window.rows.last().map(|(cursor, _)| cursor.clone()),
            Err(err) => panic!("window: {err}"),
        };
        match last {
            Some(cursor) => anchor = Anchor::From(cursor),
            None => break,
        }
    }
    scrolled.sort();
    counted.sort();
    let p = |times: &[Duration], at: f64| if times.is_empty() { "—".into() } else { millis(percentile(times, at)) };
    print(
        name,
        format!(
            "p95 {} scrolling, {} counted (p50 {} / {})",
            p(&scrolled, 0.95),
            p(&counted, 0.95),
            p(&scrolled, 0.5),
            p(&counted, 0.5)
        ),
        "p95 ≤ 20 ms",
    );
}

/// A saved view's list: filters and a word (matched by the search index).
fn view_windows(runtime: &tokio::runtime::Runtime, store: &Store) {
    for (name, text) in [("a view: status and a word", "status:active order"), ("a view: a word alone", "renewal")] {
        let query = ListQuery { filter: SearchQuery::parse(text, Kinds::Links), sort: Sort::default() };
        time_windows(runtime, store, &format!("window of 150, 300k links, {name}"), query, 30);
    }
}

fn main() {
    let runtime = runtime();
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("{err}"),
    };
    // The sandbox the dashboard will talk to; the mirror is built for its account.
    let small = runtime.block_on(async {
        let config = SandboxConfig {
            activity: false,
            speed: 0.0,
            rate_limit_per_sec: None,
            sizes: SeedSizes { links: 300, transactions: 1000, webhooks: 3 },
            ..SandboxConfig::default()
        };
        sandbox::start(config).await.unwrap_or_else(|e| panic!("{e}"))
    });
    let key = ApiKey::new(sandbox::DEMO_KEY);
    let path = dir.path().join("large.sqlite");
    let store = match Store::open(Place::File(path.clone()), &Account::new(&small.base_url(), &key)) {
        Ok(opened) => opened.store,
        Err(err) => panic!("{err}"),
    };
    let mut rng = fastrand::Rng::with_seed(7);
    let (links, transactions) = account(&mut rng);
    let built = Instant::now();
    runtime.block_on(async {
        fill(&store, &links, &transactions).await;
        // Marked as synced, as a mirror in daily use is.
        let state = pik_tui::sync::SyncState {
            links: serde_json::from_value(serde_json::json!({"offset": LINKS, "total": LINKS, "done": true}))
                .unwrap_or_default(),
            transactions: serde_json::from_value(serde_json::json!({"skip": 0, "total": TRANSACTIONS, "done": true}))
                .unwrap_or_default(),
            synced_at: Some(Utc::now()),
            repaired: None,
        };
        let batch = Batch { state: Some(("sync".into(), state.to_json())), ..Batch::default() };
        store.save(batch).await.unwrap_or_else(|e| panic!("{e}"));
    });
    println!(
        "built a mirror of {LINKS} links and {TRANSACTIONS} transactions in {:.0} s\n",
        built.elapsed().as_secs_f64()
    );
    println!("{:<58} {:<52} target", "figure", "measured");
    let last_day = transactions.iter().map(|t| t.created_at).max().unwrap_or_default();
    // `cargo bench --bench mirror -- cases`: the case figures alone.
    if std::env::args().any(|arg| arg == "cases") {
        cases(&runtime, &store, &links, last_day);
        return;
    }
    // `cargo bench --bench mirror -- views`: the saved views' figures alone.
    if std::env::args().any(|arg| arg == "views") {
        view_windows(&runtime, &store);
        return;
    }

    // `cargo bench --bench mirror -- dashboard`: its first frame and memory alone.
    let dashboard_only = std::env::args().any(|arg| arg == "dashboard");
    if !dashboard_only {
        // 1. Search, per kind of query: 200 queries each, from the data itself.
        let settled: Vec<&Transaction> = transactions.iter().filter(|t| t.tx_hash.is_some()).collect();
        type Pick<'a> = Box<dyn Fn(&mut fastrand::Rng) -> (String, Kinds) + 'a>;
        let kinds: Vec<(&str, Pick)> = vec![
            ("id prefix", Box::new(|r| (links[r.usize(..LINKS)].id[..8].to_string(), Kinds::Both))),
            (
                "description words",
                Box::new(|r| (links[r.usize(..LINKS)].description.clone().unwrap_or_default(), Kinds::Links)),
            ),
            ("amount", Box::new(|r| (links[r.usize(..LINKS)].amount.to_string(), Kinds::Both))),
            (
                "tx hash prefix",
                Box::new(|r| {
                    (
                        settled[r.usize(..settled.len())].tx_hash.clone().unwrap_or_default()[..8].to_string(),
                        Kinds::Transactions,
                    )
                }),
            ),
            (
                "combined filters",
                Box::new(|r| {
                    let currency = ["USDT", "USDC", "BTC", "ETH"][r.usize(..4)];
                    (
                        format!("status:settled currency:{currency} amount:>=1000 from:2026-0{}-01", r.u32(1..9)),
                        Kinds::Transactions,
                    )
                }),
            ),
        ];
        // The same questions for both backends.
        let questions: Vec<(&str, Vec<(String, Kinds)>)> =
            kinds.iter().map(|(name, pick)| (*name, (0..200).map(|_| pick(&mut rng)).collect())).collect();
        let mut sqlite_p95 = Vec::new();
        for (name, asked) in &questions {
            let mut times = Vec::new();
            let mut scans = Vec::new();
            for (i, (text, kind)) in asked.iter().enumerate() {
                let query = SearchQuery::parse(text, *kind);
                let started = Instant::now();
                let page = runtime.block_on(store.search(query, 0, 50));
                times.push(started.elapsed());
                if page.is_err() {
                    println!("search failed: {page:?}");
                }
                // The same question asked of the rows in memory, one by one.
                if i < 20 {
                    let needle = text.to_lowercase();
                    let started = Instant::now();
                    let found = links
                        .iter()
                        .filter(|l| {
                            l.id.starts_with(&needle)
                                || l.description.as_deref().is_some_and(|d| d.to_lowercase().contains(&needle))
                        })
                        .count()
                        + transactions
                            .iter()
                            .filter(|t| {
                                t.id.starts_with(&needle)
                                    || t.tx_hash.as_deref().is_some_and(|h| h.starts_with(&needle))
                                    || t.amount.to_string() == needle
                            })
                            .count();
                    std::hint::black_box(found);
                    scans.push(started.elapsed());
                }
            }
            times.sort();
            scans.sort();
            sqlite_p95.push(percentile(&times, 0.95));
            print(
                &format!("search p50 / p95: {name}"),
                format!(
                    "{} / {}   (scan in memory: {})",
                    millis(percentile(&times, 0.5)),
                    millis(percentile(&times, 0.95)),
                    millis(percentile(&scans, 0.5))
                ),
                "p95 ≤ 20 ms",
            );
        }
        postgres_search(&runtime, &links, &transactions, &questions, &sqlite_p95);

        // 6. The Overview: today, 7 and 30 days ending on the data's last day.
        let zone = pik_tui::zone::Zone::utc();
        let today = zone.date_of(last_day);
        for (name, days, step) in [("today", 1, Step::Hour), ("7 days", 7, Step::Day), ("30 days", 30, Step::Day)] {
            let first = today - chrono::Duration::days(days - 1);
            let query =
                OverviewQuery::days(&zone, (first, today), last_day, step, pik_tui::cases::CaseRules::default());
            let query = OverviewQuery { now: query.to, ..query };
            let mut times = Vec::new();
            for _ in 0..50 {
                let started = Instant::now();
                let computed = runtime.block_on(store.overview(query.clone()));
                times.push(started.elapsed());
                if let Err(err) = computed {
                    println!("overview failed: {err}");
                }
            }
            times.sort();
            print(
                &format!("Overview over 1,000,000 transactions, p50 / p95: {name}"),
                format!("{} / {}", millis(percentile(&times, 0.5)), millis(percentile(&times, 0.95))),
                "≤ 50 ms",
            );
        }

        // 8. Cases: the list on this mirror, the upkeep's share of a save, the demo's.
        cases(&runtime, &store, &links, last_day);

        // 7. Export every transaction.
        for format in [Format::Csv, Format::Jsonl] {
            let out = dir.path().join(format!("all.{}", format.extension()));
            let destination = Destination::File { path: out.clone(), overwrite: true };
            let selection = Selection::Filter(SearchQuery::everything(Kinds::Transactions));
            let started = Instant::now();
            let exported = runtime.block_on(export::from_store(&store, selection, format, &destination, |_, _| {}));
            let seconds = started.elapsed().as_secs_f64();
            match exported {
                Ok(exported) => print(
                    &format!("export of {} rows to {}", exported.rows, format.extension().to_uppercase()),
                    format!(
                        "{:.0} rows/s ({:.1} s, {:.0} MB)",
                        exported.rows as f64 / seconds,
                        seconds,
                        std::fs::metadata(&out).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
                    ),
                    if format == Format::Csv { "≥ 200,000 rows/s" } else { "printed" },
                ),
                Err(err) => println!("export failed: {err}"),
            }
            let _ = std::fs::remove_file(&out);
        }

        // 1b. A window of the Transactions pane under each sort order: the first
        // one (counted, as a new list is), then 60 scrolled down by cursor, and
        // a counted re-read at each place (as a notice causes).
        for column in SortColumn::TRANSACTIONS {
            for descending in [true, false] {
                let sort = Sort { column: *column, descending };
                let query = ListQuery { filter: SearchQuery::everything(Kinds::Transactions), sort };
                let name = format!("window of 150, 1M transactions, sorted by {}", sort.words());
                time_windows(&runtime, &store, &name, query, 60);
            }
        }
    }

    // 2. Size, once the write-ahead log is in the file.
    if let Err(err) = runtime.block_on(store.checkpoint()) {
        println!("checkpoint failed: {err}");
    }
    let bytes = runtime.block_on(store.stats()).ok().and_then(|s| s.bytes).unwrap_or(0);
    print(
        "store size per million transactions (with 300,000 links)",
        format!("{:.0} MB ({:.0} MB in all)", bytes as f64 / 1e6 / (TRANSACTIONS as f64 / 1e6), bytes as f64 / 1e6),
        "printed",
    );
    drop(store);

    // 4 and 5. The dashboard on that mirror: first frame, then memory.
    let slow = runtime.block_on(async {
        let faults = serde_json::json!({"latency_ms": 2000, "methods": ["GET"]});
        let url = format!("{}/faults", small.control_url());
        reqwest::Client::new().put(url).json(&faults).send().await.map(|_| ())
    });
    if slow.is_err() {
        println!("could not slow the sandbox down");
    }
    let store_arg = path.display().to_string();
    let mut starts = Vec::new();
    let mut hwm = 0;
    for round in 0..5 {
        let started = Instant::now();
        let mut session = pty::Session::start_with(
            None,
            &["--base-url", &small.base_url(), "--store", &store_arg],
            120,
            40,
            &[("PIK_API_KEY", sandbox::DEMO_KEY)],
        );
        while !session.contents().contains("pl_") && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(1));
        }
        starts.push(started.elapsed());
        if round == 4 {
            // A minute of use: PIK's answers, a search, a scroll.
            std::thread::sleep(Duration::from_secs(5));
            session.send("/");
            session.send("order 4711");
            std::thread::sleep(Duration::from_secs(2));
            session.send("\u{1b}");
            for _ in 0..20 {
                session.send("\u{1b}[6~");
                std::thread::sleep(Duration::from_millis(100));
            }
            session.send("2");
            for _ in 0..6 {
                session.send(">");
                std::thread::sleep(Duration::from_millis(300));
                session.send("G");
                std::thread::sleep(Duration::from_millis(300));
            }
            std::thread::sleep(Duration::from_secs(5));
            let pid = session.program_pid().unwrap_or(0);
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            hwm = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
        session.send("q");
        session.wait_exit();
    }
    starts.sort();
    print(
        "cold start to first frame with data, 1M mirror, PIK at 2 s",
        format!("{} median of 5 (min {}, max {})", millis(starts[2]), millis(starts[0]), millis(starts[4])),
        "≤ 60 ms",
    );
    print(
        "dashboard VmHWM with the 1M-row mirror (search, scroll, sort)",
        format!("{:.1} MB", hwm as f64 / 1024.0),
        "≤ 40 MB",
    );
    drop(small);
    if dashboard_only {
        return;
    }

    // 3. Sync throughput: a sandbox of 100,000 links and 300,000 transactions
    // allowing 50 requests a second; the sync allowed the same.
    let rate = 50.0;
    let big = runtime.block_on(async {
        let config = SandboxConfig {
            activity: false,
            speed: 0.0,
            rate_limit_per_sec: Some(rate * 1.2),
            sizes: SeedSizes { links: 100_000, transactions: 300_000, webhooks: 3 },
            ..SandboxConfig::default()
        };
        sandbox::start(config).await.unwrap_or_else(|e| panic!("{e}"))
    });
    let mut config = ClientConfig::new(big.base_url(), ApiKey::new(sandbox::DEMO_KEY));
    config.max_requests_per_sec = rate;
    config.burst = 1;
    config.retry = RetryPolicy::default();
    let client = Client::new(config).unwrap_or_else(|e| panic!("{e}"));
    let mirror = Store::open(Place::File(dir.path().join("sync.sqlite")), &Account::new(&big.base_url(), &key))
        .unwrap_or_else(|e| panic!("{e}"))
        .store;
    let (mut sync, _) = Sync::new(client, mirror, SyncOptions::default());
    let started = Instant::now();
    let done = runtime.block_on(sync.backfill());
    let seconds = started.elapsed().as_secs_f64();
    let rows = 400_000.0;
    let ceiling = rate * 100.0;
    print(
        "sync throughput: 100,000 links + 300,000 transactions",
        format!(
            "{:.0} rows/s = {:.0} % of the ceiling {ceiling:.0} ({rate} requests/s × 100){}",
            rows / seconds,
            rows / seconds / ceiling * 100.0,
            if done.is_ok() { "" } else { " FAILED" }
        ),
        "≥ 90 % of the ceiling",
    );
}

/// The case figures: the list on the large mirror, a save of 100 payments
/// with case upkeep against the same save without it, and what the demo shows.
fn cases(runtime: &tokio::runtime::Runtime, store: &Store, links: &[PaymentLink], last_day: chrono::DateTime<Utc>) {
    use pik_tui::store::cases::{CaseOrder, CaseQuery};
    let query = CaseQuery {
        rules: pik_tui::cases::CaseRules::default(),
        now: last_day + Span::days(1),
        kind: None,
        order: CaseOrder::Oldest,
        handled: Default::default(),
    };
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..50 {
        let started = Instant::now();
        let listed = runtime.block_on(store.cases(query.clone()));
        times.push(started.elapsed());
        found = listed.map(|cases| cases.len()).unwrap_or_else(|e| panic!("{e}"));
    }
    times.sort();
    print(
        "case list, 1M transactions + 300k links, p50 / p95",
        format!("{} / {} ({found} cases)", millis(percentile(&times, 0.5)), millis(percentile(&times, 0.95))),
        "p95 ≤ 20 ms",
    );
    // Payments come to recent links (links expire), as the sync writes them;
    // and, the worst case, to links from anywhere in the history.
    let recent = &links[links.len() - 2_000..];
    for (name, pool, batch_id) in [("links of the last 2,000", recent, "r"), ("links from all history", links, "h")] {
        let (with, without) = upkeep_saves(runtime, store, pool, last_day, batch_id);
        let (a, b) = (percentile(&with, 0.5), percentile(&without, 0.5));
        print(
            &format!("save of 100 payments on {name}, upkeep / none"),
            format!(
                "{} / {} = {:.2}× (medians of {} / {})",
                millis(a),
                millis(b),
                a.as_secs_f64() / b.as_secs_f64().max(1e-9),
                with.len(),
                without.len()
            ),
            "≤ 1.2×",
        );
    }
    demo_cases(runtime);
}

/// 200 saves of 100 new payments on links of `pool`, each with the case
/// upkeep or without it at random, after 20 to warm up, each from an empty
/// write-ahead log: their times, with and without.
fn upkeep_saves(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    pool: &[PaymentLink],
    last_day: chrono::DateTime<Utc>,
    batch_id: &str,
) -> (Vec<Duration>, Vec<Duration>) {
    let mut rng = fastrand::Rng::with_seed(8);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for round in 0..220 {
        let upkeep = rng.bool();
        let batch: Vec<Transaction> = (0..100)
            .map(|k| {
                let link = &pool[rng.usize(..pool.len())];
                Transaction {
                    id: format!("txn_save{batch_id}{round:03}_{k:03}"),
                    payment_link_id: Some(link.id.clone()),
                    amount: link.amount,
                    currency: link.currency.clone(),
                    tx_hash: None,
                    status: [TransactionStatus::Pending, TransactionStatus::Settled, TransactionStatus::Failed]
                        [rng.usize(..3)]
                    .clone(),
                    created_at: last_day + Span::seconds(round * 100 + k),
                    confirmed_at: None,
                    settled_at: None,
                }
            })
            .collect();
        // Each save starts with the write-ahead log empty: a checkpoint
        // inside one would be timed against it alone.
        runtime.block_on(store.checkpoint()).unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        let batch = Batch { transactions: batch, without_case_upkeep: !upkeep, ..Batch::default() };
        let saved = runtime.block_on(store.save(batch));
        let took = started.elapsed();
        saved.unwrap_or_else(|e| panic!("{e}"));
        match (round < 20, upkeep) {
            (true, _) => {}
            (false, true) => with.push(took),
            (false, false) => without.push(took),
        }
    }
    with.sort();
    without.sort();
    (with, without)
}

/// The demo's cases: its seed synced into memory, as `--demo` does, and
/// judged now.
fn demo_cases(runtime: &tokio::runtime::Runtime) {
    use pik_tui::cases::CaseKind;
    use pik_tui::store::cases::{CaseOrder, CaseQuery};
    let demo = runtime.block_on(sandbox::start(pik_tui::dashboard::demo_sandbox(0))).unwrap_or_else(|e| panic!("{e}"));
    let key = ApiKey::new(sandbox::DEMO_KEY);
    let store =
        Store::open(Place::Memory, &Account::new(&demo.base_url(), &key)).unwrap_or_else(|e| panic!("{e}")).store;
    let client = Client::new(ClientConfig::new(demo.base_url(), key)).unwrap_or_else(|e| panic!("{e}"));
    let (mut sync, _) = Sync::new(client, store.clone(), SyncOptions::default());
    runtime.block_on(sync.backfill()).unwrap_or_else(|e| panic!("{e}"));
    let query = CaseQuery {
        rules: Default::default(),
        now: Utc::now(),
        kind: None,
        order: CaseOrder::Oldest,
        handled: Default::default(),
    };
    let cases = runtime.block_on(store.cases(query)).unwrap_or_else(|e| panic!("{e}"));
    let counts: Vec<String> = CaseKind::ALL
        .iter()
        .map(|kind| format!("{} {}", cases.iter().filter(|c| c.kind == *kind).count(), kind.name()))
        .collect();
    // Links with a failure and a payment after it: never a case.
    let mut failed_then_paid = 0;
    for case in &cases {
        let order = runtime.block_on(store.order(&case.link_id)).unwrap_or_else(|e| panic!("{e}"));
        let good = order.payments.iter().filter(|p| pik_tui::cases::is_good(&p.status)).map(|p| p.created_at).max();
        let failed =
            order.payments.iter().filter(|p| p.status == TransactionStatus::Failed).map(|p| p.created_at).min();
        if let (Some(good), Some(failed)) = (good, failed)
            && good > failed
            && case.kind == CaseKind::FailedNeverPaid
        {
            failed_then_paid += 1;
        }
    }
    let every = CaseKind::ALL.iter().all(|kind| cases.iter().any(|c| c.kind == *kind));
    print(
        "cases in the demo (was: 38 attention items)",
        format!(
            "{} cases: {}; every kind: {}; failed-then-paid cases: {failed_then_paid}",
            cases.len(),
            counts.join(", "),
            if every { "yes" } else { "NO" }
        ),
        "every kind, none failed-then-paid",
    );
}
