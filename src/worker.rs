//! Runs the app's commands on tokio and sends each outcome back as a `Msg`.
//! Nothing here blocks the event loop. The panes' rows are read from the
//! mirror; PIK is asked only for objects by id and writes, and whatever it
//! answers is written to the mirror too (which says so, and the panes read
//! it again).

use crate::api::{ApiError, Client, TransactionQuery};
use crate::app::forms::{ExportJob, ExportSource};
use crate::app::{Cmd, ErrorInfo, ExportEvent, Found, ListAsk, ListRows, Msg, Written};
use crate::audit::{Act, DONE};
use crate::export;
use crate::store::{Batch, Store};
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

#[derive(Clone)]
pub struct Worker {
    client: Client,
    store: Store,
    results: UnboundedSender<Msg>,
}

impl Worker {
    /// The worker for a connection: its client and its mirror.
    pub fn for_connection(client: Client, store: Store, results: UnboundedSender<Msg>) -> Self {
        Self { client, store, results }
    }

    /// Starts one command. `Quit`, `Bell`, `Notify`, `Copy`, `Focus`,
    /// `SwitchProfile` and `LoadZone` belong to the runtime and are ignored here.
    pub fn run(&self, cmd: Cmd) {
        let (client, store, results) = (self.client.clone(), self.store.clone(), self.results.clone());
        let send = move |msg: Msg| {
            // The runtime has gone: nobody is waiting for this answer.
            let _ = results.send(msg);
        };
        match cmd {
            Cmd::List { request, ask } => {
                tokio::spawn(async move {
                    let result = match ask {
                        ListAsk::Window(ask) => store.window(*ask).await.map(ListRows::Window),
                        ListAsk::Webhooks => store.list_webhooks().await.map(|page| ListRows::Webhooks(page.data)),
                    };
                    send(Msg::Listed { request, result: result.map_err(|e| e.to_string()) });
                });
            }
            Cmd::FetchLink { request, id } => {
                tokio::spawn(async move {
                    let result = client.get_link(&id).await;
                    if let Ok(link) = &result {
                        keep(&store, Batch { links: vec![link.clone()], ..Batch::default() }).await;
                    }
                    send(Msg::Object { request, result: result.map(Found::Link).map_err(|e| error_info(&e)) });
                });
            }
            Cmd::FetchTransaction { request, id } => {
                tokio::spawn(async move {
                    let result = client.get_transaction(&id).await;
                    if let Ok(txn) = &result {
                        keep(&store, Batch { transactions: vec![txn.clone()], ..Batch::default() }).await;
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
                    if let Ok(page) = &result {
                        keep(&store, Batch { transactions: page.data.clone(), ..Batch::default() }).await;
                    }
                    send(Msg::LinkTransactions { request, link_id, result: result.map_err(|e| error_info(&e)) });
                });
            }
            Cmd::Write { request, write, by } => {
                tokio::spawn(async move {
                    let submitted = crate::submit::submit(&client, Some(&store), &by, write).await;
                    if let Ok(Written::Link(link) | Written::Deactivated(link)) = &submitted.result {
                        keep(&store, Batch { links: vec![link.clone()], ..Batch::default() }).await;
                    }
                    let subject = match &submitted.result {
                        Ok(Written::Link(link) | Written::Deactivated(link)) => Some(link.id.clone()),
                        _ => None,
                    };
                    send(Msg::Written { request, result: submitted.result.map_err(|e| error_info(&e)) });
                    if let Some(why) = submitted.unrecorded {
                        send(Msg::Recorded { subject, result: Err(why) });
                    }
                });
            }
            Cmd::Search { request, query, offset, limit } => {
                tokio::spawn(async move {
                    let result = store.search(query, offset, limit).await.map_err(|e| e.to_string());
                    send(Msg::Searched { request, result });
                });
            }
            Cmd::Overview { request, query } => {
                tokio::spawn(async move {
                    let result = store.overview(query).await.map_err(|e| e.to_string());
                    send(Msg::Overview { request, result });
                });
            }
            Cmd::ReadOrder { request, link_id } => {
                tokio::spawn(async move {
                    let result = store.order(&link_id).await.map(Box::new).map_err(|e| e.to_string());
                    send(Msg::OrderRead { request, result });
                });
            }
            Cmd::Export { request, job, by } => {
                tokio::spawn(async move {
                    let (selection, format) = (job.selection.clone(), job.format);
                    let mut ended = None;
                    let event = |event: ExportEvent| Msg::Export { request, event };
                    export(&client, &store, job, |e| {
                        if let ExportEvent::Done { .. } | ExportEvent::Failed(_) = &e {
                            ended = Some(e.clone());
                        }
                        send(event(e))
                    })
                    .await;
                    let (outcome, detail) = match ended {
                        Some(ExportEvent::Done { rows, path }) => {
                            (DONE.to_string(), export::exported_words(rows, &selection, format, &path))
                        }
                        Some(ExportEvent::Failed(why)) => {
                            (format!("failed: {why}"), export::export_words(&selection, format))
                        }
                        _ => return,
                    };
                    let act = Act {
                        outcome,
                        ..Act::new(chrono::Utc::now(), &by.agent, by.profile.as_deref(), "exported", None, detail)
                    };
                    if let Err(err) = store.append_act(act).await {
                        send(Msg::Recorded { subject: None, result: Err(err.to_string()) });
                    }
                });
            }
            Cmd::LookAt { link_id, by, lasts } => {
                tokio::spawn(async move {
                    if let Err(err) = store.look_at(&link_id, &by.agent, lasts).await {
                        tracing::warn!("could not say which case is open: {err}");
                    }
                });
            }
            Cmd::ReadAudit { request } => {
                tokio::spawn(async move {
                    let result = store.audit(crate::audit::AuditQuery::default()).await.map_err(|e| e.to_string());
                    send(Msg::AuditRead { request, result });
                });
            }
            Cmd::Record(act) => {
                tokio::spawn(async move {
                    let subject = act.subject.clone();
                    let result = store.append_act(*act).await.map(|_| ()).map_err(|e| e.to_string());
                    send(Msg::Recorded { subject, result });
                });
            }
            Cmd::ActOnCase { request, act, facts } => {
                tokio::spawn(async move {
                    let done = store.act_on_case(*act, facts.map(|f| *f)).await;
                    let result = done.map(|taken| taken.map(Box::new)).map_err(|e| e.to_string());
                    send(Msg::CaseActed { request, result });
                });
            }
            Cmd::SaveView { path, view, replace } => {
                tokio::task::spawn_blocking(move || {
                    let name = view.name.clone();
                    let result = match path {
                        Some(path) => {
                            crate::config::save_view(std::path::Path::new(&path), &view, replace).map(|()| path.clone())
                        }
                        None => Err("there is no config file to keep it in (see `pik-tui config path`)".into()),
                    };
                    send(Msg::ViewSaved { name, result });
                });
            }
            Cmd::Copy(_)
            | Cmd::Bell
            | Cmd::Notify { .. }
            | Cmd::Quit
            | Cmd::Focus(_)
            | Cmd::SwitchProfile(_)
            | Cmd::LoadZone(_) => {}
        }
    }
}

/// Requests a second an export from PIK may make (when the mirror holds
/// only rows scrolled to), on top of the shared limit: the sync keeps most
/// of the budget.
const EXPORT_RATE: f64 = 4.0;

/// Runs an export, telling `tell` how it goes (at most a few times a second).
async fn export(client: &Client, store: &Store, job: ExportJob, mut tell: impl FnMut(ExportEvent) + Send) {
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
    let result = match job.source {
        ExportSource::Mirror => export::from_store(store, job.selection, job.format, &destination, &mut progress).await,
        ExportSource::Pik => {
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
