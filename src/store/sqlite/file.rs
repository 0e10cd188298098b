//! The mirror's file: made private (mode 600), configured for two
//! dashboards at once (WAL, a busy timeout), migrated, and moved aside, never
//! deleted, when SQLite says it is damaged.

use super::{StoreError, schema};
use chrono::Utc;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};

fn is_corrupt(error: &rusqlite::Error) -> bool {
    matches!(error.sqlite_error_code(), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

/// Prepared statements kept per connection.
const STATEMENTS_KEPT: usize = 128;

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
    // A save runs more distinct statements than rusqlite's default 16: with
    // fewer kept, each sync cycle would compile them all again.
    conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
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
fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
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

/// A database file opened (the mirror, or the record beside it): its writer and reader, what to tell the agent,
/// and whether it can only be read.
pub(super) struct Opened {
    pub writer: Connection,
    pub reader: Connection,
    pub notes: Vec<String>,
    pub read_only: bool,
}

/// Opens the mirror's file for writing; on a read-only disk, for reading
/// only (said in the notes: search and stats work, nothing new is saved).
/// A damaged file is moved aside and a fresh one started; a file of another
/// user, or of a newer pik-tui, is refused in words that say what to do.
/// `noun` names the file in messages: "mirror", "record".
pub(super) fn open_database(path: &Path, migrations: &[schema::Migration], noun: &str) -> Result<Opened, StoreError> {
    let shown = path.display().to_string();
    let io = |err: std::io::Error| StoreError::Io { path: shown.clone(), message: io_words(path, &err) };
    if read_only_disk(path) {
        return open_read_only(path, migrations, noun);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut notes: Vec<String> = private_file(path).map_err(io)?.into_iter().collect();
    let writer = match open_file(path, migrations) {
        Ok(conn) => conn,
        Err(OpenError::Sql(err)) if is_corrupt(&err) => {
            let aside = move_aside(path).map_err(io)?;
            notes.push(format!(
                "the {noun} {shown} was not a readable database; it was moved aside to {} and a fresh one started",
                aside.display()
            ));
            private_file(path).map_err(io)?;
            open_file(path, migrations).map_err(open_error(&shown))?
        }
        Err(error) => return Err(open_error(&shown)(error)),
    };
    // Our own mutex guards each connection: SQLite's would be a second lock per call.
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let reader = Connection::open_with_flags(path, flags)?;
    configure(&reader, false)?;
    Ok(Opened { writer, reader, notes, read_only: false })
}

fn open_error(shown: &str) -> impl Fn(OpenError) -> StoreError + '_ {
    move |error| match error {
        OpenError::Sql(err) => err.into(),
        OpenError::Schema(schema::SchemaError::Newer { found, known }) => StoreError::Refused {
            path: shown.to_string(),
            reason: format!("was written by a newer pik-tui (schema {found}; this one knows up to {known})"),
        },
        OpenError::Schema(err) => StoreError::Sql(err.to_string()),
    }
}

/// Whether the file is there but its disk cannot be written.
fn read_only_disk(path: &Path) -> bool {
    path.exists()
        && matches!(
            std::fs::OpenOptions::new().append(true).open(path),
            Err(err) if err.raw_os_error() == Some(libc::EROFS)
        )
}

/// A mirror on a read-only disk, opened to be read as it is.
fn open_read_only(path: &Path, migrations: &[schema::Migration], noun: &str) -> Result<Opened, StoreError> {
    let shown = path.display().to_string();
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    // In a URI, only these are not themselves (SQLite decodes %HH).
    let escaped: String = shown
        .bytes()
        .map(|b| match b {
            b'?' | b'#' | b'%' | 0..=0x20 | 0x7f.. => format!("%{b:02X}"),
            b => char::from(b).to_string(),
        })
        .collect();
    // With its write-ahead log when SQLite can read it there (the log and
    // its index left by the last writer); else the file alone, as it stands.
    let open = |uri: &str| -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(uri, flags)?;
        configure(&conn, false)?;
        schema::version(&conn)?;
        Ok(conn)
    };
    let with_log = format!("file:{escaped}?mode=ro");
    let uri = if open(&with_log).is_ok() { with_log } else { format!("file:{escaped}?immutable=1") };
    let (writer, reader) = (open(&uri)?, open(&uri)?);
    let found = schema::version(&reader)?;
    let known = schema::latest(migrations);
    if found != known {
        let reason = if found > known {
            format!("was written by a newer pik-tui (schema {found}; this one knows up to {known})")
        } else {
            format!("needs upgrading (schema {found} to {known}), which a read-only disk does not allow")
        };
        return Err(StoreError::Refused { path: shown, reason });
    }
    let note = format!(
        "the {noun} {shown} is on a read-only disk: it is read as it is, and nothing new is saved in it \
         (use --store FILE on a writable disk to keep it up to date)"
    );
    Ok(Opened { writer, reader, notes: vec![note], read_only: true })
}

/// An I/O error on the mirror's file, in words that say what to do: a file
/// of another user is named with its owner.
fn io_words(path: &Path, error: &std::io::Error) -> String {
    #[cfg(unix)]
    if error.kind() == std::io::ErrorKind::PermissionDenied {
        use std::os::unix::fs::MetadataExt;
        let owned = std::fs::metadata(path).or_else(|_| std::fs::metadata(path.parent().unwrap_or(path)));
        if let Ok(meta) = owned {
            let mine = std::env::var("USER").ok();
            let owner = user_name(meta.uid()).unwrap_or_else(|| format!("user {}", meta.uid()));
            if mine.as_deref() != Some(owner.as_str()) {
                return format!(
                    "it belongs to {owner}, and this user may not use it ({error}): use --store FILE for a \
                     mirror of your own, or --no-store"
                );
            }
        }
    }
    format!("{error} (use --store FILE for another place, or --no-store)")
}

/// The name of a user id, from /etc/passwd.
#[cfg(unix)]
fn user_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)?.parse::<u32>().ok()? == uid).then(|| name.to_string())
    })
}

/// Opens and checks one connection to a file: configured, migrated.
fn open_file(path: &Path, migrations: &[schema::Migration]) -> Result<Connection, OpenError> {
    let mut conn = Connection::open(path).map_err(OpenError::Sql)?;
    configure(&conn, true).map_err(OpenError::Sql)?;
    schema::migrate(&mut conn, migrations).map_err(OpenError::Schema)?;
    Ok(conn)
}

enum OpenError {
    Sql(rusqlite::Error),
    Schema(schema::SchemaError),
}
