//! When and how long to wait before repeating a GET.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns retrying off.
    pub max_retries: u32,
    /// The first backoff; each retry doubles it.
    pub base_delay: Duration,
    /// The longest backoff between two attempts.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured. A server asking for more gets the
    /// error back at once, so the caller can say "retry in N s" instead of
    /// hanging for minutes.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    /// The wait before retry number `retry` (0-based), or `None` to give up.
    /// Exponential with "equal jitter" (half fixed, half random), so that many
    /// clients that failed together do not come back together. `jitter` is a
    /// number in 0..1, passed in so tests can pin it.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, jitter: f64) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        if let Some(asked) = retry_after {
            return (asked <= self.max_retry_after).then_some(asked);
        }
        let exponential = self.base_delay.saturating_mul(2u32.saturating_pow(retry.min(16)));
        let capped = exponential.min(self.max_delay);
        let half = capped / 2;
        Some(half + half.mul_f64(jitter.clamp(0.0, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_exponentially_up_to_the_cap() {
        let policy = RetryPolicy { max_retries: 10, ..RetryPolicy::default() };
        let waits: Vec<_> = (0..7).filter_map(|n| policy.delay(n, None, 1.0)).collect();
        let millis: Vec<_> = waits.iter().map(|d| d.as_millis()).collect();
        assert_eq!(millis, [250, 500, 1000, 2000, 4000, 8000, 8000]);
        assert_eq!(policy.delay(2, None, 0.0), Some(Duration::from_millis(500)));
    }

    #[test]
    fn honours_retry_after_up_to_its_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(0, Some(Duration::from_secs(4)), 0.5), Some(Duration::from_secs(4)));
        assert_eq!(policy.delay(0, Some(Duration::from_secs(120)), 0.5), None);
        assert_eq!(policy.delay(3, None, 0.5), None);
        assert_eq!(RetryPolicy::none().delay(0, None, 0.5), None);
    }
}
