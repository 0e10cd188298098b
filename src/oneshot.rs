//! One-shot commands (`pik-tui links create ...`): scriptable, with `--json`
//! for machines and a readable table by default. Every string from the API is
//! sanitized before it is printed.

use crate::api::{
    ApiError, Client, ClientConfig, CreateLink, CreateWebhook, ErrorKind, LinkQuery, LinkStatus, PaymentLink,
    Transaction, TransactionQuery, TransactionStatus, Webhook, WebhookEvent,
};
use crate::cli::{GlobalArgs, LinksCommand, TransactionsCommand, WebhooksCommand};
use crate::config::{self, Environment, Flags};
use crate::money;
use crate::qr::QrGrid;
use crate::sanitize::{for_terminal, for_terminal_truncated, json_for_terminal};
use chrono::{DateTime, Local, NaiveDate, Utc};
use serde_json::json;
use std::io::{IsTerminal, Write};
use unicode_width::UnicodeWidthStr;

/// Exit codes, as listed in `--help`.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const KEY_REJECTED: u8 = 3;
    pub const NOT_FOUND: u8 = 4;
    pub const MAYBE_DONE: u8 = 5;
}

/// Why a command failed: a one-line message and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
    pub error: Option<ApiError>,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Self { message: message.into(), code: exit::USAGE, error: None }
    }

    fn api(error: ApiError) -> Self {
        let code = match (error.kind(), error.status()) {
            (ErrorKind::Config, _) => exit::USAGE,
            (ErrorKind::Api, Some(401 | 403)) => exit::KEY_REJECTED,
            (ErrorKind::Api, Some(404)) => exit::NOT_FOUND,
            _ => exit::FAILED,
        };
        Self { message: error.to_string(), code, error: Some(error) }
    }

    /// A failed write: says plainly when it may have happened anyway.
    fn write(error: ApiError, what: &str, check: &str) -> Self {
        if error.may_have_reached_server() {
            return Self {
                message: format!(
                    "{error}. The request was sent, so the {what} MAY have been created. \
                     Check with `{check}` before trying again."
                ),
                code: exit::MAYBE_DONE,
                error: Some(error),
            };
        }
        Self::api(error)
    }

    /// The `--json` form of the failure.
    pub fn to_json(&self) -> serde_json::Value {
        let mut error = json!({"message": self.message, "exit_code": self.code});
        if let Some(api) = &self.error {
            error["kind"] = json!(format!("{:?}", api.kind()).to_lowercase());
            error["status"] = json!(api.status());
            error["code"] = json!(api.code());
        }
        json!({"error": error})
    }
}

type Outcome = Result<(), Failure>;

struct Context {
    client: Client,
    json: bool,
    read_only: bool,
}

fn connect(global: &GlobalArgs) -> Result<Context, Failure> {
    let flags = Flags::from(global);
    let settings = config::resolve(&flags, &Environment::from_process()).map_err(|e| Failure::usage(e.to_string()))?;
    for warning in &settings.warnings {
        eprintln!("warning: {warning}");
    }
    tracing::info!(profile = ?settings.profile, key = %settings.key, key_source = %settings.key_source, "settings");
    let mut config = ClientConfig::new(settings.base_url, settings.key);
    config.request_timeout = std::time::Duration::from_secs(global.timeout);
    config.max_requests_per_sec = global.max_rps;
    let client = Client::new(config).map_err(Failure::api)?;
    Ok(Context { client, json: global.json, read_only: settings.read_only })
}

/// Runs an API command and returns the exit code.
pub async fn run(global: &GlobalArgs, command: ApiCommand) -> u8 {
    let outcome = match connect(global) {
        Ok(context) => match command {
            ApiCommand::Links(command) => links(&context, command).await,
            ApiCommand::Transactions(command) => transactions(&context, command).await,
            ApiCommand::Webhooks(command) => webhooks(&context, command).await,
        },
        Err(failure) => Err(failure),
    };
    match outcome {
        Ok(()) => exit::OK,
        Err(failure) => report(&failure, global.json),
    }
}

/// Prints a failure: one line on stderr, and the JSON document on stdout with `--json`.
pub fn report(failure: &Failure, json: bool) -> u8 {
    if json {
        print_json(&failure.to_json());
    }
    eprintln!("error: {}", failure.message);
    failure.code
}

pub enum ApiCommand {
    Links(LinksCommand),
    Transactions(TransactionsCommand),
    Webhooks(WebhooksCommand),
}

fn print_json(value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    println!("{}", json_for_terminal(&text));
}

