//! The dashboard's state and rules. Pure: no I/O, no clock reads, no drawing.
//! Every input is a [`Msg`]; [`App::update`] changes the state and returns
//! the I/O it wants as [`Cmd`]s, which the worker runs. The time comes in as
//! an argument, so tests control the clock.

pub mod forms;
pub mod input;
pub mod layout;
pub mod paged;
pub mod resource;

use crate::api::{
    CreateLink, CreateWebhook, EventEnvelope, LinkStatus, Page, PaymentLink, Transaction, TransactionStatus, Webhook,
    WebhookSecret,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use forms::{ConfirmDeactivate, CreatedLink, FormAction, LinkForm, SecretDialog, VerifyForm, WebhookForm};
use input::{Key, KeyCode, Mouse, MouseKind};
use layout::Screen;
use paged::{ListOps, Mark, PAGE_SIZE, PagedList, RequestId};
use std::time::Duration as StdDuration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Links,
    Transactions,
    Webhooks,
    /// Verified webhook events received by the local listener (`--demo`).
    Events,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Links, Pane::Transactions, Pane::Webhooks, Pane::Events];
    /// The panes whose rows come from polling the API.
    pub const POLLED: [Pane; 3] = [Pane::Links, Pane::Transactions, Pane::Webhooks];

    pub fn index(self) -> usize {
        match self {
            Pane::Links => 0,
            Pane::Transactions => 1,
            Pane::Webhooks => 2,
            Pane::Events => 3,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Links => "Links",
            Pane::Transactions => "Transactions",
            Pane::Webhooks => "Webhooks",
            Pane::Events => "Events",
        }
    }

    /// The status filter values `s` cycles through.
    fn statuses(self) -> Vec<String> {
        match self {
            Pane::Links => LinkStatus::KNOWN.iter().map(|s| s.as_str().to_string()).collect(),
            Pane::Transactions => TransactionStatus::KNOWN.iter().map(|s| s.as_str().to_string()).collect(),
            Pane::Webhooks | Pane::Events => Vec::new(),
        }
    }
}

/// Filters sent to the API with each page request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerFilter {
    pub status: Option<String>,
    pub currency: Option<String>,
    pub payment_link_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl ServerFilter {
    pub fn is_empty(&self) -> bool {
        *self == ServerFilter::default()
    }
}

/// An API failure as the app keeps it: plain data, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// Short words, e.g. "API key rejected (401)".
    pub summary: String,
    /// The longer message (already readable, still to be sanitized).
    pub message: String,
    pub status: Option<u16>,
    pub retry_after: Option<StdDuration>,
    /// A write that was sent and then got no answer: it may have happened.
    pub may_have_happened: bool,
}

impl ErrorInfo {
    fn is_auth(&self) -> bool {
        matches!(self.status, Some(401 | 403))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Links(Page<PaymentLink>),
    Transactions(Page<Transaction>),
    Webhooks(Page<Webhook>),
}

/// One object fetched by id.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    Link(PaymentLink),
    Transaction(Transaction),
}

