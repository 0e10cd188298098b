//! What a link's rows say, whatever the time and the thresholds: the
//! store keeps these for every link that could be a case, written in the
//! same transaction as the rows they come from.

use crate::api::{LinkStatus, PaymentLink, Transaction, TransactionStatus};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The link's side of its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSide {
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub status: LinkStatus,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A link made for the balance of this one ("Balance for … (pl_…)").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceLink {
    pub link_id: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub paid: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkFacts {
    pub link_id: String,
    pub currency: String,
    /// None while the link is not in the mirror (its payments came first).
    pub link: Option<LinkSide>,
    /// Confirmed and settled payments: how many, their sum, the smallest.
    pub good: u32,
    #[serde(with = "rust_decimal::serde::str")]
    pub received: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub smallest_good: Option<Decimal>,
    /// When the first of them was made.
    pub first_good_at: Option<DateTime<Utc>>,
    /// The oldest payment still pending, by creation.
    pub pending_since: Option<DateTime<Utc>>,
    /// The oldest payment confirmed and not settled, by confirmation.
    pub confirmed_since: Option<DateTime<Utc>>,
    /// The last failure, when no payment came after it and none was
    /// received (a failure on an order paid is no case).
    pub failed_at: Option<DateTime<Utc>>,
    pub balance: Option<BalanceLink>,
}

/// An order's rows: its link (if mirrored), the payments on it, and the
/// balance links made for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Order {
    pub link_id: String,
    pub link: Option<PaymentLink>,
    pub payments: Vec<Transaction>,
    pub balance_links: Vec<PaymentLink>,
    /// When the mirror saw the link's status change, by status (PIK gives
    /// no time for an expiry or a deactivation).
    pub status_seen: Vec<(LinkStatus, DateTime<Utc>)>,
    /// What agents did about it or its balance links (the audit log's acts).
    pub acts: Vec<crate::audit::Act>,
    /// The other agents who have its case open now, and until when (a
    /// shared store only).
    pub looking: Vec<(String, DateTime<Utc>)>,
}

impl Order {
    /// A balance link made for this order that can still be paid: a second
    /// one would ask the customer twice.
    pub fn open_balance_link(&self) -> Option<&PaymentLink> {
        self.balance_links.iter().filter(|l| l.status == LinkStatus::Active).max_by_key(|l| l.created_at)
    }

    /// Its case's handling, from the acts on its own link.
    pub fn handling(&self) -> super::Handling {
        super::Handling::of(self.acts.iter().filter(|act| act.subject.as_deref() == Some(self.link_id.as_str())))
    }

    pub fn facts(&self) -> LinkFacts {
        LinkFacts::of(&self.link_id, self.link.as_ref(), &self.payments, balance_of(self.balance_links.clone()))
    }
}

/// The balance link that counts for an order: a paid one, else the newest.
pub fn balance_of(mut links: Vec<PaymentLink>) -> Option<BalanceLink> {
    links.sort_by_key(|link| (link.status == LinkStatus::Paid, link.created_at));
    links.pop().map(|link| BalanceLink { paid: link.status == LinkStatus::Paid, amount: link.amount, link_id: link.id })
}

/// Payments that count as received: on chain, credited or not.
pub fn is_good(status: &TransactionStatus) -> bool {
    matches!(status, TransactionStatus::Confirmed | TransactionStatus::Settled)
}

impl LinkFacts {
    /// The facts of a link from its rows: the link (if mirrored), every
    /// payment on it, and the balance link made for it (if any).
    pub fn of(
        link_id: &str,
        link: Option<&PaymentLink>,
        payments: &[Transaction],
        balance: Option<BalanceLink>,
    ) -> LinkFacts {
        let good: Vec<&Transaction> = payments.iter().filter(|p| is_good(&p.status)).collect();
        let currency = link
            .map(|l| l.currency.clone())
            .or_else(|| payments.first().map(|p| p.currency.clone()))
            .unwrap_or_default();
        let last_failed = payments.iter().filter(|p| p.status == TransactionStatus::Failed).map(|p| p.created_at).max();
        // A failure a later payment (under way or made) follows is no case.
        let failed_at = last_failed.filter(|failed| {
            good.is_empty() && !payments.iter().any(|p| p.status != TransactionStatus::Failed && p.created_at > *failed)
        });
        LinkFacts {
            link_id: link_id.to_string(),
            currency,
            link: link.map(|l| LinkSide {
                amount: l.amount,
                status: l.status.clone(),
                description: l.description.clone(),
                created_at: l.created_at,
            }),
            good: u32::try_from(good.len()).unwrap_or(u32::MAX),
            received: good.iter().fold(Decimal::ZERO, |sum, p| sum.saturating_add(p.amount)),
            smallest_good: good.iter().map(|p| p.amount).min(),
            first_good_at: good.iter().map(|p| p.created_at).min(),
            pending_since: payments
                .iter()
                .filter(|p| p.status == TransactionStatus::Pending)
                .map(|p| p.created_at)
                .min(),
            confirmed_since: payments
                .iter()
                .filter(|p| p.status == TransactionStatus::Confirmed)
                .map(|p| p.confirmed_at.unwrap_or(p.created_at))
                .min(),
            failed_at,
            balance,
        }
    }

