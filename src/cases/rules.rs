//! The rules, with the thresholds of `[cases]`: each checks a link's facts
//! at a time. Both backends keep the same facts, so they run the same rules.

use super::{CaseKind, LinkFacts};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// How far an amount may be off and still count as paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tolerance {
    Amount(Decimal),
    /// A share of the link's amount, in percent.
    Percent(Decimal),
}

impl Tolerance {
    /// "0.01" or "0.5%"; never negative.
    pub fn parse(text: &str) -> Result<Tolerance, String> {
        let text = text.trim();
        let (number, percent) = match text.strip_suffix('%') {
            Some(number) => (number.trim(), true),
            None => (text, false),
        };
        let value: Decimal = number
            .parse()
            .map_err(|_| format!("a tolerance is an amount or a percentage (\"0.01\", \"0.5%\"), not {text:?}"))?;
        if value.is_sign_negative() {
            return Err(format!("a tolerance is never negative: {text:?}"));
        }
        if percent && value > Decimal::ONE_HUNDRED {
            return Err(format!("a tolerance of more than 100% is no tolerance: {text:?}"));
        }
        Ok(if percent { Tolerance::Percent(value) } else { Tolerance::Amount(value) })
    }

    /// The amount it allows on a link of `amount`.
    pub fn of(self, amount: Decimal) -> Decimal {
        match self {
            Tolerance::Amount(value) => value,
            Tolerance::Percent(percent) => amount.saturating_mul(percent) / Decimal::ONE_HUNDRED,
        }
    }
}

/// The thresholds of `[cases]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRules {
    /// For currencies not named in `per_currency`.
    pub tolerance: Tolerance,
    pub per_currency: BTreeMap<String, Tolerance>,
    /// A payment pending longer than this is stuck.
    pub pending_after: Duration,
    /// Confirmed, not settled this long after: not credited.
    pub credit_after: Duration,
    /// Failures with no payment after them, this long after the last one
    /// (at once when the link expired).
    pub failed_after: Duration,
}

impl Default for CaseRules {
    fn default() -> Self {
        CaseRules {
            tolerance: Tolerance::Amount(Decimal::ZERO),
            per_currency: BTreeMap::new(),
            pending_after: Duration::minutes(30),
            credit_after: Duration::hours(2),
            failed_after: Duration::hours(1),
        }
    }
}

impl CaseRules {
    /// The rules of `[cases]`' lines (line, key, value) over the defaults;
    /// a bad line is refused with its number.
    pub fn from_lines<'a>(
        lines: impl IntoIterator<Item = (usize, &'a str, &'a str)>,
    ) -> Result<CaseRules, (usize, String)> {
        let mut rules = CaseRules::default();
        for (line, key, value) in lines {
            let refuse = |message: String| (line, message);
            let duration = || {
                humantime::parse_duration(value.trim())
                    .ok()
                    .and_then(|d| Duration::from_std(d).ok())
                    .filter(|d| *d > Duration::zero())
                    .ok_or_else(|| refuse(format!("{key} {value:?} is not a duration such as \"30m\" or \"2h\"")))
            };
            match key {
                "pending_after" => rules.pending_after = duration()?,
                "credit_after" => rules.credit_after = duration()?,
                "failed_after" => rules.failed_after = duration()?,
                key => {
                    let currency = key.strip_prefix("tolerance.").unwrap_or(key);
                    let tolerance =
                        Tolerance::parse(value).map_err(|e| refuse(format!("tolerance of {currency}: {e}")))?;
                    if currency.eq_ignore_ascii_case("default") {
                        rules.tolerance = tolerance;
                    } else {
                        rules.per_currency.insert(currency.to_ascii_uppercase(), tolerance);
                    }
                }
            }
        }
        Ok(rules)
    }

    /// What an amount of `currency` may be off by on a link of `amount`.
    pub fn tolerance(&self, currency: &str, amount: Decimal) -> Decimal {
        self.per_currency.get(currency).copied().unwrap_or(self.tolerance).of(amount)
    }
}

/// Every rule a link meets now, with since when, the most specific first.
pub(super) fn met(facts: &LinkFacts, rules: &CaseRules, now: DateTime<Utc>) -> Vec<(CaseKind, DateTime<Utc>)> {
    let mut met = Vec::new();
    let paid_since = facts.first_good_at;
    if let (Some(link), Some(since)) = (&facts.link, paid_since) {
        let tolerance = rules.tolerance(&facts.currency, link.amount);
        let full = |amount: Decimal| amount.saturating_add(tolerance) >= link.amount;
        if facts.good >= 2 && facts.smallest_good.is_some_and(full) {
            met.push((CaseKind::PaidTwice, since));
        }
        if facts.received > link.amount.saturating_add(tolerance) {
            met.push((CaseKind::Overpaid, since));
        }
        // A balance link paid makes up for what was missing.
        let made_up = facts.balance.as_ref().is_some_and(|b| b.paid);
        if facts.received.saturating_add(tolerance) < link.amount && !made_up {
            met.push((CaseKind::Underpaid, since));
        }
        if facts.link_closed() {
            met.push((CaseKind::PaidLate, since));
        }
    }
    if let Some(since) = facts.pending_since.filter(|at| now - *at > rules.pending_after) {
        met.push((CaseKind::StuckPending, since));
    }
    if let Some(since) = facts.confirmed_since.filter(|at| now - *at > rules.credit_after) {
        met.push((CaseKind::NotCredited, since));
    }
    if let Some(failed) = facts.failed_at
        && (facts.link_closed() || now - failed > rules.failed_after)
        && facts.good == 0
    {
        met.push((CaseKind::FailedNeverPaid, failed));
    }
    met
}
