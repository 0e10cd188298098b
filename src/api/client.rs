//! The async PIK client. One `Client` is shared (cheaply cloned) by every task,
//! so its rate limiter bounds the whole program's request rate.

use super::error::ApiError;
use super::key::ApiKey;
use super::models::*;
use super::retry::RetryPolicy;
use crate::token_bucket::TokenBucket;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

/// PIK's production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.pik.global/v1";

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub key: ApiKey,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// The most requests a second this client sends, across all its tasks.
    pub max_requests_per_sec: f64,
    pub burst: u32,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, key: ApiKey) -> Self {
        Self {
            base_url: base_url.into(),
            key,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            max_requests_per_sec: 8.0,
            burst: 8,
            retry: RetryPolicy::default(),
        }
    }
}

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// A stricter limit of this handle's own, inside the shared one (the
    /// sync's share of the budget, so the live panes always come first).
    lane: Option<Arc<Mutex<TokenBucket>>>,
    retry: RetryPolicy,
    /// The id this handle's writes are sent with (`X-Request-Id`, and the
    /// `Idempotency-Key` of a create), so the audit log can name the request.
    request_id: Option<Arc<str>>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: HeaderValue,
    request_timeout: Duration,
    limiter: Mutex<TokenBucket>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.inner.base.as_str()).finish_non_exhaustive()
    }
}

/// Whether a host is this machine: `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Checks the base URL: HTTPS, or plain HTTP to this machine only (the sandbox).
fn parse_base_url(text: &str) -> Result<Url, ApiError> {
    let mut base = Url::parse(text.trim())
        .map_err(|err| ApiError::config(format!("the base URL {text:?} is not a URL: {err}")))?;
    let Some(host) = base.host() else {
        return Err(ApiError::config(format!("the base URL {text:?} has no host")));
    };
    match base.scheme() {
        "https" => {}
        "http" if is_loopback_host(&host) => {}
        "http" => {
            return Err(ApiError::config(format!(
                "refusing {text}: PIK requires HTTPS; plain http:// is allowed only for \
                 loopback addresses such as the local sandbox"
            )));
        }
        other => {
            return Err(ApiError::config(format!("the base URL must be https://, not {other}://")));
        }
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(ApiError::config("the base URL must not carry a user name or password"));
    }
    base.set_query(None);
    base.set_fragment(None);
    // A trailing slash makes the path a directory, so segments append to it.
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    Ok(base)
}

/// Reads `Retry-After`: delta-seconds or an HTTP date.
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