fn local_time(time: &DateTime<Utc>) -> String {
    time.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn optional_time(time: &Option<DateTime<Utc>>) -> String {
    time.as_ref().map(local_time).unwrap_or_else(|| "—".to_string())
}

/// A plain text table; cells must already be sanitized. Columns listed in
/// `right` are right-aligned (amounts).
fn print_table(headers: &[&str], rows: &[Vec<String>], right: &[usize]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = " ".repeat(widths[i].saturating_sub(cell.width()));
                if right.contains(&i) { format!("{pad}{cell}") } else { format!("{cell}{pad}") }
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", line(headers.to_vec()));
    for row in rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

fn print_fields(fields: &[(&str, String)]) {
    let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, value) in fields {
        println!("{name:<width$}  {value}");
    }
}

fn paging_footer(shown: usize, offset: u32, total: u64, skipped: usize) {
    if shown == 0 {
        println!("(none; {total} in all)");
    } else {
        let first = u64::from(offset) + 1;
        let last = u64::from(offset) + shown as u64;
        let more = if last < total { format!(" (--offset {last} for more)") } else { String::new() };
        println!("{first}–{last} of {total}{more}");
    }
    if skipped > 0 {
        eprintln!("warning: {skipped} item(s) in the answer could not be read and were left out");
    }
}

fn link_fields(link: &PaymentLink) -> Vec<(&'static str, String)> {
    vec![
        ("id", for_terminal(&link.id).into_owned()),
        ("url", link.url.as_deref().map(|u| for_terminal(u).into_owned()).unwrap_or_else(|| "—".into())),
        ("amount", format!("{} {}", link.amount, for_terminal(&link.currency))),
        (
            "description",
            link.description.as_deref().map(|d| for_terminal(d).into_owned()).unwrap_or_else(|| "—".into()),
        ),
        ("status", for_terminal(link.status.as_str()).into_owned()),
        ("created", local_time(&link.created_at)),
        ("paid", optional_time(&link.paid_at)),
    ]
}

/// The QR code as printed: white on black when colours are allowed (right on
/// any terminal theme), plain blocks otherwise (right on dark themes).
fn print_qr(url: &str) {
    match QrGrid::encode(url) {
        Ok(grid) => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            for line in grid.half_block_lines() {
                if colour {
                    println!("\x1b[97;40m{line}\x1b[0m");
                } else {
                    println!("{line}");
                }
            }
        }
        Err(err) => eprintln!("warning: {err}"),
    }
}

fn refuse_if_read_only(context: &Context, what: &str) -> Outcome {
    if context.read_only {
        return Err(Failure::usage(format!("read-only mode: refusing to {what}")));
    }
    Ok(())
}

/// Checks an amount before anything is sent, with the currency's own rules
/// where the currency is one we know; the server has the last word.
pub fn check_new_link(amount: &str, currency: &str, description: Option<&str>) -> Result<CreateLink, Failure> {
    let currency = currency.trim().to_uppercase();
    let amount =
        money::validate_amount_for(amount, &currency).map_err(|err| Failure::usage(format!("--amount {err}")))?;
    if !money::is_currency_code(&currency) {
        return Err(Failure::usage("--currency must be a code such as USDT, USDC, BTC or ETH"));
    }
    let description = description.map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
    if description.as_ref().is_some_and(|d| d.chars().count() > money::MAX_DESCRIPTION_CHARS) {
        return Err(Failure::usage(format!(
            "--description must be at most {} characters",
            money::MAX_DESCRIPTION_CHARS
        )));
    }
    Ok(CreateLink { amount, currency, description })
}

