//! What the sandbox's handlers share: the world, the keys, the fault plan,
//! the request counter and the per-key rate limiters.

use super::world::World;
use crate::token_bucket::TokenBucket;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    ReadWrite,
    /// Reads only: writes get 403 `forbidden`.
    ReadOnly,
}

#[derive(Debug, Clone)]
pub struct SandboxKey {
    pub key: String,
    pub access: Access,
}

/// Faults injected into `/v1` answers, set with `PUT /_sandbox/faults`.
/// Rates are probabilities per request, tried in the order listed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Answer 500 `internal_error` without running the request.
    pub error_rate: f64,
    /// Answer 429 `rate_limited` with `Retry-After` without running it.
    pub rate_limit_rate: f64,
    /// Run the request, then replace the body with broken JSON.
    pub malformed_rate: f64,
    /// Run the request, then cut the body in half.
    pub truncated_rate: f64,
    /// Run the request, then hold the answer this long (a slow or lost
    /// answer to a write that did happen).
    pub latency_ms: u64,
    /// The share of requests held for `latency_ms`; 0 means every one.
    pub slow_rate: f64,
    /// The message of injected 500s and 429s (to test how clients show
    /// hostile error text).
    pub message: Option<String>,
    /// The body sent instead of broken JSON by `malformed_rate`.
    pub malformed_body: Option<String>,
    /// Answer the next N requests with 429, whatever the rates say.
    pub force_429: u32,
    /// The `Retry-After` sent with injected 429s, in seconds.
    pub retry_after_secs: u64,
    /// Only requests with these methods are affected; empty means all.
    pub methods: Vec<String>,
}

impl Faults {
    pub fn applies_to(&self, method: &str) -> bool {
        self.methods.is_empty() || self.methods.iter().any(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Requests to `/v1`, counted by method and path template.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RequestCounter {
    pub total: u64,
    pub by_route: BTreeMap<String, u64>,
    /// By the key's last four characters (the test keys differ there):
    /// which of several clients of one account asked.
    pub by_key: BTreeMap<String, u64>,
    /// The largest `offset` asked of each route (and of each status, as
    /// `route?status=active`): how deep a client paged.
    pub deepest: BTreeMap<String, u64>,
}

pub struct Shared {
    world: Mutex<World>,
    pub keys: Vec<SandboxKey>,
    pub faults: Mutex<Faults>,
    pub counter: Mutex<RequestCounter>,
    pub buckets: Mutex<HashMap<usize, TokenBucket>>,
    pub rate_limit_per_sec: Option<f64>,
    pub fault_rng: Mutex<fastrand::Rng>,
}

/// Locks a mutex, carrying on if a panic elsewhere poisoned it: the data are
/// simple and a sandbox that keeps serving is worth more than one that stops.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub fn new(world: World, keys: Vec<SandboxKey>, rate_limit_per_sec: Option<f64>, seed: u64) -> Self {
        Self {
            world: Mutex::new(world),
            keys,
            faults: Mutex::new(Faults::default()),
            counter: Mutex::new(RequestCounter::default()),
            buckets: Mutex::new(HashMap::new()),
            rate_limit_per_sec,
            fault_rng: Mutex::new(fastrand::Rng::with_seed(seed ^ 0x5eed)),
        }
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }
}
