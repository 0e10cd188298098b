//! The sync against the embedded sandbox over loopback.

use super::*;
use crate::api::{ApiKey, ClientConfig, LinkQuery, Page, PaymentLink, RetryPolicy, Transaction, TransactionQuery};
use crate::sandbox::{self, SandboxConfig, SeedSizes};
use crate::store::{Account, Place};

async fn sandbox(links: usize, transactions: usize) -> sandbox::Sandbox {
    // A frozen clock: nothing changes while a test compares.
    let config = SandboxConfig {
        activity: false,
        speed: 0.0,
        rate_limit_per_sec: None,
        sizes: SeedSizes { links, transactions, webhooks: 3 },
        ..SandboxConfig::default()
    };
    match sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(err) => panic!("sandbox: {err}"),
    }
}

fn client(sandbox: &sandbox::Sandbox, rps: f64) -> Client {
    let mut config = ClientConfig::new(sandbox.base_url(), ApiKey::new(sandbox::DEMO_KEY));
    config.max_requests_per_sec = rps;
    config.burst = 10;
    config.retry = RetryPolicy {
        max_retries: 5,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    };
    match Client::new(config) {
        Ok(client) => client,
        Err(err) => panic!("{err}"),
    }
}

fn store_for(sandbox: &sandbox::Sandbox, place: Place) -> Store {
    let account = Account::new(&sandbox.base_url(), &ApiKey::new(sandbox::DEMO_KEY));
    match Store::open(place, &account) {
        Ok(opened) => opened.store,
        Err(err) => panic!("{err}"),
    }
}

/// Every link and transaction of a source that pages like PIK.
async fn all<T, F, Fut>(mut page: F) -> Vec<T>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Option<Page<T>>>,
{
    let mut rows = Vec::new();
    let mut offset = 0;
    while let Some(next) = page(offset).await {
        let count = next.data.len() as u32;
        rows.extend(next.data);
        if count < 100 {
            break;
        }
        offset += 100;
    }
    rows
}

pub(crate) async fn pik_links(client: &Client) -> Vec<PaymentLink> {
    all(|offset| async move {
        client.list_links(&LinkQuery { limit: Some(100), offset: Some(offset), ..Default::default() }).await.ok()
    })
    .await
}

pub(crate) async fn pik_transactions(client: &Client) -> Vec<Transaction> {
    all(|offset| async move {
        let query = TransactionQuery { limit: Some(100), offset: Some(offset), ..Default::default() };
        client.list_transactions(&query).await.ok()
    })
    .await
}

pub(crate) async fn mirrored_links(store: &Store) -> Vec<PaymentLink> {
    crate::test_support::stored(store).await.0
}

pub(crate) async fn mirrored_transactions(store: &Store) -> Vec<Transaction> {
    crate::test_support::stored(store).await.1
}

/// Asserts two sets of rows are the same, by id, naming the first difference.
pub(crate) fn assert_same<T: PartialEq + std::fmt::Debug>(truth: Vec<T>, mirror: Vec<T>, id: fn(&T) -> &str) {
    let by_id = |rows: Vec<T>| {
        let mut rows = rows;
        rows.sort_by(|a, b| id(a).cmp(id(b)));
        rows
    };
    let (truth, mirror) = (by_id(truth), by_id(mirror));
    assert_eq!(truth.len(), mirror.len(), "row counts differ");
    if let Some((a, b)) = truth.iter().zip(&mirror).find(|(a, b)| a != b) {
        panic!("the mirror differs from PIK:\n  PIK:    {a:?}\n  mirror: {b:?}");
    }
}

fn link_id(link: &PaymentLink) -> &str {
    &link.id
}

