//! The mirror on SQLite: a file (or memory) with a writer connection and a
//! reader beside it (WAL lets it read while the writer writes). The same
//! methods as `store/postgres/`'s `PgStore`, each running its statements on
//! tokio's blocking pool; the rules both keep are written once in `store/`.

pub mod cases;
pub mod export;
pub mod file;
pub mod overview;
pub mod record;
pub mod report;
pub mod rollups;
pub mod rows;
pub mod schema;
pub mod search;
pub mod window;

use super::export::{BatchEnd, RowSink, Selection, Value};
use super::overview::{Overview, OverviewQuery};
use super::report::{ReportLine, ReportQuery};
use super::rows::Upserted;
use super::search::SearchPage;
use super::window::{WindowAsk, Windowed};
use super::{Account, Batch, Place, SearchQuery, Stats, StoreError};
use crate::api::{Page, Webhook};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

/// The most of the file an export batch maps.
const EXPORT_MAP_BYTES: i64 = 1 << 30;

pub struct SqliteStore {
    place: Place,
    writer: Arc<Mutex<Connection>>,
    /// A second connection for reads on a file; the same one in memory.
    reader: Arc<Mutex<Connection>>,
    /// A file on a read-only disk: read as it is, never written.
    pub read_only: bool,
    /// What agents did: a file of its own beside the mirror (`record.rs`).
    record: Arc<Mutex<Connection>>,
}

fn lock(mutex: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding it cannot leave SQLite inconsistent: carry on.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A write transaction that takes the write lock at once: in WAL mode a
/// deferred one that reads first fails at once with "database is locked"
/// when another connection wrote meanwhile, busy timeout or not.
fn begin(conn: &mut Connection) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}

/// Runs `job` on `conn` on tokio's blocking pool (`noun` names it if that fails).
async fn run<R: Send + 'static>(
    conn: Arc<Mutex<Connection>>,
    noun: &'static str,
    job: impl FnOnce(&mut Connection) -> rusqlite::Result<R> + Send + 'static,
) -> Result<R, StoreError> {
    match tokio::task::spawn_blocking(move || job(&mut lock(&conn))).await {
        Ok(result) => result.map_err(StoreError::from),
        Err(err) => Err(StoreError::Sql(format!("a {noun} task stopped: {err}"))),
    }
}

impl SqliteStore {
    /// Opens (or creates) the mirror of `account` in a file or in memory;
    /// with what the agent should be told about it.
    pub fn open(
        place: &Place,
        account: &Account,
        migrations: &[schema::Migration],
    ) -> Result<(SqliteStore, Vec<String>), StoreError> {
        let mut notes = Vec::new();
        let mut read_only = false;
        let (writer, reader) = match place {
            Place::Postgres(target) => {
                return Err(StoreError::Sql(format!("{} is a server: it is opened with open_place", target.shown)));
            }
            Place::Memory => {
                let mut conn = Connection::open_in_memory()?;
                file::configure(&conn, false)?;
                schema::migrate(&mut conn, migrations).map_err(|e| StoreError::Sql(e.to_string()))?;
                let shared = Arc::new(Mutex::new(conn));
                (shared.clone(), shared)
            }
            Place::File(path) => {
                let opened = file::open_database(path, migrations, "mirror")?;
                notes = opened.notes;
                read_only = opened.read_only;
                (Arc::new(Mutex::new(opened.writer)), Arc::new(Mutex::new(opened.reader)))
            }
        };
        let (record, record_notes) = record::open(place, read_only)?;
        notes.extend(record_notes);
        let record = Arc::new(Mutex::new(record));
        let store = SqliteStore { place: place.clone(), writer, reader, read_only, record };
        store.claim(account)?;
        Ok((store, notes))
    }

