//! One error type for everything the client can run into, with a message a
//! support agent understands. Text from the server is sanitized when shown.

use crate::sanitize::for_terminal_truncated;
use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The client was set up wrongly (bad base URL, plain HTTP, no key).
    Config,
    /// The server answered 4xx/5xx.
    Api,
    /// The server answered 2xx, but the body is not what the contract says.
    Decode,
    /// No connection could be made; the request never reached the server.
    Connect,
    /// The request was sent but no answer came in time.
    Timeout,
    /// Another transport failure (reset connection, broken body...).
    Transport,
}

#[derive(Debug)]
pub struct ApiError {
    kind: ErrorKind,
    status: Option<u16>,
    code: Option<String>,
    message: String,
    retry_after: Option<Duration>,
    source: Option<reqwest::Error>,
}

impl ApiError {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::bare(ErrorKind::Config, message.into())
    }

    fn bare(kind: ErrorKind, message: String) -> Self {
        Self { kind, status: None, code: None, message, retry_after: None, source: None }
    }

    /// From a 4xx/5xx answer. The body should be PIK's error object; anything
    /// else (an HTML page from a proxy, say) still gives a readable error.
    pub fn from_response(status: u16, content_type: Option<&str>, body: &[u8], retry_after: Option<Duration>) -> Self {
        #[derive(serde::Deserialize)]
        struct Envelope {
            error: Inner,
        }
        #[derive(serde::Deserialize)]
        struct Inner {
            #[serde(default)]
            code: Option<String>,
            #[serde(default)]
            message: Option<String>,
        }
        let (code, message) = match serde_json::from_slice::<Envelope>(body) {
            Ok(Envelope { error }) => (error.code, error.message.unwrap_or_else(|| "no message given".to_string())),
            Err(_) => {
                let kind = content_type.unwrap_or("no content type");
                let snippet = String::from_utf8_lossy(&body[..body.len().min(120)]);
                let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
                let message = if snippet.is_empty() {
                    format!("the answer was not a PIK error ({kind}, empty body)")
                } else {
                    format!("the answer was not a PIK error ({kind}): {snippet}")
                };
                (None, message)
            }
        };
        Self { kind: ErrorKind::Api, status: Some(status), code, message, retry_after, source: None }
    }

    pub(crate) fn decode(status: u16, detail: String) -> Self {
        Self {
            status: Some(status),
            ..Self::bare(ErrorKind::Decode, format!("the answer did not match the PIK contract: {detail}"))
        }
    }

    pub(crate) fn transport(err: reqwest::Error, timeout: Duration) -> Self {
        let (kind, message) = if err.is_timeout() {
            (ErrorKind::Timeout, format!("no answer within {} s", timeout.as_secs_f32().round()))
        } else if err.is_connect() {
            (ErrorKind::Connect, format!("could not connect: {}", root_cause(&err)))
        } else {
            (ErrorKind::Transport, format!("the connection failed: {}", root_cause(&err)))
        };
        Self { source: Some(err), ..Self::bare(kind, message) }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// PIK's error code (`invalid_request`, `rate_limited`...), when given.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// PIK's message, or a description of the failure. Not sanitized: use
    /// `Display` to show it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What the server's `Retry-After` asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Whether repeating a GET could help.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Api => matches!(self.status, Some(429) | Some(500..=599)),
            ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Transport => true,
            ErrorKind::Config | ErrorKind::Decode => false,
        }
    }

    /// Whether a write may have taken effect although it failed: the request
    /// was sent, and then the answer was lost or late. Such a write must not
    /// be repeated blindly.
    pub fn may_have_reached_server(&self) -> bool {
        match self.kind {
            ErrorKind::Timeout | ErrorKind::Transport | ErrorKind::Decode => true,
            ErrorKind::Api => matches!(self.status, Some(500..=599)),
            ErrorKind::Config | ErrorKind::Connect => false,
        }
    }

    /// A short summary of what went wrong, for a status line.
    pub fn summary(&self) -> String {
        let status = self.status.unwrap_or(0);
        match (self.kind, status) {
            (ErrorKind::Api, 401) => "the API key was rejected (401)".to_string(),
            (ErrorKind::Api, 403) => "the API key may not do this (403)".to_string(),
            (ErrorKind::Api, 404) => "not found (404)".to_string(),
            (ErrorKind::Api, 429) => match self.retry_after {
                Some(wait) => format!("rate limited (429), retry in {} s", wait.as_secs().max(1)),
                None => "rate limited (429)".to_string(),
            },
            (ErrorKind::Api, 500..=599) => format!("PIK server error ({status})"),
            (ErrorKind::Api, _) => format!("request refused ({status})"),
            (ErrorKind::Decode, _) => "unexpected answer from PIK".to_string(),
            (ErrorKind::Connect, _) => "PIK unreachable".to_string(),
            (ErrorKind::Timeout, _) => "PIK did not answer in time".to_string(),
            (ErrorKind::Transport, _) => "connection to PIK failed".to_string(),
            (ErrorKind::Config, _) => "configuration error".to_string(),
        }
    }
}

/// The innermost cause, which is the informative part of a reqwest error
/// ("connection refused", "dns error"...).
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = for_terminal_truncated(&self.message, 300);
        match self.kind {
            ErrorKind::Api => {
                let code = self.code.as_deref().map(|c| for_terminal_truncated(c, 40));
                match code {
                    Some(code) => write!(f, "{}: {message} [{code}]", self.summary()),
                    None => write!(f, "{}: {message}", self.summary()),
                }
            }
            ErrorKind::Config => f.write_str(&message),
            _ => write!(f, "{}: {message}", self.summary()),
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|err| err as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pik_error_body_gives_code_and_message() {
        let body = br#"{"error":{"code":"unauthorized","message":"Invalid API key."}}"#;
        let err = ApiError::from_response(401, Some("application/json"), body, None);
        assert_eq!(err.code(), Some("unauthorized"));
        assert_eq!(err.to_string(), "the API key was rejected (401): Invalid API key. [unauthorized]");
        assert!(!err.is_retryable());
    }

    #[test]
    fn an_html_502_still_reads_clearly() {
        let body = b"<html>\n<head><title>502 Bad Gateway</title></head></html>";
        let err = ApiError::from_response(502, Some("text/html"), body, None);
        assert_eq!(err.code(), None);
        assert!(err.to_string().starts_with("PIK server error (502): the answer was not a PIK error (text/html)"));
        assert!(err.is_retryable());
        assert!(err.may_have_reached_server());
    }

    #[test]
    fn server_text_is_sanitized_when_shown() {
        let body = "{\"error\":{\"code\":\"x\",\"message\":\"\\u001b]0;pwned\\u0007\"}}";
        let err = ApiError::from_response(400, None, body.as_bytes(), None);
        assert!(!err.to_string().contains('\u{1b}'));
    }

    #[test]
    fn rate_limit_summary_says_when_to_retry() {
        let err = ApiError::from_response(429, None, b"{}", Some(Duration::from_secs(4)));
        assert_eq!(err.summary(), "rate limited (429), retry in 4 s");
    }
}
