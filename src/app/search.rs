//! Search over the whole mirror, as you type. A [`SearchView`] holds the
//! query and a window of its results around what is on screen (at most
//! [`WINDOW`] rows, never every match); scrolling asks for the next window.
//! It implements [`ListOps`], so keys and the mouse treat it like any list.
//! `/` searches in the Links and Transactions panes; the Search pane shows
//! both kinds together.

use super::list::{ListOps, News, RequestId, scroll_to_show};
use super::{App, Cmd, Pane};
use crate::store::{Kinds, Reading, SearchHit, SearchPage, SearchQuery};
use chrono::{DateTime, Duration, Utc};

/// Rows a window holds.
pub const WINDOW: u32 = 150;
/// Rows kept above the first row on screen when a window is fetched.
const ABOVE: u64 = 50;

#[derive(Debug, Clone)]
pub struct SearchView {
    /// What the agent typed.
    pub text: String,
    /// What it searches within: a saved view's query, when the search is
    /// one in a view (both must match).
    scope: Option<SearchQuery>,
    query: SearchQuery,
    /// How many matched (at most the store's count cap), once known.
    pub total: Option<u64>,
    pub capped: bool,
    window_start: u64,
    hits: Vec<SearchHit>,
    selected: usize,
    scroll: usize,
    in_flight: Option<(RequestId, u64)>,
    /// The query changed: the next plan asks again from the top.
    stale: bool,
    /// The mirror changed: the same window is read again.
    reread: bool,
    pub error: Option<String>,
}

impl SearchView {
    pub fn new(text: &str, kinds: Kinds, reading: Reading<'_>) -> Self {
        Self::within(None, text, kinds, reading)
    }

    /// A search within a saved view's query.
    pub fn within(scope: Option<SearchQuery>, text: &str, kinds: Kinds, reading: Reading<'_>) -> Self {
        let query = scoped(scope.as_ref(), SearchQuery::parse_in(text, kinds, reading));
        SearchView {
            text: text.to_string(),
            scope,
            query,
            total: None,
            capped: false,
            window_start: 0,
            hits: Vec::new(),
            selected: 0,
            scroll: 0,
            in_flight: None,
            stale: true,
            reread: false,
            error: None,
        }
    }

    pub fn kinds(&self) -> Kinds {
        self.query.kinds
    }

    /// What it asks the mirror.
    pub fn query(&self) -> &SearchQuery {
        &self.query
    }

    /// The mirror changed: the window on screen is read again.
    pub fn changed(&mut self) {
        self.reread = true;
    }

    /// The view's query read again (past midnight): from the top.
    pub fn set_scope(&mut self, scope: SearchQuery, reading: Reading<'_>) {
        self.scope = Some(scope);
        self.query = scoped(self.scope.as_ref(), SearchQuery::parse_in(&self.text, self.query.kinds, reading));
        self.stale = true;
        self.in_flight = None;
    }

    /// Put aside (its list swapped with a view's): the answer on its way
    /// will not find it, so the window is asked for again when it returns.
    pub fn set_aside(&mut self) {
        if self.in_flight.take().is_some() {
            self.reread = true;
            self.stale = self.total.is_none();
        }
    }

    /// A new text to search: results start again from the top.
    pub fn set_text(&mut self, text: &str, reading: Reading<'_>) {
        if text == self.text {
            return;
        }
        self.text = text.to_string();
        self.query = scoped(self.scope.as_ref(), SearchQuery::parse_in(text, self.query.kinds, reading));
        self.stale = true;
        // The answer on its way is for the old text: it will be ignored.
        self.in_flight = None;
        self.selected = 0;
        self.scroll = 0;
    }

    /// The hit at a position among all results, if it is in the window.
    pub fn row(&self, position: usize) -> Option<&SearchHit> {
        let at = (position as u64).checked_sub(self.window_start)?;
        self.hits.get(usize::try_from(at).ok()?)
    }

    pub fn selected_hit(&self) -> Option<&SearchHit> {
        self.row(self.selected)
    }

