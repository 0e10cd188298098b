//! The typed PIK client: HTTP, JSON and the PIK contract. Knows nothing of the
//! screen or the dashboard's state.

mod client;
mod error;
mod key;
pub mod models;
mod retry;

pub use client::{Client, ClientConfig, DEFAULT_BASE_URL, is_loopback_host};
pub use error::{ApiError, ErrorKind};
pub use key::{ApiKey, KeyEnvironment};
pub use models::*;
pub use retry::RetryPolicy;