impl Found {
    fn id(&self) -> &str {
        match self {
            Found::Link(link) => &link.id,
            Found::Transaction(txn) => &txn.id,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    Mouse(Mouse),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passed (the runtime ticks a few times a second).
    Tick,
    Page {
        pane: Pane,
        request: RequestId,
        offset: u64,
        result: Result<Loaded, ErrorInfo>,
    },
    /// An object fetched by id, for a jump or the open detail.
    Object {
        request: RequestId,
        result: Result<Found, ErrorInfo>,
    },
    /// The transactions of the link in the open detail.
    LinkTransactions {
        request: RequestId,
        link_id: String,
        result: Result<Page<Transaction>, ErrorInfo>,
    },
    LinkCreated {
        request: RequestId,
        result: Result<PaymentLink, ErrorInfo>,
    },
    LinkDeactivated {
        request: RequestId,
        result: Result<PaymentLink, ErrorInfo>,
    },
    WebhookCreated {
        request: RequestId,
        result: Result<(Webhook, WebhookSecret), ErrorInfo>,
    },
    /// A webhook event whose signature the local listener verified.
    Event(Box<EventEnvelope>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    FetchPage {
        pane: Pane,
        request: RequestId,
        offset: u64,
        limit: u32,
        filter: ServerFilter,
    },
    FetchLink {
        request: RequestId,
        id: String,
    },
    FetchTransaction {
        request: RequestId,
        id: String,
    },
    FetchLinkTransactions {
        request: RequestId,
        link_id: String,
    },
    CreateLink {
        request: RequestId,
        link: CreateLink,
    },
    DeactivateLink {
        request: RequestId,
        id: String,
    },
    CreateWebhook {
        request: RequestId,
        webhook: CreateWebhook,
    },
    /// Put text on the clipboard (OSC 52, so it works over SSH and in tmux).
    Copy(String),
    Bell,
    Quit,
}

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
    /// Seconds east of UTC, for showing local times.
    pub utc_offset_secs: i32,
    pub read_only: bool,
    /// Whether a local listener feeds verified webhook events (the Events pane).
    pub events_pane: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh: Duration::seconds(5),
            hidden_refresh: Duration::seconds(30),
            bell: false,
            environment: Environment::Sandbox,
            profile: None,
            utc_offset_secs: 0,
            read_only: false,
            events_pane: false,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Mode {
    Normal,
    /// Typing a text filter; the previous one is restored on Esc.
    Filter {
        text: String,
        previous: String,
    },
    /// Typing after `:`.
    Command(String),
    Help,
    NewLink(Box<LinkForm>),
    /// The result of a create: URL, QR code, copy.
    Created(Box<CreatedLink>),
    Deactivate(ConfirmDeactivate),
    NewWebhook(Box<WebhookForm>),
    /// The webhook secret, shown once.
    Secret(Box<SecretDialog>),
    Verify(Box<VerifyForm>),
}

/// The open detail: what it shows and what is being fetched for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub pane: Pane,
    pub id: String,
    /// A copy fetched by id (a jump, or a refresh); preferred over the row.
    pub object: Option<Found>,
    pub link_transactions: Option<Result<Page<Transaction>, ErrorInfo>>,
    object_request: Option<RequestId>,
    transactions_request: Option<RequestId>,
    next_refresh: DateTime<Utc>,
}

/// Polling and error state of one pane.
#[derive(Debug, Clone, PartialEq)]
pub struct PaneStatus {
    pub filter: ServerFilter,
    pub error: Option<ErrorInfo>,
    pub failures: u32,
    pub last_success: Option<DateTime<Utc>>,
    pub next_poll: DateTime<Utc>,
}

/// A short note in the footer (a jump that found nothing, a bad command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
    pub until: DateTime<Utc>,
}

/// How long new and changed rows stay marked.
pub const MARK_TTL_SECS: i64 = 30;
/// The longest wait between retries of a failing pane, and the wait after
/// an auth error (a rejected key does not heal by itself).
const MAX_BACKOFF_SECS: i64 = 60;
/// Wait after the selection moves before the open detail is fetched, so
/// that holding `j` does not send a request per row.
const DETAIL_DEBOUNCE_MS: i64 = 250;

pub struct App {
    pub settings: Settings,
    pane: Pane,
    pub links: PagedList<PaymentLink>,
    pub transactions: PagedList<Transaction>,
    pub webhooks: PagedList<Webhook>,
    pub events: PagedList<EventEnvelope>,
    status: [PaneStatus; 4],
    /// The currency of the last link created, offered first next time.
    last_currency: String,
    mode: Mode,
    detail_open: bool,
    detail: Option<Detail>,
    pending_jump: Option<(RequestId, String)>,
    notice: Option<Notice>,
    width: u16,
    height: u16,
    now: DateTime<Utc>,
    paused: bool,
    next_request: RequestId,
    dirty: bool,
    /// What the time-dependent parts of the screen said at the last draw.
    clock_face: String,
}

impl App {
    pub fn new(settings: Settings, width: u16, height: u16, now: DateTime<Utc>) -> Self {
        let status = || PaneStatus {
            filter: ServerFilter::default(),
            error: None,
            failures: 0,
            last_success: None,
            next_poll: now,
        };
        Self {
            settings,
            pane: Pane::Links,
            links: PagedList::new(),
            transactions: PagedList::new(),
            webhooks: PagedList::new(),
            events: PagedList::new(),
            status: [status(), status(), status(), status()],
            last_currency: forms::COMMON_CURRENCIES[0].to_string(),
            mode: Mode::Normal,
            detail_open: false,
            detail: None,
            pending_jump: None,
            notice: None,
            width,
            height,
            now,
            paused: false,
            next_request: 1,
            dirty: true,
            clock_face: String::new(),
        }
    }

    // ---- read access for the ui ----

    pub fn pane(&self) -> Pane {
        self.pane
    }

    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn size(&self) -> (u16, u16) {
        (self.width, self.height)
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    pub fn status(&self, pane: Pane) -> &PaneStatus {
        &self.status[pane.index()]
    }

    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref().filter(|n| n.until > self.now)
    }

    pub fn detail_open(&self) -> bool {
        self.detail_open
    }

    pub fn detail(&self) -> Option<&Detail> {
        self.detail.as_ref()
    }

    pub fn screen(&self) -> Screen {
        Screen::new(self.width, self.height, self.detail_open)
    }

    /// The list shown in a pane.
    pub fn list(&self, pane: Pane) -> &dyn ListOps {
        match pane {
            Pane::Links => &self.links,
            Pane::Transactions => &self.transactions,
            Pane::Webhooks => &self.webhooks,
            Pane::Events => &self.events,
        }
    }

    fn list_mut(&mut self, pane: Pane) -> &mut dyn ListOps {
        match pane {
            Pane::Links => &mut self.links,
            Pane::Transactions => &mut self.transactions,
            Pane::Webhooks => &mut self.webhooks,
            Pane::Events => &mut self.events,
        }
    }

    /// Rows of the table on screen (at least 1).
    pub fn view_height(&self) -> usize {
        usize::from(self.screen().table_rows().height).max(1)
    }

    /// The panes on offer: the Events pane only with a local listener.
    pub fn panes(&self) -> Vec<Pane> {
        let count = if self.settings.events_pane { 4 } else { 3 };
        Pane::ALL[..count].to_vec()
    }

    fn next_pane(&self, forward: bool) -> Pane {
        let panes = self.panes();
        let at = panes.iter().position(|p| *p == self.pane).unwrap_or(0);
        let step = if forward { 1 } else { panes.len() - 1 };
        panes[(at + step) % panes.len()]
    }