    /// The search to run now, if any: the first window of a new query, the
    /// window the screen needs, or the same again (the mirror changed).
    fn wanted(&mut self, view_height: usize) -> Option<(SearchQuery, u64)> {
        if self.in_flight.is_some() {
            return None;
        }
        let start = (self.scroll as u64).saturating_sub(ABOVE);
        if self.stale {
            self.stale = false;
            return Some((self.query.clone(), 0));
        }
        let end = (self.scroll + view_height) as u64;
        let have = self.window_start..self.window_start + self.hits.len() as u64;
        let needed_end = end.min(self.visible_len() as u64);
        let covered = have.start <= self.scroll as u64 && needed_end <= have.end;
        if !covered || self.reread {
            self.reread = false;
            return Some((self.query.clone(), if covered { self.window_start } else { start }));
        }
        None
    }

    fn begin(&mut self, request: RequestId, offset: u64) {
        self.in_flight = Some((request, offset));
    }

    fn is_current(&self, request: RequestId) -> bool {
        self.in_flight.is_some_and(|(id, _)| id == request)
    }

    /// An answer: applied only if it is the one waited for.
    pub fn apply(&mut self, request: RequestId, result: Result<SearchPage, String>) -> bool {
        if !self.is_current(request) {
            return false;
        }
        self.in_flight = None;
        match result {
            Ok(page) => {
                self.total = Some(page.total);
                self.capped = page.capped;
                self.window_start = page.offset;
                self.hits = page.hits;
                self.error = None;
                let len = self.visible_len();
                if self.selected >= len {
                    self.selected = len.saturating_sub(1);
                }
            }
            Err(error) => self.error = Some(error),
        }
        true
    }
}

/// A search's query within its scope, if it has one.
fn scoped(scope: Option<&SearchQuery>, typed: SearchQuery) -> SearchQuery {
    match scope {
        Some(scope) => scope.and(typed),
        None => typed,
    }
}

impl ListOps for SearchView {
    fn loaded(&self) -> usize {
        self.hits.len()
    }

    fn total(&self) -> Option<u64> {
        self.total
    }

    fn loaded_once(&self) -> bool {
        self.total.is_some()
    }

    fn visible_len(&self) -> usize {
        let counted = self.total.unwrap_or(0);
        // Past a capped count, the list grows as windows come: one more row
        // than the last full window holds, so scrolling can go on.
        let seen = self.window_start + self.hits.len() as u64;
        let more = u64::from(self.capped && self.hits.len() as u32 >= WINDOW);
        usize::try_from(counted.max(seen + more)).unwrap_or(usize::MAX)
    }

    fn selected(&self) -> usize {
        self.selected
    }

    fn scroll(&self) -> usize {
        self.scroll
    }

    fn news(&self, _id: &str) -> Option<News> {
        None
    }

    fn select(&mut self, position: usize, view_height: usize) {
        self.selected = position.min(self.visible_len().saturating_sub(1));
        self.keep_visible(view_height);
    }

    fn select_id(&mut self, id: &str, view_height: usize) -> bool {
        let found = self.hits.iter().position(|h| h.id() == id);
        match found {
            Some(at) => {
                self.select(self.window_start as usize + at, view_height);
                true
            }
            None => false,
        }
    }

    fn keep_visible(&mut self, view_height: usize) {
        (self.selected, self.scroll) = scroll_to_show(self.selected, self.scroll, self.visible_len(), view_height);
    }

    fn expire_news(&mut self, _now: DateTime<Utc>, _ttl: Duration) -> bool {
        false
    }

    fn selected_id(&self) -> Option<String> {
        self.selected_hit().map(|hit| hit.id().to_string())
    }

    fn marked_at(&self, position: usize) -> Option<super::marks::Marked> {
        self.row(position).map(super::marks::Marked::of)
    }
}

impl App {
    /// The search shown in a pane, if any.
    pub fn search_view(&self, pane: Pane) -> Option<&SearchView> {
        match pane {
            Pane::Links => self.links_search.as_ref(),
            Pane::Transactions => self.transactions_search.as_ref(),
            Pane::Search => Some(&self.search),
            Pane::Webhooks | Pane::Events | Pane::Overview => None,
        }
    }

    pub(super) fn search_view_mut(&mut self, pane: Pane) -> Option<&mut SearchView> {
        match pane {
            Pane::Links => self.links_search.as_mut(),
            Pane::Transactions => self.transactions_search.as_mut(),
            Pane::Search => Some(&mut self.search),
            Pane::Webhooks | Pane::Events | Pane::Overview => None,
        }
    }

