//! The overview's figures, read from the rollups (a few thousand small rows
//! whatever the account's size), and the cases, judged from the facts the
//! store keeps. The clock and the thresholds are passed in.

use super::rollups::{SLOT_SECS, slot};
use crate::api::Webhook;
use crate::cases::{Case, CaseRules};
use crate::zone::Zone;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The width of a bar of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Hour,
    Day,
}

impl Step {
    pub fn duration(self) -> Duration {
        match self {
            Step::Hour => Duration::hours(1),
            Step::Day => Duration::days(1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewQuery {
    /// The period: from its start (a local midnight, in UTC) to its end
    /// (the local midnight after its last day), exclusive.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// For the cases' thresholds, and where the chart ends.
    pub now: DateTime<Utc>,
    pub step: Step,
    /// Where each of the chart's bars starts (local hours or local days:
    /// a day may have 23 or 25 hours); the last ends at `to`.
    pub bars: Vec<DateTime<Utc>>,
    /// The chart's currency; the one with the most settled payments when
    /// not given or not found.
    pub chart_currency: Option<String>,
    pub rules: CaseRules,
    /// The cases' handling (filled in by the store from its record): a
    /// resolved case needs no attention.
    pub handling: std::collections::BTreeMap<String, crate::cases::Handling>,
    /// Which cases, by their handling.
    pub handled: super::cases::Handled,
}

impl OverviewQuery {
    /// The local days `first..=last` of `zone`, charted a bar an hour or a
    /// bar a day.
    pub fn days(
        zone: &Zone,
        (first, last): (NaiveDate, NaiveDate),
        now: DateTime<Utc>,
        step: Step,
        rules: CaseRules,
    ) -> OverviewQuery {
        let from = zone.start_of(first);
        let to = zone.start_of(last + Duration::days(1)).max(from);
        let bars = match step {
            // The zone's offset may change inside a day: the hours are
            // counted from its start, so a day has 23, 24 or 25 of them.
            Step::Hour => {
                let hours = (to - from).num_hours().max(1);
                (0..hours).map(|h| from + Duration::hours(h)).collect()
            }
            Step::Day => first.iter_days().take_while(|d| *d <= last).map(|d| zone.start_of(d)).collect(),
        };
        OverviewQuery {
            from,
            to,
            now,
            step,
            bars,
            chart_currency: None,
            rules,
            handling: Default::default(),
            handled: Default::default(),
        }
    }
}

/// A count and an exact sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figure {
    pub count: u64,
    pub amount: Decimal,
}

impl Figure {
    fn add(&mut self, count: i64, amount: Decimal) {
        self.count = self.count.saturating_add_signed(count);
        self.amount = self.amount.saturating_add(amount);
    }
}

/// One currency's money in the period. Currencies are never added together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrencyFigures {
    pub currency: String,
    /// Credited in the period (by the time it settled): what came in.
    pub settled: Figure,
    /// Payments made in the period, by where they stand now: on chain, not
    /// yet credited; still pending; failed.
    pub confirmed: Figure,
    pub pending: Figure,
    pub failed: Figure,
    /// Links created in the period, and links paid in it.
    pub links_created: u64,
    pub links_paid: u64,
}

impl CurrencyFigures {
    pub fn is_empty(&self) -> bool {
        [self.settled, self.confirmed, self.pending, self.failed].iter().all(|f| f.count == 0)
            && self.links_created == 0
            && self.links_paid == 0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub money: Vec<CurrencyFigures>,
    pub chart_currency: Option<String>,
    /// (start of the bar, settled volume), from the period's start to now.
    pub chart: Vec<(DateTime<Utc>, Decimal)>,
    /// What went wrong with orders, the oldest first.
    pub cases: Vec<Case>,
    /// Webhook endpoints PIK has disabled: the account's own case.
    pub disabled: Vec<Webhook>,
}

/// The money of a period, gathered from the rollups' rows (whichever
/// backend read them).
#[derive(Debug, Default)]
pub struct Money(BTreeMap<String, CurrencyFigures>);

impl Money {
    fn entry(&mut self, currency: String) -> &mut CurrencyFigures {
        self.0.entry(currency.clone()).or_insert_with(|| CurrencyFigures { currency, ..Default::default() })
    }

    /// A row of transaction totals by creation slot.
    pub fn transactions(&mut self, currency: String, status: &str, count: i64, amount: Decimal) {
        let figures = self.entry(currency);
        let figure = match status {
            "confirmed" => &mut figures.confirmed,
            "pending" => &mut figures.pending,
            "failed" => &mut figures.failed,
            _ => return,
        };
        figure.add(count, amount);
    }

    /// A row of settled totals by settlement slot.
    pub fn settled(&mut self, currency: String, count: i64, amount: Decimal) {
        self.entry(currency).settled.add(count, amount);
    }

    /// A currency's links created and paid in the period.
    pub fn links(&mut self, currency: String, created: i64, paid: i64) {
        let figures = self.entry(currency);
        figures.links_created = u64::try_from(created).unwrap_or(0);
        figures.links_paid = u64::try_from(paid).unwrap_or(0);
    }

    /// The figures worth showing, and the chart's currency: the one asked
    /// for if it has figures, else the one with the most settled payments.
    pub fn finish(self, query: &OverviewQuery) -> (Vec<CurrencyFigures>, Option<String>) {
        // A total moved to zero (every payment of it moved on) is no figure.
        let money: Vec<CurrencyFigures> = self.0.into_values().filter(|m| !m.is_empty()).collect();
        let chart_currency = query
            .chart_currency
            .clone()
            .filter(|c| money.iter().any(|m| &m.currency == c))
            .or_else(|| {
                money.iter().filter(|m| m.settled.count > 0).max_by_key(|m| m.settled.count).map(|m| m.currency.clone())
            })
            .or_else(|| money.first().map(|m| m.currency.clone()));
        (money, chart_currency)
    }
}

/// The slots of the period (its end is exclusive).
pub fn slot_range(query: &OverviewQuery) -> (i64, i64) {
    (slot(query.from), slot(query.to - Duration::microseconds(1)))
}

/// The settlement slots the chart reads: from the period's start to now
/// (or its end, for a period that is over).
pub fn chart_slots(query: &OverviewQuery) -> (i64, i64) {
    (slot(query.from), slot(query.now.min(query.to - Duration::microseconds(1))))
}

/// The chart's bars from (slot, settled amount) rows: each slot goes to the
/// bar it starts in (bars start on local hours, whole slots).
pub fn chart_bars(query: &OverviewQuery, settled: Vec<(i64, Decimal)>) -> Vec<(DateTime<Utc>, Decimal)> {
    let mut bars: Vec<(DateTime<Utc>, Decimal)> = query.bars.iter().map(|start| (*start, Decimal::ZERO)).collect();
    for (at, amount) in settled {
        let start = DateTime::<Utc>::from_timestamp(at * SLOT_SECS, 0).unwrap_or_default();
        if start < query.from || start >= query.to {
            continue;
        }
        let bar = bars.partition_point(|(bar_start, _)| *bar_start <= start);
        if let Some((_, sum)) = bar.checked_sub(1).and_then(|i| bars.get_mut(i)) {
            *sum = sum.saturating_add(amount);
        }
    }
    bars
}

/// The cases of the facts kept, for the Overview: every kind, the oldest first.
pub fn cases(facts: Vec<crate::cases::LinkFacts>, query: &OverviewQuery) -> Vec<Case> {
    let cases = super::cases::CaseQuery {
        rules: query.rules.clone(),
        now: query.now,
        kind: None,
        order: super::cases::CaseOrder::Oldest,
        handled: query.handled.clone(),
    };
    super::cases::list(facts, &cases, &query.handling)
}