    /// The tab labels, as drawn (the ui and the mouse use the same text).
    pub fn tab_labels(&self) -> Vec<String> {
        self.panes()
            .iter()
            .map(|&pane| {
                let count = self.list(pane).total();
                let count = count.map(group_thousands).unwrap_or_else(|| "…".into());
                format!(" {} {} {} ", pane.index() + 1, pane.title(), count)
            })
            .collect()
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

    fn interval(&self, pane: Pane) -> Duration {
        if pane == self.pane { self.settings.refresh } else { self.settings.hidden_refresh }
    }

    fn notify(&mut self, text: impl Into<String>, is_error: bool) {
        self.notice = Some(Notice { text: text.into(), is_error, until: self.now + Duration::seconds(6) });
    }

    // ---- the update function ----

    /// Applies one message at time `now`; returns the I/O to run.
    pub fn update(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Cmd> {
        self.now = now;
        let mut cmds = Vec::new();
        match msg {
            Msg::Tick => self.tick(),
            Msg::Key(key) => {
                self.dirty = true;
                self.key(key, &mut cmds);
            }
            Msg::Mouse(mouse) => {
                self.dirty = true;
                self.mouse(mouse);
            }
            Msg::Paste(text) => {
                self.dirty = true;
                self.paste(&text);
            }
            Msg::Resize { width, height } => {
                self.dirty = true;
                self.width = width;
                self.height = height;
                let view = self.view_height();
                for pane in Pane::ALL {
                    self.list_mut(pane).keep_visible(view);
                }
            }
            Msg::Page { pane, request, offset, result } => {
                self.dirty = true;
                self.page_loaded(pane, request, offset, result, &mut cmds);
            }
            Msg::Object { request, result } => {
                self.dirty = true;
                self.object_loaded(request, result, &mut cmds);
            }
            Msg::LinkCreated { request, result } => {
                self.dirty = true;
                self.link_created(request, result);
            }
            Msg::LinkDeactivated { request, result } => {
                self.dirty = true;
                self.link_deactivated(request, result);
            }
            Msg::WebhookCreated { request, result } => {
                self.dirty = true;
                self.webhook_created(request, result);
            }
            Msg::Event(event) => {
                self.dirty = true;
                self.events.prepend(*event, now);
            }
            Msg::LinkTransactions { request, link_id, result } => {
                self.dirty = true;
                if let Some(detail) = &mut self.detail
                    && detail.transactions_request == Some(request)
                    && detail.id == link_id
                {
                    detail.transactions_request = None;
                    detail.link_transactions = Some(result);
                }
            }
        }
        if !cmds.contains(&Cmd::Quit) {
            self.plan(&mut cmds);
        }
        cmds
    }

    /// Time passed: expire marks and notices; redraw only if what the
    /// screen shows about time has changed.
    fn tick(&mut self) {
        let ttl = Duration::seconds(MARK_TTL_SECS);
        let now = self.now;
        let mut changed = false;
        for pane in Pane::ALL {
            changed |= self.list_mut(pane).expire_marks(now, ttl);
        }
        if self.notice.as_ref().is_some_and(|n| n.until <= self.now) {
            self.notice = None;
            changed = true;
        }
        let face = self.clock_face();
        if face != self.clock_face {
            self.clock_face = face;
            changed = true;
        }
        self.dirty |= changed;
    }

    /// Everything on screen that depends on the time alone.
    fn clock_face(&self) -> String {
        let status = self.status(self.pane);
        let age = status.last_success.map(|t| age_words(self.now - t)).unwrap_or_default();
        let retry = if status.error.is_some() { (status.next_poll - self.now).num_seconds().max(0) } else { 0 };
        // Relative times in the table change at most once a minute.
        format!("{age}|{retry}|{}", self.now.timestamp() / 60)
    }

    /// The data's age in words, e.g. "3 s ago".
    pub fn data_age(&self) -> Option<String> {
        self.status(self.pane).last_success.map(|t| age_words(self.now - t))
    }

    /// Whether the visible pane's data is older than three refreshes.
    pub fn is_stale(&self) -> bool {
        let status = self.status(self.pane);
        match status.last_success {
            Some(at) => self.now - at > self.interval(self.pane) * 3,
            None => status.error.is_some(),
        }
    }

    /// Works out which fetches are due: prefetch, polling, the open detail.
    fn plan(&mut self, cmds: &mut Vec<Cmd>) {
        let view = self.view_height();
        for pane in Pane::POLLED {
            let in_flight = self.list(pane).in_flight().is_some();
            if in_flight {
                continue;
            }
            let status = &self.status[pane.index()];
            let loaded = self.list(pane).loaded_once();
            let poll_due = self.now >= status.next_poll && !(self.paused && loaded);
            // Scrolling past what is loaded fetches the next page, unless
            // that pane is failing and waiting out its backoff.
            let wanted = if pane == self.pane { self.list(pane).wanted_page(view) } else { None };
            let backoff_over = self.now >= status.next_poll;
            let offset = match wanted {
                Some(offset) if offset > 0 && (status.error.is_none() || backoff_over) => Some(offset),
                _ if poll_due => Some(0),
                _ => None,
            };
            if let Some(offset) = offset {
                let request = self.request_id();
                let filter = self.status[pane.index()].filter.clone();
                self.list_mut(pane).begin(request, offset);
                if offset == 0 {
                    let next = self.now + self.interval(pane);
                    self.status[pane.index()].next_poll = next;
                }
                cmds.push(Cmd::FetchPage { pane, request, offset, limit: PAGE_SIZE, filter });
            }
        }
        self.plan_detail(cmds);
    }

    fn plan_detail(&mut self, cmds: &mut Vec<Cmd>) {
        if !self.detail_open || (self.paused && self.detail.as_ref().is_some_and(|d| d.object.is_some())) {
            return;
        }
        let Some(detail) = &self.detail else { return };
        if self.now < detail.next_refresh || detail.object_request.is_some() || detail.transactions_request.is_some() {
            return;
        }
        let (pane, id) = (detail.pane, detail.id.clone());
        let next_refresh = self.now + self.settings.refresh;
        let object_request = match pane {
            Pane::Links => {
                let request = self.request_id();
                cmds.push(Cmd::FetchLink { request, id: id.clone() });
                Some(request)
            }
            Pane::Transactions => {
                let request = self.request_id();
                cmds.push(Cmd::FetchTransaction { request, id: id.clone() });
                Some(request)
            }
            // PIK has no get-one for webhooks; the list poll refreshes them.
            // Events are what the listener received: nothing to fetch.
            Pane::Webhooks | Pane::Events => None,
        };
        let transactions_request = (pane == Pane::Links).then(|| {
            let request = self.request_id();
            cmds.push(Cmd::FetchLinkTransactions { request, link_id: id });
            request
        });
        if let Some(detail) = &mut self.detail {
            detail.next_refresh = next_refresh;
            detail.object_request = object_request;
            detail.transactions_request = transactions_request;
        }
    }

    fn page_loaded(
        &mut self,
        pane: Pane,
        request: RequestId,
        offset: u64,
        result: Result<Loaded, ErrorInfo>,
        cmds: &mut Vec<Cmd>,
    ) {
        let now = self.now;
        let current = self.list(pane).is_current(request);
        if !current {
            return; // an answer to a request made before a filter change
        }
        match result {
            Ok(loaded) => {
                match loaded {
                    Loaded::Links(page) => {
                        self.links.apply(request, offset, page, now);
                    }
                    Loaded::Transactions(page) => {
                        let applied = self.transactions.apply(request, offset, page, now);
                        // The bell is for money arriving: a settled payment, new or changed.
                        let settled = TransactionStatus::Settled.as_str();
                        let newly_settled = applied.changed.iter().any(|(_, _, to)| to == settled)
                            || applied.new.iter().any(|id| {
                                self.transactions.find(id).is_some_and(|t| t.status == TransactionStatus::Settled)
                            });
                        if self.settings.bell && newly_settled {
                            cmds.push(Cmd::Bell);
                        }
                    }
                    Loaded::Webhooks(page) => {
                        self.webhooks.apply(request, offset, page, now);
                    }
                }
                let status = &mut self.status[pane.index()];
                status.error = None;
                status.failures = 0;
                if offset == 0 {
                    status.last_success = Some(now);
                }
                let view = self.view_height();
                self.list_mut(pane).keep_visible(view)
            }
            Err(error) => {
                self.list_mut(pane).fail(request);
                // Exponential backoff from one refresh interval, capped at
                // two: a pane that failed is back within two intervals of
                // PIK recovering. An unusable key will not heal by itself:
                // retry slowly. A longer Retry-After is honoured as asked.
                let interval = self.interval(pane).num_seconds().max(1);
                let status = &mut self.status[pane.index()];
                status.failures += 1;
                let backoff = if error.is_auth() {
                    MAX_BACKOFF_SECS
                } else {
                    (interval << (status.failures - 1).min(4)).min(interval * 2).min(MAX_BACKOFF_SECS)
                };
                let wait = match error.retry_after {
                    Some(asked) => Duration::seconds(i64::try_from(asked.as_secs()).unwrap_or(MAX_BACKOFF_SECS).max(1)),
                    None => Duration::seconds(backoff),
                };
                status.next_poll = now + wait;
                status.error = Some(error);
            }
        }
    }

    fn object_loaded(&mut self, request: RequestId, result: Result<Found, ErrorInfo>, cmds: &mut Vec<Cmd>) {
        if let Some((jump_request, id)) = self.pending_jump.clone()
            && jump_request == request
        {
            self.pending_jump = None;
            match result {
                Ok(found) => self.show_found(found, cmds),
                Err(error) if error.status == Some(404) => {
                    let what = if id.starts_with("pl_") { "payment link" } else { "transaction" };
                    self.notify(format!("no {what} {id}"), true);
                }
                Err(error) => self.notify(format!("could not fetch {id}: {}", error.summary), true),
            }
            return;
        }
        let now = self.now;
        let Some(detail) = &mut self.detail else {
            return;
        };
        if detail.object_request != Some(request) {
            return;
        }
        detail.object_request = None;
        if let Ok(found) = result
            && found.id() == detail.id
        {
            match &found {
                Found::Link(link) => self.links.update_row(link.clone(), now),
                Found::Transaction(txn) => self.transactions.update_row(txn.clone(), now),
            }
            if let Some(detail) = &mut self.detail {
                detail.object = Some(found);
            }
        }
    }

    /// Shows an object found by a jump: its pane, selected if loaded, and
    /// its detail open.
    fn show_found(&mut self, found: Found, cmds: &mut Vec<Cmd>) {
        let pane = match &found {
            Found::Link(_) => Pane::Links,
            Found::Transaction(_) => Pane::Transactions,
        };
        self.switch_pane(pane);
        let view = self.view_height();
        let id = found.id().to_string();
        self.list_mut(pane).select_id(&id, view);
        self.open_detail_for(pane, id, Some(found), Duration::zero());
        self.plan_detail(cmds);
    }

    fn open_detail_for(&mut self, pane: Pane, id: String, object: Option<Found>, delay: Duration) {
        self.detail_open = true;
        self.detail = Some(Detail {
            pane,
            id,
            object,
            link_transactions: None,
            object_request: None,
            transactions_request: None,
            next_refresh: self.now + delay,
        });
    }

    fn selected_id(&self) -> Option<String> {
        self.list(self.pane).selected_id()
    }

    /// After the selection moved: an open detail follows it (debounced).
    fn selection_moved(&mut self) {
        if !self.detail_open {
            return;
        }
        let Some(id) = self.selected_id() else { return };
        if self.detail.as_ref().is_some_and(|d| d.id == id && d.pane == self.pane) {
            return;
        }
        self.open_detail_for(self.pane, id, None, Duration::milliseconds(DETAIL_DEBOUNCE_MS));
    }

    fn switch_pane(&mut self, pane: Pane) {
        if pane == self.pane {
            return;
        }
        self.pane = pane;
        self.detail_open = false;
        self.detail = None;
        // A pane polled rarely while hidden is refreshed when shown.
        let status = &mut self.status[pane.index()];
        let stale = status.last_success.is_none_or(|t| self.now - t >= self.settings.refresh);
        if stale && status.error.is_none() {
            status.next_poll = status.next_poll.min(self.now);
        }
    }

    fn move_selection(&mut self, delta: isize) {
        let view = self.view_height();
        self.list_mut(self.pane).move_selection(delta, view);
        self.selection_moved();
    }

    fn select_position(&mut self, position: usize) {
        let view = self.view_height();
        self.list_mut(self.pane).select(position, view);
        self.selection_moved();
    }

    /// Changes the visible pane's server-side filter: the list starts again.
    fn set_server_filter(&mut self, pane: Pane, filter: ServerFilter) {
        let status = &mut self.status[pane.index()];
        if status.filter == filter {
            return;
        }
        status.filter = filter;
        status.next_poll = self.now;
        status.error = None;
        status.failures = 0;
        self.list_mut(pane).reset();
        if self.pane == pane {
            self.detail_open = false;
            self.detail = None;
        }
    }

    fn refresh_now(&mut self) {
        let pane = self.pane;
        let status = &mut self.status[pane.index()];
        status.next_poll = self.now;
        if let Some(detail) = &mut self.detail {
            detail.next_refresh = self.now;
        }
    }

    // ---- keys ----

    fn key(&mut self, key: Key, cmds: &mut Vec<Cmd>) {
        if key == Key::ctrl('c') {
            cmds.push(Cmd::Quit);
            return;
        }
        // The mode is taken out, handled, and put back (or replaced).
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Help => {}
            Mode::Filter { text, previous } => self.filter_key(key, text, previous),
            Mode::Command(text) => self.command_key(key, text, cmds),
            Mode::Normal => self.normal_key(key, cmds),
            Mode::NewLink(mut form) => match form.key(key) {
                FormAction::Close => {}
                FormAction::SubmitLink(link) => {
                    let request = self.request_id();
                    form.submitting = Some(request);
                    cmds.push(Cmd::CreateLink { request, link });
                    self.mode = Mode::NewLink(form);
                }
                _ => self.mode = Mode::NewLink(form),
            },
            Mode::NewWebhook(mut form) => match form.key(key) {
                FormAction::Close => {}
                FormAction::SubmitWebhook(webhook) => {
                    let request = self.request_id();
                    form.submitting = Some(request);
                    cmds.push(Cmd::CreateWebhook { request, webhook });
                    self.mode = Mode::NewWebhook(form);
                }
                _ => self.mode = Mode::NewWebhook(form),
            },
            Mode::Verify(mut form) => {
                if form.key(key) != FormAction::Close {
                    self.mode = Mode::Verify(form);
                }
            }
            Mode::Created(mut created) => match key.code {
                KeyCode::Char('y') => {
                    if let Some(url) = &created.link.url {
                        cmds.push(Cmd::Copy(url.clone()));
                        created.copied = true;
                    }
                    self.mode = Mode::Created(created);
                }
                KeyCode::Char('n') => self.mode = Mode::NewLink(Box::new(LinkForm::new(&self.last_currency))),
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
                    // Back to the links, with the new one selected on top.
                    self.switch_pane(Pane::Links);
                    let view = self.view_height();
                    self.links.select_id(&created.link.id, view);
                }
                _ => self.mode = Mode::Created(created),
            },
            Mode::Deactivate(mut confirm) => {
                if confirm.submitting.is_some() {
                    self.mode = Mode::Deactivate(confirm);
                    return;
                }
                let go = match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') => Some(true),
                    KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Some(false),
                    KeyCode::Enter => Some(confirm.yes),
                    KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right => {
                        confirm.yes = !confirm.yes;
                        None
                    }
                    _ => None,
                };
                match go {
                    Some(true) => {
                        let request = self.request_id();
                        confirm.submitting = Some(request);
                        cmds.push(Cmd::DeactivateLink { request, id: confirm.id.clone() });
                        self.mode = Mode::Deactivate(confirm);
                    }
                    Some(false) => {}
                    None => self.mode = Mode::Deactivate(confirm),
                }
            }
            Mode::Secret(mut dialog) => match key.code {
                KeyCode::Char('y') => {
                    cmds.push(Cmd::Copy(dialog.secret.expose().to_string()));
                    dialog.copied = true;
                    self.mode = Mode::Secret(dialog);
                }
                // Only an explicit "saved" closes it: the secret is never shown again.
                KeyCode::Enter => {}
                _ => {
                    self.notify("press Enter once the secret is saved: PIK will not show it again", false);
                    self.mode = Mode::Secret(dialog);
                }
            },
        }
    }

