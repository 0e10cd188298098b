//! What the app reads from the mirror, when: the visible pane's window as
//! the screen needs it and again when the store says it changed; hidden
//! panes at most every refresh (their tabs' counts). And what it
//! tells the sync about the screen ([`Focus`]), so that the sync reads the
//! kind on screen first, the unfinished rows on screen every two refreshes
//! and, with an on-demand mirror, only as far as the agent scrolled.
//! Nothing here talks to PIK: the sync alone lists it.

use super::list::{ListOps, RequestId};
use super::pane::{ListPane, WindowRow};
use super::window::{RETRY_SECS, WINDOW};
use super::{App, Cmd, ListAsk, ListRows, Pane};
use crate::human::age_words;
use crate::store::{Change, SearchHit, WindowAsk};
use crate::sync::{Focus, Of, OnScreen, Phase, Shown, Trouble};
use chrono::{DateTime, Duration, Utc};

/// Rows at the top of the kind on screen that the sync reads every refresh
/// anyway (its first page of new items): no need to name them.
const READ_ANYWAY: usize = 50;
/// How far ahead of the screen an on-demand mirror is asked to hold rows.
const AHEAD_SCREENS: usize = 3;
/// Rows an on-demand mirror is asked for at a time, past what it holds.
const MORE_WANTED: u64 = 100;

impl App {
    /// When the mirror was last known to be PIK's: when PIK last answered
    /// the sync (this one's, or the one another pik-tui runs on this file),
    /// or a shared mirror's last heartbeat.
    pub fn fresh_at(&self) -> Option<DateTime<Utc>> {
        let status = self.mirror()?;
        match &status.phase {
            Phase::Shared { at, .. } => *at,
            // Not heard yet this session: when the mirror was last up to date.
            _ => status.pik.ok_at.or(status.synced_at),
        }
    }

    /// Whether the mirror holds every row of a pane's kind (the sync's
    /// backfill reached PIK's end); a shared mirror's team sync sees to it.
    pub fn holds_all(&self, pane: Pane) -> bool {
        let of = match pane {
            Pane::Links => Of::Links,
            Pane::Transactions => Of::Transactions,
            _ => return true,
        };
        match self.mirror_for_counts() {
            Some(status) if matches!(status.phase, Phase::Shared { .. }) => true,
            Some(status) => status.progress(of).complete,
            // The sync has said nothing yet: nothing is claimed either way.
            None => true,
        }
    }

    /// PIK's count of a pane's list while the mirror holds only part of it
    /// (and the pane shows every row of its kind): no count on screen passes
    /// the part off as the whole.
    pub fn pik_count(&self, pane: Pane) -> Option<u64> {
        let plain = match pane {
            Pane::Links => self.links.is_unfiltered(),
            Pane::Transactions => self.transactions.is_unfiltered(),
            _ => return None,
        };
        let of = if pane == Pane::Links { Of::Links } else { Of::Transactions };
        let total = self.mirror_for_counts()?.progress(of).total;
        (plain && !self.holds_all(pane)).then_some(total).flatten()
    }

    /// What went wrong when the sync last asked PIK, while it lasts.
    pub fn trouble(&self) -> Option<&Trouble> {
        self.mirror()?.pik.trouble.as_ref()
    }

    /// The data's age in words, e.g. "just now", "20 s ago".
    pub fn data_age(&self) -> Option<String> {
        self.fresh_at().map(|t| age_words(self.now - t))
    }

    /// Whether the mirror is older than three refreshes (or was never
    /// fresh, and something is wrong).
    pub fn is_stale(&self) -> bool {
        match self.fresh_at() {
            Some(at) => self.now - at > self.settings.refresh * 3,
            None => self.trouble().is_some(),
        }
    }

    /// `r`, `p` and writes: the sync reads what is on screen now; the
    /// Overview and the open detail are asked again.
    pub(super) fn refresh_now(&mut self) {
        let now = self.now;
        self.asked += 1;
        if self.pane == Pane::Overview {
            self.overview_again();
        }
        if let Some(detail) = &mut self.detail {
            detail.refresh_now(now);
        }
    }

