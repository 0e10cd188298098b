//! The panes, and the state of each one that polls PIK: its list, its
//! server-side filter (typed per resource) and its polling state (when the
//! next poll is due, how it backs off after errors).
//!
//! Only the three polled panes have a [`PaneState`]; the Events pane is a
//! plain list fed by the local listener, so no fetch for it can be built.

use super::ErrorInfo;
use super::paged::{ListOps, PAGE_SIZE, PagedList, RequestId};
use super::resource::Resource;

mod poll_state;
use crate::api::{LinkStatus, Page, PaymentLink, Transaction, TransactionStatus, Webhook};
use crate::store::{DateField, Kinds, SearchQuery};
use chrono::{DateTime, Duration, Utc};
pub use poll_state::{MAX_BACKOFF_SECS, PollState};

/// Every tab of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    /// The period's money, a chart and what needs attention, from the mirror.
    Overview,
    Links,
    Transactions,
    Webhooks,
    /// Verified webhook events received by the local listener (`--demo`).
    Events,
    /// Links and transactions together, searched in the mirror.
    Search,
}

impl Pane {
    /// In tab order.
    pub const ALL: [Pane; 6] =
        [Pane::Overview, Pane::Links, Pane::Transactions, Pane::Webhooks, Pane::Events, Pane::Search];

    /// Its bit in a [`super::keymap::PaneSet`].
    pub const fn bit(self) -> u8 {
        match self {
            Pane::Links => 0,
            Pane::Transactions => 1,
            Pane::Webhooks => 2,
            Pane::Events => 3,
            Pane::Search => 4,
            Pane::Overview => 5,
        }
    }

    /// The key that selects it, as shown on its tab.
    pub fn key_label(self) -> char {
        match self {
            Pane::Search => 'S',
            Pane::Overview => '0',
            other => char::from(b'1' + other.bit()),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Links => "Links",
            Pane::Transactions => "Transactions",
            Pane::Webhooks => "Webhooks",
            Pane::Events => "Events",
            Pane::Search => "Search",
            Pane::Overview => "Overview",
        }
    }

    /// The title on a tab when space is short.
    pub fn short_title(self) -> &'static str {
        match self {
            Pane::Transactions => "Txns",
            Pane::Webhooks => "Hooks",
            other => other.title(),
        }
    }

    /// The polled resource behind the pane, if it polls.
    pub fn polled(self) -> Option<Polled> {
        match self {
            Pane::Links => Some(Polled::Links),
            Pane::Transactions => Some(Polled::Transactions),
            Pane::Webhooks => Some(Polled::Webhooks),
            Pane::Events | Pane::Search | Pane::Overview => None,
        }
    }
}

/// The panes whose rows come from polling PIK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Polled {
    Links,
    Transactions,
    Webhooks,
}

impl Polled {
    pub const ALL: [Polled; 3] = [Polled::Links, Polled::Transactions, Polled::Webhooks];

    pub fn pane(self) -> Pane {
        match self {
            Polled::Links => Pane::Links,
            Polled::Transactions => Pane::Transactions,
            Polled::Webhooks => Pane::Webhooks,
        }
    }
}

/// `GET /payment-links` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkFilter {
    pub status: Option<LinkStatus>,
}

/// `GET /transactions` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionFilter {
    pub status: Option<TransactionStatus>,
    pub currency: Option<String>,
    pub payment_link_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Which time `from` and `to` apply to. PIK filters by creation only:
    /// another is read from the mirror.
    pub date: DateField,
}

impl TransactionFilter {
    /// The filter as a question for the mirror.
    pub fn query(&self) -> SearchQuery {
        let mut query = SearchQuery::everything(Kinds::Transactions);
        query.status = self.status.as_ref().map(|s| s.as_str().to_string());
        query.currency = self.currency.clone();
        query.link = self.payment_link_id.clone();
        query.set_dates(self.date, self.from, self.to);
        query
    }

    /// Whether PIK cannot answer it: a range of confirmation or
    /// settlement times.
    pub fn needs_mirror(&self) -> bool {
        self.date != DateField::Created && (self.from.is_some() || self.to.is_some())
    }

    /// The range PIK can filter by: creation times only.
    pub fn created_range(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        if self.date == DateField::Created { (self.from, self.to) } else { (None, None) }
    }
}

/// What to fetch: a page of one polled resource, with its filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRequest {
    Links {
        filter: LinkFilter,
        offset: u64,
        limit: u32,
    },
    Transactions {
        filter: TransactionFilter,
        offset: u64,
        limit: u32,
    },
    /// PIK does not paginate webhooks: one call returns them all.
    Webhooks,
}

impl PageRequest {
    pub fn pane(&self) -> Polled {
        match self {
            PageRequest::Links { .. } => Polled::Links,
            PageRequest::Transactions { .. } => Polled::Transactions,
            PageRequest::Webhooks => Polled::Webhooks,
        }
    }

