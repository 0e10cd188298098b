//! The `:` line. The common case is a pasted id (`pl_…`, `txn_…`, `wh_…`);
//! the rest set filters or switch profile. The text parses into a
//! [`Command`] first, so parsing is tested on its own, as a table. Dates
//! are read in the agent's zone.

use super::{App, Cmd, LinkFilter, Pane, TransactionFilter};
use crate::api::{LinkStatus, TransactionStatus};
use crate::date_arg::{self, Bound};
use crate::store::{DateField, Reading};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Go to an object by id.
    Jump(String),
    Quit,
    /// Drop every filter of the visible pane.
    Clear,
    /// The visible pane's status filter; `None` for all.
    Status(Option<String>),
    Currency(Option<String>),
    Link(Option<String>),
    From(Option<DateTime<Utc>>),
    To(Option<DateTime<Utc>>),
    /// Which time `:from` and `:to` apply to.
    Date(DateField),
    /// Show times in another zone (`:tz UTC`).
    Tz(String),
    Profile(String),
    Profiles,
    /// This session's alerts.
    Alerts,
    /// The audit log.
    Audit,
    /// The Search pane with this query.
    Search(String),
    /// Sort the visible pane: a column and an optional direction.
    Sort(String),
    /// Unmark every row of the visible pane.
    ClearMarks,
    /// Open a saved view by name.
    View(String),
    Views,
    /// Save the pane as a view; `true` replaces one of that name.
    Save(String, bool),
}

/// Why a `:` line could not be read, in words for the footer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CommandError(String);

/// The commands, for the help overlay.
pub const HELP: &[(&str, &str)] = &[
    (":pl_… :txn_… :wh_…", "jump to an object (pasting an id opens this)"),
    (":status S  :currency C", "filter by status (or all without S) / currency"),
    (
        ":link ID  :from DATE  :to DATE",
        "one link's transactions / a range: 2026-11-29, 2026-11, yesterday, 7d, ISO 8601",
    ),
    (":date created|confirmed|settled", "which time :from and :to apply to (settled: by when it was credited)"),
    (":tz ZONE", "show times and read dates in a zone: Europe/Berlin, UTC, local"),
    (":clear", "drop every filter of the pane"),
    (":profile NAME  :profiles", "switch profile without restarting / list them"),
    (":search TEXT", "search links and transactions in the mirror (also S)"),
    (":sort COLUMN [asc|desc]", "sort the pane: created, amount, currency, status, description, settled, link"),
    (":alerts", "this session's alerts, newest first (the footer shows the last one)"),
    (":marks clear", "unmark every row of the pane (space marks one, V a range)"),
    (":view NAME  :views", "open a saved view (a tab after the panes) / list them with their counts"),
    (":save NAME  :save! NAME", "save this pane's filters, search and sort as a view in the config file / replace one"),
];

fn is_id(word: &str) -> bool {
    ["pl_", "txn_", "wh_"].iter().any(|prefix| word.starts_with(prefix))
}

impl Command {
    /// Reads a `:` line; dates are read in the agent's zone.
    pub fn parse(line: &str, reading: Reading<'_>) -> Result<Command, CommandError> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let unknown = || {
            CommandError(format!(
                "unknown command {:?}: paste an id (pl_…, txn_…, wh_…) or use status, currency, link, from, to, \
                 date, tz, clear, profile, profiles, alerts, search, sort, marks, view, views, save",
                crate::sanitize::for_terminal_truncated(line.trim(), 40)
            ))
        };
        let (&first, rest) = words.split_first().ok_or_else(|| CommandError("type an id or a command".into()))?;
        // The search takes the rest of the line as it is.
        if first == "search" {
            let text = line.trim_start().strip_prefix("search").unwrap_or("").trim();
            return Ok(Command::Search(text.to_string()));
        }
        if first == "sort" {
            return Ok(Command::Sort(rest.join(" ")));
        }
        // A view's name may have spaces.
        let named = || line.trim_start().split_once(char::is_whitespace).map(|(_, name)| name.trim().to_string());
        match (first, named()) {
            ("view", Some(name)) if !name.is_empty() => return Ok(Command::View(name)),
            ("view", _) => return Err(CommandError("view: name one (see :views)".into())),
            ("save" | "save!", Some(name)) if !name.is_empty() => return Ok(Command::Save(name, first == "save!")),
            ("save" | "save!", _) => return Err(CommandError("save: name the view, as in :save big unpaid".into())),
            _ => {}
        }
        if rest.len() > 1 {
            return Err(CommandError(format!("{first} takes at most one value")));
        }
        let value = rest.first().map(|v| v.to_string());
        let when = |bound| -> Result<Option<DateTime<Utc>>, CommandError> {
            match &value {
                None => Ok(None),
                Some(text) => date_arg::parse(text, bound, reading.zone, reading.now)
                    .map(Some)
                    .ok_or_else(|| CommandError(format!("{first}: use {}", date_arg::EXPECTED))),
            }
        };
        Ok(match (first, &value) {
            (id, None) if is_id(id) => Command::Jump(id.to_string()),
            ("q" | "quit", None) => Command::Quit,
            ("clear", None) => Command::Clear,
            ("profiles", None) => Command::Profiles,
            ("alerts", None) => Command::Alerts,
            ("audit", None) => Command::Audit,
            ("views", None) => Command::Views,
            ("marks", Some(clear)) if clear == "clear" => Command::ClearMarks,
            ("marks", _) => return Err(CommandError("marks: type :marks clear to unmark every row".into())),
            ("profile", Some(name)) => Command::Profile(name.clone()),
            ("profile", None) => return Err(CommandError("profile: name one (see :profiles)".into())),
            ("status", _) => Command::Status(value),
            ("currency", _) => Command::Currency(value.map(|v| v.to_uppercase())),
            ("link", _) => Command::Link(value),
            ("from", _) => Command::From(when(Bound::Start)?),
            ("to", _) => Command::To(when(Bound::End)?),
            ("date", Some(field)) => Command::Date(DateField::parse(field).ok_or_else(|| {
                CommandError("date: created, confirmed or settled (which time :from and :to apply to)".into())
            })?),
            ("date", None) => Command::Date(DateField::Created),
            ("tz", Some(zone)) => Command::Tz(zone.clone()),
            ("tz", None) => return Err(CommandError("tz: name a zone, such as Europe/Berlin, UTC or local".into())),
            _ => return Err(unknown()),
        })
    }
}

