//! The open detail (one object, refreshed while it is open) and jumps to an
//! object by id, fetched from the API so that they work for objects not
//! loaded in any list.

use super::list::{ListOps, RequestId};
use super::{App, Cmd, ErrorInfo, Pane};
use crate::api::{EventEnvelope, Page, PaymentLink, Transaction, Webhook};
use crate::store::SearchHit;
use chrono::{DateTime, Duration, Utc};

/// Wait after the selection moves before the open detail is fetched, so
/// that holding `j` does not send a request per row.
const DETAIL_DEBOUNCE_MS: i64 = 250;

/// One object fetched by id.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    Link(PaymentLink),
    Transaction(Transaction),
}

impl Found {
    pub fn id(&self) -> &str {
        match self {
            Found::Link(link) => &link.id,
            Found::Transaction(txn) => &txn.id,
        }
    }

    fn pane(&self) -> Pane {
        match self {
            Found::Link(_) => Pane::Links,
            Found::Transaction(_) => Pane::Transactions,
        }
    }

    fn kind(&self) -> DetailKind {
        match self {
            Found::Link(_) => DetailKind::Link,
            Found::Transaction(_) => DetailKind::Transaction,
        }
    }
}

/// What kind of object a detail shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailKind {
    Link,
    Transaction,
    Webhook,
    Event,
}

/// The open detail: what it shows and what is being fetched for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub kind: DetailKind,
    /// The pane it was opened in.
    pub pane: Pane,
    pub id: String,
    /// A copy fetched by id (a jump, or a refresh); preferred over the row.
    pub object: Option<Found>,
    pub link_transactions: Option<Result<Page<Transaction>, ErrorInfo>>,
    /// A payment's order (its link's amount and description), from the mirror.
    pub order: Option<crate::cases::Order>,
    pub(super) order_request: Option<RequestId>,
    object_request: Option<RequestId>,
    transactions_request: Option<RequestId>,
    next_refresh: DateTime<Utc>,
}

impl Detail {
    pub(super) fn refresh_now(&mut self, now: DateTime<Utc>) {
        self.next_refresh = now;
    }
}

impl App {
    /// What the selected row of the visible pane is.
    pub fn selected_kind(&self) -> Option<DetailKind> {
        Some(match self.pane {
            Pane::Links => DetailKind::Link,
            Pane::Transactions => DetailKind::Transaction,
            Pane::Webhooks => DetailKind::Webhook,
            Pane::Events => DetailKind::Event,
            Pane::Search => match self.search.selected_hit()? {
                crate::store::SearchHit::Link(_) => DetailKind::Link,
                crate::store::SearchHit::Transaction(_) => DetailKind::Transaction,
            },
            Pane::Overview => self.overview.list.selected_row()?.detail_kind()?,
        })
    }

    /// Opens the detail of the selected row.
    pub(super) fn open_selected(&mut self, delay: Duration) {
        self.list_mut(self.pane).hold_selection();
        if let (Some(id), Some(kind)) = (self.selected_id(), self.selected_kind()) {
            self.open_detail_for(kind, id, None, delay);
        }
    }

    pub(super) fn open_detail_for(&mut self, kind: DetailKind, id: String, object: Option<Found>, delay: Duration) {
        self.detail = Some(Detail {
            kind,
            pane: self.pane,
            id,
            object,
            link_transactions: None,
            order: None,
            order_request: None,
            object_request: None,
            transactions_request: None,
            next_refresh: self.now + delay,
        });
    }

    /// After the selection moved: an open detail follows it (debounced).
    pub(super) fn selection_moved(&mut self) {
        if self.detail.is_none() {
            return;
        }
        let Some(id) = self.selected_id() else { return };
        if self.detail.as_ref().is_some_and(|d| d.id == id && d.pane == self.pane) {
            return;
        }
        self.open_selected(Duration::milliseconds(DETAIL_DEBOUNCE_MS));
    }

    /// When the open detail is next read, unless a read is under way or
    /// the agent paused it: what [`App::plan_detail`] and the tick go by.
    pub(super) fn detail_read_at(&self) -> Option<DateTime<Utc>> {
        let detail = self.detail.as_ref()?;
        let waiting = detail.object_request.is_some() || detail.transactions_request.is_some();
        let paused = self.paused.is_some() && detail.object.is_some();
        (!waiting && !paused).then_some(detail.next_refresh)
    }

