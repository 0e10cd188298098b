//! A team on one shared mirror, for real: `pik-tui sync` processes and
//! dashboards (the binary, in pseudo-terminals) against the sandbox and
//! the test cluster. Failover after kill -9, live updates with no request
//! to PIK, the load on PIK flat in the number of dashboards, and a
//! PostgreSQL restart under a running sync and dashboard.

use super::super::common::convergence::{converges, mirror, same};
use super::super::common::pty::Session;
use super::super::common::{client, control, request_count, start, truth};
use super::{Test, database, open, runtime, the_cluster};
use pik_tui::sandbox::{self, Access, Sandbox, SandboxConfig, SandboxKey, SeedSizes};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The agents' own key: their dashboards' requests are counted apart
/// from the sync's (the sandbox counts by the key's last four characters).
const AGENT_KEY: &str = "pik_test_sandboxagent0000000000000009";

pub fn tests() -> Vec<(String, Test)> {
    vec![
        ("service::the_mirror_converges_on_postgresql".into(), Box::new(convergence) as Test),
        ("service::kill_9_of_the_active_sync_during_a_backfill_loses_nothing".into(), Box::new(failover)),
        ("service::a_settled_payment_reaches_a_dashboard_without_it_asking_pik".into(), Box::new(live_update)),
        ("service::ten_dashboards_on_a_shared_mirror_cost_pik_what_one_does".into(), Box::new(load)),
        ("service::a_postgresql_restart_is_shown_and_survived".into(), Box::new(restart)),
        ("service::a_link_one_agent_creates_shows_on_anothers_dashboard_at_once".into(), Box::new(write_through)),
        ("service::bad_keys_and_bad_connection_strings_are_one_line".into(), Box::new(refusals)),
        ("service::alice_claims_and_bob_s_dashboard_shows_it_within_a_second".into(), Box::new(claims)),
    ]
}

fn sandbox_config(links: usize, transactions: usize) -> SandboxConfig {
    // PIK holds still unless a test moves its clock: what the mirror must
    // equal does not change under the test's feet.
    let mut config = SandboxConfig {
        activity: false,
        speed: 0.0,
        rate_limit_per_sec: None,
        sizes: SeedSizes { links, transactions, webhooks: 3 },
        ..SandboxConfig::default()
    };
    config.keys.push(SandboxKey { key: AGENT_KEY.to_string(), access: Access::ReadWrite });
    config
}

/// A child process killed when the test ends, passed or not.
struct Running(Child);

impl Running {
    fn id(&self) -> u32 {
        self.0.id()
    }

    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    fn alive(&mut self) -> bool {
        self.0.try_wait().is_ok_and(|exited| exited.is_none())
    }

