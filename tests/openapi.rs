//! Both sides against `assets/openapi.yaml`: every operation it describes is
//! called on the sandbox and each answer must match the schema documented for
//! its status; the client's models decode the spec's examples and its request
//! bodies match the spec's request schemas.

mod common;

use common::*;
use pik_tui::api::*;
use pik_tui::sandbox::{self, Sandbox};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn spec() -> Value {
    let text = include_str!("../assets/openapi.yaml");
    match serde_norway::from_str::<Value>(text) {
        Ok(value) => value,
        Err(err) => panic!("openapi.yaml does not parse: {err}"),
    }
}

/// Escapes a JSON pointer token.
fn token(text: &str) -> String {
    text.replace('~', "~0").replace('/', "~1")
}

fn pointer_get<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    match doc.pointer(pointer.trim_start_matches('#')) {
        Some(value) => value,
        None => panic!("the spec has nothing at {pointer}"),
    }
}

/// What is wrong with `instance` against the schema at `pointer`, resolving
/// `$ref`s within the whole document.
fn violations(doc: &Value, pointer: &str, instance: &Value) -> Vec<String> {
    let mut root = doc.clone();
    if let Value::Object(map) = &mut root {
        // A `$ref` is a URI: braces in path templates must be percent-encoded.
        let reference = pointer.replace('{', "%7B").replace('}', "%7D");
        map.insert("$ref".into(), Value::String(reference));
    }
    let validator =
        jsonschema::options().with_draft(jsonschema::Draft::Draft202012).should_validate_formats(true).build(&root);
    let validator = match validator {
        Ok(validator) => validator,
        Err(err) => panic!("schema at {pointer} does not compile: {err}"),
    };
    validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn check(doc: &Value, pointer: &str, instance: &Value, what: &str) {
    let errors = violations(doc, pointer, instance);
    assert!(errors.is_empty(), "{what}: does not match {pointer}:\n{}\n{instance:#}", errors.join("\n"));
}

#[test]
fn the_schemas_refuse_what_the_contract_forbids() {
    let doc = spec();
    let schemas = "#/components/schemas";
    let link = json!({"id": "pl_1", "url": "https://pay.pik.global/pl_1", "amount": "75.00", "currency": "USDT", "status": "active", "created_at": "2024-01-15T10:30:00Z"});
    assert!(violations(&doc, &format!("{schemas}/PaymentLink"), &link).is_empty());
    let mut float_amount = link.clone();
    float_amount["amount"] = json!(75.0);
    let mut bad_time = link.clone();
    bad_time["created_at"] = json!("yesterday");
    let mut no_url = link.clone();
    no_url.as_object_mut().map(|m| m.remove("url"));
    for (what, instance) in [("float amount", float_amount), ("bad time", bad_time), ("no url", no_url)] {
        assert!(!violations(&doc, &format!("{schemas}/PaymentLink"), &instance).is_empty(), "{what} passed");
    }
    let leaked = json!({"data": [{"id": "wh_1", "url": "https://e.com/h", "events": ["payment.settled"], "status": "active", "created_at": "2024-01-15T10:30:00Z", "secret": "whsec_x"}], "total": 1});
    assert!(!violations(&doc, &format!("{schemas}/WebhookList"), &leaked).is_empty(), "a listed secret passed");
    let paged = json!({"data": [], "total": 0, "limit": 20, "offset": 0});
    assert!(!violations(&doc, &format!("{schemas}/WebhookList"), &paged).is_empty(), "webhook paging passed");
}

/// The schema pointer of a documented response, following `$ref`s.
fn response_schema(doc: &Value, path: &str, method: &str, status: u16) -> Option<String> {
    let mut pointer = format!("#/paths/{}/{}/responses/{status}", token(path), method.to_lowercase());
    let mut response = doc.pointer(pointer.trim_start_matches('#'))?;
    if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
        pointer = reference.to_string();
        response = pointer_get(doc, reference);
    }
    response.pointer("/content/application~1json/schema")?;
    Some(format!("{pointer}/content/application~1json/schema"))
}

/// Every (method, path) in the spec, with its tag.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "delete", "patch"] {
                if item.get(method).is_some() {
                    found.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
    }
    found
}

struct Call<'a> {
    method: Method,
    /// The path as written in the spec.
    spec_path: &'a str,
    /// The path requested.
    path: String,
    key: Option<&'a str>,
    body: Option<Value>,
    expect: u16,
}

