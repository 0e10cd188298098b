//! The unfinished rows on screen that the first page of new items does not
//! cover (the list scrolled down, sorted or filtered), read again every two
//! refreshes: a status change on page 30 shows as soon as one on page 1.
//! PIK lists payments by creation time, so the span of those on screen is
//! one request; links only by place, which the mirror knows (how many are
//! newer), so their span is one request too when it fits a page. What does
//! not fit is fetched by id, a few at a time.

use super::schedule::OnScreen;
use super::{Of, Sync, SyncError};
use crate::api::{LinkQuery, TransactionQuery};
use crate::store::{Batch, Kinds, SearchQuery};
use std::collections::HashSet;

/// Rows fetched one by one in a round, when their span does not fit a page.
const BY_ID: usize = 10;

impl Sync {
    pub(super) async fn refresh_on_screen(&mut self, rows: &[OnScreen]) -> Result<(), SyncError> {
        let payments: Vec<&OnScreen> = rows.iter().filter(|r| r.of == Of::Transactions).collect();
        let links: Vec<&OnScreen> = rows.iter().filter(|r| r.of == Of::Links).collect();
        if let (Some(oldest), Some(newest)) =
            (payments.iter().map(|r| r.created_at).min(), payments.iter().map(|r| r.created_at).max())
        {
            let size = self.options.page_size;
            let query =
                TransactionQuery { from: Some(oldest), to: Some(newest), limit: Some(size), ..Default::default() };
            let page = self.client.list_transactions(&query).await?;
            let read: HashSet<String> = page.data.iter().map(|t| t.id.clone()).collect();
            let held = self.held_only(Of::Transactions, page.data, |t| &t.id).await?;
            self.save(Batch { transactions: held, ..Batch::default() }).await?;
            let left: Vec<String> = payments.iter().filter(|r| !read.contains(&r.id)).map(|r| r.id.clone()).collect();
            self.fetch_each(true, left.into_iter().take(BY_ID).collect()).await?;
        }
        if let (Some(oldest), Some(newest)) =
            (links.iter().map(|r| r.created_at).min(), links.iter().map(|r| r.created_at).max())
        {
            // Their place in PIK's list, newest first: the links newer.
            let mut newer = SearchQuery::everything(Kinds::Links);
            newer.from = Some(newest + chrono::Duration::seconds(1));
            let offset = self.store.count(newer).await?;
            let mut span = SearchQuery::everything(Kinds::Links);
            (span.from, span.to) = (Some(oldest), Some(newest));
            let limit = self.store.count(span).await?.saturating_add(2);
            if limit <= u64::from(self.options.page_size) {
                let query = LinkQuery {
                    limit: Some(u32::try_from(limit).unwrap_or(self.options.page_size)),
                    offset: Some(u32::try_from(offset.saturating_sub(1)).unwrap_or(u32::MAX)),
                    ..LinkQuery::default()
                };
                let page = self.client.list_links(&query).await?;
                let read: HashSet<String> = page.data.iter().map(|l| l.id.clone()).collect();
                let held = self.held_only(Of::Links, page.data, |l| &l.id).await?;
                self.save(Batch { links: held, ..Batch::default() }).await?;
                let left: Vec<String> = links.iter().filter(|r| !read.contains(&r.id)).map(|r| r.id.clone()).collect();
                self.fetch_each(false, left.into_iter().take(BY_ID).collect()).await?;
            } else {
                let ids: Vec<String> = links.iter().map(|r| r.id.clone()).take(BY_ID).collect();
                self.fetch_each(false, ids).await?;
            }
        }
        Ok(())
    }
}
