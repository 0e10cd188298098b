//! The mirror from the command line, as a user runs it: `search` (which
//! brings the mirror up to date first), `--offline`, `store stats`, and a
//! backfill killed with SIGKILL that the next run resumes.

mod common;

use common::*;
use pik_tui::sandbox::{DEMO_KEY, Sandbox, SandboxConfig, SeedSizes};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn pik(sandbox: &Sandbox, key: &str, store: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pik-tui"));
    command
        .args(args)
        .arg("--store")
        .arg(store)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("PIK_BASE_URL", sandbox.base_url())
        .env("PIK_API_KEY", key)
        .stdin(Stdio::null());
    command
}

fn run(mut command: Command) -> (i32, Value, String) {
    let output = match command.output() {
        Ok(output) => output,
        Err(err) => panic!("did not run: {err}"),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&output.stderr).into_owned())
}

fn temp() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("{err}"),
    }
}

/// A link deep in the account whose description no other link shares.
/// `/` and a link's description: the link is the first row; then Esc and q.
fn search_finds_then_quit(session: &mut pty::Session, id: &str, description: &str) {
    session.send("/");
    session.send(description);
    session.wait_for("the search result", |s| s.lines().nth(3).is_some_and(|l| l.contains(id)));
    // A lone ESC followed at once by q reads as Alt-q: leave a gap, as a person does.
    session.send("\u{1b}");
    session.wait_for("the search gone", |s| !s.contains("search:"));
    session.send("q");
    assert!(session.wait_exit());
}

