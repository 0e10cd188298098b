//! Sends webhook events: signed POSTs, to this machine only.

use super::world::{DeliveryResult, DueDelivery};
use crate::signature;
use std::time::Duration;

/// PIK's receivers must answer within 10 s.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

pub fn http_client() -> std::io::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(DELIVERY_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("pik-sandbox-webhooks")
        .build()
        .map_err(std::io::Error::other)
}

/// Attempts one delivery. The sandbox posts only to loopback addresses: it
/// runs on people's machines, and must never send traffic elsewhere. Events
/// for other URLs are recorded as skipped.
pub async fn attempt(http: &reqwest::Client, due: &DueDelivery) -> DeliveryResult {
    let Ok(url) = url::Url::parse(&due.url) else {
        return DeliveryResult::Skipped("the webhook URL does not parse".to_string());
    };
    if !url.host().is_some_and(|h| crate::api::is_loopback_host(&h)) {
        return DeliveryResult::Skipped("the sandbox delivers only to loopback addresses".to_string());
    }
    let signature = signature::sign(due.secret.as_bytes(), due.body.as_bytes());
    let sent = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(signature::HEADER, signature)
        .body(due.body.clone())
        .send()
        .await;
    match sent {
        Ok(response) => DeliveryResult::Answered(response.status().as_u16()),
        Err(err) if err.is_timeout() => DeliveryResult::Failed("no answer within 10 s".to_string()),
        Err(err) => DeliveryResult::Failed(format!("could not deliver: {err}")),
    }
}
