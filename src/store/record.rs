//! The store's side of the record (what agents did, `audit::Act`): the
//! audit log, and the team's handling of cases decided in its transaction.
//! Kept apart from the mirror by both backends.

use super::{Backend, Change, Store, StoreError};
use crate::audit::{Act, AuditQuery};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

impl Store {
    /// `agent` has the case of `link_id` open for `lasts` more (none:
    /// closed it): shown to the others on a shared store. On a local one
    /// no one else can be looking at the same moment over the network, so
    /// nothing is kept.
    pub async fn look_at(&self, link_id: &str, agent: &str, lasts: Option<chrono::Duration>) -> Result<(), StoreError> {
        match &self.inner.backend {
            Backend::Postgres(shared) => shared.look_at(link_id, agent, lasts).await,
            Backend::Sqlite(_) => Ok(()),
        }
    }

    /// Who has the case of `link_id` open now (a shared store only).
    pub async fn lookers(&self, link_id: &str) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        match &self.inner.backend {
            Backend::Postgres(shared) => shared.lookers(link_id).await,
            Backend::Sqlite(_) => Ok(Vec::new()),
        }
    }

    /// Every case's handling, from the acts on cases in the record. A
    /// record that cannot be read is said in the log, and the cases are
    /// listed as the mirror has them: it must not hide what the mirror holds.
    pub async fn handling(&self) -> BTreeMap<String, crate::cases::Handling> {
        match self.audit(AuditQuery { cases_only: true, ..AuditQuery::default() }).await {
            Ok(acts) => crate::cases::handling::by_link(&acts),
            Err(err) => {
                tracing::warn!(%err, "the record of what agents did could not be read");
                BTreeMap::new()
            }
        }
    }

    /// Takes an act on a case (`cases::CaseAct`) if the case's handling so
    /// far allows it, decided in the record's transaction: of two agents
    /// claiming at once, the second is told who has it. `facts` are the
    /// order's now (a resolution keeps them; one stands while they do).
    pub async fn act_on_case(
        &self,
        act: Act,
        facts: Option<crate::cases::LinkFacts>,
    ) -> Result<Result<Act, String>, StoreError> {
        let Some(kind) = crate::cases::CaseAct::parse(&act.act) else {
            return Err(StoreError::Usage(format!("{} is not an act on a case", act.act)));
        };
        let (agent, now) = (act.agent.clone(), act.at);
        let decide = move |so_far: &[Act]| crate::cases::Handling::of(so_far).allows(kind, &agent, facts.as_ref(), now);
        let done = on_backend!(self, backend => backend.act_on_case(act, decide).await)?;
        if done.is_ok() {
            self.announce(Change::acts());
        }
        Ok(done)
    }

    /// The audit log: the acts a query asks for, oldest first.
    pub async fn audit(&self, query: AuditQuery) -> Result<Vec<Act>, StoreError> {
        on_backend!(self, backend => backend.audit(query).await)
    }

    /// Adds acts read from a file (`cases import`), but those the record
    /// holds already: how many were added.
    pub async fn import_acts(&self, acts: Vec<Act>) -> Result<usize, StoreError> {
        on_backend!(self, backend => backend.import_acts(acts).await)
    }

    /// Appends an act to the audit log: kept apart from the mirror, never
    /// cleared with it, never changed.
    pub async fn append_act(&self, act: crate::audit::Act) -> Result<Act, StoreError> {
        on_backend!(self, backend => backend.append_act(act).await)
    }

    /// What agents did about these links or payments, oldest first.
    pub async fn acts_about(&self, subjects: Vec<String>) -> Result<Vec<crate::audit::Act>, StoreError> {
        on_backend!(self, backend => backend.acts_about(subjects).await)
    }
}
