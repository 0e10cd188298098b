//! The layers around `/v1`, outermost first: count the request, inject
//! faults, check the key, apply the per-key rate limit.

use super::api_routes::ApiFailure;
use super::state::{Access, Shared, lock};
use crate::token_bucket::TokenBucket;
use axum::body::Body;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which key a request was made with (its index in the configured keys).
#[derive(Debug, Clone, Copy)]
pub struct KeyIndex(pub usize);

/// `GET /v1/payment-links/pl_x` counts as `GET /v1/payment-links/{id}`.
pub fn route_key(method: &str, path: &str) -> String {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let template = match segments.as_slice() {
        ["v1", resource] => format!("/v1/{resource}"),
        ["v1", resource, _id] => format!("/v1/{resource}/{{id}}"),
        _ => "(other)".to_string(),
    };
    format!("{method} {template}")
}

/// The last four characters of the request's bearer key ("none" without one).
fn key_tail(request: &Request) -> String {
    let key = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let tail: String = key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    if tail.is_empty() { "none".into() } else { crate::sanitize::for_terminal(&tail).into_owned() }
}

pub async fn count(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    // Inside the nested `/v1` router the path has lost its prefix.
    let path = match request.extensions().get::<OriginalUri>() {
        Some(OriginalUri(uri)) => uri.path().to_string(),
        None => request.uri().path().to_string(),
    };
    let key = route_key(request.method().as_str(), &path);
    let bearer = key_tail(&request);
    let query = request.uri().query().unwrap_or("");
    let param = |name: &str| query.split('&').find_map(|pair| pair.strip_prefix(name)).map(str::to_string);
    let offset = param("offset=").and_then(|n| n.parse::<u64>().ok());
    // A list of one status (a sweep of the active links) is another list.
    let list = match param("status=") {
        Some(status) => format!("{key}?status={}", crate::sanitize::for_terminal_truncated(&status, 20)),
        None => key.clone(),
    };
    {
        let mut counter = lock(&shared.counter);
        counter.total += 1;
        if let Some(offset) = offset {
            let deepest = counter.deepest.entry(list).or_insert(0);
            *deepest = (*deepest).max(offset);
        }
        *counter.by_route.entry(key).or_insert(0) += 1;
        *counter.by_key.entry(bearer).or_insert(0) += 1;
    }
    next.run(request).await
}

fn too_many(retry_after: Duration, message: &str) -> Response {
    let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
    let mut response = ApiFailure::new(StatusCode::TOO_MANY_REQUESTS, message).into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

enum Injected {
    None,
    Error,
    RateLimit,
    Malformed,
    Truncated,
}

pub async fn faults(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let faults = lock(&shared.faults).clone();
    if !faults.applies_to(request.method().as_str()) {
        return next.run(request).await;
    }
    let injected = {
        let mut forced = lock(&shared.faults);
        if forced.force_429 > 0 {
            forced.force_429 -= 1;
            Injected::RateLimit
        } else {
            let roll = lock(&shared.fault_rng).f64();
            let mut threshold = 0.0;
            let mut pick = Injected::None;
            for (rate, kind) in [
                (faults.error_rate, Injected::Error),
                (faults.rate_limit_rate, Injected::RateLimit),
                (faults.malformed_rate, Injected::Malformed),
                (faults.truncated_rate, Injected::Truncated),
            ] {
                threshold += rate.clamp(0.0, 1.0);
                if roll < threshold {
                    pick = kind;
                    break;
                }
            }
            pick
        }
    };
    let retry_after = Duration::from_secs(faults.retry_after_secs.max(1));
    match injected {
        Injected::Error => {
            let message = faults.message.as_deref().unwrap_or("Injected fault: internal error.");
            return ApiFailure::new(StatusCode::INTERNAL_SERVER_ERROR, message).into_response();
        }
        Injected::RateLimit => {
            return too_many(retry_after, faults.message.as_deref().unwrap_or("Injected fault: too many requests."));
        }
        _ => {}
    }
    let response = next.run(request).await;
    let slow = faults.slow_rate <= 0.0 || lock(&shared.fault_rng).f64() < faults.slow_rate;
    if faults.latency_ms > 0 && slow {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    match injected {
        Injected::Malformed | Injected::Truncated => {
            let (mut parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let broken: Vec<u8> = if matches!(injected, Injected::Malformed) {
                match &faults.malformed_body {
                    Some(body) => body.as_bytes().to_vec(),
                    None => b"{\"data\": [{\"id\": \"pl_\x00broken, \"amount\": }".to_vec(),
                }
            } else {
                bytes[..bytes.len() / 2].to_vec()
            };
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(broken))
        }
        _ => response,
    }
}

/// Compares without an early exit, so timing does not reveal key prefixes.
fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn auth(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let header_value = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some(presented) = header_value.and_then(|v| v.strip_prefix("Bearer ")).map(str::trim) else {
        return ApiFailure::new(
            StatusCode::UNAUTHORIZED,
            "Missing API key. Send it as 'Authorization: Bearer YOUR_API_KEY'.",
        )
        .into_response();
    };
    let Some(index) = shared.keys.iter().position(|k| same_key(&k.key, presented)) else {
        return ApiFailure::new(StatusCode::UNAUTHORIZED, "Invalid API key.").into_response();
    };
    let access: Access = shared.keys[index].access;
    request.extensions_mut().insert(access);
    request.extensions_mut().insert(KeyIndex(index));
    next.run(request).await
}

pub async fn rate_limit(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if let (Some(rate), Some(KeyIndex(index))) = (shared.rate_limit_per_sec, request.extensions().get::<KeyIndex>()) {
        let now = Instant::now();
        let verdict = {
            let mut buckets = lock(&shared.buckets);
            let burst = rate.ceil().max(1.0) as u32;
            buckets.entry(*index).or_insert_with(|| TokenBucket::new(rate, burst, now)).try_take(now)
        };
        if let Err(wait) = verdict {
            return too_many(wait, "Too many requests. Slow down and retry after the time in Retry-After.");
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_counted_by_template() {
        assert_eq!(route_key("GET", "/v1/payment-links"), "GET /v1/payment-links");
        assert_eq!(route_key("GET", "/v1/payment-links/pl_1/"), "GET /v1/payment-links/{id}");
        assert_eq!(route_key("POST", "/v1/a/b/c"), "POST (other)");
        assert!(same_key("pik_test_a", "pik_test_a"));
        assert!(!same_key("pik_test_a", "pik_test_b"));
        assert!(!same_key("pik_test_a", "pik_test_"));
    }
}
