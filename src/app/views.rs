//! Saved views (`[[views]]` in the config file, `:save NAME`): a query in
//! the search's words and a sort, each a tab after the built-in panes with
//! its live count. A view is a Links or Transactions list with a base query
//! (`ListPane::base`): shown, it takes that pane's place (the pane's own
//! list waits in the view's slot), so it scrolls, sorts, opens, exports
//! and marks as the pane does; hidden, it is read at the hidden panes' pace
//! for its count. `:view NAME` opens one, `:views` lists them.

use super::marks::Marks;
use super::pane::ListPane;
use super::search::SearchView;
use super::{App, Cmd, Pane};
use crate::api::{PaymentLink, Transaction, TransactionStatus};
use crate::store::{Kinds, Reading, SearchQuery, Sort};

/// A view as the config file gives it, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewDef {
    pub name: String,
    /// In the search's words: `status:active currency:USDT amount:>=1000`.
    pub query: String,
    pub sort: Sort,
    /// The key that opens it, if any.
    pub key: Option<char>,
    /// Links or transactions.
    pub kinds: Kinds,
    /// Its own columns (`[columns] views`, or its `columns`); else its pane's.
    pub columns: Option<Vec<super::columns::Chosen>>,
}

/// Longest view name: a tab's title.
pub const NAME_MAX: usize = 40;

pub(super) fn kind_word(kinds: Kinds) -> &'static str {
    if kinds == Kinds::Links { "links" } else { "transactions" }
}

impl ViewDef {
    /// Reads a view; what goes wrong is said in words (the query's own
    /// problems, the sort's columns). It lists transactions when its query
    /// can only be about payments (a payment's status, confirmed or settled
    /// dates, a sort by settlement or link), links otherwise.
    pub fn read(
        name: &str,
        query: &str,
        sort: Option<&str>,
        key: Option<&str>,
        kind: Option<&str>,
        reading: Reading<'_>,
    ) -> Result<ViewDef, String> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
            return Err(format!("a view's name is 1 to {NAME_MAX} characters, without control characters"));
        }
        if query.chars().count() > crate::store::MAX_QUERY_CHARS {
            return Err(format!("the query of {name:?} is longer than {} characters", crate::store::MAX_QUERY_CHARS));
        }
        let parsed = SearchQuery::parse_in(query, Kinds::Both, reading);
        if !parsed.problems.is_empty() {
            return Err(format!("the query of {name:?} does not read: {}", parsed.problems.join("; ")));
        }
        let payment_status = parsed.status.as_deref().is_some_and(|status| {
            TransactionStatus::KNOWN.iter().any(|known| known.as_str().eq_ignore_ascii_case(status))
        });
        // A sort only payments have (by settlement, by link).
        let payment_sort = sort.is_some_and(|sort| {
            Sort::parse(sort, Kinds::Links).is_err() && Sort::parse(sort, Kinds::Transactions).is_ok()
        });
        let about_payments = parsed.transactions_only() || payment_status || payment_sort;
        let kinds = match kind.map(|k| k.trim().to_ascii_lowercase()).as_deref() {
            Some("links") if about_payments => {
                return Err(format!("{name:?} is of links, but its query or sort is about payments only"));
            }
            Some("links") => Kinds::Links,
            Some("transactions") => Kinds::Transactions,
            Some(_) => return Err(format!("the kind of {name:?} is links or transactions")),
            None if about_payments => Kinds::Transactions,
            None => Kinds::Links,
        };
        // A status no row of the kind has would list nothing, silently.
        if let Some(status) = &parsed.status {
            let known: Vec<&str> = match kinds {
                Kinds::Links => crate::api::LinkStatus::KNOWN.iter().map(|s| s.as_str()).collect(),
                _ => TransactionStatus::KNOWN.iter().map(|s| s.as_str()).collect(),
            };
            if !known.iter().any(|k| k.eq_ignore_ascii_case(status)) {
                let status = crate::sanitize::for_terminal_truncated(status, 20);
                return Err(format!("{name:?}: status {status:?} is none of {}", known.join(", ")));
            }
        }
        let sort = match sort {
            None => Sort::default(),
            Some(text) => Sort::parse(text, kinds).map_err(|e| format!("the sort of {name:?}: {e}"))?,
        };
        let key = match key.map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() && !c.is_whitespace() => Some(c),
                    _ => return Err(format!("the key of {name:?} is one character, such as \"u\"")),
                }
            }
        };
        Ok(ViewDef { name: name.to_string(), query: query.trim().to_string(), sort, key, kinds, columns: None })
    }

    /// Its query now: dates such as `created:today` read at this moment.
    pub fn base(&self, reading: Reading<'_>) -> SearchQuery {
        SearchQuery::parse_in(&self.query, self.kinds, reading)
    }

    /// "links" or "transactions", as the config file writes a kind.
    pub fn kind_word(&self) -> &'static str {
        kind_word(self.kinds)
    }

    /// "amount desc", as the config file writes a sort.
    pub fn sort_words(&self) -> String {
        self.sort.written()
    }
}

