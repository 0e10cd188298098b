//! The `/v1` endpoints, exactly as `pik-api.md` describes them: the same
//! paths, status codes, error bodies and pagination, and validation that
//! names the field at fault. No input may produce a 500.

use super::state::{Access, Shared};
use super::world::{self, Link, status};
use crate::money;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// The largest request body read; anything bigger is refused unread.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// An error answer in PIK's shape.
#[derive(Debug)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiFailure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        let code = match status.as_u16() {
            400 => "invalid_request",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            422 => "unprocessable_entity",
            429 => "rate_limited",
            _ => "internal_error",
        };
        Self { status, code, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, axum::Json(body)).into_response()
    }
}

type ApiResult<T> = Result<T, ApiFailure>;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/payment-links", get(list_links).post(create_link))
        .route("/payment-links/{id}", get(get_link).delete(deactivate_link))
        .route("/transactions", get(list_transactions))
        .route("/transactions/{id}", get(get_transaction))
        .route("/webhooks", get(list_webhooks).post(create_webhook))
}

pub async fn not_found() -> ApiFailure {
    ApiFailure::not_found("No such endpoint. See the PIK API reference for the available paths.")
}

pub async fn method_not_allowed() -> ApiFailure {
    ApiFailure::new(StatusCode::METHOD_NOT_ALLOWED, "This method is not allowed on this path.")
}

/// The query string as name → value (the last one wins on repeats).
fn query_map(raw: Option<String>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

struct Paging {
    limit: usize,
    offset: usize,
}

fn paging(query: &HashMap<String, String>) -> ApiResult<Paging> {
    let limit = match query.get("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiFailure::bad_request(format!("'limit' must be an integer from 1 to {MAX_LIMIT}.")));
            }
        },
    };
    let offset = match query.get("offset") {
        None => 0,
        Some(text) => {
            text.parse::<usize>().map_err(|_| ApiFailure::bad_request("'offset' must be a whole number, 0 or more."))?
        }
    };
    Ok(Paging { limit, offset })
}

fn one_of<'a>(query: &HashMap<String, String>, name: &str, allowed: &[&'a str]) -> ApiResult<Option<&'a str>> {
    match query.get(name) {
        None => Ok(None),
        Some(value) => allowed
            .iter()
            .find(|a| **a == value)
            .map(|a| Some(*a))
            .ok_or_else(|| ApiFailure::bad_request(format!("'{name}' must be one of {}.", allowed.join(", ")))),
    }
}

fn timestamp(query: &HashMap<String, String>, name: &str) -> ApiResult<Option<DateTime<Utc>>> {
    match query.get(name) {
        None => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(text).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
            ApiFailure::bad_request(format!("'{name}' must be an ISO 8601 timestamp such as 2024-01-15T10:30:00Z."))
        }),
    }
}

/// Newest first, stable under `limit`/`offset`.
fn page<T: Serialize>(items: &[T], keep: impl Fn(&T) -> bool, paging: &Paging) -> Value {
    let mut total = 0usize;
    let mut data = Vec::new();
    for item in items.iter().rev().filter(|item| keep(item)) {
        if total >= paging.offset && data.len() < paging.limit {
            data.push(json!(item));
        }
        total += 1;
    }
    json!({"data": data, "total": total, "limit": paging.limit, "offset": paging.offset})
}

fn path_id(id: Result<Path<String>, axum::extract::rejection::PathRejection>) -> ApiResult<String> {
    id.map(|Path(id)| id).map_err(|_| ApiFailure::bad_request("The id in the path is not valid."))
}

