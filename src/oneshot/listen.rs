//! `pik-tui webhooks listen`: a local receiver that verifies and prints events.

use super::{Failure, exit, report};
use crate::config;
use crate::sanitize::{for_terminal, json_for_terminal};
use std::io::Write;

/// `pik-tui webhooks listen`: receives events until Ctrl-C.
pub async fn listen(host: std::net::IpAddr, port: u16, secret_file: &std::path::Path, json: bool) -> u8 {
    use crate::listener::{Received, describe};
    let (secret, warning) = match config::read_secret_file(secret_file, "the secret file") {
        Ok(read) => read,
        Err(message) => return report(&Failure::usage(message), json),
    };
    if let Some(warning) = warning {
        eprintln!("warning: {warning}");
    }
    let listener = match tokio::net::TcpListener::bind((host, port)).await {
        Ok(listener) => listener,
        Err(err) => return report(&Failure::usage(format!("cannot listen on {host}:{port}: {err}")), json),
    };
    let shown = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| format!("{host}:{port}"));
    eprintln!("listening on http://{shown}/ (POST to any path); Ctrl-C stops");
    let print = move |received: Received| {
        let mut out = std::io::stdout().lock();
        match received {
            Received::Verified { event: Some(event), raw } => {
                let line = if json {
                    let value: serde_json::Value = serde_json::from_slice(&raw).unwrap_or_default();
                    json_for_terminal(&value.to_string()).into_owned()
                } else {
                    describe(&event)
                };
                let _ = writeln!(out, "{line}");
            }
            Received::Verified { event: None, raw } => {
                let start = String::from_utf8_lossy(&raw[..raw.len().min(80)]).into_owned();
                eprintln!("verified, but not an event this version reads: {}", for_terminal(&start));
            }
            Received::Rejected { reason } => eprintln!("rejected (400): {reason}"),
        }
        let _ = out.flush();
    };
    tokio::select! {
        served = crate::listener::serve(listener, crate::api::WebhookSecret::new(secret), print) => match served {
            Ok(()) => exit::OK,
            Err(err) => report(&Failure { message: format!("the listener stopped: {err}"), code: exit::FAILED, error: None }, json),
        },
        _ = tokio::signal::ctrl_c() => exit::OK,
    }
}
