//! What the dashboard is told at start: refresh rates, the profile, the
//! keymap, the mirror, alert rules. Read from flags and the config file by
//! the runtime; the app only reads it.

use super::alerts::AlertRule;
use super::keymap::Keymap;
use crate::hyperlink::Explorers;
use crate::store::Thresholds;
use chrono::Duration;

/// Which PIK the dashboard talks to, for the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Live,
    Test,
    Sandbox,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub refresh: Duration,
    pub hidden_refresh: Duration,
    pub bell: bool,
    pub environment: Environment,
    pub profile: Option<String>,
    /// The profiles in the config file, for `:profiles`.
    pub profiles: Vec<String>,
    /// Seconds east of UTC, for showing local times.
    pub utc_offset_secs: i32,
    pub read_only: bool,
    /// Whether a local listener feeds verified webhook events (the Events pane).
    pub events_pane: bool,
    pub keymap: Keymap,
    /// Whether a local mirror answers pages and searches; why not, if not.
    pub mirror: Result<(), String>,
    /// The local time zone's name for the Overview ("Europe/Berlin"), if known.
    pub zone_name: Option<String>,
    /// When an item needs attention (`[attention]` in the config file).
    pub thresholds: Thresholds,
    /// `[[alerts]]` rules (`--bell` adds one for settled payments).
    pub alerts: Vec<AlertRule>,
    /// The folder exports are written in unless a path says otherwise.
    pub workdir: Option<String>,
    /// Block explorers for transaction hashes (`[explorers]`).
    pub explorers: Explorers,
    /// Whether checkout URLs and hashes are drawn as OSC 8 links.
    pub hyperlinks: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh: Duration::seconds(5),
            hidden_refresh: Duration::seconds(30),
            bell: false,
            environment: Environment::Sandbox,
            profile: None,
            profiles: Vec::new(),
            utc_offset_secs: 0,
            read_only: false,
            events_pane: false,
            keymap: Keymap::default(),
            mirror: Err("no mirror".into()),
            zone_name: None,
            thresholds: Thresholds::default(),
            alerts: Vec::new(),
            workdir: None,
            explorers: Explorers::default(),
            hyperlinks: true,
        }
    }
}