    pub fn offset(&self) -> u64 {
        match self {
            PageRequest::Links { offset, .. } | PageRequest::Transactions { offset, .. } => *offset,
            PageRequest::Webhooks => 0,
        }
    }
}

/// Where a page is read from: PIK, or the local mirror (the first frame at
/// start-up, and scrolling while PIK cannot be reached).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Pik,
    Mirror,
}

/// A page as it came back, of whichever resource was asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Links(Page<PaymentLink>),
    Transactions(Page<Transaction>),
    Webhooks(Page<Webhook>),
}

/// What a polled resource adds to [`Resource`]: its filter and its page.
pub trait PolledResource: Resource {
    type Filter: Clone + Default + PartialEq + std::fmt::Debug;
    const PANE: Polled;
    /// Whether PIK pages this resource (webhooks come all at once).
    const PAGED: bool = true;
    fn request(filter: &Self::Filter, offset: u64, limit: u32) -> PageRequest;
    fn page(loaded: Loaded) -> Option<Page<Self>>;
}

impl PolledResource for PaymentLink {
    type Filter = LinkFilter;
    const PANE: Polled = Polled::Links;

    fn request(filter: &LinkFilter, offset: u64, limit: u32) -> PageRequest {
        PageRequest::Links { filter: filter.clone(), offset, limit }
    }

    fn page(loaded: Loaded) -> Option<Page<Self>> {
        match loaded {
            Loaded::Links(page) => Some(page),
            _ => None,
        }
    }
}

impl PolledResource for Transaction {
    type Filter = TransactionFilter;
    const PANE: Polled = Polled::Transactions;

    fn request(filter: &TransactionFilter, offset: u64, limit: u32) -> PageRequest {
        PageRequest::Transactions { filter: filter.clone(), offset, limit }
    }

    fn page(loaded: Loaded) -> Option<Page<Self>> {
        match loaded {
            Loaded::Transactions(page) => Some(page),
            _ => None,
        }
    }
}

impl PolledResource for Webhook {
    type Filter = ();
    const PANE: Polled = Polled::Webhooks;
    const PAGED: bool = false;

    fn request(_filter: &(), _offset: u64, _limit: u32) -> PageRequest {
        PageRequest::Webhooks
    }

    fn page(loaded: Loaded) -> Option<Page<Self>> {
        match loaded {
            Loaded::Webhooks(page) => Some(page),
            _ => None,
        }
    }
}

/// Rows re-read above and below the rows on screen, so that a few items
/// arriving on top (or leaving a filtered list) between two polls still
/// leave every row on screen inside the refreshed page.
const WINDOW_MARGIN: usize = 10;
/// PIK's largest page.
const MAX_LIMIT: usize = 100;

/// A polled pane: its rows, its filter and its polling state, together.
#[derive(Debug, Clone)]
pub struct PaneState<T: PolledResource> {
    pub list: PagedList<T>,
    pub filter: T::Filter,
    pub poll: PollState,
    /// The request re-reading the rows on screen, when they lie below the
    /// first page (which polling refreshes anyway).
    window_refresh: Option<RequestId>,
    /// The first page asked of the mirror, drawn until PIK answers.
    mirror_request: Option<RequestId>,
    mirror_asked: bool,
    /// The rows shown came from the mirror, and PIK has not answered since.
    pub from_mirror: bool,
}

impl<T: PolledResource> PaneState<T> {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            list: PagedList::new(),
            filter: T::Filter::default(),
            poll: PollState::new(now),
            window_refresh: None,
            mirror_request: None,
            mirror_asked: false,
            from_mirror: false,
        }
    }

    /// The page that re-reads the rows on screen, if any lies past the
    /// first page: one request, padded by a margin on both sides.
    fn window_page(&self, view_height: usize) -> Option<PageRequest> {
        let (first, end) = self.list.on_screen(view_height)?;
        if !T::PAGED || end <= PAGE_SIZE as usize {
            return None;
        }
        let offset = first.saturating_sub(WINDOW_MARGIN);
        let limit = (end + WINDOW_MARGIN - offset).min(MAX_LIMIT);
        Some(T::request(&self.filter, offset as u64, u32::try_from(limit).unwrap_or(PAGE_SIZE)))
    }

    /// Changes the server-side filter: the list starts again. Says whether
    /// anything changed.
    pub fn set_filter(&mut self, filter: T::Filter, now: DateTime<Utc>) -> bool {
        if self.filter == filter {
            return false;
        }
        self.filter = filter;
        self.poll = PollState::new(now);
        self.list.reset();
        self.window_refresh = None;
        self.mirror_request = None;
        self.mirror_asked = false;
        self.from_mirror = false;
        true
    }

    /// Merges a page that answers `request`; returns what changed.
    pub fn apply(
        &mut self,
        request: RequestId,
        offset: u64,
        source: Source,
        result: Result<Loaded, ErrorInfo>,
        interval: Duration,
        now: DateTime<Utc>,
    ) -> Option<super::paged::Applied> {
        if self.mirror_request == Some(request) {
            self.mirror_request = None;
            // Only while PIK has not answered: the mirror's rows are an
            // older picture of the same list, and PIK's first page merges
            // into them by id, marking what is new or changed since.
            let page = result.ok().and_then(T::page).filter(|_| !self.list.loaded_once())?;
            self.from_mirror = self.list.show_snapshot(page);
            return self.from_mirror.then(super::paged::Applied::default);
        }
        if self.window_refresh == Some(request) {
            self.window_refresh = None;
            // A failed re-read is not worth a backoff: the first page's poll
            // reports what is wrong, and the next poll tries again.
            return match result.ok().and_then(T::page) {
                Some(page) => Some(self.list.refresh(page, now)),
                None => None,
            };
        }
        if !self.list.is_current(request) {
            return None; // an answer to a request made before a filter change
        }
        match result.map(T::page) {
            Ok(Some(page)) => {
                let applied = self.list.apply(request, offset, page, now);
                match source {
                    Source::Pik => {
                        self.poll.succeeded(now, offset == 0);
                        if offset == 0 {
                            self.from_mirror = false;
                        }
                    }
                    Source::Mirror => self.from_mirror = true,
                }
                Some(applied)
            }
            // A page of another resource: impossible by construction; drop it.
            Ok(None) => {
                self.list.fail(request);
                None
            }
            // The mirror failing is not PIK failing: no backoff for it.
            Err(_) if source == Source::Mirror => {
                self.list.fail(request);
                None
            }
            Err(error) => {
                self.list.fail(request);
                self.poll.failed(error, interval, now);
                None
            }
        }
    }
}