    /// Works out which reads are due, and what the sync should know.
    pub(super) fn plan(&mut self, cmds: &mut Vec<Cmd>) {
        if self.switching.is_some() {
            return;
        }
        self.plan_lists(cmds);
        self.plan_search(cmds);
        self.plan_overview(cmds);
        self.plan_detail(cmds);
        self.plan_focus(cmds);
        self.plan_presence(cmds);
    }

    fn plan_lists(&mut self, cmds: &mut Vec<Cmd>) {
        let now = self.now;
        let reading = self.read_plan();
        for pane in [Pane::Links, Pane::Transactions] {
            let shown = pane == self.pane && self.search_view(pane).is_none();
            let request = self.next_request;
            let ask = match pane {
                Pane::Links => reading.window(&mut self.links, shown, request),
                _ => reading.window(&mut self.transactions, shown, request),
            };
            if let Some(ask) = ask {
                self.next_request += 1;
                cmds.push(Cmd::List { request, ask: ListAsk::Window(Box::new(ask)) });
            }
        }
        self.plan_views(cmds);
        let shown = self.pane == Pane::Webhooks;
        let hooks = &mut self.webhooks;
        let due = hooks.retry_at.is_none_or(|at| now >= at)
            && match (hooks.list.loaded_once(), shown) {
                (false, _) => hooks.hidden_read_at.is_none_or(|at| now >= at),
                (true, true) => hooks.stale && reading.rereads,
                (true, false) => hooks.stale && reading.rereads && hooks.hidden_read_at.is_none_or(|at| now >= at),
            };
        if hooks.reading.is_none() && due {
            let request = self.request_id();
            let hooks = &mut self.webhooks;
            hooks.reading = Some(request);
            hooks.stale = false;
            if !shown {
                hooks.hidden_read_at = Some(now + reading.hidden_every);
            }
            cmds.push(Cmd::List { request, ask: ListAsk::Webhooks });
        }
    }

    /// What the reads due now are planned by.
    pub(super) fn read_plan(&self) -> ReadPlan {
        ReadPlan {
            view: self.view_height(),
            now: self.now,
            rereads: self.paused.is_none(),
            hidden_every: self.settings.refresh,
        }
    }

    /// Rows read from the mirror, for whichever list waits for them.
    pub(super) fn listed(&mut self, request: RequestId, result: Result<ListRows, String>) {
        let (view, now) = (self.view_height(), self.now);
        if self.webhooks.reading == Some(request) {
            let hooks = &mut self.webhooks;
            hooks.reading = None;
            match result {
                Ok(ListRows::Webhooks(rows)) => {
                    let baseline = !hooks.list.loaded_once();
                    hooks.list.replace_all(rows, baseline, now);
                    hooks.list.keep_visible(view);
                    hooks.error = None;
                    hooks.retry_at = None;
                }
                Ok(ListRows::Window(_)) => {}
                Err(error) => {
                    hooks.error = Some(error);
                    hooks.stale = true;
                    hooks.retry_at = Some(now + Duration::seconds(RETRY_SECS));
                }
            }
            return;
        }
        if self.view_listed(request, &result) {
            return;
        }
        if self.links.list.is_current(request) {
            apply_window(&mut self.links, request, result, view, now);
        } else if self.transactions.list.is_current(request)
            && apply_window(&mut self.transactions, request, result, view, now)
        {
            self.currency_heard();
        }
        self.try_reveal();
    }

    /// Selects the row to reveal, once its list holds it.
    pub(super) fn try_reveal(&mut self) {
        let Some((pane, id)) = self.reveal.take() else { return };
        let view = self.view_height();
        if pane != self.pane {
            return;
        }
        if !self.list_mut(pane).select_id(&id, view) {
            self.reveal = Some((pane, id));
        }
    }