fn call(method: Method, spec_path: &str, path: impl Into<String>, body: Option<Value>, expect: u16) -> Call<'_> {
    Call { method, spec_path, path: path.into(), key: Some(sandbox::DEMO_KEY), body, expect }
}

async fn run(sandbox: &Sandbox, doc: &Value, call: &Call<'_>) -> Value {
    let is_control = call.spec_path.starts_with("/_sandbox");
    let url = if is_control {
        format!("http://{}{}", sandbox.addr(), call.path)
    } else {
        format!("{}{}", sandbox.base_url(), call.path)
    };
    let mut request = reqwest::Client::new().request(call.method.clone(), url);
    if let (Some(key), false) = (call.key, is_control) {
        request = request.bearer_auth(key);
    }
    if let Some(body) = &call.body {
        request = request.json(body);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(err) => panic!("{} {}: {err}", call.method, call.path),
    };
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").is_some();
    let bytes = response.bytes().await.unwrap_or_default();
    let what = format!("{} {} -> {status}", call.method, call.path);
    assert_eq!(status, call.expect, "{what}: {}", String::from_utf8_lossy(&bytes));
    if status == 429 {
        assert!(retry_after, "{what}: 429 without Retry-After");
    }
    let documented = doc
        .pointer(&format!(
            "/paths/{}/{}/responses/{status}",
            token(call.spec_path),
            call.method.as_str().to_lowercase()
        ))
        .is_some();
    assert!(documented, "{what}: status {status} is not documented for this operation");
    if status == 204 {
        assert!(bytes.is_empty(), "{what}: 204 with a body");
        return Value::Null;
    }
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(body) => body,
        Err(err) => panic!("{what}: not JSON ({err})"),
    };
    let Some(schema) = response_schema(doc, call.spec_path, call.method.as_str(), status) else {
        panic!("{what}: no schema documented");
    };
    check(doc, &schema, &body, &what);
    body
}

