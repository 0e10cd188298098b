//! Keys as data: one table says which key does what, where, whether it
//! writes, and how the footer and the `?` overlay describe it. The app looks
//! keys up here; the ui draws hints and help from here; read-only mode hides
//! the bindings marked as writes. Adding a key is one line in `defaults.rs`.
//!
//! Users add or change bindings in the config file (`[keys]`): a user's key
//! takes over that key from any default binding in the same place, `"none"`
//! unbinds a key, and two user lines giving one key two actions in one place
//! are refused, naming both lines.

mod defaults;

use super::input::{Key, parse_key};
use super::pane::Pane;

/// Everything a key can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ShowOverview,
    ShowLinks,
    ShowTransactions,
    ShowWebhooks,
    ShowEvents,
    ShowSearch,
    NextPane,
    PrevPane,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Open,
    Back,
    NewLink,
    NewWebhook,
    Deactivate,
    Verify,
    CycleStatus,
    CycleCurrency,
    /// Sort by the column left or right of the sort column.
    SortPrev,
    SortNext,
    /// Turn the sort order round.
    SortInvert,
    // The Overview.
    NextPeriod,
    PrevPeriod,
    NextChartCurrency,
    PrevChartCurrency,
    /// Which cases the list shows: open, mine, unclaimed, resolved today.
    CaseFilter,
    LinkTransactions,
    ShowCase,
    PaymentLink,
    Export,
    /// Copy the checkout URL of the link shown.
    CopyCheckoutUrl,
    /// Copy the block explorer's page of the transaction shown.
    CopyExplorerUrl,
    /// Copy the ids of the marked rows, or the selected row's.
    CopyIds,
    /// Mark or unmark the selected row.
    Mark,
    /// Mark the rows from the one last marked to the selected one.
    MarkRange,
    Filter,
    Command,
    Refresh,
    Pause,
    Help,
    Quit,
    // The result view of a created link.
    CopyCreated,
    AnotherLink,
    CloseResult,
    // The deactivation question.
    AnswerYes,
    AnswerNo,
    ToggleAnswer,
    ChooseAnswer,
    // The one-time secret.
    CopySecret,
    SecretSaved,
}

/// Config names, in one place: `(action, name)`.
const NAMES: &[(Action, &str)] = &[
    (Action::ShowOverview, "overview"),
    (Action::ShowLinks, "links"),
    (Action::ShowTransactions, "transactions"),
    (Action::ShowWebhooks, "webhooks"),
    (Action::ShowEvents, "events"),
    (Action::ShowSearch, "search_view"),
    (Action::NextPane, "next_pane"),
    (Action::PrevPane, "prev_pane"),
    (Action::Up, "up"),
    (Action::Down, "down"),
    (Action::PageUp, "page_up"),
    (Action::PageDown, "page_down"),
    (Action::First, "first"),
    (Action::Last, "last"),
    (Action::Open, "open"),
    (Action::Back, "back"),
    (Action::NewLink, "new_link"),
    (Action::NewWebhook, "new_webhook"),
    (Action::Deactivate, "deactivate"),
    (Action::Verify, "verify"),
    (Action::CycleStatus, "cycle_status"),
    (Action::CycleCurrency, "cycle_currency"),
    (Action::SortPrev, "sort_prev"),
    (Action::SortNext, "sort_next"),
    (Action::SortInvert, "sort_invert"),
    (Action::NextPeriod, "next_period"),
    (Action::CaseFilter, "case_filter"),
    (Action::PrevPeriod, "prev_period"),
    (Action::NextChartCurrency, "next_chart_currency"),
    (Action::PrevChartCurrency, "prev_chart_currency"),
    (Action::LinkTransactions, "link_transactions"),
    (Action::ShowCase, "case"),
    (Action::PaymentLink, "payment_link"),
    (Action::Export, "export"),
    (Action::CopyCheckoutUrl, "copy_url"),
    (Action::CopyExplorerUrl, "copy_explorer_url"),
    (Action::CopyIds, "copy_ids"),
    (Action::Mark, "mark"),
    (Action::MarkRange, "mark_range"),
    (Action::Filter, "filter"),
    (Action::Command, "command"),
    (Action::Refresh, "refresh"),
    (Action::Pause, "pause"),
    (Action::Help, "help"),
    (Action::Quit, "quit"),
    (Action::CopyCreated, "copy_created_url"),
    (Action::AnotherLink, "another_link"),
    (Action::CloseResult, "close_result"),
    (Action::AnswerYes, "answer_yes"),
    (Action::AnswerNo, "answer_no"),
    (Action::ToggleAnswer, "toggle_answer"),
    (Action::ChooseAnswer, "choose_answer"),
    (Action::CopySecret, "copy_secret"),
    (Action::SecretSaved, "secret_saved"),
];

