//! What time alone changes on screen, and how often the app must hear of
//! it. The runtime ticks when [`App::tick_within`] says (sooner only when a
//! message asks for an earlier tick): an idle dashboard wakes about once
//! every two seconds, not twice a second.

use super::{App, NEWS_TTL_SECS, Pane};
use crate::human::age_words;
use chrono::Duration;

/// The longest time passes unseen at rest: ages move in tens of seconds,
/// the + and * on new and changed rows fade and hidden lists are read by the refresh (5 s).
const AT_REST: Duration = Duration::seconds(2);
/// While a countdown in seconds is on screen ("retrying in 4 s").
const COUNTING: Duration = Duration::seconds(1);

impl App {
    /// Time passed: fade the + and * of rows and end notices; redraw only if what the
    /// screen shows about time has changed.
    pub(super) fn tick(&mut self) {
        let ttl = Duration::seconds(NEWS_TTL_SECS);
        let now = self.now;
        let mut changed = false;
        for pane in Pane::ALL {
            changed |= self.list_mut(pane).expire_news(now, ttl);
        }
        if self.notice.as_ref().is_some_and(|n| n.until <= self.now) {
            self.notice = None;
            changed = true;
        }
        if self.alert.as_ref().is_some_and(|n| n.until <= self.now) {
            self.alert = None;
            changed = true;
        }
        changed |= self.clock_moved();
        self.dirty |= changed;
    }

    /// Whether what the screen shows about time has changed since it was
    /// last looked at.
    pub(super) fn clock_moved(&mut self) -> bool {
        let face = self.clock_face();
        let moved = face != self.clock_face;
        self.clock_face = face;
        moved
    }

    /// Everything on screen that depends on the time alone.
    fn clock_face(&self) -> String {
        let age = match self.pane {
            Pane::Overview => self.overview.computed_at.map(|t| age_words(self.now - t)).unwrap_or_default(),
            _ => self.data_age().unwrap_or_default(),
        };
        let retry = self.trouble().map(|t| (t.retry_at - self.now).num_seconds().max(0)).unwrap_or(0);
        let mirror = self.mirror().map(|m| m.words(self.now)).unwrap_or_default();
        let paused = self.paused.map(|at| age_words(self.now - at)).unwrap_or_default();
        // Relative times in the rows, the detail and the cases change at
        // most every 10 s (`short_age`); the header's label with the sync.
        format!(
            "{age}|{retry}|{mirror}|{paused}|{:?}|{}|{}",
            self.connection(),
            self.is_stale(),
            self.now.timestamp() / 10
        )
    }

    /// How long time may pass before the app must be told (a tick): until
    /// the open detail's next read when that is sooner (its 250 ms debounce
    /// after a move), else until a countdown on screen next drops a second,
    /// else two seconds. A read already due was held back by something a
    /// message will end (a profile switch), so it asks for no sooner tick.
    pub fn tick_within(&self) -> std::time::Duration {
        let most = match self.trouble() {
            Some(trouble) => {
                let left = trouble.retry_at - self.now;
                let part = left - Duration::seconds(left.num_seconds());
                if part > Duration::zero() { (part + Duration::milliseconds(1)).min(COUNTING) } else { COUNTING }
            }
            None => AT_REST,
        };
        let wait = match self.detail_read_at() {
            Some(at) if at > self.now => (at - self.now).min(most),
            _ => most,
        };
        wait.to_std().unwrap_or(std::time::Duration::from_secs(1))
    }
}
