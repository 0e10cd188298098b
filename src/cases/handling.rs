//! A team's handling of cases: claims, releases, resolutions, reopenings
//! and notes, each an act of the audit log (`audit::Act`) about the
//! order's link. What a case's handling is now is read from those acts,
//! oldest first ([`Handling::of`]); whether an act may be taken is decided
//! from them too ([`Handling::allows`]), in the store's transaction, so two
//! agents acting at once are ordered and neither act is lost.

use super::LinkFacts;
use crate::audit::{Act, DONE};
use crate::human::age_words;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What an agent does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseAct {
    Claim,
    Release,
    Resolve,
    Reopen,
    Note,
}

impl CaseAct {
    pub const ALL: [CaseAct; 5] = [CaseAct::Claim, CaseAct::Release, CaseAct::Resolve, CaseAct::Reopen, CaseAct::Note];

    /// The act as the audit log names it.
    pub fn name(self) -> &'static str {
        match self {
            CaseAct::Claim => "claimed the case",
            CaseAct::Release => "released the case",
            CaseAct::Resolve => "resolved the case",
            CaseAct::Reopen => "reopened the case",
            CaseAct::Note => "noted on the case",
        }
    }

    /// What was done, in a word: "claimed".
    pub fn past(self) -> &'static str {
        match self {
            CaseAct::Claim => "claimed",
            CaseAct::Release => "released",
            CaseAct::Resolve => "resolved",
            CaseAct::Reopen => "reopened",
            CaseAct::Note => "noted",
        }
    }

    pub fn parse(name: &str) -> Option<CaseAct> {
        CaseAct::ALL.into_iter().find(|act| act.name() == name)
    }
}

/// The longest note kept, in characters: a note is a few lines, and a
/// pasted log belongs elsewhere.
pub const NOTE_LIMIT: usize = 4_000;
/// The longest reason for a resolution, in characters: one line.
pub const REASON_LIMIT: usize = 200;

/// The order's payments as they stood when the case was resolved: when
/// they change, the case opens again by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    pub good: u32,
    #[serde(with = "rust_decimal::serde::str")]
    pub received: Decimal,
    pub pending_since: Option<DateTime<Utc>>,
    pub confirmed_since: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
}

impl Basis {
    pub fn of(facts: &LinkFacts) -> Basis {
        Basis {
            good: facts.good,
            received: facts.received,
            pending_since: facts.pending_since,
            confirmed_since: facts.confirmed_since,
            failed_at: facts.failed_at,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// What changed from this basis to `now`, in words; `None` when nothing did.
    pub fn changes(&self, now: &Basis, currency: &str) -> Option<String> {
        let mut changed = Vec::new();
        if self.good != now.good || self.received != now.received {
            changed.push(format!(
                "received {} → {} {currency} ({} → {} payments on chain)",
                self.received.normalize(),
                now.received.normalize(),
                self.good,
                now.good
            ));
        }
        if self.pending_since != now.pending_since {
            changed
                .push(if now.pending_since.is_some() { "a payment under way" } else { "no payment under way" }.into());
        }
        if self.confirmed_since != now.confirmed_since {
            changed.push(
                if now.confirmed_since.is_some() {
                    "a payment confirmed, not credited"
                } else {
                    "no payment waiting for credit"
                }
                .into(),
            );
        }
        if self.failed_at != now.failed_at {
            changed.push("a failed attempt".into());
        }
        (!changed.is_empty()).then(|| changed.join("; "))
    }
}

/// A resolution standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: String,
    pub basis: Option<Basis>,
}

/// A case's handling now, from its acts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handling {
    /// Who claimed it, and when.
    pub claimed: Option<(String, DateTime<Utc>)>,
    pub resolved: Option<Resolved>,
    /// Notes, oldest first: who, when, what.
    pub notes: Vec<(String, DateTime<Utc>, String)>,
}

