//! Running an export: rows from the mirror a batch at a time (or from the
//! API a page at a time), written as they come, with progress reported as
//! (rows written, rows expected).

use super::file::{FileError, Pending};
use super::{Destination, Format, LinkCells, RowWriter};
use crate::api::{ApiError, Client, LinkQuery, TransactionQuery};
use crate::store::{Kinds, SearchHit, Selection, Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

/// Rows read from the mirror at a time (the mirror is shared with the
/// dashboard's reads between batches).
const BATCH: u32 = 20_000;
/// PIK's largest page.
const PAGE: u32 = 100;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    File(#[from] FileError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("writing the export failed: {0}")]
    Write(String),
}

impl From<std::io::Error> for ExportError {
    fn from(error: std::io::Error) -> Self {
        ExportError::Write(error.to_string())
    }
}

/// What an export wrote, and where (none: standard output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub rows: u64,
    pub path: Option<PathBuf>,
}

type Writer = RowWriter<Box<dyn Write + Send>>;

/// An export being written: to standard output or to a pending file. The
/// writer is lent to the store for each batch, and comes back with it.
struct Sink {
    writer: Option<Writer>,
    pending: Option<Pending>,
}

impl Sink {
    fn open(destination: &Destination, format: Format, kinds: Kinds) -> Result<Sink, ExportError> {
        let (out, pending): (Box<dyn Write + Send>, Option<Pending>) = match destination {
            Destination::Stdout => (Box::new(std::io::stdout()), None),
            Destination::File { path, overwrite } => {
                let (pending, file) = Pending::create(path, *overwrite)?;
                (Box::new(file), Some(pending))
            }
        };
        match RowWriter::new(format, kinds, out) {
            Ok(writer) => Ok(Sink { writer: Some(writer), pending }),
            Err(error) => {
                if let Some(pending) = pending {
                    pending.abandon();
                }
                Err(error.into())
            }
        }
    }

    /// Writes everything out; the file takes its name.
    fn finish(self) -> Result<Option<PathBuf>, ExportError> {
        let flushed = match self.writer {
            Some(writer) => writer.finish().and_then(|mut out| out.flush()),
            None => Err(std::io::Error::other("the export's writer was lost")),
        };
        match (flushed, self.pending) {
            (Ok(()), Some(pending)) => Ok(Some(pending.commit()?)),
            (Ok(()), None) => Ok(None),
            (Err(error), pending) => {
                if let Some(pending) = pending {
                    pending.abandon();
                }
                Err(error.into())
            }
        }
    }

    fn abandon(self) {
        if let Some(pending) = self.pending {
            pending.abandon();
        }
    }
}

/// Runs `fill` on an open sink; commits on success, leaves nothing on failure.
async fn with_sink<F, Fut>(
    destination: &Destination,
    format: Format,
    kinds: Kinds,
    fill: F,
) -> Result<Exported, ExportError>
where
    F: FnOnce(Sink) -> Fut,
    Fut: std::future::Future<Output = (Sink, Result<u64, ExportError>)>,
{
    let sink = Sink::open(destination, format, kinds)?;
    let (sink, filled) = fill(sink).await;
    match filled {
        Ok(rows) => Ok(Exported { rows, path: sink.finish()? }),
        Err(error) => {
            sink.abandon();
            Err(error)
        }
    }
}

/// Every row of `selection` in the mirror, newest first.
pub async fn from_store(
    store: &Store,
    selection: Selection,
    format: Format,
    destination: &Destination,
    mut progress: impl FnMut(u64, u64) + Send,
) -> Result<Exported, ExportError> {
    let total = store.export_count(selection.clone()).await?;
    with_sink(destination, format, selection.kinds(), |mut sink| async move {
        let mut written = 0u64;
        let mut before = None;
        loop {
            let Some(writer) = sink.writer.take() else { return (sink, Ok(written)) };
            let (writer, ended) = match store.export_batch(selection.clone(), before, BATCH, writer).await {
                Ok(lent) => lent,
                Err(error) => return (sink, Err(error.into())),
            };
            sink.writer = Some(writer);
            let ended = match ended {
                Ok(ended) => ended,
                Err(error) => return (sink, Err(error.into())),
            };
            written += ended.written;
            progress(written, total.max(written));
            match ended.next {
                Some(next) => before = Some(next),
                None => return (sink, Ok(written)),
            }
        }
    })
    .await
}

/// The links of an account read from the API as far as the payments being
/// exported need them: pages newest first, in step with the payments
/// (a payment's link was made before it), so an export of recent payments
/// reads only the recent links, and never one request a payment.
struct LinkBook<'a> {
    client: &'a Client,
    known: HashMap<String, LinkCells>,
    offset: u32,
    done: bool,
}

