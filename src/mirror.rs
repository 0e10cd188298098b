//! Starting an account's mirror: the store where the flags say (its own
//! file by default, memory with `--no-store`), and its sync in the
//! background within its share of the request budget. Shared by the
//! dashboard and the one-shot commands that read the mirror.

use crate::api::{ApiKey, Client, RetryPolicy};
use crate::store::postgres::{Given, Target, is_postgres_url};
use crate::store::{Account, Change, Opened, Place, Store, StoreError, location};
use crate::sync::{Backfill, Focus, MirrorStatus, Phase, SharedTrouble, Sync, SyncOptions};
use chrono::Utc;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};

/// Where the flags put the mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The account's own file in the data directory.
    Default,
    File(PathBuf),
    Memory,
    /// A shared mirror on PostgreSQL.
    Postgres(Target),
}

impl Choice {
    /// `--store` (a file, or a `postgres://` URL without a password: one
    /// with a password is refused), `--no-store`, else the profile's `store`
    /// from the config file.
    pub fn resolve(store: Option<&PathBuf>, no_store: bool, profile: Option<&str>) -> Result<Choice, StoreError> {
        match (store, no_store, profile) {
            (_, true, _) => Ok(Choice::Memory),
            (Some(given), false, _) => match given.to_str().filter(|text| is_postgres_url(text)) {
                Some(url) => Target::parse(url, Given::CommandLine).map(Choice::Postgres),
                None => Ok(Choice::File(given.clone())),
            },
            (None, false, Some(text)) if is_postgres_url(text) => {
                Target::parse(text, Given::ConfigFile).map(Choice::Postgres)
            }
            (None, false, Some(path)) => Ok(Choice::File(PathBuf::from(path))),
            (None, false, None) => Ok(Choice::Default),
        }
    }

    pub fn is_shared(&self) -> bool {
        matches!(self, Choice::Postgres(_))
    }

    /// The place of an account's mirror.
    pub fn place(&self, account: &Account) -> Place {
        match self {
            Choice::Memory => Place::Memory,
            Choice::File(path) => Place::File(path.clone()),
            Choice::Postgres(target) => Place::Postgres(target.clone()),
            Choice::Default => location::default_file(account).map(Place::File).unwrap_or(Place::Memory),
        }
    }
}

/// Opens the mirror of the account behind `base_url` and `key`.
pub async fn open(choice: &Choice, base_url: &str, key: &ApiKey) -> Result<Opened, StoreError> {
    let account = Account::new(base_url, key);
    Store::open_place(choice.place(&account), &account).await
}

/// A store with its sync running (or, on a shared mirror, watched).
pub struct Mirror {
    pub store: Store,
    pub status: watch::Receiver<MirrorStatus>,
    /// Transactions the sync finds new or moved once it is live (for alerts).
    pub changes: tokio::sync::mpsc::UnboundedReceiver<Vec<crate::api::Transaction>>,
    /// What the store changed: the panes read their windows again.
    pub notices: broadcast::Receiver<Change>,
    /// Where the dashboard says what it looks at (none for a shared mirror,
    /// whose sync is the team's).
    pub focus: Option<watch::Sender<Focus>>,
    sync: tokio::task::JoinHandle<()>,
    /// Watches for other processes' writes to a file.
    watcher: Option<tokio::task::JoinHandle<()>>,
    /// The sync's name for the lease on a file, given up when this goes.
    holder: Option<String>,
}

impl Drop for Mirror {
    fn drop(&mut self) {
        // Safe at any point: every write is one transaction.
        self.sync.abort();
        if let Some(watcher) = &self.watcher {
            watcher.abort();
        }
        // A clean exit (or a profile switch) gives up the lease, so the
        // next pik-tui on this file syncs at once, not in 30 s.
        if let Some(holder) = &self.holder {
            self.store.release_lease_now(holder);
        }
    }
}

/// How often a file is looked at for other processes' writes (well within a refresh).
const DATA_VERSION_EVERY: Duration = Duration::from_secs(2);

/// Says when another process writes to the store's file: SQLite's data
/// version, on the writer's connection, moves only for others' commits.
fn watch_others(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen = store.data_version().await.ok().flatten();
        let mut ticks = tokio::time::interval(DATA_VERSION_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Ok(Some(version)) = store.data_version().await else { continue };
            match seen {
                Some((mirror, _)) if mirror != version.0 => store.announce(Change::anything()),
                // Another dashboard acted on a case.
                Some((_, record)) if record != version.1 => store.announce(Change::acts()),
                _ => {}
            }
            seen = Some(version);
        }
    })
}

/// Starts syncing `store` with `client`, keeping to half of `max_rps`, at
/// the dashboard's `refresh`; `backfill` says how much of the account.
pub fn start(client: &Client, store: Store, max_rps: f64, refresh: Duration, backfill: Backfill) -> Mirror {
    let notices = store.changes();
    let share = client.with_share((max_rps / 2.0).max(0.5), RetryPolicy::default());
    let options = SyncOptions { refresh, backfill, ..SyncOptions::default() };
    let holder = Some(options.holder.clone());
    let (mut sync, status) = Sync::new(share, store.clone(), options);
    let changes = sync.changes();
    let focus = Some(sync.focus());
    let sync = tokio::spawn(sync.run());
    let watcher = matches!(store.place(), Place::File(_)).then(|| watch_others(store.clone()));
    Mirror { store, status, changes, notices, focus, sync, watcher, holder }
}