    /// `n`: a new payment link, or in the Webhooks pane a new endpoint.
    fn open_new_form(&mut self) {
        if self.settings.read_only {
            self.notify("read-only mode: creating is turned off", true);
            return;
        }
        self.mode = if self.pane == Pane::Webhooks {
            Mode::NewWebhook(Box::new(WebhookForm::new(self.settings.environment == Environment::Sandbox)))
        } else {
            Mode::NewLink(Box::new(LinkForm::new(&self.last_currency)))
        };
    }

    /// `d`: asks to deactivate the selected (or open) link; the answer defaults to No.
    fn ask_deactivate(&mut self) {
        if self.settings.read_only {
            self.notify("read-only mode: deactivating is turned off", true);
            return;
        }
        let open = self.detail.as_ref().filter(|_| self.detail_open).and_then(|d| match &d.object {
            Some(Found::Link(link)) => Some(link.clone()),
            _ => None,
        });
        let Some(link) = open.or_else(|| self.links.selected_row().cloned()) else { return };
        if link.status != LinkStatus::Active {
            let status = crate::sanitize::for_terminal_truncated(link.status.as_str(), 20);
            self.notify(format!("only an active link can be deactivated; this one is {status}"), true);
            return;
        }
        self.mode = Mode::Deactivate(ConfirmDeactivate {
            id: link.id.clone(),
            summary: format!("{} {}", link.amount, link.currency),
            description: link.description.clone(),
            yes: false,
            submitting: None,
        });
    }