impl LinkBook<'_> {
    async fn cells(&mut self, id: &str) -> Result<Option<LinkCells>, ApiError> {
        while !self.known.contains_key(id) && !self.done {
            let page = self
                .client
                .list_links(&LinkQuery { limit: Some(PAGE), offset: Some(self.offset), ..Default::default() })
                .await?;
            self.done = page.data.len() + page.skipped < PAGE as usize;
            self.offset = self.offset.saturating_add(PAGE);
            self.known.extend(page.data.iter().map(|link| (link.id.clone(), LinkCells::of(link))));
        }
        Ok(self.known.get(id).cloned())
    }
}

/// Every row matching the filters, paged from the API (newest first). Rows
/// that arrive meanwhile shift PIK's offsets; a row seen twice is written once.
pub async fn from_api(
    client: &Client,
    filter: Selection,
    format: Format,
    destination: &Destination,
    mut progress: impl FnMut(u64, u64) + Send,
) -> Result<Exported, ExportError> {
    let Selection::Filter(query) = filter else {
        return Err(ExportError::Write("PIK cannot search: export a search from the mirror".into()));
    };
    if query.ids.is_some() {
        return Err(ExportError::Write("marked rows are exported from the mirror, which holds them".into()));
    }
    if !query.terms.is_empty() || !query.amounts.is_empty() || query.case.is_some() {
        return Err(ExportError::Write(
            "PIK cannot filter by words, amounts or cases: export from a whole mirror".into(),
        ));
    }
    if query.transactions_only() {
        return Err(ExportError::Write(
            "PIK filters payments by creation time only: export by confirmation or settlement time from the mirror"
                .into(),
        ));
    }
    let kinds = query.kinds;
    with_sink(destination, format, kinds, |mut sink| async move {
        let mut book = LinkBook { client, known: HashMap::new(), offset: 0, done: false };
        let mut seen: HashSet<String> = HashSet::new();
        let mut written = 0u64;
        let mut offset = 0u32;
        loop {
            let (hits, total): (Vec<SearchHit>, u64) = if kinds == Kinds::Links {
                let status = query.status.as_deref().map(crate::api::LinkStatus::parse);
                let page = LinkQuery { status, limit: Some(PAGE), offset: Some(offset) };
                match client.list_links(&page).await {
                    Ok(page) => (page.data.into_iter().map(SearchHit::Link).collect(), page.total),
                    Err(error) => return (sink, Err(error.into())),
                }
            } else {
                let page = TransactionQuery {
                    status: query.status.as_deref().map(crate::api::TransactionStatus::parse),
                    currency: query.currency.clone(),
                    payment_link_id: query.link.clone(),
                    from: query.from,
                    to: query.to,
                    limit: Some(PAGE),
                    offset: Some(offset),
                };
                match client.list_transactions(&page).await {
                    Ok(page) => (page.data.into_iter().map(SearchHit::Transaction).collect(), page.total),
                    Err(error) => return (sink, Err(error.into())),
                }
            };
            let received = hits.len();
            // PIK lists links newest first, with no date filter: past the
            // window's start, there is nothing more to read.
            let mut past_the_window = false;
            for hit in hits.iter().filter(|hit| seen.insert(hit.id().to_string())) {
                // PIK has no currency or date filter for links: they are applied here.
                if let SearchHit::Link(link) = hit {
                    if query.currency.as_ref().is_some_and(|c| !link.currency.eq_ignore_ascii_case(c)) {
                        continue;
                    }
                    if query.from.is_some_and(|from| link.created_at < from) {
                        past_the_window = true;
                        continue;
                    }
                    // Inclusive to the second, as the mirror reads it.
                    if query.to.is_some_and(|to| link.created_at.timestamp() > to.timestamp()) {
                        continue;
                    }
                }
                let link = match hit {
                    SearchHit::Transaction(txn) => match &txn.payment_link_id {
                        Some(id) => match book.cells(id).await {
                            Ok(cells) => cells,
                            Err(error) => return (sink, Err(error.into())),
                        },
                        None => None,
                    },
                    SearchHit::Link(_) => None,
                };
                let Some(writer) = sink.writer.as_mut() else { return (sink, Ok(written)) };
                if let Err(error) = writer.write(hit, link.as_ref()) {
                    return (sink, Err(error.into()));
                }
                written += 1;
            }
            progress(written, total.max(written));
            if received < PAGE as usize || past_the_window {
                return (sink, Ok(written));
            }
            offset = offset.saturating_add(PAGE);
        }
    })
    .await
}