impl Action {
    /// The name used in the config file's `[keys]` table.
    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(action, _)| *action == self).map(|(_, name)| *name).unwrap_or("?")
    }

    pub fn from_name(name: &str) -> Option<Action> {
        NAMES.iter().find(|(_, known)| *known == name).map(|(action, _)| *action)
    }
}

/// A set of panes, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PaneSet(u8);

impl PaneSet {
    pub const ALL: PaneSet = PaneSet(u8::MAX);

    pub const fn of(panes: &[Pane]) -> PaneSet {
        let mut bits = 0u8;
        let mut i = 0;
        while i < panes.len() {
            bits |= 1 << panes[i].bit();
            i += 1;
        }
        PaneSet(bits)
    }

    pub fn contains(self, pane: Pane) -> bool {
        self.0 & (1 << pane.bit()) != 0
    }

    fn overlaps(self, other: PaneSet) -> bool {
        self.0 & other.0 != 0
    }
}

/// Where a binding applies: the list of some panes, or one dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Panes(PaneSet),
    Result,
    Confirm,
    Secret,
}

impl Scope {
    fn overlaps(self, other: Scope) -> bool {
        match (self, other) {
            (Scope::Panes(a), Scope::Panes(b)) => a.overlaps(b),
            (a, b) => a == b,
        }
    }

    pub fn applies(self, context: Context) -> bool {
        match (self, context) {
            (Scope::Panes(set), Context::Pane(pane)) => set.contains(pane),
            (scope, context) => scope.dialog() == Some(context),
        }
    }

    fn dialog(self) -> Option<Context> {
        match self {
            Scope::Panes(_) => None,
            Scope::Result => Some(Context::Result),
            Scope::Confirm => Some(Context::Confirm),
            Scope::Secret => Some(Context::Secret),
        }
    }

    /// Words for an error message: "in the Links pane", "in the result view".
    fn words(self) -> String {
        match self {
            Scope::Panes(set) if set == PaneSet::ALL => "in every pane".to_string(),
            Scope::Panes(set) => {
                let names: Vec<&str> = Pane::ALL.iter().filter(|p| set.contains(**p)).map(|p| p.title()).collect();
                format!("in the {} pane{}", names.join("/"), if names.len() > 1 { "s" } else { "" })
            }
            Scope::Result => "in the created-link view".to_string(),
            Scope::Confirm => "in the deactivate question".to_string(),
            Scope::Secret => "in the secret dialog".to_string(),
        }
    }
}

/// Where keys are being pressed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Pane(Pane),
    Result,
    Confirm,
    Secret,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<Key>,
    pub scope: Scope,
    /// Changes something at PIK: hidden and refused in read-only mode.
    pub write: bool,
    /// Words for the footer; bindings without one are in the help only.
    pub hint: Option<&'static str>,
    /// The line in the `?` overlay. Neighbours with the same text share a line.
    pub help: &'static str,
}

/// A `[keys]` line from the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserKey {
    pub line: usize,
    pub key: String,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct KeymapError {
    pub line: usize,
    pub message: String,
}

/// One footer hint: key labels and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub words: &'static str,
}

/// One line of the help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLine {
    pub keys: String,
    pub words: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap { bindings: defaults::bindings() }
    }
}

