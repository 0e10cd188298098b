//! The dashboard's state and rules. Pure: no I/O, no clock reads, no drawing.
//! Every input is a [`Msg`]; [`App::update`] changes the state and returns
//! the I/O it wants as [`Cmd`]s, which the worker runs. The time comes in as
//! an argument, so tests control the clock. See `docs/architecture.md`.
//!
//! `impl App` is split by concern: `keys` (keys, mouse, paste and the
//! actions they trigger), `reads` (what to read from the mirror when, and
//! what to tell the sync about the screen), `sort` (the panes' order),
//! `detail` (the open object and jumps by id), `writes` (the one path every
//! write goes through, and its answers), `command` (the `:` line).

pub mod alerts;
pub mod audit_view;
mod bulk;
pub mod case_handling;
pub mod case_view;
mod clock;
pub mod columns;
pub mod command;
mod detail;
pub mod dialogs;
mod exports;
mod filters;
pub mod forms;
pub mod input;
pub mod keymap;
mod keys;
pub mod layout;
pub mod list;
pub mod marks;
mod messages;
mod mode;
pub mod overview;
pub mod pane;
pub mod prompt;
mod reads;
pub mod resource;
pub mod search;
mod settings;
mod sort;
pub mod tabs;
mod view;
mod view_save;
pub mod views;
pub mod window;
mod writes;

pub use command::Command;
pub use detail::{Detail, DetailKind, Found, Subject};
pub use dialogs::{ConfirmDeactivate, CreatedLink, Dialog, Outcome, SecretDialog, Write};
pub use messages::{Cmd, ErrorInfo, ExportEvent, ListAsk, ListRows, Msg, ProfileInfo, Written};
pub use mode::Mode;
pub use pane::{HookList, LinkFilter, ListPane, Pane, TransactionFilter};
pub use reads::Connection;
pub use settings::{Environment, Settings, StoreKind};
pub use tabs::Tab;

use crate::api::{EventEnvelope, PaymentLink, Transaction};
use crate::desktop_notice::Notify;
use crate::sync::{Focus, MirrorStatus};
use alerts::{AlertRule, Alerts};
use chrono::{DateTime, Duration, Utc};
use exports::ExportRun;
use list::{LocalList, RequestId};
use overview::OverviewState;
use search::SearchView;

/// A short note in the footer (a jump that found nothing, a bad command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
    pub until: DateTime<Utc>,
    /// What it speaks of, when it should end with that rather than wait
    /// out its time ("looking up pl_…" ends when the detail comes).
    pub about: Option<String>,
}

/// Columns the header keeps for the profile, environment and connection.
const HEADER_RIGHT_ROOM: usize = 34;

/// What notices about the pane on screen (its sort, a key that works in
/// another, a row's refusal) are about: they end when it is left.
const ABOUT_THIS_PANE: &str = "this pane";

/// How long the notes given at start stay.
const NOTE_SECS: i64 = 20;

/// How long new and changed rows keep their + and *.
pub const NEWS_TTL_SECS: i64 = 30;

