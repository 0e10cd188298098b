//! Once backfilled, the tasks of the schedule: new links, transactions and
//! webhooks, from the top until known ids; the unfinished sets listed
//! again, and what left them fetched by id. A whole cycle (at start, and
//! for one-shot commands) is all of them. The mirror is up to date after a
//! sweep only when it holds as many rows as PIK says it has: rows missing
//! (lost to a write that failed, say) are read again by a new backfill.

use super::schedule::{Focus, Shown, Task};
use super::state::{LinkCursor, TransactionCursor};
use super::{Backfill, Of, Phase, Sync, SyncError, state};
use crate::api::{ErrorKind, LinkQuery, LinkStatus, TransactionQuery, TransactionStatus};
use crate::store::Batch;
use chrono::Utc;
use std::collections::HashSet;

/// The first page a cycle asks for new items.
const FIRST_PAGE: u32 = 20;
/// The same for the kind on screen: a screen's rows, kept fresh with it.
const SHOWN_FIRST_PAGE: u32 = 50;
/// Items fetched one by one in a cycle beyond which the footer says so.
const FETCH_EACH_SHOWN: u64 = 20;

impl Sync {
    /// One task of the schedule.
    pub(super) async fn run_task(&mut self, task: Task, focus: &Focus) -> Result<(), SyncError> {
        // The kind on screen reads a first page as long as a screen, so
        // that its rows' statuses are fresh at every refresh too.
        let first = |kind| if focus.shown == Some(kind) { SHOWN_FIRST_PAGE } else { FIRST_PAGE };
        match task {
            Task::New(Shown::Links) => self.pik_totals.0 = Some(self.new_links(first(Shown::Links)).await?),
            Task::New(Shown::Transactions) => {
                self.pik_totals.1 = Some(self.new_transactions(first(Shown::Transactions)).await?)
            }
            Task::New(Shown::Webhooks) => self.webhooks().await?,
            Task::OnScreen => self.refresh_on_screen(&focus.on_screen).await?,
            Task::Sweep => {
                let started = Utc::now();
                self.sweep().await?;
                let (links, transactions) = self.pik_totals;
                let totals = (links.unwrap_or(0), transactions.unwrap_or(0));
                if links.is_some() && transactions.is_some() && self.holds_everything(totals.0, totals.1).await? {
                    self.up_to_date(started, totals.0, totals.1).await?;
                }
            }
        }
        Ok(())
    }

    async fn webhooks(&mut self) -> Result<(), SyncError> {
        let hooks = self.client.list_webhooks().await?;
        self.save(Batch { webhooks: Some(hooks.data), ..Batch::default() }).await
    }

    /// The unfinished sets listed again.
    pub(super) async fn sweep(&mut self) -> Result<(), SyncError> {
        self.sweep_links().await?;
        // Both sets are listed before anything is fetched by id: a payment
        // gone from pending to confirmed is in the second list already.
        let unfinished = [TransactionStatus::Pending, TransactionStatus::Confirmed];
        let mut seen = HashSet::new();
        for status in &unfinished {
            seen.extend(self.list_transactions_in(status).await?);
        }
        let mut left = Vec::new();
        for status in &unfinished {
            let stored = self.store.ids_with_status(true, status.as_str()).await?;
            left.extend(stored.into_iter().filter(|id| !seen.contains(id)));
        }
        self.fetch_each(true, left).await
    }

    /// Everything at once: new items of every kind, the webhooks, the
    /// unfinished sets; then the mirror is up to date if it holds PIK's
    /// counts.
    pub(super) async fn cycle(&mut self) -> Result<(), SyncError> {
        let started = Utc::now();
        let links_total = self.new_links(FIRST_PAGE).await?;
        let transactions_total = self.new_transactions(FIRST_PAGE).await?;
        self.pik_totals = (Some(links_total), Some(transactions_total));
        self.webhooks().await?;
        self.sweep().await?;
        if !self.holds_everything(links_total, transactions_total).await? {
            return Ok(());
        }
        self.up_to_date(started, links_total, transactions_total).await
    }