    /// Refreshes the open detail every refresh interval: the object by id,
    /// and a link's transactions.
    pub(super) fn plan_detail(&mut self, cmds: &mut Vec<Cmd>) {
        if self.detail_read_at().is_none_or(|at| self.now < at) {
            return;
        }
        let Some(detail) = &self.detail else { return };
        let (kind, id) = (detail.kind, detail.id.clone());
        let next_refresh = self.now + self.settings.refresh;
        let object_request = match kind {
            DetailKind::Link => {
                let request = self.request_id();
                cmds.push(Cmd::FetchLink { request, id: id.clone() });
                Some(request)
            }
            DetailKind::Transaction => {
                let request = self.request_id();
                cmds.push(Cmd::FetchTransaction { request, id: id.clone() });
                Some(request)
            }
            // PIK has no get-one for webhooks; the list poll refreshes them.
            // Events are what the listener received: nothing to fetch.
            DetailKind::Webhook | DetailKind::Event => None,
        };
        let transactions_request = (kind == DetailKind::Link).then(|| {
            let request = self.request_id();
            cmds.push(Cmd::FetchLinkTransactions { request, link_id: id });
            request
        });
        // A payment's order, read from the mirror with each refresh.
        let order_link = match self.subject() {
            Some(Subject::Transaction(txn)) if kind == DetailKind::Transaction => txn.payment_link_id.clone(),
            _ => None,
        };
        let order_request = order_link.map(|link_id| {
            let request = self.request_id();
            cmds.push(Cmd::ReadOrder { request, link_id });
            request
        });
        if let Some(detail) = &mut self.detail {
            detail.next_refresh = next_refresh;
            detail.object_request = object_request;
            detail.transactions_request = transactions_request;
            detail.order_request = order_request.or(detail.order_request);
        }
    }

    pub(super) fn object_loaded(&mut self, request: RequestId, result: Result<Found, ErrorInfo>, cmds: &mut Vec<Cmd>) {
        if self.case_link_fetched(request, &result, cmds) {
            return;
        }
        if let Some((lookup_request, id, lookup)) = self.pending_lookup.clone()
            && lookup_request == request
        {
            self.pending_lookup = None;
            self.end_notice(&format!("lookup {id}"));
            let what = if id.starts_with("pl_") { "payment link" } else { "transaction" };
            match (result, lookup) {
                (Ok(found), Lookup::Jump) => self.show_found(found, cmds),
                (Ok(_), Lookup::LinkFilter) => self.show_link_transactions(Some(id)),
                (Err(error), _) if error.status == Some(404) => self.notify(format!("no {what} {id}"), true),
                (Err(error), Lookup::Jump) => self.notify(format!("could not fetch {id}: {}", error.summary), true),
                // PIK could not say: the filter applies, and the list will tell.
                (Err(error), Lookup::LinkFilter) => {
                    self.show_link_transactions(Some(id.clone()));
                    self.notify(format!("could not check that {id} exists: {}", error.summary), true);
                }
            }
            return;
        }
        let Some(detail) = &mut self.detail else { return };
        if detail.object_request != Some(request) {
            return;
        }
        detail.object_request = None;
        // The worker kept it in the mirror too: its row is read again.
        if let Ok(found) = result
            && found.id() == detail.id
        {
            detail.object = Some(found);
        }
    }

    pub(super) fn link_transactions_loaded(
        &mut self,
        request: RequestId,
        link_id: &str,
        result: Result<Page<Transaction>, ErrorInfo>,
    ) {
        if let Some(detail) = &mut self.detail
            && detail.transactions_request == Some(request)
            && detail.id == link_id
        {
            detail.transactions_request = None;
            detail.link_transactions = Some(result);
        }
    }

    /// Shows an object found by a jump: its pane, selected if loaded, and
    /// its detail open.
    fn show_found(&mut self, found: Found, cmds: &mut Vec<Cmd>) {
        let pane = found.pane();
        self.switch_pane(pane);
        let view = self.view_height();
        let id = found.id().to_string();
        self.list_mut(pane).select_id(&id, view);
        self.open_detail_for(found.kind(), id, Some(found), Duration::zero());
        self.plan_detail(cmds);
    }