/// A view's list, or (while the view is shown) the pane's own that it
/// took the place of, with that list's search and marks.
#[derive(Debug, Clone)]
pub(super) enum Slot {
    Links(Box<ListPane<PaymentLink>>, Option<SearchView>, Marks),
    Transactions(Box<ListPane<Transaction>>, Option<SearchView>, Marks),
}

#[derive(Debug, Clone)]
pub struct ViewTab {
    pub def: ViewDef,
    pub(super) slot: Slot,
    /// The day (in the agent's zone) its dates were read on.
    read_on: String,
}

impl ViewTab {
    pub fn new(def: ViewDef, reading: Reading<'_>) -> ViewTab {
        let base = def.base(reading);
        let slot = match def.kinds {
            Kinds::Links => Slot::Links(Box::new(ListPane::view(base, def.sort, reading.now)), None, Marks::default()),
            _ => Slot::Transactions(Box::new(ListPane::view(base, def.sort, reading.now)), None, Marks::default()),
        };
        ViewTab { read_on: reading.zone.format(reading.now, "%Y-%m-%d"), def, slot }
    }

    fn pane(&self) -> Pane {
        match self.slot {
            Slot::Links(..) => Pane::Links,
            Slot::Transactions(..) => Pane::Transactions,
        }
    }
}

impl Slot {
    /// Its list's count, and whether the store changed since it was read.
    fn count(&self) -> (Option<u64>, bool) {
        use super::list::ListOps;
        match self {
            Slot::Links(pane, ..) => (pane.list.total(), pane.list.behind_the_store()),
            Slot::Transactions(pane, ..) => (pane.list.total(), pane.list.behind_the_store()),
        }
    }
}

/// A view's list with its words read again: from the top, if they changed.
/// Hands back its search, to be scoped anew.
fn rebase<'a, T: super::pane::WindowRow>(
    pane: &mut ListPane<T>,
    search: &'a mut Option<SearchView>,
    base: SearchQuery,
) -> Option<&'a mut SearchView> {
    if pane.base.as_ref() != Some(&base) {
        pane.base = Some(base);
        pane.list.restart();
    }
    search.as_mut()
}

impl App {
    pub fn views(&self) -> impl Iterator<Item = &ViewDef> {
        self.views.iter().map(|tab| &tab.def)
    }

    /// The view on screen, if one is.
    pub fn shown_view(&self) -> Option<&ViewDef> {
        self.shown_view.and_then(|at| self.views.get(at)).map(|tab| &tab.def)
    }

