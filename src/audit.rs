//! What agents did through pik-tui, as [`Act`]s: today a link created from
//! the dashboard and a reply copied (issue 21 adds the rest). PIK cannot
//! give these back, so the store keeps them apart from the mirror (a file
//! of their own beside it, tables of their own on PostgreSQL),
//! append-only, and never with a secret.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Act {
    pub at: DateTime<Utc>,
    /// Who: `$USER@host` unless the config names the agent.
    pub agent: String,
    pub profile: Option<String>,
    /// What was done, as a verb phrase: "copied the reply", "created a link".
    pub act: String,
    /// The link, payment or webhook it was about.
    pub subject: Option<String>,
    /// "done", or what happened instead ("refused: …", "may have been created").
    pub outcome: String,
    /// PIK's request id, when PIK was asked.
    pub request_id: Option<String>,
    /// The figures and names of the act, in words ("0.90 USDT", "the underpaid reply").
    pub detail: String,
}

impl Act {
    /// The act in one line, for a story: "alice@desk copied the reply (the underpaid reply)".
    pub fn words(&self) -> String {
        let mut words = format!("{} {}", self.agent, self.act);
        if let Some(subject) = &self.subject {
            words.push(' ');
            words.push_str(subject);
        }
        if !self.detail.is_empty() {
            words.push_str(&format!(" ({})", self.detail));
        }
        if self.outcome != DONE {
            words.push_str(&format!(": {}", self.outcome));
        }
        words
    }
}

/// The outcome of an act that went through.
pub const DONE: &str = "done";

/// Who is acting when the config does not say: `$USER@host`.
pub fn default_agent() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "someone".into());
    let host = gethostname::gethostname().to_string_lossy().trim().to_string();
    let host = if host.is_empty() { "localhost".to_string() } else { host };
    format!("{user}@{host}")
}