    /// SIGTERM, as a service manager stops it; the exit code, if it exits
    /// within `within`.
    fn terminate(&mut self, within: Duration) -> Option<i32> {
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.0.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `pik-tui sync` against `sandbox` into the database at `url`, the
/// password in the environment as a service's unit would set it.
fn spawn_sync(sandbox: &Sandbox, url: &str, log: &std::path::Path, extra: &[&str]) -> Running {
    let bare = url.replace(&format!(":{}@", pik_tui::test_cluster::PASSWORD), "@");
    let log = match std::fs::File::create(log) {
        Ok(file) => file,
        Err(err) => panic!("log: {err}"),
    };
    let spawned = Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(["sync", "--store", &bare])
        .args(extra)
        .env("PIK_BASE_URL", sandbox.base_url())
        .env("PIK_API_KEY", sandbox::DEMO_KEY)
        .env("PGPASSWORD", pik_tui::test_cluster::PASSWORD)
        .env("HOME", std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn();
    match spawned {
        Ok(child) => Running(child),
        Err(err) => panic!("pik-tui sync: {err}"),
    }
}

/// A dashboard on the shared mirror, with the agent's key.
fn dashboard(sandbox: &Sandbox, url: &str, cols: u16, extra: &[&str]) -> Session {
    let bare = url.replace(&format!(":{}@", pik_tui::test_cluster::PASSWORD), "@");
    let base = sandbox.base_url();
    let mut args = vec!["--store", bare.as_str()];
    args.extend_from_slice(extra);
    let env =
        [("PIK_BASE_URL", base.as_str()), ("PIK_API_KEY", AGENT_KEY), ("PGPASSWORD", pik_tui::test_cluster::PASSWORD)];
    Session::start_with(None, &args, cols, 30, &env)
}

async fn requests_by(sandbox: &Sandbox, key: &str) -> u64 {
    let (_, body) = control(sandbox, reqwest::Method::GET, "/requests", None).await;
    body["by_key"][&key[key.len() - 4..]].as_u64().unwrap_or(0)
}

/// Waits until the shared mirror holds all of PIK's rows.
async fn wait_mirrored(store: &pik_tui::store::Store, links: u64, transactions: u64, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(stats) = store.stats().await
            && stats.links >= links
            && stats.transactions >= transactions
        {
            return;
        }
        assert!(Instant::now() < deadline, "not mirrored in {within:?}: {:?}", store.stats().await);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits for the sync to complete a cycle that started after `after`.
async fn wait_for_cycle_after(store: &pik_tui::store::Store, after: chrono::DateTime<chrono::Utc>, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let synced = store
            .state("sync")
            .await
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
            .and_then(|state| state["synced_at"].as_str().map(str::to_string))
            .and_then(|at| chrono::DateTime::parse_from_rfc3339(&at).ok());
        if synced.is_some_and(|at| at > after + chrono::Duration::seconds(1)) {
            return;
        }
        assert!(Instant::now() < deadline, "no cycle completed after {after}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn convergence() {
    runtime().block_on(async {
        let url = database("converge");
        // The account is claimed at open; the sandbox's URL comes later.
        converges(7, open(&url, "http://127.0.0.1/v1").await).await;
    });
}

fn failover() {
    runtime().block_on(async {
        let sandbox = start(sandbox_config(2_000, 30_000)).await;
        let url = database("failover");
        let store = open(&url, &sandbox.base_url()).await;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // Slow enough that the kill lands in the middle of the backfill.
        let pace = ["--max-rps", "12"];
        let mut first = spawn_sync(&sandbox, &url, &dir.path().join("a.log"), &pace);
        let mut second = spawn_sync(&sandbox, &url, &dir.path().join("b.log"), &pace);
        // Whichever won the election is the one to kill, mid-backfill.
        let deadline = Instant::now() + Duration::from_secs(60);
        let holder = loop {
            let beat = store.shared().map(|s| s.heartbeat());
            if let Some(beat) = beat
                && let Ok(Some(beat)) = beat.await
                && store.stats().await.is_ok_and(|s| s.transactions > 3_000)
            {
                break beat.holder;
            }
            assert!(Instant::now() < deadline, "no sync got going");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let pid: u32 = pik_tui::sync::lease::host_and_pid(&holder).map(|(_, pid)| pid).unwrap_or(0);
        let (victim, survivor) = if pid == first.id() { (&mut first, &mut second) } else { (&mut second, &mut first) };
        assert_eq!(victim.id(), pid, "the holder {holder:?} is one of the two");
        let before = store.stats().await.map(|s| s.transactions).unwrap_or(0);
        victim.kill(); // SIGKILL
        let killed_at = Instant::now();
        // The other takes over within 30 s.
        let deadline = killed_at + Duration::from_secs(30);
        loop {
            if let Some(shared) = store.shared()
                && let Ok(Some(beat)) = shared.heartbeat().await
                && beat.holder != holder
            {
                break;
            }
            assert!(Instant::now() < deadline, "no takeover within 30 s");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let took_over = killed_at.elapsed();
        assert!(before < 30_000, "the kill came during the backfill ({before} mirrored)");
        wait_mirrored(&store, 2_000, 30_000, Duration::from_secs(240)).await;
        // The survivor completes a cycle after the backfill; then compare.
        wait_for_cycle_after(&store, chrono::Utc::now(), Duration::from_secs(120)).await;
        survivor.kill();
        let (mut links, mut transactions) = truth(&client(&sandbox)).await;
        let (mut mirrored_links, mut mirrored_transactions) = mirror(&store).await;
        same("links", &mut links, &mut mirrored_links, |l| &l.id);
        same("transactions", &mut transactions, &mut mirrored_transactions, |t| &t.id);
        eprintln!("failover: killed at {before} transactions mirrored, taken over in {took_over:?}");
        sandbox.shutdown().await;
    });
}

fn live_update() {
    let runtime = runtime();
    let sandbox = runtime.block_on(start(sandbox_config(100, 300)));
    let url = database("live");
    let store = runtime.block_on(open(&url, &sandbox.base_url()));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut sync = spawn_sync(&sandbox, &url, &dir.path().join("sync.log"), &["--cycle", "1"]);
    runtime.block_on(wait_mirrored(&store, 100, 300, Duration::from_secs(60)));
    let session = dashboard(&sandbox, &url, 150, &["--refresh", "1"]);
    session.wait_for("the shared mirror in the header", |s| s.contains("shared mirror · synced"));
    let mut session = session;
    session.send("2");
    session.wait_for("the transactions", |s| s.contains("txn_"));
    // A payment arrives and settles at PIK.
    let link = runtime.block_on(async {
        let page = client(&sandbox)
            .list_links(&pik_tui::api::LinkQuery {
                status: Some(pik_tui::api::LinkStatus::Active),
                limit: Some(1),
                offset: None,
            })
            .await;
        match page {
            Ok(page) if !page.data.is_empty() => page.data[0].id.clone(),
            other => panic!("no active link: {other:?}"),
        }
    });
    let before = runtime.block_on(requests_by(&sandbox, AGENT_KEY));
    let (_, paid) = runtime.block_on(control(
        &sandbox,
        reqwest::Method::POST,
        &format!("/payment-links/{link}/pay"),
        Some(serde_json::json!({})),
    ));
    let Some(id) = paid["id"].as_str().map(str::to_string) else { panic!("no payment: {paid}") };
    runtime.block_on(control(
        &sandbox,
        reqwest::Method::POST,
        "/clock/advance",
        Some(serde_json::json!({"seconds": 7200})),
    ));
    let shown = session.wait_until(Duration::from_secs(30), |s| {
        s.lines().any(|line| line.contains(&id[..12]) && line.contains("settled"))
    });
    assert!(shown, "the settled payment {id} did not show:\n{}", session.contents());
    let after = runtime.block_on(requests_by(&sandbox, AGENT_KEY));
    let (_, counts) = runtime.block_on(control(&sandbox, reqwest::Method::GET, "/requests", None));
    assert_eq!(after - before, 0, "the dashboard asked PIK itself: {counts}\n{}", session.log());
    // The shared mirror holds no key and no webhook secret.
    let dump = the_cluster().dump(&url);
    assert!(dump.contains(&id), "the dump holds the rows");
    for secret in [sandbox::DEMO_KEY, AGENT_KEY, "whsec_"] {
        assert!(!dump.contains(secret), "the shared mirror holds {secret}");
    }
    // A service manager's SIGTERM stops the sync cleanly.
    let log = dir.path().join("sync.log");
    assert_eq!(
        sync.terminate(Duration::from_secs(10)),
        Some(0),
        "{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(logged.contains("stopping (signal)") && logged.contains("sync stopped"), "{logged}");
    runtime.block_on(sandbox.shutdown());
}

fn load() {
    let runtime = runtime();
    const MINUTES: u64 = 2;
    // Alone: one dashboard with its own mirror, as before.
    let alone = runtime.block_on(start(sandbox_config(300, 1_000)));
    let alone_base = alone.base_url();
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store_file = home.path().join("alone.sqlite");
    let store_text = store_file.display().to_string();
    let single = Session::start_with(
        None,
        &["--store", &store_text],
        120,
        30,
        &[("PIK_BASE_URL", alone_base.as_str()), ("PIK_API_KEY", AGENT_KEY)],
    );
    // Shared: one sync, ten dashboards.
    let shared = runtime.block_on(start(sandbox_config(300, 1_000)));
    let url = database("load");
    let store = runtime.block_on(open(&url, &shared.base_url()));
    let mut sync = spawn_sync(&shared, &url, &home.path().join("sync.log"), &[]);
    runtime.block_on(wait_mirrored(&store, 300, 1_000, Duration::from_secs(60)));
    let sessions: Vec<Session> = (0..10).map(|_| dashboard(&shared, &url, 120, &[])).collect();
    for session in &sessions {
        session.wait_for("a dashboard on the shared mirror", |s| s.contains("shared ·"));
    }
    single.wait_for("the lone dashboard's mirror", |s| s.contains("mirror ✓") || s.contains("up to date"));
    // Both backfills are done: count from here.
    runtime.block_on(async {
        super::super::common::reset_requests(&alone).await;
        super::super::common::reset_requests(&shared).await;
    });
    std::thread::sleep(Duration::from_secs(60 * MINUTES));
    let (one, ten) =
        runtime.block_on(async { (request_count(&alone, "").await.0, request_count(&shared, "").await.0) });
    let agents = runtime.block_on(requests_by(&shared, AGENT_KEY));
    eprintln!("load: 1 dashboard {one} requests; 1 sync + 10 dashboards {ten} ({agents} from the dashboards)");
    let ratio = ten as f64 / one.max(1) as f64;
    assert!((0.9..=1.1).contains(&ratio), "1 dashboard: {one}; 1 sync + 10 dashboards: {ten} ({ratio:.2}×)");
    drop(sessions);
    drop(single);
    sync.kill();
}

fn write_through() {
    let runtime = runtime();
    let sandbox = runtime.block_on(start(sandbox_config(50, 100)));
    let url = database("writes");
    let store = runtime.block_on(open(&url, &sandbox.base_url()));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // The sync keeps its heartbeat but brings nothing new for an hour:
    // what reaches the other agent comes from the first one's write.
    let _sync = spawn_sync(&sandbox, &url, &dir.path().join("sync.log"), &["--cycle", "3600"]);
    runtime.block_on(wait_mirrored(&store, 50, 100, Duration::from_secs(60)));
    let mut writer = dashboard(&sandbox, &url, 120, &[]);
    let reader = dashboard(&sandbox, &url, 120, &[]);
    for session in [&writer, &reader] {
        session.wait_for("the shared mirror", |s| s.contains("shared ·"));
    }
    for key in ["n", "12.50", "\t", "\t", "Shared desk order 4471", "\r"] {
        writer.send(key);
        std::thread::sleep(Duration::from_millis(60));
    }
    writer.wait_for("the result view", |s| s.contains("Payment link created"));
    let shown = reader.wait_until(Duration::from_secs(5), |s| s.contains("Shared desk"));
    assert!(shown, "the other agent does not see the new link:\n{}", reader.contents());
}

fn restart() {
    let runtime = runtime();
    let sandbox = runtime.block_on(start(sandbox_config(100, 300)));
    let url = database("restart");
    let store = runtime.block_on(open(&url, &sandbox.base_url()));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log = dir.path().join("sync.log");
    let mut sync = spawn_sync(&sandbox, &url, &log, &["--cycle", "1"]);
    runtime.block_on(wait_mirrored(&store, 100, 300, Duration::from_secs(60)));
    let session = dashboard(&sandbox, &url, 150, &["--refresh", "1"]);
    session.wait_for("the shared mirror in the header", |s| s.contains("shared mirror · synced"));
    session.wait_for("the mirror's rows", |s| s.contains("pl_") && s.contains("1 Links 100"));
    let cluster = the_cluster();
    let before = runtime.block_on(requests_by(&sandbox, AGENT_KEY));
    cluster.stop_server();
    let outage = session.wait_until(Duration::from_secs(20), |s| s.contains("shared mirror: out of reach"));
    assert!(outage, "the outage is not shown:\n{}", session.contents());
    // Meanwhile the dashboard keeps its rows, with their age, and lists
    // nothing at PIK itself: the sync alone does.
    std::thread::sleep(Duration::from_secs(3));
    let during = runtime.block_on(requests_by(&sandbox, AGENT_KEY));
    let screen = session.contents();
    if let Err(err) = cluster.start_server() {
        panic!("{err}");
    }
    assert_eq!(during, before, "the dashboard asked PIK during the outage");
    assert!(screen.contains("pl_"), "the rows stay on screen:\n{screen}");
    // Both come back by themselves: the sync's heartbeat is fresh again
    // and the dashboard says so.
    let back = session.wait_until(Duration::from_secs(40), |s| s.contains("shared mirror · synced"));
    assert!(back, "the dashboard did not come back:\n{}", session.contents());
    let fresh = runtime.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(shared) = store.shared()
                && let Ok(Some(beat)) = shared.heartbeat().await
                && chrono::Utc::now() - beat.at < chrono::Duration::seconds(6)
            {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    assert!(fresh, "the sync did not come back: {}", std::fs::read_to_string(&log).unwrap_or_default());
    assert!(sync.alive(), "the sync process died");
    sync.kill();
    runtime.block_on(sandbox.shutdown());
}

fn refusals() {
    let runtime = runtime();
    let sandbox = runtime.block_on(start(sandbox_config(10, 10)));
    let url = database("refusals");
    let bare = url.replace(&format!(":{}@", pik_tui::test_cluster::PASSWORD), "@");
    let run = |args: &[&str], key: &str, password: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_pik-tui"))
            .args(["sync", "--store"])
            .args(args)
            .env("PIK_BASE_URL", sandbox.base_url())
            .env("PIK_API_KEY", key)
            .env("PGPASSWORD", password)
            .env("HOME", std::env::temp_dir())
            .output();
        match output {
            Ok(out) => (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string()),
            Err(err) => panic!("{err}"),
        }
    };
    let one_line = |text: &str| text.trim_end().lines().count() == 1;
    let (code, err) = run(&[&url], sandbox::DEMO_KEY, "");
    assert!(code != Some(0) && err.contains("must not hold a password") && one_line(&err), "{code:?} {err}");
    assert!(!err.contains(pik_tui::test_cluster::PASSWORD), "{err}");
    let (code, err) = run(&[&bare], sandbox::DEMO_KEY, "wrong");
    assert!(code != Some(0) && err.contains("password authentication failed") && one_line(&err), "{code:?} {err}");
    let (code, err) = run(&[&bare], "pik_test_notakey000000000000000000000", pik_tui::test_cluster::PASSWORD);
    assert!(code != Some(0) && err.contains("refused the API key") && one_line(&err), "{code:?} {err}");
    let (code, err) = run(&["postgres://postgres@127.0.0.1:1/none"], sandbox::DEMO_KEY, "");
    assert!(code != Some(0) && err.contains("Connection refused") && one_line(&err), "{code:?} {err}");
    runtime.block_on(sandbox.shutdown());
}

/// Two agents on one shared mirror: alice claims an underpaid order's case
/// from the command line while bob has it open in his dashboard; bob's
/// screen says so within a second (a notice, no polling), and his own
/// claim is refused, naming her.
fn claims() {
    let runtime = runtime();
    let sandbox = runtime.block_on(start(sandbox_config(20, 40)));
    let link = serde_json::json!({"amount": "75.00", "currency": "USDT", "description": "Order #1234"});
    let (status, planted) = runtime.block_on(control(&sandbox, reqwest::Method::POST, "/payment-links", Some(link)));
    assert_eq!(status, 201, "{planted}");
    let Some(id) = planted["id"].as_str().map(str::to_string) else { panic!("no link: {planted}") };
    let pay = serde_json::json!({"outcome": "settle", "amount": "74.10"});
    runtime.block_on(control(&sandbox, reqwest::Method::POST, &format!("/payment-links/{id}/pay"), Some(pay)));
    let url = database("claims");
    let store = runtime.block_on(open(&url, &sandbox.base_url()));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let _sync = spawn_sync(&sandbox, &url, &dir.path().join("sync.log"), &["--cycle", "1"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while runtime.block_on(store.order(&id)).map(|order| order.payments.len()).unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "the order never reached the shared mirror");
        std::thread::sleep(Duration::from_millis(200));
    }
    let config = |agent: &str| {
        let path = dir.path().join(format!("{agent}.toml"));
        assert!(std::fs::write(&path, format!("agent = \"{agent}\"\n")).is_ok());
        path.display().to_string()
    };
    let (alice, bob) = (config("alice"), config("bob"));
    let mut session = dashboard(&sandbox, &url, 120, &["--config", &bob]);
    session.wait_for("the shared mirror", |s| s.contains("shared ·"));
    session.send(&format!(":{id}\r"));
    std::thread::sleep(Duration::from_millis(300));
    session.send("C");
    session.wait_for("bob's case view", |s| s.contains("case of") && s.contains("0.90 missing"));
    // The others can see he has it open.
    let deadline = Instant::now() + Duration::from_secs(3);
    let looking = || runtime.block_on(store.order(&id)).map(|order| order.looking).unwrap_or_default();
    while !looking().iter().any(|(who, _)| who == "bob") {
        assert!(Instant::now() < deadline, "bob's dashboard does not say he has the case open");
        std::thread::sleep(Duration::from_millis(100));
    }
    let bare = url.replace(&format!(":{}@", pik_tui::test_cluster::PASSWORD), "@");
    let claimed = Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(["cases", "claim", &id, "--store", &bare, "--config", &alice, "--json"])
        .env("PIK_BASE_URL", sandbox.base_url())
        .env("PIK_API_KEY", AGENT_KEY)
        .env("PGPASSWORD", pik_tui::test_cluster::PASSWORD)
        .env("HOME", dir.path())
        .output();
    let Ok(claimed) = claimed else { panic!("pik-tui cases claim did not run") };
    assert!(claimed.status.success(), "{}", String::from_utf8_lossy(&claimed.stderr));
    let shown = session.wait_until(Duration::from_secs(1), |s| s.contains("claimed by alice"));
    assert!(shown, "bob does not see alice's claim within a second:\n{}", session.contents());
    // His own claim: refused, naming her.
    session.send("m");
    let told = session.wait_until(Duration::from_secs(5), |s| s.contains(": claimed by alice"));
    assert!(told, "bob is not told who has it:\n{}", session.contents());
}
