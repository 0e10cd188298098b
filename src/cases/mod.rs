//! Cases: what went wrong with a customer's order, computed from the
//! mirror. PIK has no such states; pik-tui holds the whole account, so it
//! can tell an underpaid order from a paid one.
//!
//! A case is one per payment link. What the store keeps for a link
//! ([`LinkFacts`]) depends on its rows alone, never on the clock or the
//! config, so it can be kept up to date as rows are written; [`judge`]
//! turns facts into a case with the thresholds and the time.

mod facts;
pub mod handling;
mod reply;
mod rules;
mod story;

pub use facts::{
    BALANCE_FOR, BalanceLink, LinkFacts, LinkSide, Order, balance_description, balance_for, balance_of, is_good,
};
pub use handling::{CaseAct, Handling};
pub use reply::{Replies, default_template, render as reply};
pub use rules::{CaseRules, Tolerance};
pub use story::{Moment, next_step, timeline};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// What went wrong, from the most specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseKind {
    /// Two or more payments on one link, each of the full amount.
    PaidTwice,
    Overpaid,
    Underpaid,
    /// A payment on a link that had expired or was deactivated.
    PaidLate,
    StuckPending,
    /// On chain, not credited.
    NotCredited,
    /// Failed attempts, and no payment after them.
    FailedNeverPaid,
}

impl CaseKind {
    pub const ALL: [CaseKind; 7] = [
        CaseKind::PaidTwice,
        CaseKind::Overpaid,
        CaseKind::Underpaid,
        CaseKind::PaidLate,
        CaseKind::StuckPending,
        CaseKind::NotCredited,
        CaseKind::FailedNeverPaid,
    ];

    /// The name typed in `case:…`, `--kind` and `[[alerts]] case = …`.
    pub fn name(self) -> &'static str {
        match self {
            CaseKind::PaidTwice => "paid-twice",
            CaseKind::Overpaid => "overpaid",
            CaseKind::Underpaid => "underpaid",
            CaseKind::PaidLate => "paid-late",
            CaseKind::StuckPending => "stuck-pending",
            CaseKind::NotCredited => "not-credited",
            CaseKind::FailedNeverPaid => "failed-never-paid",
        }
    }

    /// The kind in words, for a row.
    pub fn words(self) -> &'static str {
        match self {
            CaseKind::PaidTwice => "paid twice",
            CaseKind::Overpaid => "overpaid",
            CaseKind::Underpaid => "underpaid",
            CaseKind::PaidLate => "paid late",
            CaseKind::StuckPending => "stuck pending",
            CaseKind::NotCredited => "not credited",
            CaseKind::FailedNeverPaid => "failed, never paid",
        }
    }

    /// The kind in at most 13 columns, for a list.
    pub fn short(self) -> &'static str {
        match self {
            CaseKind::StuckPending => "stuck",
            CaseKind::FailedNeverPaid => "failed unpaid",
            kind => kind.words(),
        }
    }

    /// Reads a name, or the list's short words, with `_` or a space for `-`.
    pub fn parse(text: &str) -> Option<CaseKind> {
        let text = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        CaseKind::ALL.into_iter().find(|kind| kind.name() == text || kind.short().replace(' ', "-") == text)
    }

    /// The names, for a message that refuses another.
    pub fn names() -> String {
        CaseKind::ALL.map(CaseKind::name).join(", ")
    }
}

/// One link's case: its kind, every rule it meets, and the figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub link_id: String,
    pub kind: CaseKind,
    /// Every rule the link meets, the kind first.
    pub met: Vec<CaseKind>,
    pub currency: String,
    /// The link's amount; unknown while the link is not in the mirror.
    pub expected: Option<Decimal>,
    /// Confirmed and settled payments on the link, summed exactly.
    pub received: Decimal,
    /// Since when it is a case (for its age and "oldest first").
    pub since: DateTime<Utc>,
    pub description: Option<String>,
    /// Who claimed it, and when.
    pub claimed: Option<(String, DateTime<Utc>)>,
    /// Its resolution, while the payments are as they were then.
    pub resolved: Option<handling::Resolved>,
    /// Why a resolution no longer stands: the payments changed.
    pub reopened: Option<String>,
}

impl Case {
    /// The case as its handling leaves it: who claimed it, and whether its
    /// resolution stands on these facts.
    pub fn handled(mut self, handling: Option<&Handling>, facts: &LinkFacts) -> Case {
        if let Some(handling) = handling {
            self.claimed = handling.claimed.clone();
            self.resolved = handling.resolved_now(Some(facts)).cloned();
            self.reopened = handling.reopened_because(Some(facts));
        }
        self
    }

    /// Received less expected: negative when short.
    pub fn difference(&self) -> Option<Decimal> {
        self.expected.map(|expected| self.received - expected)
    }

    /// What is missing, when short.
    pub fn missing(&self) -> Option<Decimal> {
        self.difference().filter(|d| d.is_sign_negative() && !d.is_zero()).map(|d| -d)
    }
}

/// The case of one link, if it has one now.
pub fn judge(facts: &LinkFacts, rules: &CaseRules, now: DateTime<Utc>) -> Option<Case> {
    let met = rules::met(facts, rules, now);
    let (kind, since) = met.first().copied()?;
    Some(Case {
        link_id: facts.link_id.clone(),
        kind,
        met: met.iter().map(|(kind, _)| *kind).collect(),
        currency: facts.currency.clone(),
        expected: facts.link.as_ref().map(|link| link.amount),
        received: facts.received,
        since,
        description: facts.link.as_ref().and_then(|link| link.description.clone()),
        claimed: None,
        resolved: None,
        reopened: None,
    })
}

#[cfg(test)]
mod tests;
