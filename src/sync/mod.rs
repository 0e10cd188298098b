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
//! It is the only part of pik-tui that lists PIK: the dashboard's panes
//! read the store. It plans its requests against the dashboard's schedule
//! ([`schedule`]: what is on screen comes first), within its share of the
//! request budget (a lane of the client), backs off on 429 and 5xx, and
//! reports its progress and PIK's health on a watch channel. It knows
//! nothing of the screen but the [`Focus`] it is told. See
//! `docs/architecture.md`.

mod backfill;
mod cycle;
pub mod lease;
pub mod schedule;
mod screen;
mod state;
mod status;

pub use schedule::{FIRST_WANTED, Focus, OnScreen, Schedule, Shown, Task};
pub use state::SyncState;
pub use status::{Health, MirrorStatus, Of, Phase, Progress, SharedTrouble, Trouble, eta_words};

use crate::api::{ApiError, Client, Transaction};
use crate::store::{Batch, Store, StoreError};
use chrono::Utc;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// How much of the account the mirror holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backfill {
    /// All of it (a file, the demo, a shared mirror).
    Full,
    /// What the dashboard scrolled to (`--no-store`: nothing on disk, and
    /// memory bounded by what the agent looked at).
    Wanted,
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Rows a page (PIK's maximum is 100).
    pub page_size: u32,
    /// The kind on screen: its new items this often (the refresh).
    pub refresh: Duration,
    /// The other kinds: every this many refreshes.
    pub hidden_every: u32,
    /// The unfinished sets listed again this often.
    pub sweep: Duration,
    pub backfill: Backfill,
    /// Who this sync is, for the lease on a shared file.
    pub holder: String,
    /// How long a lease lasts unless renewed.
    pub lease: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            page_size: 100,
            refresh: Duration::from_secs(5),
            hidden_every: 6,
            sweep: Duration::from_secs(60),
            backfill: Backfill::Full,
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
    /// When each task was last done.
    schedule: Schedule,
    /// What the dashboard looks at; none for `pik-tui sync`.
    focus: Option<watch::Receiver<Focus>>,
    /// PIK's counts of links and transactions, as last seen.
    pik_totals: (Option<u64>, Option<u64>),
    /// The dashboard's last refresh asked for and done.
    asked: u64,
}

/// A save under way: its task, and which counter its new rows go to.
struct Writing {
    task: tokio::task::JoinHandle<Result<crate::store::Upserted, StoreError>>,
    links: bool,
}

