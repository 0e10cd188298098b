//! A pane's list as a window on the mirror: at most [`WINDOW`] rows around
//! what is on screen, with the list's count, read again when the store
//! says it changed. Scrolling asks for the window the screen needs, by the
//! cursor of a row already held (never an offset); `G` reads the list's
//! last rows, `g` its first. Rows new since the last read are marked `+`,
//! rows that changed `*`, by comparing the two windows.

use super::list::{ListOps, News, RequestId, scroll_to_show};
use super::resource::Resource;
use crate::store::{Anchor, Cursor, Window};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// Rows a window holds.
pub const WINDOW: u32 = 150;
/// Rows kept above the first row on screen when a window is read.
const ABOVE: usize = 50;

/// What a window asks the store for: where, and whether to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub anchor: Anchor,
    pub count: bool,
}

#[derive(Debug, Clone)]
pub struct ListWindow<T> {
    rows: Vec<(Cursor, T)>,
    /// The place in the list of the first row held.
    first: usize,
    total: Option<u64>,
    more_before: bool,
    more_after: bool,
    selected: usize,
    scroll: usize,
    /// The read under way, and the place its anchor row has.
    in_flight: Option<(RequestId, Anchor, usize)>,
    /// The store changed: read the same rows again.
    stale: bool,
    /// The list itself changed (a filter, a sort): read from the top.
    fresh: bool,
    loaded_once: bool,
    /// The agent moved the selection since the list started: it then
    /// stays on its row as rows arrive above; before, on the first row.
    touched: bool,
    /// When it was last read.
    pub read_at: Option<DateTime<Utc>>,
    /// Why the last read failed; it is tried again from `retry_at`.
    pub error: Option<String>,
    retry_at: Option<DateTime<Utc>>,
    news: HashMap<String, (News, DateTime<Utc>)>,
    /// What the table shows beside the rows held (`Window::about`).
    about: HashMap<String, String>,
}

/// How long a failed read waits before it is tried again.
pub(super) const RETRY_SECS: i64 = 2;

impl<T: Resource + PartialEq> Default for ListWindow<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Resource + PartialEq> ListWindow<T> {
    pub fn new() -> Self {
        ListWindow {
            rows: Vec::new(),
            first: 0,
            total: None,
            more_before: false,
            more_after: false,
            selected: 0,
            scroll: 0,
            in_flight: None,
            stale: false,
            fresh: true,
            loaded_once: false,
            touched: false,
            read_at: None,
            error: None,
            retry_at: None,
            news: HashMap::new(),
            about: HashMap::new(),
        }
    }

    /// What the table shows beside a row, by the key the store gave it
    /// (a payment's link's description, by link id).
    pub fn about(&self, key: &str) -> Option<&str> {
        self.about.get(key).map(String::as_str)
    }

    /// The row at a place in the list, if the window holds it.
    pub fn row(&self, position: usize) -> Option<&T> {
        position.checked_sub(self.first).and_then(|at| self.rows.get(at)).map(|(_, row)| row)
    }

    pub fn selected_row(&self) -> Option<&T> {
        self.row(self.selected)
    }

    /// The rows held, in list order, with their places.
    pub fn held(&self) -> impl Iterator<Item = (usize, &T)> {
        self.rows.iter().enumerate().map(|(at, (_, row))| (self.first + at, row))
    }

    pub fn find(&self, id: &str) -> Option<&T> {
        self.rows.iter().map(|(_, row)| row).find(|row| row.id() == id)
    }

    /// The store changed: the rows are read again at the next chance.
    pub fn changed(&mut self) {
        self.stale = true;
    }

    /// The list itself changed: it is read again from the top.
    pub fn restart(&mut self) {
        self.fresh = true;
        self.touched = false;
        self.in_flight = None;
    }

    pub fn is_stale(&self) -> bool {
        self.stale || self.fresh || !self.loaded_once
    }

    /// Whether the store changed since the rows held were read (a read may
    /// be under way).
    pub fn behind_the_store(&self) -> bool {
        self.is_stale() || self.in_flight.is_some()
    }

    /// Whether the window holds the list's last row, and the screen is there.
    pub fn at_end(&self) -> bool {
        !self.more_after && self.loaded_once
    }

