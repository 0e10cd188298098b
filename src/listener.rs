//! A local receiver of PIK webhook events: it checks each `PIK-Signature`
//! against the raw body before reading anything, answers 200 for a valid
//! signature and 400 otherwise, and hands each outcome to a callback.
//! `pik-tui webhooks listen` prints them; `--demo` feeds the Events pane.

use crate::api::{EventEnvelope, WebhookSecret};
use crate::signature;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use std::sync::Arc;

/// What arrived at the listener.
#[derive(Debug, Clone)]
pub enum Received {
    /// The signature matched. `event` is `None` when the verified body is
    /// not an event this version can read; `raw` is the body as sent.
    Verified { event: Option<Box<EventEnvelope>>, raw: Bytes },
    /// No or a wrong signature: answered 400 and otherwise ignored.
    Rejected { reason: &'static str },
}

/// Bodies larger than this are refused before they are read in full.
const MAX_BODY: usize = 1024 * 1024;

struct Shared {
    secret: WebhookSecret,
    on_receive: Box<dyn Fn(Received) + Send + Sync>,
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(given) = headers.get(signature::HEADER).and_then(|v| v.to_str().ok()) else {
        (shared.on_receive)(Received::Rejected { reason: "no PIK-Signature header" });
        return StatusCode::BAD_REQUEST;
    };
    // Verify first: nothing of an unauthenticated body is parsed.
    if !signature::verify(shared.secret.expose().as_bytes(), &body, given) {
        (shared.on_receive)(Received::Rejected { reason: "the signature does not match" });
        return StatusCode::BAD_REQUEST;
    }
    let event = serde_json::from_slice::<EventEnvelope>(&body).ok().map(Box::new);
    (shared.on_receive)(Received::Verified { event, raw: body });
    StatusCode::OK
}

/// Serves on `listener` until the task is dropped or the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    secret: WebhookSecret,
    on_receive: impl Fn(Received) + Send + Sync + 'static,
) -> std::io::Result<()> {
    let shared = Arc::new(Shared { secret, on_receive: Box::new(on_receive) });
    let app = axum::Router::new()
        .route("/", axum::routing::post(receive))
        .route("/{*path}", axum::routing::post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared);
    axum::serve(listener, app).await
}

/// One line for a terminal: time, event, transaction, link, amount, status.
pub fn describe(event: &EventEnvelope) -> String {
    use crate::sanitize::for_terminal_truncated as clean;
    let data = &event.data;
    let when =
        event.created_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_else(|| "-".into());
    format!(
        "{when} {} {} {} {} {} {}",
        clean(event.event.as_str(), 40),
        clean(&data.transaction_id, 60),
        clean(data.payment_link_id.as_deref().unwrap_or("-"), 60),
        data.amount,
        clean(&data.currency, 10),
        clean(data.status.as_str(), 20)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn answers_200_for_a_good_signature_and_400_otherwise() {
        let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else { panic!("bind") };
        let Ok(addr) = listener.local_addr() else { panic!("addr") };
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        tokio::spawn(serve(listener, WebhookSecret::new("whsec_test".into()), move |received| {
            if let Ok(mut seen) = sink.lock() {
                seen.push(received);
            }
        }));
        let body = r#"{"event":"payment.settled","id":"evt_1","created_at":"2024-01-15T10:45:00Z","data":{"transaction_id":"txn_1","payment_link_id":"pl_1","amount":"75.00","currency":"USDT","status":"settled"}}"#;
        let good = signature::sign(b"whsec_test", body.as_bytes());
        let http = reqwest::Client::new();
        let url = format!("http://{addr}/pik/events");
        let post = |signature: Option<String>| {
            let mut request = http.post(&url).body(body);
            if let Some(signature) = signature {
                request = request.header(signature::HEADER, signature);
            }
            request.send()
        };
        let statuses = [
            post(Some(good.clone())).await.map(|r| r.status().as_u16()).ok(),
            post(Some(signature::sign(b"whsec_other", body.as_bytes()))).await.map(|r| r.status().as_u16()).ok(),
            post(None).await.map(|r| r.status().as_u16()).ok(),
        ];
        assert_eq!(statuses, [Some(200), Some(400), Some(400)]);
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(seen.len(), 3);
        let Received::Verified { event: Some(event), .. } = &seen[0] else { panic!("{:?}", seen[0]) };
        assert_eq!(describe(event), "2024-01-15T10:45:00Z payment.settled txn_1 pl_1 75.00 USDT settled");
        assert!(matches!(seen[1], Received::Rejected { reason: "the signature does not match" }));
        assert!(matches!(seen[2], Received::Rejected { reason: "no PIK-Signature header" }));
    }
}
