//! Runs the app's commands on tokio and sends each outcome back as a `Msg`.
//! Nothing here blocks the event loop.

use crate::api::{ApiError, Client, LinkQuery, LinkStatus, TransactionQuery, TransactionStatus};
use crate::app::{Cmd, ErrorInfo, Found, Loaded, Msg, Pane, ServerFilter};
use tokio::sync::mpsc::UnboundedSender;

/// The app's view of an API error: plain data, ready to show.
pub fn error_info(error: &ApiError) -> ErrorInfo {
    ErrorInfo {
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

    /// Starts one command. `Quit`, `Bell` and `Copy` belong to the runtime and are ignored here.
    pub fn run(&self, cmd: Cmd) {
        let (client, results) = (self.client.clone(), self.results.clone());
        match cmd {
            Cmd::FetchPage { pane, request, offset, limit, filter } => {
                tokio::spawn(async move {
                    let result = fetch_page(&client, pane, offset, limit, &filter).await.map_err(|e| error_info(&e));
                    let _ = results.send(Msg::Page { pane, request, offset, result });
                });
            }
            Cmd::FetchLink { request, id } => {
                tokio::spawn(async move {
                    let result = client.get_link(&id).await.map(Found::Link).map_err(|e| error_info(&e));
                    let _ = results.send(Msg::Object { request, result });
                });
            }
            Cmd::FetchTransaction { request, id } => {
                tokio::spawn(async move {
                    let result = client.get_transaction(&id).await.map(Found::Transaction).map_err(|e| error_info(&e));
                    let _ = results.send(Msg::Object { request, result });
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
                    let _ = results.send(Msg::LinkTransactions { request, link_id, result });
                });
            }
            Cmd::CreateLink { request, link } => {
                tokio::spawn(async move {
                    let result = client.create_link(&link).await.map_err(|e| error_info(&e));
                    let _ = results.send(Msg::LinkCreated { request, result });
                });
            }
            Cmd::DeactivateLink { request, id } => {
                tokio::spawn(async move {
                    let result = client.deactivate_link(&id).await.map_err(|e| error_info(&e));
                    let _ = results.send(Msg::LinkDeactivated { request, result });
                });
            }
            Cmd::CreateWebhook { request, webhook } => {
                tokio::spawn(async move {
                    let result = client
                        .create_webhook(&webhook)
                        .await
                        .map(|created| (created.webhook, created.secret))
                        .map_err(|e| error_info(&e));
                    let _ = results.send(Msg::WebhookCreated { request, result });
                });
            }
            Cmd::Copy(_) | Cmd::Bell | Cmd::Quit => {}
        }
    }
}

async fn fetch_page(
    client: &Client,
    pane: Pane,
    offset: u64,
    limit: u32,
    filter: &ServerFilter,
) -> Result<Loaded, ApiError> {
    let offset = Some(u32::try_from(offset).unwrap_or(u32::MAX));
    match pane {
        Pane::Links => {
            let query =
                LinkQuery { status: filter.status.as_deref().map(LinkStatus::parse), limit: Some(limit), offset };
            client.list_links(&query).await.map(Loaded::Links)
        }
        Pane::Transactions => {
            let query = TransactionQuery {
                status: filter.status.as_deref().map(TransactionStatus::parse),
                payment_link_id: filter.payment_link_id.clone(),
                currency: filter.currency.clone(),
                from: filter.from,
                to: filter.to,
                limit: Some(limit),
                offset,
            };
            client.list_transactions(&query).await.map(Loaded::Transactions)
        }
        // Not paginated in PIK: one call returns them all.
        Pane::Webhooks => client.list_webhooks().await.map(Loaded::Webhooks),
        // Events arrive from the local listener; the app never asks for them.
        Pane::Events => Err(ApiError::config("the Events pane is fed by the local listener, not fetched")),
    }
}