impl App {
    pub(super) fn run_command(&mut self, command: Command, cmds: &mut Vec<Cmd>) {
        match command {
            Command::Jump(id) => self.jump(&id, cmds),
            Command::Quit => cmds.push(Cmd::Quit),
            Command::ClearMarks => self.clear_marks(),
            Command::View(name) => self.view_command(&name),
            Command::Views => self.views_list(),
            Command::Save(name, replace) => self.save_view(&name, replace, cmds),
            Command::Clear => {
                match self.pane {
                    Pane::Links => self.set_links_filter(LinkFilter::default()),
                    Pane::Transactions => self.set_transactions_filter(TransactionFilter::default()),
                    Pane::Webhooks | Pane::Events | Pane::Search | Pane::Overview => {}
                }
                self.search_for("");
                self.list_mut(self.pane).set_text_filter("");
            }
            Command::Status(value) => self.status_command(value),
            Command::Currency(currency) => {
                // A code no payment has is said, once the list comes back empty.
                self.unheard_currency = currency.clone();
                let filter = TransactionFilter { currency, ..self.transactions.filter.clone() };
                self.set_transactions_filter(filter);
            }
            Command::Link(link) => self.link_filter(link, cmds),
            Command::From(from) => {
                let filter = TransactionFilter { from, ..self.transactions.filter.clone() };
                self.set_transactions_filter(filter);
            }
            Command::To(to) => {
                let filter = TransactionFilter { to, ..self.transactions.filter.clone() };
                self.set_transactions_filter(filter);
            }
            Command::Date(date) => {
                let filter = TransactionFilter { date, ..self.transactions.filter.clone() };
                self.set_transactions_filter(filter);
            }
            Command::Tz(name) => cmds.push(Cmd::LoadZone(name)),
            Command::Profiles => {
                let current = self.settings.profile.as_deref().unwrap_or("none");
                let text = if self.settings.profiles.is_empty() {
                    self.no_profiles()
                } else {
                    format!("profiles: {} (now: {current})", self.settings.profiles.join(", "))
                };
                self.notify(crate::sanitize::for_terminal_truncated(&text, 200), false);
            }
            Command::Search(text) => self.open_search(&text),
            Command::Sort(text) => self.sort_command(&text),
            Command::Alerts => self.open_alert_log(),
            Command::Audit => self.open_audit(cmds),
            Command::Profile(name) => {
                if self.bulk_run().is_some() {
                    // Its requests go by this profile's client and agent.
                    self.notify("the marked links are being deactivated: switch once the report is in", true);
                } else if self.settings.profiles.is_empty() {
                    let text = self.no_profiles();
                    self.notify(crate::sanitize::for_terminal_truncated(&text, 200), true);
                } else if !self.settings.profiles.contains(&name) {
                    let known = self.settings.profiles.join(", ");
                    let name = crate::sanitize::for_terminal_truncated(&name, 40);
                    self.notify(format!("no profile {name:?}; known: {known}"), true);
                } else {
                    self.notify(format!("switching to {name}…"), false);
                    self.switching = Some(name.clone());
                    cmds.push(Cmd::SwitchProfile(name));
                }
            }
        }
    }

    /// `:tz`'s answer: times are shown in that zone from now on.
    pub(super) fn zone_loaded(&mut self, result: Result<crate::zone::Zone, String>) {
        match result {
            Ok(zone) => {
                let text = format!("times are shown in {}", zone.words(self.now));
                self.settings.zone = zone;
                self.overview_again();
                self.notify(crate::sanitize::for_terminal_truncated(&text, 100), false);
            }
            Err(why) => self.notify(crate::sanitize::for_terminal_truncated(&why, 160), true),
        }
    }

