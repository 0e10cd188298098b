//! What every list on screen shares ([`ListOps`]: selection, scrolling,
//! the + and * on new and changed rows), and the one list held whole in memory ([`LocalList`]): the
//! Events pane's verified events, the webhooks, the Overview's attention
//! items, each small and complete. The panes' long lists are windows on
//! the mirror (`window.rs`), and searches too (`search.rs`).

use super::resource::Resource;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Identifies a request, so that late answers to an old one are ignored.
pub type RequestId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum News {
    New,
    Changed,
}

/// The parts of a list that do not depend on the row type, so that the app
/// can pick the list of a pane once and treat them all alike.
pub trait ListOps {
    /// Rows held in memory.
    fn loaded(&self) -> usize;

    /// Rows in the list, once known.
    fn total(&self) -> Option<u64>;

    fn loaded_once(&self) -> bool;

    /// A text filter over the rows held (lists held whole only).
    fn text_filter(&self) -> &str {
        ""
    }

    /// Rows that can be scrolled to.
    fn visible_len(&self) -> usize;

    fn selected(&self) -> usize;

    fn scroll(&self) -> usize;

    fn news(&self, id: &str) -> Option<News>;

    /// Moves the selection by `delta` rows, keeping it on screen.
    fn move_selection(&mut self, delta: isize, view_height: usize) {
        let target = if delta < 0 {
            self.selected().saturating_sub(delta.unsigned_abs())
        } else {
            self.selected().saturating_add(delta.unsigned_abs())
        };
        self.select(target, view_height);
    }

    /// Selects a row (clamped), keeping it on screen.
    fn select(&mut self, position: usize, view_height: usize);

    /// With the selection on the last row, scrolls one line further, so
    /// that a line under it can say more rows are coming.
    fn leave_room_below(&mut self, _view_height: usize) {}

    /// The agent is looking at the selected row (its detail is open): it
    /// stays selected as rows arrive above it.
    fn hold_selection(&mut self) {}

    /// Selects the row with this id, if it is held and visible.
    fn select_id(&mut self, id: &str, view_height: usize) -> bool;

    fn keep_visible(&mut self, view_height: usize);

    /// Filters the rows by text (case-insensitive); empty shows all. Only
    /// lists held whole filter; the others search the mirror instead.
    fn set_text_filter(&mut self, _text: &str) {}

    /// Drops the + and * older than `ttl`; says whether any went.
    fn expire_news(&mut self, now: DateTime<Utc>, ttl: chrono::Duration) -> bool;

    /// The id of the selected row.
    fn selected_id(&self) -> Option<String>;

    /// The row at a position as a mark keeps it, if the list holds it.
    fn marked_at(&self, position: usize) -> Option<super::marks::Marked>;
}

/// A list's count, unless it is a 0 read before the store changed: an
/// empty list not read again yet is no empty account.
pub fn known_count(total: Option<u64>, unread: bool) -> Option<u64> {
    total.filter(|total| *total > 0 || !unread)
}

/// Keeps the selection on screen: the scroll moves the least it can.
pub fn scroll_to_show(selected: usize, scroll: usize, len: usize, view_height: usize) -> (usize, usize) {
    let height = view_height.max(1);
    let selected = selected.min(len.saturating_sub(1));
    let scroll = if selected < scroll {
        selected
    } else if selected >= scroll + height {
        selected + 1 - height
    } else {
        scroll
    };
    (selected, scroll.min(len.saturating_sub(1)))
}

/// A list held whole: its rows, a text filter over them, + and * on rows new
/// or changed since the last time it was replaced.
#[derive(Debug, Clone)]
pub struct LocalList<T> {
    rows: Vec<T>,
    loaded_once: bool,
    selected: usize,
    scroll: usize,
    text_filter: String,
    /// Indices of rows matching the text filter; `None` when there is none.
    visible: Option<Vec<usize>>,
    news: HashMap<String, (News, DateTime<Utc>)>,
}

impl<T: Resource> Default for LocalList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Resource> LocalList<T> {
    pub fn new() -> Self {
        Self {
            rows: Vec::new(),
            loaded_once: false,
            selected: 0,
            scroll: 0,
            text_filter: String::new(),
            visible: None,
            news: HashMap::new(),
        }
    }

    pub fn visible_row(&self, position: usize) -> Option<&T> {
        match &self.visible {
            Some(indices) => indices.get(position).and_then(|&i| self.rows.get(i)),
            None => self.rows.get(position),
        }
    }

    pub fn selected_row(&self) -> Option<&T> {
        self.visible_row(self.selected)
    }

    /// Every row, newest first, whatever the filter.
    pub fn rows(&self) -> &[T] {
        &self.rows
    }

    pub fn find(&self, id: &str) -> Option<&T> {
        self.rows.iter().find(|row| row.id() == id)
    }

    /// Puts one item on top (an event just heard), marked new. The
    /// selection stays on its row.
    pub fn prepend(&mut self, item: T, now: DateTime<Utc>) {
        if let Some(at) = self.rows.iter().position(|row| row.id() == item.id()) {
            self.news.insert(item.id().to_string(), (News::Changed, now));
            self.rows[at] = item;
            self.refilter();
            return;
        }
        self.news.insert(item.id().to_string(), (News::New, now));
        self.rows.insert(0, item);
        self.loaded_once = true;
        if self.visible.is_none() && self.rows.len() > 1 {
            self.selected += 1;
            if self.scroll > 0 {
                self.scroll += 1;
            }
        }
        self.refilter();
    }