    fn cursor(&self, position: usize) -> Option<Cursor> {
        position.checked_sub(self.first).and_then(|at| self.rows.get(at)).map(|(cursor, _)| cursor.clone())
    }

    /// The read the screen needs now, if any: the list from the top when it
    /// is new, the same rows again when the store changed (unless `rereads`
    /// is off: paused), else the rows the screen scrolled to.
    pub fn wanted(&self, view_height: usize, rereads: bool, now: DateTime<Utc>) -> Option<(Wanted, usize)> {
        if self.in_flight.is_some() || self.retry_at.is_some_and(|at| now < at) {
            return None;
        }
        if self.fresh || !self.loaded_once {
            return Some((Wanted { anchor: Anchor::First, count: true }, 0));
        }
        let end = self.first + self.rows.len();
        if self.stale && rereads {
            return Some(match self.cursor(self.first) {
                Some(cursor) if self.first > 0 => (Wanted { anchor: Anchor::From(cursor), count: true }, self.first),
                _ => (Wanted { anchor: Anchor::First, count: true }, 0),
            });
        }
        let total = self.total.map(|t| usize::try_from(t).unwrap_or(usize::MAX)).unwrap_or(end);
        let need_end = (self.scroll + view_height.max(1)).min(total);
        // A window that came back empty while more lies beyond it (the rows
        // it was read from are gone): no cursor to read on from, so the top.
        if self.rows.is_empty() && (self.more_after || self.more_before) {
            return Some((Wanted { anchor: Anchor::First, count: true }, 0));
        }
        if need_end > end && self.more_after {
            // A jump far down (G, End) reads the last rows at once.
            if need_end + (WINDOW as usize - ABOVE) >= total && self.scroll > end {
                return Some((Wanted { anchor: Anchor::Last, count: true }, 0));
            }
            let from = self.scroll.saturating_sub(ABOVE).clamp(self.first, end.saturating_sub(1));
            return self.cursor(from).map(|cursor| (Wanted { anchor: Anchor::From(cursor), count: false }, from));
        }
        if self.scroll < self.first && self.more_before {
            if self.scroll == 0 {
                return Some((Wanted { anchor: Anchor::First, count: false }, 0));
            }
            let up_to = (self.scroll + view_height + ABOVE).clamp(self.first, end.saturating_sub(1));
            return self.cursor(up_to).map(|cursor| (Wanted { anchor: Anchor::UpTo(cursor), count: false }, up_to));
        }
        None
    }

    /// A read went out.
    pub fn begin(&mut self, request: RequestId, wanted: &Wanted, place: usize) {
        self.in_flight = Some((request, wanted.anchor.clone(), place));
        self.stale = false;
    }

    pub fn is_current(&self, request: RequestId) -> bool {
        self.in_flight.as_ref().is_some_and(|(id, _, _)| *id == request)
    }

    /// A read failed: it is tried again in a moment, as it was asked.
    pub fn fail(&mut self, request: RequestId, error: String, now: DateTime<Utc>) {
        if let Some((_, anchor, _)) = self.in_flight.take_if(|(id, _, _)| *id == request) {
            if anchor == Anchor::First && !self.loaded_once {
                self.fresh = true;
            } else {
                self.stale = true;
            }
            self.error = Some(error);
            self.retry_at = Some(now + Duration::seconds(RETRY_SECS));
        }
    }