    /// `:currency X` with a code no payment has: said once the list is read.
    fn currency_heard(&mut self) {
        let Some(currency) = self.unheard_currency.take() else { return };
        if self.transactions.filter.currency.as_ref() != Some(&currency) {
            return;
        }
        if self.transactions.list.total() == Some(0) {
            let currency = crate::sanitize::for_terminal_truncated(&currency, 12);
            self.notify(format!("no payment has currency {currency} (codes such as USDT, USDC, BTC, ETH)"), true);
        }
    }

    /// The mirror changed: what shows those kinds is read again.
    pub(super) fn store_changed(&mut self, change: &Change, cmds: &mut Vec<Cmd>) {
        if change.links {
            self.links.list.changed();
        }
        if change.transactions {
            self.transactions.list.changed();
        }
        if change.webhooks {
            self.webhooks.stale = true;
        }
        self.views_changed(change.links, change.transactions);
        if change.acts {
            // Another agent claimed, resolved or noted: the case and the list say so.
            self.overview_again();
            if matches!(self.mode, super::Mode::Case(_)) {
                self.read_case_again(cmds);
            }
        }
        if change.links || change.transactions {
            for view in [self.links_search.as_mut(), self.transactions_search.as_mut(), Some(&mut self.search)]
                .into_iter()
                .flatten()
            {
                view.changed();
            }
            if self.pane == Pane::Overview {
                self.overview_again();
            }
        }
    }

    /// Tells the sync what is on screen when that changed.
    fn plan_focus(&mut self, cmds: &mut Vec<Cmd>) {
        self.raise_wanted();
        let shown = match self.pane {
            Pane::Links => Some(Shown::Links),
            Pane::Transactions | Pane::Overview => Some(Shown::Transactions),
            Pane::Webhooks => Some(Shown::Webhooks),
            Pane::Events | Pane::Search => None,
        };
        let focus = Focus { shown, wanted: self.wanted, on_screen: self.unfinished_on_screen(), asked: self.asked };
        if self.focus.as_ref() != Some(&focus) {
            self.focus = Some(focus.clone());
            cmds.push(Cmd::Focus(focus));
        }
    }

    /// Unfinished rows on screen that the sync's reading of the newest rows
    /// does not cover: scrolled down, sorted, filtered, or found.
    fn unfinished_on_screen(&self) -> Vec<OnScreen> {
        let view = self.view_height();
        if let Some(search) = self.search_view(self.pane) {
            let rows = (search.scroll()..search.scroll() + view).filter_map(|at| search.row(at));
            return rows
                .filter_map(|hit| match hit {
                    SearchHit::Link(link) => link.unfinished(),
                    SearchHit::Transaction(txn) => txn.unfinished(),
                })
                .collect();
        }
        fn of<T: WindowRow>(pane: &ListPane<T>, view: usize) -> Vec<OnScreen> {
            let read_anyway = pane.is_plain() && pane.list.scroll() + view <= READ_ANYWAY;
            if read_anyway {
                return Vec::new();
            }
            pane.list.on_screen_rows(view).filter_map(WindowRow::unfinished).collect()
        }
        match self.pane {
            Pane::Links => of(&self.links, view),
            Pane::Transactions => of(&self.transactions, view),
            Pane::Webhooks | Pane::Events | Pane::Search | Pane::Overview => Vec::new(),
        }
    }

    /// With a mirror that holds only what was scrolled to: when the screen
    /// nears the end of what it holds, it is asked for more than it held
    /// when the rows on screen were read (whatever the filter). Not more
    /// than the sync says it holds now: the list lags the sync until it is
    /// read again, and that lag would look like the end and ask again and
    /// again.
    fn raise_wanted(&mut self) {
        let Some(status) = self.mirror.as_ref() else { return };
        let view = self.view_height();
        let (of, at, list, held) = match self.pane {
            Pane::Links if self.links_search.is_none() => {
                (Of::Links, 0, &self.links.list as &dyn ListOps, self.links.held)
            }
            Pane::Transactions if self.transactions_search.is_none() => {
                (Of::Transactions, 1, &self.transactions.list as &dyn ListOps, self.transactions.held)
            }
            _ => return,
        };
        let total = list.total().map_or(0, |t| usize::try_from(t).unwrap_or(usize::MAX));
        let near_end = list.loaded_once() && list.scroll() + view * AHEAD_SCREENS >= total;
        if near_end && !status.progress(of).complete {
            self.wanted[at] = self.wanted[at].max(held + MORE_WANTED);
        }
    }

