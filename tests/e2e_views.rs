//! Saved views in the real binary, against a quiet sandbox and a mirror
//! file shared with the one-shot commands: a view's count and rows are what
//! `pik-tui search` finds for the same query, and `:save` writes a view into
//! the config file with the agent's comments kept.

mod common;

use common::*;
use pik_tui::sandbox::DEMO_KEY;
use serde_json::Value;
use std::process::{Command, Stdio};

/// Filters and a word: the word is matched by the search index, in the list too.
const QUERY: &str = "status:active currency:USDT order";

fn search(base: &str, store: &std::path::Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_pik-tui"))
        .args(["search", "--json", "--kind", "links", QUERY, "--base-url", base, "--store"])
        .arg(store)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("PIK_API_KEY", DEMO_KEY)
        .stdin(Stdio::null())
        .output();
    let Ok(output) = output else { panic!("search did not run") };
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_shows_what_the_search_finds_and_save_keeps_the_config_s_comments() {
    let sandbox = quiet_sandbox().await;
    let Ok(dir) = tempfile::tempdir() else { panic!("a temp dir") };
    let store = dir.path().join("mirror.sqlite");
    let config = dir.path().join("config.toml");
    let written = format!(
        "# the lead's views\n[[views]]\nname = \"usdt open\" # for finance\nquery = \"{QUERY}\"\nkey = \"u\"\n"
    );
    assert!(std::fs::write(&config, &written).is_ok());
    let base = sandbox.base_url();
    let found = search(&base, &store);
    let total = found["total"].as_u64().unwrap_or(0);
    let ids: Vec<String> = found["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["link"]["id"].as_str().map(String::from))
        .collect();
    assert!(total > 3 && ids.len() >= 3, "{found}");
    let (store_arg, config_arg) = (store.display().to_string(), config.display().to_string());
    let base_arg = base.clone();
    let screen = tokio::task::spawn_blocking(move || {
        let args = ["--base-url", &base_arg, "--store", &store_arg, "--config", &config_arg, "--no-mouse"];
        let mut session = pty::Session::start_with(None, &args, 160, 40, &[("PIK_API_KEY", DEMO_KEY)]);
        session.wait_for("the view's tab with its count", |s| s.contains(&format!(" u usdt open {total} ")));
        session.send("u");
        let title = format!("usdt open · row 1 of {total} · {QUERY}");
        let screen = session.wait_for("the view", |s| s.contains(&title));
        // `:save` the Links pane, filtered, as another view.
        session.send("1");
        session.send("s");
        session.wait_for("the status filter", |s| s.contains("status: active"));
        session.send(":save open links\r");
        session.wait_for("the save said", |s| s.contains("saved the view \"open links\""));
        session.send("q");
        assert!(session.wait_exit());
        screen
    })
    .await;
    let Ok(screen) = screen else { panic!("the session failed") };
    // The rows on screen, top to bottom, are the search's, newest first.
    let shown: Vec<&str> = screen
        .lines()
        .filter_map(|line| line.strip_prefix('│'))
        .filter_map(|row| row.split_whitespace().find(|w| !["▶", "+", "*", "●", "▶●"].contains(w)))
        .filter(|first| first.starts_with("pl_"))
        .collect();
    let n = shown.len().min(ids.len());
    let expected: Vec<&str> = ids.iter().map(String::as_str).take(n).collect();
    assert!(n >= 3, "{screen}");
    assert_eq!(shown[..n], expected[..], "{screen}");
    let saved = std::fs::read_to_string(&config).unwrap_or_default();
    assert!(saved.starts_with(&written), "the file as written comes first, comments and all:\n{saved}");
    assert!(saved.contains("name = \"open links\"\nquery = \"status:active\""), "{saved}");
    sandbox.shutdown().await;
}
