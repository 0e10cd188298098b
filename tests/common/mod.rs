//! Shared by the integration tests: a sandbox on loopback, a client for it,
//! and calls to its test controls.
#![allow(dead_code)]

pub mod convergence;
pub mod pty;

use pik_tui::api::{
    ApiKey, Client, ClientConfig, LinkQuery, Page, PaymentLink, RetryPolicy, Transaction, TransactionQuery,
};
use pik_tui::sandbox::{self, Sandbox, SandboxConfig};
use serde_json::Value;
use std::time::Duration;

/// A quiet sandbox: seeded data, no simulated activity, no rate limit.
pub async fn quiet_sandbox() -> Sandbox {
    start(SandboxConfig { activity: false, rate_limit_per_sec: None, ..SandboxConfig::default() }).await
}

/// For a test that drives the binary from plain threads: a runtime and a
/// quiet sandbox on it (the runtime must outlive the sandbox).
pub fn runtime_with_quiet_sandbox() -> (tokio::runtime::Runtime, Sandbox) {
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else {
        panic!("no runtime")
    };
    let sandbox = runtime.block_on(quiet_sandbox());
    (runtime, sandbox)
}

pub async fn start(config: SandboxConfig) -> Sandbox {
    match sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(err) => panic!("sandbox did not start: {err}"),
    }
}

/// A client with fast retries, so backoff tests stay short.
pub fn client_with(sandbox: &Sandbox, key: &str, retry: RetryPolicy) -> Client {
    let mut config = ClientConfig::new(sandbox.base_url(), ApiKey::new(key));
    config.retry = retry;
    config.max_requests_per_sec = 1000.0;
    config.burst = 1000;
    config.request_timeout = Duration::from_secs(5);
    match Client::new(config) {
        Ok(client) => client,
        Err(err) => panic!("client did not build: {err}"),
    }
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn client(sandbox: &Sandbox) -> Client {
    client_with(sandbox, sandbox::DEMO_KEY, fast_retry())
}

/// Calls a `/_sandbox` control; returns the status and the JSON body (or Null).
pub async fn control(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let http = reqwest::Client::new();
    let mut request = http.request(method, format!("{}{path}", sandbox.control_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(err) => panic!("control {path} failed: {err}"),
    };
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// The sandbox's count of `/v1` requests, in all and for one route.
pub async fn request_count(sandbox: &Sandbox, route: &str) -> (u64, u64) {
    let (_, body) = control(sandbox, reqwest::Method::GET, "/requests", None).await;
    (body["total"].as_u64().unwrap_or(0), body["by_route"][route].as_u64().unwrap_or(0))
}

pub async fn reset_requests(sandbox: &Sandbox) {
    control(sandbox, reqwest::Method::DELETE, "/requests", None).await;
}

/// A raw request to `/v1`, bypassing the typed client.
pub async fn raw(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    content_type: Option<&str>,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let http = reqwest::Client::new();
    let mut request = http.request(method, format!("{}{path}", sandbox.base_url()));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(err) => panic!("request {path} failed: {err}"),
    };
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap_or_default();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Reads a half-block QR code (as a terminal shows it) back into text: the
/// blocks become pixels, 4 per module, and `rqrr` decodes them like a camera.
pub fn decode_half_block_qr(lines: &[String]) -> Option<String> {
    let modules = pik_tui::qr::modules_from_half_blocks(lines);
    let height = modules.len();
    let width = modules.iter().map(Vec::len).max()?;
    const SCALE: usize = 4;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width * SCALE, height * SCALE, |x, y| {
        let dark = modules[y / SCALE].get(x / SCALE).copied().unwrap_or(false);
        if dark { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    grids.first().and_then(|grid| grid.decode().ok()).map(|(_, text)| text)
}

/// Every row of a source that pages like PIK (100 a page).
pub async fn every<T, F, Fut>(mut page: F) -> Vec<T>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Page<T>>,
{
    let mut rows = Vec::new();
    for offset in (0..).step_by(100) {
        let next = page(offset).await;
        let count = next.data.len();
        rows.extend(next.data);
        if count < 100 {
            break;
        }
    }
    rows
}

/// Every link and transaction PIK (the sandbox) holds, read through its API.
pub async fn truth(client: &Client) -> (Vec<PaymentLink>, Vec<Transaction>) {
    let links = every(|offset| async move {
        let query = LinkQuery { limit: Some(100), offset: Some(offset), ..LinkQuery::default() };
        match client.list_links(&query).await {
            Ok(page) => page,
            Err(err) => panic!("{err}"),
        }
    })
    .await;
    let transactions = every(|offset| async move {
        let query = TransactionQuery { limit: Some(100), offset: Some(offset), ..TransactionQuery::default() };
        match client.list_transactions(&query).await {
            Ok(page) => page,
            Err(err) => panic!("{err}"),
        }
    })
    .await;
    (links, transactions)
}
