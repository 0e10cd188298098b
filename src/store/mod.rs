//! The local mirror of one PIK account: links, transactions and webhooks
//! as PIK returned them, the sync's state, and a full-text index. Embedded
//! SQLite (bundled, with FTS5) by default (`store/sqlite/`), or a shared
//! PostgreSQL for a team (`store/postgres/`): each backend a whole module
//! with the same methods, [`Store`] dispatching to it; the rules both keep
//! (sort keys, forward-only statuses, tokens, windows, the Overview's and
//! reports' assembly) are written once, here in `store/`. It never holds
//! the API key or a webhook secret.
//!
//! The interface is narrow and async: the sync writes batches, the worker
//! reads windows and searches, and every committed change is announced. It
//! knows nothing of the screen. See `docs/architecture.md`.

pub mod cases;
#[cfg(any(test, feature = "test-support"))]
pub mod contract;
pub mod export;
pub mod location;
pub mod overview;
pub mod postgres;
pub mod query;
pub mod report;
pub mod rollups;
mod rows;
pub mod search;
mod sqlite;
pub mod tokens;
pub mod window;

pub use export::Selection;
pub use overview::{CurrencyFigures, Figure, Overview, OverviewQuery, Step};
pub use query::{AmountCmp, CaseFilter, DateField, Kinds, MAX_QUERY_CHARS, Reading, SearchQuery, Term, TimeRange};
pub use report::{ReportLine, ReportQuery};
pub use rows::{Change, Upserted};
pub use search::{COUNT_CAP, SearchHit, SearchPage};
pub use window::{Anchor, Cursor, ListQuery, Sort, SortColumn, Window, WindowAsk, Windowed};

use crate::api::{Page, PaymentLink, Transaction, Webhook};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;

/// Notices a slow listener may fall behind by before it misses some (it
/// is then told something changed, which is all it needs).
const NOTICES_KEPT: usize = 64;

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
    /// For the benchmark that weighs the case upkeep against a save without
    /// it (SQLite); no build of the program has it.
    #[cfg(any(test, feature = "test-support"))]
    pub without_case_upkeep: bool,
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

/// The backend: each arm a whole module, with the same methods.
enum Backend {
    Sqlite(sqlite::SqliteStore),
    Postgres(Box<postgres::PgStore>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.inner.place)
    }
}

/// Runs the same call on whichever backend holds the mirror.
macro_rules! on_backend {
    ($store:expr, $backend:ident => $call:expr) => {
        match &$store.inner.backend {
            Backend::Sqlite($backend) => $call,
            Backend::Postgres($backend) => $call,
        }
    };
}

// After the macro, which it uses.
mod record;

