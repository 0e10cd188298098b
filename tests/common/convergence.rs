//! The mirror's convergence property: whatever happens at PIK while the
//! sync runs (new links, payments that settle or fail, links that expire
//! or are deactivated, items arriving on top while it pages, one request
//! in five failing), once activity stops and the sync catches up, the
//! mirror equals PIK's truth exactly: every id, every status, every field.
//! And so does the screen: a dashboard scrolled far down the links, which
//! reads its window again whenever the store says it changed, shows PIK's
//! rows, field by field. Written once; `tests/mirror.rs` runs it on
//! SQLite, `tests/postgres.rs` on PostgreSQL.

use super::*;
use pik_tui::api::{Client, ClientConfig, LinkQuery, PaymentLink, RetryPolicy, Transaction};
use pik_tui::app::{App, Cmd, Msg, Settings};
use pik_tui::sandbox::{self, Pace, SandboxConfig, SeedSizes};
use pik_tui::store::{Change, Store};
use pik_tui::sync::{Focus, Sync, SyncOptions};
use serde_json::json;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

pub async fn mirror(store: &Store) -> (Vec<PaymentLink>, Vec<Transaction>) {
    pik_tui::test_support::stored(store).await
}

pub fn same<T: PartialEq + std::fmt::Debug>(what: &str, truth: &mut [T], mirror: &mut [T], id: fn(&T) -> &str) {
    truth.sort_by(|a, b| id(a).cmp(id(b)));
    mirror.sort_by(|a, b| id(a).cmp(id(b)));
    assert_eq!(truth.len(), mirror.len(), "{what}: PIK has {}, the mirror {}", truth.len(), mirror.len());
    if let Some((a, b)) = truth.iter().zip(mirror.iter()).find(|(a, b)| a != b) {
        panic!("{what} differ:\n  PIK:    {a:?}\n  mirror: {b:?}");
    }
}

/// Runs the property once with `seed`, syncing into `store` (an empty one).
pub async fn converges(seed: u64, store: Store) {
    // A minute of PIK's life every second: payments confirm and settle in
    // seconds, some seeded links expire, a payment comes every 0.2 s and a
    // link every 0.5 s.
    let sandbox = start(SandboxConfig {
        seed,
        speed: 60.0,
        activity: true,
        pace: Pace { new_payment_every: 12.0, new_link_every: 30.0 },
        sizes: SeedSizes { links: 1500, transactions: 4000, webhooks: 3 },
        rate_limit_per_sec: None,
        ..SandboxConfig::default()
    })
    .await;
    let client = client_with(&sandbox, sandbox::DEMO_KEY, fast_retry());
    // The sync pages slowly enough for new items to shift its offsets.
    let mut config = ClientConfig::new(sandbox.base_url(), pik_tui::api::ApiKey::new(sandbox::DEMO_KEY));
    config.max_requests_per_sec = 40.0;
    config.burst = 4;
    config.request_timeout = Duration::from_secs(5);
    config.retry = RetryPolicy {
        max_retries: 6,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(2),
    };
    let sync_client = match Client::new(config) {
        Ok(client) => client,
        Err(err) => panic!("{err}"),
    };
    // One request in five fails: 500s, 429s, broken and cut-off bodies.
    let faults = json!({
        "error_rate": 0.06, "rate_limit_rate": 0.04, "retry_after_secs": 1,
        "malformed_rate": 0.05, "truncated_rate": 0.05, "methods": ["GET"]
    });
    let (status, _) = control(&sandbox, reqwest::Method::PUT, "/faults", Some(faults)).await;
    assert_eq!(status, 200);
    let options = SyncOptions {
        refresh: Duration::from_millis(300),
        hidden_every: 1,
        sweep: Duration::from_millis(600),
        ..SyncOptions::default()
    };
    let (mut sync, progress) = Sync::new(sync_client.clone(), store.clone(), options);
    let focus = sync.focus();
    let running = tokio::spawn(sync.run());
    // A dashboard on the store, scrolled down the links once there are
    // enough of them: it reads its window again at every notice.
    let mut screen =
        Screen { app: App::new(Settings::default(), 120, 40, chrono::Utc::now()), notices: store.changes() };
    screen.show(Vec::new(), &store, &focus).await;
    while progress.borrow().links.done < 1000 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        screen.heard(&store, &focus).await;
    }
    for _ in 0..900 {
        let cmds = screen.app.update(Msg::Key(pik_tui::app::input::Key::char('j')), chrono::Utc::now());
        screen.show(cmds, &store, &focus).await;
    }
    // Meanwhile an agent deactivates links now and then.
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        screen.heard(&store, &focus).await;
        if rng.u8(..3) == 0 {
            let query = LinkQuery { status: Some(pik_tui::api::LinkStatus::Active), limit: Some(50), offset: None };
            if let Ok(page) = client.list_links(&query).await
                && !page.data.is_empty()
            {
                let id = page.data[rng.usize(..page.data.len())].id.clone();
                let _ = client.deactivate_link(&id).await;
            }
        }
    }
    // Activity stops; faults stop; the clock jumps past every expiry and
    // every planned settlement, so PIK's truth holds still.
    control(&sandbox, reqwest::Method::POST, "/activity", Some(json!({"enabled": false}))).await;
    control(&sandbox, reqwest::Method::DELETE, "/faults", None).await;
    control(&sandbox, reqwest::Method::POST, "/clock/advance", Some(json!({"seconds": 8 * 86_400}))).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The sync catches up: a sweep that started after the stop (the mirror
    // is up to date as of when its sweep started).
    let stopped = chrono::Utc::now();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let caught_up = progress.borrow().synced_at.is_some_and(|at| at > stopped);
        if caught_up {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no catch-up: {:?}", progress.borrow());
        tokio::time::sleep(Duration::from_millis(100)).await;
        screen.heard(&store, &focus).await;
    }
    running.abort();
    screen.heard(&store, &focus).await;
    let (mut links, mut transactions) = truth(&client).await;
    let (mut mirrored_links, mut mirrored_transactions) = mirror(&store).await;
    assert!(links.len() > 1500 && transactions.len() > 4000, "activity happened");
    same("links", &mut links, &mut mirrored_links, |l| &l.id);
    same("transactions", &mut transactions, &mut mirrored_transactions, |t| &t.id);
    screen.same_as(&links);
    sandbox.shutdown().await;
}

