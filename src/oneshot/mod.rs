//! One-shot commands (`pik-tui links create ...`): scriptable, with `--json`
//! for machines and a readable table by default. Every string from the API is
//! sanitized before it is printed. One file per command family; `failure`
//! holds the exit codes, `print` the output helpers.

mod cases;
mod export;
mod failure;
mod handling;
mod links;
mod listen;
mod mirror;
mod print;
mod transactions;
mod webhooks;

pub use cases::cases;
pub use export::report_totals;
pub use failure::{Failure, exit, report};
pub use handling::audit;
pub use links::check_new_link;
pub use listen::listen;
pub use mirror::{search, store};
pub use webhooks::verify_signature;

use crate::api::{Client, ClientConfig};
use crate::cli::{GlobalArgs, LinksCommand, TransactionsCommand, WebhooksCommand};
use crate::config::{self, Environment, Flags};
use crate::store::Kinds;
use crate::zone::Zone;

type Outcome = Result<(), Failure>;

/// What every API command needs: a client, and how to answer.
struct Context {
    client: Client,
    json: bool,
    read_only: bool,
    /// Block explorers, when URLs and hashes are printed as clickable
    /// links (a terminal, and not turned off).
    links: Option<crate::hyperlink::Explorers>,
    /// Times are printed in it (JSON stays UTC).
    zone: Zone,
    /// Who acts, in the audit log.
    by: crate::audit::Actor,
    /// The options, for the record a write's act goes in.
    global: GlobalArgs,
}

impl Context {
    /// `text` as an OSC 8 link to `url` (a URL from `hyperlink`), when on.
    fn linked(&self, text: String, url: Option<String>) -> String {
        match (&self.links, url) {
            (Some(_), Some(url)) => crate::hyperlink::wrap(&url, &text),
            _ => text,
        }
    }

    fn refuse_if_read_only(&self, what: &str) -> Outcome {
        if self.read_only {
            return Err(Failure::usage(format!("read-only mode: refusing to {what}")));
        }
        Ok(())
    }
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
    let file = config::load(&flags).map_err(|e| Failure::usage(e.to_string()))?.unwrap_or_default();
    let explorers = crate::hyperlink::Explorers::with(&file.explorers).map_err(Failure::usage)?;
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let on = terminal && !global.json && !global.no_hyperlinks && file.hyperlinks != Some(false);
    let zone = zone(global, Some(&file), settings.profile.as_deref())?;
    let by = crate::audit::Actor {
        agent: config::agent(Some(&file), settings.profile.as_deref()),
        profile: settings.profile.clone(),
    };
    let (json, read_only, links) = (global.json, settings.read_only, on.then_some(explorers));
    Ok(Context { client, json, read_only, links, zone, by, global: global.clone() })
}

impl Context {
    /// A write to PIK through the one submit path: sent once, and its act
    /// written in the audit log beside the mirror (a record that cannot be
    /// opened is said, and the write goes on: PIK's answer matters more).
    async fn submit(&self, write: crate::app::Write) -> Result<crate::app::Written, crate::api::ApiError> {
        let record = match mirror::open_record(&self.global).await {
            Ok(store) => store,
            Err(failure) => {
                eprintln!("warning: the audit log cannot be opened ({}); the write is not recorded", failure.message);
                let submitted = crate::submit::submit(&self.client, None, &self.by, write).await;
                return submitted.result;
            }
        };
        if matches!(record.place(), crate::store::Place::Memory) {
            eprintln!("warning: the mirror is in memory (--no-store): this write's act is not kept");
        }
        let submitted = crate::submit::submit(&self.client, Some(&record), &self.by, write).await;
        if let Some(why) = &submitted.unrecorded {
            eprintln!("warning: not written in the audit log: {why}");
        }
        submitted.result
    }
}

/// The zone of a command that reads the mirror: its profile's, as
/// [`zone`] finds it.
fn command_zone(global: &GlobalArgs) -> Result<Zone, Failure> {
    let flags = Flags::from(global);
    let settings = config::resolve(&flags, &Environment::from_process()).map_err(|e| Failure::usage(e.to_string()))?;
    let file = config::load(&flags).map_err(|e| Failure::usage(e.to_string()))?;
    zone(global, file.as_ref(), settings.profile.as_deref())
}

/// The config file's `[cases]` rules, `[replies]` and `[explorers]`, a bad
/// line named.
fn case_config(
    global: &GlobalArgs,
) -> Result<(crate::cases::CaseRules, crate::cases::Replies, crate::hyperlink::Explorers), Failure> {
    let file = config::load(&Flags::from(global)).map_err(|e| Failure::usage(e.to_string()))?;
    let path = global.config.clone().or_else(config::default_path).map(|p| p.display().to_string());
    let in_file = |(line, message): (usize, String)| {
        Failure::usage(format!("the config file {}, line {line}: {message}", path.clone().unwrap_or_default()))
    };
    let Some(file) = file else { return Ok(Default::default()) };
    let rules =
        crate::cases::CaseRules::from_lines(file.case_entries().iter().map(config::Entry::parts)).map_err(in_file)?;
    let replies =
        crate::cases::Replies::from_lines(file.reply_entries().iter().map(config::Entry::parts)).map_err(in_file)?;
    let explorers = crate::hyperlink::Explorers::with(&file.explorers).map_err(|e| Failure::usage(e.to_string()))?;
    Ok((rules, replies, explorers))
}

/// The zone a command prints times and reads dates in: `--tz`, else the
/// profile's or the config file's `tz`, else the system's.
fn zone(global: &GlobalArgs, file: Option<&config::ConfigFile>, profile: Option<&str>) -> Result<Zone, Failure> {
    let path = global.config.clone().or_else(config::default_path).map(|p| p.display().to_string());
    config::zone(global.tz.as_deref(), file, profile, &path.unwrap_or_default())
        .map_err(|e| Failure::usage(e.to_string()))
}

pub enum ApiCommand {
    Links(LinksCommand),
    Transactions(TransactionsCommand),
    Webhooks(WebhooksCommand),
}

/// Runs an API command and returns the exit code.
pub async fn run(global: &GlobalArgs, command: ApiCommand) -> u8 {
    let outcome = match command {
        // Exports read the mirror (or page the API on their own terms).
        ApiCommand::Links(LinksCommand::Export { export, .. }) => {
            export::rows(global, export, None, Kinds::Links).await
        }
        ApiCommand::Transactions(TransactionsCommand::Export { export, link, .. }) => {
            export::rows(global, export, link, Kinds::Transactions).await
        }
        command => match connect(global) {
            Ok(context) => match command {
                ApiCommand::Links(command) => links::run(&context, command).await,
                ApiCommand::Transactions(command) => transactions::run(&context, command).await,
                ApiCommand::Webhooks(command) => webhooks::run(&context, command).await,
            },
            Err(failure) => Err(failure),
        },
    };
    match outcome {
        Ok(()) => exit::OK,
        Err(failure) => report(&failure, global.json),
    }
}
