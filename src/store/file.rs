//! The mirror's file: made private (mode 600), configured for two
//! dashboards at once (WAL, a busy timeout), migrated, and moved aside, never
//! deleted, when SQLite says it is damaged.

use super::schema;
use chrono::Utc;
use rusqlite::{Connection, ErrorCode};
use std::path::{Path, PathBuf};

pub(super) fn is_corrupt(error: &rusqlite::Error) -> bool {
    matches!(error.sqlite_error_code(), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

pub(super) fn configure(conn: &Connection, file: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if file {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!("the mirror is not in WAL mode ({mode})");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    // A small cache: the dashboard's memory stays flat whatever the size.
    conn.pragma_update(None, "cache_size", -2000)?;
    Ok(())
}

#[cfg(unix)]
pub(super) fn private_file(path: &Path) -> std::io::Result<Option<String>> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    match std::fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            Ok(Some(format!("{} was readable by others; it is now mode 600", path.display())))
        }
        Ok(_) => Ok(None),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

#[cfg(not(unix))]
pub(super) fn private_file(path: &Path) -> std::io::Result<Option<String>> {
    if !path.exists() {
        std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    }
    Ok(None)
}

/// Moves a damaged file (and its WAL) aside, never deleting it.
pub(super) fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = PathBuf::from(format!("{}.corrupt-{stamp}", path.display()));
    std::fs::rename(path, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let extra = PathBuf::from(format!("{}{suffix}", path.display()));
        if extra.exists() {
            let _ = std::fs::rename(&extra, format!("{}{suffix}", aside.display()));
        }
    }
    Ok(aside)
}

/// Opens and checks one connection to a file: configured, migrated.
pub(super) fn open_file(path: &Path, migrations: &[schema::Migration]) -> Result<Connection, OpenError> {
    let mut conn = Connection::open(path).map_err(OpenError::Sql)?;
    configure(&conn, true).map_err(OpenError::Sql)?;
    schema::migrate(&mut conn, migrations).map_err(OpenError::Schema)?;
    Ok(conn)
}

pub(super) enum OpenError {
    Sql(rusqlite::Error),
    Schema(schema::SchemaError),
}
