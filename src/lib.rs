//! pik-tui: a terminal dashboard and command-line client for the PIK Open API.
//!
//! The parts and the one-way arrows between them are described in
//! `docs/architecture.md`: `api` (the typed client), `sandbox` (the PIK
//! contract from the server side), `app` (the dashboard's pure state), `ui`
//! (drawing it), and the glue: `runtime`, `worker`, `dashboard`, `config`,
//! `cli`, `oneshot`.

pub mod api;
pub mod app;
pub mod audit;
pub mod cases;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod dashboard;
pub mod date_arg;
pub mod desktop_notice;
pub mod export;
pub mod human;
pub mod hyperlink;
pub mod listener;
pub mod mirror;
pub mod money;
pub mod oneshot;
pub mod qr;
pub mod runtime;
pub mod sandbox;
pub mod sanitize;
pub mod signature;
pub mod store;
pub mod submit;
pub mod sync;
pub mod sync_service;
#[cfg(any(test, feature = "test-support"))]
pub mod test_cluster;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod token_bucket;
pub mod ui;
pub mod worker;
pub mod zone;