#[tokio::test]
async fn the_sandbox_answers_every_operation_as_documented() {
    let doc = spec();
    let sandbox = quiet_sandbox().await;
    let client = client(&sandbox);
    let paid = client
        .list_links(&LinkQuery { status: Some(LinkStatus::Paid), limit: Some(1), offset: None })
        .await
        .map(|p| p.data[0].id.clone())
        .unwrap_or_default();
    let active = client
        .list_links(&LinkQuery { status: Some(LinkStatus::Active), limit: Some(3), offset: None })
        .await
        .map(|p| p.data.iter().map(|l| l.id.clone()).collect::<Vec<_>>())
        .unwrap_or_default();
    let txn = client
        .list_transactions(&TransactionQuery { limit: Some(1), ..Default::default() })
        .await
        .map(|p| p.data[0].clone());
    let Ok(txn) = txn else { panic!("no transaction") };
    let link_id = txn.payment_link_id.clone().unwrap_or_default();

    let (links, one_link, txns, one_txn, hooks) =
        ("/payment-links", "/payment-links/{id}", "/transactions", "/transactions/{id}", "/webhooks");
    let mut calls = vec![
        call(
            Method::POST,
            links,
            links,
            Some(json!({"amount": "75.00", "currency": "USDT", "description": "Order #1234"})),
            201,
        ),
        call(Method::POST, links, links, Some(json!({"currency": "USDT"})), 400),
        call(Method::POST, links, links, Some(json!({"amount": "0", "currency": "USDT"})), 422),
        Call {
            key: Some(sandbox::READ_ONLY_KEY),
            ..call(Method::POST, links, links, Some(json!({"amount": "1", "currency": "USDT"})), 403)
        },
        Call {
            key: Some("pik_test_nope"),
            ..call(Method::POST, links, links, Some(json!({"amount": "1", "currency": "USDT"})), 401)
        },
        call(Method::GET, links, "/payment-links?status=paid&limit=100&offset=1", None, 200),
        call(Method::GET, links, "/payment-links?limit=0", None, 400),
        Call { key: None, ..call(Method::GET, links, links, None, 401) },
        call(Method::GET, one_link, format!("/payment-links/{paid}"), None, 200),
        call(Method::GET, one_link, "/payment-links/pl_missing", None, 404),
        call(Method::DELETE, one_link, format!("/payment-links/{}", active[0]), None, 200),
        call(Method::DELETE, one_link, format!("/payment-links/{paid}"), None, 422),
        call(Method::DELETE, one_link, "/payment-links/pl_missing", None, 404),
        Call {
            key: Some(sandbox::READ_ONLY_KEY),
            ..call(Method::DELETE, one_link, format!("/payment-links/{}", active[1]), None, 403)
        },
        call(
            Method::GET,
            txns,
            format!(
                "/transactions?status={}&payment_link_id={link_id}&currency={}&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=100",
                txn.status, txn.currency
            ),
            None,
            200,
        ),
        call(Method::GET, txns, "/transactions?from=yesterday", None, 400),
        call(Method::GET, one_txn, format!("/transactions/{}", txn.id), None, 200),
        call(Method::GET, one_txn, "/transactions/txn_missing", None, 404),
        call(
            Method::POST,
            hooks,
            hooks,
            Some(json!({"url": "https://example.com/pik", "events": ["payment.settled"]})),
            201,
        ),
        call(Method::POST, hooks, hooks, Some(json!({"url": "https://example.com/pik", "events": []})), 400),
        call(Method::GET, hooks, hooks, None, 200),
        // Sandbox controls.
        call(Method::GET, "/_sandbox/requests", "/_sandbox/requests", None, 200),
        call(Method::DELETE, "/_sandbox/requests", "/_sandbox/requests", None, 204),
        call(Method::GET, "/_sandbox/faults", "/_sandbox/faults", None, 200),
        call(Method::PUT, "/_sandbox/faults", "/_sandbox/faults", Some(json!({"error_rate": 2})), 400),
        call(Method::DELETE, "/_sandbox/faults", "/_sandbox/faults", None, 204),
        call(Method::GET, "/_sandbox/clock", "/_sandbox/clock", None, 200),
        call(Method::POST, "/_sandbox/clock/advance", "/_sandbox/clock/advance", Some(json!({"seconds": 60})), 200),
        call(Method::POST, "/_sandbox/activity", "/_sandbox/activity", Some(json!({"enabled": false})), 200),
        call(
            Method::POST,
            "/_sandbox/payment-links",
            "/_sandbox/payment-links",
            Some(json!({"amount": "1.5", "currency": "BTC", "status": "cancelled"})),
            201,
        ),
        call(
            Method::POST,
            "/_sandbox/payment-links/{id}/pay",
            format!("/_sandbox/payment-links/{}/pay", active[2]),
            Some(json!({"outcome": "settle"})),
            201,
        ),
        call(
            Method::POST,
            "/_sandbox/payment-links/{id}/pay",
            "/_sandbox/payment-links/pl_missing/pay",
            Some(json!({})),
            404,
        ),
        call(
            Method::POST,
            "/_sandbox/transactions",
            "/_sandbox/transactions",
            Some(json!({"payment_link_id": paid, "status": "refunded"})),
            201,
        ),
        call(
            Method::POST,
            "/_sandbox/webhooks",
            "/_sandbox/webhooks",
            Some(json!({"url": "http://127.0.0.1:9/h", "events": ["payment.failed"]})),
            201,
        ),
        call(Method::GET, "/_sandbox/deliveries", "/_sandbox/deliveries", None, 200),
    ];
    // The last two statuses of the table: forced with faults.
    calls.push(call(Method::PUT, "/_sandbox/faults", "/_sandbox/faults", Some(json!({"force_429": 1})), 200));
    calls.push(call(Method::GET, hooks, hooks, None, 429));
    calls.push(call(Method::PUT, "/_sandbox/faults", "/_sandbox/faults", Some(json!({"error_rate": 1.0})), 200));
    calls.push(call(Method::GET, one_txn, format!("/transactions/{}", txn.id), None, 500));
    calls.push(call(Method::DELETE, "/_sandbox/faults", "/_sandbox/faults", None, 204));

    let mut exercised = BTreeSet::new();
    for call in &calls {
        run(&sandbox, &doc, call).await;
        exercised.insert((call.method.to_string(), call.spec_path.to_string()));
    }
    assert_eq!(exercised, operations(&doc), "every documented operation must be exercised");
    sandbox.shutdown().await;
}