    fn link_created(&mut self, request: RequestId, result: Result<PaymentLink, ErrorInfo>) {
        let Mode::NewLink(form) = &mut self.mode else { return };
        if form.submitting != Some(request) {
            return;
        }
        form.submitting = None;
        match result {
            Ok(link) => {
                self.last_currency = link.currency.clone();
                let status_filter = &self.status[Pane::Links.index()].filter.status;
                if status_filter.as_deref().is_none_or(|s| s == link.status.as_str()) {
                    self.links.prepend(link.clone(), self.now);
                }
                self.status[Pane::Links.index()].next_poll = self.now;
                self.mode = Mode::Created(Box::new(CreatedLink::new(link)));
            }
            Err(error) if error.may_have_happened => {
                // Never retried: a duplicate link is worse. The list is
                // refreshed so the agent can look before trying again.
                form.failure = Some(format!(
                    "{}: the request was sent but no answer came, so the link MAY have been created. \
                     The list is being refreshed: check it before trying again.",
                    error.summary
                ));
                self.status[Pane::Links.index()].next_poll = self.now;
            }
            Err(error) => form.failure = Some(failure_words(&error)),
        }
    }

    fn link_deactivated(&mut self, request: RequestId, result: Result<PaymentLink, ErrorInfo>) {
        let Mode::Deactivate(confirm) = &self.mode else { return };
        if confirm.submitting != Some(request) {
            return;
        }
        let id = confirm.id.clone();
        self.mode = Mode::Normal;
        match result {
            Ok(link) => {
                self.links.update_row(link.clone(), self.now);
                if let Some(detail) = &mut self.detail
                    && detail.id == link.id
                {
                    detail.object = Some(Found::Link(link));
                }
                self.notify(format!("{id} is now deactivated"), false);
            }
            Err(error) if matches!(error.status, Some(404 | 405)) => self.notify(
                format!(
                    "this PIK server does not support deactivating links ({}); use PIK's web dashboard",
                    error.status.unwrap_or(0)
                ),
                true,
            ),
            Err(error) if error.may_have_happened => {
                self.notify(format!("{}: {id} may or may not be deactivated; refreshing", error.summary), true);
                self.status[Pane::Links.index()].next_poll = self.now;
            }
            Err(error) => self.notify(failure_words(&error), true),
        }
    }

