//! The mirror's schema, as numbered migrations. `PRAGMA user_version` says
//! which have run. A file from a newer pik-tui (a higher number than we
//! know) is refused, never downgraded.
//!
//! Rows are keyed by `sort_key`, their place in "newest first" order:
//! the creation time in seconds, a slot from the id's hash (so items of the
//! same second get distinct keys), and the kind in the lowest bit (links
//! even, transactions odd). The same number is the row's rowid in the
//! search index, so a search reads newest first straight from the index.

use rusqlite::Connection;

/// One step of the schema: SQL, and what must be computed in Rust after it
/// for rows already there.
pub struct Migration {
    pub version: u32,
    pub sql: &'static str,
    pub then: Option<fn(&Connection) -> rusqlite::Result<()>>,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE links (
    sort_key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,
    amount_key TEXT NOT NULL,
    description TEXT,
    url TEXT,
    paid_at INTEGER,
    expires_at INTEGER,
    mirrored_at INTEGER NOT NULL
);
CREATE INDEX links_by_status ON links (status, sort_key);
CREATE TABLE transactions (
    sort_key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,
    amount_key TEXT NOT NULL,
    payment_link_id TEXT,
    tx_hash TEXT,
    confirmed_at INTEGER,
    settled_at INTEGER,
    mirrored_at INTEGER NOT NULL
);
CREATE INDEX transactions_by_status ON transactions (status, sort_key);
CREATE INDEX transactions_by_link ON transactions (payment_link_id, sort_key);
CREATE INDEX transactions_by_currency ON transactions (currency, sort_key);
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER
);
CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE search USING fts5(
    doc,
    content = '',
    contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '_'"
);
"#,
        then: None,
    },
    Migration {
        version: 2,
        // Two dashboards may share one file; one of them syncs at a time.
        sql: r#"
CREATE TABLE sync_lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    until INTEGER NOT NULL
);
"#,
        then: None,
    },
    Migration {
        version: 3,
        // Running totals for the overview and reports, per 15-minute slot of
        // UTC (every time zone's offset is a multiple of 15 minutes), kept in
        // step by every write. Sums are exact decimals, as text.
        sql: r#"
CREATE TABLE rollup_transactions (
    slot INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    count INTEGER NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (slot, currency, status)
) WITHOUT ROWID;
CREATE TABLE rollup_settled (
    slot INTEGER NOT NULL,
    currency TEXT NOT NULL,
    count INTEGER NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (slot, currency)
) WITHOUT ROWID;
CREATE TABLE rollup_links (
    slot INTEGER NOT NULL,
    currency TEXT NOT NULL,
    created INTEGER NOT NULL,
    paid INTEGER NOT NULL,
    PRIMARY KEY (slot, currency)
) WITHOUT ROWID;
CREATE INDEX transactions_by_link_status ON transactions (status, payment_link_id);
"#,
        then: Some(super::rollups::rebuild),
    },
    Migration {
        version: 4,
        // Finance filters payments by when they were confirmed or settled.
        sql: r#"
CREATE INDEX transactions_by_confirmed ON transactions (confirmed_at);
CREATE INDEX transactions_by_settled ON transactions (settled_at);
"#,
        then: None,
    },
    Migration {
        version: 5,
        // Every column of the panes sorts by an index walk, each tuple ending
        // with the sort key (store/window.rs).
        sql: r#"
CREATE INDEX links_by_amount ON links (currency, amount_key, sort_key);
CREATE INDEX links_by_currency ON links (currency, sort_key);
CREATE INDEX links_by_description ON links (coalesce(description, ''), sort_key);
CREATE INDEX transactions_by_amount ON transactions (currency, amount_key, sort_key);
CREATE INDEX transactions_by_settled_then_key ON transactions (coalesce(settled_at, 0), sort_key);
CREATE INDEX transactions_by_link_then_key ON transactions (coalesce(payment_link_id, ''), sort_key);
"#,
        then: None,
    },
    Migration {
        version: 6,
        // Cases: the facts of every link that may be one, kept as rows are
        // written (store/cases.rs), and which links are balance links.
        sql: r#"
CREATE TABLE case_facts (
    link_id TEXT PRIMARY KEY,
    facts TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE balance_links (
    balance TEXT PRIMARY KEY,
    original TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX balance_links_by_original ON balance_links (original);
"#,
        then: Some(super::cases::rebuild),
    },
    Migration {
        version: 7,
        // PIK gives no time for a link's expiry or deactivation: the time the
        // mirror saw a link's status change is the best there is.
        sql: r#"
CREATE TABLE link_changes (
    link_id TEXT NOT NULL,
    status TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (link_id, status)
) WITHOUT ROWID;
"#,
        then: None,
    },
    Migration {
        version: 8,
        // A list's count, kept as rows are written: counting a million rows
        // took 15 ms, too long for a window read again at every change.
        sql: r#"
CREATE TABLE list_totals (
    list TEXT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (list, status, currency)
) WITHOUT ROWID;
INSERT INTO list_totals SELECT 'links', status, currency, count(*) FROM links GROUP BY status, currency;
INSERT INTO list_totals SELECT 'transactions', status, currency, count(*) FROM transactions GROUP BY status, currency;
"#,
        then: None,
    },
    Migration {
        version: 9,
        // A write looks up every link it touched among the facts kept, most
        // of them in vain: a narrow index answers that from a few pages,
        // where the table's own key sat among the facts.
        sql: r#"
CREATE TABLE case_facts_keyed (
    id INTEGER PRIMARY KEY,
    link_id TEXT NOT NULL UNIQUE,
    facts TEXT NOT NULL
);
DROP TABLE case_facts;
ALTER TABLE case_facts_keyed RENAME TO case_facts;
"#,
        // The last failure is kept only while nothing was received: every
        // link's facts computed again.
        then: Some(super::cases::rebuild),
    },
];

/// The schema version this build writes.
pub fn latest(migrations: &[Migration]) -> u32 {
    migrations.last().map(|m| m.version).unwrap_or(0)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("it was written by a newer pik-tui (schema {found}; this one knows up to {known})")]
    Newer { found: u32, known: u32 },
    #[error("{0}")]
    Sql(String),
}

