//! `pik-tui store path|stats|clear` and `pik-tui search QUERY`: the local
//! mirror from the command line. `search` brings the mirror up to date
//! first (a progress bar on stderr when that takes more than a moment),
//! unless `--offline`.

use super::print::{local_time, print_json, print_table, time_header};
use super::{Failure, Outcome, exit};
use crate::api::{ClientConfig, RetryPolicy};
use crate::cli::{GlobalArgs, SearchArgs, SearchKind, StoreCommand};
use crate::config::{self, Environment, Flags};
use crate::human::group_thousands;
use crate::mirror::{self, Choice};
use crate::sanitize::for_terminal_truncated;
use crate::store::{Account, Kinds, Reading, SearchHit, SearchQuery, Store};
use crate::sync::{Sync, SyncOptions};
use crate::zone::Zone;
use serde_json::json;
use std::time::Duration;

/// The account's settings and its mirror, opened.
pub(super) struct Opened {
    pub settings: config::Settings,
    pub store: Store,
    /// Times are printed and dates read in it.
    pub zone: Zone,
}

impl Opened {
    /// Who acts, for the audit log: the agent of this profile.
    pub(super) fn actor(&self, global: &GlobalArgs) -> Result<crate::audit::Actor, Failure> {
        let file = config::load(&Flags::from(global)).map_err(|e| Failure::usage(e.to_string()))?;
        let profile = self.settings.profile.clone();
        Ok(crate::audit::Actor { agent: config::agent(file.as_ref(), profile.as_deref()), profile })
    }
}

async fn open(global: &GlobalArgs) -> Result<Opened, Failure> {
    let settings = config::resolve(&Flags::from(global), &Environment::from_process())
        .map_err(|e| Failure::usage(e.to_string()))?;
    for warning in &settings.warnings {
        eprintln!("warning: {warning}");
    }
    let choice = Choice::resolve(global.store.as_ref(), global.no_store, settings.store.as_deref())
        .map_err(|e| Failure::usage(e.to_string()))?;
    let opened = mirror::open(&choice, &settings.base_url, &settings.key).await.map_err(|e| Failure {
        message: e.to_string(),
        code: exit::FAILED,
        error: None,
    })?;
    for note in &opened.notes {
        eprintln!("warning: {note}");
    }
    let zone = super::command_zone(global)?;
    Ok(Opened { settings, store: opened.store, zone })
}

/// The store a command's write records its act in.
pub(super) async fn open_record(global: &GlobalArgs) -> Result<Store, Failure> {
    open(global).await.map(|opened| opened.store)
}

pub async fn store(global: &GlobalArgs, command: StoreCommand) -> Outcome {
    if let StoreCommand::Path { .. } = command {
        // Where it would be, without creating it.
        let settings = config::resolve(&Flags::from(global), &Environment::from_process())
            .map_err(|e| Failure::usage(e.to_string()))?;
        let choice = Choice::resolve(global.store.as_ref(), global.no_store, settings.store.as_deref())
            .map_err(|e| Failure::usage(e.to_string()))?;
        let place = choice.place(&Account::new(&settings.base_url, &settings.key));
        if global.json {
            print_json(&json!({"path": place.to_string()}));
        } else {
            println!("{place}");
        }
        return Ok(());
    }
    let opened = open(global).await?;
    let store_failed =
        |e: crate::store::StoreError| Failure { message: e.to_string(), code: exit::FAILED, error: None };
    if let StoreCommand::Clear { .. } = command {
        let before = opened.store.stats().await.map_err(store_failed)?;
        opened.store.clear().await.map_err(store_failed)?;
        if global.json {
            print_json(&json!({"cleared": {"links": before.links, "transactions": before.transactions}}));
        } else {
            println!(
                "cleared {} links and {} transactions from {}; the next sync starts over",
                group_thousands(before.links),
                group_thousands(before.transactions),
                before.place
            );
        }
        return Ok(());
    }
    let stats = opened.store.stats().await.map_err(store_failed)?;
    let synced = opened
        .store
        .state("sync")
        .await
        .map_err(store_failed)?
        .map(|s| crate::sync::SyncState::from_json(Some(&s)))
        .and_then(|s| s.synced_at);
    if global.json {
        print_json(&json!({"stats": stats, "synced_at": synced}));
        return Ok(());
    }
    let size = stats.bytes.map(|b| format!("{:.1} MB", b as f64 / 1e6)).unwrap_or_else(|| "in memory".into());
    let rows = [
        ("file", stats.place.clone()),
        ("links", group_thousands(stats.links)),
        ("transactions", group_thousands(stats.transactions)),
        ("webhooks", group_thousands(stats.webhooks)),
        ("size", size),
        ("schema", stats.schema.to_string()),
        (
            "up to date",
            synced.map(|t| local_time(&opened.zone, &t)).unwrap_or_else(|| "never (backfill not finished)".into()),
        ),
    ];
    for (name, value) in rows {
        println!("{name:<13} {value}");
    }
    Ok(())
}

/// How recently a mirror must have been brought up to date for a command
/// to read it as it is, without asking PIK first.
const FRESH_ENOUGH_SECS: i64 = 60;

/// Brings the mirror up to date, with a progress bar on stderr once it
/// takes more than a moment. Says why not, when it cannot; with another
/// pik-tui syncing it, what that one has done so far.
/// A client for the account of the mirror, as the command's options ask.
pub(super) fn client_for(opened: &Opened, global: &GlobalArgs) -> Result<crate::api::Client, crate::api::ApiError> {
    let mut config = ClientConfig::new(opened.settings.base_url.clone(), opened.settings.key.clone());
    config.request_timeout = Duration::from_secs(global.timeout);
    config.max_requests_per_sec = global.max_rps;
    config.retry = RetryPolicy::default();
    crate::api::Client::new(config)
}

