//! Dates and times typed by a person: `2024-01-15` or an RFC 3339 time such
//! as `2024-01-15T10:30:00Z`. Shared by the dashboard's `:from`/`:to` and the
//! one-shot commands' `--from`/`--to`, so both read the same text the same way.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Which end of a range a bare date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A date means its first second (midnight UTC).
    Start,
    /// A date means its last second: `to 2024-01-15` takes in the whole day.
    End,
}

/// What the parser accepts, for error messages.
pub const EXPECTED: &str = "a date like 2024-01-15 or a time like 2024-01-15T10:30:00Z";

/// Parses a date or an RFC 3339 time, as the start or the end of a range.
pub fn parse(text: &str, bound: Bound) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    let midnight = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0)?.and_utc();
    Some(match bound {
        Bound::Start => midnight,
        Bound::End => midnight + Duration::days(1) - Duration::seconds(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_as_range_ends() {
        let shown = |text: &str, bound| parse(text, bound).map(|t| t.to_rfc3339());
        assert_eq!(shown("2024-01-15", Bound::Start).as_deref(), Some("2024-01-15T00:00:00+00:00"));
        assert_eq!(shown("2024-01-15", Bound::End).as_deref(), Some("2024-01-15T23:59:59+00:00"));
        assert_eq!(shown(" 2024-01-15T10:30:00+02:00 ", Bound::End).as_deref(), Some("2024-01-15T08:30:00+00:00"));
        for bad in ["yesterday", "2024-13-01", "15/01/2024", "", "2024-01-15 10:30"] {
            assert_eq!(parse(bad, Bound::Start), None, "{bad:?}");
        }
    }
}