/// The parts of a pane state that do not depend on the row type.
pub trait PaneOps {
    fn list(&self) -> &dyn ListOps;
    fn list_mut(&mut self) -> &mut dyn ListOps;
    fn poll(&self) -> &PollState;
    fn poll_mut(&mut self) -> &mut PollState;
    /// The fetches this pane wants now, each with the next request id from
    /// `next_request`; records them as in flight.
    fn plan(&mut self, plan: &PlanInput, next_request: &mut RequestId) -> Vec<(RequestId, PageRequest, Source)>;
}

/// What planning needs to know about the moment.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput {
    pub now: DateTime<Utc>,
    pub visible: bool,
    pub view_height: usize,
    pub paused: bool,
    pub interval: Duration,
    /// Whether a mirror can answer pages.
    pub mirror: bool,
}

impl<T: PolledResource> PaneOps for PaneState<T> {
    fn list(&self) -> &dyn ListOps {
        &self.list
    }

    fn list_mut(&mut self) -> &mut dyn ListOps {
        &mut self.list
    }

    fn poll(&self) -> &PollState {
        &self.poll
    }

    fn poll_mut(&mut self) -> &mut PollState {
        &mut self.poll
    }

    fn plan(&mut self, input: &PlanInput, next_request: &mut RequestId) -> Vec<(RequestId, PageRequest, Source)> {
        let mut fetches = Vec::new();
        let mut take_id = || {
            let id = *next_request;
            *next_request += 1;
            id
        };
        // The first frame comes from the mirror at once, beside PIK's answer.
        if input.mirror && !self.mirror_asked && !self.list.loaded_once() {
            self.mirror_asked = true;
            let request = take_id();
            self.mirror_request = Some(request);
            fetches.push((request, T::request(&self.filter, 0, PAGE_SIZE), Source::Mirror));
        }
        if self.list.in_flight().is_some() {
            return fetches;
        }
        let loaded = self.list.loaded_once();
        let poll_due = self.poll.due(input.now) && !(input.paused && loaded);
        // Scrolling past what is loaded fetches the next page, unless the
        // pane is failing and waiting out its backoff; with PIK out of
        // reach, the mirror gives the next page at once.
        let wanted = if input.visible { self.list.wanted_page(input.view_height) } else { None };
        let backoff_over = self.poll.due(input.now);
        let from_mirror = input.mirror && self.poll.unreachable();
        let offset = match wanted {
            Some(offset) if offset > 0 && (self.poll.error.is_none() || backoff_over || from_mirror) => offset,
            _ if poll_due => 0,
            _ => return fetches,
        };
        let request = take_id();
        self.list.begin(request, offset);
        // Scrolling on while PIK cannot be reached reads the mirror.
        let source = if offset > 0 && input.mirror && self.poll.unreachable() { Source::Mirror } else { Source::Pik };
        fetches.push((request, T::request(&self.filter, offset, PAGE_SIZE), source));
        if offset == 0 {
            self.poll.polled(input.now, input.interval);
            // The rows on screen are re-read too when they lie below the
            // first page: an agent scrolled to yesterday's links must not
            // be shown a status that has changed.
            if input.visible
                && self.window_refresh.is_none()
                && let Some(page) = self.window_page(input.view_height)
            {
                let request = take_id();
                self.window_refresh = Some(request);
                fetches.push((request, page, Source::Pik));
            }
        }
        fetches
    }
}