impl Handling {
    /// The handling the acts about one order leave, taken oldest first; acts
    /// not done (refused, failed) change nothing.
    pub fn of<'a>(acts: impl IntoIterator<Item = &'a Act>) -> Handling {
        let mut handling = Handling::default();
        for act in acts {
            if act.outcome != DONE {
                continue;
            }
            match CaseAct::parse(&act.act) {
                Some(CaseAct::Claim) => handling.claimed = Some((act.agent.clone(), act.at)),
                Some(CaseAct::Release) => handling.claimed = None,
                Some(CaseAct::Resolve) => {
                    handling.resolved = Some(Resolved {
                        by: act.agent.clone(),
                        at: act.at,
                        reason: act.detail.clone(),
                        basis: act.basis.as_deref().and_then(|b| serde_json::from_str(b).ok()),
                    })
                }
                Some(CaseAct::Reopen) => handling.resolved = None,
                Some(CaseAct::Note) => handling.notes.push((act.agent.clone(), act.at, act.detail.clone())),
                None => {}
            }
        }
        handling
    }

    /// The resolution, while the order's payments are as they were when it
    /// was made: a resolved case whose payments changed is open again.
    pub fn resolved_now(&self, facts: Option<&LinkFacts>) -> Option<&Resolved> {
        self.resolved.as_ref().filter(|resolved| self.reopened_by(resolved, facts).is_none())
    }

    /// Why a resolution no longer stands, in words: the payments changed.
    pub fn reopened_because(&self, facts: Option<&LinkFacts>) -> Option<String> {
        self.resolved.as_ref().and_then(|resolved| self.reopened_by(resolved, facts))
    }

    fn reopened_by(&self, resolved: &Resolved, facts: Option<&LinkFacts>) -> Option<String> {
        let (basis, facts) = (resolved.basis.as_ref()?, facts?);
        basis.changes(&Basis::of(facts), &facts.currency)
    }

    /// Whether `agent` may take `act` now; what stands in the way, in words,
    /// when not.
    pub fn allows(
        &self,
        act: CaseAct,
        agent: &str,
        facts: Option<&LinkFacts>,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        // Seconds count here: "claimed by alice 3 s ago" is why a claim lost.
        let ago = |at: DateTime<Utc>| match (now - at).num_seconds() {
            seconds @ 0..60 => format!("{seconds} s ago"),
            _ => age_words(now - at),
        };
        match act {
            CaseAct::Claim => match &self.claimed {
                Some((by, at)) if by == agent => Err(format!("you claimed it {}", ago(*at))),
                Some((by, at)) => Err(format!("claimed by {by} {}", ago(*at))),
                None => Ok(()),
            },
            // Another's claim is theirs to give up: never taken from them.
            CaseAct::Release => match &self.claimed {
                Some((by, _)) if by == agent => Ok(()),
                Some((by, at)) => Err(format!("claimed by {by} {}: only they release it", ago(*at))),
                None => Err("it is not claimed".into()),
            },
            CaseAct::Resolve => match self.resolved_now(facts) {
                Some(resolved) => Err(format!("resolved by {} {}: {}", resolved.by, ago(resolved.at), resolved.reason)),
                None => Ok(()),
            },
            CaseAct::Reopen => match self.resolved_now(facts) {
                Some(_) => Ok(()),
                None => Err("it is not resolved".into()),
            },
            CaseAct::Note => Ok(()),
        }
    }
}

/// A reason or a note as typed, checked: not empty, not over its limit, a
/// reason on one line. Kept as typed (it is cleaned when shown).
pub fn checked_text(act: CaseAct, text: &str) -> Result<String, String> {
    let text = text.trim();
    let (limit, what) = match act {
        CaseAct::Resolve => (REASON_LIMIT, "a reason"),
        _ => (NOTE_LIMIT, "a note"),
    };
    if text.is_empty() {
        return Err(format!("{what} is needed"));
    }
    let length = text.chars().count();
    if length > limit {
        return Err(format!("{what} is at most {limit} characters; this one has {length}"));
    }
    if act == CaseAct::Resolve && text.contains(['\n', '\r']) {
        return Err("a reason is one line".into());
    }
    Ok(text.to_string())
}

