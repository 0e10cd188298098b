//! What the dashboard is told at start: refresh rates, the profile, the
//! keymap, the mirror, alert rules. Read from flags and the config file by
//! the runtime; the app only reads it.

use super::alerts::AlertRule;
use super::keymap::Keymap;
use crate::cases::CaseRules;
use crate::hyperlink::Explorers;
use crate::zone::Zone;
use chrono::Duration;

/// Which PIK the dashboard talks to, for the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Live,
    Test,
    Sandbox,
    Unknown,
}

impl Environment {
    /// The header's label for it: loud for LIVE, and never dropped.
    pub fn label(self) -> &'static str {
        match self {
            Environment::Live => " LIVE ",
            Environment::Test => " TEST ",
            Environment::Sandbox => " SANDBOX ",
            Environment::Unknown => " ? KEY ",
        }
    }
}

/// Where the mirror the panes read is kept, for the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreKind {
    /// The account's own file (or `--store FILE`).
    File,
    /// A shared PostgreSQL mirror, kept by a `pik-tui sync`.
    Shared,
    /// Memory, holding the whole account (the demo's small sandbox).
    Memory,
    /// Memory, holding only what the agent scrolled to: `--no-store`, or
    /// the file could not be used (why).
    OnDemand(Option<String>),
}

impl StoreKind {
    /// Whether the mirror holds only what was scrolled to, so that searches
    /// and figures cover only those rows.
    pub fn on_demand(&self) -> bool {
        matches!(self, StoreKind::OnDemand(_))
    }

    /// Where the rows are, in words, when that is worth saying.
    pub fn words(&self) -> Option<String> {
        match self {
            StoreKind::File | StoreKind::Shared => None,
            StoreKind::Memory => Some("in memory".into()),
            StoreKind::OnDemand(None) => Some("in memory (--no-store): rows scrolled to".into()),
            StoreKind::OnDemand(Some(why)) => Some(format!("in memory, rows scrolled to: {why}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub refresh: Duration,
    pub hidden_refresh: Duration,
    pub bell: bool,
    pub environment: Environment,
    pub profile: Option<String>,
    /// Who is acting, in the audit log: `$USER@host` by default. Never sent to PIK.
    pub agent: String,
    /// The profiles in the config file, for `:profiles`.
    pub profiles: Vec<String>,
    /// Where the config file is (or would be), for messages.
    pub config_path: Option<String>,
    /// The agent's time zone: every time shown and date typed is in it.
    pub zone: Zone,
    pub read_only: bool,
    /// Whether a local listener feeds verified webhook events (the Events pane).
    pub events_pane: bool,
    pub keymap: Keymap,
    /// Where the mirror is kept.
    pub store: StoreKind,
    /// The panes' sort when the config file names none: links, transactions.
    pub sorts: [crate::store::Sort; 2],
    /// The saved views (`[[views]]`), checked at start-up.
    pub views: Vec<super::views::ViewDef>,
    /// The columns of the links, transactions and webhooks tables (`[columns]`).
    pub columns: super::columns::Columns,
    /// When something is a case (`[cases]` in the config file).
    pub case_rules: CaseRules,
    /// The replies to customers, per kind of case (`[replies]`).
    pub replies: crate::cases::Replies,
    /// `[[alerts]]` rules (`--bell` adds one for settled payments).
    pub alerts: Vec<AlertRule>,
    /// The folder exports are written in unless a path says otherwise.
    pub workdir: Option<String>,
    /// Block explorers for transaction hashes (`[explorers]`).
    pub explorers: Explorers,
    /// Whether checkout URLs and hashes are drawn as OSC 8 links.
    pub hyperlinks: bool,
    /// The terminal's locale is not UTF-8: the screen is drawn in ASCII.
    pub ascii: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh: Duration::seconds(5),
            hidden_refresh: Duration::seconds(30),
            bell: false,
            environment: Environment::Sandbox,
            profile: None,
            agent: "agent@desk".into(),
            profiles: Vec::new(),
            config_path: None,
            zone: Zone::utc(),
            read_only: false,
            events_pane: false,
            keymap: Keymap::default(),
            store: StoreKind::Memory,
            sorts: [crate::store::Sort::default(); 2],
            views: Vec::new(),
            columns: super::columns::Columns::default(),
            case_rules: CaseRules::default(),
            replies: crate::cases::Replies::default(),
            alerts: Vec::new(),
            workdir: None,
            explorers: Explorers::default(),
            hyperlinks: true,
            ascii: false,
        }
    }
}
