//! Bad input gets the documented error shape and a 4xx that names the field;
//! never a 5xx, and the sandbox keeps serving afterwards.

mod common;

use common::*;
use pik_tui::sandbox::{DEMO_KEY, READ_ONLY_KEY};
use reqwest::Method;
use serde_json::json;

const JSON: Option<&str> = Some("application/json");

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    key: Option<&'static str>,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    status: u16,
    /// A word the error message must contain (the field at fault).
    mentions: &'static str,
}

fn post(name: &'static str, path: &str, body: serde_json::Value, status: u16, mentions: &'static str) -> Case {
    Case {
        name,
        method: Method::POST,
        path: path.to_string(),
        key: Some(DEMO_KEY),
        content_type: JSON,
        body: Some(body.to_string().into_bytes()),
        status,
        mentions,
    }
}

fn get(name: &'static str, path: &str, status: u16, mentions: &'static str) -> Case {
    Case {
        name,
        method: Method::GET,
        path: path.to_string(),
        key: Some(DEMO_KEY),
        content_type: None,
        body: None,
        status,
        mentions,
    }
}

fn link(amount: serde_json::Value, currency: &str) -> serde_json::Value {
    json!({"amount": amount, "currency": currency})
}

fn cases() -> Vec<Case> {
    let links = "/payment-links";
    let hooks = "/webhooks";
    let raw = |name, body: Vec<u8>, content_type, mentions| Case {
        name,
        method: Method::POST,
        path: links.to_string(),
        key: Some(DEMO_KEY),
        content_type,
        body: Some(body),
        status: 400,
        mentions,
    };
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let oversized = format!("{{\"amount\":\"1\",\"currency\":\"USDT\",\"description\":\"{}\"}}", "x".repeat(1_100_000));
    vec![
        post("missing amount", links, json!({"currency": "USDT"}), 400, "'amount' field is required"),
        post("missing currency", links, json!({"amount": "1"}), 400, "'currency' field is required"),
        post("null amount", links, link(json!(null), "USDT"), 400, "'amount'"),
        post("amount as a number", links, link(json!(75.0), "USDT"), 400, "'amount'"),
        post("amount not decimal", links, link(json!("abc"), "USDT"), 400, "'amount'"),
        post("amount with exponent", links, link(json!("1e5"), "USDT"), 400, "'amount'"),
        post("amount with comma", links, link(json!("1,000.00"), "USDT"), 400, "'amount'"),
        post("zero amount", links, link(json!("0"), "USDT"), 422, "'amount'"),
        post("negative amount", links, link(json!("-1"), "USDT"), 422, "'amount'"),
        post("absurd amount", links, link(json!("99999999999999999999999999999"), "USDT"), 422, "'amount'"),
        post("over the maximum", links, link(json!("1000000.01"), "USDT"), 422, "maximum"),
        post("over-precise", links, link(json!("1.0000001"), "USDT"), 422, "decimal places"),
        post("over-precise BTC", links, link(json!("0.000000001"), "BTC"), 422, "decimal places"),
        post("unknown currency", links, link(json!("1"), "XYZ"), 422, "currency"),
        post(
            "currency not a string",
            links,
            link(json!("1"), "USDT").clone().tap_set("currency", json!(5)),
            400,
            "'currency'",
        ),
        post(
            "description too long",
            links,
            json!({"amount": "1", "currency": "USDT", "description": "x".repeat(501)}),
            400,
            "'description'",
        ),
        post(
            "description not a string",
            links,
            json!({"amount": "1", "currency": "USDT", "description": 7}),
            400,
            "'description'",
        ),
        post(
            "description null (the contract's description is a string, optional means left out)",
            links,
            json!({"amount": "1", "currency": "USDT", "description": null}),
            400,
            "'description'",
        ),
        raw("malformed JSON", b"{\"amount\": ".to_vec(), JSON, "not valid JSON"),
        raw("JSON array body", b"[1,2]".to_vec(), JSON, "JSON object"),
        raw("empty body", Vec::new(), JSON, "not valid JSON"),
        raw("wrong content type", br#"{"amount":"1","currency":"USDT"}"#.to_vec(), Some("text/plain"), "Content-Type"),
        raw("no content type", br#"{"amount":"1","currency":"USDT"}"#.to_vec(), None, "Content-Type"),
        raw("deep nesting", deep.into_bytes(), JSON, "not valid JSON"),
        raw("over 1 MiB", oversized.into_bytes(), JSON, "larger than"),
        raw("not UTF-8", vec![0x7b, 0xff, 0xfe, 0x7d], JSON, "not valid JSON"),
        get("limit 0", "/payment-links?limit=0", 400, "'limit'"),
        get("limit 101", "/payment-links?limit=101", 400, "'limit'"),
        get("limit huge", "/payment-links?limit=99999999999999999999999", 400, "'limit'"),
        get("limit text", "/transactions?limit=ten", 400, "'limit'"),
        get("negative offset", "/payment-links?offset=-1", 400, "'offset'"),
        get("unknown link status", "/payment-links?status=bogus", 400, "'status'"),
        get("unknown transaction status", "/transactions?status=paid", 400, "'status'"),
        get("bad from", "/transactions?from=2024-13-45", 400, "'from'"),
        get("bad to", "/transactions?to=tomorrow", 400, "'to'"),
        get("from after to", "/transactions?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", 400, "'from'"),
        post(
            "webhook over http",
            hooks,
            json!({"url": "http://example.com/h", "events": ["payment.settled"]}),
            400,
            "'url'",
        ),
        post("webhook not a URL", hooks, json!({"url": "not a url", "events": ["payment.settled"]}), 400, "'url'"),
        post("webhook ftp", hooks, json!({"url": "ftp://example.com/h", "events": ["payment.settled"]}), 400, "'url'"),
        post(
            "webhook private http",
            hooks,
            json!({"url": "http://10.0.0.5/h", "events": ["payment.settled"]}),
            400,
            "'url'",
        ),
        post("webhook missing url", hooks, json!({"events": ["payment.settled"]}), 400, "'url' field is required"),
        post("webhook missing events", hooks, json!({"url": "https://e.com/h"}), 400, "'events' field is required"),
        post("webhook empty events", hooks, json!({"url": "https://e.com/h", "events": []}), 400, "at least one"),
        post(
            "webhook unknown event",
            hooks,
            json!({"url": "https://e.com/h", "events": ["payment.expired"]}),
            400,
            "unknown event",
        ),
        post(
            "webhook events not a list",
            hooks,
            json!({"url": "https://e.com/h", "events": "payment.settled"}),
            400,
            "'events'",
        ),
        Case { key: None, ..get("no key", "/payment-links", 401, "Missing API key") },
        Case { key: Some("pik_test_unknown"), ..get("unknown key", "/payment-links", 401, "Invalid API key") },
        Case { key: Some(READ_ONLY_KEY), ..post("read-only write", links, link(json!("1"), "USDT"), 403, "read-only") },
        Case {
            key: Some(READ_ONLY_KEY),
            ..Case { method: Method::DELETE, ..get("read-only delete", "/payment-links/pl_x", 403, "read-only") }
        },
        get("unknown path", "/refunds", 404, "No such endpoint"),
        get("unknown link", "/payment-links/pl_missing", 404, "No payment link"),
        Case { method: Method::PUT, ..get("wrong method", "/payment-links", 405, "not allowed") },
        Case { method: Method::PATCH, ..get("wrong method on one", "/transactions/txn_1", 405, "not allowed") },
    ]
}

trait TapSet {
    fn tap_set(self, key: &str, value: serde_json::Value) -> Self;
}

impl TapSet for serde_json::Value {
    fn tap_set(mut self, key: &str, value: serde_json::Value) -> Self {
        self[key] = value;
        self
    }
}

#[tokio::test]
async fn bad_input_gets_the_documented_4xx_never_a_5xx() {
    let sandbox = quiet_sandbox().await;
    let mut failures = Vec::new();
    for case in cases() {
        let (status, body) =
            raw(&sandbox, case.method.clone(), &case.path, case.key, case.content_type, case.body.clone()).await;
        let message = body["error"]["message"].as_str().unwrap_or_default().to_string();
        let code = body["error"]["code"].as_str().unwrap_or_default().to_string();
        let expected_code = match case.status {
            400 => "invalid_request",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            422 => "unprocessable_entity",
            _ => "?",
        };
        if status != case.status || code != expected_code || !message.contains(case.mentions) {
            failures.push(format!("{}: got {status} {code} {message:?}", case.name));
        }
        assert!(status < 500, "{}: answered {status}", case.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Still serving, and nothing was created by the bad requests.
    let (status, body) = raw(&sandbox, Method::GET, "/payment-links?limit=1", Some(DEMO_KEY), None, None).await;
    assert_eq!((status, body["total"].as_u64()), (200, Some(300)));
    let (status, _) = raw(&sandbox, Method::GET, "/webhooks", Some(DEMO_KEY), None, None).await;
    assert_eq!(status, 200);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn loopback_http_webhooks_are_allowed_in_the_sandbox() {
    let sandbox = quiet_sandbox().await;
    for url in ["http://127.0.0.1:9000/h", "http://localhost:9000/h", "http://[::1]:9000/h", "https://e.com/h"] {
        let body = json!({"url": url, "events": ["payment.settled", "payment.settled"]}).to_string().into_bytes();
        let (status, created) = raw(&sandbox, Method::POST, "/webhooks", Some(DEMO_KEY), JSON, Some(body)).await;
        assert_eq!(status, 201, "{url}: {created}");
        assert_eq!(created["events"], json!(["payment.settled"]), "duplicates are folded");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn huge_paging_values_and_odd_paths_get_4xx_or_an_empty_page() {
    let sandbox = quiet_sandbox().await;
    let long_id = format!("/payment-links/pl_{}", "x".repeat(10_000));
    let cases: Vec<(Method, String, u16)> = vec![
        (Method::GET, "/payment-links?limit=1000000".into(), 400),
        (Method::GET, "/payment-links?offset=99999999999999999999999".into(), 400),
        (Method::GET, "/payment-links?limit=-5".into(), 400),
        (Method::GET, "/payment-links/%FF%FE".into(), 400),
        (Method::GET, long_id, 404),
        // HEAD is answered like GET, without a body: standard HTTP.
        (Method::HEAD, "/webhooks".into(), 200),
        (Method::OPTIONS, "/payment-links".into(), 405),
        (Method::DELETE, "/webhooks".into(), 405),
        (Method::POST, "/transactions".into(), 405),
    ];
    for (method, path, expected) in cases {
        let (status, _) = raw(&sandbox, method.clone(), &path, Some(DEMO_KEY), None, None).await;
        assert_eq!(status, expected, "{method} {}", &path[..path.len().min(60)]);
    }
    // An offset past everything is a valid request for an empty page.
    let (status, body) =
        raw(&sandbox, Method::GET, "/payment-links?offset=18446744073709551615", Some(DEMO_KEY), None, None).await;
    assert_eq!((status, body["data"].as_array().map(Vec::len), body["total"].as_u64()), (200, Some(0), Some(300)));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_get_answers_never_a_5xx_and_it_keeps_serving() {
    let sandbox = start(pik_tui::sandbox::SandboxConfig {
        activity: false,
        rate_limit_per_sec: Some(25.0),
        ..pik_tui::sandbox::SandboxConfig::default()
    })
    .await;
    let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build().unwrap_or_default();
    let base = sandbox.base_url();
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move {
                let request = if i % 4 == 0 {
                    http.post(format!("{base}/payment-links")).json(&json!({"amount": "1.00", "currency": "USDT"}))
                } else {
                    http.get(format!("{base}/payment-links?limit=100&offset={}", i % 300))
                };
                request.bearer_auth(DEMO_KEY).send().await.map(|r| r.status().as_u16())
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for task in tasks {
        let status = match task.await {
            Ok(Ok(status)) => status.to_string(),
            Ok(Err(err)) => format!("error: {err}"),
            Err(err) => format!("task: {err}"),
        };
        *statuses.entry(status).or_insert(0) += 1;
    }
    let answered: u32 = ["200", "201", "429"].iter().map(|s| statuses.get(*s).copied().unwrap_or(0)).sum();
    assert_eq!(answered, 1000, "{statuses:?}");
    assert!(statuses.get("429").copied().unwrap_or(0) > 0, "the rate limit never answered: {statuses:?}");
    // And it still serves normally once the burst is over.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (status, _) = raw(&sandbox, Method::GET, "/webhooks", Some(DEMO_KEY), None, None).await;
    assert_eq!(status, 200);
    sandbox.shutdown().await;
}
