//! `pik-tui links create|list|get|deactivate`.

use super::print::{
    local_time, optional_time, paging_footer, print_fields, print_json, print_qr, print_table, time_header,
};
use super::{Context, Failure, Outcome, exit};
use crate::api::{CreateLink, LinkQuery, LinkStatus, PaymentLink};
use crate::cli::{LinksCommand, PageArgs};
use crate::money;
use crate::sanitize::{for_terminal, for_terminal_truncated};
use serde_json::json;
use std::io::{IsTerminal, Write};

pub(super) async fn run(context: &Context, command: LinksCommand) -> Outcome {
    match command {
        LinksCommand::Create { amount, currency, description, no_qr, .. } => {
            create(context, &amount, &currency, description.as_deref(), no_qr).await.map(|_| ())
        }
        LinksCommand::List { status, page, .. } => list(context, status.as_deref(), &page).await,
        LinksCommand::Get { id, .. } => {
            let link = context.client.get_link(id.trim()).await.map_err(Failure::api)?;
            show(context, &link);
            Ok(())
        }
        LinksCommand::Deactivate { id, yes, .. } => deactivate(context, &id, yes).await,
        // Routed before a client is made (see `oneshot::run`).
        LinksCommand::Export { .. } => Err(Failure::usage("links export is run from the mirror")),
    }
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

/// The checkout URL as printed: sanitized, and a link when links are on.
fn url_text(context: &Context, url: &str) -> String {
    context.linked(for_terminal(url).into_owned(), crate::hyperlink::checkout(url))
}

fn fields(context: &Context, link: &PaymentLink) -> Vec<(&'static str, String)> {
    vec![
        ("id", for_terminal(&link.id).into_owned()),
        ("url", link.url.as_deref().map(|u| url_text(context, u)).unwrap_or_else(|| "—".into())),
        ("amount", format!("{} {}", link.amount, for_terminal(&link.currency))),
        (
            "description",
            link.description.as_deref().map(|d| for_terminal(d).into_owned()).unwrap_or_else(|| "—".into()),
        ),
        ("status", for_terminal(link.status.as_str()).into_owned()),
        ("created", local_time(&context.zone, &link.created_at)),
        ("paid", optional_time(&context.zone, &link.paid_at)),
    ]
}

fn show(context: &Context, link: &PaymentLink) {
    if context.json {
        print_json(&json!(link));
    } else {
        print_fields(&fields(context, link));
    }
}

pub(super) async fn create(
    context: &Context,
    amount: &str,
    currency: &str,
    description: Option<&str>,
    no_qr: bool,
) -> Result<PaymentLink, Failure> {
    let request = check_new_link(amount, currency, description)?;
    context.refuse_if_read_only("create a payment link")?;
    let link = match context.submit(crate::app::Write::CreateLink(request)).await {
        Ok(crate::app::Written::Link(link)) => link,
        Ok(_) => return Err(Failure::usage("PIK answered a create with something else")),
        Err(error) => return Err(Failure::write(error, "payment link", "pik-tui links list")),
    };
    show(context, &link);
    if let (false, Some(url)) = (context.json, &link.url) {
        println!();
        println!("{}", url_text(context, url));
        if !no_qr {
            println!();
            print_qr(url);
        }
    }
    Ok(link)
}

async fn list(context: &Context, status: Option<&str>, page: &PageArgs) -> Outcome {
    let query = LinkQuery { status: status.map(LinkStatus::parse), limit: Some(page.limit), offset: Some(page.offset) };
    let result = context.client.list_links(&query).await.map_err(Failure::api)?;
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
                local_time(&context.zone, &l.created_at),
                for_terminal_truncated(l.description.as_deref().unwrap_or("—"), 40),
            ]
        })
        .collect();
    let created = time_header(&context.zone, "CREATED");
    print_table(&["ID", "AMOUNT", "CUR", "STATUS", &created, "DESCRIPTION"], &rows, &[1]);
    paging_footer(rows.len(), page.offset, result.total, result.skipped);
    Ok(())
}

async fn deactivate(context: &Context, id: &str, yes: bool) -> Outcome {
    context.refuse_if_read_only("deactivate a payment link")?;
    let link = context.client.get_link(id.trim()).await.map_err(Failure::api)?;
    if !yes {
        confirm(&format!(
            "Deactivate {} ({} {}, {})?",
            for_terminal(&link.id),
            link.amount,
            for_terminal(&link.currency),
            for_terminal_truncated(link.description.as_deref().unwrap_or("no description"), 60)
        ))?;
    }
    let deactivated = match context.submit(crate::app::Write::DeactivateLink { id: link.id.clone() }).await {
        Ok(crate::app::Written::Deactivated(link)) => Ok(link),
        Ok(_) => return Err(Failure::usage("PIK answered a deactivation with something else")),
        Err(error) => Err(error),
    };
    let link = deactivated.map_err(|error| {
        // The link exists (we just read it), so 404/405 means the server
        // has no DELETE: PIK documents it in its guides only.
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