pub struct App {
    pub settings: Settings,
    pane: Pane,
    pub links: ListPane<PaymentLink>,
    pub transactions: ListPane<Transaction>,
    pub webhooks: HookList,
    pub events: LocalList<EventEnvelope>,
    pub overview: OverviewState,
    alerts: Alerts,
    /// The last alert that fired, shown while no other notice is.
    alert: Option<Notice>,
    /// Every alert of the session, for `:alerts`.
    alert_log: alerts::AlertLog,
    /// The export running in the background, if one is.
    export: Option<ExportRun>,
    /// `/` in the Links and Transactions panes, when there is a mirror.
    links_search: Option<SearchView>,
    transactions_search: Option<SearchView>,
    /// The Search pane's: links and transactions together.
    search: SearchView,
    /// The currency of the last link created, offered first next time.
    last_currency: String,
    mode: Mode,
    /// The open detail; none means closed.
    detail: Option<Detail>,
    /// A currency `:currency` asked for, until the list says whether any
    /// payment has it.
    unheard_currency: Option<String>,
    /// An object being fetched by id, and why.
    pending_lookup: Option<(RequestId, String, detail::Lookup)>,
    /// An act on a case sent to the store, and the case's link: its answer
    /// is told whatever is on screen by then.
    case_act_sent: Option<(RequestId, String)>,
    /// The case this agent has open, and when to say so again.
    looking_at: Option<(String, DateTime<Utc>)>,
    notice: Option<Notice>,
    width: u16,
    height: u16,
    now: DateTime<Utc>,
    /// Since when live updates are paused (`p`): nothing on screen is read again.
    paused: Option<DateTime<Utc>>,
    /// The sync's word as it was when paused: the counts on screen stay too.
    mirror_at_pause: Option<MirrorStatus>,
    next_request: RequestId,
    dirty: bool,
    /// What the time-dependent parts of the screen said at the last draw.
    clock_face: String,
    /// A profile switch asked for and not yet answered: nothing is polled.
    switching: Option<String>,
    /// What the sync last said about the mirror.
    mirror: Option<MirrorStatus>,
    /// What the sync was last told about the screen.
    focus: Option<Focus>,
    /// Rows of links and of transactions an on-demand mirror should hold:
    /// raised as the agent scrolls towards the end of what it holds.
    wanted: [u64; 2],
    /// Refreshes the agent asked for (`r`), for the sync to see.
    asked: u64,
    /// A row to select once its list holds it (a link just created, which
    /// the mirror announces a moment later).
    reveal: Option<(Pane, String)>,
    /// The rows marked in each pane (by [`Pane::bit`]).
    marks: [marks::Marks; Pane::ALL.len()],
    /// The marked links being deactivated.
    bulk: Option<bulk::BulkRun>,
    /// The saved views' tabs, and the one shown in its pane's place.
    views: Vec<views::ViewTab>,
    shown_view: Option<usize>,
}

impl App {
    pub fn new(settings: Settings, width: u16, height: u16, now: DateTime<Utc>) -> Self {
        let alerts = Alerts::new(alert_rules(&settings));
        let [link_sort, transaction_sort] = settings.sorts;
        let mut app = Self {
            settings,
            pane: Pane::Links,
            links: ListPane::new(link_sort, now),
            transactions: ListPane::new(transaction_sort, now),
            webhooks: HookList::default(),
            events: LocalList::new(),
            overview: OverviewState::new(now),
            alerts,
            alert: None,
            alert_log: alerts::AlertLog::default(),
            export: None,
            links_search: None,
            transactions_search: None,
            search: SearchView::new(
                "",
                crate::store::Kinds::Both,
                crate::store::Reading {
                    zone: &crate::zone::Zone::utc(),
                    now,
                    cases: &crate::cases::CaseRules::default(),
                },
            ),
            last_currency: forms::COMMON_CURRENCIES[0].to_string(),
            mode: Mode::Normal,
            detail: None,
            pending_lookup: None,
            case_act_sent: None,
            looking_at: None,
            unheard_currency: None,
            notice: None,
            width,
            height,
            now,
            paused: None,
            mirror_at_pause: None,
            next_request: 1,
            dirty: true,
            clock_face: String::new(),
            switching: None,
            mirror: None,
            focus: None,
            wanted: [crate::sync::FIRST_WANTED; 2],
            asked: 0,
            reveal: None,
            marks: Default::default(),
            bulk: None,
            views: Vec::new(),
            shown_view: None,
        };
        app.views = app.view_tabs();
        app
    }

    /// The views' tabs, as the settings give them, read now.
    fn view_tabs(&self) -> Vec<views::ViewTab> {
        self.settings.views.iter().map(|def| views::ViewTab::new(def.clone(), self.reading())).collect()
    }

