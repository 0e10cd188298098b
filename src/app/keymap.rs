//! Keys as data: one table says which key does what, where, whether it
//! writes, and how the footer and the `?` overlay describe it. The app looks
//! keys up here; the ui draws hints and help from here; read-only mode hides
//! the bindings marked as writes. Adding a key is one line in [`DEFAULTS`].
//!
//! Users add or change bindings in the config file (`[keys]`): a user's key
//! takes over that key from any default binding in the same place, `"none"`
//! unbinds a key, and two user lines giving one key two actions in one place
//! are refused, naming both lines.

use super::input::{Key, KeyCode};
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
    // The Overview.
    NextPeriod,
    PrevPeriod,
    NextChartCurrency,
    PrevChartCurrency,
    LinkTransactions,
    Export,
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
    (Action::NextPeriod, "next_period"),
    (Action::PrevPeriod, "prev_period"),
    (Action::NextChartCurrency, "next_chart_currency"),
    (Action::PrevChartCurrency, "prev_chart_currency"),
    (Action::LinkTransactions, "link_transactions"),
    (Action::Export, "export"),
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

const fn plain(code: KeyCode) -> Key {
    Key::plain(code)
}

const fn ch(c: char) -> Key {
    Key::char(c)
}

const fn ctrl(c: char) -> Key {
    Key::ctrl(c)
}

struct Row {
    action: Action,
    keys: &'static [Key],
    scope: Scope,
    write: bool,
    hint: Option<&'static str>,
    help: &'static str,
}

const fn row(
    action: Action,
    keys: &'static [Key],
    scope: Scope,
    hint: Option<&'static str>,
    help: &'static str,
) -> Row {
    Row { action, keys, scope, write: false, hint, help }
}

const fn write(
    action: Action,
    keys: &'static [Key],
    scope: Scope,
    hint: Option<&'static str>,
    help: &'static str,
) -> Row {
    Row { action, keys, scope, write: true, hint, help }
}

const EVERYWHERE: Scope = Scope::Panes(PaneSet::ALL);
const LISTS: Scope = Scope::Panes(PaneSet::ALL);
const LINKS: Scope = Scope::Panes(PaneSet::of(&[Pane::Links]));
const TRANSACTIONS: Scope = Scope::Panes(PaneSet::of(&[Pane::Transactions]));
const WEBHOOKS: Scope = Scope::Panes(PaneSet::of(&[Pane::Webhooks]));
const LINKS_AND_TRANSACTIONS: Scope = Scope::Panes(PaneSet::of(&[Pane::Links, Pane::Transactions]));
const OVERVIEW: Scope = Scope::Panes(PaneSet::of(&[Pane::Overview]));
const EXPORTABLE: Scope = Scope::Panes(PaneSet::of(&[Pane::Links, Pane::Transactions, Pane::Search]));

const SWITCH: &str = "switch pane: overview, links, transactions, webhooks, events";