    /// Whether the screen shows the end of a list the mirror does not hold
    /// all of yet: the sync is fetching older rows (or will, once PIK
    /// answers).
    pub fn more_coming(&self, pane: Pane) -> bool {
        if !matches!(pane, Pane::Links | Pane::Transactions) || self.holds_all(pane) {
            return false;
        }
        let list = self.own_list(pane);
        let end = list.visible_len();
        list.loaded_once() && list.scroll() + self.view_height() >= end
    }
}

/// The moment's facts a read is planned by.
pub(super) struct ReadPlan {
    pub(super) view: usize,
    pub(super) now: DateTime<Utc>,
    /// Off while paused: the rows on screen stay as they are.
    pub(super) rereads: bool,
    pub(super) hidden_every: Duration,
}

impl ReadPlan {
    /// The window a list pane should read now, if any; recorded as in flight.
    pub(super) fn window<T: WindowRow>(
        &self,
        pane: &mut ListPane<T>,
        shown: bool,
        request: RequestId,
    ) -> Option<WindowAsk> {
        // Hidden, a list reads what changed at most every refresh:
        // only its tab's count shows.
        if !shown && self.now < pane.hidden_read_at {
            return None;
        }
        let (wanted, place) = pane.list.wanted(self.view, self.rereads, self.now)?;
        if !shown {
            pane.hidden_read_at = self.now + self.hidden_every;
        }
        pane.list.begin(request, &wanted, place);
        Some(WindowAsk { query: pane.query(), anchor: wanted.anchor, limit: WINDOW, count: wanted.count })
    }
}

/// Applies a window read to the pane waiting for it; says whether it did.
pub(super) fn apply_window<T: WindowRow>(
    pane: &mut ListPane<T>,
    request: RequestId,
    result: Result<ListRows, String>,
    view: usize,
    now: DateTime<Utc>,
) -> bool {
    let window = match result {
        Ok(ListRows::Window(read)) => T::window(read).ok_or_else(|| "the mirror answered another list".to_string()),
        Ok(ListRows::Webhooks(_)) => Err("the mirror answered another list".to_string()),
        Err(error) => Err(error),
    };
    match window {
        Ok(window) => {
            pane.held = window.held.unwrap_or(pane.held);
            pane.list.apply(request, window, view, now)
        }
        Err(error) => {
            pane.list.fail(request, error, now);
            false
        }
    }
}

/// What the header says of the connection, rightmost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Switching(String),
    Listening,
    Paused,
    Offline,
    Error,
    Connecting,
    Stale,
    Live,
}

impl Connection {
    /// The words, with the spaces that set them apart.
    pub fn words(&self) -> String {
        match self {
            Connection::Switching(name) => {
                format!("  … switching to {} ", crate::sanitize::for_terminal_truncated(name, 20))
            }
            Connection::Listening => "  ● listening ".into(),
            Connection::Paused => "  ⏸ paused ".into(),
            Connection::Offline => "  ✕ offline: the mirror ".into(),
            Connection::Error => "  ✕ error ".into(),
            Connection::Connecting => "  … connecting ".into(),
            Connection::Stale => "  ● stale ".into(),
            Connection::Live => "  ● live ".into(),
        }
    }
}

impl App {
    pub fn connection(&self) -> Connection {
        if let Some(name) = self.switching() {
            return Connection::Switching(name.to_string());
        }
        match self.trouble() {
            _ if self.pane() == Pane::Events => Connection::Listening,
            _ if self.paused() => Connection::Paused,
            Some(trouble) if trouble.unreachable => Connection::Offline,
            Some(_) => Connection::Error,
            None if self.fresh_at().is_none() => Connection::Connecting,
            None if self.is_stale() => Connection::Stale,
            None => Connection::Live,
        }
    }
}
