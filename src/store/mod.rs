//! The local mirror of one PIK account: links, transactions and webhooks
//! as PIK returned them, the sync's state, and a full-text index. Embedded
//! SQLite (bundled, with FTS5): no server, no set-up. One file per account,
//! keyed by the base URL and a fingerprint of the key (never the key);
//! mode 0600; WAL and a busy timeout so that two dashboards can share it.
//! It never holds the API key or a webhook secret.
//!
//! The interface is narrow and async (SQLite's calls run on tokio's
//! blocking pool): the sync writes batches, the worker asks for pages and
//! searches. It knows nothing of the screen. See `docs/architecture.md`.

#[cfg(any(test, feature = "test-support"))]
pub mod contract;
pub mod export;
mod file;
mod lists;
pub mod location;
pub mod overview;
pub mod postgres;
pub mod query;
pub mod report;
pub mod rollups;
mod rows;
pub mod schema;
pub mod search;
mod sqlite;
pub mod tokens;
pub mod window;

pub use export::Selection;
pub use overview::{Attention, CurrencyFigures, Figure, Overview, OverviewQuery, Step, Thresholds};
pub use query::{AmountCmp, DateField, Dates, Kinds, SearchQuery, Term, TimeRange};
pub use report::{ReportLine, ReportQuery};
pub use rows::{Change, Upserted};
pub use search::{COUNT_CAP, SearchHit, SearchPage};
pub use window::{Anchor, Cursor, ListQuery, Sort, SortColumn, Window, WindowAsk, Windowed};

use crate::api::{Page, PaymentLink, Transaction, Webhook};
use chrono::{DateTime, Utc};
use file::configure;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

/// Notices a slow listener may fall behind by before it misses some (it
/// is then told something changed, which is all it needs).
const NOTICES_KEPT: usize = 64;

/// The most of the file an export batch maps.
const EXPORT_MAP_BYTES: i64 = 1 << 30;

/// Where the mirror lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    File(PathBuf),
    /// In memory only (`--no-store`, the demo): nothing touches the disk.
    Memory,
    /// A shared mirror on a PostgreSQL server, for a team.
    Postgres(postgres::Target),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::File(path) => write!(f, "{}", path.display()),
            Place::Memory => f.write_str("memory (nothing on disk)"),
            Place::Postgres(target) => f.write_str(&target.shown),
        }
    }
}

/// Which account a mirror belongs to: the base URL and a fingerprint of the
/// key. Two accounts never share a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub base_url: String,
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("the mirror {path} {reason}; it is left as it is (use --store FILE for another, or --no-store)")]
    Refused { path: String, reason: String },
    #[error("cannot use the mirror {path}: {message}")]
    Io { path: String, message: String },
    #[error("the mirror failed: {0}")]
    Sql(String),
    /// A `--store` that cannot be taken as given, in a sentence.
    #[error("{0}")]
    Usage(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Sql(error.to_string())
    }
}

/// A store just opened, and what the agent should be told about it.
pub struct Opened {
    pub store: Store,
    /// Plain words: "moved a corrupt file aside to …".
    pub notes: Vec<String>,
}

/// Counts and facts for `pik-tui store stats`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub place: String,
    pub schema: u32,
    pub links: u64,
    pub transactions: u64,
    pub webhooks: u64,
    pub bytes: Option<u64>,
}

/// What one write brings in: rows, and the sync's state saved with them
/// (so a kill between the two cannot happen).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub links: Vec<PaymentLink>,
    pub transactions: Vec<Transaction>,
    pub webhooks: Option<Vec<Webhook>>,
    /// (key, JSON) of the sync's state.
    pub state: Option<(String, String)>,
    /// Report the transactions that are new or moved ([`Upserted::changed`]).
    pub report_changes: bool,
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    place: Place,
    backend: Backend,
    /// A file on a read-only disk: read as it is, never written.
    read_only: bool,
    /// Announces what each write changed, once committed.
    notices: tokio::sync::broadcast::Sender<Change>,
    /// Tests: saves left before one fails as a full disk does (0: none).
    #[cfg(any(test, feature = "test-support"))]
    failing_save: std::sync::atomic::AtomicU64,
}

