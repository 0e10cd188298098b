//! Reconciliation reports: totals of the payments whose creation,
//! confirmation or settlement time falls in a period, by currency and
//! status (and by the agent's local day), exact, never added across
//! currencies. By creation, whole 15-minute slots come from the running
//! totals and the parts of slots at either edge from the rows, so any
//! `from` and `to` are exact; by confirmation or settlement, the rows are
//! read through their time's index.

use super::query::DateField;
use super::rollups::SLOT_SECS;
use super::rows;
use crate::zone::Zone;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    /// Both ends inclusive (to the microsecond).
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Which of a payment's times must fall in the period.
    pub date: DateField,
    /// Lines per local day of this zone; none: per currency and status only.
    pub by_day: Option<Zone>,
}

/// One line of a reconciliation report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportLine {
    /// The local day, when reporting by day.
    pub day: Option<NaiveDate>,
    pub currency: String,
    pub status: String,
    pub count: u64,
    pub amount: Decimal,
}

/// A part of the period read from the rows: sort keys and times, in
/// microseconds, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub key_low: i64,
    pub key_high: i64,
    pub low: i64,
    pub high: i64,
}

/// Which parts of a report come from the running totals (whole 15-minute
/// slots of creation) and which from the rows.
pub struct ReportPlan {
    pub whole_slots: Option<(i64, i64)>,
    edges: Vec<(i64, i64)>,
    date: DateField,
}

impl ReportPlan {
    pub fn new(query: &ReportQuery) -> ReportPlan {
        let (from_micros, to_micros) = (rows::micros(query.from), rows::micros(query.to));
        // Slots are UTC quarter hours: a local day is whole slots only where
        // the zone's offset is whole quarter hours (every zone since 1980).
        let slots_fit = query
            .by_day
            .as_ref()
            .is_none_or(|zone| zone.offsets_since(query.from, query.to).iter().all(|(_, secs)| secs % 900 == 0));
        let rows_only = ReportPlan { whole_slots: None, edges: vec![(from_micros, to_micros)], date: query.date };
        if query.date != DateField::Created || !slots_fit {
            return rows_only;
        }
        let slot_micros = SLOT_SECS * 1_000_000;
        let first_whole = from_micros.div_euclid(slot_micros) + i64::from(from_micros.rem_euclid(slot_micros) != 0);
        let last_whole = (to_micros + 1).div_euclid(slot_micros) - 1;
        if first_whole > last_whole {
            return rows_only;
        }
        let edges = vec![(from_micros, first_whole * slot_micros - 1), ((last_whole + 1) * slot_micros, to_micros)];
        ReportPlan { whole_slots: Some((first_whole, last_whole)), edges, date: query.date }
    }

    /// The parts to read from the rows.
    pub fn edges(&self) -> impl Iterator<Item = Edge> + '_ {
        self.edges.iter().filter(|(low, high)| low <= high).map(|&(low, high)| {
            // A payment is confirmed and settled after it was created:
            // nothing created after the period's end can count.
            let from = (self.date == DateField::Created).then(|| rows::from_micros(low));
            let (key_low, key_high) = rows::key_range(from, Some(rows::from_micros(high)));
            Edge { key_low, key_high, low, high }
        })
    }

    /// The SQL that reads an edge's rows, its four values numbered with
    /// `sign` (`?` for SQLite, `$` for PostgreSQL): the time that counts,
    /// currency, status, amount.
    pub fn rows_sql(&self, sign: char) -> String {
        let column = match self.date {
            DateField::Created => "created_at",
            DateField::Confirmed => "confirmed_at",
            DateField::Settled => "settled_at",
        };
        format!(
            "SELECT {column}, currency, status, amount FROM transactions \
             WHERE sort_key BETWEEN {sign}1 AND {sign}2 AND {column} BETWEEN {sign}3 AND {sign}4"
        )
    }
}

/// A report's lines as they add up.
pub struct ReportLines {
    by_day: Option<Zone>,
    lines: BTreeMap<(Option<NaiveDate>, String, String), (u64, Decimal)>,
}

impl ReportLines {
    pub fn new(by_day: Option<Zone>) -> ReportLines {
        ReportLines { by_day, lines: BTreeMap::new() }
    }

    fn add(&mut self, at: DateTime<Utc>, currency: String, status: String, count: i64, amount: Decimal) {
        let day = self.by_day.as_ref().map(|zone| zone.date_of(at));
        let entry = self.lines.entry((day, currency, status)).or_insert((0, Decimal::ZERO));
        entry.0 = entry.0.saturating_add_signed(count);
        entry.1 = entry.1.saturating_add(amount);
    }

    /// A rollup row of a whole slot.
    pub fn slot(&mut self, slot: i64, currency: String, status: String, count: i64, amount: Decimal) {
        let at = DateTime::<Utc>::from_timestamp(slot * SLOT_SECS, 0).unwrap_or_default();
        self.add(at, currency, status, count, amount);
    }

    /// A payment read from the rows (its time that counts, in microseconds).
    pub fn row(&mut self, at: i64, currency: String, status: String, amount: Decimal) {
        self.add(rows::from_micros(at), currency, status, 1, amount);
    }

    pub fn finish(self) -> Vec<ReportLine> {
        self.lines
            .into_iter()
            .filter(|(_, (count, _))| *count > 0)
            .map(|((day, currency, status), (count, amount))| ReportLine { day, currency, status, count, amount })
            .collect()
    }
}
