//! The tabs: which panes are on offer, in which order, and how the header
//! labels them at any width without ever giving up the account's label.

use super::{App, HEADER_RIGHT_ROOM, Pane, layout};

impl App {
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

    pub(super) fn next_pane(&self, forward: bool) -> Pane {
        let panes = self.panes();
        let at = panes.iter().position(|p| *p == self.pane).unwrap_or(0);
        let step = if forward { 1 } else { panes.len() - 1 };
        panes[(at + step) % panes.len()]
    }

    /// The header's tabs, as drawn (the ui and the mouse use the same
    /// text): where they start, and their labels. They are as full as the
    /// width allows once the account's label (LIVE, TEST, SANDBOX) has its
    /// room, which is never given up: full titles and counts; short
    /// titles; no counts; the keys alone; and last the program's name goes.
    pub fn header_tabs(&self) -> (u16, Vec<String>) {
        let labels = |short: bool, counts: bool, titles: bool| -> Vec<String> {
            self.panes()
                .iter()
                .map(|&pane| {
                    let key = pane.key_label();
                    if !titles {
                        return format!(" {key} ");
                    }
                    let title = if short { pane.short_title() } else { pane.title() };
                    if !counts {
                        return format!(" {key} {title} ");
                    }
                    // A pane's own count, whatever it is searching for.
                    let count = match pane {
                        Pane::Search => self.list(pane).total(),
                        _ => self.pik_count(pane).or(self.own_list(pane).total()),
                    };
                    let count = count.map(crate::human::group_thousands).unwrap_or_else(|| "…".into());
                    format!(" {key} {title} {count} ")
                })
                .collect()
        };
        let width = |labels: &[String]| -> usize {
            labels.iter().map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) + 1).sum()
        };
        let label_room = unicode_width::UnicodeWidthStr::width(self.settings.environment.label()) + 1;
        let room = usize::from(self.width);
        // Full titles also leave room for the connection's state.
        let tries = [
            (layout::TABS_START, labels(false, true, true), HEADER_RIGHT_ROOM.max(label_room)),
            (layout::TABS_START, labels(true, true, true), label_room),
            (layout::TABS_START, labels(true, false, true), label_room),
            (layout::TABS_START, labels(true, false, false), label_room),
        ];
        for (start, labels, right) in tries {
            if usize::from(start) + width(&labels) + right <= room {
                return (start, labels);
            }
        }
        (0, labels(true, false, false))
    }
}
