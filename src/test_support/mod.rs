//! Builders and helpers for tests and benchmarks, written once, in this
//! module: rows of each resource and error values (`rows`), a mirror in
//! memory that answers the app's reads (`mirror`), known data for the
//! search, Overview and alerts tests (`fixtures`), and the cases' edges
//! (`cases`). Compiled for the crate's own tests and, through the
//! `test-support` feature, for the integration tests and benches; never in
//! a release build.

mod cases;
mod fixtures;
mod mirror;
mod rows;

pub use cases::*;
pub use fixtures::*;
pub use mirror::*;
pub use rows::*;

use crate::api::{
    ErrorKind, LinkStatus, Page, PaymentLink, Transaction, TransactionStatus, Webhook, WebhookEvent, WebhookStatus,
};
use crate::app::{App, Cmd, ErrorInfo, ListAsk, ListRows, Msg};
use crate::store::{Account, Batch, Change, Place, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;