async fn list_links(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> ApiResult<impl IntoResponse> {
    let query = query_map(raw);
    let wanted = one_of(&query, "status", status::LINK)?;
    let paging = paging(&query)?;
    let world = shared.world();
    Ok(axum::Json(page(world.links(), |l| wanted.is_none_or(|s| l.status == s), &paging)))
}

async fn get_link(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<impl IntoResponse> {
    let id = path_id(id)?;
    let world = shared.world();
    let link = world.link(&id).ok_or_else(|| ApiFailure::not_found("No payment link found with the given ID."))?;
    Ok(axum::Json(json!(link)))
}

async fn deactivate_link(
    State(shared): State<Arc<Shared>>,
    access: Option<Extension<Access>>,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<impl IntoResponse> {
    require_write(access.map(|Extension(a)| a))?;
    let id = path_id(id)?;
    let mut world = shared.world();
    let link = world.link_mut(&id).ok_or_else(|| ApiFailure::not_found("No payment link found with the given ID."))?;
    match link.status.as_str() {
        status::ACTIVE | status::DEACTIVATED => {
            link.status = status::DEACTIVATED.to_string();
            link.expires_at = None;
            Ok(axum::Json(json!(link)))
        }
        other => Err(ApiFailure::unprocessable(format!(
            "Only an active payment link can be deactivated; this one is {other}."
        ))),
    }
}

async fn list_transactions(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> ApiResult<impl IntoResponse> {
    let query = query_map(raw);
    let wanted = one_of(&query, "status", status::TRANSACTION)?;
    let link = query.get("payment_link_id").cloned();
    let currency = query.get("currency").cloned();
    let from = timestamp(&query, "from")?;
    let to = timestamp(&query, "to")?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(ApiFailure::bad_request("'from' must not be after 'to'."));
    }
    let paging = paging(&query)?;
    let world = shared.world();
    let keep = |t: &world::Transaction| {
        wanted.is_none_or(|s| t.status == s)
            && link.as_ref().is_none_or(|l| &t.payment_link_id == l)
            && currency.as_ref().is_none_or(|c| &t.currency == c)
            && from.is_none_or(|f| t.created_at >= f)
            && to.is_none_or(|e| t.created_at <= e)
    };
    Ok(axum::Json(page(world.transactions(), keep, &paging)))
}

async fn get_transaction(
    State(shared): State<Arc<Shared>>,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<impl IntoResponse> {
    let id = path_id(id)?;
    let world = shared.world();
    let txn = world.transaction(&id).ok_or_else(|| ApiFailure::not_found("No transaction found with the given ID."))?;
    Ok(axum::Json(json!(txn)))
}

async fn list_webhooks(State(shared): State<Arc<Shared>>) -> ApiResult<impl IntoResponse> {
    let world = shared.world();
    // Newest first, and (as documented) without limit/offset.
    let data: Vec<Value> = world.webhooks.iter().rev().map(|w| json!(w)).collect();
    Ok(axum::Json(json!({"data": data, "total": data.len()})))
}

/// Reads a JSON object body: the right content type, at most 1 MiB, valid
/// JSON (serde_json's depth limit refuses deep nesting), an object.
pub async fn json_object(request: Request) -> ApiResult<serde_json::Map<String, Value>> {
    let (parts, body) = request.into_parts();
    check_json_content_type(&parts.headers)?;
    let bytes: Bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiFailure::bad_request(format!("The request body is larger than {MAX_BODY_BYTES} bytes.")))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|err| ApiFailure::bad_request(format!("The request body is not valid JSON: {err}.")))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ApiFailure::bad_request("The request body must be a JSON object.")),
    }
}

fn check_json_content_type(headers: &HeaderMap) -> ApiResult<()> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ApiFailure::bad_request("Send the body as JSON with 'Content-Type: application/json'."))
    }
}

fn required_string<'a>(body: &'a serde_json::Map<String, Value>, name: &str, example: &str) -> ApiResult<&'a str> {
    match body.get(name) {
        None | Some(Value::Null) => Err(ApiFailure::bad_request(format!("The '{name}' field is required."))),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(ApiFailure::bad_request(format!("The '{name}' field must be a string, for example {example}."))),
    }
}

