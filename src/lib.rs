//! pik-tui: a terminal dashboard and command-line client for the PIK Open API.
//!
//! The parts and the one-way arrows between them are described in `design.md`:
//! `api` (the typed client), `sandbox` (the PIK contract from the server side),
//! and the glue for the command line. The dashboard (`app`, `ui`, `runtime`,
//! `worker`) builds on these.

pub mod api;
pub mod app;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod dashboard;
pub mod listener;
pub mod money;
pub mod oneshot;
pub mod qr;
pub mod runtime;
pub mod sandbox;
pub mod sanitize;
pub mod signature;
pub mod token_bucket;
pub mod ui;
pub mod worker;