async fn links(context: &Context, command: LinksCommand) -> Outcome {
    let client = &context.client;
    match command {
        LinksCommand::Create { amount, currency, description, no_qr } => {
            let request = check_new_link(&amount, &currency, description.as_deref())?;
            refuse_if_read_only(context, "create a payment link")?;
            let link = client
                .create_link(&request)
                .await
                .map_err(|e| Failure::write(e, "payment link", "pik-tui links list"))?;
            if context.json {
                print_json(&json!(link));
                return Ok(());
            }
            print_fields(&link_fields(&link));
            if let Some(url) = &link.url {
                println!();
                println!("{}", for_terminal(url));
                if !no_qr {
                    println!();
                    print_qr(url);
                }
            }
            Ok(())
        }
        LinksCommand::List { status, page } => {
            let query = LinkQuery {
                status: status.as_deref().map(LinkStatus::parse),
                limit: Some(page.limit),
                offset: Some(page.offset),
            };
            let result = client.list_links(&query).await.map_err(Failure::api)?;
            if context.json {
                print_json(
                    &json!({"data": result.data, "total": result.total, "limit": result.limit, "offset": result.offset}),
                );
                return Ok(());
            }
            let rows: Vec<Vec<String>> = result
                .data
                .iter()
                .map(|l| {
                    vec![
                        for_terminal_truncated(&l.id, 40),
                        l.amount.to_string(),
                        for_terminal_truncated(&l.currency, 8),
                        for_terminal_truncated(l.status.as_str(), 14),
                        local_time(&l.created_at),
                        for_terminal_truncated(l.description.as_deref().unwrap_or("—"), 40),
                    ]
                })
                .collect();
            print_table(&["ID", "AMOUNT", "CUR", "STATUS", "CREATED", "DESCRIPTION"], &rows, &[1]);
            paging_footer(rows.len(), page.offset, result.total, result.skipped);
            Ok(())
        }
        LinksCommand::Get { id } => {
            let link = client.get_link(id.trim()).await.map_err(Failure::api)?;
            if context.json {
                print_json(&json!(link));
            } else {
                print_fields(&link_fields(&link));
            }
            Ok(())
        }
        LinksCommand::Deactivate { id, yes } => {
            refuse_if_read_only(context, "deactivate a payment link")?;
            let link = client.get_link(id.trim()).await.map_err(Failure::api)?;
            if !yes {
                confirm(&format!(
                    "Deactivate {} ({} {}, {})?",
                    for_terminal(&link.id),
                    link.amount,
                    for_terminal(&link.currency),
                    for_terminal_truncated(link.description.as_deref().unwrap_or("no description"), 60)
                ))?;
            }
            let link = client.deactivate_link(&link.id).await.map_err(|error| {
                // The link exists (we just read it), so 404/405 means the
                // server has no DELETE: PIK documents it in its guides only.
                if matches!(error.status(), Some(404 | 405)) {
                    Failure {
                        message: format!(
                            "this PIK server does not support deactivating links through the API ({}); \
                             use PIK's web dashboard",
                            error.status().unwrap_or(0)
                        ),
                        code: exit::FAILED,
                        error: Some(error),
                    }
                } else {
                    Failure::write(error, "deactivation", "pik-tui links get ID")
                }
            })?;
            if context.json {
                print_json(&json!(link));
            } else {
                println!("{} is now {}", for_terminal(&link.id), for_terminal(link.status.as_str()));
            }
            Ok(())
        }
    }
}

/// Asks on the terminal, defaulting to No. Without a terminal there is no
/// one to ask, so the caller must pass --yes.
fn confirm(question: &str) -> Outcome {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage("refusing to go ahead without confirmation: pass --yes"));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).map_err(|e| Failure::usage(format!("no answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") { Ok(()) } else { Err(Failure::usage("cancelled")) }
}

/// ISO 8601 timestamps, or a plain date meaning midnight UTC.
fn parse_time(name: &str, text: &str) -> Result<DateTime<Utc>, Failure> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Some(midnight) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        return Ok(midnight.and_utc());
    }
    Err(Failure::usage(format!("--{name} must be an ISO 8601 time such as 2024-01-15T10:30:00Z, or a date")))
}

fn transaction_fields(txn: &Transaction) -> Vec<(&'static str, String)> {
    let text =
        |value: &Option<String>| value.as_deref().map(|v| for_terminal(v).into_owned()).unwrap_or_else(|| "—".into());
    vec![
        ("id", for_terminal(&txn.id).into_owned()),
        ("link", text(&txn.payment_link_id)),
        ("amount", format!("{} {}", txn.amount, for_terminal(&txn.currency))),
        ("status", for_terminal(txn.status.as_str()).into_owned()),
        ("tx_hash", text(&txn.tx_hash)),
        ("created", local_time(&txn.created_at)),
        ("confirmed", optional_time(&txn.confirmed_at)),
        ("settled", optional_time(&txn.settled_at)),
    ]
}

async fn transactions(context: &Context, command: TransactionsCommand) -> Outcome {
    let client = &context.client;
    match command {
        TransactionsCommand::List { status, link, currency, from, to, page } => {
            let query = TransactionQuery {
                status: status.as_deref().map(TransactionStatus::parse),
                payment_link_id: link,
                currency,
                from: from.as_deref().map(|t| parse_time("from", t)).transpose()?,
                to: to.as_deref().map(|t| parse_time("to", t)).transpose()?,
                limit: Some(page.limit),
                offset: Some(page.offset),
            };
            let result = client.list_transactions(&query).await.map_err(Failure::api)?;
            if context.json {
                print_json(
                    &json!({"data": result.data, "total": result.total, "limit": result.limit, "offset": result.offset}),
                );
                return Ok(());
            }
            let rows: Vec<Vec<String>> = result
                .data
                .iter()
                .map(|t| {
                    vec![
                        for_terminal_truncated(&t.id, 40),
                        for_terminal_truncated(t.payment_link_id.as_deref().unwrap_or("—"), 40),
                        t.amount.to_string(),
                        for_terminal_truncated(&t.currency, 8),
                        for_terminal_truncated(t.status.as_str(), 14),
                        local_time(&t.created_at),
                    ]
                })
                .collect();
            print_table(&["ID", "LINK", "AMOUNT", "CUR", "STATUS", "CREATED"], &rows, &[2]);
            paging_footer(rows.len(), page.offset, result.total, result.skipped);
            Ok(())
        }
        TransactionsCommand::Get { id } => {
            let txn = client.get_transaction(id.trim()).await.map_err(Failure::api)?;
            if context.json {
                print_json(&json!(txn));
            } else {
                print_fields(&transaction_fields(&txn));
            }
            Ok(())
        }
    }
}