impl Inner {
    fn new(place: Place, backend: Backend, read_only: bool) -> Inner {
        Inner {
            place,
            backend,
            read_only,
            notices: tokio::sync::broadcast::channel(NOTICES_KEPT).0,
            #[cfg(any(test, feature = "test-support"))]
            failing_save: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

enum Backend {
    Sqlite {
        writer: Arc<Mutex<Connection>>,
        /// A second connection for reads on a file (WAL lets it read while
        /// the writer writes); the same one in memory.
        reader: Arc<Mutex<Connection>>,
    },
    Postgres(Box<postgres::PgStore>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.inner.place)
    }
}

fn lock(mutex: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding it cannot leave SQLite inconsistent: carry on.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Store {
    /// Opens (or creates) the mirror for `account`.
    pub fn open(place: Place, account: &Account) -> Result<Opened, StoreError> {
        Self::open_with(place, account, schema::MIGRATIONS)
    }

    /// Opens a shared mirror on PostgreSQL (or the file or memory `place`
    /// names, as [`Store::open`] does).
    pub async fn open_place(place: Place, account: &Account) -> Result<Opened, StoreError> {
        match place {
            Place::Postgres(target) => {
                let store = postgres::PgStore::open(target.clone(), account).await?;
                let inner = Inner::new(Place::Postgres(target), Backend::Postgres(Box::new(store)), false);
                Ok(Opened { store: Store { inner: Arc::new(inner) }, notes: Vec::new() })
            }
            place => Self::open(place, account),
        }
    }

    /// The shared mirror behind this store, if it is one.
    pub fn shared(&self) -> Option<&postgres::PgStore> {
        match &self.inner.backend {
            Backend::Postgres(store) => Some(store),
            Backend::Sqlite { .. } => None,
        }
    }

    fn open_with(place: Place, account: &Account, migrations: &[schema::Migration]) -> Result<Opened, StoreError> {
        let mut notes = Vec::new();
        let mut read_only = false;
        let (writer, reader) = match &place {
            Place::Postgres(target) => {
                return Err(StoreError::Sql(format!("{} is a server: it is opened with open_place", target.shown)));
            }
            Place::Memory => {
                let mut conn = Connection::open_in_memory()?;
                configure(&conn, false)?;
                schema::migrate(&mut conn, migrations).map_err(|e| StoreError::Sql(e.to_string()))?;
                let shared = Arc::new(Mutex::new(conn));
                (shared.clone(), shared)
            }
            Place::File(path) => {
                let opened = file::open_mirror(path, migrations)?;
                notes = opened.notes;
                read_only = opened.read_only;
                (Arc::new(Mutex::new(opened.writer)), Arc::new(Mutex::new(opened.reader)))
            }
        };
        let store = Store { inner: Arc::new(Inner::new(place, Backend::Sqlite { writer, reader }, read_only)) };
        store.claim(account, read_only)?;
        Ok(Opened { store, notes })
    }

    /// Records the account in a new file, or refuses another account's (a
    /// file read only is checked, never written).
    fn claim(&self, account: &Account, read_only: bool) -> Result<(), StoreError> {
        let Backend::Sqlite { writer, .. } = &self.inner.backend else { return Ok(()) };
        let conn = lock(writer);
        let get = |key: &str| -> rusqlite::Result<Option<String>> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| row.get(0)).optional()
        };
        match (get("base_url")?, get("key_fingerprint")?) {
            (Some(url), Some(fingerprint)) if url == account.base_url && fingerprint == account.fingerprint => Ok(()),
            (None, None) if !read_only => {
                conn.execute("INSERT INTO meta (key, value) VALUES ('base_url', ?1)", [&account.base_url])?;
                conn.execute("INSERT INTO meta (key, value) VALUES ('key_fingerprint', ?1)", [&account.fingerprint])?;
                Ok(())
            }
            _ => Err(StoreError::Refused {
                path: self.inner.place.to_string(),
                reason: "belongs to another account (base URL or API key)".into(),
            }),
        }
    }

    pub fn place(&self) -> &Place {
        &self.inner.place
    }

    /// Whether it is a file on a read-only disk, read as it is.
    pub fn read_only(&self) -> bool {
        self.inner.read_only
    }

    /// A write transaction that takes the write lock at once: in WAL mode a
    /// deferred one that reads first fails at once with "database is
    /// locked" when another connection wrote meanwhile, busy timeout or not.
    fn begin(conn: &mut Connection) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        conn.transaction_with_behavior(TransactionBehavior::Immediate)
    }

    async fn with<R: Send + 'static>(
        &self,
        write: bool,
        job: impl FnOnce(&mut Connection) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R, StoreError> {
        let conn = match &self.inner.backend {
            Backend::Sqlite { writer, .. } if write => writer.clone(),
            Backend::Sqlite { reader, .. } => reader.clone(),
            Backend::Postgres(_) => return Err(StoreError::Sql("not a SQLite mirror".into())),
        };
        let joined = tokio::task::spawn_blocking(move || job(&mut lock(&conn))).await;
        match joined {
            Ok(result) => result.map_err(StoreError::from),
            Err(err) => Err(StoreError::Sql(format!("a mirror task stopped: {err}"))),
        }
    }

