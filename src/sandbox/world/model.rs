//! The sandbox's records: links, transactions, webhooks and deliveries,
//! serialized exactly as PIK sends them (internal fields skipped).

use super::clock::wire_time;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

/// The documented statuses, kept as text so that test controls can plant
/// values PIK does not document (`cancelled`) to test clients.
pub mod status {
    pub const ACTIVE: &str = "active";
    pub const PAID: &str = "paid";
    pub const EXPIRED: &str = "expired";
    pub const DEACTIVATED: &str = "deactivated";
    pub const LINK: &[&str] = &[ACTIVE, PAID, EXPIRED, DEACTIVATED];

    pub const PENDING: &str = "pending";
    pub const CONFIRMED: &str = "confirmed";
    pub const SETTLED: &str = "settled";
    pub const FAILED: &str = "failed";
    pub const TRANSACTION: &[&str] = &[PENDING, CONFIRMED, SETTLED, FAILED];

    pub const DISABLED: &str = "disabled";
}

pub const EVENTS: &[&str] = &["payment.confirmed", "payment.settled", "payment.failed"];

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub id: String,
    pub url: String,
    pub amount: Decimal,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: String,
    #[serde(with = "wire_time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "wire_time::option", skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<DateTime<Utc>>,
    /// When an active link expires by itself. Internal: the reference does not
    /// document an expiry field.
    #[serde(skip)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// What will happen to a transaction next, in simulated time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plan {
    Confirm(DateTime<Utc>),
    Settle(DateTime<Utc>),
    Fail(DateTime<Utc>),
}

impl Plan {
    pub(super) fn due(self) -> DateTime<Utc> {
        match self {
            Plan::Confirm(t) | Plan::Settle(t) | Plan::Fail(t) => t,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Transaction {
    pub id: String,
    pub payment_link_id: String,
    pub amount: Decimal,
    pub currency: String,
    pub status: String,
    pub tx_hash: Option<String>,
    #[serde(with = "wire_time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "wire_time::option")]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[serde(with = "wire_time::option")]
    pub settled_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub plan: Option<Plan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub status: String,
    #[serde(with = "wire_time")]
    pub created_at: DateTime<Utc>,
    /// Returned once, by the create handler; never serialized with the rest.
    #[serde(skip)]
    pub secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    InFlight,
    Delivered,
    Undelivered,
    /// Not attempted: the sandbox only delivers to this machine.
    Skipped,
}

/// One event on its way to one webhook. The control endpoint shows these.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub id: u64,
    pub webhook_id: String,
    pub event_id: String,
    pub event: String,
    pub url: String,
    pub attempts: u32,
    pub state: DeliveryState,
    #[serde(with = "wire_time")]
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    #[serde(skip)]
    pub body: String,
    #[serde(skip)]
    pub secret: String,
}

/// A delivery the ticker should attempt now.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: u64,
    pub url: String,
    pub body: String,
    pub secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Settle,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryResult {
    Answered(u16),
    Failed(String),
    Skipped(String),
}
