//! One paged list, written once for links, transactions and webhooks: rows,
//! total, selection, scroll offset, the next page to fetch, the page in
//! flight, a text filter over loaded rows, and marks on new or changed rows.
//!
//! Paging rules (see docs/architecture.md):
//! - the next page is wanted while the selection is within one screen of the
//!   last loaded row, and never while another page of this list is in flight;
//! - rows merge by id: a refresh of the first page updates known rows in place
//!   and puts unknown ones on top; a later page skips ids already loaded. So
//!   offsets that drift when items arrive at the top give no duplicates; and
//!   `next_offset` never passes what is known to be loaded (at worst a page
//!   repeats a few rows, which merge away), so nothing is skipped.

use super::resource::Resource;
use crate::api::Page;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Rows asked for per page.
pub const PAGE_SIZE: u32 = 50;

/// Identifies a request, so that late answers to an old one are ignored.
pub type RequestId = u64;

/// The most rows room is made for at once from a page's total (untouched
/// room costs address space, not memory).
const MAX_RESERVE: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    New,
    Changed,
}

/// What a page changed, for bells and logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub new: Vec<String>,
    /// (id, status before, status now)
    pub changed: Vec<(String, String, String)>,
}

#[derive(Debug, Clone)]
pub struct PagedList<T> {
    rows: Vec<T>,
    index: HashMap<String, usize>,
    total: Option<u64>,
    next_offset: u64,
    end_reached: bool,
    loaded_once: bool,
    in_flight: Option<(RequestId, u64)>,
    selected: usize,
    scroll: usize,
    text_filter: String,
    /// Indices of rows matching the text filter; `None` when there is none.
    visible: Option<Vec<usize>>,
    marks: HashMap<String, (Mark, DateTime<Utc>)>,
}

