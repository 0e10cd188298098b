//! `pik-tui transactions list|get`.

use super::print::{local_time, optional_time, paging_footer, print_fields, print_json, print_table, time_header};
use super::{Context, Failure, Outcome};
use crate::api::{Transaction, TransactionQuery, TransactionStatus};
use crate::cli::TransactionsCommand;
use crate::date_arg::{self, Bound};
use crate::sanitize::{for_terminal, for_terminal_truncated};
use crate::zone::Zone;
use chrono::{DateTime, Utc};
use serde_json::json;

pub(super) async fn run(context: &Context, command: TransactionsCommand) -> Outcome {
    match command {
        TransactionsCommand::List { status, link, currency, from, to, page, .. } => {
            let query = TransactionQuery {
                status: status.as_deref().map(TransactionStatus::parse),
                payment_link_id: link,
                currency,
                from: from.as_deref().map(|t| time_arg("from", t, Bound::Start, &context.zone)).transpose()?,
                to: to.as_deref().map(|t| time_arg("to", t, Bound::End, &context.zone)).transpose()?,
                limit: Some(page.limit),
                offset: Some(page.offset),
            };
            let result = context.client.list_transactions(&query).await.map_err(Failure::api)?;
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
                        local_time(&context.zone, &t.created_at),
                    ]
                })
                .collect();
            let created = time_header(&context.zone, "CREATED");
            print_table(&["ID", "LINK", "AMOUNT", "CUR", "STATUS", &created], &rows, &[2]);
            paging_footer(rows.len(), page.offset, result.total, result.skipped);
            Ok(())
        }
        // Routed before a client is made (see `oneshot::run`).
        TransactionsCommand::Export { .. } => Err(Failure::usage("transactions export is run from the mirror")),
        TransactionsCommand::Get { id, .. } => {
            let txn = context.client.get_transaction(id.trim()).await.map_err(Failure::api)?;
            if context.json {
                print_json(&json!(txn));
            } else {
                print_fields(&fields(context, &txn));
            }
            Ok(())
        }
    }
}

/// `--from`/`--to`: a date (a local day of `zone`, a month, `yesterday`,
/// `7d`) or an ISO 8601 time; `--to DATE` takes in that day.
pub(super) fn time_arg(name: &str, text: &str, bound: Bound, zone: &Zone) -> Result<DateTime<Utc>, Failure> {
    date_arg::parse(text, bound, zone, Utc::now())
        .ok_or_else(|| Failure::usage(format!("--{name} must be {}", date_arg::EXPECTED)))
}

fn fields(context: &Context, txn: &Transaction) -> Vec<(&'static str, String)> {
    let text =
        |value: &Option<String>| value.as_deref().map(|v| for_terminal(v).into_owned()).unwrap_or_else(|| "—".into());
    vec![
        ("id", for_terminal(&txn.id).into_owned()),
        ("link", text(&txn.payment_link_id)),
        ("amount", format!("{} {}", txn.amount, for_terminal(&txn.currency))),
        ("status", for_terminal(txn.status.as_str()).into_owned()),
        ("tx_hash", {
            let explorer = |hash: &String| context.links.as_ref().and_then(|e| e.url(&txn.currency, hash));
            context.linked(text(&txn.tx_hash), txn.tx_hash.as_ref().and_then(explorer))
        }),
        ("created", local_time(&context.zone, &txn.created_at)),
        ("confirmed", optional_time(&context.zone, &txn.confirmed_at)),
        ("settled", optional_time(&context.zone, &txn.settled_at)),
    ]
}
