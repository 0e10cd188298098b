//! Test controls under `/_sandbox/`: they exist only in the sandbox, need no
//! key, and let tests drive time, payments and faults, and read counters.

use super::api_routes::{ApiFailure, json_object, validate_webhook_url};
use super::state::{Faults, Shared, lock};
use super::world::{self, Outcome, Pace, status};
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::sync::Arc;

type ControlResult = Result<Response, ApiFailure>;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/requests", get(requests).delete(reset_requests))
        .route("/faults", get(get_faults).put(set_faults).delete(clear_faults))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/activity", post(set_activity))
        .route("/payment-links", post(plant_link))
        .route("/payment-links/{id}/pay", post(pay_link))
        .route("/transactions", post(plant_transaction))
        .route("/webhooks", post(plant_webhook))
        .route("/deliveries", get(deliveries))
}

async fn body_as<T: DeserializeOwned>(request: Request) -> Result<T, ApiFailure> {
    let map = json_object(request).await?;
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|err| ApiFailure::bad_request(format!("The control body is not valid: {err}.")))
}

async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(json!(*lock(&shared.counter))).into_response()
}

async fn reset_requests(State(shared): State<Arc<Shared>>) -> Response {
    *lock(&shared.counter) = Default::default();
    StatusCode::NO_CONTENT.into_response()
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(json!(*lock(&shared.faults))).into_response()
}

async fn set_faults(State(shared): State<Arc<Shared>>, request: Request) -> ControlResult {
    let faults: Faults = body_as(request).await?;
    let rates =
        [faults.error_rate, faults.rate_limit_rate, faults.malformed_rate, faults.truncated_rate, faults.slow_rate];
    if rates.iter().any(|r| !(0.0..=1.0).contains(r)) {
        return Err(ApiFailure::bad_request("Fault rates must be between 0 and 1."));
    }
    *lock(&shared.faults) = faults.clone();
    Ok(axum::Json(json!(faults)).into_response())
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    *lock(&shared.faults) = Faults::default();
    StatusCode::NO_CONTENT.into_response()
}

fn clock_view(shared: &Shared) -> serde_json::Value {
    let world = shared.world();
    json!({"now": world.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "speed": world.clock.speed()})
}

