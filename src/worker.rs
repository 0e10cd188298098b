//! Runs the app's commands on tokio and sends each outcome back as a `Msg`.
//! Nothing here blocks the event loop.

use crate::api::{ApiError, Client, LinkQuery, TransactionQuery};
use crate::app::{Cmd, ErrorInfo, Found, Loaded, Msg, PageRequest, Write, Written};
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
    results: UnboundedSender<Msg>,
}

impl Worker {
    pub fn new(client: Client, results: UnboundedSender<Msg>) -> Self {
        Self { client, results }
    }

    /// Starts one command. `Quit`, `Bell`, `Copy` and `SwitchProfile` belong
    /// to the runtime and are ignored here.
    pub fn run(&self, cmd: Cmd) {
        let (client, results) = (self.client.clone(), self.results.clone());
        let send = move |msg: Msg| {
            // The runtime has gone: nobody is waiting for this answer.
            let _ = results.send(msg);
        };
        match cmd {
            Cmd::FetchPage { request, page } => {
                tokio::spawn(async move {
                    let (pane, offset) = (page.pane(), page.offset());
                    let result = fetch_page(&client, &page).await.map_err(|e| error_info(&e));
                    send(Msg::Page { pane, request, offset, result });
                });
            }
            Cmd::FetchLink { request, id } => {
                tokio::spawn(async move {
                    let result = client.get_link(&id).await.map(Found::Link).map_err(|e| error_info(&e));
                    send(Msg::Object { request, result });
                });
            }
            Cmd::FetchTransaction { request, id } => {
                tokio::spawn(async move {
                    let result = client.get_transaction(&id).await.map(Found::Transaction).map_err(|e| error_info(&e));
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
                    let result = client.list_transactions(&query).await.map_err(|e| error_info(&e));
                    send(Msg::LinkTransactions { request, link_id, result });
                });
            }
            Cmd::Write { request, write } => {
                tokio::spawn(async move {
                    let result = run_write(&client, write).await.map_err(|e| error_info(&e));
                    send(Msg::Written { request, result });
                });
            }
            Cmd::Copy(_) | Cmd::Bell | Cmd::Quit | Cmd::SwitchProfile(_) => {}
        }
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

async fn fetch_page(client: &Client, page: &PageRequest) -> Result<Loaded, ApiError> {
    let offset = |offset: u64| Some(u32::try_from(offset).unwrap_or(u32::MAX));
    match page {
        PageRequest::Links { filter, offset: at, limit } => {
            let query = LinkQuery { status: filter.status.clone(), limit: Some(*limit), offset: offset(*at) };
            client.list_links(&query).await.map(Loaded::Links)
        }
        PageRequest::Transactions { filter, offset: at, limit } => {
            let query = TransactionQuery {
                status: filter.status.clone(),
                payment_link_id: filter.payment_link_id.clone(),
                currency: filter.currency.clone(),
                from: filter.from,
                to: filter.to,
                limit: Some(*limit),
                offset: offset(*at),
            };
            client.list_transactions(&query).await.map(Loaded::Transactions)
        }
        PageRequest::Webhooks => client.list_webhooks().await.map(Loaded::Webhooks),
    }
}
