//! Once backfilled, each cycle brings new items: new links and new
//! transactions, from the top until known ids. Every `sweep_every` cycles
//! (and always the first) a full cycle also brings the webhooks and status
//! changes: the non-terminal sets listed again, and what left them fetched
//! by id. Only a full cycle makes the mirror up to date, and only when it
//! holds as many rows as PIK says it has: rows missing (lost to a write
//! that failed, say) are read again by a new backfill.

use super::state::{LinkCursor, TransactionCursor};
use super::{Of, Phase, Sync, SyncError, state};
use crate::api::{ErrorKind, LinkQuery, LinkStatus, TransactionQuery, TransactionStatus};
use crate::store::Batch;
use chrono::Utc;
use std::collections::HashSet;

/// The first page a cycle asks for new links.
const FIRST_PAGE: u32 = 20;
/// Items fetched one by one in a cycle beyond which the footer says so.
const FETCH_EACH_SHOWN: u64 = 20;

impl Sync {
    /// New items only.
    pub(super) async fn light_cycle(&mut self) -> Result<(), SyncError> {
        self.new_links().await?;
        self.new_transactions().await?;
        Ok(())
    }

    pub(super) async fn cycle(&mut self) -> Result<(), SyncError> {
        let links_total = self.new_links().await?;
        let transactions_total = self.new_transactions().await?;
        let hooks = self.client.list_webhooks().await?;
        self.save(Batch { webhooks: Some(hooks.data), ..Batch::default() }).await?;
        self.sweep_links().await?;
        for status in [TransactionStatus::Pending, TransactionStatus::Confirmed] {
            self.sweep_transactions(status).await?;
        }
        if !self.holds_everything(links_total, transactions_total).await? {
            return Ok(());
        }
        let now = Utc::now();
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
        self.light_cycles = 0;
        Ok(())
    }

    /// Whether the mirror holds as many links and transactions as PIK has
    /// (items arriving meanwhile may make it hold more). If not, rows were
    /// lost: the kind short of rows is read again by a new backfill, once
    /// for these totals; if that did not make up for them either (PIK lists
    /// fewer than it counts), the mirror says how many it holds instead of
    /// "up to date".
    async fn holds_everything(&mut self, links_total: u64, transactions_total: u64) -> Result<bool, SyncError> {
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
    async fn new_links(&mut self) -> Result<u64, SyncError> {
        let mut size = FIRST_PAGE.min(self.options.page_size);
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
    async fn new_transactions(&mut self) -> Result<u64, SyncError> {
        let mut size = FIRST_PAGE.min(self.options.page_size);
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
            self.save(Batch { links: page.data, ..Batch::default() }).await?;
            if short {
                break;
            }
            offset = offset.saturating_add(size);
        }
        let stored = self.store.ids_with_status(false, LinkStatus::Active.as_str()).await?;
        self.fetch_each(false, stored.into_iter().filter(|id| !seen.contains(id)).collect()).await
    }

    /// Fetches by id, one by one, what left an unfinished set, saying how
    /// far it is when there are many (after a long backfill, thousands of
    /// links may have expired meanwhile).
    async fn fetch_each(&mut self, transactions: bool, ids: Vec<String>) -> Result<(), SyncError> {
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

    async fn sweep_transactions(&mut self, status: TransactionStatus) -> Result<(), SyncError> {
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
            self.save(Batch { transactions: page.data, ..Batch::default() }).await?;
            if short {
                break;
            }
            offset = offset.saturating_add(size);
        }
        let stored = self.store.ids_with_status(true, status.as_str()).await?;
        self.fetch_each(true, stored.into_iter().filter(|id| !seen.contains(id)).collect()).await
    }
}
