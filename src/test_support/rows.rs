//! Rows of each resource, built from a few fields, and error values.

use super::*;

/// The tests' "now": a fixed instant.
pub fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).single().unwrap_or_default()
}

/// A decimal from text, for amounts in tests.
pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

/// An active 75.00 USDT link with a checkout URL, created at `t0`. Change
/// fields with struct update syntax: `PaymentLink { status, ..link("pl_x") }`.
pub fn link(id: &str) -> PaymentLink {
    PaymentLink {
        id: id.to_string(),
        url: Some(format!("https://pay.pik.global/{id}")),
        amount: dec("75.00"),
        currency: "USDT".into(),
        description: None,
        status: LinkStatus::Active,
        created_at: t0(),
        paid_at: None,
        expires_at: None,
    }
}

/// Link number `n` of a numbered set: `pl_00042`, "Order 42", one second
/// newer than link `n - 1`.
pub fn numbered_link(n: u64, status: LinkStatus) -> PaymentLink {
    PaymentLink {
        description: Some(format!("Order {n}")),
        status,
        created_at: t0() - Duration::seconds(100_000 - n as i64),
        ..link(&format!("pl_{n:05}"))
    }
}

/// A pending 75.00 USDT transaction on `pl_00001`, created at `t0`.
pub fn txn(id: &str) -> Transaction {
    Transaction {
        id: id.to_string(),
        payment_link_id: Some("pl_00001".into()),
        amount: dec("75.00"),
        currency: "USDT".into(),
        status: TransactionStatus::Pending,
        tx_hash: None,
        created_at: t0(),
        confirmed_at: None,
        settled_at: None,
    }
}

/// Transaction number `n`: `txn_00042`.
pub fn numbered_txn(n: u64, status: TransactionStatus) -> Transaction {
    Transaction { status, created_at: t0() - Duration::seconds(100_000 - n as i64), ..txn(&format!("txn_{n:05}")) }
}

/// An active webhook for `payment.settled`.
pub fn hook(id: &str) -> Webhook {
    Webhook {
        id: id.to_string(),
        url: format!("https://example.com/{id}"),
        events: vec![WebhookEvent::PaymentSettled],
        status: WebhookStatus::Active,
        created_at: Some(t0()),
    }
}

/// One page of `data` out of `total`.
pub fn page<T>(data: Vec<T>, total: u64) -> Page<T> {
    Page { data, total, limit: Some(50), offset: Some(0), skipped: 0 }
}

/// An API failure as the app keeps it.
pub fn error(kind: ErrorKind, status: Option<u16>, summary: &str) -> ErrorInfo {
    ErrorInfo {
        kind,
        summary: summary.into(),
        message: String::new(),
        status,
        retry_after: None,
        may_have_happened: false,
    }
}

/// PIK could not be reached.
pub fn unreachable() -> ErrorInfo {
    error(ErrorKind::Connect, None, "PIK unreachable")
}

/// PIK answered with this status.
pub fn refusal(status: u16, summary: &str) -> ErrorInfo {
    error(ErrorKind::Api, Some(status), summary)
}

/// A write that timed out after it was sent: it may have happened.
pub fn lost_answer() -> ErrorInfo {
    ErrorInfo { may_have_happened: true, ..error(ErrorKind::Timeout, None, "PIK did not answer in time") }
}