async fn catch_up(opened: &Opened, global: &GlobalArgs) -> Result<(), (crate::sync::SyncError, String)> {
    let client = client_for(opened, global).map_err(|e| (e.into(), String::new()))?;
    let (mut sync, status) = Sync::new(client, opened.store.clone(), SyncOptions::default());
    let bar = indicatif::ProgressBar::hidden();
    let shown = bar.clone();
    let watcher = tokio::spawn(async move {
        let mut status = status;
        let started = std::time::Instant::now();
        while status.changed().await.is_ok() {
            if started.elapsed() < Duration::from_secs(1) {
                continue;
            }
            let now = status.borrow().clone();
            if shown.is_hidden() && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                shown.set_style(
                    indicatif::ProgressStyle::with_template("{bar:30} {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                shown.set_length(1000);
            }
            shown.set_position((now.ratio() * 1000.0) as u64);
            shown.set_message(now.words(chrono::Utc::now()));
        }
    });
    let result = sync.catch_up().await;
    watcher.abort();
    bar.finish_and_clear();
    result.map_err(|error| (error, sync.status().words(chrono::Utc::now())))
}

/// The account's mirror, brought up to date first unless `offline` or it
/// was less than a minute ago; a mirror that cannot be brought up to date
/// (or that another pik-tui is syncing) is still read, with a warning.
pub(super) async fn mirrored(global: &GlobalArgs, offline: bool) -> Result<Opened, Failure> {
    let opened = open(global).await?;
    let synced_at = opened
        .store
        .state("sync")
        .await
        .ok()
        .flatten()
        .and_then(|state| crate::sync::SyncState::from_json(Some(&state)).synced_at);
    let fresh = synced_at.is_some_and(|at| chrono::Utc::now() - at < chrono::Duration::seconds(FRESH_ENOUGH_SECS));
    if !offline && !fresh && !opened.store.read_only() {
        match catch_up(&opened, global).await {
            Ok(()) => {}
            // A key PIK refuses will not do better next time: say so.
            Err((crate::sync::SyncError::Api(error), _))
                if matches!(error.kind(), crate::api::ErrorKind::Api | crate::api::ErrorKind::Config)
                    && matches!(error.status(), Some(401 | 403) | None) =>
            {
                return Err(Failure::api(error));
            }
            // Not a second backfill beside the other's: what is there.
            Err((crate::sync::SyncError::Elsewhere, progress)) => {
                eprintln!("note: {progress}; reading what the mirror holds now");
            }
            // Better what is mirrored than nothing at all.
            Err((why, _)) => {
                eprintln!("warning: the mirror could not be brought up to date ({why}); using what it holds")
            }
        }
    }
    Ok(opened)
}

pub async fn search(global: &GlobalArgs, args: SearchArgs) -> Outcome {
    let kinds = match args.kind {
        SearchKind::Links => Kinds::Links,
        SearchKind::Transactions => Kinds::Transactions,
        SearchKind::All => Kinds::Both,
    };
    let text = args.query.join(" ");
    // A filter that cannot be read is refused before PIK is asked anything.
    let zone = super::command_zone(global)?;
    // The case rules (and so the config's [cases], [replies]) only for a `case:` filter.
    let rules = if text.to_ascii_lowercase().contains("case:") {
        super::case_config(global)?.0
    } else {
        crate::cases::CaseRules::default()
    };
    let query = SearchQuery::parse_in(&text, kinds, Reading { zone: &zone, now: chrono::Utc::now(), cases: &rules });
    if !query.problems.is_empty() {
        return Err(Failure::usage(query.problems.join("; ")));
    }
    let opened = mirrored(global, args.offline).await?;
    let page = opened.store.search(query, 0, args.limit).await.map_err(|e| Failure {
        message: e.to_string(),
        code: exit::FAILED,
        error: None,
    })?;
    if global.json {
        let results: Vec<serde_json::Value> = page
            .hits
            .iter()
            .map(|hit| match hit {
                SearchHit::Link(link) => json!({"kind": "link", "link": link}),
                SearchHit::Transaction(txn) => json!({"kind": "transaction", "transaction": txn}),
            })
            .collect();
        print_json(&json!({"query": text, "total": page.total, "capped": page.capped, "results": results}));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = page
        .hits
        .iter()
        .map(|hit| match hit {
            SearchHit::Link(l) => vec![
                for_terminal_truncated(&l.id, 40),
                l.amount.to_string(),
                for_terminal_truncated(&l.currency, 8),
                for_terminal_truncated(l.status.as_str(), 14),
                local_time(&opened.zone, &l.created_at),
                for_terminal_truncated(l.description.as_deref().unwrap_or("—"), 40),
            ],
            SearchHit::Transaction(t) => vec![
                for_terminal_truncated(&t.id, 40),
                t.amount.to_string(),
                for_terminal_truncated(&t.currency, 8),
                for_terminal_truncated(t.status.as_str(), 14),
                local_time(&opened.zone, &t.created_at),
                format!("payment · {}", for_terminal_truncated(t.payment_link_id.as_deref().unwrap_or("—"), 40)),
            ],
        })
        .collect();
    let created = time_header(&opened.zone, "CREATED");
    print_table(&["ID", "AMOUNT", "CUR", "STATUS", &created, "ABOUT"], &rows, &[1]);
    let more = if page.capped { "more than " } else { "" };
    println!("{} shown; {more}{} matched", rows.len(), group_thousands(page.total));
    Ok(())
}
