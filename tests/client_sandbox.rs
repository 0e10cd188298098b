//! The typed client against the sandbox, over real HTTP on loopback:
//! every endpoint, every documented error code, pagination edges, and the
//! retry rules, checked with the sandbox's own request counter.

mod common;

use common::*;
use pik_tui::api::*;
use pik_tui::sandbox::{self, SandboxConfig};
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::HashSet;
use std::str::FromStr;
use std::time::{Duration, Instant};

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_default()
}

fn new_link(amount: &str) -> CreateLink {
    CreateLink { amount: dec(amount), currency: "USDT".into(), description: Some("Order #1234".into()) }
}

#[tokio::test]
async fn every_endpoint_round_trips() {
    let sandbox = quiet_sandbox().await;
    let client = client(&sandbox);

    let created = client.create_link(&new_link("75.00")).await;
    let Ok(created) = created else { panic!("create: {created:?}") };
    assert!(created.id.starts_with("pl_"));
    assert_eq!(created.amount.to_string(), "75.00");
    assert_eq!(created.status, LinkStatus::Active);
    assert_eq!(created.url.as_deref(), Some(format!("https://pay.pik.global/{}", created.id).as_str()));

    let fetched = client.get_link(&created.id).await;
    assert_eq!(fetched.ok().as_ref(), Some(&created));

    let page = client.list_links(&LinkQuery { status: Some(LinkStatus::Active), limit: Some(5), offset: None }).await;
    let Ok(page) = page else { panic!("list: {page:?}") };
    assert_eq!(page.data.first().map(|l| l.id.as_str()), Some(created.id.as_str()), "newest first");
    assert!(page.data.iter().all(|l| l.status == LinkStatus::Active));
    assert_eq!((page.limit, page.offset), (Some(5), Some(0)));

    let deactivated = client.deactivate_link(&created.id).await;
    assert_eq!(deactivated.map(|l| l.status).ok(), Some(LinkStatus::Deactivated));
    assert_eq!(client.get_link(&created.id).await.map(|l| l.status).ok(), Some(LinkStatus::Deactivated));

    // Transactions, with every filter.
    let all = client.list_transactions(&TransactionQuery { limit: Some(100), ..Default::default() }).await;
    let Ok(all) = all else { panic!("transactions: {all:?}") };
    assert_eq!(all.total, 1000);
    let sample = all.data[10].clone();
    let one = client.get_transaction(&sample.id).await;
    assert_eq!(one.ok().as_ref(), Some(&sample));
    let link_id = sample.payment_link_id.clone().unwrap_or_default();
    let filtered = client
        .list_transactions(&TransactionQuery {
            status: Some(sample.status.clone()),
            payment_link_id: Some(link_id.clone()),
            currency: Some(sample.currency.clone()),
            from: Some(sample.created_at - chrono::Duration::seconds(1)),
            to: Some(sample.created_at + chrono::Duration::seconds(1)),
            limit: Some(100),
            offset: None,
        })
        .await;
    let Ok(filtered) = filtered else { panic!("filtered: {filtered:?}") };
    assert!(filtered.data.iter().any(|t| t.id == sample.id));
    assert!(filtered.data.iter().all(|t| {
        t.status == sample.status
            && t.payment_link_id.as_deref() == Some(link_id.as_str())
            && t.currency == sample.currency
    }));

    // Webhooks: the secret comes once, and never in the list.
    let hook = client
        .create_webhook(&CreateWebhook {
            url: "https://example.com/pik".into(),
            events: vec![WebhookEvent::PaymentSettled, WebhookEvent::PaymentFailed],
        })
        .await;
    let Ok(hook) = hook else { panic!("webhook: {hook:?}") };
    assert!(hook.secret.expose().starts_with("whsec_"));
    assert_eq!(hook.webhook.status, WebhookStatus::Active);
    let hooks = client.list_webhooks().await;
    let Ok(hooks) = hooks else { panic!("webhooks: {hooks:?}") };
    assert_eq!((hooks.total, hooks.limit, hooks.offset), (4, None, None));
    assert!(hooks.data.iter().any(|h| h.id == hook.webhook.id));
    sandbox.shutdown().await;
}

