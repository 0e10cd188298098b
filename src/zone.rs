//! The agent's time zone: every time shown and every date typed is in it.
//! Each instant is converted with the offset in force at that instant, from
//! the IANA time-zone database (jiff: the system's copy, or the one built in
//! where the system has none), never with today's offset. A day is from one
//! local midnight to the next, so it may last 23 or 25 hours. Stored times,
//! JSON and CSV stay UTC.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use jiff::tz::TimeZone;

#[derive(Clone, PartialEq, Eq)]
pub struct Zone {
    tz: TimeZone,
    /// "Europe/Berlin", "UTC", or what the system calls its zone.
    name: String,
}

impl std::fmt::Debug for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

/// A zone name that is not in the database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {name:?}: use a name such as Europe/Berlin, America/New_York or UTC (or \"local\")")]
pub struct UnknownZone {
    pub name: String,
}

fn timestamp(at: DateTime<Utc>) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(at.timestamp_micros()).unwrap_or(if at.timestamp() < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

fn from_timestamp(at: jiff::Timestamp) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(at.as_microsecond()).unwrap_or_default()
}

impl Zone {
    pub fn utc() -> Zone {
        Zone { tz: TimeZone::UTC, name: "UTC".into() }
    }

    /// The system's zone (`TZ`, else `/etc/localtime`); UTC if it cannot be
    /// read.
    pub fn system() -> Zone {
        match TimeZone::try_system() {
            Ok(tz) => {
                let name = tz.iana_name().map(str::to_string).unwrap_or_else(|| "local time".into());
                Zone { tz, name }
            }
            Err(err) => {
                tracing::warn!("the system's time zone could not be read ({err}); times are shown in UTC");
                Zone::utc()
            }
        }
    }

