//! The embedded PIK sandbox: a real HTTP server (axum) implementing the PIK
//! contract from the server side, with seeded data, simulated activity,
//! signed webhook deliveries and test controls under `/_sandbox/`.
//!
//! It is what `--demo` and the tests run against, and `pik-tui sandbox`
//! runs it alone for other people's integration tests.

mod api_routes;
mod controls;
mod delivery;
mod middleware;
mod state;
pub mod world;

pub use api_routes::{MAX_BODY_BYTES, MAX_LIMIT};
pub use state::{Access, Faults, SandboxKey};
pub use world::{Pace, SeedSizes};

use axum::Router;
use state::Shared;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The read-write key every sandbox accepts unless configured otherwise.
/// It is public on purpose: it unlocks only the local sandbox.
pub const DEMO_KEY: &str = "pik_test_sandboxdemo0000000000000001";
/// A read-only key: writes with it get 403.
pub const READ_ONLY_KEY: &str = "pik_test_sandboxreadonly00000000000002";

/// How often the simulation runs and due webhooks are sent, in real time.
const TICK: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub bind: SocketAddr,
    pub seed: u64,
    /// Simulated seconds per real second.
    pub speed: f64,
    /// Whether new payments and links appear by themselves.
    pub activity: bool,
    pub pace: Pace,
    pub sizes: SeedSizes,
    pub keys: Vec<SandboxKey>,
    /// Requests a second per key before 429; `None` for no limit.
    pub rate_limit_per_sec: Option<f64>,
    /// Checkout URLs are this plus `/{id}`.
    pub checkout_base: String,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: 42,
            speed: 1.0,
            activity: true,
            pace: Pace::default(),
            sizes: SeedSizes { links: 300, transactions: 1000, webhooks: 3 },
            keys: vec![
                SandboxKey { key: DEMO_KEY.to_string(), access: Access::ReadWrite },
                SandboxKey { key: READ_ONLY_KEY.to_string(), access: Access::ReadOnly },
            ],
            rate_limit_per_sec: Some(25.0),
            checkout_base: "https://pay.pik.global".to_string(),
        }
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    ticker: JoinHandle<()>,
}

impl Sandbox {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of the PIK API, ending in `/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The base URL of the test controls.
    pub fn control_url(&self) -> String {
        format!("http://{}/_sandbox", self.addr)
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.ticker.abort();
    }

    /// Serves until the server stops (for `pik-tui sandbox`).
    pub async fn wait(mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.ticker.abort();
    }
}

fn app(shared: Arc<Shared>) -> Router {
    use axum::middleware::from_fn_with_state;
    let v1 = api_routes::router()
        .fallback(api_routes::not_found)
        .method_not_allowed_fallback(api_routes::method_not_allowed)
        // Layers run outermost last-added: count, faults, auth, rate limit.
        .layer(from_fn_with_state(shared.clone(), middleware::rate_limit))
        .layer(from_fn_with_state(shared.clone(), middleware::auth))
        .layer(from_fn_with_state(shared.clone(), middleware::faults))
        .layer(from_fn_with_state(shared.clone(), middleware::count));
    let controls =
        controls::router().fallback(api_routes::not_found).method_not_allowed_fallback(api_routes::method_not_allowed);
    Router::new().nest("/v1", v1).nest("/_sandbox", controls).fallback(api_routes::not_found).with_state(shared)
}

/// Starts the sandbox on the configured address (port 0 picks a free one)
/// and returns once it accepts connections.
pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
    let mut world = world::World::new(config.seed, config.sizes, config.speed, config.activity, &config.checkout_base);
    world.set_pace(config.pace);
    let shared = Arc::new(Shared::new(world, config.keys.clone(), config.rate_limit_per_sec, config.seed));
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let router = app(shared.clone());
    let server = tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(err) = serve.await {
            tracing::error!("sandbox server stopped: {err}");
        }
    });
    let http = delivery::http_client()?;
    let ticker = tokio::spawn(async move {
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let due = shared.world().step();
            for item in due {
                let (shared, http) = (shared.clone(), http.clone());
                tokio::spawn(async move {
                    let result = delivery::attempt(&http, &item).await;
                    shared.world().finish_delivery(item.id, result);
                });
            }
        }
    });
    Ok(Sandbox { addr, shutdown: Some(tx), server: Some(server), ticker })
}
