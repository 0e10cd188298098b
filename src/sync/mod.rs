//! Keeps the store equal to PIK, through the public API only, so it works
//! the same against the real PIK as against the sandbox:
//!
//! - **backfill**: every link and every transaction, newest first, in pages
//!   of 100, resumable (the cursor is saved with the rows);
//! - **new items**: links and transactions newest first, until known ids;
//! - **status changes**: the non-terminal sets (links `active`, transactions
//!   `pending` and `confirmed`) are listed again; an item that left its set
//!   is fetched by id; terminal statuses are final.
//!
//! It runs within its share of the request budget (a lane of the client,
//! half of `--max-rps` by default), backs off on 429 and 5xx like
//! everything else, and reports its progress on a watch channel. It knows
//! nothing of the screen. See `docs/architecture.md`.

mod backfill;
mod cycle;
pub mod lease;
mod state;
mod status;

pub use state::SyncState;
pub use status::{MirrorStatus, Of, Phase, Progress, SharedTrouble, eta_words};

use crate::api::{ApiError, Client, Transaction};
use crate::store::{Batch, Store, StoreError};
use chrono::Utc;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Rows a page (PIK's maximum is 100).
    pub page_size: u32,
    /// The rest between two cycles once the mirror is up to date.
    pub cycle: Duration,
    /// Every how many cycles the slow part runs too: the webhooks and the
    /// non-terminal sets listed again. The other cycles only bring new items
    /// (one request each at idle): the visible panes' own polls refresh their
    /// rows in the mirror meanwhile, and idle traffic stays low.
    pub sweep_every: u32,
    /// Who this sync is, for the lease on a shared file.
    pub holder: String,
    /// How long a lease lasts unless renewed.
    pub lease: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            page_size: 100,
            cycle: Duration::from_secs(10),
            sweep_every: 3,
            holder: lease::holder(),
            lease: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Another pik-tui holds this mirror's sync.
    #[error("another pik-tui is syncing this mirror")]
    Elsewhere,
}

/// What to do after a step.
enum Next {
    Continue,
    Rest(Duration),
}

pub struct Sync {
    client: Client,
    store: Store,
    options: SyncOptions,
    state: SyncState,
    status: watch::Sender<MirrorStatus>,
    /// (when, rows mirrored so far), for the estimate of the time left.
    pace: VecDeque<(Instant, u64)>,
    started: bool,
    /// The last save, still being written while the next page is fetched.
    writing: Option<Writing>,
    /// Where transactions that are new or moved go once the sync is live.
    changes: Option<mpsc::UnboundedSender<Vec<Transaction>>>,
    /// A full cycle has run in this session: what it finds from now on
    /// happened now, not before the start (history is never reported).
    live: bool,
    /// Cycles since the last full one.
    light_cycles: u32,
}

/// A save under way: its task, and which counter its new rows go to.
struct Writing {
    task: tokio::task::JoinHandle<Result<crate::store::Upserted, StoreError>>,
    links: bool,
}

impl Sync {
    pub fn new(client: Client, store: Store, options: SyncOptions) -> (Sync, watch::Receiver<MirrorStatus>) {
        let (status, receiver) = watch::channel(MirrorStatus::default());
        let sync = Sync {
            client,
            store,
            options,
            state: SyncState::default(),
            status,
            pace: VecDeque::new(),
            started: false,
            writing: None,
            changes: None,
            live: false,
            light_cycles: 0,
        };
        (sync, receiver)
    }

    /// Transactions that are new or whose status moved, found after the
    /// first full cycle of this session (never the history it starts with).
    pub fn changes(&mut self) -> mpsc::UnboundedReceiver<Vec<Transaction>> {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.changes = Some(sender);
        receiver
    }

