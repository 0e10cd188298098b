//! When a pane polls next, and how it backs off after errors.

use crate::api::ErrorKind;
use crate::app::ErrorInfo;
use chrono::{DateTime, Duration, Utc};

/// The longest wait between retries of a failing pane, and the wait after
/// an auth error (a rejected key does not heal by itself).
pub const MAX_BACKOFF_SECS: i64 = 60;

/// When a pane polls next, and what went wrong last.
#[derive(Debug, Clone, PartialEq)]
pub struct PollState {
    pub error: Option<ErrorInfo>,
    pub failures: u32,
    pub last_success: Option<DateTime<Utc>>,
    pub next_poll: DateTime<Utc>,
}

impl PollState {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self { error: None, failures: 0, last_success: None, next_poll: now }
    }

    pub fn due(&self, now: DateTime<Utc>) -> bool {
        now >= self.next_poll
    }

    /// Polls at the next chance.
    pub fn poll_now(&mut self, now: DateTime<Utc>) {
        self.next_poll = self.next_poll.min(now);
    }

    /// A first-page poll went out: the next one is an interval away.
    pub fn polled(&mut self, now: DateTime<Utc>, interval: Duration) {
        self.next_poll = now + interval;
    }

    pub fn succeeded(&mut self, now: DateTime<Utc>, first_page: bool) {
        self.error = None;
        self.failures = 0;
        if first_page {
            self.last_success = Some(now);
        }
    }

    /// Exponential backoff from one refresh interval, capped at two: a pane
    /// that failed is back within two intervals of PIK recovering. An
    /// unusable key will not heal by itself: retry slowly. A longer
    /// Retry-After is honoured as asked.
    pub fn failed(&mut self, error: ErrorInfo, interval: Duration, now: DateTime<Utc>) {
        let interval = interval.num_seconds().max(1);
        self.failures += 1;
        let backoff = if error.is_auth() {
            MAX_BACKOFF_SECS
        } else {
            (interval << (self.failures - 1).min(4)).min(interval * 2).min(MAX_BACKOFF_SECS)
        };
        let wait = match error.retry_after {
            Some(asked) => Duration::seconds(i64::try_from(asked.as_secs()).unwrap_or(MAX_BACKOFF_SECS).max(1)),
            None => Duration::seconds(backoff),
        };
        self.next_poll = now + wait;
        self.error = Some(error);
    }

    /// Whether the last failure means PIK could not be reached at all.
    pub fn unreachable(&self) -> bool {
        self.error.as_ref().is_some_and(|e| matches!(e.kind, ErrorKind::Connect | ErrorKind::Timeout))
    }
}
