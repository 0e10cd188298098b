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
    /// The id pik-tui sent a write to PIK with (`X-Request-Id`), when it asked PIK.
    pub request_id: Option<String>,
    /// The figures and names of the act, in words ("0.90 USDT", "the underpaid reply").
    pub detail: String,
    /// For a resolution, the order's payments as they stood
    /// (`cases::Basis`, JSON): when they change, the case opens again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// The act's own id, given by the store when it is written: importing
    /// a file of acts twice adds nothing.
    #[serde(default)]
    pub uid: String,
}

impl Act {
    /// An act of `agent` at `at`, done. The store gives it its id.
    pub fn new(
        at: DateTime<Utc>,
        agent: &str,
        profile: Option<&str>,
        act: &str,
        subject: Option<&str>,
        detail: String,
    ) -> Act {
        Act {
            at,
            agent: agent.to_string(),
            profile: profile.map(str::to_string),
            act: act.to_string(),
            subject: subject.map(str::to_string),
            outcome: DONE.to_string(),
            request_id: None,
            detail,
            basis: None,
            uid: String::new(),
        }
    }

    /// The act in one line, for a story: "alice@desk copied the reply (the underpaid reply)".
    pub fn words(&self) -> String {
        let mut words = format!("{} {}", self.agent, self.act);
        if let Some(subject) = &self.subject {
            words.push(' ');
            words.push_str(subject);
        }
        if !self.detail.is_empty() {
            // A note's lines on one line of the story.
            words.push_str(&format!(" ({})", self.detail.replace(['\r', '\n'], " / ")));
        }
        if self.outcome != DONE {
            words.push_str(&format!(": {}", self.outcome));
        }
        words
    }
}

/// Who acts: the agent and the profile, written with every act.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub agent: String,
    pub profile: Option<String>,
}

/// Which acts to read: `pik-tui audit`, `cases export`, the `:audit` list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub agent: Option<String>,
    /// From this time on, and before `to`.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only the acts on cases (claims, releases, resolutions, reopenings, notes).
    pub cases_only: bool,
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

/// A new act's id.
pub fn new_uid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