type StatusAndCode = (Option<u16>, Option<String>);

async fn status_and_code<T: std::fmt::Debug>(result: Result<T, ApiError>) -> StatusAndCode {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(err) => (err.status(), err.code().map(str::to_string)),
    }
}

#[tokio::test]
async fn every_error_code_in_the_overview_table() {
    let sandbox = quiet_sandbox().await;
    let client = client_with(&sandbox, sandbox::DEMO_KEY, RetryPolicy::none());
    let cases: Vec<(u16, &str, StatusAndCode)> = vec![
        (
            400,
            "invalid_request",
            status_and_code(client.list_links(&LinkQuery { limit: Some(0), ..Default::default() }).await).await,
        ),
        (
            401,
            "unauthorized",
            status_and_code(client_with(&sandbox, "pik_test_wrong", RetryPolicy::none()).list_webhooks().await).await,
        ),
        (
            403,
            "forbidden",
            status_and_code(
                client_with(&sandbox, sandbox::READ_ONLY_KEY, RetryPolicy::none()).create_link(&new_link("1")).await,
            )
            .await,
        ),
        (404, "not_found", status_and_code(client.get_transaction("txn_nope").await).await),
        (422, "unprocessable_entity", status_and_code(client.create_link(&new_link("0")).await).await),
    ];
    for (status, code, got) in cases {
        assert_eq!(got, (Some(status), Some(code.to_string())), "{status}");
    }
    control(&sandbox, Method::PUT, "/faults", Some(json!({"force_429": 1, "retry_after_secs": 3}))).await;
    let limited = client.list_webhooks().await;
    let Err(limited) = limited else { panic!("no 429") };
    assert_eq!((limited.status(), limited.code()), (Some(429), Some("rate_limited")));
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
    assert_eq!(limited.summary(), "rate limited (429), retry in 3 s");
    control(&sandbox, Method::PUT, "/faults", Some(json!({"error_rate": 1.0}))).await;
    let failed = client.get_link("pl_any").await;
    assert_eq!(status_and_code(failed).await, (Some(500), Some("internal_error".to_string())));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn pagination_edges() {
    let sandbox = quiet_sandbox().await;
    let client = client(&sandbox);
    let query = |limit, offset| LinkQuery { status: None, limit: Some(limit), offset: Some(offset) };

    let full = client.list_links(&query(100, 0)).await;
    let Ok(full) = full else { panic!("{full:?}") };
    assert_eq!((full.data.len(), full.total), (100, 300));

    // Walking every page gives every link once, newest first.
    let mut seen = Vec::new();
    for offset in (0..300).step_by(100) {
        let page = client.list_links(&query(100, offset)).await.map(|p| p.data).unwrap_or_default();
        seen.extend(page);
    }
    assert_eq!(seen.len(), 300);
    assert_eq!(seen.iter().map(|l| &l.id).collect::<HashSet<_>>().len(), 300);
    assert!(seen.windows(2).all(|w| w[0].created_at >= w[1].created_at));

    let last = client.list_links(&query(20, 295)).await.map(|p| (p.data.len(), p.total, p.offset));
    assert_eq!(last.ok(), Some((5, 300, Some(295))));
    let past = client.list_links(&query(20, 5000)).await.map(|p| (p.data.len(), p.total));
    assert_eq!(past.ok(), Some((0, 300)));
    let default = client.list_links(&LinkQuery::default()).await.map(|p| (p.data.len(), p.limit, p.offset));
    assert_eq!(default.ok(), Some((20, Some(20), Some(0))));
    let too_big = client.list_links(&query(101, 0)).await;
    assert_eq!(too_big.err().and_then(|e| e.status()), Some(400));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn rate_limited_gets_wait_for_retry_after_then_succeed() {
    let sandbox = quiet_sandbox().await;
    let client = client(&sandbox);
    control(&sandbox, Method::PUT, "/faults", Some(json!({"force_429": 2, "retry_after_secs": 1}))).await;
    reset_requests(&sandbox).await;
    let started = Instant::now();
    let page = client.list_links(&LinkQuery::default()).await;
    assert!(page.is_ok(), "{page:?}");
    // Two 429s, each asking for 1 s: the client waited as told.
    assert!(started.elapsed() >= Duration::from_secs(2), "did not honour Retry-After: {:?}", started.elapsed());
    assert_eq!(request_count(&sandbox, "GET /v1/payment-links").await, (3, 3));

    // Server errors are retried with backoff, up to the policy's limit.
    control(&sandbox, Method::PUT, "/faults", Some(json!({"error_rate": 1.0}))).await;
    reset_requests(&sandbox).await;
    let failed = client.get_link("pl_x").await;
    assert_eq!(failed.err().and_then(|e| e.status()), Some(500));
    assert_eq!(request_count(&sandbox, "GET /v1/payment-links/{id}").await, (4, 4));

    // A Retry-After longer than the cap is not waited for.
    control(&sandbox, Method::PUT, "/faults", Some(json!({"force_429": 5, "retry_after_secs": 120}))).await;
    reset_requests(&sandbox).await;
    let refused = client.list_webhooks().await;
    assert_eq!(refused.err().and_then(|e| e.retry_after()), Some(Duration::from_secs(120)));
    assert_eq!(request_count(&sandbox, "GET /v1/webhooks").await, (1, 1));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn no_post_or_delete_is_ever_retried() {
    let sandbox = quiet_sandbox().await;
    let client = client(&sandbox);
    let link = client.create_link(&new_link("10")).await.map(|l| l.id).unwrap_or_default();
    for faults in [
        json!({"error_rate": 1.0, "methods": ["POST", "DELETE"]}),
        json!({"force_429": 3, "retry_after_secs": 1, "methods": ["POST", "DELETE"]}),
        json!({"malformed_rate": 1.0, "methods": ["POST", "DELETE"]}),
    ] {
        control(&sandbox, Method::PUT, "/faults", Some(faults.clone())).await;
        reset_requests(&sandbox).await;
        assert!(client.create_link(&new_link("11")).await.is_err(), "{faults}");
        assert!(
            client
                .create_webhook(&CreateWebhook {
                    url: "https://e.com/h".into(),
                    events: vec![WebhookEvent::PaymentSettled]
                })
                .await
                .is_err(),
            "{faults}"
        );
        assert!(client.deactivate_link(&link).await.is_err(), "{faults}");
        let (_, body) = control(&sandbox, Method::GET, "/requests", None).await;
        assert_eq!(body["by_route"]["POST /v1/payment-links"], 1, "{faults}");
        assert_eq!(body["by_route"]["POST /v1/webhooks"], 1, "{faults}");
        assert_eq!(body["by_route"]["DELETE /v1/payment-links/{id}"], 1, "{faults}");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_timed_out_create_may_have_happened_and_is_not_repeated() {
    let sandbox = quiet_sandbox().await;
    let mut config = ClientConfig::new(sandbox.base_url(), ApiKey::new(sandbox::DEMO_KEY));
    config.request_timeout = Duration::from_millis(500);
    let Ok(client) = Client::new(config) else { panic!("client") };
    control(&sandbox, Method::PUT, "/faults", Some(json!({"latency_ms": 1500, "methods": ["POST"]}))).await;
    reset_requests(&sandbox).await;
    let unique = "Timeout probe 7731";
    let request = CreateLink { amount: dec("12.50"), currency: "USDC".into(), description: Some(unique.into()) };
    let err = client.create_link(&request).await.err();
    let Some(err) = err else { panic!("no timeout") };
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.may_have_reached_server());
    assert_eq!(request_count(&sandbox, "POST /v1/payment-links").await.1, 1);
    control(&sandbox, Method::DELETE, "/faults", None).await;
    // The link was created exactly once.
    let page = client
        .list_links(&LinkQuery { limit: Some(100), ..Default::default() })
        .await
        .map(|p| p.data)
        .unwrap_or_default();
    assert_eq!(page.iter().filter(|l| l.description.as_deref() == Some(unique)).count(), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_client_side_limiter_is_shared_by_clones() {
    let sandbox = quiet_sandbox().await;
    let mut config = ClientConfig::new(sandbox.base_url(), ApiKey::new(sandbox::DEMO_KEY));
    config.max_requests_per_sec = 10.0;
    config.burst = 1;
    let Ok(client) = Client::new(config) else { panic!("client") };
    let started = Instant::now();
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..6 {
                    let _ = client.list_webhooks().await;
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    // 12 requests at 10 a second with a burst of 1: at least 1.1 s, whatever
    // the machine's speed (a lower bound, so not flaky).
    assert!(started.elapsed() >= Duration::from_millis(1100), "{:?}", started.elapsed());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_sandbox_rate_limit_answers_429_with_retry_after() {
    let sandbox =
        start(SandboxConfig { activity: false, rate_limit_per_sec: Some(2.0), ..SandboxConfig::default() }).await;
    let client = client_with(&sandbox, sandbox::DEMO_KEY, RetryPolicy::none());
    let mut limited = None;
    for _ in 0..6 {
        if let Err(err) = client.list_webhooks().await {
            limited = Some(err);
            break;
        }
    }
    let Some(limited) = limited else { panic!("never rate limited") };
    assert_eq!(limited.status(), Some(429));
    assert!(limited.retry_after().is_some_and(|d| d >= Duration::from_secs(1)));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn unknown_values_and_odd_records_do_not_break_a_page() {
    let sandbox = quiet_sandbox().await;
    let client = client(&sandbox);
    let (status, _) = control(
        &sandbox,
        Method::POST,
        "/payment-links",
        Some(json!({"amount": "5.00", "currency": "USDT", "status": "cancelled", "description": null})),
    )
    .await;
    assert_eq!(status, 201);
    let page = client.list_links(&LinkQuery { limit: Some(1), ..Default::default() }).await;
    let Ok(page) = page else { panic!("{page:?}") };
    assert_eq!(page.data[0].status, LinkStatus::Other("cancelled".into()));
    assert_eq!(page.data[0].description, None);
    sandbox.shutdown().await;
}

/// What reached a stand-in server: method and headers, to see what the client sends.
async fn header_recorder() -> (String, tokio::sync::mpsc::UnboundedReceiver<(String, axum::http::HeaderMap)>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().fallback(move |method: axum::http::Method, headers: axum::http::HeaderMap| {
        let tx = tx.clone();
        async move {
            let _ = tx.send((method.to_string(), headers));
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "{}")
        }
    });
    let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else { panic!("bind") };
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/v1"), rx)
}

#[tokio::test]
async fn posts_carry_an_idempotency_key_and_every_request_the_bearer_key() {
    let (base, mut rx) = header_recorder().await;
    let mut config = ClientConfig::new(base, ApiKey::new("pik_test_recorded"));
    config.retry = RetryPolicy::none();
    let Ok(client) = Client::new(config) else { panic!("client") };
    let _ = client.create_link(&new_link("1")).await;
    let _ = client.create_link(&new_link("1")).await;
    let _ = client.list_webhooks().await;
    let mut keys = Vec::new();
    for _ in 0..3 {
        let Some((method, headers)) = rx.recv().await else { panic!("nothing recorded") };
        assert_eq!(headers.get("authorization").and_then(|v| v.to_str().ok()), Some("Bearer pik_test_recorded"));
        let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
        if method == "POST" {
            let Some(key) = key else { panic!("POST without Idempotency-Key") };
            keys.push(key);
        } else {
            assert_eq!(key, None, "{method} with an Idempotency-Key");
        }
    }
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "two creates are two different requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_s_clock_is_the_wall_clock() {
    // A demo row dated minutes ahead showed as "0 s ago" and left the
    // chart short of the table.
    let sandbox = start(pik_tui::dashboard::demo_sandbox(0)).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let (_, clock) = control(&sandbox, reqwest::Method::GET, "/clock", None).await;
    let now = clock["now"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let Some(now) = now else { panic!("{clock}") };
    let ahead = now.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(ahead.num_seconds().abs() <= 1, "the demo's clock is {ahead} off the wall clock");
    sandbox.shutdown().await;
}
