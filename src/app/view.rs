//! What the ui reads of the app: plain accessors, and the list a pane
//! shows. The ui draws `&App` through these alone.

use super::detail::Detail;
use super::layout::{self, Screen};
use super::list::{ListOps, News};
use super::{App, Mode, Notice, Pane};
use crate::sync::MirrorStatus;
use chrono::{DateTime, Utc};

impl App {
    pub fn pane(&self) -> Pane {
        self.pane
    }

    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// How what the agent types is read: dates in their zone, today being
    /// now's, and `case:` by the case rules.
    pub fn reading(&self) -> crate::store::Reading<'_> {
        crate::store::Reading { zone: &self.settings.zone, now: self.now, cases: &self.settings.case_rules }
    }

    pub fn size(&self) -> (u16, u16) {
        (self.width, self.height)
    }

    pub fn paused(&self) -> bool {
        self.paused.is_some()
    }

    /// Since when live updates are paused.
    pub fn paused_at(&self) -> Option<DateTime<Utc>> {
        self.paused
    }

    /// What the sync last said about the mirror.
    pub fn mirror(&self) -> Option<&MirrorStatus> {
        self.mirror.as_ref()
    }

    /// The sync's word the counts on screen go by: as it was when paused.
    pub(super) fn mirror_for_counts(&self) -> Option<&MirrorStatus> {
        self.mirror_at_pause.as_ref().or(self.mirror.as_ref())
    }

    /// The profile being switched to, while the runtime works on it.
    pub fn switching(&self) -> Option<&str> {
        self.switching.as_deref()
    }

    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref().filter(|n| n.until > self.now)
    }

    /// The last alert, while it is fresh.
    pub fn alert(&self) -> Option<&Notice> {
        self.alert.as_ref().filter(|n| n.until > self.now)
    }

    pub fn detail_open(&self) -> bool {
        self.detail.is_some()
    }

    pub fn detail(&self) -> Option<&Detail> {
        self.detail.as_ref()
    }

    pub fn screen(&self) -> Screen {
        Screen::new(self.width, self.height, self.detail_open())
    }

    /// The list shown in a pane: its search results while it has a search.
    pub fn list(&self, pane: Pane) -> &dyn ListOps {
        if let Some(view) = self.search_view(pane) {
            return view;
        }
        self.own_list(pane)
    }

    /// A pane's own list, whatever it is searching for.
    pub fn own_list(&self, pane: Pane) -> &dyn ListOps {
        match pane {
            Pane::Overview => &self.overview.list,
            Pane::Links => &self.links.list,
            Pane::Transactions => &self.transactions.list,
            Pane::Webhooks => &self.webhooks.list,
            Pane::Events => &self.events,
            Pane::Search => &self.search,
        }
    }

    pub(super) fn list_mut(&mut self, pane: Pane) -> &mut dyn ListOps {
        match pane {
            Pane::Search => &mut self.search,
            Pane::Links => match &mut self.links_search {
                Some(view) => view,
                None => &mut self.links.list,
            },
            Pane::Transactions => match &mut self.transactions_search {
                Some(view) => view,
                None => &mut self.transactions.list,
            },
            Pane::Webhooks => &mut self.webhooks.list,
            Pane::Events => &mut self.events,
            Pane::Overview => &mut self.overview.list,
        }
    }

    /// Rows of the table on screen (at least 1): in the Overview, the rows
    /// of its attention list.
    pub fn view_height(&self) -> usize {
        let rows = match self.pane {
            Pane::Overview => {
                layout::OverviewAreas::new(self.screen().table, self.overview_partial().is_some()).rows.height
            }
            _ => self.screen().table_rows().height,
        };
        usize::from(rows).max(1)
    }

    /// Whether a row is new or changed (its + or *).
    pub fn news(&self, pane: Pane, id: &str) -> Option<News> {
        self.list(pane).news(id)
    }
}