/// The default keys. The order is the footer's and the help's order.
const DEFAULTS: &[Row] = &[
    row(Action::ShowOverview, &[ch('0')], EVERYWHERE, None, SWITCH),
    row(Action::ShowLinks, &[ch('1')], EVERYWHERE, None, SWITCH),
    row(Action::ShowTransactions, &[ch('2')], EVERYWHERE, None, SWITCH),
    row(Action::ShowWebhooks, &[ch('3')], EVERYWHERE, None, SWITCH),
    row(Action::ShowEvents, &[ch('4')], EVERYWHERE, None, SWITCH),
    row(Action::NextPane, &[plain(KeyCode::Tab)], EVERYWHERE, None, SWITCH),
    row(Action::PrevPane, &[plain(KeyCode::BackTab)], EVERYWHERE, None, SWITCH),
    row(Action::ShowSearch, &[ch('S')], EVERYWHERE, None, "the search view: links and transactions in the mirror"),
    row(Action::Up, &[plain(KeyCode::Up), ch('k')], LISTS, Some("move"), "move"),
    row(Action::Down, &[plain(KeyCode::Down), ch('j')], LISTS, Some("move"), "move"),
    row(Action::PageUp, &[plain(KeyCode::PageUp), ctrl('b'), ctrl('u')], LISTS, None, "page up, page down"),
    row(Action::PageDown, &[plain(KeyCode::PageDown), ctrl('f'), ctrl('d')], LISTS, None, "page up, page down"),
    row(Action::First, &[ch('g'), plain(KeyCode::Home)], LISTS, None, "first, last row"),
    row(Action::Last, &[ch('G'), plain(KeyCode::End)], LISTS, None, "first, last row"),
    row(Action::Open, &[plain(KeyCode::Enter)], LISTS, Some("open"), "open the detail / go back"),
    row(Action::Back, &[plain(KeyCode::Esc)], LISTS, None, "open the detail / go back"),
    write(Action::NewLink, &[ch('n')], LINKS_AND_TRANSACTIONS, Some("new link"), "new payment link"),
    write(Action::NewWebhook, &[ch('n')], WEBHOOKS, Some("register"), "register a webhook endpoint (Webhooks pane)"),
    write(Action::Deactivate, &[ch('d')], LINKS, Some("deactivate"), "deactivate the selected link (asks first)"),
    row(Action::Verify, &[ch('v')], WEBHOOKS, Some("verify"), "check a PIK-Signature (Webhooks pane)"),
    row(
        Action::CycleStatus,
        &[ch('s')],
        LINKS_AND_TRANSACTIONS,
        Some("status"),
        "cycle the status filter (sent to PIK)",
    ),
    row(Action::CycleCurrency, &[ch('c')], TRANSACTIONS, Some("currency"), "cycle the currency filter (transactions)"),
    row(Action::PrevPeriod, &[ch('[')], OVERVIEW, Some("period"), "the Overview's period: today, 7 days, 30 days"),
    row(Action::NextPeriod, &[ch(']')], OVERVIEW, Some("period"), "the Overview's period: today, 7 days, 30 days"),
    row(
        Action::PrevChartCurrency,
        &[plain(KeyCode::Left), ch('h')],
        OVERVIEW,
        Some("currency"),
        "the currency of the Overview's chart",
    ),
    row(
        Action::NextChartCurrency,
        &[plain(KeyCode::Right), ch('l')],
        OVERVIEW,
        Some("currency"),
        "the currency of the Overview's chart",
    ),
    row(Action::LinkTransactions, &[ch('t')], LINKS, Some("txns"), "the selected link's transactions"),
    row(Action::Filter, &[ch('/')], LISTS, Some("find"), "search the mirror (without one: filter the loaded rows)"),
    row(
        Action::Export,
        &[ch('e')],
        EXPORTABLE,
        Some("export"),
        "export every row the pane or search matches to CSV or JSON Lines",
    ),
    row(
        Action::Command,
        &[ch(':')],
        EVERYWHERE,
        Some("jump"),
        "jump to an id (paste pl_…, txn_…, wh_…) or run a command",
    ),
    row(Action::Refresh, &[ch('r')], EVERYWHERE, None, "refresh now"),
    row(Action::Pause, &[ch('p')], EVERYWHERE, None, "pause / resume live updates"),
    row(Action::Help, &[ch('?')], EVERYWHERE, Some("help"), "this help / quit"),
    row(Action::Quit, &[ch('q')], EVERYWHERE, Some("quit"), "this help / quit"),
    row(Action::CopyCreated, &[ch('y')], Scope::Result, Some("copy URL"), "copy the URL"),
    row(Action::AnotherLink, &[ch('n')], Scope::Result, Some("another link"), "make another link"),
    row(
        Action::CloseResult,
        &[plain(KeyCode::Esc), plain(KeyCode::Enter), ch('q')],
        Scope::Result,
        Some("back to links"),
        "back to the links",
    ),
    row(Action::AnswerYes, &[ch('y'), ch('Y')], Scope::Confirm, Some("yes"), "yes"),
    row(Action::AnswerNo, &[ch('n'), ch('N'), plain(KeyCode::Esc)], Scope::Confirm, Some("no"), "no"),
    row(
        Action::ToggleAnswer,
        &[plain(KeyCode::Tab), plain(KeyCode::BackTab), plain(KeyCode::Left), plain(KeyCode::Right)],
        Scope::Confirm,
        None,
        "toggle the answer",
    ),
    row(Action::ChooseAnswer, &[plain(KeyCode::Enter)], Scope::Confirm, Some("the highlighted answer"), "choose"),
    row(Action::CopySecret, &[ch('y')], Scope::Secret, Some("copy"), "copy the secret"),
    row(Action::SecretSaved, &[plain(KeyCode::Enter)], Scope::Secret, Some("I have saved it"), "the secret is saved"),
];

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
        let bindings = DEFAULTS
            .iter()
            .map(|row| Binding {
                action: row.action,
                keys: row.keys.to_vec(),
                scope: row.scope,
                write: row.write,
                hint: row.hint,
                help: row.help,
            })
            .collect();
        Keymap { bindings }
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

impl Key {
    /// How a key is shown in hints and help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "⏎".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Backspace => "⌫".into(),
            KeyCode::Delete => "del".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "⇧Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("^{base}"),
            (false, true) => format!("M-{base}"),
            (false, false) => base,
        }
    }
}

