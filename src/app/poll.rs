//! What to fetch, when: polling (often for the visible pane, rarely for
//! hidden ones), prefetching ahead of the selection, backing off after
//! errors; and merging what comes back.

use super::paged::{ListOps, RequestId};
use super::pane::PlanInput;
use super::{App, Cmd, ErrorInfo, Loaded, MARK_TTL_SECS, Pane, Polled, Source};
use crate::api::Transaction;
use crate::human::age_words;
use chrono::Duration;

impl App {
    /// Time passed: expire marks and notices; redraw only if what the
    /// screen shows about time has changed.
    pub(super) fn tick(&mut self) {
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
        if self.alert.as_ref().is_some_and(|n| n.until <= self.now) {
            self.alert = None;
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
        let (age, retry) = match self.poll(self.pane) {
            Some(poll) => (
                poll.last_success.map(|t| age_words(self.now - t)).unwrap_or_default(),
                if poll.error.is_some() { (poll.next_poll - self.now).num_seconds().max(0) } else { 0 },
            ),
            None if self.pane == Pane::Overview => {
                (self.overview.computed_at.map(|t| age_words(self.now - t)).unwrap_or_default(), 0)
            }
            None => (String::new(), 0),
        };
        let mirror = self.mirror().map(|m| m.words(self.now)).unwrap_or_default();
        // Relative times in the table change at most once a minute.
        format!("{age}|{retry}|{mirror}|{}", self.now.timestamp() / 60)
    }

    /// The data's age in words, e.g. "3 s ago".
    pub fn data_age(&self) -> Option<String> {
        self.poll(self.pane).and_then(|p| p.last_success).map(|t| age_words(self.now - t))
    }

    /// Whether the visible pane's data is older than three refreshes.
    pub fn is_stale(&self) -> bool {
        let Some(poll) = self.poll(self.pane) else { return false };
        match poll.last_success {
            Some(at) => self.now - at > self.interval(self.pane) * 3,
            None => poll.error.is_some(),
        }
    }

    /// `r`, `p` and writes: poll the visible pane (and the detail) now.
    pub(super) fn refresh_now(&mut self) {
        let now = self.now;
        if let Some(polled) = self.pane.polled() {
            self.pane_ops_mut(polled).poll_mut().poll_now(now);
        }
        if self.pane == Pane::Overview {
            self.overview_again();
        }
        if let Some(detail) = &mut self.detail {
            detail.refresh_now(now);
        }
    }

    /// Works out which fetches are due: prefetch, polling, the open detail.
    pub(super) fn plan(&mut self, cmds: &mut Vec<Cmd>) {
        if self.switching.is_some() {
            return;
        }
        let view_height = self.view_height();
        for polled in Polled::ALL {
            let pane = polled.pane();
            let input = PlanInput {
                now: self.now,
                visible: pane == self.pane,
                view_height,
                paused: self.paused,
                interval: self.interval(pane),
                mirror: self.settings.mirror.is_ok(),
            };
            let mut next_request = self.next_request;
            let fetches = self.pane_ops_mut(polled).plan(&input, &mut next_request);
            self.next_request = next_request;
            cmds.extend(fetches.into_iter().map(|(request, page, source)| Cmd::FetchPage { request, page, source }));
        }
        self.plan_search(cmds);
        self.plan_overview(cmds);
        self.plan_detail(cmds);
    }

    pub(super) fn page_loaded(
        &mut self,
        pane: Polled,
        request: RequestId,
        offset: u64,
        source: Source,
        result: Result<Loaded, ErrorInfo>,
        cmds: &mut Vec<Cmd>,
    ) {
        let (now, interval) = (self.now, self.interval(pane.pane()));
        // PIK's first page after the mirror's picture says what changed
        // while the dashboard was closed: history, not alerts.
        let catching_up = pane == Polled::Transactions && self.transactions.from_mirror && offset == 0;
        let applied = match pane {
            Polled::Links => self.links.apply(request, offset, source, result, interval, now),
            Polled::Webhooks => self.webhooks.apply(request, offset, source, result, interval, now),
            Polled::Transactions => self.transactions.apply(request, offset, source, result, interval, now),
        };
        if pane == Polled::Transactions
            && source == Source::Pik
            && !catching_up
            && let Some(applied) = &applied
        {
            let seen: Vec<Transaction> = applied
                .changed
                .iter()
                .map(|(id, _, _)| id)
                .chain(applied.new.iter())
                .filter_map(|id| self.transactions.list.find(id).cloned())
                .collect();
            for txn in &seen {
                self.payment_seen(txn, cmds);
            }
        }
        if applied.is_some() {
            let view = self.view_height();
            self.pane_ops_mut(pane).list_mut().keep_visible(view);
        }
        if pane == Polled::Transactions
            && applied.is_some()
            && offset == 0
            && source == Source::Pik
            && let Some(currency) = self.unheard_currency.take()
            && self.transactions.filter.currency.as_ref() == Some(&currency)
            && ListOps::total(&self.transactions.list) == Some(0)
        {
            let currency = crate::sanitize::for_terminal_truncated(&currency, 12);
            self.notify(format!("no payment has currency {currency} (codes such as USDT, USDC, BTC, ETH)"), true);
        }
    }
}