/// A dashboard's app, driven as the runtime drives it: the store's notices
/// in, its reads answered by the store, what it tells the sync passed on.
struct Screen {
    app: App,
    notices: broadcast::Receiver<Change>,
}

impl Screen {
    /// Runs the app's commands until it asks for nothing more.
    async fn show(&mut self, cmds: Vec<Cmd>, store: &Store, focus: &watch::Sender<Focus>) {
        let mut pending = cmds;
        pending.extend(self.app.update(Msg::Tick, chrono::Utc::now()));
        while !pending.is_empty() {
            let mut next = Vec::new();
            for cmd in pending {
                if let Cmd::Focus(wanted) = &cmd {
                    focus.send_replace(wanted.clone());
                }
                if let Some(msg) = pik_tui::test_support::read_for(store, &cmd).await {
                    next.extend(self.app.update(msg, chrono::Utc::now()));
                }
            }
            pending = next;
        }
    }

    /// Hands the app what the store announced since the last time.
    async fn heard(&mut self, store: &Store, focus: &watch::Sender<Focus>) {
        let mut change = Change::default();
        loop {
            match self.notices.try_recv() {
                Ok(more) => change.add(more),
                Err(broadcast::error::TryRecvError::Lagged(_)) => change.add(Change::anything()),
                Err(_) => break,
            }
        }
        if !change.is_empty() {
            let cmds = self.app.update(Msg::StoreChanged(change), chrono::Utc::now());
            self.show(cmds, store, focus).await;
        }
    }

    /// The rows on screen are PIK's, field by field, and the list's count too.
    fn same_as(&self, truth: &[PaymentLink]) {
        let list = &self.app.links.list;
        let view = self.app.view_height();
        let shown: Vec<&PaymentLink> = list.on_screen_rows(view).collect();
        assert_eq!(shown.len(), view, "a full screen at row {}", pik_tui::app::list::ListOps::selected(list));
        assert!(pik_tui::app::list::ListOps::scroll(list) > 800, "far down the list");
        assert_eq!(pik_tui::app::list::ListOps::total(list), Some(truth.len() as u64), "the list's count");
        for row in shown {
            match truth.iter().find(|l| l.id == row.id) {
                Some(pik) => assert_eq!(pik, row, "the row on screen differs from PIK's"),
                None => panic!("{} is on screen but not at PIK", row.id),
            }
        }
    }
}
