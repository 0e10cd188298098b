//! Webhook delivery from the sandbox to a real receiver on loopback. The
//! signature is recomputed here with `hmac`/`sha2` directly, independently of
//! the code under test.

mod common;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::*;
use hmac::{Hmac, Mac};
use pik_tui::api::*;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

struct Received {
    signature: String,
    body: Bytes,
}

/// A receiver that fails the first `failures` attempts of each event (500,
/// then 503...) and accepts the next: per event, so that other simulated
/// payments' events cannot use up the failures meant for the one a test follows.
async fn receiver(failures: usize) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let attempts: Arc<Mutex<HashMap<Bytes, usize>>> = Arc::new(Mutex::new(HashMap::new()));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (tx, attempts) = (tx.clone(), attempts.clone());
            async move {
                let signature =
                    headers.get("pik-signature").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                let seen = attempts
                    .lock()
                    .map(|mut a| {
                        let count = a.entry(body.clone()).or_insert(0);
                        *count += 1;
                        *count
                    })
                    .unwrap_or(usize::MAX);
                let _ = tx.send(Received { signature, body });
                match seen {
                    n if n <= failures && n % 2 == 1 => StatusCode::INTERNAL_SERVER_ERROR,
                    n if n <= failures => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::OK,
                }
            }
        }),
    );
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(err) => panic!("no listener: {err}"),
    };
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
        Ok(Some(received)) => received,
        other => panic!("no delivery arrived: {:?}", other.is_ok()),
    }
}

/// The next delivery of this very event (other simulated payments may send
/// their own events meanwhile), or `None` if none comes within `wait`.
async fn next_of(rx: &mut mpsc::UnboundedReceiver<Received>, body: &Bytes, wait: Duration) -> Option<Received> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(received)) if received.body == body => return Some(received),
            Ok(Some(_other_event)) => continue,
            _ => return None,
        }
    }
}