async fn clock(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(clock_view(&shared)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: u64,
}

async fn advance_clock(State(shared): State<Arc<Shared>>, request: Request) -> ControlResult {
    let Advance { seconds } = body_as(request).await?;
    let seconds = i64::try_from(seconds).unwrap_or(i64::MAX).min(365 * 86_400);
    shared.world().clock.advance(chrono::Duration::seconds(seconds));
    Ok(axum::Json(clock_view(&shared)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Activity {
    enabled: bool,
    new_payment_every_secs: Option<f64>,
    new_link_every_secs: Option<f64>,
}

async fn set_activity(State(shared): State<Arc<Shared>>, request: Request) -> ControlResult {
    let activity: Activity = body_as(request).await?;
    let mut world = shared.world();
    world.activity = activity.enabled;
    let defaults = Pace::default();
    let positive = |v: Option<f64>, d: f64| v.filter(|v| v.is_finite() && *v > 0.0).unwrap_or(d);
    world.set_pace(Pace {
        new_payment_every: positive(activity.new_payment_every_secs, defaults.new_payment_every),
        new_link_every: positive(activity.new_link_every_secs, defaults.new_link_every),
    });
    Ok(axum::Json(json!({"enabled": world.activity})).into_response())
}

/// A link with exactly the given fields, unvalidated: for planting hostile
/// or undocumented values (`status: "cancelled"`, escape sequences...).
/// A planted amount: any decimal string (planting may break PIK's rules,
/// not JSON's types).
fn decimal_amount(text: &str) -> Result<Decimal, ApiFailure> {
    text.trim()
        .parse::<Decimal>()
        .map_err(|_| ApiFailure::bad_request("The 'amount' field must be a decimal string, for example \"75.00\"."))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlantLink {
    id: Option<String>,
    url: Option<String>,
    /// A decimal string, never a JSON number (money is never a float).
    amount: String,
    currency: String,
    description: Option<String>,
    status: Option<String>,
    created_at: Option<DateTime<Utc>>,
    paid_at: Option<DateTime<Utc>>,
}

async fn plant_link(State(shared): State<Arc<Shared>>, request: Request) -> ControlResult {
    let plant: PlantLink = body_as(request).await?;
    let amount = decimal_amount(&plant.amount)?;
    let mut world = shared.world();
    let created_at = plant.created_at.unwrap_or_else(|| world.now());
    let mut link = world.make_link(amount, plant.currency, plant.description, created_at);
    if let Some(id) = plant.id {
        if world.link(&id).is_some() {
            return Err(ApiFailure::unprocessable("A payment link with this id exists already."));
        }
        link.url = world.checkout_url(&id);
        link.id = id;
    }
    if let Some(url) = plant.url {
        link.url = url;
    }
    if let Some(state) = plant.status {
        if state != status::ACTIVE {
            link.expires_at = None;
        }
        link.status = state;
    }
    link.paid_at = plant.paid_at;
    let at = world.insert_link(link);
    Ok((StatusCode::CREATED, axum::Json(json!(world.links()[at]))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pay {
    outcome: Option<Outcome>,
    /// What the customer sent, when not the link's amount: a decimal string.
    amount: Option<String>,
}

async fn pay_link(State(shared): State<Arc<Shared>>, Path(id): Path<String>, request: Request) -> ControlResult {
    let Pay { outcome, amount } = body_as(request).await?;
    let amount = amount.as_deref().map(decimal_amount).transpose()?;
    if amount.is_some_and(|a| a <= Decimal::ZERO) {
        return Err(ApiFailure::bad_request("The 'amount' of a payment must be more than 0."));
    }
    let txn = shared.world().start_payment(&id, outcome, amount);
    match txn {
        Some(txn) => Ok((StatusCode::CREATED, axum::Json(json!(txn))).into_response()),
        None => Err(ApiFailure::not_found("No payment link found with the given ID.")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlantTransaction {
    payment_link_id: String,
    status: Option<String>,
    tx_hash: Option<String>,
    amount: Option<String>,
    created_at: Option<DateTime<Utc>>,
    confirmed_at: Option<DateTime<Utc>>,
    settled_at: Option<DateTime<Utc>>,
}

async fn plant_transaction(State(shared): State<Arc<Shared>>, request: Request) -> ControlResult {
    let plant: PlantTransaction = body_as(request).await?;
    let amount = plant.amount.as_deref().map(decimal_amount).transpose()?;
    let mut world = shared.world();
    let Some(link) = world.link(&plant.payment_link_id).cloned() else {
        return Err(ApiFailure::not_found("No payment link found with the given ID."));
    };
    let txn = world::Transaction {
        id: world.new_id("txn_"),
        payment_link_id: link.id,
        amount: amount.unwrap_or(link.amount),
        currency: link.currency,
        status: plant.status.unwrap_or_else(|| status::PENDING.to_string()),
        tx_hash: plant.tx_hash,
        created_at: plant.created_at.unwrap_or_else(|| world.now()),
        confirmed_at: plant.confirmed_at,
        settled_at: plant.settled_at,
        plan: None,
    };
    let at = world.insert_transaction(txn);
    Ok((StatusCode::CREATED, axum::Json(json!(world.transactions()[at]))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlantWebhook {
    url: String,
    events: Vec<String>,
    status: Option<String>,
    /// Set to plant a URL the public endpoint would refuse (hostile text).
    #[serde(default)]
    unchecked_url: bool,
}

async fn plant_webhook(State(shared): State<Arc<Shared>>, request: Request) -> ControlResult {
    let plant: PlantWebhook = body_as(request).await?;
    let url = if plant.unchecked_url { plant.url } else { validate_webhook_url(&plant.url)? };
    let mut world = shared.world();
    let webhook = world::Webhook {
        id: world.new_id("wh_"),
        url,
        events: plant.events,
        status: plant.status.unwrap_or_else(|| status::ACTIVE.to_string()),
        created_at: world.now(),
        secret: world.new_secret(),
    };
    let mut created = json!(webhook);
    created["secret"] = json!(webhook.secret.clone());
    world.webhooks.push(webhook);
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

async fn deliveries(State(shared): State<Arc<Shared>>) -> Response {
    let world = shared.world();
    axum::Json(json!({"data": world.deliveries})).into_response()
}