    /// Shows view `at` in its pane's place; the pane's own list waits.
    pub(super) fn show_view(&mut self, at: usize) {
        if self.shown_view == Some(at) || at >= self.views.len() {
            return;
        }
        self.put_view_back();
        self.swap_view(at);
        self.shown_view = Some(at);
        let pane = self.views[at].pane();
        self.pane = pane;
        self.detail = None;
        self.end_notice(super::ABOUT_THIS_PANE);
    }

    /// The view shown goes back to its tab; its pane's own list returns.
    pub(super) fn put_view_back(&mut self) {
        if let Some(at) = self.shown_view.take() {
            self.swap_view(at);
        }
    }

    /// Swaps a view's list, search and marks with its pane's. A search's
    /// answer on its way finds it no more: it is asked for again.
    fn swap_view(&mut self, at: usize) {
        let Some(tab) = self.views.get_mut(at) else { return };
        let (aside, live) = match &mut tab.slot {
            Slot::Links(pane, search, marks) => {
                std::mem::swap(pane.as_mut(), &mut self.links);
                std::mem::swap(search, &mut self.links_search);
                std::mem::swap(marks, &mut self.marks[usize::from(Pane::Links.bit())]);
                (search, &mut self.links_search)
            }
            Slot::Transactions(pane, search, marks) => {
                std::mem::swap(pane.as_mut(), &mut self.transactions);
                std::mem::swap(search, &mut self.transactions_search);
                std::mem::swap(marks, &mut self.marks[usize::from(Pane::Transactions.bit())]);
                (search, &mut self.transactions_search)
            }
        };
        aside.iter_mut().chain(live.iter_mut()).for_each(SearchView::set_aside);
    }

    /// A view's count for its tab: known only while the mirror holds the
    /// whole of its kind, and never a 0 that only means "not read again yet".
    pub(super) fn view_count(&self, at: usize) -> Option<u64> {
        use super::list::ListOps;
        let tab = self.views.get(at)?;
        if !self.holds_all(tab.pane()) {
            return None;
        }
        // Shown, the view's list has its pane's place.
        let (total, unread) = match (self.shown_view == Some(at), tab.pane()) {
            (true, Pane::Links) => (self.links.list.total(), self.links.list.behind_the_store()),
            (true, _) => (self.transactions.list.total(), self.transactions.list.behind_the_store()),
            (false, _) => tab.slot.count(),
        };
        super::list::known_count(total, unread)
    }

    /// The pane's own list while a view has its place (its tab counts it):
    /// its count, and whether the store changed since it was read.
    pub(super) fn waiting_list(&self, pane: Pane) -> Option<(Option<u64>, bool)> {
        let tab = self.views.get(self.shown_view?)?;
        (tab.pane() == pane).then(|| tab.slot.count())
    }

    /// Reads due for the lists in the views' slots (hidden views, and the
    /// pane's own list while a view has its place): at the hidden pace.
    pub(super) fn plan_views(&mut self, cmds: &mut Vec<Cmd>) {
        let reading = self.read_plan();
        let day = self.settings.zone.format(self.now, "%Y-%m-%d");
        for at in 0..self.views.len() {
            // Past midnight a view's "today" is another day: read again.
            if self.views[at].read_on != day {
                self.views[at].read_on = day.clone();
                let base = self.views[at].def.base(self.reading());
                let shown = self.shown_view == Some(at);
                let reading = Reading { zone: &self.settings.zone, now: self.now, cases: &self.settings.case_rules };
                // Its list, and a search in it, are of the new day.
                let search = match (&mut self.views[at].slot, shown) {
                    (Slot::Links(..), true) => rebase(&mut self.links, &mut self.links_search, base.clone()),
                    (Slot::Transactions(..), true) => {
                        rebase(&mut self.transactions, &mut self.transactions_search, base.clone())
                    }
                    (Slot::Links(pane, search, _), false) => rebase(pane, search, base.clone()),
                    (Slot::Transactions(pane, search, _), false) => rebase(pane, search, base.clone()),
                };
                if let Some(search) = search {
                    search.set_scope(base, reading);
                }
            }
            let request = self.next_request;
            let ask = match &mut self.views[at].slot {
                Slot::Links(pane, ..) => reading.window(pane, false, request),
                Slot::Transactions(pane, ..) => reading.window(pane, false, request),
            };
            if let Some(ask) = ask {
                self.next_request += 1;
                cmds.push(Cmd::List { request, ask: super::ListAsk::Window(Box::new(ask)) });
            }
        }
    }