    /// Goes to an object by id: fetched from the API, so it works for
    /// objects not loaded in any list.
    pub(super) fn jump(&mut self, id: &str, cmds: &mut Vec<Cmd>) {
        let id = id.trim().to_string();
        if id.starts_with("wh_") {
            // PIK has no get-one endpoint for webhooks; the list is complete.
            if self.webhooks.list.find(&id).is_some() {
                self.switch_pane(Pane::Webhooks);
                let view = self.view_height();
                self.webhooks.list.select_id(&id, view);
                self.open_detail_for(DetailKind::Webhook, id, None, Duration::zero());
            } else {
                let count = self.webhooks.list.loaded();
                self.notify(format!("no webhook {id} among the {count} registered"), true);
            }
            return;
        }
        let request = self.request_id();
        self.pending_lookup = Some((request, id.clone(), Lookup::Jump));
        self.notify_about(&format!("lookup {id}"), format!("looking up {id}…"), false);
        if id.starts_with("pl_") {
            cmds.push(Cmd::FetchLink { request, id });
        } else {
            cmds.push(Cmd::FetchTransaction { request, id });
        }
    }
}

/// Why an object is being fetched by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// `:ID`: to show it.
    Jump,
    /// `:link ID`: to check it exists before filtering by it.
    LinkFilter,
}

impl App {
    /// `:link ID`: the link is looked up first, so an id that does not
    /// exist is said, not shown as an empty list.
    pub(super) fn link_filter(&mut self, id: Option<String>, cmds: &mut Vec<Cmd>) {
        let Some(id) = id.map(|id| id.trim().to_string()) else { return self.show_link_transactions(None) };
        let request = self.request_id();
        self.pending_lookup = Some((request, id.clone(), Lookup::LinkFilter));
        self.notify_about(&format!("lookup {id}"), format!("looking up {id}…"), false);
        cmds.push(Cmd::FetchLink { request, id });
    }
}

/// What the detail panel shows: the object opened (fetched fresh), else
/// the selected row of the list or search on screen.
pub enum Subject<'a> {
    Link(&'a PaymentLink),
    Transaction(&'a Transaction),
    Webhook(&'a Webhook),
    Event(&'a EventEnvelope),
}

impl App {
    pub fn subject(&self) -> Option<Subject<'_>> {
        let app = self;
        let opened = app.detail().filter(|d| d.pane == app.pane()).and_then(|d| d.object.as_ref());
        match opened {
            Some(Found::Link(link)) => return Some(Subject::Link(link)),
            Some(Found::Transaction(txn)) => return Some(Subject::Transaction(txn)),
            None => {}
        }
        if let Some(view) = app.search_view(app.pane()) {
            return match view.selected_hit()? {
                SearchHit::Link(link) => Some(Subject::Link(link)),
                SearchHit::Transaction(txn) => Some(Subject::Transaction(txn)),
            };
        }
        match app.pane() {
            Pane::Links => app.links.list.selected_row().map(Subject::Link),
            Pane::Transactions => app.transactions.list.selected_row().map(Subject::Transaction),
            Pane::Webhooks => app.webhooks.list.selected_row().map(Subject::Webhook),
            Pane::Events => app.events.selected_row().map(Subject::Event),
            Pane::Overview => {
                // A case's link is a subject once its detail is open (above).
                app.overview.list.selected_row()?.webhook().map(Subject::Webhook)
            }
            Pane::Search => None,
        }
    }
}

impl App {
    /// `y`: the checkout URL of the link shown, to the clipboard.
    pub(super) fn copy_checkout_url(&mut self, cmds: &mut Vec<Cmd>) {
        match self.subject() {
            Some(Subject::Link(link)) => match link.url.clone() {
                Some(url) => {
                    cmds.push(Cmd::Copy(url));
                    self.notify(format!("copied the checkout URL of {}", link.id), false);
                }
                None => self.notify(format!("PIK gave no checkout URL for {}", link.id), true),
            },
            _ => self.notify("select a payment link to copy its checkout URL", true),
        }
    }

    /// `o`: the block explorer's page of the transaction shown.
    pub(super) fn copy_explorer_url(&mut self, cmds: &mut Vec<Cmd>) {
        let Some(Subject::Transaction(txn)) = self.subject() else {
            return self.notify("select a payment to copy its block explorer link", true);
        };
        let (id, currency) = (txn.id.clone(), txn.currency.clone());
        let Some(hash) = txn.tx_hash.clone() else {
            return self.notify(format!("{id} has no transaction hash yet (not on chain)"), true);
        };
        match self.settings.explorers.url(&currency, &hash) {
            Some(url) => {
                cmds.push(Cmd::Copy(url));
                self.notify(format!("copied the explorer link of {id}"), false);
            }
            None => self.notify(
                format!("no explorer link for {id}: no [explorers] entry for its currency, or its hash is not a {currency} hash"),
                true,
            ),
        }
    }
}
