//! `pik-tui cases claim|release|resolve|reopen|note|export|import` and
//! `pik-tui audit`: the team's handling of cases, and the audit log. These
//! read the mirror as it is (no sync first) and write the record, which
//! PIK cannot give back.

use super::mirror::{Opened, mirrored};
use super::print::{local_time, print_json, print_table, time_header};
use super::{Failure, Outcome, exit};
use crate::audit::{Act, AuditQuery};
use crate::cases::handling::checked_text;
use crate::cases::{CaseAct, handling::Basis};
use crate::cli::{AuditArgs, GlobalArgs};
use crate::date_arg::Bound;
use crate::sanitize::for_terminal_truncated;
use serde_json::json;
use std::io::Write;

/// Takes `act` on the case of `link_id`, with the reason or note `text`.
pub async fn act(global: &GlobalArgs, link_id: &str, act: CaseAct, text: Option<&str>) -> Outcome {
    let detail = match text {
        Some(text) => checked_text(act, text).map_err(Failure::usage)?,
        None => String::new(),
    };
    let opened = mirrored(global, true).await?;
    let order = opened.store.order(link_id).await.map_err(Failure::store)?;
    let shown = for_terminal_truncated(link_id, 40);
    if order.link.is_none() && order.payments.is_empty() {
        let message = format!("no payment link {shown} in the mirror");
        return Err(Failure { message, code: exit::NOT_FOUND, error: None });
    }
    let facts = order.facts();
    let by = opened.actor(global)?;
    let mut taken = Act::new(chrono::Utc::now(), &by.agent, by.profile.as_deref(), act.name(), Some(link_id), detail);
    if act == CaseAct::Resolve {
        taken.basis = Some(Basis::of(&facts).to_json());
    }
    match opened.store.act_on_case(taken, Some(facts)).await.map_err(Failure::store)? {
        Ok(done) => {
            if global.json {
                print_json(&act_json(&done));
            } else {
                println!("{} {shown}", act.past());
            }
            Ok(())
        }
        Err(why) => Err(Failure {
            message: format!("{shown}: {}", for_terminal_truncated(&why, 300)),
            code: exit::FAILED,
            error: None,
        }),
    }
}

/// Writes an act of this command in the audit log; one that cannot be
/// written is said, and the command's work stands.
pub async fn record(global: &GlobalArgs, act: &str, detail: String) {
    let written = match mirrored(global, true).await.and_then(|opened| Ok((opened.actor(global)?, opened))) {
        Ok((by, opened)) => {
            let act = Act::new(chrono::Utc::now(), &by.agent, by.profile.as_deref(), act, None, detail);
            opened.store.append_act(act).await.map(|_| ()).map_err(|e| e.to_string())
        }
        Err(failure) => Err(failure.message),
    };
    if let Err(why) = written {
        eprintln!("warning: not written in the audit log: {why}");
    }
}

/// `cases export`: the acts on cases as JSON Lines, oldest first.
pub async fn export(global: &GlobalArgs, output: Option<&std::path::Path>) -> Outcome {
    let opened = mirrored(global, true).await?;
    let acts =
        opened.store.audit(AuditQuery { cases_only: true, ..AuditQuery::default() }).await.map_err(Failure::store)?;
    let lines: Vec<String> = acts.iter().map(|act| serde_json::to_string(act).unwrap_or_default()).collect();
    match output {
        None => {
            // A terminal may be reading: notes and names are escaped (a JSON
            // reader gets the same text).
            let text: String =
                lines.iter().map(|line| format!("{}\n", crate::sanitize::json_for_terminal(line))).collect();
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| write_failed("standard output", &e))
        }
        Some(path) => {
            let shown = path.display().to_string();
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(|e| write_failed(&shown, &e))?;
            let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
            file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(|e| write_failed(&shown, &e))?;
            eprintln!("{} acts on cases written to {shown}", acts.len());
            Ok(())
        }
    }
}

/// `cases import FILE`: every line read and checked first; a bad one
/// refuses the file, naming the line, and nothing is imported from it.
pub async fn import(global: &GlobalArgs, path: &std::path::Path) -> Outcome {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Failure {
        message: format!("cannot read {shown}: {e}"),
        code: exit::FAILED,
        error: None,
    })?;
    let mut acts = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |why: String| Failure::usage(format!("{shown}, line {}: {why}; nothing was imported", n + 1));
        let act: Act = serde_json::from_str(line).map_err(|e| bad(format!("not an act ({e})")))?;
        let kind = CaseAct::parse(&act.act).ok_or_else(|| bad(format!("{:?} is not an act on a case", act.act)))?;
        if act.uid.is_empty() {
            return Err(bad("the act has no uid".into()));
        }
        if act.subject.as_deref().is_none_or(str::is_empty) {
            return Err(bad("the act names no payment link".into()));
        }
        if matches!(kind, CaseAct::Resolve | CaseAct::Note) {
            checked_text(kind, &act.detail).map_err(bad)?;
        }
        acts.push(act);
    }
    let opened = mirrored(global, true).await?;
    let read = acts.len();
    let added = opened.store.import_acts(acts).await.map_err(Failure::store)?;
    if global.json {
        print_json(&json!({"read": read, "imported": added}));
    } else {
        println!("{added} of {read} acts imported ({} held already)", read - added);
    }
    Ok(())
}

/// `pik-tui audit`: the acts a query asks for, oldest first.
pub async fn audit(global: &GlobalArgs, args: AuditArgs) -> Outcome {
    let opened: Opened = mirrored(global, true).await?;
    let zone = &opened.zone;
    let from =
        args.from.as_deref().map(|t| super::transactions::time_arg("from", t, Bound::Start, zone)).transpose()?;
    let to = args.to.as_deref().map(|t| super::transactions::time_arg("to", t, Bound::End, zone)).transpose()?;
    // `--to` takes in the whole of its last second.
    let to = to.map(|to| to + chrono::Duration::seconds(1));
    let query = AuditQuery { agent: args.agent.clone(), from, to, cases_only: false };
    let acts = opened.store.audit(query).await.map_err(Failure::store)?;
    if global.json {
        let acts: Vec<serde_json::Value> = acts.iter().map(act_json).collect();
        print_json(&json!({"total": acts.len(), "acts": acts}));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = acts
        .iter()
        .map(|act| {
            vec![
                local_time(zone, &act.at),
                for_terminal_truncated(&act.agent, 24),
                for_terminal_truncated(&act.act, 24),
                for_terminal_truncated(act.subject.as_deref().unwrap_or("—"), 32),
                for_terminal_truncated(&act.outcome, 24),
                for_terminal_truncated(&act.detail, 60),
            ]
        })
        .collect();
    let when = time_header(zone, "AT");
    print_table(&[&when, "AGENT", "ACT", "ON", "OUTCOME", "DETAIL"], &rows, &[]);
    println!("{} acts", rows.len());
    Ok(())
}

/// An act for machines: its time in UTC.
fn act_json(act: &Act) -> serde_json::Value {
    json!({
        "uid": act.uid,
        "at": act.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "agent": act.agent,
        "profile": act.profile,
        "act": act.act,
        "subject": act.subject,
        "outcome": act.outcome,
        "request_id": act.request_id,
        "detail": act.detail,
        "basis": act.basis,
    })
}

fn write_failed(target: &str, error: &std::io::Error) -> Failure {
    Failure { message: format!("cannot write {target}: {error}"), code: exit::FAILED, error: None }
}