/// A look at a shared mirror's heartbeat, into the status.
struct Look {
    store: Store,
    status: watch::Sender<MirrorStatus>,
    stale_after: chrono::Duration,
}

impl Look {
    async fn once(&self) {
        let Some(shared) = self.store.shared() else { return };
        let (at, trouble) = match shared.heartbeat().await {
            Ok(Some(beat)) if Utc::now() - beat.at <= self.stale_after => (Some(beat.at), None),
            Ok(Some(beat)) => (Some(beat.at), Some(SharedTrouble::Stale)),
            Ok(None) => (None, Some(SharedTrouble::NeverSynced)),
            Err(err) => (None, Some(SharedTrouble::Unreachable(err.to_string()))),
        };
        self.status.send_if_modified(|status| {
            let phase = Phase::Shared { at, trouble };
            let changed = status.phase != phase;
            status.phase = phase;
            status.synced_at = at;
            changed
        });
    }
}

/// How often a dashboard on a shared mirror looks at the sync's heartbeat.
const HEARTBEAT_CHECK: Duration = Duration::from_secs(2);

/// Watches a shared mirror that a `pik-tui sync` keeps, instead of syncing:
/// its heartbeat (stale after three refreshes, or out of reach: said in
/// red, the rows kept on screen), and its notices (the store announces
/// them, so the panes read again at once; moved payments go to the
/// alerts). Returns once the first look is done.
pub async fn watch_shared(store: Store, refresh: Duration) -> Mirror {
    let initial = MirrorStatus { phase: Phase::Shared { at: None, trouble: None }, ..MirrorStatus::default() };
    let (status_tx, status) = watch::channel(initial);
    let (changes_tx, changes) = mpsc::unbounded_channel();
    let notices = store.changes();
    let stale_after = chrono::Duration::from_std(refresh * 3).unwrap_or(chrono::Duration::seconds(15));
    let look = Look { store: store.clone(), status: status_tx, stale_after };
    let _ = tokio::time::timeout(Duration::from_secs(5), look.once()).await;
    let task_store = store.clone();
    let sync = tokio::spawn(async move {
        let Some(shared) = task_store.shared() else { return };
        let mut ticks = tokio::time::interval(HEARTBEAT_CHECK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let mut notices = match shared.listen().await {
                Ok(notices) => notices,
                Err(err) => {
                    tracing::warn!("cannot listen to the shared mirror: {err}");
                    look.once().await;
                    tokio::time::sleep(HEARTBEAT_CHECK).await;
                    continue;
                }
            };
            // What changed while not listening is read at once.
            task_store.announce(Change::anything());
            loop {
                tokio::select! {
                    notice = notices.recv() => match notice {
                        Some(notice) => {
                            task_store.announce(Change {
                                links: notice.links > 0,
                                transactions: notice.transactions > 0,
                                webhooks: notice.webhooks,
                                ids: notice.moved.clone(),
                                acts: !notice.acts.is_empty(),
                            });
                            if !notice.moved.is_empty() {
                                match shared.transactions_by_id(notice.moved).await {
                                    Ok(moved) => { let _ = changes_tx.send(moved); }
                                    Err(err) => tracing::warn!("cannot read the moved payments: {err}"),
                                }
                            }
                        }
                        // The connection ended (a restart): listen again.
                        None => break,
                    },
                    _ = ticks.tick() => look.once().await,
                }
            }
            look.once().await;
        }
    });
    Mirror { store, status, changes, notices, focus: None, sync, watcher: None, holder: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_the_store_comes_from() {
        let url = PathBuf::from("postgres://agent@db.example/pik");
        assert!(matches!(Choice::resolve(Some(&url), false, None), Ok(Choice::Postgres(_))));
        let with_password = PathBuf::from("postgres://agent:hunter2@db.example/pik");
        let refused = Choice::resolve(Some(&with_password), false, None);
        assert!(refused.as_ref().is_err_and(|e| !e.to_string().contains("hunter2")), "{refused:?}");
        // In the config file a password is where PostgreSQL's own tools keep it.
        let profile = Choice::resolve(None, false, Some("postgres://agent:hunter2@db.example/pik"));
        assert!(matches!(profile, Ok(Choice::Postgres(_))));
        assert_eq!(Choice::resolve(None, false, Some("team.sqlite")).ok(), Some(Choice::File("team.sqlite".into())));
        // The flag wins over the profile; --no-store over both.
        let file = PathBuf::from("mine.sqlite");
        assert_eq!(Choice::resolve(Some(&file), false, Some("postgres://a@b/c")).ok(), Some(Choice::File(file)));
        assert_eq!(Choice::resolve(Some(&url), true, None).ok(), Some(Choice::Memory));
        assert_eq!(Choice::resolve(None, false, None).ok(), Some(Choice::Default));
    }
}