    /// Whether something changed since the last draw; clears the flag.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    fn request_id(&mut self) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        id
    }

    fn notify(&mut self, text: impl Into<String>, is_error: bool) {
        self.notify_for(text, is_error, 6);
    }

    /// A notice that stays `seconds`.
    fn notify_for(&mut self, text: impl Into<String>, is_error: bool, seconds: i64) {
        let until = self.now + Duration::seconds(seconds);
        self.notice = Some(Notice { text: text.into(), is_error, until, about: None });
    }

    /// A notice about `about`, ended by [`App::end_notice`].
    fn notify_about(&mut self, about: &str, text: impl Into<String>, is_error: bool) {
        self.notify(text, is_error);
        if let Some(notice) = &mut self.notice {
            notice.about = Some(about.to_string());
        }
    }

    /// What a notice spoke of has ended: it goes too.
    fn end_notice(&mut self, about: &str) {
        if self.notice.as_ref().is_some_and(|n| n.about.as_deref() == Some(about)) {
            self.notice = None;
            self.dirty = true;
        }
    }

    // ---- the update function ----

    /// Applies one message at time `now`; returns the I/O to run.
    pub fn update(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Cmd> {
        self.now = now;
        let mut cmds = Vec::new();
        // The sync reports after every request, mostly the same but for
        // when PIK answered: redraw for news only (the ages shown follow
        // the clock, `tick`).
        let news = match &msg {
            Msg::Tick => false,
            Msg::Mirror(status) => {
                self.mirror.as_ref().map(MirrorStatus::without_times) != Some(status.without_times())
            }
            _ => true,
        };
        self.dirty |= news;
        match msg {
            Msg::Tick => self.tick(),
            Msg::Key(key) => self.key(key, &mut cmds),
            Msg::Mouse(mouse) => self.mouse(mouse),
            Msg::Paste(text) => self.paste(&text),
            Msg::Resize { width, height } => {
                self.width = width;
                self.height = height;
                let view = self.view_height();
                for pane in Pane::ALL {
                    self.list_mut(pane).keep_visible(view);
                }
            }
            Msg::Listed { request, result } => self.listed(request, result),
            Msg::Object { request, result } => self.object_loaded(request, result, &mut cmds),
            Msg::LinkTransactions { request, link_id, result } => {
                self.link_transactions_loaded(request, &link_id, result)
            }
            Msg::Written { request, result } => self.written(request, result, &mut cmds),
            Msg::Event(event) => self.events.prepend(*event, now),
            Msg::Refused(reason) => self.refused_event(reason, &mut cmds),
            Msg::Changes(transactions) => {
                for txn in &transactions {
                    self.payment_seen(txn, &mut cmds);
                }
                // New or moved payments: the Overview's figures and its count are stale.
                if !transactions.is_empty() {
                    self.overview_again();
                }
            }
            Msg::StoreChanged(change) => self.store_changed(&change, &mut cmds),
            Msg::OrderRead { request, result } => self.order_read(request, result, &mut cmds),
            Msg::Recorded { subject, result } => self.recorded(subject, result, &mut cmds),
            Msg::CaseActed { request, result } => self.case_acted(request, result, &mut cmds),
            Msg::AuditRead { request, result } => self.audit_read(request, result),
            Msg::Overview { request, result } => self.overview_loaded(request, result, &mut cmds),
            Msg::Export { request, event } => self.export_event(request, event),
            Msg::ProfileSwitched(result) => self.profile_switched(result),
            Msg::Mirror(status) => self.mirror_said(status),
            // What the agent must read at start (a key others can read, a
            // mirror moved aside) stays long enough to be read.
            Msg::Note(text) => self.notify_for(text.clone(), text.contains("warning:"), NOTE_SECS),
            Msg::Searched { request, result } => self.searched(request, result),
            Msg::Zone(result) => self.zone_loaded(result),
            Msg::ViewSaved { name, result } => self.view_saved(&name, result),
        }
        if !cmds.contains(&Cmd::Quit) {
            self.plan(&mut cmds);
        }
        if self.more_coming(self.pane) {
            let view = self.view_height();
            self.list_mut(self.pane).leave_room_below(view);
        }
        cmds
    }

    fn switch_pane(&mut self, pane: Pane) {
        if pane == self.pane && self.shown_view.is_none() {
            return;
        }
        self.put_view_back();
        self.pane = pane;
        self.detail = None;
        self.end_notice(ABOUT_THIS_PANE);
        // The Overview, read rarely while hidden, is read again when shown;
        // the lists read what changed while hidden at once (`reads`).
        let refresh = self.settings.refresh;
        let now = self.now;
        if pane == Pane::Overview && self.overview.computed_at.is_none_or(|t| now - t >= refresh) {
            self.overview_again();
        }
    }

    fn move_selection(&mut self, delta: isize) {
        // The agent moved: a row still to be revealed no longer takes the selection.
        self.reveal = None;
        let view = self.view_height();
        self.list_mut(self.pane).move_selection(delta, view);
        self.selection_moved();
    }

    fn select_position(&mut self, position: usize) {
        self.reveal = None;
        let view = self.view_height();
        self.list_mut(self.pane).select(position, view);
        self.selection_moved();
    }

    fn selected_id(&self) -> Option<String> {
        self.list(self.pane).selected_id()
    }

    /// The runtime's answer to `:profile NAME`.
    fn profile_switched(&mut self, result: Result<ProfileInfo, String>) {
        let Some(asked) = self.switching.take() else { return };
        match result {
            Ok(info) => {
                // Nothing of the old profile may show under the new header;
                // answers still on their way for it match no request now.
                let now = self.now;
                let [link_sort, transaction_sort] = self.settings.sorts;
                self.links = ListPane::new(link_sort, now);
                self.transactions = ListPane::new(transaction_sort, now);
                self.webhooks = HookList::default();
                self.events = LocalList::new();
                self.overview = OverviewState::new(now);
                self.export = None;
                self.links_search = None;
                self.transactions_search = None;
                self.search = SearchView::new("", crate::store::Kinds::Both, self.reading());
                self.detail = None;
                self.pending_lookup = None;
                self.reveal = None;
                self.marks = Default::default();
                self.bulk = None;
                self.shown_view = None;
                self.mode = Mode::Normal;
                self.settings.profile = Some(info.name.clone());
                self.settings.environment = info.environment;
                self.settings.read_only = info.read_only;
                self.settings.events_pane = false;
                self.settings.store = info.store.clone();
                self.settings.zone = info.zone.clone();
                self.settings.agent = info.agent.clone();
                self.mirror = None;
                self.focus = None;
                self.wanted = [crate::sync::FIRST_WANTED; 2];
                self.pane = Pane::Links;
                self.views = self.view_tabs();
                self.notify(format!("switched to profile {}", info.name), false);
            }
            Err(why) => self.notify(format!("could not switch to {asked}: {why}"), true),
        }
    }
}

/// The alert rules in force: the config file's, and `--bell`'s.
fn alert_rules(settings: &Settings) -> Vec<AlertRule> {
    let mut rules = settings.alerts.clone();
    if settings.bell {
        rules.push(AlertRule {
            when: alerts::AlertWhen::Settled,
            currency: None,
            min_amount: None,
            bell: true,
            notify: Notify::None,
        });
    }
    rules
}

/// An API failure for a form: the short words and PIK's own message.
fn failure_words(error: &ErrorInfo) -> String {
    let message = error.message.trim();
    if message.is_empty() || error.summary.contains(message) {
        error.summary.clone()
    } else {
        format!("{}: {message}", error.summary)
    }
}

#[cfg(test)]
mod tests;
