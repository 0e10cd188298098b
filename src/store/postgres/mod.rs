//! The shared mirror on PostgreSQL, for a team on one account: the same
//! store interface as the SQLite file (see `super::Store`), written by one
//! `pik-tui sync` and read by every dashboard. It never holds the API key
//! or a webhook secret.
//!
//! - **Election:** the sync that holds a session advisory lock, on a
//!   connection of its own, is the one that writes; the lock goes with its
//!   connection, so a sync killed outright frees it for the other at once.
//! - **Live changes:** every write that changed something sends a notice on
//!   [`CHANNEL`] at commit; dashboards `LISTEN`.
//! - **Heartbeat:** the elected sync stamps `sync_heartbeat` at every step,
//!   so a dashboard can tell a quiet account from a stopped sync.

mod cases;
pub mod connect;
mod read;
mod record;
mod rollups;
pub mod schema;
pub(super) mod search;
mod window;
mod write;

pub use connect::{Given, Target, is_postgres_url};
pub use write::CHANNEL;

use super::export::{BatchEnd, RowSink, Selection};
use super::{
    Account, Batch, Overview, OverviewQuery, ReportLine, ReportQuery, SearchPage, SearchQuery, Stats, StoreError,
    Upserted,
};
use crate::api::{Page, Transaction, Webhook};
use chrono::{DateTime, Utc};
use connect::{Pool, failed, pool_failed};
use futures_util::StreamExt;

/// The advisory lock of the sync's election ("pik3").
const ELECTION_LOCK: i64 = 0x7069_6b33;

/// Connections a process keeps to the server at most.
const POOL_SIZE: usize = 4;

pub struct PgStore {
    target: Target,
    pool: Pool,
    /// The connection that holds the election lock, while this process holds it.
    elected: tokio::sync::Mutex<Option<tokio_postgres::Client>>,
}

/// What the elected sync last stamped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    pub holder: String,
    pub at: DateTime<Utc>,
}

/// A notice from the mirror: what a write changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct Notice {
    #[serde(default)]
    pub links: u64,
    #[serde(default)]
    pub transactions: u64,
    #[serde(default)]
    pub webhooks: bool,
    /// Transactions new or moved (at most 100 of them).
    #[serde(default)]
    pub moved: Vec<String>,
    /// Links an agent acted on (claimed, resolved, noted, …).
    #[serde(default)]
    pub acts: Vec<String>,
}

impl PgStore {
    /// Connects, migrates (under a lock, so two starting at once do not
    /// race), and checks that the database mirrors this account.
    pub async fn open(target: Target, account: &Account) -> Result<PgStore, StoreError> {
        let pool = connect::pool(&target, POOL_SIZE)?;
        let store = PgStore { target, pool, elected: tokio::sync::Mutex::new(None) };
        {
            let mut client = store.client().await?;
            schema::migrate(&mut client, &store.target.shown).await?;
        }
        store.claim(account).await?;
        Ok(store)
    }

    pub fn shown(&self) -> &str {
        &self.target.shown
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(|e| pool_failed(&self.target.shown, e))
    }

    fn failed(&self, error: tokio_postgres::Error) -> StoreError {
        failed(&self.target.shown, &error)
    }

    /// A database of another PIK server is refused. Agents of one team each
    /// have their own key, so unlike a file the key is not checked: one
    /// database mirrors one account (the README says so).
    async fn claim(&self, account: &Account) -> Result<(), StoreError> {
        let client = self.client().await?;
        let inserted = client
            .execute(
                "INSERT INTO meta (key, value) VALUES ('base_url', $1) ON CONFLICT (key) DO NOTHING",
                &[&account.base_url],
            )
            .await
            .map_err(|e| self.failed(e))?;
        if inserted == 1 {
            return Ok(());
        }
        let stored: String = client
            .query_one("SELECT value FROM meta WHERE key = 'base_url'", &[])
            .await
            .map_err(|e| self.failed(e))?
            .get(0);
        if stored == account.base_url {
            Ok(())
        } else {
            Err(StoreError::Refused {
                path: self.target.shown.clone(),
                reason: format!(
                    "mirrors the PIK server {} (not {})",
                    crate::sanitize::for_terminal(&stored),
                    account.base_url
                ),
            })
        }
    }

