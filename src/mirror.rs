//! Starting an account's mirror: the store where the flags say (its own
//! file by default, memory with `--no-store`), and its sync in the
//! background within its share of the request budget. Shared by the
//! dashboard and the one-shot commands that read the mirror.

use crate::api::{ApiKey, Client, RetryPolicy};
use crate::store::{Account, Opened, Place, Store, StoreError, location};
use crate::sync::{MirrorStatus, Sync, SyncOptions};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;

/// Where the flags put the mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The account's own file in the data directory.
    Default,
    File(PathBuf),
    Memory,
}

impl Choice {
    pub fn from_flags(store: Option<&PathBuf>, no_store: bool) -> Choice {
        match (store, no_store) {
            (_, true) => Choice::Memory,
            (Some(path), false) => Choice::File(path.clone()),
            (None, false) => Choice::Default,
        }
    }

    /// The place of an account's mirror.
    pub fn place(&self, account: &Account) -> Place {
        match self {
            Choice::Memory => Place::Memory,
            Choice::File(path) => Place::File(path.clone()),
            Choice::Default => location::default_file(account).map(Place::File).unwrap_or(Place::Memory),
        }
    }
}

/// Opens the mirror of the account behind `base_url` and `key`.
pub fn open(choice: &Choice, base_url: &str, key: &ApiKey) -> Result<Opened, StoreError> {
    let account = Account::new(base_url, key);
    Store::open(choice.place(&account), &account)
}

/// A store with its sync running.
pub struct Mirror {
    pub store: Store,
    pub status: watch::Receiver<MirrorStatus>,
    /// Transactions the sync finds new or moved once it is live (for alerts).
    pub changes: tokio::sync::mpsc::UnboundedReceiver<Vec<crate::api::Transaction>>,
    sync: tokio::task::JoinHandle<()>,
}

impl Drop for Mirror {
    fn drop(&mut self) {
        // Safe at any point: every write is one transaction.
        self.sync.abort();
    }
}

/// Starts syncing `store` with `client`, keeping to half of `max_rps`.
pub fn start(client: &Client, store: Store, max_rps: f64, cycle: Duration) -> Mirror {
    let share = client.with_share((max_rps / 2.0).max(0.5), RetryPolicy::default());
    let options = SyncOptions { cycle, ..SyncOptions::default() };
    let (mut sync, status) = Sync::new(share, store.clone(), options);
    let changes = sync.changes();
    let sync = tokio::spawn(sync.run());
    Mirror { store, status, changes, sync }
}