    /// Runs until the task is dropped or aborted. Aborting is safe: every
    /// write is one transaction, rows and cursor together.
    pub async fn run(mut self) {
        let mut failures: u32 = 0;
        loop {
            match self.step().await {
                Ok(Next::Continue) => failures = 0,
                Ok(Next::Rest(rest)) => {
                    failures = 0;
                    tokio::time::sleep(rest).await;
                }
                Err(error) => {
                    failures += 1;
                    tracing::warn!("mirror: {error}");
                    self.recover().await;
                    self.set_phase(Phase::Failing(error.to_string()));
                    // The client has already retried with backoff; wait
                    // longer each time, up to a minute.
                    let wait = Duration::from_secs(2u64.saturating_pow(failures.min(6)).min(60));
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// After a failed step: what was fetched but not written (a full disk,
    /// say) must be fetched again, so the place in the account is read
    /// back from the store, where it moves only with the rows it covers.
    async fn recover(&mut self) {
        if let Some(writing) = self.writing.take() {
            // Its outcome is in the store, or not: the state read next says which.
            let _ = writing.task.await;
        }
        self.started = false;
        self.pace.clear();
    }

    /// Runs the backfill to its end (nothing, if it is done).
    pub async fn backfill(&mut self) -> Result<(), SyncError> {
        self.start().await?;
        while !self.state.backfilled() {
            self.backfill_step().await?;
        }
        self.flush().await
    }

    /// Brings the mirror up to date once: the backfill if unfinished, then
    /// one full cycle. For one-shot commands and tests. Another pik-tui
    /// syncing the mirror is not raced: that is [`SyncError::Elsewhere`],
    /// with its progress in the status.
    pub async fn catch_up(&mut self) -> Result<(), SyncError> {
        if !self.take_lease().await? {
            self.follow_elsewhere().await?;
            return Err(SyncError::Elsewhere);
        }
        let caught_up = async {
            self.backfill().await?;
            self.cycle().await
        }
        .await;
        self.store.release_lease(&self.options.holder).await?;
        caught_up
    }

    /// Takes (or renews) the lease; a lease whose holder's process is gone
    /// is taken at once rather than after it runs out.
    async fn take_lease(&mut self) -> Result<bool, SyncError> {
        let now = Utc::now();
        let lease = chrono::Duration::from_std(self.options.lease).unwrap_or(chrono::Duration::seconds(30));
        if self.store.take_lease(&self.options.holder, now, now + lease).await? {
            return Ok(true);
        }
        match self.store.lease().await? {
            Some((other, _)) if other != self.options.holder && lease::gone(&other) => {
                tracing::info!(other, "the mirror's sync lease is held by a process that is gone: taking it");
                self.store.release_lease(&other).await?;
                Ok(self.store.take_lease(&self.options.holder, now, now + lease).await?)
            }
            _ => Ok(false),
        }
    }

    /// While another pik-tui syncs the mirror: its progress, as saved in
    /// the store with its rows, so that every process sharing the file says
    /// the same.
    async fn follow_elsewhere(&mut self) -> Result<(), SyncError> {
        let state = SyncState::from_json(self.store.state(state::KEY).await?.as_deref());
        let stats = self.store.stats().await?;
        self.status.send_if_modified(|status| {
            let followed = MirrorStatus {
                phase: Phase::Elsewhere,
                links: Progress { done: stats.links, total: state.links.total },
                transactions: Progress { done: stats.transactions, total: state.transactions.total },
                synced_at: state.synced_at,
            };
            let changed = *status != followed;
            *status = followed;
            changed
        });
        // Should this process get the lease, it starts from the saved state.
        self.started = false;
        Ok(())
    }

    /// The mirror's status now.
    pub fn status(&self) -> MirrorStatus {
        self.status.borrow().clone()
    }

    async fn step(&mut self) -> Result<Next, SyncError> {
        if !self.take_lease().await? {
            self.follow_elsewhere().await?;
            return Ok(Next::Rest(self.options.lease / 3));
        }
        self.start().await?;
        if !self.state.backfilled() {
            self.backfill_step().await?;
            return Ok(Next::Continue);
        }
        self.flush().await?;
        if self.live && self.light_cycles + 1 < self.options.sweep_every {
            self.light_cycle().await?;
            self.light_cycles += 1;
        } else {
            self.cycle().await?;
        }
        Ok(Next::Rest(self.options.cycle))
    }

    /// Reads the saved state and the counts once.
    async fn start(&mut self) -> Result<(), SyncError> {
        if self.started {
            return Ok(());
        }
        self.state = SyncState::from_json(self.store.state(state::KEY).await?.as_deref());
        let stats = self.store.stats().await?;
        self.status.send_modify(|status| {
            status.links = Progress { done: stats.links, total: self.state.links.total };
            status.transactions = Progress { done: stats.transactions, total: self.state.transactions.total };
            status.synced_at = self.state.synced_at;
        });
        self.started = true;
        Ok(())
    }

    /// Saves rows with the state, and counts what was new.
    async fn save(&mut self, batch: Batch) -> Result<(), SyncError> {
        self.save_behind(batch).await?;
        self.flush().await
    }

    /// Starts saving rows with the state, to be written while the next page
    /// is fetched (after the save before it: saves stay in order, each with
    /// the cursor that goes with its rows).
    async fn save_behind(&mut self, mut batch: Batch) -> Result<(), SyncError> {
        self.flush().await?;
        let links = !batch.links.is_empty();
        batch.state = Some((state::KEY.to_string(), self.state.to_json()));
        batch.report_changes = self.live && self.changes.is_some();
        let store = self.store.clone();
        let task = tokio::spawn(async move { store.save(batch).await });
        self.writing = Some(Writing { task, links });
        Ok(())
    }

    /// Waits for the save under way, and counts its new rows.
    async fn flush(&mut self) -> Result<(), SyncError> {
        let Some(writing) = self.writing.take() else { return Ok(()) };
        let saved = match writing.task.await {
            Ok(saved) => saved?,
            Err(err) => return Err(StoreError::Sql(format!("a save stopped: {err}")).into()),
        };
        // Only news wakes the dashboards that watch.
        self.status.send_if_modified(|status| {
            if writing.links {
                status.links.done += saved.inserted;
            } else {
                status.transactions.done += saved.inserted;
            }
            saved.inserted > 0
        });
        if let Some(changes) = &self.changes
            && !saved.changed.is_empty()
        {
            // Nobody listening any more is not the sync's problem.
            let _ = changes.send(saved.changed);
        }
        Ok(())
    }

    fn set_phase(&mut self, phase: Phase) {
        self.status.send_modify(|status| status.phase = phase);
    }

    /// The time left, from the pace of the last half minute.
    fn estimate(&mut self) -> Option<Duration> {
        let status = self.status.borrow().clone();
        let done = status.links.done + status.transactions.done;
        let total = status.links.total.unwrap_or(0) + status.transactions.total.unwrap_or(0);
        let now = Instant::now();
        self.pace.push_back((now, done));
        while self.pace.front().is_some_and(|(at, _)| now.duration_since(*at) > Duration::from_secs(30)) {
            self.pace.pop_front();
        }
        let (first_at, first_done) = *self.pace.front()?;
        let seconds = now.duration_since(first_at).as_secs_f64();
        let rate = done.saturating_sub(first_done) as f64 / seconds;
        (seconds >= 2.0 && rate > 0.0).then(|| Duration::from_secs_f64(total.saturating_sub(done) as f64 / rate))
    }
}

#[cfg(test)]
mod tests;