fn independent_hmac(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { panic!("hmac key") };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

async fn active_link(client: &Client) -> PaymentLink {
    let page = client.list_links(&LinkQuery { status: Some(LinkStatus::Active), limit: Some(1), offset: None }).await;
    match page {
        Ok(page) if !page.data.is_empty() => page.data[0].clone(),
        other => panic!("no active link: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_receiver_gets_signed_events_that_verify() {
    let sandbox = quiet_sandbox().await;
    let client = client(&sandbox);
    let (url, mut rx) = receiver(0).await;
    let created = client
        .create_webhook(&CreateWebhook {
            url,
            events: vec![WebhookEvent::PaymentConfirmed, WebhookEvent::PaymentSettled, WebhookEvent::PaymentFailed],
        })
        .await;
    let Ok(created) = created else { panic!("{created:?}") };
    let secret = created.secret.expose().to_string();
    let link = active_link(&client).await;

    let (status, txn) =
        control(&sandbox, Method::POST, &format!("/payment-links/{}/pay", link.id), Some(json!({"outcome": "settle"})))
            .await;
    assert_eq!(status, 201);
    let mut events = Vec::new();
    while events.len() < 2 {
        let received = next(&mut rx).await;
        if !String::from_utf8_lossy(&received.body).contains(txn["id"].as_str().unwrap_or("?")) {
            continue; // another simulated payment's event
        }
        assert_eq!(received.signature, independent_hmac(&secret, &received.body), "signature does not verify");
        assert!(pik_tui::signature::verify(secret.as_bytes(), &received.body, &received.signature));
        assert!(!independent_hmac("whsec_other", &received.body).eq(&received.signature));
        let event = serde_json::from_slice::<EventEnvelope>(&received.body);
        let Ok(event) = event else { panic!("event body: {event:?}") };
        assert_eq!(event.data.transaction_id, txn["id"].as_str().unwrap_or_default());
        assert_eq!(event.data.payment_link_id.as_deref(), Some(link.id.as_str()));
        assert_eq!(event.data.amount, link.amount);
        assert!(event.id.starts_with("evt_") && event.created_at.is_some());
        events.push((event.event, event.data.status));
    }
    // Deliveries are concurrent and PIK promises no order: compare as a set.
    events.sort_by_key(|(event, _)| event.as_str().to_string());
    assert_eq!(
        events,
        [
            (WebhookEvent::PaymentConfirmed, TransactionStatus::Confirmed),
            (WebhookEvent::PaymentSettled, TransactionStatus::Settled),
        ]
    );
    // The link is now paid.
    assert_eq!(client.get_link(&link.id).await.map(|l| l.status).ok(), Some(LinkStatus::Paid));
    sandbox.shutdown().await;
}

/// Polls the sandbox's deliveries of one webhook until `ready` holds (20 s at
/// most: a loaded machine is slow, and moving the clock before the sandbox has
/// recorded an attempt would test the wrong schedule).
async fn deliveries_when(
    sandbox: &pik_tui::sandbox::Sandbox,
    webhook_id: &str,
    ready: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let mut seen = Vec::new();
    for _ in 0..400 {
        let (_, body) = control(sandbox, Method::GET, "/deliveries", None).await;
        seen = body["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d["webhook_id"] == webhook_id)
            .collect();
        if ready(&seen) {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the deliveries never got there: {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_is_retried_on_the_documented_schedule() {
    let sandbox = quiet_sandbox().await;
    let client = client(&sandbox);
    // Fails twice, then accepts.
    let (url, mut rx) = receiver(2).await;
    let created = client.create_webhook(&CreateWebhook { url, events: vec![WebhookEvent::PaymentFailed] }).await;
    let Ok(created) = created else { panic!("{created:?}") };
    let link = active_link(&client).await;
    control(&sandbox, Method::POST, &format!("/payment-links/{}/pay", link.id), Some(json!({"outcome": "fail"}))).await;

    let first = next(&mut rx).await;
    let hook_id = created.webhook.id.clone();
    // Wait for the sandbox to record the failure, then check the plan.
    let pending = deliveries_when(&sandbox, &hook_id, |d| d.first().is_some_and(|d| d["attempts"] == 1)).await;
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0]["state"].as_str(), pending[0]["last_status"].as_u64()), (Some("pending"), Some(500)));
    let clock = control(&sandbox, Method::GET, "/clock", None).await.1;
    let now = chrono::DateTime::parse_from_rfc3339(clock["now"].as_str().unwrap_or_default());
    let due = chrono::DateTime::parse_from_rfc3339(pending[0]["next_attempt_at"].as_str().unwrap_or_default());
    let wait = match (now, due) {
        (Ok(now), Ok(due)) => (due - now).num_seconds(),
        other => panic!("times: {other:?}"),
    };
    assert!((295..=300).contains(&wait), "first retry after {wait} s, not 5 min");

    // Nothing more arrives until the clock passes 5 minutes.
    let short = Duration::from_millis(500);
    assert!(next_of(&mut rx, &first.body, short).await.is_none(), "retried early");
    control(&sandbox, Method::POST, "/clock/advance", Some(json!({"seconds": 300}))).await;
    let second = next_of(&mut rx, &first.body, Duration::from_secs(20)).await;
    assert!(second.is_some(), "no retry after 5 min");
    // Let the sandbox record the second failure before moving the clock.
    deliveries_when(&sandbox, &hook_id, |d| d.first().is_some_and(|d| d["attempts"] == 2)).await;
    // Second failure: the next retry is 30 minutes later.
    control(&sandbox, Method::POST, "/clock/advance", Some(json!({"seconds": 300}))).await;
    assert!(next_of(&mut rx, &first.body, short).await.is_none(), "retried before 30 min");
    control(&sandbox, Method::POST, "/clock/advance", Some(json!({"seconds": 1500}))).await;
    let third = next_of(&mut rx, &first.body, Duration::from_secs(20)).await;
    assert!(third.is_some_and(|t| t.signature == first.signature), "no third attempt with the same signature");
    let done = deliveries_when(&sandbox, &hook_id, |d| d.first().is_some_and(|d| d["state"] == "delivered")).await;
    let state = done[0]["state"].clone();
    assert_eq!(state, "delivered");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn events_for_non_loopback_urls_are_recorded_not_sent() {
    let sandbox = quiet_sandbox().await;
    let client = client(&sandbox);
    let link = active_link(&client).await;
    control(&sandbox, Method::POST, &format!("/payment-links/{}/pay", link.id), Some(json!({"outcome": "settle"})))
        .await;
    let mut skipped = 0;
    // Up to 20 s: a loaded machine ticks late.
    for _ in 0..400 {
        let (_, body) = control(&sandbox, Method::GET, "/deliveries", None).await;
        let all = body["data"].as_array().cloned().unwrap_or_default();
        skipped = all.iter().filter(|d| d["state"] == "skipped").count();
        if skipped > 0 && all.iter().all(|d| d["state"] == "skipped") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Seeded: two active webhooks on example.* domains; 3 events in all
    // (confirmed to one, settled to both).
    assert_eq!(skipped, 3);
    sandbox.shutdown().await;
}
