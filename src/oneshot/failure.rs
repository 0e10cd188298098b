//! Why a one-shot command failed, and the exit code that says so.

use crate::api::{ApiError, ErrorKind};
use serde_json::json;

/// Exit codes, as listed in `--help`.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const KEY_REJECTED: u8 = 3;
    pub const NOT_FOUND: u8 = 4;
    pub const MAYBE_DONE: u8 = 5;
}

/// Why a command failed: a one-line message and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
    pub error: Option<ApiError>,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Self { message: message.into(), code: exit::USAGE, error: None }
    }

    /// The mirror or the record failed.
    pub fn store(error: crate::store::StoreError) -> Self {
        Self { message: error.to_string(), code: exit::FAILED, error: None }
    }

    pub fn api(error: ApiError) -> Self {
        let code = match (error.kind(), error.status()) {
            (ErrorKind::Config, _) => exit::USAGE,
            (ErrorKind::Api, Some(401 | 403)) => exit::KEY_REJECTED,
            (ErrorKind::Api, Some(404)) => exit::NOT_FOUND,
            _ => exit::FAILED,
        };
        Self { message: error.to_string(), code, error: Some(error) }
    }

    /// A failed write: says plainly when it may have happened anyway.
    pub fn write(error: ApiError, what: &str, check: &str) -> Self {
        if error.may_have_reached_server() {
            return Self {
                message: format!(
                    "{error}. The request was sent, so the {what} MAY have been created. \
                     Check with `{check}` before trying again."
                ),
                code: exit::MAYBE_DONE,
                error: Some(error),
            };
        }
        Self::api(error)
    }

    /// The `--json` form of the failure.
    pub fn to_json(&self) -> serde_json::Value {
        let mut error = json!({"message": self.message, "exit_code": self.code});
        if let Some(api) = &self.error {
            error["kind"] = json!(format!("{:?}", api.kind()).to_lowercase());
            error["status"] = json!(api.status());
            error["code"] = json!(api.code());
        }
        json!({"error": error})
    }
}

/// Prints a failure: one line on stderr, and the JSON document on stdout with `--json`.
pub fn report(failure: &Failure, json: bool) -> u8 {
    if json {
        super::print::print_json(&failure.to_json());
    }
    eprintln!("error: {}", failure.message);
    failure.code
}