#[test]
fn the_clients_models_decode_every_example_in_the_spec() {
    let doc = spec();
    let examples = doc["components"]["examples"].as_object().cloned().unwrap_or_default();
    assert!(examples.len() >= 6);
    for (name, example) in examples {
        let value = example["value"].clone();
        let bytes = value.to_string().into_bytes();
        let decoded = match name.as_str() {
            "PaymentLinkCreated" | "PaymentLinkPaid" => serde_json::from_value::<PaymentLink>(value).map(|_| ()),
            "PaymentLinkList" => Page::<PaymentLink>::from_json(&bytes).map(|p| assert_eq!(p.skipped, 0)),
            "TransactionSettled" => serde_json::from_value::<Transaction>(value).map(|_| ()),
            "EventConfirmed" => serde_json::from_value::<EventEnvelope>(value).map(|_| ()),
            "ErrorMissingAmount" => {
                let err = ApiError::from_response(400, Some("application/json"), &bytes, None);
                assert_eq!(err.code(), Some("invalid_request"));
                assert_eq!(err.message(), "The 'amount' field is required.");
                Ok(())
            }
            other => panic!("no decoder for the example {other}: add one"),
        };
        assert!(decoded.is_ok(), "{name}: {decoded:?}");
    }
}

#[test]
fn the_clients_request_bodies_match_the_spec() {
    let doc = spec();
    let link = CreateLink {
        amount: "75.00".parse().unwrap_or_default(),
        currency: "USDT".into(),
        description: Some("Order #1234".into()),
    };
    let body = serde_json::to_value(&link).unwrap_or_default();
    assert_eq!(body["amount"], "75.00", "amounts go out as strings");
    check(&doc, "#/components/schemas/CreatePaymentLink", &body, "CreateLink");
    let without = CreateLink { description: None, ..link };
    let body = serde_json::to_value(&without).unwrap_or_default();
    assert!(body.get("description").is_none());
    check(&doc, "#/components/schemas/CreatePaymentLink", &body, "CreateLink without description");
    let hook = CreateWebhook { url: "https://example.com/h".into(), events: vec![WebhookEvent::PaymentConfirmed] };
    check(
        &doc,
        "#/components/schemas/CreateWebhook",
        &serde_json::to_value(&hook).unwrap_or_default(),
        "CreateWebhook",
    );
}

#[test]
fn the_client_has_a_method_for_every_documented_pik_operation() {
    // operationId → the client method that implements it. A new operation in
    // the spec fails this test until the client grows a method for it.
    let implemented: BTreeSet<&str> = [
        ("createPaymentLink", "create_link"),
        ("listPaymentLinks", "list_links"),
        ("getPaymentLink", "get_link"),
        ("deactivatePaymentLink", "deactivate_link"),
        ("listTransactions", "list_transactions"),
        ("getTransaction", "get_transaction"),
        ("createWebhook", "create_webhook"),
        ("listWebhooks", "list_webhooks"),
    ]
    .into_iter()
    .map(|(operation, _method)| operation)
    .collect();
    let doc = spec();
    let mut documented = BTreeSet::new();
    for (method, path) in operations(&doc) {
        let operation = &doc["paths"][&path][method.to_lowercase()];
        let sandbox_only = operation["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == "sandbox-controls"));
        if !sandbox_only {
            documented.insert(operation["operationId"].as_str().unwrap_or_default().to_string());
        }
    }
    let implemented: BTreeSet<String> = implemented.into_iter().map(str::to_string).collect();
    assert_eq!(documented, implemented);
}

/// A body each documented request takes, to break one field at a time.
/// `{link}` in a path or value is a fresh active link's id.
fn accepted_body(method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("post", "/payment-links") => json!({"amount": "75.00", "currency": "USDT", "description": "Order #1234"}),
        ("post", "/webhooks") => json!({"url": "https://example.com/pik", "events": ["payment.settled"]}),
        ("put", "/_sandbox/faults") => json!({}),
        ("post", "/_sandbox/clock/advance") => json!({"seconds": 0}),
        ("post", "/_sandbox/activity") => json!({"enabled": false}),
        ("post", "/_sandbox/payment-links") => json!({"amount": "10.00", "currency": "USDT"}),
        ("post", "/_sandbox/payment-links/{id}/pay") => json!({}),
        ("post", "/_sandbox/transactions") => json!({"payment_link_id": "{link}"}),
        ("post", "/_sandbox/webhooks") => json!({"url": "https://example.com/x", "events": ["payment.settled"]}),
        _ => return None,
    })
}

/// Values of every JSON type: each one the schema does not allow for a
/// field is sent in that field.
fn every_type() -> [Value; 6] {
    [Value::Null, json!(7), json!(true), json!("text"), json!(["x"]), json!({"x": 1})]
}

