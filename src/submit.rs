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
        // The endpoint without its query string: that may hold a token.
        Write::CreateWebhook(hook) => ("registered a webhook", "registered", None, without_query(&hook.url)),
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

/// A URL as the audit log keeps it: no query string, no fragment.
pub fn without_query(url: &str) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    url[..cut].to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_loses_its_query_and_fragment() {
        assert_eq!(super::without_query("https://shop.example/hook?token=s3cret#x"), "https://shop.example/hook");
        assert_eq!(super::without_query("https://shop.example/hook"), "https://shop.example/hook");
    }
}
