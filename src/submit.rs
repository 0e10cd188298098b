//! The one path a write to PIK takes, from the dashboard (the worker) and
//! from the commands: sent once with an id of its own, never retried (a
//! duplicate payment link is worse than an error), and written in the
//! audit log with its outcome, whatever that was.

use crate::api::{ApiError, Client};
use crate::app::{Write, Written};
use crate::audit::{Act, Actor, DONE, new_uid};
use crate::store::Store;

/// What a write came to, and whether the audit log has it.
pub struct Submitted {
    pub result: Result<Written, ApiError>,
    /// Why the act could not be written in the audit log (the write stands).
    pub unrecorded: Option<String>,
}

/// Sends `write` once, then appends its act to `record` (none: the
/// caller could not open it, and says so).
pub async fn submit(client: &Client, record: Option<&Store>, by: &Actor, write: Write) -> Submitted {
    let id = new_uid();
    let client = client.with_request_id(&id);
    let (verb, done, mut subject, detail) = match &write {
        Write::CreateLink(link) => ("created a link", "created", None, format!("{} {}", link.amount, link.currency)),
        Write::DeactivateLink { id } => ("deactivated a link", "deactivated", Some(id.clone()), String::new()),
        // Where the endpoint is, not its path or query: those may hold a token.
        Write::CreateWebhook(hook) => ("registered a webhook", "registered", None, endpoint_origin(&hook.url)),
    };
    let result = match write {
        Write::CreateLink(link) => client.create_link(&link).await.map(Written::Link),
        Write::DeactivateLink { id } => client.deactivate_link(&id).await.map(Written::Deactivated),
        Write::CreateWebhook(webhook) => {
            client.create_webhook(&webhook).await.map(|created| Written::Webhook(created.webhook, created.secret))
        }
    };
    let outcome = match &result {
        Ok(written) => {
            subject = subject.or_else(|| match written {
                Written::Link(link) | Written::Deactivated(link) => Some(link.id.clone()),
                Written::Webhook(hook, _) => Some(hook.id.clone()),
            });
            DONE.to_string()
        }
        Err(error) if error.may_have_reached_server() => format!("may have been {done}: {}", error.summary()),
        Err(error) => format!("refused: {}", error.summary()),
    };
    let act = Act {
        outcome,
        request_id: Some(id),
        ..Act::new(chrono::Utc::now(), &by.agent, by.profile.as_deref(), verb, subject.as_deref(), detail)
    };
    let unrecorded = match record {
        Some(record) => record.append_act(act).await.err().map(|e| e.to_string()),
        None => Some("the audit log is not open".into()),
    };
    if let Some(why) = &unrecorded {
        tracing::warn!("a write to PIK was not written in the audit log: {why}");
    }
    Submitted { result, unrecorded }
}

/// A webhook's URL as the audit log keeps it: its scheme, host and port,
/// and "/…" for a path. No user, password, path, query or fragment: any of
/// them may carry a token (chat services put theirs in the path).
pub fn endpoint_origin(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => {
            let path = if parsed.path().trim_matches('/').is_empty() { "" } else { "/…" };
            format!("{}{path}", parsed.origin().ascii_serialization())
        }
        Err(_) => "a URL that does not parse".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_webhook_url_keeps_only_where_it_goes() {
        let shown = super::endpoint_origin;
        assert_eq!(
            shown("https://user:pass@shop.example:8443/hooks/T0/s3cret?token=s3cret#x"),
            "https://shop.example:8443/…"
        );
        assert_eq!(shown("https://shop.example"), "https://shop.example");
        assert_eq!(shown("not a url s3cret"), "a URL that does not parse");
    }
}