    /// Whether the link is kept for its amounts or failures: an order paid
    /// exactly once never is (most links), nor a failure on an order paid (a
    /// customer trying the link again). A payment under way is not a reason:
    /// the store finds the late ones when it lists the cases
    /// (`store::cases::Late`), so a new payment writes no facts.
    pub fn worth_keeping(&self) -> bool {
        let closed = self.link_closed();
        let mismatched = match &self.link {
            Some(link) => self.good > 0 && (self.received != link.amount || closed),
            None => self.good > 0,
        };
        (self.failed_at.is_some() && self.good == 0) || self.good > 1 || mismatched
    }

    /// Whether a payment new to the mirror can make a link worth keeping
    /// when it was not, `paid` saying whether the link had a confirmed or
    /// settled payment before. One under way cannot (it can only follow a
    /// failure), and most payments arrive so; nor can a failure on an order
    /// paid (a customer trying the link again).
    pub fn arrival_may_start_keeping(payment: &TransactionStatus, paid: bool) -> bool {
        match payment {
            TransactionStatus::Pending => false,
            TransactionStatus::Failed => !paid,
            _ => true,
        }
    }

    /// These facts once `payment`, new to the mirror, is on the link too:
    /// told without reading the link's rows, as [`LinkFacts::of`] would
    /// read them. `None` when the facts cannot tell: the link is not
    /// mirrored (its currency would come from a payment), or a failure
    /// comes to an order never paid whose other payments' times the facts
    /// do not hold (never so for facts kept: those stand for a failure).
    pub fn with_arrival(&self, payment: &Transaction) -> Option<LinkFacts> {
        self.link.as_ref()?;
        let mut next = self.clone();
        let at = payment.created_at;
        match &payment.status {
            TransactionStatus::Failed if self.good > 0 => next.failed_at = None,
            TransactionStatus::Failed => next.failed_at = Some(self.failed_at?.max(at)),
            status => {
                if self.failed_at.is_some_and(|failed| at > failed) {
                    next.failed_at = None;
                }
                match status {
                    TransactionStatus::Pending => {
                        next.pending_since = Some(self.pending_since.map_or(at, |since| since.min(at)));
                    }
                    TransactionStatus::Confirmed | TransactionStatus::Settled => {
                        next.good = self.good.saturating_add(1);
                        next.received = self.received.saturating_add(payment.amount);
                        next.smallest_good = Some(self.smallest_good.map_or(payment.amount, |s| s.min(payment.amount)));
                        next.first_good_at = Some(self.first_good_at.map_or(at, |first| first.min(at)));
                        if *status == TransactionStatus::Confirmed {
                            let confirmed = payment.confirmed_at.unwrap_or(at);
                            next.confirmed_since =
                                Some(self.confirmed_since.map_or(confirmed, |since| since.min(confirmed)));
                        }
                    }
                    _ => {}
                }
                if next.good > 0 {
                    next.failed_at = None;
                }
            }
        }
        Some(next)
    }

    /// Expired or deactivated: no payment should come any more.
    pub fn link_closed(&self) -> bool {
        self.link.as_ref().is_some_and(|l| matches!(l.status, LinkStatus::Expired | LinkStatus::Deactivated))
    }
}

/// The text that marks a balance link: "Balance for ‹description› (pl_…)".
pub const BALANCE_FOR: &str = "Balance for ";

/// The link a balance link was made for, read from its description.
pub fn balance_for(description: Option<&str>) -> Option<&str> {
    let text = description?.strip_prefix(BALANCE_FOR)?;
    let inner = text.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let id = &inner[open + 1..];
    (id.starts_with("pl_") && id.len() > 3 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(id)
}

/// The description of a balance link for `link`.
pub fn balance_description(link_id: &str, description: Option<&str>) -> String {
    let about = description.map(|d| crate::sanitize::for_terminal_truncated(d, 60)).unwrap_or_else(|| "order".into());
    format!("{BALANCE_FOR}{about} ({link_id})")
}
