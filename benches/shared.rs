//! The shared mirror's figures, each printed beside its target; nothing
//! asserted. `cargo bench --bench shared` (about 4 minutes). Needs
//! PostgreSQL's `initdb` (the tests' throwaway cluster).
//!
//! 1. NOTIFY-to-screen: a status change written to the shared mirror, as
//!    the sync writes it, until a dashboard shows it;
//! 2. requests to PIK a minute with 1, 5 and 10 dashboards on the mirror.

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

use pik_tui::api::{ApiKey, Transaction, TransactionStatus};
use pik_tui::sandbox::{self, SandboxConfig, SeedSizes};
use pik_tui::store::postgres::{Given, Target};
use pik_tui::store::{Account, Batch, Place, Store};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn print(name: &str, measured: String, target: &str) {
    println!("{name:<58} {measured:<40} {target}");
}

fn main() {
    let Some(cluster) = pik_tui::test_cluster::cluster() else {
        println!("skipped: PostgreSQL is not installed (apt-get install postgresql)");
        return;
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => panic!("runtime: {err}"),
    };
    let sandbox = runtime.block_on(async {
        let config = SandboxConfig {
            activity: false,
            speed: 0.0,
            rate_limit_per_sec: None,
            sizes: SeedSizes { links: 300, transactions: 1000, webhooks: 3 },
            ..SandboxConfig::default()
        };
        sandbox::start(config).await.unwrap_or_else(|e| panic!("{e}"))
    });
    let url = cluster.database("bench_shared");
    let bare = cluster.url_without_password(url.rsplit('/').next().unwrap_or_default());
    let Ok(target) = Target::parse(&url, Given::ConfigFile) else { panic!("url") };
    let account = Account::new(&sandbox.base_url(), &ApiKey::new(sandbox::DEMO_KEY));
    let store: Store = match runtime.block_on(Store::open_place(Place::Postgres(target), &account)) {
        Ok(opened) => opened.store,
        Err(err) => panic!("{err}"),
    };
    let sync = |cycle: &str| {
        Command::new(env!("CARGO_BIN_EXE_pik-tui"))
            .args(["sync", "--store", &bare, "--cycle", cycle])
            .env("PIK_BASE_URL", sandbox.base_url())
            .env("PIK_API_KEY", sandbox::DEMO_KEY)
            .env("PGPASSWORD", pik_tui::test_cluster::PASSWORD)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let base = sandbox.base_url();
    let env = [
        ("PIK_BASE_URL", base.as_str()),
        ("PIK_API_KEY", sandbox::DEMO_KEY),
        ("PGPASSWORD", pik_tui::test_cluster::PASSWORD),
    ];
    let dashboard = || pty::Session::start_with(None, &["--store", &bare], 140, 30, &env);
    let wait_mirrored = || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while runtime.block_on(store.stats()).map(|s| s.transactions).unwrap_or(0) < 1000 {
            assert!(Instant::now() < deadline, "not mirrored");
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    println!("{:<58} {:<40} target", "figure", "measured");

    // 1. NOTIFY-to-screen. The sync only keeps its heartbeat (a long
    // cycle): the changes are the bench's, written as the sync writes.
    let mut quiet_sync = sync("3600");
    wait_mirrored();
    let mut session = dashboard();
    session.wait_for("the shared mirror", |s| s.contains("shared ·") || s.contains("shared mirror ·"));
    session.send("2");
    session.wait_for("the transactions", |s| s.contains("txn_"));
    let mut times = Vec::new();
    for n in 0..20 {
        let id = format!("txn_bench{n:04}");
        let pending = Transaction {
            id: id.clone(),
            payment_link_id: None,
            amount: rust_decimal::Decimal::new(7_500, 2),
            currency: "USDT".into(),
            status: TransactionStatus::Pending,
            tx_hash: None,
            created_at: chrono::Utc::now() + chrono::Duration::days(1),
            confirmed_at: None,
            settled_at: None,
        };
        let save = |txn: Transaction| {
            let batch = Batch { transactions: vec![txn], ..Batch::default() };
            runtime.block_on(store.save(batch)).unwrap_or_else(|e| panic!("{e}"));
        };
        save(pending.clone());
        session.wait_for("the new payment", |s| s.lines().any(|l| l.contains(&id) && l.contains("pending")));
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        save(Transaction { status: TransactionStatus::Settled, ..pending });
        let shown = session
            .wait_until(Duration::from_secs(10), |s| s.lines().any(|l| l.contains(&id) && l.contains("settled")));
        if shown {
            times.push(started.elapsed());
        }
    }
    times.sort();
    let at = |p: f64| times.get(((times.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or_default();
    print(
        "NOTIFY-to-screen, a status change (p50 / p95 of 20)",
        format!("{:.0} / {:.0} ms", at(0.5).as_secs_f64() * 1e3, at(0.95).as_secs_f64() * 1e3),
        "≤ 500 ms",
    );
    drop(session);
    let _ = quiet_sync.kill();
    let _ = quiet_sync.wait();

    // 2. Requests to PIK a minute, with the team's sync at its default pace.
    let mut team_sync = sync("11");
    std::thread::sleep(Duration::from_secs(5));
    let count = || {
        runtime.block_on(async {
            let body = reqwest::get(format!("{}/requests", sandbox.control_url()))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json::<serde_json::Value>()
                .await
                .unwrap_or_default();
            body["total"].as_u64().unwrap_or(0)
        })
    };
    let reset = || {
        runtime.block_on(async {
            let client = reqwest::Client::new();
            let _ = client.delete(format!("{}/requests", sandbox.control_url())).send().await;
        })
    };
    let mut figures = Vec::new();
    for n in [1usize, 5, 10] {
        let sessions: Vec<pty::Session> = (0..n).map(|_| dashboard()).collect();
        for session in &sessions {
            session.wait_for("a dashboard", |s| s.contains("shared ·") || s.contains("shared mirror ·"));
        }
        reset();
        std::thread::sleep(Duration::from_secs(60));
        figures.push(format!("{}", count()));
        drop(sessions);
    }
    print("requests to PIK a minute, N = 1 / 5 / 10 dashboards", figures.join(" / "), "flat in N");
    let _ = team_sync.kill();
    let _ = team_sync.wait();
}
