//! `pik-tui links export`, `pik-tui transactions export` and `pik-tui
//! report`: rows and reconciliation totals for finance, from the mirror
//! (brought up to date first unless `--offline`), or for exports straight
//! from the API with `--from-api`. Progress goes to stderr when it is a
//! terminal; the rows go to `--output` or standard output.

use super::mirror::mirrored;
use super::print::{print_json, print_table};
use super::transactions::time_arg;
use super::{Failure, Outcome, exit};
use crate::api::{ClientConfig, LinkStatus, RetryPolicy, TransactionStatus};
use crate::cli::{ExportArgs, ExportFormat, GlobalArgs, ReportArgs, ReportBy, ReportFormat};
use crate::config::{self, Environment, Flags};
use crate::date_arg::Bound;
use crate::export::{self, Destination, ExportError, Format, file::FileError};
use crate::human::group_thousands;
use crate::sanitize::{for_spreadsheet, for_terminal_truncated};
use crate::store::{Kinds, SearchQuery, Selection};
use chrono::Timelike;
use serde_json::json;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// The filters of an export, checked before anything is read.
fn filter(args: &ExportArgs, link: Option<String>, kinds: Kinds) -> Result<SearchQuery, Failure> {
    let mut query = SearchQuery::everything(kinds);
    if let Some(status) = &args.status {
        let status = status.trim().to_ascii_lowercase();
        let known: Vec<&str> = if kinds == Kinds::Links {
            LinkStatus::KNOWN.iter().map(LinkStatus::as_str).collect()
        } else {
            TransactionStatus::KNOWN.iter().map(TransactionStatus::as_str).collect()
        };
        if !known.contains(&status.as_str()) {
            return Err(Failure::usage(format!("--status must be one of: {}", known.join(", "))));
        }
        query.status = Some(status);
    }
    if let Some(currency) = &args.currency {
        if !crate::money::is_currency_code(currency.trim()) {
            return Err(Failure::usage(format!(
                "--currency {:?} is not a currency code (USDT, BTC…)",
                for_terminal_truncated(currency, 20)
            )));
        }
        query.currency = Some(currency.trim().to_ascii_uppercase());
    }
    query.link = link.map(|l| l.trim().to_string());
    query.from = args.from.as_deref().map(|t| time_arg("from", t, Bound::Start)).transpose()?;
    query.to = args.to.as_deref().map(|t| time_arg("to", t, Bound::End)).transpose()?;
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        return Err(Failure::usage("--from is after --to"));
    }
    Ok(query)
}

/// A progress bar on stderr, shown once an export takes more than a moment.
struct Progress {
    bar: indicatif::ProgressBar,
    started: Instant,
    noun: &'static str,
}

impl Progress {
    fn new(noun: &'static str) -> Self {
        Progress { bar: indicatif::ProgressBar::hidden(), started: Instant::now(), noun }
    }

    fn update(&self, done: u64, total: u64) {
        if self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) && std::io::stderr().is_terminal() {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
        }
        self.bar.set_length(total);
        self.bar.set_position(done);
        self.bar.set_message(self.noun);
    }
}

fn failed(error: ExportError) -> Failure {
    match error {
        ExportError::File(FileError::Exists { path }) => {
            Failure::usage(format!("{path} already exists: choose another name, or pass --overwrite"))
        }
        ExportError::Api(error) => Failure::api(error),
        other => Failure { message: other.to_string(), code: exit::FAILED, error: None },
    }
}

