//! `pik-tui cases` and `pik-tui cases show PL_ID`: what went wrong with
//! orders, from the mirror (brought up to date first unless `--offline`).

use super::mirror::{Opened, mirrored};
use super::print::{local_time, print_json, print_table, time_header};
use super::{Failure, Outcome, exit};
use crate::cases::{Case, CaseAct, CaseKind, CaseRules, Order, balance_description, judge, next_step, timeline};
use crate::cli::{CaseOrderArg, CasesArgs, CasesCommand, GlobalArgs, HandledArg};
use crate::human::{age_words, group_thousands};
use crate::sanitize::for_terminal_truncated;
use crate::store::cases::{CaseOrder, CaseQuery, Handled};
use serde_json::json;

pub async fn cases(global: &GlobalArgs, args: CasesArgs) -> Outcome {
    let (rules, replies, explorers) = super::case_config(global)?;
    match &args.command {
        Some(CasesCommand::Show { link_id, offline, .. }) => return show(global, link_id, *offline, &rules).await,
        Some(CasesCommand::Reply { link_id, offline, template, .. }) => {
            let (_, order) = order_of(global, link_id, *offline).await?;
            let Some(case) = judge(&order.facts(), &rules, chrono::Utc::now()) else {
                let message = format!("{} has no case: no reply to make", for_terminal_truncated(link_id, 40));
                return Err(Failure { message, code: exit::FAILED, error: None });
            };
            let reply = crate::cases::reply(replies.template(template.unwrap_or(case.kind)), &case, &order, &explorers);
            if global.json {
                print_json(&json!({"link_id": link_id, "kind": case.kind.name(), "reply": reply}));
            } else {
                println!("{reply}");
            }
            return Ok(());
        }
        Some(CasesCommand::Balance { link_id, offline, no_qr, .. }) => {
            let (opened, order) = order_of(global, link_id, *offline).await?;
            let case = judge(&order.facts(), &rules, chrono::Utc::now());
            let missing = case.as_ref().filter(|c| c.kind == CaseKind::Underpaid).and_then(Case::missing);
            let (Some(case), Some(missing)) = (case, missing) else {
                let message =
                    format!("{} is not underpaid: no balance link to make", for_terminal_truncated(link_id, 40));
                return Err(Failure { message, code: exit::FAILED, error: None });
            };
            if let Some(open) = order.open_balance_link() {
                let message = format!(
                    "a balance link for {} is open already: {} ({}); send it, or deactivate it first",
                    for_terminal_truncated(link_id, 40),
                    for_terminal_truncated(&open.id, 40),
                    for_terminal_truncated(open.url.as_deref().unwrap_or("—"), 200)
                );
                return Err(Failure { message, code: exit::FAILED, error: None });
            }
            let context = super::connect(global)?;
            let description = balance_description(&case.link_id, case.description.as_deref());
            let amount = missing.to_string();
            let made = super::links::create(&context, &amount, &case.currency, Some(&description), *no_qr).await?;
            // Into the mirror at once: the case knows its balance link now.
            if let Err(err) = opened.store.save(crate::store::Batch { links: vec![made], ..Default::default() }).await {
                eprintln!("warning: the balance link was made, but not written to the mirror: {err}");
            }
            return Ok(());
        }
        Some(CasesCommand::Claim { link_id, .. }) => {
            return super::handling::act(global, link_id, CaseAct::Claim, None).await;
        }
        Some(CasesCommand::Release { link_id, .. }) => {
            return super::handling::act(global, link_id, CaseAct::Release, None).await;
        }
        Some(CasesCommand::Resolve { link_id, reason, .. }) => {
            return super::handling::act(global, link_id, CaseAct::Resolve, Some(reason)).await;
        }
        Some(CasesCommand::Reopen { link_id, .. }) => {
            return super::handling::act(global, link_id, CaseAct::Reopen, None).await;
        }
        Some(CasesCommand::Note { link_id, text, .. }) => {
            return super::handling::act(global, link_id, CaseAct::Note, Some(text)).await;
        }
        Some(CasesCommand::Export { output, .. }) => return super::handling::export(global, output.as_deref()).await,
        Some(CasesCommand::Import { file, .. }) => return super::handling::import(global, file).await,
        None => {}
    }
    let opened = mirrored(global, args.offline).await?;
    let now = chrono::Utc::now();
    let order = match args.order {
        CaseOrderArg::Oldest => CaseOrder::Oldest,
        CaseOrderArg::Largest => CaseOrder::Largest,
    };
    let handled = match args.show {
        HandledArg::Open => Handled::Open,
        HandledArg::Mine => Handled::Mine(opened.actor(global)?.agent),
        HandledArg::Unclaimed => Handled::Unclaimed,
        HandledArg::Resolved => Handled::Resolved,
        HandledArg::ResolvedToday => Handled::ResolvedSince(opened.zone.day_around(now).0),
    };
    let query = CaseQuery { rules, now, kind: args.kind, order, handled };
    let cases = opened.store.cases(query).await.map_err(Failure::store)?;
    if global.json {
        let cases: Vec<serde_json::Value> = cases.iter().map(case_json).collect();
        print_json(&json!({"total": cases.len(), "cases": cases}));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = cases
        .iter()
        .map(|case| {
            vec![
                case.kind.words().to_string(),
                for_terminal_truncated(&case.link_id, 40),
                case.expected.map(|e| e.to_string()).unwrap_or_else(|| "?".into()),
                case.received.to_string(),
                case.difference().map(|d| d.to_string()).unwrap_or_else(|| "?".into()),
                for_terminal_truncated(&case.currency, 8),
                format!("{} ({})", local_time(&opened.zone, &case.since), age_words(now - case.since)),
                for_terminal_truncated(case.description.as_deref().unwrap_or("—"), 40),
            ]
        })
        .collect();
    let since = time_header(&opened.zone, "SINCE");
    print_table(&["KIND", "LINK", "EXPECTED", "RECEIVED", "DIFFERENCE", "CUR", &since, "ABOUT"], &rows, &[2, 3, 4]);
    println!("{} cases", group_thousands(rows.len() as u64));
    Ok(())
}

/// An order's rows from the mirror (brought up to date first unless
/// `offline`); one made since the last sync is fetched by id.
async fn order_of(global: &GlobalArgs, link_id: &str, offline: bool) -> Result<(Opened, Order), Failure> {
    let opened: Opened = mirrored(global, offline).await?;
    let mut order = opened.store.order(link_id).await.map_err(Failure::store)?;
    if order.link.is_none() && !offline {
        fetch_order(&opened, global, link_id).await?;
        order = opened.store.order(link_id).await.map_err(Failure::store)?;
    }
    if order.link.is_none() && order.payments.is_empty() {
        return Err(Failure {
            message: format!("no payment link {} in the mirror", for_terminal_truncated(link_id, 40)),
            code: exit::NOT_FOUND,
            error: None,
        });
    }
    Ok((opened, order))
}

async fn show(global: &GlobalArgs, link_id: &str, offline: bool, rules: &CaseRules) -> Outcome {
    let (opened, order) = order_of(global, link_id, offline).await?;
    let now = chrono::Utc::now();
    let facts = order.facts();
    let handling = order.handling();
    let case = judge(&facts, rules, now).map(|case| case.handled(Some(&handling), &facts));
    let story = timeline(&order, &[]);
    let step = case.as_ref().map(|case| next_step(case, &facts, now));
    if global.json {
        print_json(&json!({
            "link_id": link_id,
            "case": case.as_ref().map(case_json),
            "next_step": step,
            "timeline": story,
        }));
        return Ok(());
    }
    match &case {
        Some(case) => {
            let met: Vec<&str> = case.met.iter().map(|kind| kind.words()).collect();
            println!("{}: {}", for_terminal_truncated(link_id, 40), met.join(", "));
            if let Some((by, at)) = &case.claimed {
                println!("claimed by {}, {}", for_terminal_truncated(by, 40), age_words(now - *at));
            }
            if let Some(resolved) = &case.resolved {
                let reason = for_terminal_truncated(&resolved.reason, 200);
                println!(
                    "resolved by {} {}: {reason}",
                    for_terminal_truncated(&resolved.by, 40),
                    age_words(now - resolved.at)
                );
            }
            if let Some(why) = &case.reopened {
                println!(
                    "open again: the payments changed since it was resolved ({})",
                    for_terminal_truncated(why, 200)
                );
            }
        }
        None => println!("{}: no case", for_terminal_truncated(link_id, 40)),
    }
    for moment in &story {
        println!("  {}  {}", local_time(&opened.zone, &moment.at), for_terminal_truncated(&moment.what, 200));
    }
    if let Some(step) = step {
        println!("\n{}", for_terminal_truncated(&step, 400));
    }
    Ok(())
}

/// A link and its payments, from PIK into the mirror.
async fn fetch_order(opened: &Opened, global: &GlobalArgs, link_id: &str) -> Result<(), Failure> {
    let client = super::mirror::client_for(opened, global).map_err(Failure::api)?;
    let link = match client.get_link(link_id).await {
        Ok(link) => link,
        Err(error) if error.status() == Some(404) => return Ok(()),
        Err(error) => return Err(Failure::api(error)),
    };
    let mut transactions = Vec::new();
    loop {
        let query = crate::api::TransactionQuery {
            payment_link_id: Some(link_id.to_string()),
            limit: Some(100),
            offset: Some(u32::try_from(transactions.len()).unwrap_or(u32::MAX)),
            ..Default::default()
        };
        let page = client.list_transactions(&query).await.map_err(Failure::api)?;
        let short = page.data.len() < 100;
        transactions.extend(page.data);
        if short {
            break;
        }
    }
    let batch = crate::store::Batch { links: vec![link], transactions, ..Default::default() };
    opened.store.save(batch).await.map_err(Failure::store)?;
    Ok(())
}

/// A case for machines: amounts as exact strings, times in UTC.
fn case_json(case: &Case) -> serde_json::Value {
    json!({
        "link_id": case.link_id,
        "kind": case.kind.name(),
        "met": case.met.iter().map(|kind| kind.name()).collect::<Vec<_>>(),
        "currency": case.currency,
        "expected": case.expected.map(|e| e.to_string()),
        "received": case.received.to_string(),
        "difference": case.difference().map(|d| d.to_string()),
        "since": case.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "description": case.description,
        "claimed_by": case.claimed.as_ref().map(|(by, _)| by),
        "resolved": case.resolved.as_ref().map(|r| json!({
            "by": r.by,
            "at": r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "reason": r.reason,
        })),
        "reopened": case.reopened,
    })
}