    /// Says the mirror is up to date as of when the reading that showed it
    /// `started` (a change at PIK after that may not be in it yet), and
    /// saves it.
    async fn up_to_date(
        &mut self,
        started: chrono::DateTime<Utc>,
        links_total: u64,
        transactions_total: u64,
    ) -> Result<(), SyncError> {
        let now = started;
        self.state.synced_at = Some(now);
        self.state.repaired = None;
        let json = self.state.to_json();
        self.store.save(Batch { state: Some((state::KEY.to_string(), json)), ..Batch::default() }).await?;
        self.status.send_modify(|s| {
            s.synced_at = Some(now);
            s.phase = Phase::UpToDate;
            s.links.total = Some(links_total);
            s.transactions.total = Some(transactions_total);
        });
        self.live = true;
        Ok(())
    }

    /// Whether the mirror holds as many links and transactions as PIK has
    /// (items arriving meanwhile may make it hold more). If not, rows were
    /// lost: the kind short of rows is read again by a new backfill, once
    /// for these totals; if that did not make up for them either (PIK lists
    /// fewer than it counts), the mirror says how many it holds instead of
    /// "up to date".
    async fn holds_everything(&mut self, links_total: u64, transactions_total: u64) -> Result<bool, SyncError> {
        if self.options.backfill == super::Backfill::Wanted {
            // It holds what was scrolled to, by design.
            return Ok(true);
        }
        let status = self.status();
        if status.links.done >= links_total && status.transactions.done >= transactions_total {
            return Ok(true);
        }
        // The counts kept here miss rows others wrote (a dashboard's pages,
        // another process): the store's own counts decide.
        let stats = self.store.stats().await?;
        let (links, transactions) = (stats.links, stats.transactions);
        self.status.send_modify(|s| {
            s.links.done = links;
            s.transactions.done = transactions;
        });
        if links >= links_total && transactions >= transactions_total {
            return Ok(true);
        }
        let totals = (links_total, transactions_total);
        if self.state.repaired == Some(totals) {
            self.status.send_modify(|s| {
                s.links.total = Some(links_total);
                s.transactions.total = Some(transactions_total);
                s.phase = Phase::Incomplete;
            });
            self.live = true;
            return Ok(false);
        }
        tracing::warn!(
            links,
            links_total,
            transactions,
            transactions_total,
            "the mirror holds fewer rows than PIK has: reading them again"
        );
        if links < links_total {
            self.state.links = LinkCursor::default();
        }
        if transactions < transactions_total {
            self.state.transactions = TransactionCursor::default();
        }
        self.state.repaired = Some(totals);
        let json = self.state.to_json();
        self.store.save(Batch { state: Some((state::KEY.to_string(), json)), ..Batch::default() }).await?;
        let of = if links < links_total { Of::Links } else { Of::Transactions };
        self.set_phase(Phase::Backfilling { of, eta: None });
        Ok(false)
    }

    /// Pages from the top until a page holds a link already mirrored. The
    /// first page is small: at idle it is all there is, and reading and
    /// comparing 100 known links each cycle was most of the idle CPU.
    /// Returns PIK's count of links.
    async fn new_links(&mut self, first: u32) -> Result<u64, SyncError> {
        let mut size = first.min(self.options.page_size);
        let mut offset = 0u32;
        loop {
            let query = LinkQuery { limit: Some(size), offset: Some(offset), ..LinkQuery::default() };
            let page = self.client.list_links(&query).await?;
            let ids: Vec<String> = page.data.iter().map(|l| l.id.clone()).collect();
            let known = self.store.known(false, ids).await?;
            let short = page.data.len() < size as usize;
            self.save(Batch { links: page.data, ..Batch::default() }).await?;
            if !known.is_empty() || short {
                return Ok(page.total);
            }
            offset = offset.saturating_add(size);
            size = self.options.page_size;
        }
    }

    /// The same for transactions. Returns PIK's count of them.
    async fn new_transactions(&mut self, first: u32) -> Result<u64, SyncError> {
        let mut size = first.min(self.options.page_size);
        let mut offset = 0u32;
        loop {
            let query = TransactionQuery { limit: Some(size), offset: Some(offset), ..Default::default() };
            let page = self.client.list_transactions(&query).await?;
            let ids: Vec<String> = page.data.iter().map(|t| t.id.clone()).collect();
            let known = self.store.known(true, ids).await?;
            let short = page.data.len() < size as usize;
            self.save(Batch { transactions: page.data, ..Batch::default() }).await?;
            if !known.is_empty() || short {
                return Ok(page.total);
            }
            offset = offset.saturating_add(size);
            size = self.options.page_size;
        }
    }

