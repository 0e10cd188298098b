//! `pik-tui links export`, `pik-tui transactions export` and `pik-tui
//! report`: rows and reconciliation totals for finance, from the mirror
//! (brought up to date first unless `--offline`), or for exports straight
//! from the API with `--from-api`. Progress goes to stderr when it is a
//! terminal; the rows go to `--output` or standard output.

use super::mirror::mirrored;
use super::print::{print_json, print_table};
use super::transactions::time_arg;
use super::{Failure, Outcome, command_zone, exit};
use crate::api::{ClientConfig, LinkStatus, RetryPolicy, TransactionStatus};
use crate::cli::{ExportArgs, ExportFormat, GlobalArgs, ReportArgs, ReportBy, ReportFormat};
use crate::config::{self, Environment, Flags};
use crate::date_arg::Bound;
use crate::export::{self, Destination, ExportError, Format, file::FileError};
use crate::human::group_thousands;
use crate::sanitize::{for_spreadsheet, for_terminal_truncated};
use crate::store::{DateField, Kinds, ReportQuery, SearchQuery, Selection};
use crate::zone::Zone;
use chrono::Timelike;
use serde_json::json;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// The filters of an export, checked before anything is read; dates in
/// the agent's zone.
fn filter(args: &ExportArgs, link: Option<String>, kinds: Kinds, zone: &Zone) -> Result<SearchQuery, Failure> {
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
    let from = args.from.as_deref().map(|t| time_arg("from", t, Bound::Start, zone)).transpose()?;
    let to = args.to.as_deref().map(|t| time_arg("to", t, Bound::End, zone)).transpose()?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(Failure::usage("--from is after --to"));
    }
    let date = DateField::from(args.date);
    if kinds == Kinds::Links && date != DateField::Created {
        return Err(Failure::usage(format!("--date {}: links have a creation date only", date.as_str())));
    }
    query.set_dates(date, from, to);
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
    let query = filter(&args, link, kinds, &command_zone(global)?)?;
    if args.from_api && query.transactions_only() {
        return Err(Failure::usage(
            "--from-api: PIK filters payments by creation time only; export by --date confirmed or settled from the \
             mirror",
        ));
    }
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Jsonl => Format::Jsonl,
    };
    let destination = match &args.output {
        Some(path) => Destination::File { path: path.clone(), overwrite: args.overwrite },
        None => Destination::Stdout,
    };
    let noun = if kinds == Kinds::Links { "links" } else { "transactions" };
    let selection = Selection::Filter(query);
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
        export::from_api(&client, selection.clone(), format, &destination, report).await
    } else {
        let opened = mirrored(global, args.offline).await?;
        export::from_store(&opened.store, selection.clone(), format, &destination, report).await
    };
    progress.bar.finish_and_clear();
    let exported = exported.map_err(failed)?;
    let to = exported.path.as_ref().map_or_else(|| "standard output".to_string(), |p| p.display().to_string());
    let words = crate::export::exported_words(exported.rows, &selection, format, &to);
    super::handling::record(global, "exported", words).await;
    let rows = group_thousands(exported.rows);
    match (&exported.path, global.json) {
        (Some(path), true) => print_json(&json!({"rows": exported.rows, "path": path.display().to_string()})),
        (Some(path), false) => println!("wrote {rows} {noun} to {}", path.display()),
        // The rows are on standard output: the summary goes beside them.
        (None, _) => eprintln!("wrote {rows} {noun}"),
    }
    Ok(())
}

/// `pik-tui report`: totals of the payments created (confirmed, settled)
/// in the period, per currency and status (and local day), exact, never
/// added across currencies.
pub async fn report_totals(global: &GlobalArgs, args: ReportArgs) -> Outcome {
    let zone = command_zone(global)?;
    let from = time_arg("from", &args.from, Bound::Start, &zone)?;
    // Times are read to the second: `--to` takes in the whole of its last second.
    let to = time_arg("to", &args.to, Bound::End, &zone)?;
    let to = if to.timestamp_subsec_nanos() == 0 { to + chrono::Duration::microseconds(999_999) } else { to };
    if from > to {
        return Err(Failure::usage("--from is after --to"));
    }
    let by_day = args.by == ReportBy::Day;
    let date = DateField::from(args.date);
    let opened = mirrored(global, args.offline).await?;
    let query = ReportQuery { from, to, date, by_day: by_day.then(|| zone.clone()) };
    let lines = opened.store.report(query).await.map_err(|e| Failure {
        message: e.to_string(),
        code: exit::FAILED,
        error: None,
    })?;
    let day = |line: &crate::store::ReportLine| line.day.map(|d| d.to_string()).unwrap_or_default();
    match (args.format, global.json) {
        (ReportFormat::Json, _) | (_, true) => print_json(&json!({
            "from": export::iso(&from),
            "to": export::iso(&to),
            "date": date.as_str(),
            "by": if by_day { "day" } else { "currency" },
            // The zone the days are local to.
            "zone": zone.name(),
            "lines": lines,
        })),
        (ReportFormat::Csv, false) => {
            let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(std::io::stdout());
            let day_header = format!("day ({})", zone.name());
            let mut header = vec!["currency", "status", "count", "amount"];
            if by_day {
                header.insert(0, &day_header);
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
            let day_header = format!("DAY ({})", for_terminal_truncated(zone.name(), 40));
            let (headers, right): (Vec<&str>, &[usize]) = if by_day {
                (vec![&day_header, "CURRENCY", "STATUS", "COUNT", "AMOUNT"], &[3, 4])
            } else {
                (vec!["CURRENCY", "STATUS", "COUNT", "AMOUNT"], &[2, 3])
            };
            print_table(&headers, &rows, right);
            let to = to.with_nanosecond(0).unwrap_or(to);
            println!(
                "transactions {} {} to {}, by status; currencies are never added together",
                date.as_str(),
                for_terminal_truncated(&zone.stamp(from), 60),
                for_terminal_truncated(&zone.stamp(to), 60),
            );
        }
    }
    Ok(())
}
