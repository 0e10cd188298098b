//! The default bindings: one line a key. The only place a key is added.

use super::super::input::{Key, KeyCode};
use super::super::pane::Pane;
use super::{Action, Binding, PaneSet, Scope};

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
const LINKS_AND_SEARCH: Scope = Scope::Panes(PaneSet::of(&[Pane::Links, Pane::Search]));
const PAYMENTS: Scope = Scope::Panes(PaneSet::of(&[Pane::Transactions, Pane::Search, Pane::Overview]));
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
    row(Action::CycleStatus, &[ch('s')], LINKS_AND_TRANSACTIONS, Some("status"), "cycle the status filter"),
    row(Action::CycleCurrency, &[ch('c')], TRANSACTIONS, Some("currency"), "cycle the currency filter (transactions)"),
    row(Action::SortPrev, &[ch('<')], LINKS_AND_TRANSACTIONS, None, "sort by the column to the left, right"),
    row(Action::SortNext, &[ch('>')], LINKS_AND_TRANSACTIONS, Some("sort"), "sort by the column to the left, right"),
    row(
        Action::SortInvert,
        &[ch('I')],
        LINKS_AND_TRANSACTIONS,
        None,
        "invert the sort order (also :sort COLUMN asc|desc)",
    ),
    row(
        Action::PrevPeriod,
        &[ch('[')],
        OVERVIEW,
        Some("period"),
        "the Overview's period: today, yesterday, 7 days, 30 days",
    ),
    row(
        Action::NextPeriod,
        &[ch(']')],
        OVERVIEW,
        Some("period"),
        "the Overview's period: today, yesterday, 7 days, 30 days",
    ),
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
    row(
        Action::CaseFilter,
        &[ch('f')],
        OVERVIEW,
        Some("cases"),
        "which cases the list shows: open, mine, unclaimed, resolved today",
    ),
    row(Action::LinkTransactions, &[ch('t')], LINKS, Some("txns"), "the selected link's transactions"),
    row(
        Action::ShowCase,
        &[ch('C')],
        LINKS_AND_TRANSACTIONS,
        Some("case"),
        "the order's case: its story, the next step",
    ),
    row(Action::PaymentLink, &[ch('L')], TRANSACTIONS, None, "the payment's link"),
    row(
        Action::Filter,
        &[ch('/')],
        LISTS,
        Some("find"),
        "search the mirror (webhooks, events, attention: filter the rows)",
    ),
    row(Action::Mark, &[ch(' ')], LISTS, None, "mark or unmark the row (then act on all marked: i, e, d)"),
    row(Action::MarkRange, &[ch('V')], LISTS, None, "mark every row from the one last marked to here (:marks clear)"),
    row(Action::CopyIds, &[ch('i')], LISTS, None, "copy the id of the row, or the ids of the marked rows, one a line"),
    row(Action::CopyCheckoutUrl, &[ch('y')], LINKS_AND_SEARCH, None, "copy the checkout URL of the link shown"),
    row(Action::CopyExplorerUrl, &[ch('o')], PAYMENTS, None, "copy the block explorer's page of the payment shown"),
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

/// The default table as the keymap keeps it.
pub(super) fn bindings() -> Vec<Binding> {
    DEFAULTS
        .iter()
        .map(|row| Binding {
            action: row.action,
            keys: row.keys.to_vec(),
            scope: row.scope,
            write: row.write,
            hint: row.hint,
            help: row.help,
        })
        .collect()
}
