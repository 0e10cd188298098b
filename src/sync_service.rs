//! `pik-tui sync`: the sync engine alone, as a service, keeping one mirror
//! (a team's shared one on PostgreSQL, usually) for everyone who reads it.
//!
//! Two may run: the store's election (an advisory lock on PostgreSQL, a
//! lease in a file) lets one write while the other waits and takes over
//! when the first dies. It logs to stderr (or `--log-file`), one line per
//! event, stops cleanly on SIGTERM or Ctrl-C (every write is one
//! transaction, so a stop at any point resumes), and exits non-zero with
//! one clear line on a bad key or a bad connection string.

use crate::api::{ApiError, Client, ClientConfig, ErrorKind, LinkQuery, RetryPolicy};
use crate::cli::GlobalArgs;
use crate::config::{self, Environment, Flags};
use crate::mirror::{self, Choice};
use crate::store::Store;
use crate::sync::{Phase, Sync, SyncOptions};
use std::time::Duration;

/// How often the elected sync says it is alive, between its own steps: the
/// dashboards call a mirror stale after three of their refreshes.
const HEARTBEAT: Duration = Duration::from_secs(4);

/// Why the service could not start, as one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

pub struct ServiceOptions {
    /// The rest between two cycles once the mirror is up to date.
    pub cycle: Duration,
}

/// Runs until SIGTERM or Ctrl-C. Err: a line for stderr, and exit 1 or 2.
pub async fn run(global: &GlobalArgs, options: ServiceOptions) -> Result<(), Refused> {
    let settings =
        config::resolve(&Flags::from(global), &Environment::from_process()).map_err(|e| Refused(e.to_string()))?;
    for warning in &settings.warnings {
        tracing::warn!("{warning}");
    }
    let choice = Choice::resolve(global.store.as_ref(), global.no_store, settings.store.as_deref())
        .map_err(|e| Refused(e.to_string()))?;
    if choice == Choice::Memory {
        return Err(Refused("`pik-tui sync` keeps a mirror for others to read: --no-store makes no sense here".into()));
    }
    let mut config = ClientConfig::new(settings.base_url.clone(), settings.key.clone());
    config.max_requests_per_sec = global.max_rps;
    config.request_timeout = Duration::from_secs(global.timeout);
    config.retry = RetryPolicy::default();
    let client = Client::new(config).map_err(|e| Refused(format!("cannot set up the client: {e}")))?;
    check_key(&client).await?;
    let opened = mirror::open(&choice, &settings.base_url, &settings.key)
        .await
        .map_err(|e| Refused(format!("cannot open the mirror: {e}")))?;
    for note in &opened.notes {
        tracing::warn!("{note}");
    }
    let store = opened.store;
    tracing::info!(mirror = %store.place(), base_url = %settings.base_url, key = %settings.key, "sync starting");
    let sync_options = SyncOptions {
        refresh: options.cycle,
        // Nobody looks at one kind: every kind every cycle, and the
        // unfinished sets once a minute, as for a dashboard.
        hidden_every: 1,
        ..SyncOptions::default()
    };
    let holder = sync_options.holder.clone();
    let lease = chrono::Duration::from_std(sync_options.lease).unwrap_or(chrono::Duration::seconds(30));
    let (sync, mut status) = Sync::new(client, store.clone(), sync_options);
    let running = tokio::spawn(sync.run());
    let heartbeat = tokio::spawn(beat(store, holder, lease));
    let mut last = String::new();
    let stopped = loop {
        tokio::select! {
            changed = status.changed() => {
                if changed.is_err() {
                    break "the sync stopped";
                }
                let now_status = status.borrow_and_update().clone();
                let words = now_status.words(chrono::Utc::now());
                // One line per change of phase, not per page.
                let phase = phase_name(&now_status.phase);
                if phase != last {
                    match &now_status.phase {
                        Phase::Failing(_) => tracing::warn!("{words}"),
                        _ => tracing::info!("{words}"),
                    }
                    last = phase;
                }
            }
            _ = terminated() => break "stopping (signal)",
        }
    };
    tracing::info!("{stopped}");
    running.abort();
    heartbeat.abort();
    let _ = running.await;
    tracing::info!("sync stopped");
    Ok(())
}

fn phase_name(phase: &Phase) -> String {
    match phase {
        Phase::Starting => "starting".into(),
        Phase::Elsewhere => "waiting: another pik-tui syncs this mirror".into(),
        Phase::Backfilling { of, .. } => format!("backfilling {}", of.noun()),
        Phase::Refreshing { .. } => "refreshing changed items".into(),
        Phase::UpToDate => "up to date".into(),
        Phase::Incomplete => "incomplete: PIK lists fewer than it counts".into(),
        Phase::Failing(why) => format!("failing {why}"),
        Phase::Shared { .. } => "shared".into(),
    }
}

/// Stamps the heartbeat while this process holds the election.
async fn beat(store: Store, holder: String, lease: chrono::Duration) {
    let mut ticks = tokio::time::interval(HEARTBEAT);
    loop {
        ticks.tick().await;
        let now = chrono::Utc::now();
        if let Err(err) = store.take_lease(&holder, now, now + lease).await {
            tracing::warn!("heartbeat: {err}");
        }
    }
}

/// SIGTERM (a service manager) or Ctrl-C.
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// One request, so that a bad key is one clear line at start rather than
/// a service failing every cycle.
async fn check_key(client: &Client) -> Result<(), Refused> {
    let query = LinkQuery { limit: Some(1), ..LinkQuery::default() };
    match client.list_links(&query).await {
        Ok(_) => Ok(()),
        Err(err) => Err(Refused(key_problem(&err))),
    }
}

fn key_problem(err: &ApiError) -> String {
    match (err.kind(), err.status()) {
        (ErrorKind::Api, Some(401 | 403)) => format!("PIK refused the API key: {}", err.summary()),
        _ => format!("cannot reach PIK at the start: {err}"),
    }
}