impl Store {
    /// Opens (or creates) the mirror for `account`: a file or memory.
    pub fn open(place: Place, account: &Account) -> Result<Opened, StoreError> {
        Self::open_with(place, account, sqlite::schema::MIGRATIONS)
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
            Backend::Sqlite(_) => None,
        }
    }

    fn open_with(
        place: Place,
        account: &Account,
        migrations: &[sqlite::schema::Migration],
    ) -> Result<Opened, StoreError> {
        let (store, notes) = sqlite::SqliteStore::open(&place, account, migrations)?;
        let read_only = store.read_only;
        let store = Store { inner: Arc::new(Inner::new(place, Backend::Sqlite(store), read_only)) };
        Ok(Opened { store, notes })
    }

    pub fn place(&self) -> &Place {
        &self.inner.place
    }

    /// Whether it is a file on a read-only disk, read as it is.
    pub fn read_only(&self) -> bool {
        self.inner.read_only
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
        #[cfg(any(test, feature = "test-support"))]
        {
            use std::sync::atomic::Ordering::SeqCst;
            let left = self.inner.failing_save.fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1)).unwrap_or(0);
            if left == 1 {
                return Err(StoreError::Sql("database or disk is full".into()));
            }
        }
        let saved = on_backend!(self, backend => backend.save(batch).await)?;
        self.announce(saved.change.clone());
        Ok(saved)
    }

    /// The sync's saved state under `key` (JSON), if any.
    pub async fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        on_backend!(self, backend => backend.state(key).await)
    }

    pub async fn search(&self, query: SearchQuery, offset: u64, limit: u32) -> Result<SearchPage, StoreError> {
        let query = self.with_case_links(query).await?;
        on_backend!(self, backend => backend.search(query, offset, limit).await)
    }

    /// A `case:` filter's links, found from the cases now: a case is judged
    /// with the clock and the rules, which no SQL knows.
    async fn with_case_links(&self, mut query: SearchQuery) -> Result<SearchQuery, StoreError> {
        let Some(filter) = query.case.as_mut().filter(|filter| filter.links.is_none()) else { return Ok(query) };
        let asked = cases::CaseQuery {
            rules: filter.rules.clone(),
            now: filter.now,
            kind: filter.kind,
            order: cases::CaseOrder::Oldest,
            handled: filter.handled.clone(),
        };
        let links: Vec<String> = self.cases(asked).await?.into_iter().map(|case| case.link_id).collect();
        if links.len() > query::MAX_CASE_LINKS {
            return Err(StoreError::Usage(format!(
                "{} orders have such a case, more than a search can hold ({}): add a kind (case:underpaid) or other filters",
                links.len(),
                query::MAX_CASE_LINKS
            )));
        }
        filter.links = Some(links);
        Ok(query)
    }

    /// How many rows a filter selects (its words are not used).
    pub async fn count(&self, filter: SearchQuery) -> Result<u64, StoreError> {
        let filter = self.with_case_links(filter).await?;
        let query = ListQuery { filter, sort: Sort::default() };
        let (sql, values) = window::count_sql(&query, None, self.shared().is_some());
        on_backend!(self, backend => backend.count(sql, values).await)
    }

    /// A window of a list (see `store/window.rs`).
    pub async fn window(&self, mut ask: WindowAsk) -> Result<Windowed, StoreError> {
        ask.query.filter = self.with_case_links(ask.query.filter).await?;
        on_backend!(self, backend => backend.window(ask).await)
    }

    /// Every webhook, in PIK's order.
    pub async fn list_webhooks(&self) -> Result<Page<Webhook>, StoreError> {
        on_backend!(self, backend => backend.list_webhooks().await)
    }

    /// The cases now, of a kind or all, in the order asked.
    pub async fn cases(&self, query: cases::CaseQuery) -> Result<Vec<crate::cases::Case>, StoreError> {
        let late = cases::Late::of(&query.rules, query.now);
        let facts = on_backend!(self, backend => backend.case_facts(late).await)?;
        Ok(cases::list(facts, &query, &self.handling().await))
    }

    /// One order's rows (a link with no case too): its link, the payments
    /// on it, the balance links made for it, and what agents did about it.
    pub async fn order(&self, link_id: &str) -> Result<crate::cases::Order, StoreError> {
        let mut order = on_backend!(self, backend => backend.order(link_id.to_string()).await)?;
        let mut subjects = vec![link_id.to_string()];
        subjects.extend(order.balance_links.iter().map(|link| link.id.clone()));
        // The order stands without the acts: a record that cannot be read
        // must not hide what the mirror holds.
        order.acts = match self.acts_about(subjects).await {
            Ok(acts) => acts,
            Err(err) => {
                tracing::warn!(%err, "the record of what agents did could not be read");
                Vec::new()
            }
        };
        order.looking = self.lookers(link_id).await.unwrap_or_else(|err| {
            tracing::warn!(%err, "who has the case open could not be read");
            Vec::new()
        });
        Ok(order)
    }

    /// The overview of a period: money per currency, the chart, what needs attention.
    pub async fn overview(&self, mut query: OverviewQuery) -> Result<Overview, StoreError> {
        query.handling = self.handling().await;
        on_backend!(self, backend => backend.overview(query).await)
    }

    /// How many rows an export of `selection` will write.
    pub async fn export_count(&self, selection: Selection) -> Result<u64, StoreError> {
        let selection = self.selection_with_case_links(selection).await?;
        on_backend!(self, backend => backend.export_count(selection).await)
    }

    /// Writes up to `limit` rows of an export below sort key `before` to
    /// `sink`, which is handed back with how the batch ended.
    pub async fn export_batch<S: export::RowSink + 'static>(
        &self,
        selection: Selection,
        before: Option<i64>,
        limit: u32,
        sink: S,
    ) -> Result<(S, std::io::Result<export::BatchEnd>), StoreError> {
        let selection = self.selection_with_case_links(selection).await?;
        on_backend!(self, backend => backend.export_batch(selection, before, limit, sink).await)
    }

    async fn selection_with_case_links(&self, selection: Selection) -> Result<Selection, StoreError> {
        Ok(match selection {
            Selection::Filter(query) => Selection::Filter(self.with_case_links(query).await?),
            Selection::Search(query) => Selection::Search(self.with_case_links(query).await?),
        })
    }

    /// Reconciliation totals of a period, by currency and status (and local day).
    pub async fn report(&self, query: ReportQuery) -> Result<Vec<ReportLine>, StoreError> {
        on_backend!(self, backend => backend.report(query).await)
    }

    /// The ids of the stored links or transactions with this status.
    pub async fn ids_with_status(&self, transactions: bool, status: &str) -> Result<Vec<String>, StoreError> {
        on_backend!(self, backend => backend.ids_with_status(transactions, status).await)
    }

    /// Which of these ids of links (or transactions) are stored already.
    pub async fn known(&self, transactions: bool, ids: Vec<String>) -> Result<Vec<String>, StoreError> {
        on_backend!(self, backend => backend.known(transactions, ids).await)
    }

    pub async fn stats(&self) -> Result<Stats, StoreError> {
        on_backend!(self, backend => backend.stats().await)
    }

    /// SQLite's counts of commits other connections made to the mirror's
    /// file and to the record's: they move when another process writes
    /// (none for a shared mirror, whose notices say so).
    pub async fn data_version(&self) -> Result<Option<(i64, i64)>, StoreError> {
        match &self.inner.backend {
            Backend::Sqlite(backend) => backend.data_version().await.map(Some),
            Backend::Postgres(_) => Ok(None),
        }
    }

    /// Moves what the write-ahead log holds into the file and empties the log.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        match &self.inner.backend {
            Backend::Sqlite(backend) => backend.checkpoint().await,
            // The server keeps its own log.
            Backend::Postgres(_) => Ok(()),
        }
    }

    /// Forgets every row and the sync's state; the next sync starts over.
    pub async fn clear(&self) -> Result<(), StoreError> {
        on_backend!(self, backend => backend.clear().await)
    }

    /// Who holds the right to sync this file, and until when (a shared
    /// mirror's election cannot be read: its lock goes with its holder).
    pub async fn lease(&self) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        match &self.inner.backend {
            Backend::Sqlite(backend) => backend.lease().await,
            Backend::Postgres(_) => Ok(None),
        }
    }

    /// Gives up the right to sync, if `holder` has it: at a clean exit, or
    /// for a holder whose process is gone.
    pub async fn release_lease(&self, holder: &str) -> Result<(), StoreError> {
        match &self.inner.backend {
            Backend::Sqlite(backend) => backend.release_lease(holder).await,
            Backend::Postgres(backend) => {
                backend.release_lease().await;
                Ok(())
            }
        }
    }

    /// The same, waiting here rather than on tokio: for a mirror being
    /// dropped at exit, when nothing may be awaited any more. A shared
    /// mirror's lock goes with its connection.
    pub fn release_lease_now(&self, holder: &str) {
        if let Backend::Sqlite(backend) = &self.inner.backend {
            backend.release_lease_now(holder);
        }
    }

    /// Takes (or renews) the right to sync this file until `until`, unless
    /// another holder has it. Two dashboards on one file: one syncs.
    pub async fn take_lease(&self, holder: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool, StoreError> {
        match &self.inner.backend {
            Backend::Sqlite(backend) => backend.take_lease(holder, now, until).await,
            Backend::Postgres(backend) => backend.take_lease(holder, now).await,
        }
    }
}