    /// Replaces every row with a list read afresh: rows not there before
    /// are marked new and rows whose status moved changed, unless this is a
    /// `baseline` (the first list, or one from incomplete data); the
    /// selection stays on its row while it is there. Returns the ids of the
    /// new rows.
    pub fn replace_all(&mut self, rows: Vec<T>, baseline: bool, now: DateTime<Utc>) -> Vec<String> {
        let selected = self.selected_row().map(|row| row.id().to_string());
        let mut new = Vec::new();
        if self.loaded_once && !baseline {
            let before: HashMap<&str, &str> = self.rows.iter().map(|row| (row.id(), row.status_text())).collect();
            for row in &rows {
                match before.get(row.id()) {
                    None => new.push(row.id().to_string()),
                    Some(status) if *status != row.status_text() => {
                        self.news.insert(row.id().to_string(), (News::Changed, now));
                    }
                    Some(_) => {}
                }
            }
        }
        for id in &new {
            self.news.insert(id.clone(), (News::New, now));
        }
        self.rows = rows;
        let held: std::collections::HashSet<&str> = self.rows.iter().map(Resource::id).collect();
        self.news.retain(|id, _| held.contains(id.as_str()));
        self.loaded_once = true;
        self.refilter();
        let at = selected
            .and_then(|id| (0..self.visible_len()).find(|&p| self.visible_row(p).is_some_and(|r| r.id() == id)));
        self.selected = at.unwrap_or(self.selected).min(self.visible_len().saturating_sub(1));
        new
    }

    fn refilter(&mut self) {
        if self.text_filter.is_empty() {
            self.visible = None;
            return;
        }
        let needle = self.text_filter.to_lowercase();
        self.visible = Some(self.rows.iter().enumerate().filter(|(_, r)| r.matches(&needle)).map(|(i, _)| i).collect());
        if self.selected >= self.visible_len() {
            self.selected = self.visible_len().saturating_sub(1);
        }
    }
}

impl<T: Resource> ListOps for LocalList<T> {
    fn loaded(&self) -> usize {
        self.rows.len()
    }

    fn total(&self) -> Option<u64> {
        self.loaded_once.then_some(self.rows.len() as u64)
    }

    fn loaded_once(&self) -> bool {
        self.loaded_once
    }

    fn text_filter(&self) -> &str {
        &self.text_filter
    }

    fn visible_len(&self) -> usize {
        self.visible.as_ref().map_or(self.rows.len(), Vec::len)
    }

    fn selected(&self) -> usize {
        self.selected
    }

    fn scroll(&self) -> usize {
        self.scroll
    }

    fn news(&self, id: &str) -> Option<News> {
        self.news.get(id).map(|(mark, _)| *mark)
    }

    fn select(&mut self, position: usize, view_height: usize) {
        self.selected = position.min(self.visible_len().saturating_sub(1));
        self.keep_visible(view_height);
    }

    fn select_id(&mut self, id: &str, view_height: usize) -> bool {
        let position = (0..self.visible_len()).find(|&p| self.visible_row(p).is_some_and(|r| r.id() == id));
        match position {
            Some(position) => {
                self.select(position, view_height);
                true
            }
            None => false,
        }
    }

    fn keep_visible(&mut self, view_height: usize) {
        (self.selected, self.scroll) = scroll_to_show(self.selected, self.scroll, self.visible_len(), view_height);
    }

    fn set_text_filter(&mut self, text: &str) {
        self.text_filter = text.trim().to_string();
        self.selected = 0;
        self.scroll = 0;
        self.refilter();
    }

    fn expire_news(&mut self, now: DateTime<Utc>, ttl: chrono::Duration) -> bool {
        let before = self.news.len();
        self.news.retain(|_, (_, at)| now - *at < ttl);
        before != self.news.len()
    }

    fn selected_id(&self) -> Option<String> {
        self.selected_row().map(|row| row.id().to_string())
    }

    fn marked_at(&self, position: usize) -> Option<super::marks::Marked> {
        self.visible_row(position).map(super::marks::Marked::of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{LinkStatus, PaymentLink};
    use crate::test_support::{link, t0};

    fn with_status(id: &str, status: LinkStatus) -> PaymentLink {
        PaymentLink { status, ..link(id) }
    }

    #[test]
    fn a_list_read_again_marks_what_is_new_or_moved_and_keeps_the_selection() {
        let mut list = LocalList::new();
        let first = vec![with_status("pl_2", LinkStatus::Active), with_status("pl_1", LinkStatus::Active)];
        assert!(list.replace_all(first, true, t0()).is_empty(), "the first list is a baseline");
        list.select(1, 10);
        let again = vec![
            with_status("pl_3", LinkStatus::Active),
            with_status("pl_2", LinkStatus::Paid),
            with_status("pl_1", LinkStatus::Active),
        ];
        assert_eq!(list.replace_all(again, false, t0()), vec!["pl_3".to_string()]);
        assert_eq!(
            (list.news("pl_3"), list.news("pl_2"), list.news("pl_1")),
            (Some(News::New), Some(News::Changed), None)
        );
        assert_eq!(list.selected_id().as_deref(), Some("pl_1"), "the selection stays on its row");
        list.set_text_filter("pl_2");
        assert_eq!((list.visible_len(), list.selected_id().as_deref()), (1, Some("pl_2")));
        assert!(list.expire_news(t0() + chrono::Duration::seconds(60), chrono::Duration::seconds(30)));
        assert_eq!(list.news("pl_3"), None);
    }

    #[test]
    fn an_event_on_top_keeps_the_reader_where_they_were() {
        let mut list = LocalList::new();
        list.prepend(link("pl_1"), t0());
        list.prepend(link("pl_2"), t0());
        assert_eq!((list.selected_id().as_deref(), list.total()), (Some("pl_1"), Some(2)));
        list.prepend(link("pl_2"), t0());
        assert_eq!(list.total(), Some(2), "the same item twice is one row");
    }
}