impl Keymap {
    /// A keymap of exactly these bindings (tests add rows this way).
    pub fn from_bindings(bindings: Vec<Binding>) -> Self {
        Keymap { bindings }
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The defaults with the user's `[keys]` lines applied.
    pub fn with_user(lines: &[UserKey]) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        // (key, scope, action, line) of each user line, to find clashes among them.
        let mut taken: Vec<(Key, Scope, Action, usize)> = Vec::new();
        for line in lines {
            let key = parse_key(&line.key).map_err(|message| KeymapError { line: line.line, message })?;
            if key == Key::ctrl('c') {
                return Err(KeymapError {
                    line: line.line,
                    message: "ctrl-c always quits and cannot be bound to anything else".into(),
                });
            }
            if line.action.trim() == "none" {
                for binding in &mut keymap.bindings {
                    binding.keys.retain(|k| *k != key);
                }
                continue;
            }
            let Some(action) = Action::from_name(line.action.trim()) else {
                return Err(KeymapError {
                    line: line.line,
                    message: format!(
                        "unknown action {:?}; known actions: {}",
                        crate::sanitize::for_terminal_truncated(&line.action, 40),
                        NAMES.iter().map(|(_, name)| *name).collect::<Vec<_>>().join(", ")
                    ),
                });
            };
            let Some(scope) = keymap.bindings.iter().find(|b| b.action == action).map(|b| b.scope) else {
                continue;
            };
            if let Some((_, other_scope, other, other_line)) =
                taken.iter().find(|(k, s, a, _)| *k == key && s.overlaps(scope) && *a != action)
            {
                return Err(KeymapError {
                    line: line.line,
                    message: format!(
                        "{:?} is bound to both {} and {} (line {other_line}) {}",
                        line.key,
                        action.name(),
                        other.name(),
                        scope.words().min(other_scope.words())
                    ),
                });
            }
            taken.push((key, scope, action, line.line));
            // The user's key takes over from defaults in the same place.
            for binding in &mut keymap.bindings {
                if binding.action != action && binding.scope.overlaps(scope) {
                    binding.keys.retain(|k| *k != key);
                }
            }
            if let Some(binding) = keymap.bindings.iter_mut().find(|b| b.action == action)
                && !binding.keys.contains(&key)
            {
                // First in the list, so the footer shows the user's key.
                binding.keys.insert(0, key);
            }
        }
        Ok(keymap)
    }

    /// The binding a key triggers here, if any.
    pub fn lookup(&self, context: Context, key: Key) -> Option<&Binding> {
        self.bindings.iter().find(|b| b.scope.applies(context) && b.keys.contains(&key))
    }

    /// The footer's hints here, in table order; neighbours with the same
    /// words share one hint ("↑↓ move").
    pub fn hints(&self, context: Context, read_only: bool, offered: impl Fn(Action) -> bool) -> Vec<Hint> {
        let mut hints: Vec<Hint> = Vec::new();
        for binding in self.bindings.iter().filter(|b| b.scope.applies(context)) {
            let (Some(words), Some(key)) = (binding.hint, binding.keys.first()) else { continue };
            if (binding.write && read_only) || !offered(binding.action) {
                continue;
            }
            let label = key.label();
            match hints.last_mut() {
                Some(last) if last.words == words => {
                    let single = |s: &str| unicode_width::UnicodeWidthStr::width(s) == 1;
                    if single(&label) && last.keys.chars().all(|c| single(&c.to_string())) {
                        last.keys.push_str(&label);
                    } else {
                        last.keys.push('/');
                        last.keys.push_str(&label);
                    }
                }
                _ => hints.push(Hint { keys: label, words }),
            }
        }
        hints
    }

    /// The help overlay's key lines for the panes, in table order.
    pub fn help(&self, read_only: bool, offered: impl Fn(Action) -> bool) -> Vec<HelpLine> {
        let mut lines: Vec<HelpLine> = Vec::new();
        for binding in self.bindings.iter().filter(|b| matches!(b.scope, Scope::Panes(_))) {
            if binding.keys.is_empty() || (binding.write && read_only) || !offered(binding.action) {
                continue;
            }
            let keys: Vec<String> = binding.keys.iter().map(Key::label).collect();
            let keys = keys.join(" ");
            match lines.last_mut() {
                Some(last) if last.words == binding.help => {
                    last.keys.push(' ');
                    last.keys.push_str(&keys);
                }
                _ => lines.push(HelpLine { keys, words: binding.help }),
            }
        }
        lines
    }

    /// The keys bound to an action, as shown ("n", "^n").
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.bindings.iter().filter(|b| b.action == action).flat_map(|b| b.keys.iter().map(Key::label)).collect()
    }
}

#[cfg(test)]
mod tests;