/// Validates a create-link body into its parts.
pub fn validate_new_link(
    body: &serde_json::Map<String, Value>,
) -> ApiResult<(rust_decimal::Decimal, String, Option<String>)> {
    let amount_text = required_string(body, "amount", "\"75.00\"")?;
    let currency = required_string(body, "currency", "\"USDT\"")?;
    // Optional means left out: the contract has no null description.
    let description = match body.get("description") {
        None => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => {
            return Err(ApiFailure::bad_request("The 'description' field must be a string, or left out."));
        }
    };
    if let Some(text) = &description
        && text.chars().count() > money::MAX_DESCRIPTION_CHARS
    {
        return Err(ApiFailure::bad_request(format!(
            "The 'description' field must be at most {} characters.",
            money::MAX_DESCRIPTION_CHARS
        )));
    }
    let amount = money::parse_amount(amount_text).map_err(|err| match err {
        money::AmountError::Empty | money::AmountError::NotDecimal => {
            ApiFailure::bad_request(format!("The 'amount' field {err}."))
        }
        other => ApiFailure::unprocessable(format!("The 'amount' field {other}.")),
    })?;
    let Some(rule) = money::currency_rule(currency) else {
        let known: Vec<&str> = money::CURRENCIES.iter().map(|c| c.code).collect();
        return Err(ApiFailure::unprocessable(format!(
            "The currency '{}' is not supported. Use one of {}.",
            currency.chars().take(20).collect::<String>(),
            known.join(", ")
        )));
    };
    money::check_amount(amount, rule).map_err(|err| ApiFailure::unprocessable(format!("The 'amount' field {err}.")))?;
    Ok((amount, currency.to_string(), description))
}

async fn create_link(State(shared): State<Arc<Shared>>, request: Request) -> ApiResult<Response> {
    require_write(request.extensions().get::<Access>().copied())?;
    let body = json_object(request).await?;
    let (amount, currency, description) = validate_new_link(&body)?;
    let mut world = shared.world();
    let now = world.now();
    let link: Link = world.make_link(amount, currency, description, now);
    let at = world.insert_link(link);
    let created = json!(world.links()[at]);
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

/// Whether a webhook URL may be registered: https, or http to this machine
/// (so that local receivers work with the sandbox).
pub fn validate_webhook_url(text: &str) -> ApiResult<String> {
    let refuse =
        || ApiFailure::bad_request("The 'url' field must be an https:// URL (http:// only for loopback addresses).");
    let url = url::Url::parse(text).map_err(|_| refuse())?;
    let host = url.host().ok_or_else(refuse)?;
    match url.scheme() {
        "https" => Ok(url.to_string()),
        "http" if crate::api::is_loopback_host(&host) => Ok(url.to_string()),
        _ => Err(refuse()),
    }
}

async fn create_webhook(State(shared): State<Arc<Shared>>, request: Request) -> ApiResult<Response> {
    require_write(request.extensions().get::<Access>().copied())?;
    let body = json_object(request).await?;
    let url = validate_webhook_url(required_string(&body, "url", "\"https://example.com/pik\"")?)?;
    let events = match body.get("events") {
        None | Some(Value::Null) => {
            return Err(ApiFailure::bad_request("The 'events' field is required."));
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiFailure::bad_request("The 'events' field must be a list of event names."));
        }
    };
    if events.is_empty() {
        return Err(ApiFailure::bad_request("The 'events' field must name at least one event."));
    }
    let mut chosen: Vec<String> = Vec::new();
    for event in events {
        let name = event.as_str().unwrap_or_default();
        if !world::EVENTS.contains(&name) {
            return Err(ApiFailure::bad_request(format!(
                "The 'events' field holds an unknown event; use {}.",
                world::EVENTS.join(", ")
            )));
        }
        if !chosen.iter().any(|c| c == name) {
            chosen.push(name.to_string());
        }
    }
    let mut world = shared.world();
    let webhook = world::Webhook {
        id: world.new_id("wh_"),
        url,
        events: chosen,
        status: status::ACTIVE.to_string(),
        created_at: world.now(),
        secret: world.new_secret(),
    };
    let mut created = json!(webhook);
    created["secret"] = Value::String(webhook.secret.clone());
    world.webhooks.push(webhook);
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

/// Writes need a read-write key; the auth middleware put the access level in.
fn require_write(access: Option<Access>) -> ApiResult<()> {
    match access {
        Some(Access::ReadWrite) => Ok(()),
        _ => Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "This API key is read-only; it cannot create or change anything.",
        )),
    }
}
