//! The mirror on real filesystems that misbehave: one that fills up during
//! the backfill (nothing is lost once there is room), one mounted
//! read-only (read as it is, and said), and a file of another user (named
//! with its owner). Needs root to mount a tmpfs and to act as another
//! user: CI runs as root and sets PIK_TUI_REQUIRE_TMPFS, which turns a skip
//! into a failure.

mod common;

use common::convergence::{mirror, same};
use common::*;
use pik_tui::api::ApiKey;
use pik_tui::sandbox::{self, SandboxConfig, SeedSizes};
use pik_tui::store::{Account, Place, Store};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A tmpfs of `size` mounted on a fresh folder, unmounted when dropped.
struct Mounted {
    dir: tempfile::TempDir,
}

impl Mounted {
    fn new(size: &str) -> Result<Mounted, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !mounted.status.success() {
            return Err(format!("mount: {}", String::from_utf8_lossy(&mounted.stderr).trim()));
        }
        Ok(Mounted { dir })
    }

    fn remount(&self, options: &str) {
        let done = Command::new("mount").args(["-o", &format!("remount,{options}")]).arg(self.dir.path()).status();
        assert!(done.is_ok_and(|s| s.success()), "remount {options}");
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// A tmpfs, or none when this machine cannot mount one (and CI did not
/// ask for it: then the test says it was skipped).
fn tmpfs(size: &str) -> Option<Mounted> {
    match Mounted::new(size) {
        Ok(mounted) => Some(mounted),
        Err(why) if std::env::var_os("PIK_TUI_REQUIRE_TMPFS").is_none() => {
            eprintln!("skipped: needs root to mount a tmpfs ({why})");
            None
        }
        Err(why) => panic!("PIK_TUI_REQUIRE_TMPFS is set and a tmpfs could not be mounted: {why}"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => panic!("no runtime: {err}"),
    }
}

/// pik-tui with `args` against `sandbox`, in a home of its own.
fn pik(sandbox: &pik_tui::sandbox::Sandbox, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(args)
        .env("PIK_API_KEY", sandbox::DEMO_KEY)
        .env("PIK_BASE_URL", sandbox.base_url())
        .env("HOME", home.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A quiet sandbox mirrored whole into a file at `path`.
fn mirrored(runtime: &tokio::runtime::Runtime, path: &std::path::Path) -> pik_tui::sandbox::Sandbox {
    runtime.block_on(async {
        let sandbox = quiet_sandbox().await;
        let account = Account::new(&sandbox.base_url(), &ApiKey::new(sandbox::DEMO_KEY));
        let store = match Store::open(Place::File(path.to_path_buf()), &account) {
            Ok(opened) => opened.store,
            Err(err) => panic!("{err}"),
        };
        let (mut sync, _) = pik_tui::sync::Sync::new(client(&sandbox), store, Default::default());
        assert!(sync.catch_up().await.is_ok());
        sandbox
    })
}

#[test]
fn a_mirror_on_a_read_only_disk_is_read_as_it_is_and_says_so() {
    let Some(mounted) = tmpfs("64m") else { return };
    let runtime = runtime();
    let path = mounted.dir.path().join("mirror.sqlite");
    let sandbox = mirrored(&runtime, &path);
    // A mirror from before the record of what agents did: none beside it.
    for record in ["mirror.record.sqlite", "mirror.record.sqlite-wal", "mirror.record.sqlite-shm"] {
        let _ = std::fs::remove_file(mounted.dir.path().join(record));
    }
    mounted.remount("ro");
    let store = path.display().to_string();
    let stats = pik(&sandbox, &["store", "stats", "--json", "--store", &store]);
    let stderr = String::from_utf8_lossy(&stats.stderr);
    assert_eq!(stats.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("is on a read-only disk: it is read as it is"), "{stderr}");
    assert!(stderr.contains("cannot be made on a read-only disk"), "the record, in memory, said: {stderr}");
    let value: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap_or_default();
    assert_eq!(value["stats"]["links"].as_u64(), Some(300), "{value}");
    // A search reads it as it is, without trying to bring it up to date.
    for offline in [true, false] {
        let mut args = vec!["search", "--json", "--store", &store, "order"];
        if offline {
            args.push("--offline");
        }
        let found = pik(&sandbox, &args);
        assert_eq!(found.status.code(), Some(0), "{}", String::from_utf8_lossy(&found.stderr));
        let value: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap_or_default();
        assert!(value["total"].as_u64().is_some_and(|n| n > 0), "{value}");
    }
    runtime.block_on(sandbox.shutdown());
}

#[test]
fn a_mirror_of_another_user_is_refused_naming_its_owner() {
    let Some(mounted) = tmpfs("64m") else { return };
    let runtime = runtime();
    let path = mounted.dir.path().join("mirror.sqlite");
    let sandbox = mirrored(&runtime, &path);
    // Root's file, which others may read but not make private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let open = std::fs::Permissions::from_mode(0o755);
        assert!(std::fs::set_permissions(mounted.dir.path(), open).is_ok());
        assert!(std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).is_ok());
    }
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_pik-tui")])
        .args(["store", "stats", "--store"])
        .arg(&path)
        .env("PIK_API_KEY", sandbox::DEMO_KEY)
        .env("PIK_BASE_URL", sandbox.base_url())
        .env("HOME", home.path())
        .env_remove("USER")
        .output()
        .unwrap_or_else(|e| panic!("setpriv (util-linux) is needed: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("mirror.sqlite") && stderr.contains("belongs to root"), "{stderr}");
    assert!(stderr.contains("--store FILE"), "what to do: {stderr}");
    runtime.block_on(sandbox.shutdown());
}

#[test]
fn a_full_disk_during_the_backfill_loses_nothing_once_there_is_room() {
    let Some(mounted) = tmpfs("512k") else { return };
    let runtime = runtime();
    let sandbox = runtime.block_on(start(SandboxConfig {
        activity: false,
        speed: 0.0,
        rate_limit_per_sec: None,
        sizes: SeedSizes { links: 1500, transactions: 4000, webhooks: 2 },
        ..SandboxConfig::default()
    }));
    let path = mounted.dir.path().join("mirror.sqlite");
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(["sync", "--cycle", "1", "--max-rps", "200", "--base-url", &sandbox.base_url(), "--store"])
        .arg(&path)
        .env("PIK_API_KEY", sandbox::DEMO_KEY)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let (lines, said) = mpsc::channel();
    let stderr = child.stderr.take();
    std::thread::spawn(move || {
        for line in stderr.map(BufReader::new).into_iter().flat_map(|r| r.lines()).map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut log = Vec::new();
    let mut wait_for = |what: &str, deadline: Duration| {
        let until = Instant::now() + deadline;
        while Instant::now() < until {
            if let Ok(line) = said.recv_timeout(Duration::from_millis(200)) {
                let found = line.contains(what);
                log.push(line);
                if found {
                    return;
                }
            }
        }
        panic!("no {what:?} in {deadline:?}; the sync said:\n{}", log.join("\n"));
    };
    wait_for("disk is full", Duration::from_secs(60));
    mounted.remount("size=256m");
    wait_for("mirror up to date", Duration::from_secs(120));
    let _ = child.kill();
    let _ = child.wait();
    runtime.block_on(async {
        let account = Account::new(&sandbox.base_url(), &ApiKey::new(sandbox::DEMO_KEY));
        let store = match Store::open(Place::File(path.clone()), &account) {
            Ok(opened) => opened.store,
            Err(err) => panic!("{err}"),
        };
        let (mut pik_links, mut pik_transactions) = truth(&client(&sandbox)).await;
        let (mut links, mut transactions) = mirror(&store).await;
        same("links", &mut pik_links, &mut links, |l| &l.id);
        same("transactions", &mut pik_transactions, &mut transactions, |t| &t.id);
        sandbox.shutdown().await;
    });
}
