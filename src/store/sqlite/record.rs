//! The record on SQLite: what agents did (`audit::Act`), in a file of its
//! own beside the mirror (`….record.sqlite`), so that `store clear`, a
//! damaged mirror moved aside or a mirror rebuilt never touch it. In
//! memory when the mirror is. Append-only: triggers refuse an update or a
//! delete.

use super::file;
use super::schema::Migration;
use crate::audit::{Act, AuditQuery};
use crate::cases::CaseAct;
use crate::store::rows::{from_micros, micros};
use crate::store::{Place, StoreError};
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: r#"
CREATE TABLE acts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
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
CREATE TRIGGER acts_are_never_changed BEFORE UPDATE ON acts
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER acts_are_never_deleted BEFORE DELETE ON acts
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
        then: None,
    },
    Migration {
        version: 2,
        // Each act gets an id of its own, so importing a file twice adds nothing;
        // a resolution keeps the payments it was made on (`cases::Basis`). The
        // append-only trigger is set aside while the ids are given.
        sql: r#"
DROP TRIGGER acts_are_never_changed;
ALTER TABLE acts ADD COLUMN uid TEXT;
ALTER TABLE acts ADD COLUMN basis TEXT;
UPDATE acts SET uid = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX acts_by_uid ON acts (uid);
CREATE INDEX acts_by_act ON acts (act, at);
CREATE TRIGGER acts_are_never_changed BEFORE UPDATE ON acts
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
        then: None,
    },
];

/// The record's file beside a mirror file: `acct.sqlite` → `acct.record.sqlite`.
pub fn beside(mirror: &Path) -> PathBuf {
    let stem = mirror.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "pik".into());
    mirror.with_file_name(format!("{stem}.record.sqlite"))
}

/// Opens the record for a mirror at `place`, with what to tell the agent.
/// Never stops the mirror from opening: a record that cannot be had (a
/// read-only disk without one, a folder not ours) is kept in memory, and
/// the agent is told so.
pub fn open(place: &Place, read_only: bool) -> Result<(Connection, Vec<String>), StoreError> {
    let Place::File(mirror) = place else { return Ok((in_memory()?, Vec::new())) };
    let path = beside(mirror);
    let in_memory_because = |why: String| -> Result<(Connection, Vec<String>), StoreError> {
        let note = format!(
            "the record of what agents did ({}) {why}: what is done now is kept in memory only, and lost at exit",
            path.display()
        );
        Ok((in_memory()?, vec![note]))
    };
    if read_only && !path.exists() {
        return in_memory_because("cannot be made on a read-only disk".into());
    }
    match file::open_database(&path, MIGRATIONS, "record of what agents did") {
        Ok(opened) => Ok((opened.writer, opened.notes)),
        Err(err) => in_memory_because(format!("could not be opened ({err})")),
    }
}

fn in_memory() -> Result<Connection, StoreError> {
    let mut conn = Connection::open_in_memory()?;
    super::schema::migrate(&mut conn, MIGRATIONS).map_err(|e| StoreError::Sql(e.to_string()))?;
    Ok(conn)
}

/// Appends an act, giving it an id when it has none; returns it as written.
pub fn append(conn: &Connection, act: &Act) -> rusqlite::Result<Act> {
    let act = with_uid(act.clone());
    insert(conn, &act, "INSERT")?;
    Ok(act)
}

fn with_uid(act: Act) -> Act {
    if act.uid.is_empty() { Act { uid: crate::audit::new_uid(), ..act } } else { act }
}

fn insert(conn: &Connection, act: &Act, verb: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(&format!(
        "{verb} INTO acts (at, agent, profile, act, subject, outcome, request_id, detail, basis, uid) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(params![
        micros(act.at),
        act.agent,
        act.profile,
        act.act,
        act.subject,
        act.outcome,
        act.request_id,
        act.detail,
        act.basis,
        act.uid
    ])
}

/// Appends an act on a case if the case's acts so far allow it (`decide`),
/// in one transaction that holds the file's write lock from the start: two
/// agents acting at once are ordered, and the second is decided on the
/// first's act.
pub fn act_on_case(
    conn: &mut Connection,
    act: &Act,
    decide: impl FnOnce(&[Act]) -> Result<(), String>,
) -> rusqlite::Result<Result<Act, String>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let so_far = about(&tx, std::slice::from_ref(act.subject.as_ref().unwrap_or(&String::new())))?;
    if let Err(why) = decide(&so_far) {
        return Ok(Err(why));
    }
    // Decided as the last act, so dated no earlier than the last: read back
    // in time order, it stays after what it was decided on.
    let latest = so_far.iter().map(|done| done.at).max().unwrap_or(act.at);
    let act = append(&tx, &Act { at: act.at.max(latest), ..act.clone() })?;
    tx.commit()?;
    Ok(Ok(act))
}

/// Adds acts read from a file, but those already here (by id): how many were added.
pub fn import(conn: &mut Connection, acts: &[Act]) -> rusqlite::Result<usize> {
    let tx = conn.transaction()?;
    let mut added = 0;
    for act in acts {
        added += insert(&tx, &with_uid(act.clone()), "INSERT OR IGNORE")?;
    }
    tx.commit()?;
    Ok(added)
}

const COLUMNS: &str = "at, agent, profile, act, subject, outcome, request_id, detail, basis, uid";

fn act_from_row(row: &rusqlite::Row) -> rusqlite::Result<Act> {
    Ok(Act {
        at: from_micros(row.get(0)?),
        agent: row.get(1)?,
        profile: row.get(2)?,
        act: row.get(3)?,
        subject: row.get(4)?,
        outcome: row.get(5)?,
        request_id: row.get(6)?,
        detail: row.get(7)?,
        basis: row.get(8)?,
        uid: row.get::<_, Option<String>>(9)?.unwrap_or_default(),
    })
}

/// The acts about these subjects, oldest first.
pub fn about(conn: &Connection, subjects: &[String]) -> rusqlite::Result<Vec<Act>> {
    let mut acts = Vec::new();
    let mut statement =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM acts WHERE subject = ?1 ORDER BY at, id"))?;
    for subject in subjects {
        for act in statement.query_map([subject], act_from_row)? {
            acts.push(act?);
        }
    }
    acts.sort_by_key(|act| act.at);
    Ok(acts)
}

/// The acts a query asks for, oldest first.
pub fn acts(conn: &Connection, query: &AuditQuery) -> rusqlite::Result<Vec<Act>> {
    let names: Vec<&str> = CaseAct::ALL.iter().map(|act| act.name()).collect();
    let names = serde_json::to_string(&names).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let sql = format!(
        "SELECT {COLUMNS} FROM acts WHERE (?1 IS NULL OR agent = ?1) AND (?2 IS NULL OR at >= ?2) \
         AND (?3 IS NULL OR at < ?3) AND (?4 = 0 OR act IN (SELECT value FROM json_each(?5))) ORDER BY at, id"
    );
    conn.prepare_cached(&sql)?
        .query_map(
            params![query.agent, query.from.map(micros), query.to.map(micros), query.cases_only, names],
            act_from_row,
        )?
        .collect()
}