    /// Sets (or, with no text, ends) the visible pane's search.
    pub(super) fn search_for(&mut self, text: &str) {
        let reading = Reading { zone: &self.settings.zone, now: self.now, cases: &self.settings.case_rules };
        let slot = match self.pane {
            Pane::Links => (&mut self.links_search, Kinds::Links),
            Pane::Transactions => (&mut self.transactions_search, Kinds::Transactions),
            Pane::Search => {
                self.search.set_text(text, reading);
                return;
            }
            Pane::Webhooks | Pane::Events | Pane::Overview => return,
        };
        let (view, kinds) = slot;
        match (view.as_mut(), text.trim().is_empty()) {
            (_, true) => *view = None,
            (Some(view), false) => view.set_text(text, reading),
            (None, false) => {
                // In a view, within its query (the pane's list holds it).
                let scope = match kinds {
                    Kinds::Links => self.links.base.clone(),
                    _ => self.transactions.base.clone(),
                };
                *view = Some(SearchView::within(scope, text, kinds, reading));
            }
        }
        self.detail = None;
    }

    /// Asks for the window the visible pane's search needs.
    pub(super) fn plan_search(&mut self, cmds: &mut Vec<Cmd>) {
        if self.paused.is_some() && self.search_view(self.pane).is_some_and(|v| v.total.is_some() && v.reread) {
            return;
        }
        let view_height = self.view_height();
        let request = self.next_request;
        let Some(view) = self.search_view_mut(self.pane) else { return };
        if let Some((query, offset)) = view.wanted(view_height) {
            view.begin(request, offset);
            self.next_request += 1;
            cmds.push(Cmd::Search { request, query, offset, limit: WINDOW });
        }
    }

    /// An answer to a search, for whichever view waits for it.
    pub(super) fn searched(&mut self, request: RequestId, result: Result<SearchPage, String>) {
        for view in [self.links_search.as_mut(), self.transactions_search.as_mut(), Some(&mut self.search)]
            .into_iter()
            .flatten()
        {
            if view.apply(request, result.clone()) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{link, t0};

    fn page(offset: u64, count: usize, total: u64) -> SearchPage {
        let hits = (0..count).map(|n| SearchHit::Link(link(&format!("pl_{}", offset as usize + n)))).collect();
        SearchPage { total, capped: false, offset, hits }
    }

    #[test]
    fn windows_follow_the_screen_and_never_hold_every_row() {
        let zone = crate::zone::Zone::utc();
        let rules = crate::cases::CaseRules::default();
        let reading = Reading { zone: &zone, now: t0(), cases: &rules };
        let mut view = SearchView::new("order", Kinds::Links, reading);
        assert_eq!(view.wanted(20).map(|(_, o)| o), Some(0), "a new query asks from the top");
        view.begin(1, 0);
        assert!(view.apply(1, Ok(page(0, 150, 5000))));
        assert_eq!(view.visible_len(), 5000);
        assert_eq!(view.wanted(20), None, "the window covers the screen");
        view.select(400, 20);
        let wanted = view.wanted(20).map(|(_, offset)| offset);
        assert_eq!(wanted, Some(381 - ABOVE), "a window around the rows on screen");
        view.begin(2, 331);
        assert!(!view.apply(1, Ok(page(0, 150, 5000))), "a late answer to an old request");
        assert!(view.apply(2, Ok(page(331, 150, 5000))));
        assert_eq!(view.selected_id().as_deref(), Some("pl_400"));
        assert_eq!(view.loaded(), 150, "never more than a window");
        assert_eq!(view.wanted(20), None, "nothing changed: nothing is read");
        // The mirror changed: the same window is read again.
        view.changed();
        assert_eq!(view.wanted(20).map(|(_, o)| o), Some(331));
        // A capped count: scrolling goes on past it as windows come.
        let mut broad = SearchView::new("a", Kinds::Links, reading);
        broad.wanted(20);
        broad.begin(3, 0);
        broad.apply(3, Ok(SearchPage { capped: true, ..page(0, 150, 1000) }));
        broad.select(999, 20);
        let wanted = broad.wanted(20).map(|(_, offset)| offset);
        assert_eq!(wanted, Some(980 - ABOVE));
        broad.begin(4, 930);
        broad.apply(4, Ok(SearchPage { capped: true, ..page(930, 150, 1000) }));
        assert_eq!(broad.visible_len(), 1081, "one row past the last full window");
        // A new query starts at the top.
        view.set_text("invoice", reading);
        assert_eq!((view.selected(), view.wanted(20).map(|(_, o)| o)), (0, Some(0)));
    }
}
