//! The record on SQLite: what agents did (`audit::Act`), in a file of its
//! own beside the mirror (`….record.sqlite`), so that `store clear`, a
//! damaged mirror moved aside or a mirror rebuilt never touch it. In
//! memory when the mirror is. Append-only: triggers refuse an update or a
//! delete.

use super::file;
use super::schema::Migration;
use crate::audit::Act;
use crate::store::rows::{from_micros, micros};
use crate::store::{Place, StoreError};
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};

pub const MIGRATIONS: &[Migration] = &[Migration {
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
}];

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

pub fn append(conn: &Connection, act: &Act) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO acts (at, agent, profile, act, subject, outcome, request_id, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        micros(act.at),
        act.agent,
        act.profile,
        act.act,
        act.subject,
        act.outcome,
        act.request_id,
        act.detail
    ])?;
    Ok(())
}

/// The acts about these subjects, oldest first.
pub fn about(conn: &Connection, subjects: &[String]) -> rusqlite::Result<Vec<Act>> {
    let mut acts = Vec::new();
    let mut statement = conn.prepare_cached(
        "SELECT at, agent, profile, act, subject, outcome, request_id, detail FROM acts WHERE subject = ?1 ORDER BY id",
    )?;
    for subject in subjects {
        let found = statement.query_map([subject], |row| {
            Ok(Act {
                at: from_micros(row.get(0)?),
                agent: row.get(1)?,
                profile: row.get(2)?,
                act: row.get(3)?,
                subject: row.get(4)?,
                outcome: row.get(5)?,
                request_id: row.get(6)?,
                detail: row.get(7)?,
            })
        })?;
        for act in found {
            acts.push(act?);
        }
    }
    acts.sort_by_key(|act| act.at);
    Ok(acts)
}