struct Response {
    status: StatusCode,
    body: bytes::Bytes,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let base = parse_base_url(&config.base_url)?;
        if config.key.is_empty() {
            return Err(ApiError::config("no API key given"));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.key.expose()))
            .map_err(|_| ApiError::config("the API key contains characters that cannot be sent"))?;
        // Marks the header so reqwest and hyper never print it.
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // A redirect could carry the key to another host or to plain HTTP.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("pik-tui/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| ApiError::config(format!("could not set up HTTP: {err}")))?;
        let limiter = TokenBucket::new(config.max_requests_per_sec, config.burst, Instant::now());
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                request_timeout: config.request_timeout,
                limiter: Mutex::new(limiter),
            }),
            lane: None,
            retry: config.retry,
            request_id: None,
        })
    }

    /// A handle on the same connection and shared limit that also keeps to
    /// `requests_per_sec` on its own, and retries reads by `retry`.
    pub fn with_share(&self, requests_per_sec: f64, retry: RetryPolicy) -> Client {
        let burst = requests_per_sec.ceil().clamp(1.0, 1000.0) as u32;
        let lane = TokenBucket::new(requests_per_sec, burst, Instant::now());
        Client { inner: self.inner.clone(), lane: Some(Arc::new(Mutex::new(lane))), retry, request_id: None }
    }

    /// A handle whose writes are sent with this id.
    pub fn with_request_id(&self, id: &str) -> Client {
        Client { request_id: Some(Arc::from(id)), ..self.clone() }
    }

    /// The base URL in use, for display.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str()
    }

    fn url(&self, segments: &[&str]) -> Result<Url, ApiError> {
        // `.` and `..` would be resolved as paths (`links get ..` would list
        // every link) and an empty id would hit the list endpoint.
        if let Some(bad) = segments.iter().find(|s| matches!(s.trim(), "" | "." | "..")) {
            return Err(ApiError::config(format!("{bad:?} is not a valid id")));
        }
        let mut url = self.inner.base.clone();
        {
            let mut path = url.path_segments_mut().map_err(|_| ApiError::config("the base URL cannot take a path"))?;
            path.pop_if_empty();
            // Each segment is percent-encoded, so an id typed by a person
            // (`../x`, `a?b`) cannot change which endpoint is called.
            path.extend(segments);
        }
        Ok(url)
    }

    /// Waits for a token from a bucket.
    async fn take(bucket: &Mutex<TokenBucket>) {
        loop {
            let wait = match bucket.lock() {
                Ok(mut bucket) => match bucket.try_take(Instant::now()) {
                    Ok(()) => return,
                    Err(wait) => wait,
                },
                // A panic elsewhere poisoned the lock; limiting is best effort.
                Err(_) => return,
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Waits for this handle's lane, then for the shared rate limiter.
    async fn throttle(&self) {
        if let Some(lane) = &self.lane {
            Self::take(lane).await;
        }
        Self::take(&self.inner.limiter).await;
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response, ApiError> {
        self.throttle().await;
        let mut request = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .header(header::AUTHORIZATION, self.inner.auth.clone())
            .header(header::ACCEPT, "application/json");
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if *method != Method::GET {
            let id = self.request_id.as_deref().map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
            request = request.header("X-Request-Id", id.as_str());
            if *method == Method::POST {
                // Harmless where PIK ignores it; lets a server that honours it
                // recognise a repeated create.
                request = request.header("Idempotency-Key", id);
            }
        }
        let started = Instant::now();
        let timeout = self.inner.request_timeout;
        let response = request.send().await.map_err(|err| ApiError::transport(err, timeout))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|err| ApiError::transport(err, timeout))?;
        tracing::debug!(%method, path = url.path(), status = status.as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "PIK request");
        if status.is_success() {
            return Ok(Response { status, body });
        }
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        Err(ApiError::from_response(status.as_u16(), content_type, &body, parse_retry_after(&headers)))
    }

    /// Sends a request. GETs are retried on 429, 5xx and transport errors;
    /// writes never are, since a repeated create makes a duplicate link.
    async fn send(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response, ApiError> {
        let url = self.url(segments)?;
        let retry = if method == Method::GET { self.retry } else { RetryPolicy::none() };
        let mut attempt = 0;
        loop {
            match self.send_once(&method, &url, query, body).await {
                Ok(response) => return Ok(response),
                Err(err) if err.is_retryable() => {
                    let Some(wait) = retry.delay(attempt, err.retry_after(), fastrand::f64()) else {
                        return Err(err);
                    };
                    tracing::info!(
                        path = url.path(),
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "retrying after: {}",
                        err.summary()
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    fn decode<T: DeserializeOwned>(response: &Response) -> Result<T, ApiError> {
        serde_json::from_slice(&response.body)
            .map_err(|err| ApiError::decode(response.status.as_u16(), err.to_string()))
    }

    fn decode_page<T: DeserializeOwned>(response: &Response) -> Result<Page<T>, ApiError> {
        Page::from_json(&response.body).map_err(|err| ApiError::decode(response.status.as_u16(), err.to_string()))
    }

    fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
        serde_json::to_value(value).map_err(|err| ApiError::config(format!("could not encode the request: {err}")))
    }

    fn paging(query: &mut Vec<(&str, String)>, limit: Option<u32>, offset: Option<u32>) {
        if let Some(limit) = limit {
            query.push(("limit", limit.to_string()));
        }
        if let Some(offset) = offset {
            query.push(("offset", offset.to_string()));
        }
    }

    /// `POST /payment-links`. Never retried: on a timeout the link may exist
    /// (see [`ApiError::may_have_reached_server`]).
    pub async fn create_link(&self, request: &CreateLink) -> Result<PaymentLink, ApiError> {
        let body = Self::to_json(request)?;
        let response = self.send(Method::POST, &["payment-links"], &[], Some(&body)).await?;
        Self::decode(&response)
    }

    /// `GET /payment-links`.
    pub async fn list_links(&self, query: &LinkQuery) -> Result<Page<PaymentLink>, ApiError> {
        let mut params = Vec::new();
        if let Some(status) = &query.status {
            params.push(("status", status.as_str().to_string()));
        }
        Self::paging(&mut params, query.limit, query.offset);
        let response = self.send(Method::GET, &["payment-links"], &params, None).await?;
        Self::decode_page(&response)
    }

    /// `GET /payment-links/{id}`.
    pub async fn get_link(&self, id: &str) -> Result<PaymentLink, ApiError> {
        let response = self.send(Method::GET, &["payment-links", id], &[], None).await?;
        Self::decode(&response)
    }

    /// `DELETE /payment-links/{id}` (documented by PIK's guide pages only).
    pub async fn deactivate_link(&self, id: &str) -> Result<PaymentLink, ApiError> {
        let response = self.send(Method::DELETE, &["payment-links", id], &[], None).await?;
        Self::decode(&response)
    }

    /// `GET /transactions`.
    pub async fn list_transactions(&self, query: &TransactionQuery) -> Result<Page<Transaction>, ApiError> {
        let mut params = Vec::new();
        if let Some(status) = &query.status {
            params.push(("status", status.as_str().to_string()));
        }
        if let Some(link) = &query.payment_link_id {
            params.push(("payment_link_id", link.clone()));
        }
        if let Some(currency) = &query.currency {
            params.push(("currency", currency.clone()));
        }
        let timestamp = |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if let Some(from) = &query.from {
            params.push(("from", timestamp(from)));
        }
        if let Some(to) = &query.to {
            params.push(("to", timestamp(to)));
        }
        Self::paging(&mut params, query.limit, query.offset);
        let response = self.send(Method::GET, &["transactions"], &params, None).await?;
        Self::decode_page(&response)
    }

    /// `GET /transactions/{id}`.
    pub async fn get_transaction(&self, id: &str) -> Result<Transaction, ApiError> {
        let response = self.send(Method::GET, &["transactions", id], &[], None).await?;
        Self::decode(&response)
    }

    /// `POST /webhooks`. The answer carries the secret, this once.
    pub async fn create_webhook(&self, request: &CreateWebhook) -> Result<CreatedWebhook, ApiError> {
        let body = Self::to_json(request)?;
        let response = self.send(Method::POST, &["webhooks"], &[], Some(&body)).await?;
        Self::decode(&response)
    }

    /// `GET /webhooks` (not paginated: no `limit`/`offset`).
    pub async fn list_webhooks(&self) -> Result<Page<Webhook>, ApiError> {
        let response = self.send(Method::GET, &["webhooks"], &[], None).await?;
        Self::decode_page(&response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_required_except_on_loopback() {
        for ok in [
            "https://api.pik.global/v1",
            "http://127.0.0.1:8080/v1",
            "http://localhost:1/v1/",
            "http://[::1]:9/v1",
            "http://127.8.9.10/v1",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
        for bad in ["http://api.pik.global/v1", "http://10.0.0.1/v1", "ftp://x/v1", "not a url", "https://u:p@h/v1"] {
            let err = parse_base_url(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(!err.is_empty(), "{bad} was accepted");
        }
        let refused = parse_base_url("http://api.pik.global/v1").err().map(|e| e.to_string());
        assert!(refused.is_some_and(|m| m.contains("requires HTTPS")));
    }

    #[test]
    fn ids_cannot_escape_their_path_segment() {
        let client = Client::new(ClientConfig::new("https://api.pik.global/v1", ApiKey::new("pik_test_x")));
        let Ok(client) = client else { panic!("client did not build") };
        let url = client.url(&["payment-links", "../webhooks?x=1"]).map(|u| u.to_string());
        assert_eq!(url.ok().as_deref(), Some("https://api.pik.global/v1/payment-links/..%2Fwebhooks%3Fx=1"));
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let config = ClientConfig::new("https://api.pik.global/v1", ApiKey::new("pik_live_supersecret"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("supersecret"), "{shown}");
        let Ok(client) = Client::new(config) else { panic!("client did not build") };
        assert!(!format!("{client:?}").contains("supersecret"));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(parse_retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(parse_retry_after(&headers), Some(Duration::ZERO));
    }
}
