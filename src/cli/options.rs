//! The option groups each subcommand flattens (account, mirror, output,
//! log), and [`GlobalArgs`]: every option as the code that runs a command
//! reads it.

use clap::Args;
use std::path::PathBuf;

/// Which of a payment's times a date range applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateArg {
    Created,
    Confirmed,
    Settled,
}

impl From<DateArg> for crate::store::DateField {
    fn from(arg: DateArg) -> Self {
        match arg {
            DateArg::Created => crate::store::DateField::Created,
            DateArg::Confirmed => crate::store::DateField::Confirmed,
            DateArg::Settled => crate::store::DateField::Settled,
        }
    }
}

/// Which PIK, with which key, how fast: for everything that talks to PIK.
#[derive(Debug, Clone, Args)]
pub struct AccountArgs {
    /// The config file (default: the platform's config directory; see `pik-tui config path`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The profile in the config file to use (or PIK_PROFILE).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The API's base URL (or PIK_BASE_URL). HTTPS, or http:// to a loopback address.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Read the API key from this file (or set PIK_API_KEY).
    #[arg(long, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,
    /// Refuse every write (create, deactivate, register).
    #[arg(long)]
    pub read_only: bool,
    /// The most requests a second pik-tui sends (a client-side limit, shared by everything it does).
    #[arg(long, default_value_t = 8.0)]
    pub max_rps: f64,
    /// Seconds to wait for PIK's answer to a request.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

/// Where the local mirror lives: for what reads or keeps it.
#[derive(Debug, Clone, Args)]
pub struct MirrorArgs {
    /// The local mirror's file (default: one per account in the platform's data directory).
    #[arg(long, value_name = "FILE", conflicts_with = "no_store")]
    pub store: Option<PathBuf>,
    /// Keep the mirror in memory only: nothing is written to disk.
    #[arg(long)]
    pub no_store: bool,
}

#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Print one JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub zone: ZoneArgs,
}

/// The zone times are shown and dates are read in.
#[derive(Debug, Clone, Args)]
pub struct ZoneArgs {
    /// The time zone to show times and read dates in, e.g. Europe/Berlin or UTC (default: the
    /// config file's `tz`, else the system's). JSON and CSV stay in UTC.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Write logs to this file (default for the dashboard: pik-tui.log in the
    /// platform's state or data directory). Logs never go to the terminal.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

/// The options of a command that talks to PIK.
#[derive(Debug, Clone, Args)]
pub struct ApiArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Print checkout URLs and hashes as plain text, not clickable OSC 8
    /// links (they are links only on a terminal; or `hyperlinks = false`).
    #[arg(long)]
    pub no_hyperlinks: bool,
    #[command(flatten)]
    pub log: LogArgs,
}

/// The options of a command that reads the mirror (bringing it up to date from PIK).
#[derive(Debug, Clone, Args)]
pub struct MirroredArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub mirror: MirrorArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// The options of a command that needs no account (verify, listen).
#[derive(Debug, Clone, Args)]
pub struct LocalArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// Every option, as the code that runs a command reads them: what a command
/// does not take keeps its default.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalArgs {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub base_url: Option<String>,
    pub api_key_file: Option<PathBuf>,
    pub read_only: bool,
    pub json: bool,
    pub max_rps: f64,
    pub timeout: u64,
    pub store: Option<PathBuf>,
    pub no_store: bool,
    pub log_file: Option<PathBuf>,
    pub no_hyperlinks: bool,
    /// `--tz`, as given.
    pub tz: Option<String>,
}

impl Default for GlobalArgs {
    fn default() -> Self {
        Self {
            config: None,
            profile: None,
            base_url: None,
            api_key_file: None,
            read_only: false,
            json: false,
            max_rps: 8.0,
            timeout: 15,
            store: None,
            no_store: false,
            log_file: None,
            no_hyperlinks: false,
            tz: None,
        }
    }
}

impl GlobalArgs {
    pub(super) fn with_account(mut self, account: &AccountArgs) -> Self {
        self.config = account.config.clone();
        self.profile = account.profile.clone();
        self.base_url = account.base_url.clone();
        self.api_key_file = account.api_key_file.clone();
        self.read_only = account.read_only;
        self.max_rps = account.max_rps;
        self.timeout = account.timeout;
        self
    }

    pub(super) fn with_mirror(mut self, mirror: &MirrorArgs) -> Self {
        self.store = mirror.store.clone();
        self.no_store = mirror.no_store;
        self
    }

    pub(super) fn with_output(mut self, output: &OutputArgs, log: &LogArgs) -> Self {
        self.json = output.json;
        self.tz = output.zone.tz.clone();
        self.log_file = log.log_file.clone();
        self
    }
}

impl From<&ApiArgs> for GlobalArgs {
    fn from(args: &ApiArgs) -> Self {
        let global = GlobalArgs::default().with_account(&args.account).with_output(&args.output, &args.log);
        GlobalArgs { no_hyperlinks: args.no_hyperlinks, ..global }
    }
}

impl From<&MirroredArgs> for GlobalArgs {
    fn from(args: &MirroredArgs) -> Self {
        GlobalArgs::default().with_account(&args.account).with_mirror(&args.mirror).with_output(&args.output, &args.log)
    }
}

impl From<&LocalArgs> for GlobalArgs {
    fn from(args: &LocalArgs) -> Self {
        GlobalArgs::default().with_output(&args.output, &args.log)
    }
}

impl From<&GlobalArgs> for crate::config::Flags {
    fn from(args: &GlobalArgs) -> Self {
        Self {
            config: args.config.clone(),
            profile: args.profile.clone(),
            base_url: args.base_url.clone(),
            api_key_file: args.api_key_file.clone(),
            read_only: args.read_only,
        }
    }
}