async fn fresh_link(sandbox: &Sandbox) -> String {
    let created = reqwest::Client::new()
        .post(format!("{}/payment-links", sandbox.base_url()))
        .bearer_auth(sandbox::DEMO_KEY)
        .json(&json!({"amount": "5.00", "currency": "USDT"}))
        .send()
        .await;
    let body: Value = match created {
        Ok(response) => response.json().await.unwrap_or_default(),
        Err(err) => panic!("creating a link: {err}"),
    };
    match body["id"].as_str() {
        Some(id) => id.to_string(),
        None => panic!("no id in {body}"),
    }
}

/// Sends `body` to the operation; the status and the error's message.
async fn send_body(sandbox: &Sandbox, method: &str, path: &str, body: &Value) -> (u16, String) {
    let link = fresh_link(sandbox).await;
    let path = path.replace("{id}", &link);
    let body: Value = match serde_json::from_str(&body.to_string().replace("{link}", &link)) {
        Ok(body) => body,
        Err(err) => panic!("{err}"),
    };
    let url = match path.strip_prefix("/_sandbox") {
        Some(_) => format!("http://{}{path}", sandbox.addr()),
        None => format!("{}{path}", sandbox.base_url()),
    };
    let method = match Method::from_bytes(method.to_uppercase().as_bytes()) {
        Ok(method) => method,
        Err(err) => panic!("{err}"),
    };
    let sent = reqwest::Client::new().request(method, url).bearer_auth(sandbox::DEMO_KEY).json(&body).send().await;
    let response = match sent {
        Ok(response) => response,
        Err(err) => panic!("{path}: {err}"),
    };
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap_or_default();
    (status, answer["error"]["message"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn a_body_the_spec_refuses_is_refused_by_the_sandbox_field_by_field() {
    let doc = spec();
    let sandbox = quiet_sandbox().await;
    let mut tried = 0;
    let mut accepted = Vec::new();
    let Some(paths) = doc["paths"].as_object() else { panic!("no paths") };
    for (path, item) in paths {
        for method in ["post", "put", "patch"] {
            if item.get(method).and_then(|op| op.get("requestBody")).is_none() {
                continue;
            }
            let Some(base) = accepted_body(method, path) else {
                panic!("{method} {path} takes a body: give it one in accepted_body")
            };
            let pointer = format!("#/paths/{}/{method}/requestBody/content/application~1json/schema", token(path));
            let resolved = {
                let schema = pointer_get(&doc, &pointer);
                match schema.get("$ref").and_then(Value::as_str) {
                    Some(reference) => pointer_get(&doc, reference),
                    None => schema,
                }
            };
            // The control: the body as given is valid and taken.
            let valid = base.to_string().replace("{link}", "pl_x");
            check(&doc, &pointer, &serde_json::from_str(&valid).unwrap_or_default(), &format!("{method} {path}"));
            let (status, message) = send_body(&sandbox, method, path, &base).await;
            assert!((200..300).contains(&status), "{method} {path} refused its valid body: {status} {message}");
            let _ = reqwest::Client::new().delete(format!("http://{}/_sandbox/faults", sandbox.addr())).send().await;
            let Some(properties) = resolved["properties"].as_object() else { continue };
            for field in properties.keys() {
                for wrong in every_type() {
                    let mut body = base.clone();
                    body[field.as_str()] = wrong.clone();
                    if violations(&doc, &pointer, &body).is_empty() {
                        continue; // The spec allows it (a null where it says nullable, a number for a number).
                    }
                    tried += 1;
                    let (status, message) = send_body(&sandbox, method, path, &body).await;
                    let public = !path.starts_with("/_sandbox");
                    let named = message.contains(&format!("'{field}'"));
                    if !(400..500).contains(&status) || (public && !named) {
                        accepted.push(format!("{method} {path} {field}={wrong}: {status} {message}"));
                    }
                    // An injected fault taken by mistake must not spoil the next call.
                    let _ = reqwest::Client::new()
                        .delete(format!("http://{}/_sandbox/faults", sandbox.addr()))
                        .send()
                        .await;
                }
            }
        }
    }
    assert!(tried > 60, "only {tried} spec-invalid bodies were made: the walk found too little");
    assert!(
        accepted.is_empty(),
        "spec-invalid bodies the sandbox did not refuse (4xx naming the field):\n{}",
        accepted.join("\n")
    );
}