/// Every case's handling, from the acts on cases (oldest first), by link.
pub fn by_link(acts: &[Act]) -> BTreeMap<String, Handling> {
    let mut grouped: BTreeMap<String, Vec<&Act>> = BTreeMap::new();
    for act in acts {
        if let Some(subject) = &act.subject {
            grouped.entry(subject.clone()).or_default().push(act);
        }
    }
    grouped.into_iter().map(|(link, acts)| (link, Handling::of(acts))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::t0;
    use chrono::Duration;

    fn act(agent: &str, what: CaseAct, seconds_ago: i64, detail: &str) -> Act {
        Act::new(t0() - Duration::seconds(seconds_ago), agent, None, what.name(), Some("pl_order"), detail.into())
    }

    fn facts(received: &str, good: u32) -> LinkFacts {
        let link = crate::api::PaymentLink {
            amount: crate::test_support::dec("75"),
            currency: "USDT".into(),
            ..crate::test_support::link("pl_order")
        };
        let payments: Vec<_> = (0..good)
            .map(|n| crate::api::Transaction {
                payment_link_id: Some("pl_order".into()),
                amount: crate::test_support::dec(received) / rust_decimal::Decimal::from(good),
                status: crate::api::TransactionStatus::Settled,
                ..crate::test_support::txn(&format!("txn_{n}"))
            })
            .collect();
        LinkFacts::of("pl_order", Some(&link), &payments, None)
    }

    #[test]
    fn a_second_claim_is_told_who_has_it_and_when() {
        let handling = Handling::of(&[act("alice", CaseAct::Claim, 3, "")]);
        assert_eq!(handling.claimed.as_ref().map(|(by, _)| by.as_str()), Some("alice"));
        assert_eq!(handling.allows(CaseAct::Claim, "bob", None, t0()), Err("claimed by alice 3 s ago".into()));
        assert_eq!(handling.allows(CaseAct::Claim, "alice", None, t0()), Err("you claimed it 3 s ago".into()));
        assert_eq!(
            handling.allows(CaseAct::Release, "bob", None, t0()),
            Err("claimed by alice 3 s ago: only they release it".into())
        );
        assert_eq!(handling.allows(CaseAct::Release, "alice", None, t0()), Ok(()));
        let released = Handling::of(&[act("alice", CaseAct::Claim, 30, ""), act("alice", CaseAct::Release, 20, "")]);
        assert_eq!(released.claimed, None);
        assert_eq!(released.allows(CaseAct::Claim, "bob", None, t0()), Ok(()));
        assert_eq!(released.allows(CaseAct::Release, "alice", None, t0()), Err("it is not claimed".into()));
        // An act that did not go through changes nothing.
        let refused = Act { outcome: "refused: claimed by alice".into(), ..act("bob", CaseAct::Claim, 1, "") };
        assert_eq!(
            Handling::of(&[act("alice", CaseAct::Claim, 3, ""), refused]).claimed.map(|c| c.0),
            Some("alice".into())
        );
    }

    #[test]
    fn a_resolution_stands_until_the_payments_change() {
        let short = facts("74.10", 1);
        let resolve = Act {
            basis: Some(Basis::of(&short).to_json()),
            ..act("bob", CaseAct::Resolve, 60, "customer accepted the shortfall")
        };
        let handling = Handling::of(std::slice::from_ref(&resolve));
        assert_eq!(
            handling.resolved_now(Some(&short)).map(|r| r.reason.as_str()),
            Some("customer accepted the shortfall")
        );
        assert_eq!(handling.reopened_because(Some(&short)), None);
        assert!(
            handling
                .allows(CaseAct::Resolve, "alice", Some(&short), t0())
                .is_err_and(|e| e.starts_with("resolved by bob"))
        );
        assert_eq!(handling.allows(CaseAct::Reopen, "alice", Some(&short), t0()), Ok(()));
        // A second payment: open again, saying why.
        let paid_more = facts("75.00", 2);
        assert_eq!(handling.resolved_now(Some(&paid_more)), None);
        let why = handling.reopened_because(Some(&paid_more));
        assert_eq!(why.as_deref(), Some("received 74.1 → 75 USDT (1 → 2 payments on chain)"));
        assert_eq!(handling.allows(CaseAct::Reopen, "alice", Some(&paid_more), t0()), Err("it is not resolved".into()));
        // Reopened by hand.
        let reopened = Handling::of(&[resolve, act("alice", CaseAct::Reopen, 10, "")]);
        assert_eq!(reopened.resolved_now(Some(&short)), None);
    }

    #[test]
    fn reasons_and_notes_are_checked_and_kept_as_typed() {
        assert_eq!(checked_text(CaseAct::Resolve, "  refunded outside PIK "), Ok("refunded outside PIK".into()));
        assert_eq!(checked_text(CaseAct::Resolve, " "), Err("a reason is needed".into()));
        assert_eq!(checked_text(CaseAct::Resolve, "two\nlines"), Err("a reason is one line".into()));
        let long = "x".repeat(100_000);
        assert_eq!(
            checked_text(CaseAct::Note, &long),
            Err("a note is at most 4000 characters; this one has 100000".into())
        );
        // Controls and bidi are kept as text; the screen cleans them.
        let hostile = "called\u{1b}[2J back \u{202e}gnp.exe";
        assert_eq!(checked_text(CaseAct::Note, hostile), Ok(hostile.to_string()));
        assert_eq!(checked_text(CaseAct::Note, "line one\nline two"), Ok("line one\nline two".into()));
    }

    #[test]
    fn notes_are_kept_in_order_by_link() {
        let other = Act { subject: Some("pl_other".into()), ..act("bob", CaseAct::Note, 5, "elsewhere") };
        let acts = [act("alice", CaseAct::Note, 50, "first"), other, act("bob", CaseAct::Note, 40, "second")];
        let by = by_link(&acts);
        let notes: Vec<&str> = by["pl_order"].notes.iter().map(|(_, _, text)| text.as_str()).collect();
        assert_eq!(notes, ["first", "second"]);
        assert_eq!(by["pl_other"].notes.len(), 1);
    }
}
