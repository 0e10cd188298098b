//! The command line. Without a subcommand, `pik-tui` opens the dashboard.

mod cases;
mod generated;
mod options;

pub use cases::{AuditArgs, CaseOrderArg, CasesArgs, CasesCommand, HandledArg};
pub use generated::{CompletionShell, write_completions, write_man_page};
pub use options::{
    AccountArgs, ApiArgs, DateArg, GlobalArgs, LocalArgs, LogArgs, MirrorArgs, MirroredArgs, OutputArgs, ZoneArgs,
};

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "pik-tui",
    version,
    about = "A terminal dashboard and command-line client for the PIK Open API",
    after_help = "There is deliberately no --api-key flag: a key on the command line ends up in shell \
                  history and in `ps`. Use PIK_API_KEY, --api-key-file or a profile.\n\n\
                  Exit codes: 0 success, 1 request failed, 2 usage or configuration error, \
                  3 API key rejected or not allowed, 4 not found, 5 a write may or may not have happened."
)]
pub struct Cli {
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub mirror: MirrorArgs,
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
    #[command(flatten)]
    pub zone: ZoneArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options of the dashboard (`pik-tui` with no subcommand).
#[derive(Debug, Clone, Args)]
pub struct DashboardArgs {
    /// Run against the embedded sandbox with lively simulated activity: no account needed.
    #[arg(long)]
    pub demo: bool,
    /// The port of the demo sandbox (default: any free one).
    #[arg(long, hide = true, default_value_t = 0)]
    pub demo_port: u16,
    /// Seconds between refreshes of the visible pane (hidden panes: 6 times less often).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub refresh: u32,
    /// Ring the terminal bell when a transaction settles.
    #[arg(long)]
    pub bell: bool,
    /// Do not capture the mouse, so that the terminal's own text selection works.
    #[arg(long)]
    pub no_mouse: bool,
    /// Draw checkout URLs and hashes as plain text, not clickable OSC 8 links
    /// (for terminals that mis-draw them; or `hyperlinks = false` in the config file).
    #[arg(long)]
    pub no_hyperlinks: bool,
    /// The colours: dark, light or mono (default: the config file's `theme`, else dark).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Payment links: create, list, get, deactivate.
    #[command(subcommand)]
    Links(LinksCommand),
    /// Transactions: list, get.
    #[command(subcommand)]
    Transactions(TransactionsCommand),
    /// Webhook endpoints: list, create.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Run the embedded PIK sandbox alone, for integration tests and trying things out.
    Sandbox(SandboxArgs),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The local mirror of the account: where it is, what it holds, clearing it.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Search the whole account (the local mirror, brought up to date first).
    Search(SearchArgs),
    /// Reconciliation totals per currency and status (and day), from the mirror.
    Report(ReportArgs),
    /// What went wrong with orders: underpaid, overpaid, paid twice, paid late,
    /// stuck, not credited, failed (from the mirror, brought up to date first).
    Cases(CasesArgs),
    /// The audit log: every act agents took through pik-tui (links made,
    /// deactivations, exports, case handling), oldest first.
    Audit(AuditArgs),
    /// Keep the mirror in sync, alone, as a service: one sync for a team on a
    /// shared PostgreSQL mirror (--store postgres://user@host/db). Logs to
    /// stderr or --log-file; SIGTERM stops it.
    Sync(SyncArgs),
    /// Print a shell completion script (see the README for where it goes).
    Completions {
        /// The shell: bash, zsh, fish or powershell.
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print the man page (roff), e.g. `pik-tui man > ~/.local/share/man/man1/pik-tui.1`.
    Man,
}

/// `pik-tui sync`: the account, where the mirror is, the logs, and the pace.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub mirror: MirrorArgs,
    #[command(flatten)]
    pub log: LogArgs,
    /// Seconds between two sync cycles once the mirror is up to date. Every
    /// cycle reads the new items of every kind; the unfinished ones are
    /// listed again once a minute. At 11 s the team's sync asks PIK about as
    /// often as one dashboard with its own mirror does (19 requests a minute).
    #[arg(long, default_value_t = 11, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub cycle: u64,
}

/// `links export` and `transactions export`: rows for a spreadsheet or a script.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// From this time: 2026-11-29 (a local day of --tz), 2026-11, yesterday, today, 7d, or an
    /// ISO 8601 time such as 2026-11-29T10:00:00Z.
    #[arg(long)]
    pub from: Option<String>,
    /// To this time (a day, month or word takes in the whole of it).
    #[arg(long)]
    pub to: Option<String>,
    /// Which time --from and --to apply to: created, confirmed or settled (transactions; settled is
    /// when the money was credited, as finance counts it).
    #[arg(long, value_enum, default_value_t = DateArg::Created)]
    pub date: DateArg,
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub currency: Option<String>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Write to this file (refused if it exists, unless --overwrite); standard output without it.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the --output file if it exists.
    #[arg(long, requires = "output")]
    pub overwrite: bool,
    /// Page the API directly instead of reading the mirror.
    #[arg(long, conflicts_with = "offline")]
    pub from_api: bool,
    /// Read what is already mirrored, without bringing it up to date first.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The first moment counted: 2026-11-29 (a local day of --tz), 2026-11, yesterday, today, 7d,
    /// or an RFC 3339 time.
    #[arg(long)]
    pub from: String,
    /// The last moment counted (a day, month or word takes in the whole of it).
    #[arg(long)]
    pub to: String,
    /// Which time counts: created, confirmed or settled (settled is when the money was credited).
    #[arg(long, value_enum, default_value_t = DateArg::Created)]
    pub date: DateArg,
    /// Totals per currency and status, or per local day (of --tz) as well.
    #[arg(long, value_enum, default_value_t = ReportBy::Currency)]
    pub by: ReportBy,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Report on what is already mirrored, without bringing it up to date first.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub args: MirroredArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportBy {
    Day,
    Currency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Print where the mirror of this account is (or would be).
    Path {
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// How many links, transactions and webhooks it holds, its size and schema.
    Stats {
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// Forget everything mirrored; the next sync starts over.
    Clear {
        #[command(flatten)]
        args: MirroredArgs,
    },
}

#[derive(Debug, Clone, Args)]
pub struct SearchArgs {
    /// What to look for: words, ids, amounts, "phrases", and status:, currency:,
    /// amount:>=N, from:DATE, to:DATE, link:ID filters.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// How many results to show (1 to 1000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// Search what is mirrored already, without asking PIK for anything.
    #[arg(long)]
    pub offline: bool,
    /// Only links, only transactions, or both.
    #[arg(long, value_enum, default_value_t = SearchKind::All)]
    pub kind: SearchKind,
    #[command(flatten)]
    pub args: MirroredArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SearchKind {
    Links,
    Transactions,
    All,
}

#[derive(Debug, Subcommand)]
pub enum LinksCommand {
    /// Create a payment link and print its URL with a scannable QR code.
    Create {
        /// The amount as a decimal, for example 75.00.
        // Hyphen values are let through so that `-1` gets our clear message
        // ("must be greater than zero") instead of "unexpected argument".
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// The currency code, for example USDT, USDC, BTC or ETH.
        #[arg(long)]
        currency: String,
        /// An optional label, for example "Order #1234".
        #[arg(long)]
        description: Option<String>,
        /// Do not print the QR code.
        #[arg(long)]
        no_qr: bool,
        #[command(flatten)]
        args: ApiArgs,
        /// The mirror whose audit log records the create.
        #[command(flatten)]
        mirror: MirrorArgs,
    },
    /// List payment links, newest first.
    List {
        /// Only links with this status: active, paid, expired, deactivated.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        args: ApiArgs,
    },
    /// Show one payment link.
    Get {
        id: String,
        #[command(flatten)]
        args: ApiArgs,
    },
    /// Every link matching the filters, as CSV or JSON Lines (from the mirror, brought up to date first).
    Export {
        #[command(flatten)]
        export: ExportArgs,
        #[command(flatten)]
        args: MirroredArgs,
    },
    /// Deactivate an active payment link (asks first unless --yes).
    Deactivate {
        id: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
        #[command(flatten)]
        args: ApiArgs,
        /// The mirror whose audit log records the deactivation.
        #[command(flatten)]
        mirror: MirrorArgs,
    },
}

#[derive(Debug, Clone, Args)]
pub struct PageArgs {
    /// How many to show (1 to 100).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
    /// How many to skip.
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
}

#[derive(Debug, Subcommand)]
pub enum TransactionsCommand {
    /// List transactions, newest first.
    List {
        /// Only this status: pending, confirmed, settled, failed.
        #[arg(long)]
        status: Option<String>,
        /// Only payments through this payment link.
        #[arg(long, value_name = "PAYMENT_LINK_ID")]
        link: Option<String>,
        /// Only this currency.
        #[arg(long)]
        currency: Option<String>,
        /// Created at or after this time (ISO 8601, e.g. 2024-01-15T10:00:00Z).
        #[arg(long)]
        from: Option<String>,
        /// Created at or before this time (ISO 8601).
        #[arg(long)]
        to: Option<String>,
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        args: ApiArgs,
    },
    /// Show one transaction.
    Get {
        id: String,
        #[command(flatten)]
        args: ApiArgs,
    },
    /// Every transaction matching the filters, as CSV or JSON Lines (from the mirror, brought up to date first).
    Export {
        #[command(flatten)]
        export: ExportArgs,
        /// Only the transactions of this payment link.
        #[arg(long, value_name = "PAYMENT_LINK_ID")]
        link: Option<String>,
        #[command(flatten)]
        args: MirroredArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// List registered webhook endpoints.
    List {
        #[command(flatten)]
        args: ApiArgs,
    },
    /// Register a webhook endpoint. Prints its signing secret, which PIK shows only once.
    Create {
        /// The https:// URL that receives events.
        #[arg(long)]
        url: String,
        /// An event to send (repeat or separate with commas):
        /// payment.confirmed, payment.settled, payment.failed.
        #[arg(long = "event", required = true, value_delimiter = ',')]
        events: Vec<String>,
        #[command(flatten)]
        args: ApiArgs,
        /// The mirror whose audit log records the registration.
        #[command(flatten)]
        mirror: MirrorArgs,
    },
    /// Check a PIK-Signature: the raw body on standard input. Exit 0 if valid, 1 if not.
    Verify {
        /// A file holding the webhook's signing secret (whsec_…).
        #[arg(long, value_name = "FILE")]
        secret_file: PathBuf,
        /// The PIK-Signature header's value.
        #[arg(long)]
        signature: String,
        #[command(flatten)]
        args: LocalArgs,
    },
    /// Receive PIK events: verify each signature, print one line per event (or --json).
    /// Answers 200 for a valid signature and 400 otherwise.
    Listen {
        #[arg(long, default_value_t = 8788)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// A file holding the webhook's signing secret (whsec_…).
        #[arg(long, value_name = "FILE")]
        secret_file: PathBuf,
        #[command(flatten)]
        args: LocalArgs,
    },
}

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// The address to listen on. Keep it on loopback: the sandbox has no real security.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Seed of the demo data; the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// How fast simulated time runs (10 = ten times real time).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Requests a second allowed per key before 429 (0 = no limit).
    #[arg(long, default_value_t = 25.0)]
    pub rate_limit: f64,
    /// Seeded payment links.
    #[arg(long, default_value_t = 300)]
    pub links: usize,
    /// Seeded transactions.
    #[arg(long, default_value_t = 1000)]
    pub transactions: usize,
    /// Do not simulate new payments and links.
    #[arg(long)]
    pub no_activity: bool,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print where the config file is (or would be).
    Path {
        /// The config file (default: the platform's config directory).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
    },
}

impl Cli {
    /// The options of the dashboard.
    pub fn dashboard_args(&self) -> GlobalArgs {
        let none = OutputArgs { json: false, zone: self.zone.clone() };
        GlobalArgs::default().with_account(&self.account).with_mirror(&self.mirror).with_output(&none, &self.log)
    }

    /// The options in force: the subcommand's, or the dashboard's.
    pub fn global(&self) -> GlobalArgs {
        match &self.command {
            Some(command) => command.global(),
            None => self.dashboard_args(),
        }
    }
}

impl Command {
    /// The options given to this subcommand.
    pub fn global(&self) -> GlobalArgs {
        match self {
            Command::Links(command) => match command {
                LinksCommand::Create { args, mirror, .. } | LinksCommand::Deactivate { args, mirror, .. } => {
                    GlobalArgs::from(args).with_mirror(mirror)
                }
                LinksCommand::List { args, .. } | LinksCommand::Get { args, .. } => args.into(),
                LinksCommand::Export { args, .. } => args.into(),
            },
            Command::Transactions(command) => match command {
                TransactionsCommand::List { args, .. } | TransactionsCommand::Get { args, .. } => args.into(),
                TransactionsCommand::Export { args, .. } => args.into(),
            },
            Command::Webhooks(command) => match command {
                WebhooksCommand::Create { args, mirror, .. } => GlobalArgs::from(args).with_mirror(mirror),
                WebhooksCommand::List { args } => args.into(),
                WebhooksCommand::Verify { args, .. } | WebhooksCommand::Listen { args, .. } => args.into(),
            },
            Command::Store(
                StoreCommand::Path { args } | StoreCommand::Stats { args } | StoreCommand::Clear { args },
            )
            | Command::Search(SearchArgs { args, .. }) => args.into(),
            Command::Report(ReportArgs { args, .. }) => args.into(),
            Command::Cases(CasesArgs {
                command:
                    Some(
                        CasesCommand::Show { args, .. }
                        | CasesCommand::Reply { args, .. }
                        | CasesCommand::Balance { args, .. }
                        | CasesCommand::Claim { args, .. }
                        | CasesCommand::Release { args, .. }
                        | CasesCommand::Resolve { args, .. }
                        | CasesCommand::Reopen { args, .. }
                        | CasesCommand::Note { args, .. }
                        | CasesCommand::Export { args, .. }
                        | CasesCommand::Import { args, .. },
                    ),
                ..
            })
            | Command::Audit(AuditArgs { args, .. })
            | Command::Cases(CasesArgs { args, .. }) => args.into(),
            Command::Sync(args) => GlobalArgs::default()
                .with_account(&args.account)
                .with_mirror(&args.mirror)
                .with_output(&OutputArgs { json: false, zone: ZoneArgs { tz: None } }, &args.log),
            Command::Sandbox(sandbox) => GlobalArgs { log_file: sandbox.log.log_file.clone(), ..GlobalArgs::default() },
            Command::Config(ConfigCommand::Path { config, output }) => {
                GlobalArgs { config: config.clone(), json: output.json, ..GlobalArgs::default() }
            }
            Command::Completions { .. } | Command::Man => GlobalArgs::default(),
        }
    }
}

/// The dashboard's options given before a subcommand (where they would mean
/// nothing): the first one's name, for a clear refusal.
pub fn dashboard_flag_before_subcommand(matches: &clap::ArgMatches) -> Option<String> {
    matches.subcommand_name()?;
    let command = <Cli as clap::CommandFactory>::command();
    command
        .get_arguments()
        .filter(|arg| matches.value_source(arg.get_id().as_str()) == Some(clap::parser::ValueSource::CommandLine))
        .find_map(|arg| arg.get_long().map(|long| format!("--{long}")))
}