    /// Records the account in a new file, or refuses another account's (a
    /// file read only is checked, never written).
    fn claim(&self, account: &Account) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        let get = |key: &str| -> rusqlite::Result<Option<String>> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| row.get(0)).optional()
        };
        match (get("base_url")?, get("key_fingerprint")?) {
            (Some(url), Some(fingerprint)) if url == account.base_url && fingerprint == account.fingerprint => Ok(()),
            (None, None) if !self.read_only => {
                conn.execute("INSERT INTO meta (key, value) VALUES ('base_url', ?1)", [&account.base_url])?;
                conn.execute("INSERT INTO meta (key, value) VALUES ('key_fingerprint', ?1)", [&account.fingerprint])?;
                Ok(())
            }
            _ => Err(StoreError::Refused {
                path: self.place.to_string(),
                reason: "belongs to another account (base URL or API key)".into(),
            }),
        }
    }

    async fn with<R: Send + 'static>(
        &self,
        write: bool,
        job: impl FnOnce(&mut Connection) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R, StoreError> {
        run(if write { self.writer.clone() } else { self.reader.clone() }, "mirror", job).await
    }

    pub async fn save(&self, batch: Batch) -> Result<Upserted, StoreError> {
        self.with(true, move |conn| {
            let now = Utc::now();
            let tx = begin(conn)?;
            let mut done = Upserted::default();
            let mut deltas = super::rollups::Deltas::default();
            let mut links = Vec::new();
            for link in &batch.links {
                let upserted = rows::upsert_link(&tx, link, now, &mut deltas)?;
                if !upserted.change.is_empty() {
                    links.push(link);
                }
                done += upserted;
            }
            let mut transactions = Vec::new();
            for txn in &batch.transactions {
                let (upserted, before) = rows::upsert_transaction(&tx, txn, now, batch.report_changes, &mut deltas)?;
                if !upserted.change.is_empty() {
                    transactions.push((txn, before));
                }
                done += upserted;
            }
            deltas.apply(&tx)?;
            #[cfg(any(test, feature = "test-support"))]
            let upkeep = !batch.without_case_upkeep;
            #[cfg(not(any(test, feature = "test-support")))]
            let upkeep = true;
            if upkeep {
                cases::keep(&tx, &crate::store::cases::touched(links, transactions))?;
            }
            if let Some(hooks) = &batch.webhooks {
                done.change.webhooks = rows::replace_webhooks(&tx, hooks)?;
            }
            if let Some((key, value)) = &batch.state {
                tx.prepare_cached("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)")?
                    .execute([key, value])?;
            }
            tx.commit()?;
            Ok(done)
        })
        .await
    }

    pub async fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        let key = key.to_string();
        self.with(false, move |conn| {
            conn.prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
                .query_row([key], |row| row.get(0))
                .optional()
        })
        .await
    }

    pub async fn search(&self, query: SearchQuery, offset: u64, limit: u32) -> Result<SearchPage, StoreError> {
        self.with(false, move |conn| search::search(conn, &query, offset, limit)).await
    }

    pub async fn count(&self, sql: String, values: Vec<Value>) -> Result<u64, StoreError> {
        self.with(false, move |conn| window::count(conn, &sql, &values)).await
    }

    pub async fn window(&self, ask: WindowAsk) -> Result<Windowed, StoreError> {
        self.with(false, move |conn| window::read(conn, &ask)).await
    }

    pub async fn list_webhooks(&self) -> Result<Page<Webhook>, StoreError> {
        self.with(false, |conn| rows::webhooks(conn)).await
    }

    pub async fn case_facts(&self, late: super::cases::Late) -> Result<Vec<crate::cases::LinkFacts>, StoreError> {
        self.with(false, move |conn| cases::all(conn, late)).await
    }

    pub async fn order(&self, link_id: String) -> Result<crate::cases::Order, StoreError> {
        self.with(false, move |conn| {
            let mut order = cases::order(conn, &link_id)?;
            order.status_seen = cases::status_seen(conn, &link_id)?;
            Ok(order)
        })
        .await
    }

    pub async fn append_act(&self, act: crate::audit::Act) -> Result<crate::audit::Act, StoreError> {
        self.on_record(move |conn| record::append(conn, &act)).await
    }

    pub async fn act_on_case(
        &self,
        act: crate::audit::Act,
        decide: impl FnOnce(&[crate::audit::Act]) -> Result<(), String> + Send + 'static,
    ) -> Result<Result<crate::audit::Act, String>, StoreError> {
        self.on_record(move |conn| record::act_on_case(conn, &act, decide)).await
    }

    pub async fn audit(&self, query: crate::audit::AuditQuery) -> Result<Vec<crate::audit::Act>, StoreError> {
        self.on_record(move |conn| record::acts(conn, &query)).await
    }

    pub async fn import_acts(&self, acts: Vec<crate::audit::Act>) -> Result<usize, StoreError> {
        self.on_record(move |conn| record::import(conn, &acts)).await
    }

    pub async fn acts_about(&self, subjects: Vec<String>) -> Result<Vec<crate::audit::Act>, StoreError> {
        self.on_record(move |conn| record::about(conn, &subjects)).await
    }

    async fn on_record<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R, StoreError> {
        run(self.record.clone(), "record", job).await
    }

    pub async fn overview(&self, query: OverviewQuery) -> Result<Overview, StoreError> {
        self.with(false, move |conn| overview::overview(conn, &query)).await
    }

    pub async fn export_count(&self, selection: Selection) -> Result<u64, StoreError> {
        self.with(false, move |conn| export::count(conn, &selection)).await
    }

    /// The rows are read through a memory map while the batch lasts (a page
    /// read as a call costs more than the row's work); the map goes with the
    /// batch, so the dashboard's memory stays as it was.
    pub async fn export_batch<S: RowSink + 'static>(
        &self,
        selection: Selection,
        before: Option<i64>,
        limit: u32,
        mut sink: S,
    ) -> Result<(S, std::io::Result<BatchEnd>), StoreError> {
        self.with(false, move |conn| {
            conn.pragma_update(None, "mmap_size", EXPORT_MAP_BYTES)?;
            let ended = export::batch(conn, &selection, before, limit, &mut sink);
            conn.pragma_update(None, "mmap_size", 0)?;
            Ok((sink, ended?))
        })
        .await
    }

    pub async fn report(&self, query: ReportQuery) -> Result<Vec<ReportLine>, StoreError> {
        self.with(false, move |conn| report::report(conn, &query)).await
    }

    pub async fn ids_with_status(&self, transactions: bool, status: &str) -> Result<Vec<String>, StoreError> {
        let (table, status) = (if transactions { "transactions" } else { "links" }, status.to_string());
        self.with(false, move |conn| {
            let sql = format!("SELECT id FROM {table} WHERE status = ?1");
            conn.prepare_cached(&sql)?.query_map([status], |row| row.get(0))?.collect()
        })
        .await
    }

    pub async fn known(&self, transactions: bool, ids: Vec<String>) -> Result<Vec<String>, StoreError> {
        let table = if transactions { "transactions" } else { "links" };
        self.with(false, move |conn| {
            let mut known = Vec::new();
            let mut find = conn.prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?;
            for id in ids {
                if find.exists([&id])? {
                    known.push(id);
                }
            }
            Ok(known)
        })
        .await
    }

    pub async fn stats(&self) -> Result<Stats, StoreError> {
        let place = self.place.clone();
        self.with(false, move |conn| {
            let count = |table: &str| -> rusqlite::Result<u64> {
                let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0))?;
                Ok(u64::try_from(n).unwrap_or(0))
            };
            let bytes = match &place {
                Place::File(path) => {
                    let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
                    Some(size(path.clone()) + size(PathBuf::from(format!("{}-wal", path.display()))))
                }
                Place::Memory | Place::Postgres(_) => None,
            };
            Ok(Stats {
                place: place.to_string(),
                schema: schema::version(conn)?,
                links: count("links")?,
                transactions: count("transactions")?,
                webhooks: count("webhooks")?,
                bytes,
            })
        })
        .await
    }

    /// SQLite's count of commits other connections made to the file.
    /// The mirror's and the record's data versions.
    pub async fn data_version(&self) -> Result<(i64, i64), StoreError> {
        let version =
            |conn: &mut Connection| conn.prepare_cached("PRAGMA data_version")?.query_row([], |row| row.get(0));
        let mirror = self.with(true, version).await?;
        Ok((mirror, self.on_record(version).await?))
    }

    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        self.with(true, |conn| conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))).await
    }

    pub async fn clear(&self) -> Result<(), StoreError> {
        self.with(true, |conn| {
            let tx = begin(conn)?;
            tx.execute_batch(
                "DELETE FROM links; DELETE FROM transactions; DELETE FROM webhooks; DELETE FROM sync_state; \
                 DELETE FROM search; DELETE FROM sync_lease; DELETE FROM rollup_transactions; \
                 DELETE FROM rollup_settled; DELETE FROM rollup_links; DELETE FROM case_facts; \
                 DELETE FROM balance_links; DELETE FROM link_changes; \
                 DELETE FROM list_totals;",
            )?;
            tx.commit()?;
            conn.execute_batch("VACUUM")?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        })
        .await
    }

    pub async fn lease(&self) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        self.with(false, |conn| {
            conn.prepare_cached("SELECT holder, until FROM sync_lease WHERE id = 1")?
                .query_row([], |row| Ok((row.get::<_, String>(0)?, super::rows::from_micros(row.get(1)?))))
                .optional()
        })
        .await
    }

    pub async fn release_lease(&self, holder: &str) -> Result<(), StoreError> {
        let holder = holder.to_string();
        self.with(true, move |conn| {
            conn.prepare_cached("DELETE FROM sync_lease WHERE holder = ?1")?.execute([holder]).map(|_| ())
        })
        .await
    }

    /// Waits here rather than on tokio: for a mirror being dropped at exit.
    pub fn release_lease_now(&self, holder: &str) {
        if let Err(err) = lock(&self.writer).execute("DELETE FROM sync_lease WHERE holder = ?1", [holder]) {
            tracing::warn!("could not give up the mirror's sync lease: {err}");
        }
    }

    pub async fn take_lease(&self, holder: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool, StoreError> {
        let holder = holder.to_string();
        self.with(true, move |conn| {
            let tx = begin(conn)?;
            let current: Option<(String, i64)> = tx
                .prepare_cached("SELECT holder, until FROM sync_lease WHERE id = 1")?
                .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let free = match &current {
                None => true,
                Some((who, ends)) => *who == holder || *ends < super::rows::micros(now),
            };
            if free {
                tx.prepare_cached("INSERT OR REPLACE INTO sync_lease (id, holder, until) VALUES (1, ?1, ?2)")?
                    .execute(rusqlite::params![holder, super::rows::micros(until)])?;
            }
            tx.commit()?;
            Ok(free)
        })
        .await
    }
}

#[cfg(test)]
mod tests;
