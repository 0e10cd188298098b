//! `pik-tui webhooks list|create|verify`.

use super::print::{optional_time, paging_footer, print_json, print_table, time_header};
use super::{Context, Failure, Outcome, exit, report};
use crate::api::{CreateWebhook, Webhook, WebhookEvent};
use crate::cli::WebhooksCommand;
use crate::config;
use crate::sanitize::{for_terminal, for_terminal_truncated};
use serde_json::json;

fn webhook_row(context: &Context, hook: &Webhook) -> Vec<String> {
    let events: Vec<&str> = hook.events.iter().map(WebhookEvent::as_str).collect();
    vec![
        for_terminal_truncated(&hook.id, 40),
        for_terminal_truncated(&hook.url, 60),
        for_terminal_truncated(&events.join(","), 60),
        for_terminal_truncated(hook.status.as_str(), 12),
        optional_time(&context.zone, &hook.created_at),
    ]
}

pub(super) async fn run(context: &Context, command: WebhooksCommand) -> Outcome {
    let client = &context.client;
    match command {
        WebhooksCommand::List { .. } => {
            let result = client.list_webhooks().await.map_err(Failure::api)?;
            if context.json {
                print_json(&json!({"data": result.data, "total": result.total}));
                return Ok(());
            }
            let rows: Vec<Vec<String>> = result.data.iter().map(|hook| webhook_row(context, hook)).collect();
            let created = time_header(&context.zone, "CREATED");
            print_table(&["ID", "URL", "EVENTS", "STATUS", &created], &rows, &[]);
            paging_footer(rows.len(), 0, result.total, result.skipped);
            Ok(())
        }
        WebhooksCommand::Create { url, events, .. } => {
            let events: Vec<WebhookEvent> = events.iter().map(|e| WebhookEvent::parse(e.trim())).collect();
            if let Some(unknown) = events.iter().find(|e| !e.is_known()) {
                return Err(Failure::usage(format!(
                    "unknown event {:?}: use payment.confirmed, payment.settled or payment.failed",
                    for_terminal(unknown.as_str())
                )));
            }
            context.refuse_if_read_only("register a webhook")?;
            let created = match context.submit(crate::app::Write::CreateWebhook(CreateWebhook { url, events })).await {
                Ok(crate::app::Written::Webhook(webhook, secret)) => crate::api::CreatedWebhook { webhook, secret },
                Ok(_) => return Err(Failure::usage("PIK answered a registration with something else")),
                Err(error) => return Err(Failure::write(error, "webhook", "pik-tui webhooks list")),
            };
            if context.json {
                let mut value = json!(created.webhook);
                value["secret"] = json!(created.secret.expose());
                print_json(&value);
                return Ok(());
            }
            let header = time_header(&context.zone, "CREATED");
            print_table(&["ID", "URL", "EVENTS", "STATUS", &header], &[webhook_row(context, &created.webhook)], &[]);
            println!();
            println!("signing secret: {}", for_terminal(created.secret.expose()));
            eprintln!("PIK shows this secret only once. Save it now: it verifies the PIK-Signature of every event.");
            Ok(())
        }
        // Handled by main without an API connection.
        WebhooksCommand::Verify { .. } | WebhooksCommand::Listen { .. } => Ok(()),
    }
}

/// `pik-tui webhooks verify`: checks the raw body on standard input.
pub fn verify_signature(secret_file: &std::path::Path, signature: &str, json: bool) -> u8 {
    use std::io::Read;
    let (secret, warning) = match config::read_secret_file(secret_file, "the secret file") {
        Ok(read) => read,
        Err(message) => return report(&Failure::usage(message), json),
    };
    if let Some(warning) = warning {
        eprintln!("warning: {warning}");
    }
    let mut body = Vec::new();
    if let Err(err) = std::io::stdin().read_to_end(&mut body) {
        return report(&Failure::usage(format!("cannot read the body from standard input: {err}")), json);
    }
    let valid = crate::signature::verify(secret.as_bytes(), &body, signature);
    if json {
        println!("{}", json!({"valid": valid, "body_bytes": body.len()}));
    } else {
        println!("{}", if valid { "valid" } else { "invalid" });
    }
    if valid { exit::OK } else { exit::FAILED }
}