    /// Where profiles would be written, when there are none.
    fn no_profiles(&self) -> String {
        match &self.settings.config_path {
            Some(path) => format!("no profiles are configured: add [profiles.NAME] tables to {path}"),
            None => "no profiles are configured, and this system has no config folder for them".to_string(),
        }
    }

    /// `:status S`: checked against the visible pane's statuses.
    fn status_command(&mut self, value: Option<String>) {
        fn known<T: Clone>(values: &[T], text: &str, parse: fn(&str) -> T, name: fn(&T) -> &str) -> Option<T> {
            let parsed = parse(text);
            values.iter().any(|v| name(v) == name(&parsed)).then_some(parsed)
        }
        match self.pane {
            Pane::Links => {
                let status = match value.as_deref() {
                    None => None,
                    Some(text) => match known(LinkStatus::KNOWN, text, LinkStatus::parse, LinkStatus::as_str) {
                        Some(status) => Some(status),
                        None => return self.refuse_status(LinkStatus::KNOWN.iter().map(LinkStatus::as_str)),
                    },
                };
                self.set_links_filter(LinkFilter { status });
            }
            Pane::Transactions => {
                let status = match value.as_deref() {
                    None => None,
                    Some(text) => {
                        match known(TransactionStatus::KNOWN, text, TransactionStatus::parse, TransactionStatus::as_str)
                        {
                            Some(status) => Some(status),
                            None => {
                                return self
                                    .refuse_status(TransactionStatus::KNOWN.iter().map(TransactionStatus::as_str));
                            }
                        }
                    }
                };
                let filter = TransactionFilter { status, ..self.transactions.filter.clone() };
                self.set_transactions_filter(filter);
            }
            Pane::Webhooks | Pane::Events | Pane::Search | Pane::Overview => {
                self.notify("this pane has no status filter in the PIK API; use / to search or filter", false)
            }
        }
    }

    fn refuse_status<'a>(&mut self, statuses: impl Iterator<Item = &'a str>) {
        let statuses: Vec<&str> = statuses.collect();
        self.notify(format!("status must be one of: {}", statuses.join(", ")), true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn the_command_table() {
        let zone = crate::zone::Zone::utc();
        let rules = crate::cases::CaseRules::default();
        let reading = Reading { zone: &zone, now: crate::test_support::t0(), cases: &rules };
        let table: &[(&str, Result<Command, &str>)] = &[
            ("pl_abc", Ok(Command::Jump("pl_abc".into()))),
            ("  txn_04242 ", Ok(Command::Jump("txn_04242".into()))),
            ("wh_1", Ok(Command::Jump("wh_1".into()))),
            ("q", Ok(Command::Quit)),
            ("quit", Ok(Command::Quit)),
            ("clear", Ok(Command::Clear)),
            ("status", Ok(Command::Status(None))),
            ("status paid", Ok(Command::Status(Some("paid".into())))),
            ("currency usdt", Ok(Command::Currency(Some("USDT".into())))),
            ("link pl_1", Ok(Command::Link(Some("pl_1".into())))),
            ("link", Ok(Command::Link(None))),
            ("from 2024-01-15", Ok(Command::From(at("2024-01-15T00:00:00Z")))),
            ("to 2024-01-16", Ok(Command::To(at("2024-01-16T23:59:59Z")))),
            ("to 2024-01-16T10:00:00Z", Ok(Command::To(at("2024-01-16T10:00:00Z")))),
            ("from", Ok(Command::From(None))),
            ("profile live", Ok(Command::Profile("live".into()))),
            ("profiles", Ok(Command::Profiles)),
            ("search Order #1234 status:paid", Ok(Command::Search("Order #1234 status:paid".into()))),
            ("search", Ok(Command::Search(String::new()))),
            ("sort amount desc", Ok(Command::Sort("amount desc".into()))),
            ("date settled", Ok(Command::Date(DateField::Settled))),
            ("date", Ok(Command::Date(DateField::Created))),
            ("date paid", Err("date: created, confirmed or settled")),
            ("tz Europe/Berlin", Ok(Command::Tz("Europe/Berlin".into()))),
            ("tz", Err("tz: name a zone")),
            ("from someday", Err("from: use a date like 2026-11-29")),
            ("profile", Err("profile: name one")),
            ("status paid settled", Err("status takes at most one value")),
            ("nonsense", Err("unknown command")),
            ("pl_a pl_b", Err("unknown command")),
            ("clear now", Err("unknown command")),
            ("", Err("type an id or a command")),
        ];
        for (text, expected) in table {
            let parsed = Command::parse(text, reading);
            match (expected, &parsed) {
                (Ok(want), Ok(got)) => assert_eq!(got, want, "{text:?}"),
                (Err(words), Err(error)) => assert!(error.0.starts_with(words), "{text:?}: {error}"),
                _ => panic!("{text:?}: expected {expected:?}, got {parsed:?}"),
            }
        }
    }
}
