//! A mirror on a real filesystem that fills up during the backfill: the
//! sync says so and keeps trying; once there is room again it goes on, and
//! when it says "up to date" the mirror holds exactly what PIK has. Needs
//! root to mount a small tmpfs: CI runs as root and sets
//! PIK_TUI_REQUIRE_TMPFS, which turns a skip into a failure.

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

    fn grow(&self, size: &str) {
        let done = Command::new("mount").args(["-o", &format!("remount,size={size}")]).arg(self.dir.path()).status();
        assert!(done.is_ok_and(|s| s.success()), "remount");
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_during_the_backfill_loses_nothing_once_there_is_room() {
    let mounted = match Mounted::new("512k") {
        Ok(mounted) => mounted,
        Err(why) if std::env::var_os("PIK_TUI_REQUIRE_TMPFS").is_none() => {
            eprintln!("skipped: a small filesystem needs root to mount a tmpfs ({why})");
            return;
        }
        Err(why) => panic!("PIK_TUI_REQUIRE_TMPFS is set and a tmpfs could not be mounted: {why}"),
    };
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else {
        panic!("no runtime")
    };
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
    mounted.grow("256m");
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