/// `links export` and `transactions export`.
pub(super) async fn rows(global: &GlobalArgs, args: ExportArgs, link: Option<String>, kinds: Kinds) -> Outcome {
    let query = filter(&args, link, kinds)?;
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Jsonl => Format::Jsonl,
    };
    let destination = match &args.output {
        Some(path) => Destination::File { path: path.clone(), overwrite: args.overwrite },
        None => Destination::Stdout,
    };
    let noun = if kinds == Kinds::Links { "links" } else { "transactions" };
    let progress = Progress::new(noun);
    let report = |done: u64, total: u64| progress.update(done, total);
    let exported = if args.from_api {
        let settings = config::resolve(&Flags::from(global), &Environment::from_process())
            .map_err(|e| Failure::usage(e.to_string()))?;
        let mut config = ClientConfig::new(settings.base_url, settings.key);
        config.request_timeout = Duration::from_secs(global.timeout);
        config.max_requests_per_sec = global.max_rps;
        config.retry = RetryPolicy::default();
        let client = crate::api::Client::new(config).map_err(Failure::api)?;
        export::from_api(&client, Selection::Filter(query), format, &destination, report).await
    } else {
        let opened = mirrored(global, args.offline).await?;
        export::from_store(&opened.store, Selection::Filter(query), format, &destination, report).await
    };
    progress.bar.finish_and_clear();
    let exported = exported.map_err(failed)?;
    let rows = group_thousands(exported.rows);
    match (&exported.path, global.json) {
        (Some(path), true) => print_json(&json!({"rows": exported.rows, "path": path.display().to_string()})),
        (Some(path), false) => println!("wrote {rows} {noun} to {}", path.display()),
        // The rows are on standard output: the summary goes beside them.
        (None, _) => eprintln!("wrote {rows} {noun}"),
    }
    Ok(())
}

/// `pik-tui report`: totals of the transactions created in the period, per
/// currency and status (and UTC day), exact, never added across currencies.
pub async fn report_totals(global: &GlobalArgs, args: ReportArgs) -> Outcome {
    let from = time_arg("from", &args.from, Bound::Start)?;
    // Times are read to the second: `--to` takes in the whole of its last second.
    let to = time_arg("to", &args.to, Bound::End)?;
    let to = if to.timestamp_subsec_nanos() == 0 { to + chrono::Duration::microseconds(999_999) } else { to };
    if from > to {
        return Err(Failure::usage("--from is after --to"));
    }
    let by_day = args.by == ReportBy::Day;
    let opened = mirrored(global, args.offline).await?;
    let lines = opened.store.report(from, to, by_day).await.map_err(|e| Failure {
        message: e.to_string(),
        code: exit::FAILED,
        error: None,
    })?;
    let day = |line: &crate::store::ReportLine| line.day.map(|d| d.to_string()).unwrap_or_default();
    match (args.format, global.json) {
        (ReportFormat::Json, _) | (_, true) => print_json(&json!({
            "from": export::iso(&from),
            "to": export::iso(&to),
            "by": if by_day { "day" } else { "currency" },
            "lines": lines,
        })),
        (ReportFormat::Csv, false) => {
            let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(std::io::stdout());
            let mut header = vec!["currency", "status", "count", "amount"];
            if by_day {
                header.insert(0, "day");
            }
            let mut written = writer.write_record(&header);
            for line in &lines {
                let mut record =
                    vec![line.currency.clone(), line.status.clone(), line.count.to_string(), line.amount.to_string()];
                if by_day {
                    record.insert(0, day(line));
                }
                written =
                    written.and_then(|()| writer.write_record(record.iter().map(|c| for_spreadsheet(c).into_owned())));
            }
            written.and_then(|()| writer.flush().map_err(csv::Error::from)).map_err(|e| Failure {
                message: format!("writing the report failed: {e}"),
                code: exit::FAILED,
                error: None,
            })?;
        }
        (ReportFormat::Table, false) => {
            let rows: Vec<Vec<String>> = lines
                .iter()
                .map(|line| {
                    let mut row = vec![
                        for_terminal_truncated(&line.currency, 10),
                        for_terminal_truncated(&line.status, 14),
                        group_thousands(line.count),
                        line.amount.to_string(),
                    ];
                    if by_day {
                        row.insert(0, day(line));
                    }
                    row
                })
                .collect();
            let (headers, right): (&[&str], &[usize]) = if by_day {
                (&["DAY", "CURRENCY", "STATUS", "COUNT", "AMOUNT"], &[3, 4])
            } else {
                (&["CURRENCY", "STATUS", "COUNT", "AMOUNT"], &[2, 3])
            };
            print_table(headers, &rows, right);
            println!(
                "transactions created {} to {} (UTC), by status; currencies are never added together",
                export::iso(&from),
                export::iso(&to.with_nanosecond(0).unwrap_or(to))
            );
        }
    }
    Ok(())
}
