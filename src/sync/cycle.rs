//! Once backfilled, each cycle brings new items: new links until known ids,
//! new transactions since the newest known (with an overlap). Every
//! `sweep_every` cycles (and always the first) a full cycle also brings the
//! webhooks and status changes: the non-terminal sets listed again, and what
//! left them fetched by id. Only a full cycle makes the mirror up to date.

use super::{Phase, Sync, SyncError, state};
use crate::api::{ErrorKind, LinkQuery, LinkStatus, TransactionQuery, TransactionStatus};
use crate::store::Batch;
use chrono::Utc;
use std::collections::HashSet;

/// The first page a cycle asks for new links.
const FIRST_PAGE: u32 = 20;

impl Sync {
    /// New items only.
    pub(super) async fn light_cycle(&mut self) -> Result<(), SyncError> {
        self.new_links().await?;
        self.new_transactions().await
    }

    pub(super) async fn cycle(&mut self) -> Result<(), SyncError> {
        self.new_links().await?;
        self.new_transactions().await?;
        let hooks = self.client.list_webhooks().await?;
        self.save(Batch { webhooks: Some(hooks.data), ..Batch::default() }).await?;
        self.sweep_links().await?;
        for status in [TransactionStatus::Pending, TransactionStatus::Confirmed] {
            self.sweep_transactions(status).await?;
        }
        let now = Utc::now();
        self.state.synced_at = Some(now);
        let json = self.state.to_json();
        self.store.save(Batch { state: Some((state::KEY.to_string(), json)), ..Batch::default() }).await?;
        self.status.send_modify(|s| {
            s.synced_at = Some(now);
            s.phase = Phase::UpToDate;
            // Once caught up, PIK's totals are what the mirror holds.
            s.links.total = Some(s.links.done);
            s.transactions.total = Some(s.transactions.done);
        });
        self.live = true;
        self.light_cycles = 0;
        Ok(())
    }

    /// Pages from the top until a page holds a link already mirrored. The
    /// first page is small: at idle it is all there is, and reading and
    /// comparing 100 known links each cycle was most of the idle CPU.
    async fn new_links(&mut self) -> Result<(), SyncError> {
        let mut size = FIRST_PAGE.min(self.options.page_size);
        let mut offset = 0u32;
        loop {
            let query = LinkQuery { limit: Some(size), offset: Some(offset), ..LinkQuery::default() };
            let page = self.client.list_links(&query).await?;
            let ids: Vec<String> = page.data.iter().map(|l| l.id.clone()).collect();
            let known = self.store.known_links(ids).await?;
            let short = page.data.len() < size as usize;
            self.save(Batch { links: page.data, ..Batch::default() }).await?;
            if !known.is_empty() || short {
                return Ok(());
            }
            offset = offset.saturating_add(size);
            size = self.options.page_size;
        }
    }

    /// Everything created since a little before the newest known.
    async fn new_transactions(&mut self) -> Result<(), SyncError> {
        let Some(newest) = self.store.newest_transaction().await? else { return Ok(()) };
        let from = newest - self.options.overlap;
        let size = self.options.page_size;
        let mut offset = 0u32;
        loop {
            let query =
                TransactionQuery { from: Some(from), limit: Some(size), offset: Some(offset), ..Default::default() };
            let page = self.client.list_transactions(&query).await?;
            let short = page.data.len() < size as usize;
            self.save(Batch { transactions: page.data, ..Batch::default() }).await?;
            if short {
                return Ok(());
            }
            offset = offset.saturating_add(size);
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
        for id in stored.into_iter().filter(|id| !seen.contains(id)) {
            match self.client.get_link(&id).await {
                Ok(link) => self.save(Batch { links: vec![link], ..Batch::default() }).await?,
                // Gone from PIK altogether: nothing to update it with.
                Err(error) if error.kind() == ErrorKind::Api && error.status() == Some(404) => {}
                Err(error) => return Err(error.into()),
            }
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
        for id in stored.into_iter().filter(|id| !seen.contains(id)) {
            match self.client.get_transaction(&id).await {
                Ok(txn) => self.save(Batch { transactions: vec![txn], ..Batch::default() }).await?,
                Err(error) if error.kind() == ErrorKind::Api && error.status() == Some(404) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
    }
}