pub fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Runs the migrations the file has not had yet, each in its own
/// transaction with its version, so a crash leaves a consistent file.
pub fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<u32, SchemaError> {
    let sql = |e: rusqlite::Error| SchemaError::Sql(e.to_string());
    let found = version(conn).map_err(sql)?;
    let known = latest(migrations);
    if found > known {
        return Err(SchemaError::Newer { found, known });
    }
    for migration in migrations.iter().filter(|m| m.version > found) {
        let tx = conn.transaction().map_err(sql)?;
        tx.execute_batch(migration.sql).map_err(sql)?;
        if let Some(then) = migration.then {
            then(&tx).map_err(sql)?;
        }
        tx.pragma_update(None, "user_version", migration.version).map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
    Ok(known.max(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migration that exists only here, to test the path from 1 to 2.
    const TEST_V2: Migration =
        Migration { version: 2, sql: "ALTER TABLE links ADD COLUMN note TEXT DEFAULT 'kept';", then: None };

    #[test]
    fn migrates_one_to_two_keeping_the_rows() {
        let Ok(mut conn) = Connection::open_in_memory() else { panic!("sqlite") };
        assert_eq!(migrate(&mut conn, &MIGRATIONS[..1]), Ok(1));
        let insert = "INSERT INTO links (sort_key, id, created_at, status, currency, amount, amount_key, mirrored_at) \
                      VALUES (2, 'pl_a', 1, 'active', 'USDT', '75.00', 'x', 1)";
        assert!(conn.execute(insert, []).is_ok());
        let test_migrations = [Migration { version: 1, sql: MIGRATIONS[0].sql, then: None }, TEST_V2];
        assert_eq!(migrate(&mut conn, &test_migrations), Ok(2));
        let row: rusqlite::Result<(String, String)> =
            conn.query_row("SELECT id, note FROM links", [], |r| Ok((r.get(0)?, r.get(1)?)));
        assert_eq!(row.ok(), Some(("pl_a".to_string(), "kept".to_string())));
        assert_eq!(version(&conn).ok(), Some(2));
        // Running again is a no-op.
        assert_eq!(migrate(&mut conn, &test_migrations), Ok(2));
    }

    #[test]
    fn a_newer_file_is_refused_and_left_alone() {
        let Ok(mut conn) = Connection::open_in_memory() else { panic!("sqlite") };
        assert!(conn.pragma_update(None, "user_version", 99).is_ok());
        assert_eq!(migrate(&mut conn, MIGRATIONS), Err(SchemaError::Newer { found: 99, known: latest(MIGRATIONS) }));
        assert_eq!(version(&conn).ok(), Some(99), "not downgraded");
    }
}