fn webhook_row(hook: &Webhook) -> Vec<String> {
    let events: Vec<&str> = hook.events.iter().map(WebhookEvent::as_str).collect();
    vec![
        for_terminal_truncated(&hook.id, 40),
        for_terminal_truncated(&hook.url, 60),
        for_terminal_truncated(&events.join(","), 60),
        for_terminal_truncated(hook.status.as_str(), 12),
        optional_time(&hook.created_at),
    ]
}

async fn webhooks(context: &Context, command: WebhooksCommand) -> Outcome {
    let client = &context.client;
    match command {
        WebhooksCommand::List => {
            let result = client.list_webhooks().await.map_err(Failure::api)?;
            if context.json {
                print_json(&json!({"data": result.data, "total": result.total}));
                return Ok(());
            }
            let rows: Vec<Vec<String>> = result.data.iter().map(webhook_row).collect();
            print_table(&["ID", "URL", "EVENTS", "STATUS", "CREATED"], &rows, &[]);
            paging_footer(rows.len(), 0, result.total, result.skipped);
            Ok(())
        }
        WebhooksCommand::Create { url, events } => {
            let events: Vec<WebhookEvent> = events.iter().map(|e| WebhookEvent::parse(e.trim())).collect();
            if let Some(unknown) = events.iter().find(|e| !e.is_known()) {
                return Err(Failure::usage(format!(
                    "unknown event {:?}: use payment.confirmed, payment.settled or payment.failed",
                    for_terminal(unknown.as_str())
                )));
            }
            refuse_if_read_only(context, "register a webhook")?;
            let created = client
                .create_webhook(&CreateWebhook { url, events })
                .await
                .map_err(|e| Failure::write(e, "webhook", "pik-tui webhooks list"))?;
            if context.json {
                let mut value = json!(created.webhook);
                value["secret"] = json!(created.secret.expose());
                print_json(&value);
                return Ok(());
            }
            print_table(&["ID", "URL", "EVENTS", "STATUS", "CREATED"], &[webhook_row(&created.webhook)], &[]);
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

/// `pik-tui webhooks listen`: receives events until Ctrl-C.
pub async fn listen(host: std::net::IpAddr, port: u16, secret_file: &std::path::Path, json: bool) -> u8 {
    use crate::listener::{Received, describe};
    let (secret, warning) = match config::read_secret_file(secret_file, "the secret file") {
        Ok(read) => read,
        Err(message) => return report(&Failure::usage(message), json),
    };
    if let Some(warning) = warning {
        eprintln!("warning: {warning}");
    }
    let listener = match tokio::net::TcpListener::bind((host, port)).await {
        Ok(listener) => listener,
        Err(err) => return report(&Failure::usage(format!("cannot listen on {host}:{port}: {err}")), json),
    };
    let shown = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| format!("{host}:{port}"));
    eprintln!("listening on http://{shown}/ (POST to any path); Ctrl-C stops");
    let print = move |received: Received| {
        let mut out = std::io::stdout().lock();
        match received {
            Received::Verified { event: Some(event), raw } => {
                let line = if json {
                    let value: serde_json::Value = serde_json::from_slice(&raw).unwrap_or_default();
                    json_for_terminal(&value.to_string()).into_owned()
                } else {
                    describe(&event)
                };
                let _ = writeln!(out, "{line}");
            }
            Received::Verified { event: None, raw } => {
                let start = String::from_utf8_lossy(&raw[..raw.len().min(80)]).into_owned();
                eprintln!("verified, but not an event this version reads: {}", for_terminal(&start));
            }
            Received::Rejected { reason } => eprintln!("rejected (400): {reason}"),
        }
        let _ = out.flush();
    };
    tokio::select! {
        served = crate::listener::serve(listener, crate::api::WebhookSecret::new(secret), print) => match served {
            Ok(()) => exit::OK,
            Err(err) => report(&Failure { message: format!("the listener stopped: {err}"), code: exit::FAILED, error: None }, json),
        },
        _ = tokio::signal::ctrl_c() => exit::OK,
    }
}