    /// A zone by its IANA name ("Europe/Berlin", "UTC"); "local" is the
    /// system's.
    pub fn named(name: &str) -> Result<Zone, UnknownZone> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("local") {
            return Ok(Zone::system());
        }
        if name.eq_ignore_ascii_case("utc") || name.eq_ignore_ascii_case("z") {
            return Ok(Zone::utc());
        }
        match jiff::tz::db().get(name) {
            Ok(tz) => {
                let name = tz.iana_name().unwrap_or(name).to_string();
                Ok(Zone { tz, name })
            }
            Err(_) => Err(UnknownZone { name: name.chars().take(60).collect() }),
        }
    }

    /// A zone from the built-in copy of the database, whatever the system
    /// has: for tests that must not depend on the machine.
    pub fn bundled(name: &str) -> Option<Zone> {
        let tz = jiff::tz::TimeZoneDatabase::bundled().get(name).ok()?;
        Some(Zone { tz, name: name.to_string() })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Seconds east of UTC in force at that instant.
    pub fn offset_secs(&self, at: DateTime<Utc>) -> i32 {
        self.tz.to_offset(timestamp(at)).seconds()
    }

    /// The wall-clock time at that instant.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.naive_utc() + Duration::seconds(i64::from(self.offset_secs(at)))
    }

    /// The zone's abbreviation at that instant: "EDT", "CET", or "+0545"
    /// where the database has none.
    pub fn abbreviation(&self, at: DateTime<Utc>) -> String {
        self.tz.to_offset_info(timestamp(at)).abbreviation().to_string()
    }

    /// "UTC+01:00", "UTC-04:00", "UTC+05:45" at that instant.
    pub fn offset_words(&self, at: DateTime<Utc>) -> String {
        let offset = FixedOffset::east_opt(self.offset_secs(at)).map(|o| o.to_string()).unwrap_or_default();
        format!("UTC{offset}")
    }

    /// The local date of an instant.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local(at).date()
    }

    /// The first instant of a local day: midnight, or the end of a gap when
    /// the clocks skip midnight.
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        use chrono::Datelike;
        let start = jiff::civil::Date::new(
            i16::try_from(day.year()).unwrap_or(i16::MAX),
            i8::try_from(day.month()).unwrap_or(1),
            i8::try_from(day.day()).unwrap_or(1),
        )
        .and_then(|date| date.to_zoned_datetime(self.tz.clone()))
        .and_then(|zoned| zoned.start_of_day());
        match start {
            Ok(zoned) => from_timestamp(zoned.timestamp()),
            // Outside years -9999..=9999: as if the zone were UTC.
            Err(_) => day.and_time(chrono::NaiveTime::MIN).and_utc(),
        }
    }

    /// The local day an instant falls in, as its first instant and the next
    /// day's.
    pub fn day_around(&self, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let day = self.date_of(at);
        (self.start_of(day), self.start_of(day + Duration::days(1)))
    }

    /// A local time, formatted as chrono's `format` does.
    pub fn format(&self, at: DateTime<Utc>, pattern: &str) -> String {
        self.local(at).format(pattern).to_string()
    }

    /// "2026-10-18 10:21:37 EDT".
    pub fn stamp(&self, at: DateTime<Utc>) -> String {
        format!("{} {}", self.format(at, "%Y-%m-%d %H:%M:%S"), self.abbreviation(at))
    }

    /// "Europe/Berlin, UTC+01:00" at that instant.
    pub fn words(&self, at: DateTime<Utc>) -> String {
        format!("{}, {}", self.name, self.offset_words(at))
    }

    /// Every offset the zone has used since `since`, with when it began.
    pub fn offsets_since(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Vec<(DateTime<Utc>, i32)> {
        let mut offsets = vec![(since, self.offset_secs(since))];
        for transition in self.tz.following(timestamp(since)) {
            let at = from_timestamp(transition.timestamp());
            if at > until {
                break;
            }
            offsets.push((at, transition.offset().seconds()));
        }
        offsets
    }

    /// The names of every zone in the built-in database.
    pub fn bundled_names() -> Vec<String> {
        jiff::tz::TimeZoneDatabase::bundled().available().map(|name| name.as_str().to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        match DateTime::parse_from_rfc3339(text) {
            Ok(t) => t.with_timezone(&Utc),
            Err(err) => panic!("{text}: {err}"),
        }
    }

    fn zone(name: &str) -> Zone {
        Zone::bundled(name).unwrap_or_else(|| panic!("{name} is in the database"))
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn each_instant_gets_the_offset_in_force_then() {
        let new_york = zone("America/New_York");
        // The payment: made in October (EDT), looked at in November (EST).
        assert_eq!(new_york.stamp(at("2026-10-18T14:21:37Z")), "2026-10-18 10:21:37 EDT");
        assert_eq!(new_york.stamp(at("2026-11-30T14:21:37Z")), "2026-11-30 09:21:37 EST");
        // Around both changes (2026-03-08 and 2026-11-01, at 02:00 local).
        assert_eq!(new_york.stamp(at("2026-03-08T06:59:59Z")), "2026-03-08 01:59:59 EST");
        assert_eq!(new_york.stamp(at("2026-03-08T07:00:00Z")), "2026-03-08 03:00:00 EDT");
        assert_eq!(new_york.stamp(at("2026-11-01T05:59:59Z")), "2026-11-01 01:59:59 EDT");
        assert_eq!(new_york.stamp(at("2026-11-01T06:00:00Z")), "2026-11-01 01:00:00 EST");
        let berlin = zone("Europe/Berlin");
        // 2026-03-29 and 2026-10-25, at 01:00 UTC.
        assert_eq!(berlin.stamp(at("2026-03-29T00:59:59Z")), "2026-03-29 01:59:59 CET");
        assert_eq!(berlin.stamp(at("2026-03-29T01:00:00Z")), "2026-03-29 03:00:00 CEST");
        assert_eq!(berlin.stamp(at("2026-10-25T00:59:59Z")), "2026-10-25 02:59:59 CEST");
        assert_eq!(berlin.stamp(at("2026-10-25T01:00:00Z")), "2026-10-25 02:00:00 CET");
        assert_eq!(zone("Asia/Kolkata").stamp(at("2026-11-29T18:31:00Z")), "2026-11-30 00:01:00 IST");
        assert_eq!(zone("Asia/Kathmandu").format(at("2026-11-29T18:14:00Z"), "%Y-%m-%d %H:%M"), "2026-11-29 23:59");
        assert_eq!(zone("Asia/Kathmandu").offset_words(at("2026-11-29T18:14:00Z")), "UTC+05:45");
    }

    #[test]
    fn days_are_from_midnight_to_midnight_however_long() {
        let berlin = zone("Europe/Berlin");
        let long = berlin.start_of(day("2026-10-26")) - berlin.start_of(day("2026-10-25"));
        let short = berlin.start_of(day("2026-03-30")) - berlin.start_of(day("2026-03-29"));
        assert_eq!((long.num_hours(), short.num_hours()), (25, 23));
        let new_york = zone("America/New_York");
        assert_eq!(new_york.start_of(day("2026-11-01")), at("2026-11-01T04:00:00Z"));
        assert_eq!(new_york.start_of(day("2026-11-02")), at("2026-11-02T05:00:00Z"));
        assert_eq!(zone("Asia/Kolkata").start_of(day("2026-11-29")), at("2026-11-28T18:30:00Z"));
        // Where the clocks skip midnight, the day starts when they land.
        let santiago = zone("America/Santiago");
        let start = santiago.start_of(day("2026-09-06"));
        assert_eq!(santiago.format(start, "%H:%M"), "01:00");
        assert_eq!(
            berlin.day_around(at("2026-10-25T12:00:00Z")).1 - berlin.day_around(at("2026-10-25T12:00:00Z")).0,
            Duration::hours(25)
        );
    }

    /// The running totals are kept per UTC quarter hour: a local hour or
    /// day is whole slots only where the offset is whole quarter hours.
    /// Every zone of the database keeps to that from 1980 to 2100; two did
    /// not before (Africa/Monrovia at -0:44:30 until 1972, and
    /// Pacific/Kiritimati at -10:40 until 1979), which is why a report
    /// checks the offsets of its period and reads such one from the rows.
    #[test]
    fn every_zone_keeps_whole_quarter_hours_since_1980() {
        let (since, until) = (at("1980-01-01T00:00:00Z"), at("2100-01-01T00:00:00Z"));
        let names = Zone::bundled_names();
        assert!(names.len() > 400, "{} zones", names.len());
        let mut broken = Vec::new();
        for name in &names {
            let zone = zone(name);
            for (from, offset) in zone.offsets_since(since, until) {
                if offset % 900 != 0 {
                    broken.push(format!("{name} at {from}: {offset} s"));
                }
            }
        }
        assert_eq!(broken, Vec::<String>::new());
        let monrovia = zone("Africa/Monrovia").offsets_since(at("1970-01-01T00:00:00Z"), since);
        assert!(monrovia.iter().any(|(_, offset)| offset % 900 != 0), "the check can fail: {monrovia:?}");
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(Zone::named("utc").map(|z| z.name().to_string()), Ok("UTC".into()));
        assert!(Zone::named("Europe/Berlin").is_ok());
        let refused = Zone::named("Mars/Olympus");
        assert!(matches!(&refused, Err(e) if e.to_string().contains("Mars/Olympus")), "{refused:?}");
    }
}