impl<T: Resource> Default for PagedList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Resource> PagedList<T> {
    pub fn new() -> Self {
        Self {
            rows: Vec::new(),
            index: HashMap::new(),
            total: None,
            next_offset: 0,
            end_reached: false,
            loaded_once: false,
            in_flight: None,
            selected: 0,
            scroll: 0,
            text_filter: String::new(),
            visible: None,
            marks: HashMap::new(),
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

    pub fn find(&self, id: &str) -> Option<&T> {
        self.index.get(id).and_then(|&i| self.rows.get(i))
    }

    /// Merges a page fetched at `offset`. Ignored unless it answers the
    /// request in flight.
    pub fn apply(&mut self, request: RequestId, offset: u64, page: Page<T>, now: DateTime<Utc>) -> Applied {
        if !self.is_current(request) {
            return Applied::default();
        }
        self.in_flight = None;
        let mut applied = Applied::default();
        let received = page.data.len() as u64 + page.skipped as u64;
        let mut unknown = Vec::new();
        for item in page.data {
            match self.index.get(item.id()).copied() {
                Some(i) => {
                    let before = self.rows[i].status_text().to_string();
                    if before != item.status_text() {
                        applied.changed.push((item.id().to_string(), before, item.status_text().to_string()));
                        self.marks.insert(item.id().to_string(), (Mark::Changed, now));
                    }
                    self.rows[i] = item;
                }
                None => unknown.push(item),
            }
        }
        let known_on_page = received as usize - page.skipped - unknown.len();
        if offset == 0 && self.loaded_once && known_on_page == 0 && !self.rows.is_empty() {
            // Everything on the first page is new: more arrived than a page
            // holds, so the old rows may not join up. Start again from here
            // rather than leave a gap.
            self.rows.clear();
            self.index.clear();
            self.selected = 0;
            self.scroll = 0;
            self.next_offset = 0;
            self.loaded_once = false;
        }
        if offset == 0 && self.loaded_once {
            let added = unknown.len();
            for item in &unknown {
                applied.new.push(item.id().to_string());
                self.marks.insert(item.id().to_string(), (Mark::New, now));
            }
            self.rows.splice(0..0, unknown);
            // The loaded rows are a prefix of the server's list (merging by
            // id keeps its order), so the next page starts at least after
            // them. Adding `added` to an offset that may already count them
            // (when a later page was served after they arrived) would skip rows.
            self.next_offset = self.next_offset.max(self.rows.len() as u64);
            if added > 0 && self.visible.is_none() {
                // The selection stays on the same item. A reader at the top
                // sees the new rows appear above it; one scrolled down keeps
                // the rows under their eyes where they were.
                self.selected += added;
                if self.scroll > 0 {
                    self.scroll += added;
                }
            }
        } else {
            let from = self.rows.len();
            // The whole list's size is known: one allocation, not a copy at
            // every doubling (which made the peak half as large again).
            let rest = usize::try_from(page.total).unwrap_or(0).min(MAX_RESERVE).saturating_sub(from);
            // Only room asked for: without it the rows still fit, a doubling
            // at a time. Not for the index: its rows land all over its table,
            // so room made early is memory touched early.
            let _ = self.rows.try_reserve_exact(rest);
            self.rows.extend(unknown);
            self.next_offset = self.next_offset.max(offset + received).max(self.rows.len() as u64);
            self.loaded_once = true;
            if self.index.len() == from {
                // Appended rows: index them alone (rebuilding the whole
                // index at every page cost time and twice its memory).
                for (at, row) in self.rows.iter().enumerate().skip(from) {
                    self.index.insert(row.id().to_string(), at);
                }
            }
        }
        if !applied.new.is_empty() || self.index.len() != self.rows.len() {
            self.reindex();
        }
        self.total = Some(page.total);
        let short = received < u64::from(page.limit.unwrap_or(PAGE_SIZE));
        if self.next_offset >= page.total || (short && offset != 0) {
            self.end_reached = true;
        }
        self.refilter();
        applied
    }

    /// Puts one item on top (just created, or received): updated in place
    /// if it is already there. The next poll confirms it.
    pub fn prepend(&mut self, item: T, now: DateTime<Utc>) {
        if self.index.contains_key(item.id()) {
            self.update_row(item, now);
            return;
        }
        self.marks.insert(item.id().to_string(), (Mark::New, now));
        self.rows.insert(0, item);
        self.reindex();
        self.total = Some(self.total.unwrap_or(0) + 1);
        if !self.loaded_once {
            // A list fed only by prepending (the events) has nothing to fetch.
            self.loaded_once = true;
            self.end_reached = true;
        }
        if self.visible.is_none() && self.rows.len() > 1 {
            self.selected += 1;
            if self.scroll > 0 {
                self.scroll += 1;
            }
        }
        self.refilter();
    }

    /// Replaces every row with a list computed afresh (the Overview's
    /// attention list): rows not there before are marked new, unless this is
    /// a `baseline` (the first list, or one from incomplete data); the
    /// selection stays on its row while it is there. Returns the ids of the
    /// new rows.
    pub fn replace_all(&mut self, rows: Vec<T>, baseline: bool, now: DateTime<Utc>) -> Vec<String> {
        let selected = self.selected_row().map(|row| row.id().to_string());
        let new: Vec<String> = if self.loaded_once && !baseline {
            rows.iter().filter(|row| !self.index.contains_key(row.id())).map(|row| row.id().to_string()).collect()
        } else {
            Vec::new()
        };
        for id in &new {
            self.marks.insert(id.clone(), (Mark::New, now));
        }
        self.rows = rows;
        self.reindex();
        self.marks.retain(|id, _| self.index.contains_key(id));
        self.total = Some(self.rows.len() as u64);
        self.next_offset = self.rows.len() as u64;
        self.loaded_once = true;
        self.end_reached = true;
        self.in_flight = None;
        self.refilter();
        let at = selected
            .and_then(|id| (0..self.visible_len()).find(|&p| self.visible_row(p).is_some_and(|r| r.id() == id)));
        self.selected = at.unwrap_or(self.selected).min(self.visible_len().saturating_sub(1));
        new
    }

    /// Shows an earlier picture of the list (the mirror's), before PIK has
    /// answered: its rows become the loaded ones, unmarked. PIK's first
    /// page then merges into them by id like any poll. An empty picture
    /// shows nothing and changes nothing. Says whether it was shown.
    pub fn show_snapshot(&mut self, page: Page<T>) -> bool {
        if page.data.is_empty() {
            return false;
        }
        let received = (page.data.len() + page.skipped) as u64;
        self.rows = page.data;
        self.reindex();
        self.total = Some(page.total);
        self.next_offset = received;
        self.loaded_once = true;
        self.end_reached = received < u64::from(page.limit.unwrap_or(PAGE_SIZE)) || received >= page.total;
        self.refilter();
        true
    }

    /// Updates the rows it holds from a page that re-read part of the list
    /// (the rows on screen, below the first page). Rows it does not hold
    /// are left for paging to bring in at their place; nothing moves.
    pub fn refresh(&mut self, page: Page<T>, now: DateTime<Utc>) -> Applied {
        let mut applied = Applied::default();
        for item in page.data {
            let Some(i) = self.index.get(item.id()).copied() else { continue };
            let before = self.rows[i].status_text().to_string();
            if before != item.status_text() {
                applied.changed.push((item.id().to_string(), before, item.status_text().to_string()));
                self.marks.insert(item.id().to_string(), (Mark::Changed, now));
            }
            self.rows[i] = item;
        }
        if !self.text_filter.is_empty() {
            self.refilter();
        }
        applied
    }

    /// Updates one row in place if it is loaded (a refreshed detail).
    pub fn update_row(&mut self, item: T, now: DateTime<Utc>) {
        if let Some(&i) = self.index.get(item.id()) {
            if self.rows[i].status_text() != item.status_text() {
                self.marks.insert(item.id().to_string(), (Mark::Changed, now));
            }
            self.rows[i] = item;
        }
    }

    fn reindex(&mut self) {
        self.index = self.rows.iter().enumerate().map(|(i, row)| (row.id().to_string(), i)).collect();
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

/// The parts of a paged list that do not depend on the row type, so that
/// the app can pick the list of a pane once and treat the three alike.
pub trait ListOps {
    /// Forgets every row (the server-side filter changed). The text filter stays.
    fn reset(&mut self);

    fn loaded(&self) -> usize;

    fn total(&self) -> Option<u64>;

    fn loaded_once(&self) -> bool;

    fn end_reached(&self) -> bool;

    fn in_flight(&self) -> Option<u64>;

    fn is_current(&self, request: RequestId) -> bool;

    fn text_filter(&self) -> &str;

    /// Rows shown (all loaded rows, or those matching the text filter).
    fn visible_len(&self) -> usize;

    fn selected(&self) -> usize;

    fn scroll(&self) -> usize;

    fn mark(&self, id: &str) -> Option<Mark>;

    /// The offset of the next page, when one should be fetched now: the
    /// first page if nothing was loaded, else the next one once the
    /// selection is within `lookahead` rows of the end.
    fn wanted_page(&self, lookahead: usize) -> Option<u64>;

    /// Records that a page is being fetched.
    fn begin(&mut self, request: RequestId, offset: u64);

    /// A fetch failed: nothing is in flight any more.
    fn fail(&mut self, request: RequestId);

    /// Moves the selection by `delta` rows, keeping it on screen.
    fn move_selection(&mut self, delta: isize, view_height: usize) {
        let target = if delta < 0 {
            self.selected().saturating_sub(delta.unsigned_abs())
        } else {
            self.selected().saturating_add(delta.unsigned_abs())
        };
        self.select(target, view_height);
    }

    /// Selects a visible row (clamped), keeping it on screen.
    fn select(&mut self, position: usize, view_height: usize);

    /// Selects the row with this id, if it is loaded and visible.
    fn select_id(&mut self, id: &str, view_height: usize) -> bool;

    fn keep_visible(&mut self, view_height: usize);

    /// Filters the loaded rows by text (case-insensitive); empty shows all.
    fn set_text_filter(&mut self, text: &str);

    /// Drops marks older than `ttl`; says whether any went.
    fn expire_marks(&mut self, now: DateTime<Utc>, ttl: chrono::Duration) -> bool;

    /// The id of the selected row.
    fn selected_id(&self) -> Option<String>;

    /// Where the rows on screen sit among the loaded ones: the first and
    /// one past the last index, for `view_height` rows from the scroll offset.
    fn on_screen(&self, view_height: usize) -> Option<(usize, usize)>;
}

impl<T: Resource> ListOps for PagedList<T> {
    fn reset(&mut self) {
        let text_filter = std::mem::take(&mut self.text_filter);
        *self = Self::new();
        self.text_filter = text_filter;
    }

    fn loaded(&self) -> usize {
        self.rows.len()
    }

    fn total(&self) -> Option<u64> {
        self.total
    }

    fn loaded_once(&self) -> bool {
        self.loaded_once
    }

    fn end_reached(&self) -> bool {
        self.end_reached
    }

    fn in_flight(&self) -> Option<u64> {
        self.in_flight.map(|(_, offset)| offset)
    }

    fn is_current(&self, request: RequestId) -> bool {
        self.in_flight.is_some_and(|(id, _)| id == request)
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

    fn mark(&self, id: &str) -> Option<Mark> {
        self.marks.get(id).map(|(mark, _)| *mark)
    }

    fn wanted_page(&self, lookahead: usize) -> Option<u64> {
        if self.in_flight.is_some() {
            return None;
        }
        if !self.loaded_once {
            return Some(0);
        }
        if self.end_reached {
            return None;
        }
        let near_end = self.selected + lookahead >= self.visible_len();
        near_end.then_some(self.next_offset)
    }

    fn begin(&mut self, request: RequestId, offset: u64) {
        self.in_flight = Some((request, offset));
    }

    fn fail(&mut self, request: RequestId) {
        if self.is_current(request) {
            self.in_flight = None;
        }
    }

    fn select(&mut self, position: usize, view_height: usize) {
        let len = self.visible_len();
        self.selected = position.min(len.saturating_sub(1));
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
        let height = view_height.max(1);
        let len = self.visible_len();
        if self.selected >= len {
            self.selected = len.saturating_sub(1);
        }
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + height {
            self.scroll = self.selected + 1 - height;
        }
        self.scroll = self.scroll.min(len.saturating_sub(1));
    }

    fn set_text_filter(&mut self, text: &str) {
        self.text_filter = text.trim().to_string();
        self.selected = 0;
        self.scroll = 0;
        self.refilter();
    }

    fn expire_marks(&mut self, now: DateTime<Utc>, ttl: chrono::Duration) -> bool {
        let before = self.marks.len();
        self.marks.retain(|_, (_, at)| now - *at < ttl);
        before != self.marks.len()
    }

    fn selected_id(&self) -> Option<String> {
        self.selected_row().map(|row| row.id().to_string())
    }

    fn on_screen(&self, view_height: usize) -> Option<(usize, usize)> {
        let end = (self.scroll + view_height).min(self.visible_len());
        if self.scroll >= end {
            return None;
        }
        match &self.visible {
            None => Some((self.scroll, end)),
            Some(indices) => {
                let shown = &indices[self.scroll..end];
                Some((*shown.iter().min()?, *shown.iter().max()? + 1))
            }
        }
    }
}

#[cfg(test)]
mod tests;