    /// The store's answer. Rows new since the last read of the same rows are
    /// marked new, rows that differ changed; the selection stays on its row.
    pub fn apply(&mut self, request: RequestId, window: Window<T>, view_height: usize, now: DateTime<Utc>) -> bool {
        let Some((_, anchor, place)) = self.in_flight.take().filter(|(id, _, _)| *id == request) else {
            return false;
        };
        let fresh = std::mem::take(&mut self.fresh);
        let reread = !fresh && self.loaded_once && window.total.is_some();
        if let Some(total) = window.total {
            self.total = Some(total);
        }
        let first = match (&anchor, window.before) {
            (_, Some(before)) => usize::try_from(before).unwrap_or(usize::MAX),
            (Anchor::First, _) => 0,
            (Anchor::Last, _) => {
                let total = self.total.map(|t| usize::try_from(t).unwrap_or(usize::MAX)).unwrap_or(window.rows.len());
                total.saturating_sub(window.rows.len())
            }
            (Anchor::From(_), _) => place,
            (Anchor::UpTo(_), _) => (place + 1).saturating_sub(window.rows.len()),
        };
        let selected_id = self.selected_row().map(|row| row.id().to_string());
        if reread {
            let old: HashMap<&str, &T> = self.rows.iter().map(|(_, row)| (row.id(), row)).collect();
            // A row not read before is new where the old window covered the
            // list: before its last row still there. Rows past it are more
            // of the list (older ones the backfill brought), not news.
            let last_known = window.rows.iter().rposition(|(_, row)| old.contains_key(row.id()));
            for (at, (_, row)) in window.rows.iter().enumerate() {
                match old.get(row.id()) {
                    None if last_known.is_some_and(|known| at < known) => {
                        self.news.insert(row.id().to_string(), (News::New, now));
                    }
                    Some(before) if *before != row => {
                        self.news.insert(row.id().to_string(), (News::Changed, now));
                    }
                    _ => {}
                }
            }
        }
        self.rows = window.rows;
        self.about = window.about;
        self.first = first;
        self.more_before = window.more_before;
        self.more_after = window.more_after;
        self.loaded_once = true;
        self.read_at = Some(now);
        self.error = None;
        self.retry_at = None;
        if self.total.is_none() || (!self.more_after && self.total < Some((first + self.rows.len()) as u64)) {
            self.total = Some((first + self.rows.len()) as u64);
        }
        if fresh {
            self.selected = 0;
            self.scroll = 0;
        } else if reread
            && self.touched
            && let Some(id) = selected_id
        {
            // The selection stays on its row: a reader at the top sees new
            // rows appear above it, one scrolled down keeps its rows put.
            if let Some(at) = self.rows.iter().position(|(_, row)| row.id() == id) {
                let now_at = self.first + at;
                if now_at != self.selected {
                    if self.scroll > 0 {
                        self.scroll = (self.scroll + now_at).saturating_sub(self.selected);
                    }
                    self.selected = now_at;
                }
            }
        }
        self.keep_visible(view_height);
        true
    }

    /// Where the rows on screen are, and those held.
    pub fn on_screen_rows(&self, view_height: usize) -> impl Iterator<Item = &T> {
        (self.scroll..self.scroll + view_height).filter_map(|position| self.row(position))
    }

    /// Whether the window holds the list's first rows.
    pub fn at_top(&self) -> bool {
        self.first == 0
    }

    /// The place of the last row held, plus one.
    pub fn end(&self) -> usize {
        self.first + self.rows.len()
    }
}

impl<T: Resource + PartialEq> ListOps for ListWindow<T> {
    fn loaded(&self) -> usize {
        self.rows.len()
    }

    fn total(&self) -> Option<u64> {
        self.total
    }

    fn loaded_once(&self) -> bool {
        self.loaded_once
    }

    fn visible_len(&self) -> usize {
        self.total.map(|t| usize::try_from(t).unwrap_or(usize::MAX)).unwrap_or(self.rows.len())
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
        self.touched = true;
        self.selected = position.min(self.visible_len().saturating_sub(1));
        self.keep_visible(view_height);
    }

    fn hold_selection(&mut self) {
        self.touched = true;
    }

    fn leave_room_below(&mut self, view_height: usize) {
        let len = self.visible_len();
        if len >= view_height && self.selected + 1 == len && self.scroll + view_height <= len {
            self.scroll = len + 1 - view_height;
        }
    }

    fn select_id(&mut self, id: &str, view_height: usize) -> bool {
        match self.rows.iter().position(|(_, row)| row.id() == id) {
            Some(at) => {
                self.select(self.first + at, view_height);
                true
            }
            None => false,
        }
    }

    fn keep_visible(&mut self, view_height: usize) {
        (self.selected, self.scroll) = scroll_to_show(self.selected, self.scroll, self.visible_len(), view_height);
    }

    fn expire_news(&mut self, now: DateTime<Utc>, ttl: Duration) -> bool {
        let before = self.news.len();
        self.news.retain(|_, (_, at)| now - *at < ttl);
        before != self.news.len()
    }

    fn selected_id(&self) -> Option<String> {
        self.selected_row().map(|row| row.id().to_string())
    }

    fn marked_at(&self, position: usize) -> Option<super::marks::Marked> {
        self.row(position).map(super::marks::Marked::of)
    }
}
