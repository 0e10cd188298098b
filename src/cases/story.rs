//! A case told in words: what went wrong and the next step, and the
//! story of the order as a timeline. Plain text from PIK's fields; the
//! caller cleans it for where it goes (a terminal, a clipboard).

use super::{Case, CaseKind, LinkFacts, Order};
use crate::api::{EventEnvelope, LinkStatus, TransactionStatus};
use crate::human::age_words;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Two amounts of one order written alike: "74.10 of 75.00", not "74.1 of 75".
fn alike(a: Decimal, b: Decimal) -> (String, String) {
    let scale = a.scale().max(b.scale());
    let write = |d: Decimal| {
        let mut d = d;
        d.rescale(scale);
        d.to_string()
    };
    (write(a), write(b))
}

/// What went wrong and what to do, in plain words.
pub fn next_step(case: &Case, facts: &LinkFacts, now: DateTime<Utc>) -> String {
    let currency = &case.currency;
    let Some(expected) = case.expected else {
        return format!(
            "{} The link {} is not in the mirror yet, so its amount is not known: it is being fetched.",
            time_words(case, now),
            case.link_id
        );
    };
    let (received, wanted) = alike(case.received, expected);
    let difference = (case.received - expected).abs();
    let (difference, _) = alike(difference, expected);
    match case.kind {
        CaseKind::Underpaid => format!(
            "Customer sent {received} of {wanted} {currency}: {difference} missing. \
             Send a balance link, or accept the shortfall."
        ),
        CaseKind::Overpaid => format!(
            "Customer sent {received} of {wanted} {currency}: {difference} over. \
             Refund the difference outside PIK, or keep it as credit."
        ),
        CaseKind::PaidTwice => {
            format!("Paid {} times: {difference} {currency} over. Refund the extra payment outside PIK.", facts.good)
        }
        CaseKind::PaidLate => {
            let how = match facts.link.as_ref().map(|l| &l.status) {
                Some(LinkStatus::Deactivated) => "was deactivated",
                _ => "expired",
            };
            format!(
                "Paid after the link {how}: {received} {currency} received. \
                 Deliver the order, or refund it outside PIK."
            )
        }
        CaseKind::StuckPending | CaseKind::NotCredited | CaseKind::FailedNeverPaid => time_words(case, now),
    }
}

/// The words of the kinds that are about time.
fn time_words(case: &Case, now: DateTime<Utc>) -> String {
    let age = age_words(now - case.since);
    match case.kind {
        CaseKind::StuckPending => format!(
            "Pending, started {age}: not on chain yet. Ask the customer for the transaction hash; \
             the payment may still confirm, or fail."
        ),
        CaseKind::NotCredited => {
            format!(
                "Confirmed {age}, not credited: ask PIK support, quoting the payment's id and its hash (in the story)."
            )
        }
        CaseKind::FailedNeverPaid => {
            "Every attempt failed and nothing was paid: send the customer a new link, or close the order.".into()
        }
        kind => format!("{} since {age}.", kind.words()),
    }
}

/// One moment of the story.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Moment {
    pub at: DateTime<Utc>,
    /// What happened, in words (amounts as written by PIK).
    pub what: String,
    /// The payment it is about, if any (for its hash and explorer link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<String>,
}

/// The order's story, oldest first: the link made, each payment's steps,
/// the balance link made for it, what agents did, the webhook events
/// `heard` by a local listener about it, the link's end. An expiry has no
/// time at PIK: it is told when the mirror saw it, else it closes the story.
pub fn timeline(order: &Order, heard: &[EventEnvelope]) -> Vec<Moment> {
    let (link, payments, balance) = (order.link.as_ref(), &order.payments, &order.balance_links);
    let mut moments = Vec::new();
    if let Some(link) = link {
        moments.push(Moment {
            at: link.created_at,
            what: format!("link {} made for {} {}", link.id, link.amount, link.currency),
            payment: None,
        });
    }
    for txn in payments {
        let about = Some(txn.id.clone());
        let amount = format!("{} {}", txn.amount, txn.currency);
        moments.push(Moment {
            at: txn.created_at,
            what: format!("payment {} of {amount} started", txn.id),
            payment: about.clone(),
        });
        if let Some(at) = txn.confirmed_at {
            let hash = txn.tx_hash.as_deref().map(|hash| format!(" (hash {hash})")).unwrap_or_default();
            moments.push(Moment {
                at,
                what: format!("payment {} confirmed on chain{hash}", txn.id),
                payment: about.clone(),
            });
        }
        match (&txn.status, txn.settled_at) {
            (_, Some(at)) => moments.push(Moment { at, what: format!("payment {} credited", txn.id), payment: about }),
            (TransactionStatus::Failed, None) => {
                // PIK gives no time for a failure: it is told at the start.
                if let Some(started) = moments.iter_mut().rev().find(|m| m.payment == about) {
                    started.what.push_str(", and failed");
                }
            }
            _ => {}
        }
    }
    for made in balance {
        moments.push(Moment {
            at: made.created_at,
            what: format!(
                "balance link {} made for {} {} ({})",
                made.id,
                made.amount,
                made.currency,
                made.status.as_str()
            ),
            payment: None,
        });
    }
    for act in &order.acts {
        moments.push(Moment { at: act.at, what: act.words(), payment: None });
    }
    // A resolution its payments have outrun: the case is open again, said
    // at the first payment time after it (else at the resolution).
    let handling = order.handling();
    if let (Some(resolved), Some(why)) = (&handling.resolved, handling.reopened_because(Some(&order.facts()))) {
        let times = payments.iter().flat_map(|p| [Some(p.created_at), p.confirmed_at, p.settled_at]).flatten();
        let at = times.filter(|at| *at > resolved.at).min().unwrap_or(resolved.at);
        moments.push(Moment { at, what: format!("open again by itself: {why}"), payment: None });
    }
    let about: Vec<&EventEnvelope> =
        heard.iter().filter(|e| e.data.payment_link_id.as_deref() == Some(order.link_id.as_str())).collect();
    let event_words = |event: &EventEnvelope| {
        let data = &event.data;
        format!(
            "webhook {} heard by the local listener: payment {} {}",
            event.event.as_str(),
            data.transaction_id,
            data.status.as_str()
        )
    };
    for event in &about {
        if let Some(at) = event.created_at {
            moments.push(Moment { at, what: event_words(event), payment: Some(event.data.transaction_id.clone()) });
        }
    }
    let closed = link.filter(|l| matches!(l.status, LinkStatus::Expired | LinkStatus::Deactivated));
    let seen = closed.and_then(|l| order.status_seen.iter().find(|(status, _)| *status == l.status));
    if let (Some(link), Some((_, at))) = (closed, seen) {
        moments.push(Moment {
            at: *at,
            what: format!("link {} {} (when the mirror saw it: PIK gives no time)", link.id, link.status.as_str()),
            payment: None,
        });
    }
    moments.sort_by_key(|moment| moment.at);
    let last = moments.last().map(|m| m.at).or(link.map(|l| l.created_at));
    if let Some(at) = last {
        // An event without a time: heard, but when is not known.
        for event in about.iter().filter(|e| e.created_at.is_none()) {
            let what = format!("{} (PIK gave no time)", event_words(event));
            moments.push(Moment { at, what, payment: Some(event.data.transaction_id.clone()) });
        }
    }
    if let Some(link) = closed.filter(|_| seen.is_none()) {
        let at = moments.last().map(|m| m.at).unwrap_or(link.created_at);
        moments.push(Moment { at, what: format!("link {} is {} now", link.id, link.status.as_str()), payment: None });
    }
    moments
}