    /// Lists the active links again; a stored active link not among them
    /// changed, and is fetched by id.
    async fn sweep_links(&mut self) -> Result<(), SyncError> {
        let size = self.options.page_size;
        let mut seen = HashSet::new();
        let mut offset = 0u32;
        loop {
            let query = LinkQuery { status: Some(LinkStatus::Active), limit: Some(size), offset: Some(offset) };
            let page = self.client.list_links(&query).await?;
            let short = page.data.len() < size as usize;
            seen.extend(page.data.iter().map(|l| l.id.clone()));
            let links = self.held_only(Of::Links, page.data, |l| &l.id).await?;
            self.save(Batch { links, ..Batch::default() }).await?;
            if short {
                break;
            }
            offset = offset.saturating_add(size);
        }
        let stored = self.store.ids_with_status(false, LinkStatus::Active.as_str()).await?;
        self.fetch_each(false, stored.into_iter().filter(|id| !seen.contains(id)).collect()).await
    }

    /// With a mirror of what was scrolled to (its backfill unfinished), a
    /// sweep updates the rows it holds and adds none: a row from deeper in
    /// the account would show as if it followed the rows loaded.
    pub(super) async fn held_only<T>(&self, of: Of, rows: Vec<T>, id: fn(&T) -> &String) -> Result<Vec<T>, SyncError> {
        let partial = self.options.backfill == Backfill::Wanted
            && !match of {
                Of::Links => self.state.links.done,
                Of::Transactions => self.state.transactions.done,
            };
        if !partial {
            return Ok(rows);
        }
        let ids = rows.iter().map(|row| id(row).clone()).collect();
        let held: HashSet<String> = self.store.known(of == Of::Transactions, ids).await?.into_iter().collect();
        Ok(rows.into_iter().filter(|row| held.contains(id(row))).collect())
    }

    /// Fetches by id, one by one, what left an unfinished set, saying how
    /// far it is when there are many (after a long backfill, thousands of
    /// links may have expired meanwhile).
    pub(super) async fn fetch_each(&mut self, transactions: bool, ids: Vec<String>) -> Result<(), SyncError> {
        let total = ids.len() as u64;
        let started = std::time::Instant::now();
        let before = self.status().phase;
        for (done, id) in ids.into_iter().enumerate() {
            let done = done as u64;
            if total > FETCH_EACH_SHOWN && done.is_multiple_of(10) {
                let elapsed = started.elapsed();
                let eta = (done > 0).then(|| elapsed.mul_f64((total - done) as f64 / done as f64));
                self.set_phase(Phase::Refreshing { done, total, eta });
            }
            let fetched = if transactions {
                self.client.get_transaction(&id).await.map(|txn| Batch { transactions: vec![txn], ..Batch::default() })
            } else {
                self.client.get_link(&id).await.map(|link| Batch { links: vec![link], ..Batch::default() })
            };
            match fetched {
                Ok(batch) => self.save(batch).await?,
                // Gone from PIK altogether: nothing to update it with.
                Err(error) if error.kind() == ErrorKind::Api && error.status() == Some(404) => {}
                Err(error) => return Err(error.into()),
            }
        }
        if total > FETCH_EACH_SHOWN {
            self.set_phase(before);
        }
        Ok(())
    }

    /// Lists the payments PIK has in `status` into the mirror; returns
    /// their ids.
    async fn list_transactions_in(&mut self, status: &TransactionStatus) -> Result<HashSet<String>, SyncError> {
        let size = self.options.page_size;
        let mut seen = HashSet::new();
        let mut offset = 0u32;
        loop {
            let query = TransactionQuery {
                status: Some(status.clone()),
                limit: Some(size),
                offset: Some(offset),
                ..Default::default()
            };
            let page = self.client.list_transactions(&query).await?;
            let short = page.data.len() < size as usize;
            seen.extend(page.data.iter().map(|t| t.id.clone()));
            let transactions = self.held_only(Of::Transactions, page.data, |t| &t.id).await?;
            self.save(Batch { transactions, ..Batch::default() }).await?;
            if short {
                break;
            }
            offset = offset.saturating_add(size);
        }
        Ok(seen)
    }
}
