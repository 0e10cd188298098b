//! The shared mirror's schema on PostgreSQL, as numbered migrations, the
//! version in `meta`. Two processes starting at once do not race: the
//! migrations run in one transaction under an advisory lock, and DDL in
//! PostgreSQL is transactional, so a crash leaves the old schema whole.
//!
//! The tables are those of the SQLite file (same columns, same sort keys).
//! Search is a `tsvector` per row, made from the same tokens as the SQLite
//! index with their positions, under a GIN index: words, phrases and
//! prefixes (ids and hashes are single tokens, so a prefix of one is a GIN
//! prefix scan) give the same rows in the same order.

use super::super::StoreError;

/// The advisory lock taken while migrating (an arbitrary number: "pik1").
pub const MIGRATION_LOCK: i64 = 0x7069_6b31;

pub struct Migration {
    pub version: u32,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: r#"
CREATE TABLE links (
    sort_key BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,
    amount_key TEXT COLLATE "C" NOT NULL,
    description TEXT,
    url TEXT,
    paid_at BIGINT,
    expires_at BIGINT,
    mirrored_at BIGINT NOT NULL,
    -- The search's filter tokens (st_…, cur_…), so that a search of
    -- filters alone walks an index in key order instead of the words.
    status_token TEXT NOT NULL,
    currency_token TEXT NOT NULL
);
CREATE INDEX links_by_status ON links (status, sort_key);
CREATE INDEX links_by_status_token ON links (status_token, sort_key);
CREATE INDEX links_by_currency_token ON links (currency_token, status_token, sort_key);
CREATE INDEX links_by_currency_token_alone ON links (currency_token, sort_key);
CREATE TABLE transactions (
    sort_key BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,
    amount_key TEXT COLLATE "C" NOT NULL,
    payment_link_id TEXT,
    tx_hash TEXT,
    confirmed_at BIGINT,
    settled_at BIGINT,
    mirrored_at BIGINT NOT NULL,
    status_token TEXT NOT NULL,
    currency_token TEXT NOT NULL
);
CREATE INDEX transactions_by_status_token ON transactions (status_token, sort_key);
CREATE INDEX transactions_by_currency_token ON transactions (currency_token, status_token, sort_key);
CREATE INDEX transactions_by_currency_token_alone ON transactions (currency_token, sort_key);
CREATE INDEX transactions_by_status ON transactions (status, sort_key);
CREATE INDEX transactions_by_link ON transactions (payment_link_id, sort_key);
CREATE INDEX transactions_by_currency ON transactions (currency, sort_key);
CREATE INDEX transactions_by_link_status ON transactions (status, payment_link_id);
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT
);
CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE search (sort_key BIGINT PRIMARY KEY, doc TSVECTOR NOT NULL);
CREATE INDEX search_words ON search USING gin (doc);
CREATE TABLE rollup_transactions (
    slot BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    count BIGINT NOT NULL,
    amount NUMERIC NOT NULL,
    PRIMARY KEY (slot, currency, status)
);
CREATE TABLE rollup_settled (
    slot BIGINT NOT NULL,
    currency TEXT NOT NULL,
    count BIGINT NOT NULL,
    amount NUMERIC NOT NULL,
    PRIMARY KEY (slot, currency)
);
CREATE TABLE rollup_links (
    slot BIGINT NOT NULL,
    currency TEXT NOT NULL,
    created BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    PRIMARY KEY (slot, currency)
);
-- The sync that holds the election writes here at every step: dashboards
-- read how long ago the mirror was last kept.
CREATE TABLE sync_heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    at BIGINT NOT NULL
);
"#,
    },
    Migration {
        version: 2,
        // Finance filters payments by when they were confirmed or settled.
        sql: r#"
CREATE INDEX transactions_by_confirmed ON transactions (confirmed_at);
CREATE INDEX transactions_by_settled ON transactions (settled_at);
"#,
    },
    Migration {
        version: 3,
        // Every column of the panes sorts by an index walk; text byte by
        // byte, as SQLite compares it (store/window.rs).
        sql: r#"
CREATE INDEX links_sorted_by_amount ON links ((currency) COLLATE "C", (amount_key) COLLATE "C", sort_key);
CREATE INDEX links_sorted_by_currency ON links ((currency) COLLATE "C", sort_key);
CREATE INDEX links_sorted_by_status ON links ((status) COLLATE "C", sort_key);
CREATE INDEX links_sorted_by_description ON links ((coalesce(description, '')) COLLATE "C", sort_key);
CREATE INDEX transactions_sorted_by_amount ON transactions ((currency) COLLATE "C", (amount_key) COLLATE "C", sort_key);
CREATE INDEX transactions_sorted_by_currency ON transactions ((currency) COLLATE "C", sort_key);
CREATE INDEX transactions_sorted_by_status ON transactions ((status) COLLATE "C", sort_key);
CREATE INDEX transactions_sorted_by_settled ON transactions ((coalesce(settled_at, 0)), sort_key);
CREATE INDEX transactions_sorted_by_link ON transactions ((coalesce(payment_link_id, '')) COLLATE "C", sort_key);
"#,
    },
    Migration {
        version: CASES_VERSION,
        // Cases: the facts of every link that may be one, kept as rows are
        // written (store/cases.rs), and which links are balance links.
        sql: r#"
CREATE TABLE case_facts (
    link_id TEXT PRIMARY KEY,
    facts TEXT NOT NULL
);
CREATE TABLE balance_links (
    balance TEXT PRIMARY KEY,
    original TEXT NOT NULL
);
CREATE INDEX balance_links_by_original ON balance_links (original);
"#,
    },
    Migration {
        version: 5,
        // PIK gives no time for a link's expiry or deactivation: the time the
        // mirror saw a link's status change is the best there is.
        sql: r#"
CREATE TABLE link_changes (
    link_id TEXT NOT NULL,
    status TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (link_id, status)
);
"#,
    },
    Migration {
        version: 6,
        // What agents did: not a copy of PIK, so never in `store clear`'s
        // list; append-only (`record.rs`).
        sql: r#"
CREATE TABLE acts (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    agent TEXT NOT NULL,
    profile TEXT,
    act TEXT NOT NULL,
    subject TEXT,
    outcome TEXT NOT NULL,
    request_id TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX acts_by_subject ON acts (subject, id);
CREATE INDEX acts_by_time ON acts (at);
CREATE FUNCTION acts_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER acts_are_never_changed BEFORE UPDATE OR DELETE ON acts
    FOR EACH ROW EXECUTE FUNCTION acts_are_append_only();
CREATE TRIGGER acts_are_never_truncated BEFORE TRUNCATE ON acts
    FOR EACH STATEMENT EXECUTE FUNCTION acts_are_append_only();
"#,
    },
    Migration {
        version: 7,
        // A list's count, kept as rows are written (as on SQLite).
        sql: r#"
CREATE TABLE list_totals (
    list TEXT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (list, status, currency)
);
INSERT INTO list_totals SELECT 'links', status, currency, count(*) FROM links GROUP BY status, currency;
INSERT INTO list_totals SELECT 'transactions', status, currency, count(*) FROM transactions GROUP BY status, currency;
"#,
    },
    Migration {
        version: 8,
        // Each act gets an id of its own, so importing a file twice adds
        // nothing; a resolution keeps the payments it was made on. The
        // append-only trigger is set aside while the ids are given.
        sql: r#"
ALTER TABLE acts ADD COLUMN uid TEXT;
ALTER TABLE acts ADD COLUMN basis TEXT;
ALTER TABLE acts DISABLE TRIGGER acts_are_never_changed;
UPDATE acts SET uid = md5(random()::text || id::text);
ALTER TABLE acts ENABLE TRIGGER acts_are_never_changed;
ALTER TABLE acts ALTER COLUMN uid SET NOT NULL;
CREATE UNIQUE INDEX acts_by_uid ON acts (uid);
CREATE INDEX acts_by_act ON acts (act, at);
"#,
    },
    Migration {
        version: FAILURES_VERSION,
        // The last failure is kept only while nothing was received: every
        // link's facts computed again (as on SQLite).
        sql: "DELETE FROM case_facts;",
    },
    Migration {
        version: 10,
        // Who has a case open now: a heartbeat row each, gone when it
        // lapses (never a copy of PIK, never kept: nothing to lose).
        sql: r#"
CREATE TABLE presence (
    link_id TEXT NOT NULL,
    agent TEXT NOT NULL,
    until BIGINT NOT NULL,
    PRIMARY KEY (link_id, agent)
);
"#,
    },
];

