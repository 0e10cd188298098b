//! The panes, and the state of each list pane: a window on the mirror
//! ([`ListPane`]: its rows around the screen, its filter, typed per kind,
//! and its sort), or the webhooks, read whole ([`HookList`]).

use super::list::{LocalList, RequestId};
use super::resource::Resource;
use super::window::ListWindow;
use crate::api::{LinkStatus, PaymentLink, Transaction, TransactionStatus, Webhook};
use crate::store::{DateField, Kinds, ListQuery, SearchQuery, Sort, Window, Windowed};
use crate::sync::{Of, OnScreen};
use chrono::{DateTime, Utc};

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

    /// Whether its rows come from the mirror, read by the app (not the
    /// Events pane, fed by the listener).
    pub fn reads_mirror(self) -> bool {
        matches!(self, Pane::Links | Pane::Transactions | Pane::Webhooks | Pane::Search | Pane::Overview)
    }
}

/// `GET /payment-links` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkFilter {
    pub status: Option<LinkStatus>,
}

/// The Transactions pane's filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionFilter {
    pub status: Option<TransactionStatus>,
    pub currency: Option<String>,
    pub payment_link_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Which time `from` and `to` apply to.
    pub date: DateField,
}

/// What a kind of row adds to [`Resource`] to be a pane's window: its
/// filter, as a question for the mirror, and its rows in a window read.
pub trait WindowRow: Resource + PartialEq {
    type Filter: Clone + Default + PartialEq + std::fmt::Debug;
    const KINDS: Kinds;
    fn filter_query(filter: &Self::Filter) -> SearchQuery;
    fn window(read: Windowed) -> Option<Window<Self>>;
    /// The row as the sync should read it again, if its status can still
    /// change.
    fn unfinished(&self) -> Option<OnScreen>;
}

impl WindowRow for PaymentLink {
    type Filter = LinkFilter;
    const KINDS: Kinds = Kinds::Links;

    fn filter_query(filter: &LinkFilter) -> SearchQuery {
        let mut query = SearchQuery::everything(Kinds::Links);
        query.status = filter.status.as_ref().map(|s| s.as_str().to_string());
        query
    }

    fn window(read: Windowed) -> Option<Window<Self>> {
        match read {
            Windowed::Links(window) => Some(window),
            Windowed::Transactions(_) => None,
        }
    }

    fn unfinished(&self) -> Option<OnScreen> {
        (self.status == LinkStatus::Active).then(|| OnScreen {
            of: Of::Links,
            id: self.id.clone(),
            created_at: self.created_at,
        })
    }
}

impl WindowRow for Transaction {
    type Filter = TransactionFilter;
    const KINDS: Kinds = Kinds::Transactions;

    fn filter_query(filter: &TransactionFilter) -> SearchQuery {
        let mut query = SearchQuery::everything(Kinds::Transactions);
        query.status = filter.status.as_ref().map(|s| s.as_str().to_string());
        query.currency = filter.currency.clone();
        query.link = filter.payment_link_id.clone();
        query.set_dates(filter.date, filter.from, filter.to);
        query
    }

    fn window(read: Windowed) -> Option<Window<Self>> {
        match read {
            Windowed::Transactions(window) => Some(window),
            Windowed::Links(_) => None,
        }
    }

    fn unfinished(&self) -> Option<OnScreen> {
        matches!(self.status, TransactionStatus::Pending | TransactionStatus::Confirmed).then(|| OnScreen {
            of: Of::Transactions,
            id: self.id.clone(),
            created_at: self.created_at,
        })
    }
}

/// A list pane: a window on the mirror, its filter and its sort.
#[derive(Debug, Clone)]
pub struct ListPane<T: WindowRow> {
    pub list: ListWindow<T>,
    pub filter: T::Filter,
    pub sort: Sort,
    /// When a hidden pane may read again (its count, on its tab).
    pub hidden_read_at: DateTime<Utc>,
    /// Every row of its kind the mirror held when the rows held were read.
    pub(in crate::app) held: u64,
    /// A saved view's query: the rows it shows before its own filters.
    pub base: Option<SearchQuery>,
}

impl<T: WindowRow> ListPane<T> {
    pub fn new(sort: Sort, now: DateTime<Utc>) -> Self {
        ListPane {
            list: ListWindow::new(),
            filter: T::Filter::default(),
            sort,
            hidden_read_at: now,
            held: 0,
            base: None,
        }
    }

    /// A saved view's list: its query and its sort.
    pub fn view(base: SearchQuery, sort: Sort, now: DateTime<Utc>) -> Self {
        ListPane { base: Some(base), ..ListPane::new(sort, now) }
    }

    /// What it asks the mirror: a view's query narrowed by the pane's own
    /// filters (both must hold).
    pub fn query(&self) -> ListQuery {
        let own = T::filter_query(&self.filter);
        let filter = match &self.base {
            None => own,
            Some(base) => base.and(own),
        };
        ListQuery { filter, sort: self.sort }
    }

    /// Whether it shows every row of its kind (whatever the order).
    pub fn is_unfiltered(&self) -> bool {
        self.base.is_none() && self.filter == T::Filter::default()
    }

    /// Whether it shows every row in the default order (the newest on top,
    /// which the sync reads every refresh anyway).
    pub fn is_plain(&self) -> bool {
        self.is_unfiltered() && self.sort == Sort::default()
    }

    /// Changes the filter: the list starts again from the top. Says whether
    /// anything changed.
    pub fn set_filter(&mut self, filter: T::Filter) -> bool {
        if self.filter == filter {
            return false;
        }
        self.filter = filter;
        self.list.restart();
        true
    }

    /// Changes the sort: the list starts again from the top.
    pub fn set_sort(&mut self, sort: Sort) -> bool {
        if self.sort == sort {
            return false;
        }
        self.sort = sort;
        self.list.restart();
        true
    }
}

/// The webhooks, few enough to be read whole from the mirror.
#[derive(Debug, Clone, Default)]
pub struct HookList {
    pub list: LocalList<Webhook>,
    pub reading: Option<RequestId>,
    /// The mirror changed since the last read.
    pub stale: bool,
    pub hidden_read_at: Option<DateTime<Utc>>,
    /// Why the last read failed, and when to try again (not at once: a
    /// store that keeps failing would be read in a loop).
    pub error: Option<String>,
    pub retry_at: Option<DateTime<Utc>>,
}