fn txn_id(txn: &Transaction) -> &str {
    &txn.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_mirrors_every_row_and_field() {
    let sandbox = sandbox(450, 1300).await;
    let client = client(&sandbox, 1000.0);
    let store = store_for(&sandbox, Place::Memory);
    let (mut sync, status) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
    assert!(sync.catch_up().await.is_ok());
    assert_same(pik_links(&client).await, mirrored_links(&store).await, link_id);
    assert_same(pik_transactions(&client).await, mirrored_transactions(&store).await, txn_id);
    let webhooks = store.list_webhooks().await.map(|p| p.data.len()).ok();
    assert_eq!(webhooks, Some(3));
    let status = status.borrow().clone();
    assert_eq!(status.phase, Phase::UpToDate);
    assert_eq!((status.links.done, status.transactions.done), (450, 1300));
    assert!(status.words(Utc::now()).starts_with("mirror up to date"), "{}", status.words(Utc::now()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_stopped_half_way_goes_on_where_it_stopped() {
    let sandbox = sandbox(500, 2000).await;
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("{err}"),
    };
    let place = Place::File(dir.path().join("mirror.sqlite"));
    let client = client(&sandbox, 1000.0);
    // The first run is stopped half-way through the transactions, as if its
    // process were killed: its lease names a process that is gone.
    let holder = format!(
        "pik-tui {} {} killed",
        gethostname::gethostname().to_string_lossy(),
        crate::test_support::exited_pid()
    );
    let options = SyncOptions { holder, ..SyncOptions::default() };
    let (sync, status) = Sync::new(client.clone(), store_for(&sandbox, place.clone()), options);
    let run = tokio::spawn(sync.run());
    let deadline = Instant::now() + Duration::from_secs(30);
    while status.borrow().transactions.done < 900 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    run.abort();
    let _ = run.await;
    let stopped_at = status.borrow().transactions.done;
    assert!((900..2000).contains(&stopped_at), "stopped at {stopped_at}");
    // The second run, on the same file, reads only what is left.
    let requests = |sandbox: &sandbox::Sandbox| {
        let url = format!("{}/requests", sandbox.control_url());
        async move {
            let body: serde_json::Value = match reqwest::get(url).await {
                Ok(response) => response.json().await.unwrap_or_default(),
                Err(err) => panic!("{err}"),
            };
            body["by_route"]["GET /v1/transactions"].as_u64().unwrap_or(0)
        }
    };
    let before = requests(&sandbox).await;
    let store = store_for(&sandbox, place);
    let (mut sync, _) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
    assert!(sync.catch_up().await.is_ok());
    let used = requests(&sandbox).await - before;
    assert!(used < 20, "{used} transaction pages: it started over");
    let mirrored = mirrored_transactions(&store).await;
    let mut ids: Vec<&str> = mirrored.iter().map(|t| t.id.as_str()).collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((count, ids.len()), (2000, 2000), "nothing lost, nothing twice");
    assert_same(pik_transactions(&client).await, mirrored, txn_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_keeps_to_its_share_of_the_budget() {
    let sandbox = sandbox(3000, 10).await;
    let shared = client(&sandbox, 1000.0);
    let share = shared.with_share(5.0, RetryPolicy::default());
    let store = store_for(&sandbox, Place::Memory);
    let (sync, _) = Sync::new(share, store, SyncOptions::default());
    let run = tokio::spawn(sync.run());
    tokio::time::sleep(Duration::from_secs(3)).await;
    run.abort();
    let body: serde_json::Value = match reqwest::get(format!("{}/requests", sandbox.control_url())).await {
        Ok(response) => response.json().await.unwrap_or_default(),
        Err(err) => panic!("{err}"),
    };
    let total = body["total"].as_u64().unwrap_or(0);
    // 5 a second for 3 s, and a burst of 5: at most 20, and it did work.
    assert!((5..=21).contains(&total), "{total} requests in 3 s at 5/s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_what_happens_after_the_first_full_cycle_is_reported_as_news() {
    let sandbox = sandbox(40, 120).await;
    let client = client(&sandbox, 1000.0);
    let store = store_for(&sandbox, Place::Memory);
    let (mut sync, _) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
    let mut changes = sync.changes();
    assert!(sync.catch_up().await.is_ok());
    assert!(changes.try_recv().is_err(), "the backfill and the first cycle are history");
    // A payment now, settled at once, on an active link.
    let links = pik_links(&client).await;
    let Some(active) = links.iter().find(|l| l.status == crate::api::LinkStatus::Active) else {
        panic!("no active link")
    };
    let url = format!("{}/payment-links/{}/pay", sandbox.control_url(), active.id);
    let paid = reqwest::Client::new().post(url).json(&serde_json::json!({ "outcome": "settle" })).send().await;
    assert!(paid.is_ok_and(|r| r.status().as_u16() == 201));
    assert!(sync.catch_up().await.is_ok());
    let mut news = Vec::new();
    while let Ok(batch) = changes.try_recv() {
        news.extend(batch);
    }
    assert_eq!(news.len(), 1, "{news:?}");
    assert_eq!(
        (news[0].payment_link_id.as_deref(), &news[0].status),
        (Some(active.id.as_str()), &crate::api::TransactionStatus::Settled)
    );
    assert!(sync.catch_up().await.is_ok());
    assert!(changes.try_recv().is_err(), "nothing moved since");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_idle_the_sync_keeps_to_its_schedule_and_the_budget() {
    let sandbox = sandbox(40, 120).await;
    let client = client(&sandbox, 1000.0);
    let store = store_for(&sandbox, Place::Memory);
    let (mut sync, _) = Sync::new(client, store, SyncOptions::default());
    // A dashboard showing the links, up to date.
    let focus = sync.focus();
    assert!(sync.catch_up().await.is_ok());
    let start = Instant::now();
    while sync.step_at(start).await.is_ok_and(|wait| wait.is_zero()) {}
    let counts = || async {
        let body: serde_json::Value = match reqwest::get(format!("{}/requests", sandbox.control_url())).await {
            Ok(response) => response.json().await.unwrap_or_default(),
            Err(err) => panic!("{err}"),
        };
        let route = |name: &str| body["by_route"][name].as_u64().unwrap_or(0);
        [route("GET /v1/payment-links"), route("GET /v1/transactions"), route("GET /v1/webhooks")]
    };
    // One minute on the schedule's clock, a step every half second.
    let mut used = [0u64; 3];
    let before = counts().await;
    for half in 1..=120u32 {
        let at = start + Duration::from_millis(500) * half;
        while sync.step_at(at).await.is_ok_and(|wait| wait.is_zero()) {}
    }
    let after = counts().await;
    for (at, (a, b)) in after.iter().zip(before).enumerate() {
        used[at] = a - b;
    }
    // The links on screen every 5 s, and the active ones once in the sweep;
    // the transactions every 30 s, and pending and confirmed in the sweep;
    // the webhooks every 30 s. At most 20 a minute.
    assert_eq!(used, [12 + 1, 2 + 2, 2], "links, transactions, webhooks");
    assert!(used.iter().sum::<u64>() <= 20);
    // Looking at the webhooks instead: the links are the ones read rarely,
    // and nothing else is read for the panes hidden.
    let looking = crate::sync::Focus { shown: Some(crate::sync::Shown::Webhooks), ..crate::sync::Focus::default() };
    focus.send_replace(looking);
    let before = counts().await;
    let later = start + Duration::from_secs(60);
    for half in 1..=120u32 {
        let at = later + Duration::from_millis(500) * half;
        while sync.step_at(at).await.is_ok_and(|wait| wait.is_zero()) {}
    }
    let after = counts().await;
    let used: Vec<u64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    assert_eq!(used, [2 + 1, 2 + 2, 12], "links, transactions, webhooks");
}

/// How many requests the sandbox has answered on one route.
async fn requests_on(sandbox: &sandbox::Sandbox, route: &str) -> u64 {
    let body: serde_json::Value = match reqwest::get(format!("{}/requests", sandbox.control_url())).await {
        Ok(response) => response.json().await.unwrap_or_default(),
        Err(err) => panic!("{err}"),
    };
    body["by_route"][route].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_could_not_be_written_is_fetched_again_and_nothing_is_lost() {
    // A disk that fills during the backfill: one save fails (the 5th links
    // page, then a transactions page), then there is room again. The first
    // run, with no failure, counts the requests of a backfill and a cycle.
    let mut baseline = None;
    for failing in [0, 5, 9] {
        let sandbox = sandbox(450, 1300).await;
        let client = client(&sandbox, 1000.0);
        let store = store_for(&sandbox, Place::Memory);
        store.fail_save(failing);
        let (sync, status) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
        let run = tokio::spawn(sync.run());
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut failed = false;
        while status.borrow().phase != Phase::UpToDate && Instant::now() < deadline {
            failed |= matches!(&status.borrow().phase, Phase::Failing(why) if why.contains("disk is full"));
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        run.abort();
        let _ = run.await;
        assert!(failed || failing == 0, "save {failing}: the failure was reported");
        assert_eq!(status.borrow().phase, Phase::UpToDate, "save {failing}");
        assert_same(pik_links(&client).await, mirrored_links(&store).await, link_id);
        assert_same(pik_transactions(&client).await, mirrored_transactions(&store).await, txn_id);
        // What was lost was fetched again, not the whole account: the pages
        // a run without a failure reads, and the one or two fetched again.
        let pages =
            requests_on(&sandbox, "GET /v1/payment-links").await + requests_on(&sandbox, "GET /v1/transactions").await;
        let expected = *baseline.get_or_insert(pages);
        assert!(pages <= expected + 2, "save {failing}: {pages} pages, against {expected}");
        sandbox.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirror_short_of_rows_is_not_up_to_date_and_reads_them_again() {
    let sandbox = sandbox(300, 900).await;
    let client = client(&sandbox, 1000.0);
    let Ok(dir) = tempfile::tempdir() else { panic!("a folder") };
    let path = dir.path().join("mirror.sqlite");
    let store = store_for(&sandbox, Place::File(path.clone()));
    let (mut sync, status) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
    assert!(sync.catch_up().await.is_ok());
    // Rows lost behind the sync's back (an older pik-tui's full disk): the
    // cursor says done, the mirror is short.
    let lost = rusqlite::Connection::open(&path).and_then(|conn| {
        conn.execute("DELETE FROM transactions WHERE sort_key IN (SELECT sort_key FROM transactions LIMIT 40)", [])
    });
    assert_eq!(lost.ok(), Some(40));
    let (mut sync, status_after) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
    assert!(sync.cycle().await.is_ok());
    assert_ne!(status_after.borrow().phase, Phase::UpToDate, "40 rows short is not up to date");
    assert!(sync.catch_up().await.is_ok());
    assert_eq!(status_after.borrow().phase, Phase::UpToDate);
    assert_same(pik_transactions(&client).await, mirrored_transactions(&store).await, txn_id);
    drop(status);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_pik_tui_on_one_file_says_what_the_first_has_done() {
    let sandbox = sandbox(300, 900).await;
    let client = client(&sandbox, 1000.0);
    let Ok(dir) = tempfile::tempdir() else { panic!("a folder") };
    let place = Place::File(dir.path().join("mirror.sqlite"));
    let (first, first_status) = Sync::new(client.clone(), store_for(&sandbox, place.clone()), SyncOptions::default());
    let first = tokio::spawn(first.run());
    let deadline = Instant::now() + Duration::from_secs(30);
    while first_status.borrow().phase != Phase::UpToDate && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The second neither syncs nor says "starting": it reads the first's
    // progress from the file.
    let (second, status) = Sync::new(client.clone(), store_for(&sandbox, place.clone()), SyncOptions::default());
    let second = tokio::spawn(second.run());
    let deadline = Instant::now() + Duration::from_secs(10);
    while status.borrow().phase != Phase::Elsewhere && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let seen = status.borrow().clone();
    assert_eq!(seen.phase, Phase::Elsewhere);
    assert_eq!((seen.links.done, seen.transactions.done), (300, 900));
    assert!(!seen.partial(), "complete: no 'results may be incomplete'");
    let words = seen.words(Utc::now());
    assert!(words.starts_with("mirror up to date") && words.ends_with("another pik-tui syncs it"), "{words}");
    // A one-shot catch-up does not run a second backfill beside it.
    let (mut third, _) = Sync::new(client.clone(), store_for(&sandbox, place), SyncOptions::default());
    let before = requests_on(&sandbox, "GET /v1/transactions").await;
    assert!(matches!(third.catch_up().await, Err(SyncError::Elsewhere)));
    assert_eq!(requests_on(&sandbox, "GET /v1/transactions").await, before);
    first.abort();
    second.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_fetched_one_by_one_are_counted_with_the_time_left() {
    let sandbox = sandbox(300, 900).await;
    let client = client(&sandbox, 1000.0);
    let store = store_for(&sandbox, Place::Memory);
    let (mut sync, status) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
    assert!(sync.catch_up().await.is_ok());
    // 30 active links deactivated at PIK: each is fetched by id next cycle.
    let active: Vec<String> = pik_links(&client)
        .await
        .into_iter()
        .filter(|l| l.status == crate::api::LinkStatus::Active)
        .take(30)
        .map(|l| l.id)
        .collect();
    assert_eq!(active.len(), 30);
    for id in &active {
        assert!(client.deactivate_link(id).await.is_ok());
    }
    let mut watched = status.clone();
    let phases = tokio::spawn(async move {
        let mut seen = Vec::new();
        while watched.changed().await.is_ok() {
            seen.push(watched.borrow_and_update().phase.clone());
        }
        seen
    });
    assert!(sync.catch_up().await.is_ok());
    drop(sync);
    let Ok(phases) = phases.await else { panic!("the watcher") };
    // (The newest of them come back with the cycle's first page of links.)
    let counted = phases.iter().any(|p| matches!(p, Phase::Refreshing { total, .. } if (21..=30).contains(total)));
    assert!(counted, "{phases:?}");
    let timed = phases.iter().any(|p| matches!(p, Phase::Refreshing { eta: Some(_), done, .. } if *done > 0));
    assert!(timed, "the time left is counted for this phase too: {phases:?}");
    assert_eq!(status.borrow().phase, Phase::UpToDate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirror_of_what_was_scrolled_to_holds_the_newest_rows_and_no_deeper_ones() {
    let sandbox = sandbox(1000, 300).await;
    let client = client(&sandbox, 1000.0);
    let store = store_for(&sandbox, Place::Memory);
    let options = SyncOptions { backfill: Backfill::Wanted, ..SyncOptions::default() };
    let (mut sync, _) = Sync::new(client.clone(), store.clone(), options);
    let focus = sync.focus();
    focus.send_replace(Focus { wanted: [100, 100], ..Focus::default() });
    let start = Instant::now();
    // Past the first round, and past a sweep of the unfinished sets, which
    // lists active links and pending payments from all over the account.
    for seconds in [0, 61, 122] {
        let at = start + Duration::from_secs(seconds);
        while sync.step_at(at).await.is_ok_and(|wait| wait.is_zero()) {}
    }
    // The newest links, a page ahead of what was asked at most (a page is
    // written while the next is fetched), and none from deeper.
    let pik: Vec<String> = pik_links(&client).await.into_iter().map(|l| l.id).collect();
    let held: Vec<String> = mirrored_links(&store).await.into_iter().map(|l| l.id).collect();
    assert!((100..=200).contains(&held.len()), "{} links held", held.len());
    assert_eq!(held[..], pik[..held.len()], "the newest links, in PIK's order, and no other");
    // Scrolled on: more, from where it stopped, and still no gap.
    focus.send_replace(Focus { wanted: [held.len() as u64 + 100, 100], ..Focus::default() });
    let at = start + Duration::from_secs(123);
    while sync.step_at(at).await.is_ok_and(|wait| wait.is_zero()) {}
    let more: Vec<String> = mirrored_links(&store).await.into_iter().map(|l| l.id).collect();
    assert!((held.len() + 100..=held.len() + 200).contains(&more.len()), "{} links held", more.len());
    assert_eq!(more[..], pik[..more.len()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mirror_is_up_to_date_as_of_when_its_reading_started() {
    let sandbox = sandbox(300, 900).await;
    let client = client(&sandbox, 1000.0);
    let store = store_for(&sandbox, Place::Memory);
    let (mut sync, status) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
    assert!(sync.catch_up().await.is_ok());
    // Every answer now takes 100 ms: a cycle takes a second or so, and a
    // status that changed at PIK while it ran may not be in the mirror.
    let slow = serde_json::json!({ "latency_ms": 100 });
    let set = reqwest::Client::new().put(format!("{}/faults", sandbox.control_url())).json(&slow).send().await;
    assert!(set.is_ok_and(|answer| answer.status().is_success()));
    let started = chrono::Utc::now();
    assert!(sync.cycle().await.is_ok());
    let synced = status.borrow().synced_at;
    assert!(chrono::Utc::now() - started > chrono::Duration::milliseconds(500), "a slow cycle");
    assert!(
        synced.is_some_and(|at| at >= started && at - started < chrono::Duration::milliseconds(100)),
        "as of {synced:?}, not of when it ended; it started at {started}"
    );
    sandbox.shutdown().await;
}

/// A sweep fetches by id only what left every unfinished set: a payment
/// gone from pending to confirmed comes in the confirmed list, for free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_fetches_by_id_only_what_left_every_unfinished_set() {
    use crate::api::TransactionStatus::{Confirmed, Pending};
    let sandbox = sandbox(60, 400).await;
    let client = client(&sandbox, 1000.0);
    let store = store_for(&sandbox, Place::Memory);
    let (mut sync, _status) = Sync::new(client.clone(), store.clone(), SyncOptions::default());
    assert!(sync.catch_up().await.is_ok());
    let mut mirrored = std::collections::HashMap::new();
    for status in [Pending, Confirmed] {
        for id in store.ids_with_status(true, status.as_str()).await.unwrap_or_default() {
            mirrored.insert(id, status.clone());
        }
    }
    // Time passes at PIK until some payment has gone from pending to
    // confirmed (and stays there) and some has left both sets.
    let advance = format!("{}/clock/advance", sandbox.control_url());
    let (mut within, mut left) = (0, 0);
    for _ in 0..30 {
        let advanced = reqwest::Client::new().post(&advance).json(&serde_json::json!({"seconds": 20})).send().await;
        assert!(advanced.is_ok_and(|r| r.status().is_success()), "the sandbox's clock moves");
        let at_pik: std::collections::HashMap<String, crate::api::TransactionStatus> =
            pik_transactions(&client).await.into_iter().map(|t| (t.id, t.status)).collect();
        within = mirrored.iter().filter(|(id, s)| **s == Pending && at_pik.get(*id) == Some(&Confirmed)).count();
        left = mirrored.keys().filter(|id| !matches!(at_pik.get(*id), Some(Pending | Confirmed))).count();
        if within > 0 && left > 0 {
            break;
        }
    }
    assert!(within > 0 && left > 0, "moves within the sets ({within}) and out of them ({left})");
    let before = requests_on(&sandbox, "GET /v1/transactions/{id}").await;
    assert!(sync.sweep().await.is_ok());
    let fetched = requests_on(&sandbox, "GET /v1/transactions/{id}").await - before;
    assert_eq!(fetched, left as u64, "{within} moved from pending to confirmed");
    let after = mirrored_transactions(&store).await;
    let at_pik: std::collections::HashMap<String, crate::api::TransactionStatus> =
        pik_transactions(&client).await.into_iter().map(|t| (t.id, t.status)).collect();
    // Every payment unfinished before has PIK's status now.
    for txn in after.iter().filter(|t| mirrored.contains_key(&t.id)) {
        assert_eq!(Some(&txn.status), at_pik.get(&txn.id), "{} after the sweep", txn.id);
    }
}