/// The version that added cases: their facts are computed from the rows
/// already there, in the migration's transaction.
const CASES_VERSION: u32 = 4;
/// The version from which a failure on an order paid is not kept.
const FAILURES_VERSION: u32 = 9;

pub fn latest() -> u32 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// Runs what the database has not had yet. Returns the version.
pub async fn migrate(client: &mut tokio_postgres::Client, shown: &str) -> Result<u32, StoreError> {
    let failed = |e: tokio_postgres::Error| super::connect::failed(shown, &e);
    let tx = client.transaction().await.map_err(failed)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(failed)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        .await
        .map_err(failed)?;
    let found: Option<String> =
        tx.query_opt("SELECT value FROM meta WHERE key = 'schema'", &[]).await.map_err(failed)?.map(|row| row.get(0));
    let found: u32 = found.and_then(|v| v.parse().ok()).unwrap_or(0);
    let known = latest();
    if found > known {
        return Err(StoreError::Refused {
            path: shown.to_string(),
            reason: format!("was written by a newer pik-tui (schema {found}; this one knows up to {known})"),
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.batch_execute(migration.sql).await.map_err(failed)?;
        if migration.version == CASES_VERSION || migration.version == FAILURES_VERSION {
            super::cases::rebuild(&tx).await.map_err(failed)?;
        }
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        &[&known.max(found).to_string()],
    )
    .await
    .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    Ok(known.max(found))
}