async fn deep_link(sandbox: &Sandbox) -> (String, String) {
    let client = client(sandbox);
    let mut all = Vec::new();
    for offset in (0..300).step_by(100) {
        let query = pik_tui::api::LinkQuery { limit: Some(100), offset: Some(offset), ..Default::default() };
        all.extend(client.list_links(&query).await.map(|p| p.data).unwrap_or_default());
    }
    let unique = all.iter().skip(200).find(|l| {
        l.description.as_ref().is_some_and(|d| all.iter().filter(|o| o.description.as_ref() == Some(d)).count() == 1)
    });
    match unique {
        Some(link) => (link.id.clone(), link.description.clone().unwrap_or_default()),
        None => panic!("no link with a unique description below the first page"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_json_finds_a_link_anywhere_and_offline_asks_pik_nothing() {
    let sandbox = quiet_sandbox().await;
    let dir = temp();
    let store = dir.path().join("mirror.sqlite");
    let (id, description) = deep_link(&sandbox).await;
    let (code, found, stderr) =
        run(pik(&sandbox, DEMO_KEY, &store, &["search", "--json", "--kind", "links", &description]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(found["results"][0]["link"]["id"], id.as_str(), "{found}");
    assert_eq!(found["results"][0]["kind"], "link");
    assert!(found["total"].as_u64().is_some_and(|t| t >= 1));
    // Offline: the same answer, and not one request to PIK.
    reset_requests(&sandbox).await;
    let (code, offline, _) = run(pik(&sandbox, DEMO_KEY, &store, &["search", "--json", "--offline", &description]));
    assert_eq!(code, 0);
    assert_eq!(offline["results"][0]["link"]["id"], id.as_str());
    assert_eq!(request_count(&sandbox, "").await.0, 0, "--offline asked PIK");
    // Brought up to date less than a minute ago: read as it is, at once.
    reset_requests(&sandbox).await;
    let (code, fresh, _) = run(pik(&sandbox, DEMO_KEY, &store, &["search", "--json", &description]));
    assert_eq!((code, fresh["results"][0]["link"]["id"].as_str()), (0, Some(id.as_str())));
    assert_eq!(request_count(&sandbox, "").await.0, 0, "a fresh mirror waited for PIK");
    // A filter that does not parse: said, exit 2, and PIK is not asked.
    let (code, _, stderr) = run(pik(&sandbox, DEMO_KEY, &store, &["search", "from:someday", "order"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("from: use a date like 2026-11-29, yesterday or 7d"), "{stderr}");
    assert_eq!(request_count(&sandbox, "").await.0, 0);
    // store stats says what it holds.
    let (code, stats, _) = run(pik(&sandbox, DEMO_KEY, &store, &["store", "stats", "--json"]));
    assert_eq!(
        (code, stats["stats"]["links"].as_u64(), stats["stats"]["transactions"].as_u64()),
        (0, Some(300), Some(1000))
    );
    // A key PIK refuses: a clear error, exit 3, and nothing searched.
    let other = dir.path().join("other.sqlite");
    let (code, _, stderr) = run(pik(&sandbox, "pik_test_wrongkey000000001", &other, &["search", "order"]));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("rejected (401)") && !stderr.contains("wrongkey"), "{stderr}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_killed_with_sigkill_leaves_a_sound_file_and_resumes() {
    let sandbox = start(SandboxConfig {
        activity: false,
        speed: 0.0,
        rate_limit_per_sec: None,
        sizes: SeedSizes { links: 2000, transactions: 8000, webhooks: 3 },
        ..SandboxConfig::default()
    })
    .await;
    let dir = temp();
    let store = dir.path().join("mirror.sqlite");
    // A slow backfill (20 requests a second): killed after some pages.
    let mut child = match pik(&sandbox, DEMO_KEY, &store, &["search", "--max-rps", "20", "anything"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(err) => panic!("{err}"),
    };
    let started = Instant::now();
    loop {
        let (_, txn_pages) = request_count(&sandbox, "GET /v1/transactions").await;
        if txn_pages >= 10 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the backfill did not get going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    // The file is sound and holds what was saved.
    let (code, stats, stderr) = run(pik(&sandbox, DEMO_KEY, &store, &["store", "stats", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let kept = stats["stats"]["transactions"].as_u64().unwrap_or(0);
    assert_eq!(stats["stats"]["links"].as_u64(), Some(2000));
    assert!((500..8000).contains(&kept), "{kept} transactions kept");
    // The next run goes on from there: it reads what is left, not it all.
    reset_requests(&sandbox).await;
    let (code, _, stderr) = run(pik(&sandbox, DEMO_KEY, &store, &["search", "--json", "anything"]));
    assert_eq!(code, 0, "{stderr}");
    let (_, pages) = request_count(&sandbox, "GET /v1/transactions").await;
    let left = (8000 - kept) / 100 + 1;
    assert!(pages <= left + 8, "{pages} transaction pages for {left} left: it started over");
    let (_, stats, _) = run(pik(&sandbox, DEMO_KEY, &store, &["store", "stats", "--json"]));
    assert_eq!(stats["stats"]["transactions"].as_u64(), Some(8000), "nothing lost, nothing twice");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_pik_unreachable_the_mirror_is_shown_and_searched_marked_offline() {
    let sandbox = quiet_sandbox().await;
    let dir = temp();
    let store = dir.path().join("mirror.sqlite");
    let (id, description) = deep_link(&sandbox).await;
    let (code, _, stderr) = run(pik(&sandbox, DEMO_KEY, &store, &["search", "x"]));
    assert_eq!(code, 0, "{stderr}");
    let base = sandbox.base_url();
    sandbox.shutdown().await; // PIK is gone
    let store_arg = store.display().to_string();
    let mut session = common::pty::Session::start_with(
        None,
        &["--base-url", &base, "--store", &store_arg, "--refresh", "1", "--no-mouse"],
        130,
        30,
        &[("PIK_API_KEY", DEMO_KEY)],
    );
    session.wait_for("the mirror's rows", |s| s.contains("pl_"));
    let screen = session.wait_for("offline", |s| s.contains("offline"));
    assert!(screen.contains("PIK unreachable, showing data from"), "with its age:\n{screen}");
    search_finds_then_quit(&mut session, &id, &description);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirror_that_cannot_be_written_is_kept_in_memory_and_the_dashboard_works() {
    let sandbox = quiet_sandbox().await;
    let base = sandbox.base_url();
    // /proc cannot be written, not even by root.
    let mut session = common::pty::Session::start_with(
        None,
        &["--base-url", &base, "--store", "/proc/self/pik-tui/mirror.sqlite", "--no-mouse"],
        130,
        30,
        &[("PIK_API_KEY", DEMO_KEY)],
    );
    // PIK's count, not the part of it held in memory.
    let screen = session.wait_for("rows", |s| s.contains("pl_") && s.contains("1 Links 300"));
    assert!(screen.contains("300 at PIK"), "the count says it is a part:\n{screen}");
    let screen = session.wait_for("the note", |s| s.contains("in memory"));
    assert!(screen.contains("the mirror is in memory") || screen.contains("in memory, rows scrolled to"), "{screen}");
    // `/` searches what is held.
    session.send("/");
    session.wait_for("the search prompt", |s| s.contains("searches the mirror"));
    session.send("\u{1b}");
    session.wait_for("the prompt gone", |s| !s.contains("searches the mirror"));
    session.send("q");
    assert!(session.wait_exit());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_dashboards_on_one_mirror_both_work_and_one_syncs() {
    let sandbox = quiet_sandbox().await;
    let dir = temp();
    let store = dir.path().join("shared.sqlite").display().to_string();
    let base = sandbox.base_url();
    let args = ["--base-url", base.as_str(), "--store", store.as_str(), "--refresh", "1", "--no-mouse"];
    let env = [("PIK_API_KEY", DEMO_KEY)];
    let mut first = common::pty::Session::start_with(None, &args, 130, 30, &env);
    first.wait_for("the first's mirror", |s| s.contains("mirror up to date"));
    let mut second = common::pty::Session::start_with(None, &args, 130, 30, &env);
    second.wait_for("the second's rows", |s| s.contains("pl_"));
    // It waits its turn, saying what the first has done.
    second.wait_for("the second waits its turn", |s| s.contains("another pik-tui syncs it"));
    // Both search the one mirror.
    let (id, description) = deep_link(&sandbox).await;
    for session in [&mut first, &mut second] {
        search_finds_then_quit(session, &id, &description);
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_gives_up_the_sync_lease_so_the_next_start_syncs_at_once() {
    let sandbox = quiet_sandbox().await;
    let dir = temp();
    let path = dir.path().join("mirror.sqlite");
    let store = path.display().to_string();
    let base = sandbox.base_url();
    let args = ["--base-url", base.as_str(), "--store", store.as_str(), "--refresh", "1", "--no-mouse"];
    let env = [("PIK_API_KEY", DEMO_KEY)];
    let mut first = common::pty::Session::start_with(None, &args, 130, 30, &env);
    first.wait_for("the mirror", |s| s.contains("mirror up to date"));
    first.send("q");
    assert!(first.wait_exit());
    let held: Option<String> = rusqlite::Connection::open(&path)
        .and_then(|conn| conn.query_row("SELECT holder FROM sync_lease", [], |row| row.get(0)))
        .ok();
    assert_eq!(held, None, "the lease is given up at a clean exit");
    let mut second = common::pty::Session::start_with(None, &args, 130, 30, &env);
    let screen = second.wait_for("the second syncs", |s| s.contains("mirror up to date") || s.contains("another"));
    assert!(!screen.contains("another pik-tui"), "{screen}");
    second.send("q");
    assert!(second.wait_exit());
    sandbox.shutdown().await;
}

/// A link made in the dashboard and one made by the command, and a
/// deactivation, all in `audit --json` with their agents and the request's
/// id; neither the key nor anything of it is in any file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_dashboard_and_the_commands_write_is_in_the_audit_log() {
    let sandbox = quiet_sandbox().await;
    let dir = temp();
    let store = dir.path().join("mirror.sqlite");
    let config = dir.path().join("alice.toml");
    assert!(std::fs::write(&config, "agent = \"alice\"\n").is_ok());
    let (base, store_arg, config_arg) = (sandbox.base_url(), store.display().to_string(), config.display().to_string());
    let args =
        ["--base-url", base.as_str(), "--store", store_arg.as_str(), "--config", config_arg.as_str(), "--no-mouse"];
    let mut session = pty::Session::start_with(None, &args, 130, 30, &[("PIK_API_KEY", DEMO_KEY)]);
    session.wait_for("the mirror", |s| s.contains("mirror up to date"));
    for key in ["n", "12.50", "\t", "\t", "Audit order 77", "\r"] {
        session.send(key);
        std::thread::sleep(Duration::from_millis(60));
    }
    session.wait_for("the result view", |s| s.contains("Payment link created"));
    session.send("\u{1b}");
    std::thread::sleep(Duration::from_millis(200));
    session.send("q");
    assert!(session.wait_exit());
    let (code, made, text) = run(pik(
        &sandbox,
        DEMO_KEY,
        &store,
        &["links", "create", "--amount", "3.00", "--currency", "USDT", "--no-qr", "--json"],
    ));
    assert_eq!(code, 0, "{text}");
    let id = made["id"].as_str().unwrap_or_default().to_string();
    let (code, _, text) = run(pik(&sandbox, DEMO_KEY, &store, &["links", "deactivate", &id, "--yes"]));
    assert_eq!(code, 0, "{text}");
    let (code, audit, text) = run(pik(&sandbox, DEMO_KEY, &store, &["audit", "--json"]));
    assert_eq!(code, 0, "{text}");
    let acts = audit["acts"].as_array().cloned().unwrap_or_default();
    let said: Vec<(&str, &str, &str)> = acts
        .iter()
        .map(|a| {
            (a["agent"].as_str().unwrap_or(""), a["act"].as_str().unwrap_or(""), a["outcome"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(said.len(), 3, "{audit}");
    assert_eq!(said[0], ("alice", "created a link", "done"), "the dashboard's, by its agent: {audit}");
    assert_eq!((said[1].1, said[2].1), ("created a link", "deactivated a link"), "{audit}");
    assert_eq!(acts[2]["subject"].as_str(), Some(id.as_str()));
    assert!(acts.iter().all(|a| a["request_id"].as_str().is_some_and(|r| r.len() == 32)), "{audit}");
    for file in std::fs::read_dir(dir.path()).into_iter().flatten().flatten() {
        let bytes = std::fs::read(file.path()).unwrap_or_default();
        assert!(!bytes.windows(DEMO_KEY.len()).any(|w| w == DEMO_KEY.as_bytes()), "the key is in {:?}", file.path());
    }
    sandbox.shutdown().await;
}
