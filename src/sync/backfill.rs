//! The backfill: every link and every transaction, newest first, a page at
//! a time; links by offset (corrected for items arriving on top),
//! transactions by a time cursor.

use super::{Backfill, Of, Phase, Progress, Sync, SyncError};
use crate::api::{LinkQuery, TransactionQuery};
use crate::store::Batch;

impl Sync {
    /// One page of the backfill of `of`.
    pub(super) async fn backfill_step(&mut self, of: Of) -> Result<(), SyncError> {
        if self.state.transactions.total.is_none() {
            // One small request up front, so the progress bar knows its end.
            let probe = TransactionQuery { limit: Some(1), ..TransactionQuery::default() };
            let total = self.client.list_transactions(&probe).await?.total;
            self.state.transactions.total = Some(total);
            self.status.send_modify(|s| s.transactions.total = Some(total));
        }
        match of {
            Of::Links if !self.state.links.done => self.links_page().await?,
            Of::Transactions if !self.state.transactions.done => self.transactions_page().await?,
            _ => {}
        }
        // Loading only what was scrolled to, there is no end to estimate.
        let eta = if self.options.backfill == Backfill::Full { self.estimate() } else { None };
        let (links, transactions) = (self.state.links.done, self.state.transactions.done);
        self.status.send_modify(|s| {
            s.links.complete = links;
            s.transactions.complete = transactions;
        });
        self.set_phase(Phase::Backfilling { of, eta });
        Ok(())
    }

    async fn links_page(&mut self) -> Result<(), SyncError> {
        let size = self.options.page_size;
        let offset = u32::try_from(self.state.links.offset).unwrap_or(u32::MAX);
        let query = LinkQuery { limit: Some(size), offset: Some(offset), ..LinkQuery::default() };
        let page = self.client.list_links(&query).await?;
        let received = (page.data.len() + page.skipped) as u64;
        self.state.links.advance(received, page.total, u64::from(size));
        let total = page.total;
        self.status.send_modify(|s| s.links.total = Some(total));
        self.save_behind(Batch { links: page.data, ..Batch::default() }).await
    }

    async fn transactions_page(&mut self) -> Result<(), SyncError> {
        let size = self.options.page_size;
        let cursor = &self.state.transactions;
        let query = TransactionQuery {
            to: cursor.before,
            offset: Some(u32::try_from(cursor.skip).unwrap_or(u32::MAX)),
            limit: Some(size),
            ..TransactionQuery::default()
        };
        let page = self.client.list_transactions(&query).await?;
        let times: Vec<_> = page.data.iter().map(|t| t.created_at).collect();
        self.state.transactions.advance(&times, u64::from(size));
        let finished = self.state.transactions.done;
        self.save_behind(Batch { transactions: page.data, ..Batch::default() }).await?;
        if finished {
            // The total becomes what was mirrored, so the bar ends full.
            self.flush().await?;
            let done = self.status.borrow().transactions.done;
            self.state.transactions.total = Some(self.state.transactions.total.unwrap_or(0).max(done));
        }
        let total = self.state.transactions.total;
        self.status.send_modify(|s| s.transactions = Progress { total, ..s.transactions });
        Ok(())
    }
}