    pub async fn save(&self, batch: Batch) -> Result<Upserted, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|e| self.failed(e))?;
        let written = write::save(&tx, &batch, Utc::now()).await.map_err(|e| self.failed(e))??;
        tx.commit().await.map_err(|e| self.failed(e))?;
        let change = super::Change {
            links: written.links > 0,
            transactions: written.transactions > 0,
            webhooks: written.webhooks,
            ids: written.moved.clone(),
            acts: false,
        };
        Ok(super::Upserted { change, ..written.upserted })
    }

    pub async fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT value FROM sync_state WHERE key = $1", &[&key])
            .await
            .map_err(|e| self.failed(e))?;
        Ok(row.map(|r| r.get(0)))
    }

    pub async fn search(&self, query: SearchQuery, offset: u64, limit: u32) -> Result<SearchPage, StoreError> {
        read::search(&**self.client().await?, &query, offset, limit).await.map_err(|e| self.failed(e))
    }

    pub async fn count(&self, sql: String, values: Vec<super::export::Value>) -> Result<u64, StoreError> {
        window::count(&**self.client().await?, &sql, &values).await.map_err(|e| self.failed(e))
    }

    pub async fn window(&self, ask: super::WindowAsk) -> Result<super::Windowed, StoreError> {
        window::read(&**self.client().await?, &ask).await.map_err(|e| self.failed(e))
    }

    pub async fn list_webhooks(&self) -> Result<Page<Webhook>, StoreError> {
        read::webhooks(&**self.client().await?).await.map_err(|e| self.failed(e))
    }

    pub async fn case_facts(&self, late: super::cases::Late) -> Result<Vec<crate::cases::LinkFacts>, StoreError> {
        cases::all(&**self.client().await?, late).await.map_err(|e| self.failed(e))
    }

    pub async fn order(&self, link_id: String) -> Result<crate::cases::Order, StoreError> {
        let client = self.client().await?;
        let mut orders = cases::orders(&**client, &[link_id.as_str()]).await.map_err(|e| self.failed(e))?;
        let status_seen = cases::status_seen(&**client, &link_id).await.map_err(|e| self.failed(e))?;
        let order = orders.pop().unwrap_or(crate::cases::Order { link_id, ..Default::default() });
        Ok(crate::cases::Order { status_seen, ..order })
    }

    pub async fn append_act(&self, act: crate::audit::Act) -> Result<crate::audit::Act, StoreError> {
        let client = self.client().await?;
        match record::append(&**client, &act).await.map_err(|e| self.failed(e))? {
            Some(written) => {
                if let Some(subject) = written.subject.as_deref().filter(|s| !s.is_empty()) {
                    self.announce_acts(&client, subject).await;
                }
                Ok(written)
            }
            None => Err(StoreError::Usage(format!("an act with the id {} is in the audit log already", act.uid))),
        }
    }

    pub async fn act_on_case(
        &self,
        act: crate::audit::Act,
        decide: impl FnOnce(&[crate::audit::Act]) -> Result<(), String>,
    ) -> Result<Result<crate::audit::Act, String>, StoreError> {
        let mut client = self.client().await?;
        record::act_on_case(&mut client, &act, decide).await.map_err(|e| self.failed(e))
    }

    /// `agent` has the case of `link_id` open for `lasts` more (none:
    /// closed it), by the database's clock; lapsed rows go at the same
    /// time. The others are told when one comes or goes, not at every beat.
    pub async fn look_at(&self, link_id: &str, agent: &str, lasts: Option<chrono::Duration>) -> Result<(), StoreError> {
        let client = self.client().await?;
        let failed = |e| self.failed(e);
        client.execute(&format!("DELETE FROM presence WHERE until < {}", record::NOW), &[]).await.map_err(failed)?;
        let changed = match lasts {
            Some(lasts) => client
                .query_one(
                    &format!(
                        "INSERT INTO presence (link_id, agent, until) VALUES ($1, $2, {} + $3) \
                         ON CONFLICT (link_id, agent) DO UPDATE SET until = EXCLUDED.until RETURNING (xmax = 0)",
                        record::NOW
                    ),
                    &[&link_id, &agent, &lasts.num_microseconds().unwrap_or(i64::MAX / 2)],
                )
                .await
                .map(|row| row.get::<_, bool>(0)),
            None => client
                .execute("DELETE FROM presence WHERE link_id = $1 AND agent = $2", &[&link_id, &agent])
                .await
                .map(|deleted| deleted > 0),
        };
        if changed.map_err(failed)? {
            self.announce_acts(&client, link_id).await;
        }
        Ok(())
    }

    /// The agents who have the case of `link_id` open now, by the
    /// database's clock, and until when.
    pub async fn lookers(&self, link_id: &str) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT agent, until FROM presence WHERE link_id = $1 AND until > {} ORDER BY agent",
                    record::NOW
                ),
                &[&link_id],
            )
            .await
            .map_err(|e| self.failed(e))?;
        Ok(rows.iter().map(|row| (row.get(0), super::rows::from_micros(row.get(1)))).collect())
    }

    /// Tells the other dashboards an agent acted on a case, or came to it
    /// or left it: they read that case again.
    async fn announce_acts(&self, client: &deadpool_postgres::Object, subject: &str) {
        let notice = serde_json::json!({ "acts": [subject] }).to_string();
        // The act is written; the others see it at their next read.
        if let Err(err) = client.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &notice]).await {
            tracing::warn!("the other dashboards were not told of an act: {}", self.failed(err));
        }
    }

    pub async fn audit(&self, query: crate::audit::AuditQuery) -> Result<Vec<crate::audit::Act>, StoreError> {
        let client = self.client().await?;
        record::acts(&**client, &query).await.map_err(|e| self.failed(e))
    }

    pub async fn import_acts(&self, acts: Vec<crate::audit::Act>) -> Result<usize, StoreError> {
        let mut client = self.client().await?;
        record::import(&mut client, &acts).await.map_err(|e| self.failed(e))
    }

    pub async fn acts_about(&self, subjects: Vec<String>) -> Result<Vec<crate::audit::Act>, StoreError> {
        let client = self.client().await?;
        record::about(&**client, &subjects).await.map_err(|e| self.failed(e))
    }

    pub async fn overview(&self, query: OverviewQuery) -> Result<Overview, StoreError> {
        let client = self.client().await?;
        let late = super::cases::Late::of(&query.rules, query.now);
        let facts = cases::all(&**client, late).await.map_err(|e| self.failed(e))?;
        read::overview(&**client, &query, facts).await.map_err(|e| self.failed(e))
    }

    pub async fn report(&self, query: ReportQuery) -> Result<Vec<ReportLine>, StoreError> {
        read::report(&**self.client().await?, &query).await.map_err(|e| self.failed(e))
    }

    pub async fn export_count(&self, selection: Selection) -> Result<u64, StoreError> {
        read::export_count(&**self.client().await?, &selection).await.map_err(|e| self.failed(e))
    }

    pub async fn export_batch<S: RowSink + 'static>(
        &self,
        selection: Selection,
        before: Option<i64>,
        limit: u32,
        mut sink: S,
    ) -> Result<(S, std::io::Result<BatchEnd>), StoreError> {
        let client = self.client().await?;
        let ended =
            read::export_batch(&**client, &selection, before, limit, &mut sink).await.map_err(|e| self.failed(e))?;
        Ok((sink, ended))
    }

    pub async fn ids_with_status(&self, transactions: bool, status: &str) -> Result<Vec<String>, StoreError> {
        let table = if transactions { "transactions" } else { "links" };
        let client = self.client().await?;
        let found = client
            .query(&format!("SELECT id FROM {table} WHERE status = $1"), &[&status])
            .await
            .map_err(|e| self.failed(e))?;
        Ok(found.iter().map(|r| r.get(0)).collect())
    }

    pub async fn known(&self, transactions: bool, ids: Vec<String>) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let table = if transactions { "transactions" } else { "links" };
        let sql = format!("SELECT id FROM {table} WHERE id = ANY($1)");
        let found = client.query(&sql, &[&ids]).await.map_err(|e| self.failed(e))?;
        let found: std::collections::HashSet<String> = found.iter().map(|r| r.get(0)).collect();
        Ok(ids.into_iter().filter(|id| found.contains(id)).collect())
    }

    /// The stored transactions with these ids (for the alerts of a notice).
    pub async fn transactions_by_id(&self, ids: Vec<String>) -> Result<Vec<Transaction>, StoreError> {
        let client = self.client().await?;
        let sql = format!("SELECT {} FROM transactions WHERE id = ANY($1)", super::rows::TRANSACTION_COLUMNS);
        let found = client.query(&sql, &[&ids]).await.map_err(|e| self.failed(e))?;
        Ok(found.iter().map(read::transaction).collect())
    }

    pub async fn stats(&self) -> Result<Stats, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT (SELECT count(*) FROM links), (SELECT count(*) FROM transactions), \
                 (SELECT count(*) FROM webhooks), pg_database_size(current_database()), \
                 (SELECT value FROM meta WHERE key = 'schema')",
                &[],
            )
            .await
            .map_err(|e| self.failed(e))?;
        let count = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or(0);
        Ok(Stats {
            place: self.target.shown.clone(),
            schema: row.get::<_, Option<String>>(4).and_then(|v| v.parse().ok()).unwrap_or(0),
            links: count(0),
            transactions: count(1),
            webhooks: count(2),
            bytes: u64::try_from(row.get::<_, i64>(3)).ok(),
        })
    }

    /// Gathers the planner's statistics now (autovacuum does it in time;
    /// after a bulk load, a search should not wait for it).
    pub async fn analyze(&self) -> Result<(), StoreError> {
        self.client().await?.batch_execute("ANALYZE").await.map_err(|e| self.failed(e))
    }

    pub async fn clear(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .batch_execute(
                "TRUNCATE links, transactions, webhooks, sync_state, search, rollup_transactions, rollup_settled, \
                 rollup_links, sync_heartbeat, case_facts, balance_links, link_changes, list_totals",
            )
            .await
            .map_err(|e| self.failed(e))
    }

    /// The election: holds (or takes, if free) the advisory lock on a
    /// connection of its own, and stamps the heartbeat when it does.
    /// Leaves the election: its lock goes with its connection.
    pub async fn release_lease(&self) {
        *self.elected.lock().await = None;
    }

    pub async fn take_lease(&self, holder: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut elected = self.elected.lock().await;
        if elected.as_ref().is_some_and(|client| client.is_closed()) {
            // The server went away (a restart): the lock went with it.
            *elected = None;
        }
        if elected.is_none() {
            let (client, connection) = connect::dedicated(&self.target).await?;
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::warn!("the election's connection ended: {}", connect::describe(&err));
                }
            });
            let won: bool = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&ELECTION_LOCK])
                .await
                .map_err(|e| self.failed(e))?
                .get(0);
            if !won {
                return Ok(false);
            }
            tracing::info!(holder, "elected: this process syncs the shared mirror");
            *elected = Some(client);
        }
        let Some(client) = elected.as_ref() else { return Ok(false) };
        let stamped = client
            .execute(
                "INSERT INTO sync_heartbeat (id, holder, at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, at = EXCLUDED.at",
                &[&holder, &super::rows::micros(now)],
            )
            .await;
        if let Err(err) = stamped {
            *elected = None;
            return Err(self.failed(err));
        }
        Ok(true)
    }

    /// What the elected sync last stamped, if any sync ever ran.
    pub async fn heartbeat(&self) -> Result<Option<Heartbeat>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT holder, at FROM sync_heartbeat WHERE id = 1", &[])
            .await
            .map_err(|e| self.failed(e))?;
        Ok(row.map(|r| Heartbeat { holder: r.get(0), at: super::rows::from_micros(r.get(1)) }))
    }

    /// Listens for the mirror's notices on a connection of its own. The
    /// channel closes when the connection ends (the caller listens again).
    pub async fn listen(&self) -> Result<tokio::sync::mpsc::UnboundedReceiver<Notice>, StoreError> {
        let (client, mut connection) = connect::dedicated(&self.target).await?;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let (keep_tx, mut keep_rx) = tokio::sync::oneshot::channel::<tokio_postgres::Client>();
        tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            // The client must live as long as its connection is read.
            let mut kept = Vec::with_capacity(1);
            let mut waiting = true;
            loop {
                tokio::select! {
                    client = &mut keep_rx, if waiting => {
                        waiting = false;
                        match client {
                            Ok(client) => kept.push(client),
                            Err(_) => return,
                        }
                    }
                    message = messages.next() => match message {
                        Some(Ok(tokio_postgres::AsyncMessage::Notification(note))) => {
                            let notice = serde_json::from_str(note.payload()).unwrap_or_default();
                            if tx.send(notice).is_err() {
                                return;
                            }
                        }
                        Some(Ok(_)) => {}
                        Some(Err(err)) => {
                            tracing::warn!("the notices' connection ended: {}", connect::describe(&err));
                            return;
                        }
                        None => return,
                    },
                }
            }
        });
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await.map_err(|e| self.failed(e))?;
        let _ = keep_tx.send(client);
        Ok(rx)
    }
}