/// Reads a key as the config file writes it: `x`, `G`, `?`, `ctrl-n`,
/// `alt-x`, `enter`, `esc`, `tab`, `shift-tab`, `space`, `up`, `pgdn`, `f`...
pub fn parse_key(text: &str) -> Result<Key, String> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let (ctrl, alt, rest) = if let Some(rest) = lower.strip_prefix("ctrl-").or_else(|| lower.strip_prefix("c-")) {
        (true, false, &trimmed[trimmed.len() - rest.len()..])
    } else if let Some(rest) = lower.strip_prefix("alt-").or_else(|| lower.strip_prefix("m-")) {
        (false, true, &trimmed[trimmed.len() - rest.len()..])
    } else {
        (false, false, trimmed)
    };
    let code = match rest.to_ascii_lowercase().as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "shift-tab" | "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        _ => {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => {
                    // With ctrl, letters are case-blind, as terminals send them.
                    KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
                }
                _ => {
                    return Err(format!(
                        "{:?} is not a key: use one character (x, G, ?), or ctrl-x, alt-x, enter, esc, tab, \
                         shift-tab, space, backspace, delete, up, down, left, right, pgup, pgdn, home, end",
                        crate::sanitize::for_terminal_truncated(text, 30)
                    ));
                }
            }
        }
    };
    Ok(Key { code, ctrl, alt })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(line: usize, key: &str, action: &str) -> UserKey {
        UserKey { line, key: key.into(), action: action.into() }
    }

    #[test]
    fn the_defaults_have_no_clashes_and_every_action_a_name() {
        let keymap = Keymap::default();
        for (i, a) in keymap.bindings().iter().enumerate() {
            assert_ne!(a.action.name(), "?", "{:?} has no config name", a.action);
            for b in &keymap.bindings()[i + 1..] {
                if a.scope.overlaps(b.scope) {
                    let shared: Vec<_> = a.keys.iter().filter(|k| b.keys.contains(k)).collect();
                    assert!(shared.is_empty(), "{:?} and {:?} share {shared:?}", a.action, b.action);
                }
            }
        }
        for (action, name) in NAMES {
            assert_eq!(Action::from_name(name), Some(*action));
        }
    }

    #[test]
    fn keys_parse_as_the_config_writes_them() {
        for (text, key) in [
            ("x", Key::char('x')),
            ("G", Key::char('G')),
            ("?", Key::char('?')),
            ("ctrl-n", Key::ctrl('n')),
            ("Ctrl-N", Key::ctrl('n')),
            ("alt-x", Key { code: KeyCode::Char('x'), ctrl: false, alt: true }),
            ("enter", Key::plain(KeyCode::Enter)),
            ("shift-tab", Key::plain(KeyCode::BackTab)),
            ("space", Key::char(' ')),
            ("pgdn", Key::plain(KeyCode::PageDown)),
        ] {
            assert_eq!(parse_key(text), Ok(key), "{text}");
        }
        for bad in ["", "xy", "ctrl-", "f13", "\u{1b}"] {
            assert!(parse_key(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_user_key_takes_over_and_the_defaults_stay() {
        let keymap = Keymap::with_user(&[user(3, "ctrl-n", "new_link"), user(4, "x", "deactivate")]);
        let Ok(keymap) = keymap else { panic!("{keymap:?}") };
        let links = Context::Pane(Pane::Links);
        assert_eq!(keymap.lookup(links, Key::ctrl('n')).map(|b| b.action), Some(Action::NewLink));
        assert_eq!(keymap.lookup(links, Key::char('x')).map(|b| b.action), Some(Action::Deactivate));
        assert_eq!(keymap.lookup(links, Key::char('d')).map(|b| b.action), Some(Action::Deactivate));
        // A user key used by a default elsewhere moves to the user's action there.
        let Ok(keymap) = Keymap::with_user(&[user(1, "d", "first")]) else { panic!() };
        assert_eq!(keymap.lookup(links, Key::char('d')).map(|b| b.action), Some(Action::First));
        // "none" unbinds.
        let Ok(keymap) = Keymap::with_user(&[user(1, "q", "none")]) else { panic!() };
        assert_eq!(keymap.lookup(links, Key::char('q')), None);
    }

    #[test]
    fn clashes_unknown_actions_and_bad_keys_name_their_line() {
        let clash = Keymap::with_user(&[user(2, "x", "deactivate"), user(5, "x", "new_link")]);
        let Err(error) = clash else { panic!("accepted: {clash:?}") };
        assert_eq!(error.line, 5);
        assert!(error.message.contains("line 2") && error.message.contains("deactivate"), "{error}");
        // The same key for actions that never meet is fine.
        assert!(Keymap::with_user(&[user(1, "x", "deactivate"), user(2, "x", "verify")]).is_ok());
        let unknown = Keymap::with_user(&[user(7, "x", "launch_rockets")]);
        assert!(matches!(unknown, Err(KeymapError { line: 7, ref message }) if message.contains("unknown action")));
        let bad = Keymap::with_user(&[user(9, "ctrl+x", "quit")]);
        assert!(matches!(bad, Err(KeymapError { line: 9, .. })));
        let reserved = Keymap::with_user(&[user(4, "ctrl-c", "help")]);
        assert!(matches!(reserved, Err(KeymapError { line: 4, .. })));
    }

    #[test]
    fn hints_merge_neighbours_and_read_only_drops_writes() {
        let keymap = Keymap::default();
        let hints = keymap.hints(Context::Pane(Pane::Links), false, |_| true);
        let shown: Vec<String> = hints.iter().map(|h| format!("{} {}", h.keys, h.words)).collect();
        assert_eq!(shown[0], "↑↓ move");
        assert!(shown.contains(&"d deactivate".to_string()), "{shown:?}");
        let read_only = keymap.hints(Context::Pane(Pane::Links), true, |_| true);
        assert!(!read_only.iter().any(|h| h.words == "deactivate" || h.words == "new link"));
    }
}