impl Sync {
    pub fn new(client: Client, store: Store, options: SyncOptions) -> (Sync, watch::Receiver<MirrorStatus>) {
        let (status, receiver) = watch::channel(MirrorStatus::default());
        let schedule = Schedule::new(options.refresh, options.hidden_every, options.sweep);
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
            schedule,
            focus: None,
            pik_totals: (None, None),
            asked: 0,
        };
        (sync, receiver)
    }

    /// Where the dashboard says what it looks at; the sync plans by it.
    pub fn focus(&mut self) -> watch::Sender<Focus> {
        let (sender, receiver) = watch::channel(Focus::default());
        self.focus = Some(receiver);
        sender
    }

    /// What is looked at now: with no dashboard, every kind alike, and all
    /// of the account.
    fn focus_now(&self) -> Focus {
        match &self.focus {
            Some(focus) => focus.borrow().clone(),
            None => Focus { shown: None, wanted: [u64::MAX; 2], on_screen: Vec::new(), asked: 0 },
        }
    }

    /// Transactions that are new or whose status moved, found after the
    /// first full cycle of this session (never the history it starts with).
    pub fn changes(&mut self) -> mpsc::UnboundedReceiver<Vec<Transaction>> {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.changes = Some(sender);
        receiver
    }

    /// Runs until the task is dropped or aborted. Aborting is safe: every
    /// write is one transaction, rows and cursor together. It wakes when a
    /// task is due, or at once when the dashboard looks elsewhere.
    pub async fn run(mut self) {
        let mut failures: u32 = 0;
        loop {
            let wait = match self.step().await {
                Ok(wait) => {
                    failures = 0;
                    wait
                }
                Err(error) => {
                    failures += 1;
                    tracing::warn!("mirror: {error}");
                    self.recover().await;
                    // The client has already retried with backoff; wait
                    // longer each time, up to a minute, or as PIK asked.
                    let backoff = Duration::from_secs(2u64.saturating_pow(failures.min(6)).min(60));
                    let wait = match &error {
                        SyncError::Api(api) => api.retry_after().map_or(backoff, |asked| asked.max(backoff)),
                        _ => backoff,
                    };
                    self.troubled(&error, wait);
                    wait
                }
            };
            if wait.is_zero() {
                continue;
            }
            let looked_elsewhere = async {
                match &mut self.focus {
                    Some(focus) => {
                        if focus.changed().await.is_err() {
                            std::future::pending::<()>().await;
                        }
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = looked_elsewhere => {}
            }
        }
    }

    /// PIK answered: the status says how fresh the mirror is.
    fn healthy(&mut self) {
        let now = Utc::now();
        self.status.send_if_modified(|status| {
            let fresh = Health { ok_at: Some(now), trouble: None };
            // A second is what the footer shows: no news more often.
            let news = status.pik.trouble.is_some()
                || status.pik.ok_at.is_none_or(|at| now - at >= chrono::Duration::seconds(1));
            if news {
                status.pik = fresh;
            }
            news
        });
    }

    /// A step failed: the status says why, and when it is tried again.
    fn troubled(&mut self, error: &SyncError, wait: Duration) {
        let retry_at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(60));
        let trouble = match error {
            SyncError::Api(api) => Some(Trouble {
                summary: api.summary(),
                unreachable: matches!(api.kind(), crate::api::ErrorKind::Connect | crate::api::ErrorKind::Timeout),
                status: api.status(),
                retry_at,
            }),
            _ => None,
        };
        self.status.send_modify(|status| {
            status.phase = Phase::Failing(error.to_string());
            if trouble.is_some() {
                status.pik.trouble = trouble;
            }
        });
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
            let of = if self.state.links.done { Of::Transactions } else { Of::Links };
            self.backfill_step(of).await?;
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
        let lease = chrono::Duration::from_std(self.options.lease).unwrap_or(chrono::Duration::seconds(30));
        let kept_at = self.store.lease().await?.map(|(_, until)| until - lease);
        let stats = self.store.stats().await?;
        self.status.send_if_modified(|status| {
            let followed = MirrorStatus {
                phase: Phase::Elsewhere,
                links: Progress { done: stats.links, total: state.links.total, complete: state.links.done },
                transactions: Progress {
                    done: stats.transactions,
                    total: state.transactions.total,
                    complete: state.transactions.done,
                },
                synced_at: state.synced_at,
                // The holder renews its lease at every step: that is when
                // the mirror was last kept.
                pik: Health { ok_at: kept_at, trouble: None },
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

    /// One step: a page of the backfill, or the first task due. Returns
    /// how long to rest before the next.
    pub(crate) async fn step(&mut self) -> Result<Duration, SyncError> {
        self.step_at(Instant::now()).await
    }

    /// A step as if at `now` (the schedule's clock), so that tests can
    /// count a minute's requests without waiting one.
    pub async fn step_at(&mut self, now: Instant) -> Result<Duration, SyncError> {
        if !self.take_lease().await? {
            self.follow_elsewhere().await?;
            return Ok(self.options.lease / 3);
        }
        self.start().await?;
        let focus = self.focus_now();
        if let Some(of) = self.backfill_wanted(&focus) {
            self.backfill_step(of).await?;
            self.healthy();
            return Ok(Duration::ZERO);
        }
        self.flush().await?;
        if self.live && matches!(self.status.borrow().phase, Phase::Backfilling { .. }) {
            // As far as the agent scrolled: what it holds is current again.
            self.set_phase(Phase::UpToDate);
        }
        if !self.live {
            // The first round is a whole cycle: then the mirror is current.
            self.cycle().await?;
            self.healthy();
            self.schedule.all_done(now);
            return Ok(self.schedule.wait(now, &focus));
        }
        if focus.asked != self.asked {
            // `r`: what is on screen is read now, whatever the schedule says.
            self.asked = focus.asked;
            let shown = focus.shown.unwrap_or(Shown::Links);
            for task in [Task::New(shown), Task::OnScreen] {
                if self.schedule.every(task, &focus).is_some() {
                    self.run_task(task, &focus).await?;
                    self.schedule.done(task, now);
                }
            }
            self.healthy();
            return Ok(Duration::ZERO);
        }
        match self.schedule.due(now, &focus) {
            Some(task) => {
                self.run_task(task, &focus).await?;
                self.healthy();
                self.schedule.done(task, now);
                Ok(Duration::ZERO)
            }
            None => Ok(self.schedule.wait(now, &focus)),
        }
    }

    /// The kind whose backfill should go on now, if any: the one on screen
    /// first. With [`Backfill::Wanted`], only as far as the dashboard wants.
    fn backfill_wanted(&self, focus: &Focus) -> Option<Of> {
        let status = self.status.borrow();
        let wants = |of: Of| {
            let done = match of {
                Of::Links => self.state.links.done,
                Of::Transactions => self.state.transactions.done,
            };
            let wanted = match (self.options.backfill, of) {
                (Backfill::Full, _) => true,
                (Backfill::Wanted, Of::Links) => status.links.done < focus.wanted[0],
                (Backfill::Wanted, Of::Transactions) => status.transactions.done < focus.wanted[1],
            };
            !done && wanted
        };
        let order = match focus.shown {
            Some(Shown::Transactions) => [Of::Transactions, Of::Links],
            _ => [Of::Links, Of::Transactions],
        };
        order.into_iter().find(|of| wants(*of))
    }

    /// Reads the saved state and the counts once.
    async fn start(&mut self) -> Result<(), SyncError> {
        if self.started {
            return Ok(());
        }
        self.state = SyncState::from_json(self.store.state(state::KEY).await?.as_deref());
        let stats = self.store.stats().await?;
        self.status.send_modify(|status| {
            status.links =
                Progress { done: stats.links, total: self.state.links.total, complete: self.state.links.done };
            status.transactions = Progress {
                done: stats.transactions,
                total: self.state.transactions.total,
                complete: self.state.transactions.done,
            };
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
