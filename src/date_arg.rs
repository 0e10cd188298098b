//! Dates and times typed by a person, in the agent's time zone: a day
//! (`2026-11-29`), a month (`2026-11`), `today`, `yesterday`, the last N
//! days (`7d`, today included), or an exact RFC 3339 time
//! (`2026-11-29T10:30:00Z`). Shared by the dashboard's `:from`/`:to`, the
//! search's date filters and the one-shot commands' `--from`/`--to`, so
//! every place reads the same text the same way.

use crate::zone::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// Which end of a range a period stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Its first instant (a local midnight).
    Start,
    /// Its last second: `to 2026-11-29` takes in the whole day.
    End,
}

/// What the parser accepts, for error messages.
pub const EXPECTED: &str =
    "a date like 2026-11-29, 2026-11, today, yesterday or 7d, or a time like 2026-11-29T10:30:00Z";

/// The most days `Nd` may reach back.
const MAX_DAYS: i64 = 36_600;

/// The span a text names, in the zone: `[start, end)`. An exact time is a
/// span of its own second.
pub fn period(text: &str, zone: &Zone, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        let time = time.with_timezone(&Utc);
        return Some((time, time + Duration::seconds(1)));
    }
    let days =
        |first: NaiveDate, last: NaiveDate| Some((zone.start_of(first), zone.start_of(last + Duration::days(1))));
    let today = zone.date_of(now);
    match text.to_ascii_lowercase().as_str() {
        "today" => return days(today, today),
        "yesterday" => return days(today - Duration::days(1), today - Duration::days(1)),
        _ => {}
    }
    if let Some(count) = text.strip_suffix(['d', 'D']).and_then(|n| n.parse::<i64>().ok()) {
        return (1..=MAX_DAYS).contains(&count).then(|| days(today - Duration::days(count - 1), today)).flatten();
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return days(day, day);
    }
    // A month: "2026-11" (the day is added to let chrono check it).
    let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok().filter(|_| text.len() == 7)?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }?;
    days(first, next - Duration::days(1))
}

/// One end of a range: the period's first instant, or its last second.
pub fn parse(text: &str, bound: Bound, zone: &Zone, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (start, end) = period(text, zone, now)?;
    Some(match bound {
        Bound::Start => start,
        Bound::End => end - Duration::seconds(1),
    })
}

/// `A..B`: from the start of A to the end of B; a single period stands for
/// both ends.
pub fn range(text: &str, zone: &Zone, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    match text.split_once("..") {
        Some((from, to)) => {
            let from = parse(from, Bound::Start, zone, now)?;
            let to = parse(to, Bound::End, zone, now)?;
            (from <= to).then_some((from, to))
        }
        None => {
            let (start, end) = period(text, zone, now)?;
            Some((start, end - Duration::seconds(1)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> Zone {
        Zone::bundled(name).unwrap_or_else(|| panic!("{name}"))
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-30T13:04:00Z").map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn dates_are_local_days_and_times_are_exact() {
        let berlin = zone("Europe/Berlin");
        let shown = |text: &str, bound| parse(text, bound, &berlin, now()).map(|t| t.to_rfc3339());
        assert_eq!(shown("2026-11-29", Bound::Start).as_deref(), Some("2026-11-28T23:00:00+00:00"));
        assert_eq!(shown("2026-11-29", Bound::End).as_deref(), Some("2026-11-29T22:59:59+00:00"));
        // Summer time: the offset in force on that day, not today's.
        assert_eq!(shown("2026-07-01", Bound::Start).as_deref(), Some("2026-06-30T22:00:00+00:00"));
        assert_eq!(shown(" 2024-01-15T10:30:00+02:00 ", Bound::End).as_deref(), Some("2024-01-15T08:30:00+00:00"));
        assert_eq!(shown("yesterday", Bound::Start).as_deref(), Some("2026-11-28T23:00:00+00:00"));
        assert_eq!(shown("TODAY", Bound::End).as_deref(), Some("2026-11-30T22:59:59+00:00"));
        assert_eq!(shown("7d", Bound::Start).as_deref(), Some("2026-11-23T23:00:00+00:00"));
        assert_eq!(shown("2026-10", Bound::Start).as_deref(), Some("2026-09-30T22:00:00+00:00"));
        // October has a 25-hour day: its end is in winter time.
        assert_eq!(shown("2026-10", Bound::End).as_deref(), Some("2026-10-31T22:59:59+00:00"));
        assert_eq!(shown("2026-12", Bound::End).as_deref(), Some("2026-12-31T22:59:59+00:00"));
        for bad in ["tomorrow", "2024-13-01", "15/01/2024", "", "2024-01-15 10:30", "0d", "-3d", "2026-1", "abc"] {
            assert_eq!(parse(bad, Bound::Start, &berlin, now()), None, "{bad:?}");
        }
    }

    #[test]
    fn ranges_take_in_both_ends() {
        let kolkata = zone("Asia/Kolkata");
        let shown = |text: &str| range(text, &kolkata, now()).map(|(a, b)| (a.to_rfc3339(), b.to_rfc3339()));
        assert_eq!(
            shown("2026-11-01..2026-11-30"),
            Some(("2026-10-31T18:30:00+00:00".into(), "2026-11-30T18:29:59+00:00".into()))
        );
        assert_eq!(shown("2026-11-29"), Some(("2026-11-28T18:30:00+00:00".into(), "2026-11-29T18:29:59+00:00".into())));
        assert_eq!(shown("2026-11-30..2026-11-01"), None, "backwards");
        assert_eq!(shown("2026-11-30..nonsense"), None);
    }
}