    /// A read for a list in a view's slot; says whether it was one's.
    pub(super) fn view_listed(
        &mut self,
        request: super::list::RequestId,
        result: &Result<super::ListRows, String>,
    ) -> bool {
        let (view, now) = (self.view_height(), self.now);
        for tab in &mut self.views {
            let done = match &mut tab.slot {
                Slot::Links(pane, ..) if pane.list.is_current(request) => {
                    super::reads::apply_window(pane, request, result.clone(), view, now)
                }
                Slot::Transactions(pane, ..) if pane.list.is_current(request) => {
                    super::reads::apply_window(pane, request, result.clone(), view, now)
                }
                _ => continue,
            };
            if done {
                self.dirty = true;
            }
            return true;
        }
        false
    }

    /// The mirror changed: the views' lists read again (hidden, at their pace).
    pub(super) fn views_changed(&mut self, links: bool, transactions: bool) {
        for tab in &mut self.views {
            match &mut tab.slot {
                Slot::Links(pane, search, _) if links => {
                    pane.list.changed();
                    search.iter_mut().for_each(SearchView::changed);
                }
                Slot::Transactions(pane, search, _) if transactions => {
                    pane.list.changed();
                    search.iter_mut().for_each(SearchView::changed);
                }
                _ => {}
            }
        }
    }

    /// A link deactivated: unmarked in every list of links, the one shown
    /// and those waiting in the views' slots.
    pub(super) fn unmark_link(&mut self, id: &str) {
        self.marks_mut(Pane::Links).unmark(id);
        self.marks_mut(Pane::Search).unmark(id);
        for tab in &mut self.views {
            if let Slot::Links(_, _, marks) = &mut tab.slot {
                marks.unmark(id);
            }
        }
    }

    /// A view's key, in the panes.
    pub(super) fn view_for_key(&self, key: super::input::Key) -> Option<usize> {
        let super::input::KeyCode::Char(c) = key.code else { return None };
        if key.ctrl || key.alt {
            return None;
        }
        self.views.iter().position(|tab| tab.def.key == Some(c))
    }

    /// `:view NAME`.
    pub(super) fn view_command(&mut self, name: &str) {
        match self.views.iter().position(|tab| tab.def.name.eq_ignore_ascii_case(name.trim())) {
            Some(at) => self.show_view(at),
            None => {
                let names = self.view_names();
                let asked = crate::sanitize::for_terminal_truncated(name, NAME_MAX);
                self.notify(format!("no view named {asked:?}: {names}"), true);
            }
        }
    }

    /// `:views`: each with its key and count.
    pub(super) fn views_list(&mut self) {
        let text = format!("{} (:view NAME opens one, :save NAME saves this pane as one)", self.view_names());
        self.notify_for(crate::sanitize::for_terminal_truncated(&text, 400), false, 20);
    }

    fn view_names(&self) -> String {
        if self.views.is_empty() {
            return "no views yet: [[views]] in the config file, or :save NAME".into();
        }
        let named: Vec<String> = (0..self.views.len())
            .map(|at| {
                let def = &self.views[at].def;
                let key = def.key.map(|k| format!("{k} ")).unwrap_or_default();
                let count = self.view_count(at).map(crate::human::group_thousands).unwrap_or_else(|| "…".into());
                format!("{key}{} ({count})", def.name)
            })
            .collect();
        format!("views: {}", named.join(", "))
    }
}