    /// Tests: the `n`th save from now fails, writing nothing, as one does
    /// on a full disk.
    #[cfg(any(test, feature = "test-support"))]
    pub fn fail_save(&self, n: u64) {
        self.inner.failing_save.store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// What the store will announce from now on: what each write changed.
    pub fn changes(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.inner.notices.subscribe()
    }

    /// Says that something changed: a write here, or one another process
    /// made (a shared mirror's notice, a file's data version moving).
    pub fn announce(&self, change: Change) {
        if !change.is_empty() {
            // Nobody listening is fine.
            let _ = self.inner.notices.send(change);
        }
    }

    /// Writes a batch in one transaction: all of it, or none; then says what
    /// changed.
    pub async fn save(&self, batch: Batch) -> Result<Upserted, StoreError> {
        let saved = self.write(batch).await?;
        self.announce(saved.change.clone());
        Ok(saved)
    }

    async fn write(&self, batch: Batch) -> Result<Upserted, StoreError> {
        #[cfg(any(test, feature = "test-support"))]
        {
            use std::sync::atomic::Ordering::SeqCst;
            let left = self.inner.failing_save.fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1)).unwrap_or(0);
            if left == 1 {
                return Err(StoreError::Sql("database or disk is full".into()));
            }
        }
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.save(batch).await;
        }
        self.with(true, move |conn| {
            let now = Utc::now();
            let tx = Self::begin(conn)?;
            let mut done = Upserted::default();
            let mut deltas = rollups::Deltas::default();
            for link in &batch.links {
                done += rows::upsert_link(&tx, link, now, &mut deltas)?;
            }
            for txn in &batch.transactions {
                done += rows::upsert_transaction(&tx, txn, now, batch.report_changes, &mut deltas)?;
            }
            deltas.apply(&tx)?;
            if let Some(hooks) = &batch.webhooks {
                done.change.webhooks = rows::replace_webhooks(&tx, hooks)?;
            }
            if let Some((key, value)) = &batch.state {
                tx.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)", [key, value])?;
            }
            tx.commit()?;
            Ok(done)
        })
        .await
    }

    /// The sync's saved state under `key` (JSON), if any.
    pub async fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.state(key).await;
        }
        let key = key.to_string();
        self.with(false, move |conn| {
            conn.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |row| row.get(0)).optional()
        })
        .await
    }

    pub async fn search(&self, query: SearchQuery, offset: u64, limit: u32) -> Result<SearchPage, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.search(query, offset, limit).await;
        }
        self.with(false, move |conn| search::search(conn, &query, offset, limit)).await
    }

    /// How many rows a filter selects (its words are not used).
    pub async fn count(&self, filter: SearchQuery) -> Result<u64, StoreError> {
        let query = ListQuery { filter, sort: Sort::default() };
        let (sql, values) = window::count_sql(&query, None, self.shared().is_some());
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.count(sql, values).await;
        }
        self.with(false, move |conn| sqlite::window::count(conn, &sql, &values)).await
    }

    /// A window of a list (see `store/window.rs`).
    pub async fn window(&self, ask: WindowAsk) -> Result<Windowed, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.window(ask).await;
        }
        self.with(false, move |conn| sqlite::window::read(conn, &ask)).await
    }

    pub async fn list_webhooks(&self) -> Result<Page<Webhook>, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.list_webhooks().await;
        }
        self.with(false, |conn| lists::webhooks(conn)).await
    }

    /// The overview of a period: money per currency, the chart, what needs attention.
    pub async fn overview(&self, query: OverviewQuery) -> Result<Overview, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.overview(query).await;
        }
        self.with(false, move |conn| overview::overview(conn, &query)).await
    }

    /// How many rows an export of `selection` will write.
    pub async fn export_count(&self, selection: Selection) -> Result<u64, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.export_count(selection).await;
        }
        self.with(false, move |conn| export::count(conn, &selection)).await
    }

    /// Writes up to `limit` rows of an export below sort key `before` to
    /// `sink`, which is handed back with how the batch ended. The rows are
    /// read through a memory map while the batch lasts (a page read as a
    /// call costs more than the row's work); the map goes with the batch,
    /// so the dashboard's memory stays as it was.
    pub async fn export_batch<S: export::RowSink + 'static>(
        &self,
        selection: Selection,
        before: Option<i64>,
        limit: u32,
        mut sink: S,
    ) -> Result<(S, std::io::Result<export::BatchEnd>), StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.export_batch(selection, before, limit, sink).await;
        }
        self.with(false, move |conn| {
            conn.pragma_update(None, "mmap_size", EXPORT_MAP_BYTES)?;
            let ended = export::batch(conn, &selection, before, limit, &mut sink);
            conn.pragma_update(None, "mmap_size", 0)?;
            Ok((sink, ended?))
        })
        .await
    }

    /// Reconciliation totals of a period, by currency and status (and local day).
    pub async fn report(&self, query: ReportQuery) -> Result<Vec<ReportLine>, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.report(query).await;
        }
        self.with(false, move |conn| report::report(conn, &query)).await
    }

    /// The ids of the stored links or transactions with this status.
    pub async fn ids_with_status(&self, transactions: bool, status: &str) -> Result<Vec<String>, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.ids_with_status(transactions, status).await;
        }
        let (table, status) = (if transactions { "transactions" } else { "links" }, status.to_string());
        self.with(false, move |conn| {
            let sql = format!("SELECT id FROM {table} WHERE status = ?1");
            conn.prepare(&sql)?.query_map([status], |row| row.get(0))?.collect()
        })
        .await
    }

    /// Which of these ids of links (or transactions) are stored already.
    pub async fn known(&self, transactions: bool, ids: Vec<String>) -> Result<Vec<String>, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.known(transactions, ids).await;
        }
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
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.stats().await;
        }
        let place = self.inner.place.clone();
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

    /// SQLite's count of commits other connections made to the file: it
    /// moves when another process writes (none for a shared mirror, whose
    /// notices say so).
    pub async fn data_version(&self) -> Result<Option<i64>, StoreError> {
        if let Backend::Postgres(_) = &self.inner.backend {
            return Ok(None);
        }
        self.with(true, |conn| conn.query_row("PRAGMA data_version", [], |row| row.get(0)).map(Some)).await
    }

    /// Moves what the write-ahead log holds into the file and empties the log.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if let Backend::Postgres(_) = &self.inner.backend {
            // The server keeps its own log.
            return Ok(());
        }
        self.with(true, |conn| conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))).await
    }

    /// Forgets every row and the sync's state; the next sync starts over.
    pub async fn clear(&self) -> Result<(), StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.clear().await;
        }
        self.with(true, |conn| {
            let tx = Self::begin(conn)?;
            tx.execute_batch(
                "DELETE FROM links; DELETE FROM transactions; DELETE FROM webhooks; DELETE FROM sync_state; \
                 DELETE FROM search; DELETE FROM sync_lease; DELETE FROM rollup_transactions; \
                 DELETE FROM rollup_settled; DELETE FROM rollup_links;",
            )?;
            tx.commit()?;
            conn.execute_batch("VACUUM")?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        })
        .await
    }

    /// Who holds the right to sync this file, and until when (a shared
    /// mirror's election cannot be read: its lock goes with its holder).
    pub async fn lease(&self) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        if let Backend::Postgres(_) = &self.inner.backend {
            return Ok(None);
        }
        self.with(false, |conn| {
            conn.query_row("SELECT holder, until FROM sync_lease WHERE id = 1", [], |row| {
                Ok((row.get::<_, String>(0)?, rows::from_micros(row.get(1)?)))
            })
            .optional()
        })
        .await
    }

    /// Gives up the right to sync, if `holder` has it: at a clean exit, or
    /// for a holder whose process is gone.
    pub async fn release_lease(&self, holder: &str) -> Result<(), StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            pg.release_lease().await;
            return Ok(());
        }
        let holder = holder.to_string();
        self.with(true, move |conn| conn.execute("DELETE FROM sync_lease WHERE holder = ?1", [holder]).map(|_| ()))
            .await
    }

    /// The same, waiting here rather than on tokio: for a mirror being
    /// dropped at exit, when nothing may be awaited any more. A shared
    /// mirror's lock goes with its connection.
    pub fn release_lease_now(&self, holder: &str) {
        if let Backend::Sqlite { writer, .. } = &self.inner.backend
            && let Err(err) = lock(writer).execute("DELETE FROM sync_lease WHERE holder = ?1", [holder])
        {
            tracing::warn!("could not give up the mirror's sync lease: {err}");
        }
    }

    /// Takes (or renews) the right to sync this file until `until`, unless
    /// another holder has it. Two dashboards on one file: one syncs.
    pub async fn take_lease(&self, holder: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool, StoreError> {
        if let Backend::Postgres(pg) = &self.inner.backend {
            return pg.take_lease(holder, now).await;
        }
        let holder = holder.to_string();
        self.with(true, move |conn| {
            let tx = Self::begin(conn)?;
            let current: Option<(String, i64)> = tx
                .query_row("SELECT holder, until FROM sync_lease WHERE id = 1", [], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            let free = match &current {
                None => true,
                Some((who, ends)) => *who == holder || *ends < rows::micros(now),
            };
            if free {
                tx.execute(
                    "INSERT OR REPLACE INTO sync_lease (id, holder, until) VALUES (1, ?1, ?2)",
                    rusqlite::params![holder, rows::micros(until)],
                )?;
            }
            tx.commit()?;
            Ok(free)
        })
        .await
    }
}

#[cfg(test)]
mod tests;
