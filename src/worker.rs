//! Runs the app's commands on tokio and sends each outcome back as a `Msg`.
//! Nothing here blocks the event loop. Whatever PIK answers (pages,
//! objects, writes) is also written to the mirror, so the panes' reads
//! keep it fresh too.

use crate::api::{ApiError, Client, ErrorKind, LinkQuery, TransactionQuery};
use crate::app::forms::{ExportJob, ExportSource};
use crate::app::{Cmd, ErrorInfo, ExportEvent, Found, Loaded, Msg, PageRequest, Source, Write, Written};
use crate::export;
use crate::store::{Batch, Store, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::mpsc::UnboundedSender;

/// The app's view of an API error: plain data, ready to show.
pub fn error_info(error: &ApiError) -> ErrorInfo {
    ErrorInfo {
        kind: error.kind(),
        summary: error.summary(),
        message: error.message().to_string(),
        status: error.status(),
        retry_after: error.retry_after(),
        may_have_happened: error.may_have_reached_server(),
    }
}

/// The app's view of a mirror error.
fn mirror_error(error: &StoreError) -> ErrorInfo {
    ErrorInfo {
        kind: ErrorKind::Config,
        summary: "the mirror failed".into(),
        message: error.to_string(),
        status: None,
        retry_after: None,
        may_have_happened: false,
    }
}

#[derive(Clone)]
pub struct Worker {
    client: Client,
    store: Option<Store>,
    results: UnboundedSender<Msg>,
    /// Set while a shared mirror is kept by a live sync: the panes' pages
    /// come from it, and PIK is asked only for details and writes.
    serve_pages: Option<Arc<AtomicBool>>,
}

impl Worker {
    /// The worker for a connection: its client, and its mirror if any.
    pub fn for_connection(
        client: Client,
        mirror: Option<&crate::mirror::Mirror>,
        results: UnboundedSender<Msg>,
    ) -> Self {
        let store = mirror.map(|m| m.store.clone());
        Self { client, store, results, serve_pages: mirror.and_then(|m| m.serve_pages.clone()) }
    }

    fn pages_from_mirror(&self) -> bool {
        self.serve_pages.as_ref().is_some_and(|serve| serve.load(Ordering::Relaxed))
    }

    /// Starts one command. `Quit`, `Bell`, `Notify`, `Copy` and
    /// `SwitchProfile` and `LoadZone` belong to the runtime and are ignored here.
    pub fn run(&self, cmd: Cmd) {
        let (client, store, results) = (self.client.clone(), self.store.clone(), self.results.clone());
        let shared_pages = self.pages_from_mirror();
        let send = move |msg: Msg| {
            // The runtime has gone: nobody is waiting for this answer.
            let _ = results.send(msg);
        };
        match cmd {
            Cmd::FetchPage { request, page, source } => {
                tokio::spawn(async move {
                    let (pane, offset) = (page.pane(), page.offset());
                    let result = match (source, &store) {
                        (Source::Mirror, Some(store)) => mirror_page(store, &page).await.map_err(|e| mirror_error(&e)),
                        (Source::Mirror, None) => Err(mirror_error(&StoreError::Sql("no mirror".into()))),
                        (Source::Pik, Some(store)) if shared_pages => match mirror_page(store, &page).await {
                            Ok(loaded) => Ok(loaded),
                            // The shared mirror failed this once: PIK answers instead.
                            Err(_) => fetch_page(&client, &page).await.map_err(|e| error_info(&e)),
                        },
                        (Source::Pik, _) => {
                            let result = fetch_page(&client, &page).await.map_err(|e| error_info(&e));
                            if let (Ok(loaded), Some(store)) = (&result, &store) {
                                keep(store, batch_of(loaded)).await;
                            }
                            result
                        }
                    };
                    send(Msg::Page { pane, request, offset, source, result });
                });
            }
            Cmd::FetchLink { request, id } => {
                tokio::spawn(async move {
                    let result = client.get_link(&id).await;
                    if let (Ok(link), Some(store)) = (&result, &store) {
                        keep(store, Batch { links: vec![link.clone()], ..Batch::default() }).await;
                    }
                    send(Msg::Object { request, result: result.map(Found::Link).map_err(|e| error_info(&e)) });
                });
            }
            Cmd::FetchTransaction { request, id } => {
                tokio::spawn(async move {
                    let result = client.get_transaction(&id).await;
                    if let (Ok(txn), Some(store)) = (&result, &store) {
                        keep(store, Batch { transactions: vec![txn.clone()], ..Batch::default() }).await;
                    }
                    let result = result.map(Found::Transaction).map_err(|e| error_info(&e));
                    send(Msg::Object { request, result });
                });
            }
            Cmd::FetchLinkTransactions { request, link_id } => {
                tokio::spawn(async move {
                    let query = TransactionQuery {
                        payment_link_id: Some(link_id.clone()),
                        limit: Some(100),
                        ..TransactionQuery::default()
                    };
                    let result = client.list_transactions(&query).await;
                    if let (Ok(page), Some(store)) = (&result, &store) {
                        keep(store, Batch { transactions: page.data.clone(), ..Batch::default() }).await;
                    }
                    send(Msg::LinkTransactions { request, link_id, result: result.map_err(|e| error_info(&e)) });
                });
            }
            Cmd::Write { request, write } => {
                tokio::spawn(async move {
                    let result = run_write(&client, write).await;
                    if let (Ok(Written::Link(link) | Written::Deactivated(link)), Some(store)) = (&result, &store) {
                        keep(store, Batch { links: vec![link.clone()], ..Batch::default() }).await;
                    }
                    send(Msg::Written { request, result: result.map_err(|e| error_info(&e)) });
                });
            }
            Cmd::Search { request, query, offset, limit } => {
                tokio::spawn(async move {
                    let result = match &store {
                        Some(store) => store.search(query, offset, limit).await.map_err(|e| e.to_string()),
                        None => Err("no mirror to search".to_string()),
                    };
                    send(Msg::Searched { request, result });
                });
            }
            Cmd::Overview { request, query } => {
                tokio::spawn(async move {
                    let result = match &store {
                        Some(store) => store.overview(query).await.map_err(|e| e.to_string()),
                        None => Err("no mirror".to_string()),
                    };
                    send(Msg::Overview { request, result });
                });
            }
            Cmd::Export { request, job } => {
                tokio::spawn(async move {
                    let event = |event: ExportEvent| Msg::Export { request, event };
                    export(&client, store.as_ref(), job, |e| send(event(e))).await;
                });
            }
            Cmd::Copy(_) | Cmd::Bell | Cmd::Notify { .. } | Cmd::Quit | Cmd::SwitchProfile(_) | Cmd::LoadZone(_) => {}
        }
    }
}

/// Requests a second an export from PIK may make (without a mirror), on
/// top of the shared limit: the live panes keep most of the budget.
const EXPORT_RATE: f64 = 4.0;

/// Runs an export, telling `tell` how it goes (at most a few times a second).
async fn export(client: &Client, store: Option<&Store>, job: ExportJob, mut tell: impl FnMut(ExportEvent) + Send) {
    let path = expand_home(&job.path);
    let shown = std::path::absolute(&path).unwrap_or_else(|_| path.clone()).display().to_string();
    if !job.overwrite && path.exists() {
        return tell(ExportEvent::Exists(shown));
    }
    tell(ExportEvent::Started(shown.clone()));
    let destination = export::Destination::File { path, overwrite: job.overwrite };
    let mut last = std::time::Instant::now();
    let mut progress = |done: u64, total: u64| {
        if last.elapsed() >= std::time::Duration::from_millis(200) {
            last = std::time::Instant::now();
            tell(ExportEvent::Progress { done, total });
        }
    };
    let result = match (job.source, store) {
        (ExportSource::Mirror, Some(store)) => {
            export::from_store(store, job.selection, job.format, &destination, &mut progress).await
        }
        (ExportSource::Mirror, None) => Err(export::ExportError::Write("the mirror is off".into())),
        (ExportSource::Pik, _) => {
            let client = client.with_share(EXPORT_RATE, crate::api::RetryPolicy::default());
            export::from_api(&client, job.selection, job.format, &destination, &mut progress).await
        }
    };
    tell(match result {
        Ok(exported) => ExportEvent::Done { rows: exported.rows, path: shown },
        Err(error) => ExportEvent::Failed(error.to_string()),
    });
}

/// `~/x` is in the home folder.
fn expand_home(path: &std::path::Path) -> std::path::PathBuf {
    match (path.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => path.to_path_buf(),
    }
}

/// Writes what PIK answered to the mirror. A failure here is not the
/// agent's problem (the sync reports a mirror that cannot be written).
async fn keep(store: &Store, batch: Batch) {
    if let Err(err) = store.save(batch).await {
        tracing::warn!("could not keep an answer in the mirror: {err}");
    }
}

fn batch_of(loaded: &Loaded) -> Batch {
    match loaded {
        Loaded::Links(page) => Batch { links: page.data.clone(), ..Batch::default() },
        Loaded::Transactions(page) => Batch { transactions: page.data.clone(), ..Batch::default() },
        Loaded::Webhooks(page) => Batch { webhooks: Some(page.data.clone()), ..Batch::default() },
    }
}

async fn run_write(client: &Client, write: Write) -> Result<Written, ApiError> {
    match write {
        Write::CreateLink(link) => client.create_link(&link).await.map(Written::Link),
        Write::DeactivateLink { id } => client.deactivate_link(&id).await.map(Written::Deactivated),
        Write::CreateWebhook(webhook) => {
            client.create_webhook(&webhook).await.map(|created| Written::Webhook(created.webhook, created.secret))
        }
    }
}

/// The API's query for a page request.
fn queries(page: &PageRequest) -> (Option<LinkQuery>, Option<TransactionQuery>) {
    let offset = |offset: u64| Some(u32::try_from(offset).unwrap_or(u32::MAX));
    match page {
        PageRequest::Links { filter, offset: at, limit } => {
            (Some(LinkQuery { status: filter.status.clone(), limit: Some(*limit), offset: offset(*at) }), None)
        }
        PageRequest::Transactions { filter, offset: at, limit } => (
            None,
            Some(TransactionQuery {
                status: filter.status.clone(),
                payment_link_id: filter.payment_link_id.clone(),
                currency: filter.currency.clone(),
                from: filter.created_range().0,
                to: filter.created_range().1,
                limit: Some(*limit),
                offset: offset(*at),
            }),
        ),
        PageRequest::Webhooks => (None, None),
    }
}

async fn fetch_page(client: &Client, page: &PageRequest) -> Result<Loaded, ApiError> {
    match queries(page) {
        (Some(links), _) => client.list_links(&links).await.map(Loaded::Links),
        (_, Some(transactions)) => client.list_transactions(&transactions).await.map(Loaded::Transactions),
        (None, None) => client.list_webhooks().await.map(Loaded::Webhooks),
    }
}

/// The same page, read from the mirror: same filters, same paging.
async fn mirror_page(store: &Store, page: &PageRequest) -> Result<Loaded, StoreError> {
    match queries(page) {
        (Some(links), _) => store.list_links(links).await.map(Loaded::Links),
        (_, Some(transactions)) => store.list_transactions(transactions).await.map(Loaded::Transactions),
        (None, None) => store.list_webhooks().await.map(Loaded::Webhooks),
    }
}
