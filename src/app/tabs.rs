//! The tabs: which panes are on offer, in which order, and how the header
//! labels them at any width without ever giving up the account's label.

use super::{App, HEADER_RIGHT_ROOM, Pane, layout};

/// What is on offer in the header: a pane, or a saved view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Pane(Pane),
    View(usize),
}

impl App {
    /// The tabs, in order: the panes on offer, then the views.
    pub fn tabs(&self) -> Vec<Tab> {
        let mut tabs: Vec<Tab> = self.panes().into_iter().map(Tab::Pane).collect();
        tabs.extend((0..self.views.len()).map(Tab::View));
        tabs
    }

    /// The tab on screen.
    pub fn tab(&self) -> Tab {
        match self.shown_view {
            Some(at) => Tab::View(at),
            None => Tab::Pane(self.pane),
        }
    }

    pub(super) fn show_tab(&mut self, tab: Tab) {
        match tab {
            Tab::Pane(pane) => self.switch_pane(pane),
            Tab::View(at) => self.show_view(at),
        }
    }

    pub(super) fn next_tab(&self, forward: bool) -> Tab {
        let tabs = self.tabs();
        let at = tabs.iter().position(|t| *t == self.tab()).unwrap_or(0);
        let step = if forward { 1 } else { tabs.len() - 1 };
        tabs[(at + step) % tabs.len()]
    }

    /// The panes on offer: the Events pane only with a local listener.
    pub fn panes(&self) -> Vec<Pane> {
        Pane::ALL
            .iter()
            .copied()
            .filter(|p| match p {
                Pane::Events => self.settings.events_pane,
                _ => true,
            })
            .collect()
    }

    /// The header's tabs, as drawn (the ui and the mouse use the same
    /// text): where they start, and their labels. They are as full as the
    /// width allows once the account's label (LIVE, TEST, SANDBOX) has its
    /// room, which is never given up: full titles and counts; short
    /// titles; no counts; the keys alone; and last the program's name goes.
    pub fn header_tabs(&self) -> (u16, Vec<String>) {
        let labels = |short: bool, counts: bool, titles: bool| -> Vec<String> {
            self.tabs()
                .iter()
                .map(|&tab| {
                    let (key, title, count) = match tab {
                        Tab::Pane(pane) => {
                            let title = if short { pane.short_title().to_string() } else { pane.title().to_string() };
                            (pane.key_label().to_string(), title, self.tab_count(pane))
                        }
                        Tab::View(at) => {
                            let def = self.views().nth(at);
                            let name = def.map(|d| d.name.as_str()).unwrap_or("");
                            let title = crate::sanitize::for_terminal_truncated(name, if short { 8 } else { 24 });
                            let count =
                                self.view_count(at).map(crate::human::group_thousands).unwrap_or_else(|| "…".into());
                            // A view with no key is named by its first letters.
                            let key = match def.and_then(|d| d.key) {
                                Some(key) => crate::sanitize::for_terminal(&key.to_string()).into_owned(),
                                None if !titles => crate::sanitize::for_terminal_truncated(name, 4),
                                None => String::new(),
                            };
                            (key, title, count)
                        }
                    };
                    let key = if key.is_empty() { String::new() } else { format!("{key} ") };
                    match (titles, counts) {
                        (false, _) => format!(" {}", key),
                        (true, false) => format!(" {key}{title} "),
                        // A pane's own count, whatever it is searching for.
                        (true, true) => format!(" {key}{title} {count} "),
                    }
                })
                .collect()
        };
        let width = |labels: &[String]| -> usize {
            labels.iter().map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) + 1).sum()
        };
        let label_room = unicode_width::UnicodeWidthStr::width(self.settings.environment.label()) + 1;
        let room = usize::from(self.width);
        // Titles leave room for the connection's state too (live, paused,
        // offline): it goes only with them.
        let state_room = label_room + unicode_width::UnicodeWidthStr::width(self.connection().words().as_str());
        let tries = [
            (layout::TABS_START, labels(false, true, true), HEADER_RIGHT_ROOM.max(state_room)),
            (layout::TABS_START, labels(true, true, true), state_room),
            (layout::TABS_START, labels(true, false, true), state_room),
            (layout::TABS_START, labels(true, false, false), state_room),
            (layout::TABS_START, labels(true, false, false), label_room),
        ];
        for (start, labels, right) in tries {
            if usize::from(start) + width(&labels) + right <= room {
                return (start, labels);
            }
        }
        (0, labels(true, false, false))
    }

    /// A list's count, unless it is a 0 read before the store changed: an
    /// empty list not read again yet is no empty account.
    fn unless_unread(&self, pane: Pane) -> Option<u64> {
        // While a view has the pane's place, the pane's own list waits in its slot.
        if let Some((total, unread)) = self.waiting_list(pane) {
            return super::list::known_count(total, unread);
        }
        let unread = match pane {
            Pane::Links => self.links.list.behind_the_store(),
            Pane::Transactions => self.transactions.list.behind_the_store(),
            Pane::Webhooks => self.webhooks.stale,
            _ => false,
        };
        super::list::known_count(self.own_list(pane).total(), unread)
    }

    /// A tab's count: PIK's while the mirror holds part of the kind; "…"
    /// while nothing is known yet (never a 0 that only means "not read");
    /// "1,000+" for a search whose count stopped there.
    fn tab_count(&self, pane: Pane) -> String {
        let known = |count: Option<u64>| count.map(crate::human::group_thousands).unwrap_or_else(|| "…".into());
        match pane {
            Pane::Search => match (self.search.total, self.search.capped) {
                (Some(total), true) => format!("{}+", crate::human::group_thousands(total)),
                (total, false) | (total @ None, true) => known(total),
            },
            Pane::Links | Pane::Transactions => match (self.pik_count(pane), self.mirror().is_some()) {
                (Some(pik), _) => crate::human::group_thousands(pik),
                (None, true) if self.holds_all(pane) => known(self.unless_unread(pane)),
                _ => "…".into(),
            },
            Pane::Webhooks => match self.mirror().is_some_and(|m| m.synced_at.is_some() || m.current()) {
                true => known(self.unless_unread(pane)),
                false => "…".into(),
            },
            // Partial figures count part of what needs attention.
            Pane::Overview if self.overview_partial().is_some() => "…".into(),
            Pane::Overview | Pane::Events => known(self.own_list(pane).total()),
        }
    }
}