    fn webhook_created(&mut self, request: RequestId, result: Result<(Webhook, WebhookSecret), ErrorInfo>) {
        let Mode::NewWebhook(form) = &mut self.mode else { return };
        if form.submitting != Some(request) {
            return;
        }
        form.submitting = None;
        match result {
            Ok((webhook, secret)) => {
                let dialog =
                    SecretDialog { webhook_id: webhook.id.clone(), url: webhook.url.clone(), secret, copied: false };
                self.webhooks.prepend(webhook, self.now);
                self.status[Pane::Webhooks.index()].next_poll = self.now;
                self.mode = Mode::Secret(Box::new(dialog));
            }
            Err(error) if error.may_have_happened => {
                form.failure = Some(format!(
                    "{}: the endpoint MAY have been registered; check the list before trying again",
                    error.summary
                ));
                self.status[Pane::Webhooks.index()].next_poll = self.now;
            }
            Err(error) => form.failure = Some(failure_words(&error)),
        }
    }

    fn normal_key(&mut self, key: Key, cmds: &mut Vec<Cmd>) {
        let page = isize::try_from(self.view_height()).unwrap_or(10);
        if key.ctrl {
            match key.code {
                KeyCode::Char('f') | KeyCode::Char('d') => self.move_selection(page),
                KeyCode::Char('b') | KeyCode::Char('u') => self.move_selection(-page),
                _ => {}
            }
            return;
        }
        match key.code {
            KeyCode::Char('q') => cmds.push(Cmd::Quit),
            KeyCode::Char('?') => self.mode = Mode::Help,
            KeyCode::Char('1') => self.switch_pane(Pane::Links),
            KeyCode::Char('2') => self.switch_pane(Pane::Transactions),
            KeyCode::Char('3') => self.switch_pane(Pane::Webhooks),
            KeyCode::Char('4') if self.settings.events_pane => self.switch_pane(Pane::Events),
            KeyCode::Tab => self.switch_pane(self.next_pane(true)),
            KeyCode::BackTab => self.switch_pane(self.next_pane(false)),
            KeyCode::Char('j') | KeyCode::Down => self.move_selection(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_selection(-1),
            KeyCode::PageDown => self.move_selection(page),
            KeyCode::PageUp => self.move_selection(-page),
            KeyCode::Char('g') | KeyCode::Home => self.select_position(0),
            KeyCode::Char('G') | KeyCode::End => self.select_position(usize::MAX),
            KeyCode::Enter => {
                if let Some(id) = self.selected_id() {
                    self.open_detail_for(self.pane, id, None, Duration::zero());
                }
            }
            KeyCode::Esc => {
                if self.detail_open {
                    self.detail_open = false;
                    self.detail = None;
                } else if !self.list(self.pane).text_filter().to_string().is_empty() {
                    self.list_mut(self.pane).set_text_filter("");
                }
            }
            KeyCode::Char('r') => self.refresh_now(),
            KeyCode::Char('p') => {
                self.paused = !self.paused;
                if !self.paused {
                    self.refresh_now();
                }
            }
            KeyCode::Char('s') => self.cycle_status(),
            KeyCode::Char('c') if self.pane == Pane::Transactions => self.cycle_currency(),
            KeyCode::Char('t') if self.pane == Pane::Links => {
                if let Some(id) = self.selected_id() {
                    self.show_link_transactions(id);
                }
            }
            KeyCode::Char('n') => self.open_new_form(),
            KeyCode::Char('d') if self.pane == Pane::Links => self.ask_deactivate(),
            KeyCode::Char('v') if self.pane == Pane::Webhooks => self.mode = Mode::Verify(Box::default()),
            KeyCode::Char('/') => {
                let previous = self.list(self.pane).text_filter().to_string();
                self.mode = Mode::Filter { text: previous.clone(), previous };
            }
            KeyCode::Char(':') => self.mode = Mode::Command(String::new()),
            _ => {}
        }
    }

    fn cycle_status(&mut self) {
        let pane = self.pane;
        let statuses = pane.statuses();
        if statuses.is_empty() {
            self.notify("webhooks have no status filter in the PIK API; use / to filter", false);
            return;
        }
        let mut filter = self.status[pane.index()].filter.clone();
        filter.status = match &filter.status {
            None => statuses.first().cloned(),
            Some(current) => statuses.iter().position(|s| s == current).and_then(|i| statuses.get(i + 1)).cloned(),
        };
        self.set_server_filter(pane, filter);
    }

    fn cycle_currency(&mut self) {
        const CURRENCIES: [&str; 4] = ["USDT", "USDC", "BTC", "ETH"];
        let mut filter = self.status[Pane::Transactions.index()].filter.clone();
        filter.currency = match filter.currency.as_deref() {
            None => Some(CURRENCIES[0].to_string()),
            Some(current) => {
                CURRENCIES.iter().position(|c| *c == current).and_then(|i| CURRENCIES.get(i + 1)).map(|c| c.to_string())
            }
        };
        self.set_server_filter(Pane::Transactions, filter);
    }

    fn show_link_transactions(&mut self, link_id: String) {
        let mut filter = self.status[Pane::Transactions.index()].filter.clone();
        filter.payment_link_id = Some(link_id);
        self.switch_pane(Pane::Transactions);
        self.set_server_filter(Pane::Transactions, filter);
    }

    fn filter_key(&mut self, key: Key, mut text: String, previous: String) {
        match key.code {
            KeyCode::Esc => {
                self.list_mut(self.pane).set_text_filter(&previous);
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if key.ctrl => text.clear(),
            KeyCode::Char('w') if key.ctrl => delete_word(&mut text),
            KeyCode::Char(c) if !key.ctrl && !c.is_control() => text.push(c),
            _ => {}
        }
        // Filter as you type.
        self.list_mut(self.pane).set_text_filter(&text);
        self.mode = Mode::Filter { text, previous };
    }

    fn command_key(&mut self, key: Key, mut text: String, cmds: &mut Vec<Cmd>) {
        match key.code {
            KeyCode::Esc => self.mode = Mode::Normal,
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                self.run_command(text.trim(), cmds);
            }
            KeyCode::Backspace => {
                text.pop();
                self.mode = Mode::Command(text);
            }
            KeyCode::Char('u') if key.ctrl => self.mode = Mode::Command(String::new()),
            KeyCode::Char('w') if key.ctrl => {
                delete_word(&mut text);
                self.mode = Mode::Command(text);
            }
            KeyCode::Char(c) if !key.ctrl && !c.is_control() => {
                text.push(c);
                self.mode = Mode::Command(text);
            }
            _ => {}
        }
    }

    fn paste(&mut self, pasted: &str) {
        // One line only; pasted newlines or controls must not sneak in.
        let clean: String = pasted.lines().next().unwrap_or("").chars().filter(|c| !c.is_control()).collect();
        match &mut self.mode {
            Mode::Command(text) => text.push_str(&clean),
            Mode::Filter { text, .. } => {
                text.push_str(&clean);
                let text = text.clone();
                self.list_mut(self.pane).set_text_filter(&text);
            }
            Mode::Normal => {
                // Pasting an id straight into the dashboard opens the jump.
                self.mode = Mode::Command(clean.trim().to_string());
            }
            Mode::NewLink(form) => form.paste(pasted),
            Mode::NewWebhook(form) => form.paste(pasted),
            Mode::Verify(form) => form.paste(pasted),
            Mode::Help | Mode::Created(_) | Mode::Deactivate(_) | Mode::Secret(_) => {}
        }
    }

    /// Runs what was typed after `:`. The common case is a pasted id.
    fn run_command(&mut self, line: &str, cmds: &mut Vec<Cmd>) {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { return };
        let rest: Vec<&str> = words.collect();
        let arg = rest.first().copied();
        match (first, arg) {
            (id, None) if id.starts_with("pl_") || id.starts_with("txn_") || id.starts_with("wh_") => self.jump(id, cmds),
            ("q" | "quit", None) => cmds.push(Cmd::Quit),
            ("clear", None) => {
                let pane = self.pane;
                self.set_server_filter(pane, ServerFilter::default());
                self.list_mut(self.pane).set_text_filter("");
            }
            ("status", value) => {
                let pane = self.pane;
                let statuses = pane.statuses();
                match value {
                    Some(v) if !statuses.iter().any(|s| s == v) => {
                        self.notify(format!("status must be one of: {}", statuses.join(", ")), true)
                    }
                    _ => {
                        let mut filter = self.status[pane.index()].filter.clone();
                        filter.status = value.map(str::to_string);
                        self.set_server_filter(pane, filter);
                    }
                }
            }
            ("currency", value) => {
                let mut filter = self.status[Pane::Transactions.index()].filter.clone();
                filter.currency = value.map(|v| v.to_uppercase());
                self.switch_pane(Pane::Transactions);
                self.set_server_filter(Pane::Transactions, filter);
            }
            ("link", value) => {
                if let Some(link) = value {
                    self.show_link_transactions(link.to_string());
                } else {
                    let mut filter = self.status[Pane::Transactions.index()].filter.clone();
                    filter.payment_link_id = None;
                    self.switch_pane(Pane::Transactions);
                    self.set_server_filter(Pane::Transactions, filter);
                }
            }
            ("from" | "to", value) => {
                let parsed = match value.map(parse_when) {
                    Some(Some(time)) => Some(time),
                    Some(None) => {
                        self.notify(format!("{first}: use a date like 2024-01-15 or 2024-01-15T10:30:00Z"), true);
                        return;
                    }
                    None => None,
                };
                let mut filter = self.status[Pane::Transactions.index()].filter.clone();
                if first == "from" {
                    filter.from = parsed;
                } else {
                    // A bare date means the whole of that day.
                    filter.to = parsed.map(|t| if value.is_some_and(|v| v.len() == 10) { t + Duration::days(1) - Duration::seconds(1) } else { t });
                }
                self.switch_pane(Pane::Transactions);
                self.set_server_filter(Pane::Transactions, filter);
            }
            _ => self.notify(
                format!(
                    "unknown command {:?}: paste an id (pl_…, txn_…, wh_…) or use status, currency, link, from, to, clear",
                    crate::sanitize::for_terminal_truncated(line, 40)
                ),
                true,
            ),
        }
    }

    /// Goes to an object by id: fetched from the API, so it works for
    /// objects not loaded in any list.
    fn jump(&mut self, id: &str, cmds: &mut Vec<Cmd>) {
        let id = id.trim().to_string();
        if id.starts_with("wh_") {
            // PIK has no get-one endpoint for webhooks; the list is complete.
            if self.webhooks.find(&id).is_some() {
                self.switch_pane(Pane::Webhooks);
                let view = self.view_height();
                self.webhooks.select_id(&id, view);
                self.open_detail_for(Pane::Webhooks, id, None, Duration::zero());
            } else {
                self.notify(format!("no webhook {id} among the {} registered", self.webhooks.loaded()), true);
            }
            return;
        }
        let request = self.request_id();
        self.pending_jump = Some((request, id.clone()));
        self.notify(format!("looking up {id}…"), false);
        if id.starts_with("pl_") {
            cmds.push(Cmd::FetchLink { request, id });
        } else {
            cmds.push(Cmd::FetchTransaction { request, id });
        }
    }

    // ---- mouse ----

    fn mouse(&mut self, mouse: Mouse) {
        if !matches!(self.mode, Mode::Normal) {
            return;
        }
        match mouse.kind {
            MouseKind::ScrollDown => self.move_selection(3),
            MouseKind::ScrollUp => self.move_selection(-3),
            MouseKind::Click => {
                let screen = self.screen();
                if screen.too_small {
                    return;
                }
                if mouse.row == screen.header.y {
                    let spans = layout::tab_spans(&self.tab_labels(), layout::TABS_START);
                    if let Some(i) = spans.iter().position(|(x, w)| mouse.column >= *x && mouse.column < x + w) {
                        self.switch_pane(self.panes()[i]);
                    }
                    return;
                }
                let rows = screen.table_rows();
                if rows.contains(mouse.column, mouse.row) && screen.popup.is_none() {
                    let position = self.list(self.pane).scroll() + usize::from(mouse.row - rows.y);
                    if position < self.list(self.pane).visible_len() {
                        self.select_position(position);
                    }
                }
            }
        }
    }

    /// Whether a row is marked as new or changed.
    pub fn mark(&self, pane: Pane, id: &str) -> Option<Mark> {
        self.list(pane).mark(id)
    }
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

fn delete_word(text: &mut String) {
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    let cut = text.rfind(char::is_whitespace).map(|i| i + 1).unwrap_or(0);
    text.truncate(cut);
}

/// A date (midnight UTC) or an RFC 3339 time.
fn parse_when(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

/// 1004 → "1,004".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "3 s ago", "2 min ago", "5 h ago".
pub fn age_words(age: Duration) -> String {
    let seconds = age.num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s ago"),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} d ago", seconds / 86400),
    }
}

#[cfg(test)]
mod tests;
