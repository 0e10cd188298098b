//! `:save NAME`: a view written into the config file with everything else
//! in it kept as the agent wrote it (comments, order, spacing: toml_edit).
//! The new file is written beside the old one (a temporary file of its
//! own) and renamed over it, so the file is always the old one or the new
//! one, never half of either; one save at a time, so none is lost.

use crate::app::views::ViewDef;
use std::io::Write;
use std::path::Path;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

/// One read-modify-write of the file at a time.
static SAVING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Adds `view` to the file's `[[views]]` (a new file if there is none), or
/// with `replace` changes the one of that name (its key and comments kept).
pub fn save_view(path: &Path, view: &ViewDef, replace: bool) -> Result<(), String> {
    let _one_at_a_time = SAVING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // A link to the file is followed: the file it points at is the one changed.
    let real = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(_) if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) => {
            return Err(format!("{} is a link to a file that is not there", path.display()));
        }
        Err(_) => path.to_path_buf(),
    };
    let path = real.as_path();
    let shown = path.display();
    // Another pik-tui saving into the same file waits its turn.
    let _no_other_process = lock_beside(path)?;
    let (text, mode) = match std::fs::read_to_string(path) {
        Ok(text) => (text, file_mode(path)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => (String::new(), None),
        Err(err) => return Err(format!("{shown} could not be read: {err}")),
    };
    let mut doc: DocumentMut = text.parse().map_err(|err| format!("{shown} is not valid TOML: {err}"))?;
    let views = doc.entry("views").or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    let Some(views) = views.as_array_of_tables_mut() else {
        return Err(format!("{shown}: `views` is not a list of [[views]] tables"));
    };
    let same_name = |table: &Table| {
        table.get("name").and_then(Item::as_str).is_some_and(|name| name.eq_ignore_ascii_case(&view.name))
    };
    let existing = views.iter().position(same_name);
    match existing.and_then(|at| views.get_mut(at)) {
        Some(_) if !replace => return Err(format!("a view named {:?} is in {shown} already", view.name)),
        Some(table) => fill(table, view),
        None => {
            let mut table = Table::new();
            table["name"] = toml_edit::value(view.name.clone());
            fill(&mut table, view);
            if let Some(key) = view.key {
                table["key"] = toml_edit::value(key.to_string());
            }
            views.push(table);
        }
    }
    write_beside(path, doc.to_string().as_bytes(), mode)
}

/// Holds the lock beside the file (`.NAME.lock`) until dropped.
fn lock_beside(path: &Path) -> Result<std::fs::File, String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "config.toml".into());
    let lock = path.with_file_name(format!(".{name}.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(|err| format!("{} could not be written: {err}", path.display()))?;
    lock_exclusive(&file).map_err(|err| format!("{} could not be locked: {err}", lock.display()))?;
    Ok(file)
}

/// Waits for the file's exclusive advisory lock (released when it closes).
#[cfg(unix)]
fn lock_exclusive(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this function's caller owns and keeps open.
    let done = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    if done == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(not(unix))]
fn lock_exclusive(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Sets a view's query, sort and kind; a value replaced keeps the comment
/// and spacing around it.
fn fill(table: &mut Table, view: &ViewDef) {
    for (key, text) in [("query", view.query.clone()), ("sort", view.sort_words()), ("kind", view.kind_word().into())] {
        let mut value = Value::from(text);
        if let Some(old) = table.get(key).and_then(Item::as_value) {
            *value.decor_mut() = old.decor().clone();
        }
        table[key] = Item::Value(value);
    }
}

#[cfg(unix)]
fn file_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|meta| meta.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn file_mode(_path: &Path) -> Option<u32> {
    None
}

/// Writes `bytes` to a new file beside `path` (as private as the old one, or
/// 600: a config file may hold a key), then renames it over `path`.
fn write_beside(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<(), String> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let failed = |err: std::io::Error| format!("{shown} could not be written: {err}");
    std::fs::create_dir_all(&dir).map_err(|err| format!("{} could not be made: {err}", dir.display()))?;
    let mut file = tempfile::Builder::new().prefix(".pik-tui-config-").tempfile_in(&dir).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let private = std::fs::Permissions::from_mode(mode.unwrap_or(0o600));
        file.as_file().set_permissions(private).map_err(failed)?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    file.write_all(bytes).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    // Dropped on failure, the temporary file goes: nothing else is touched.
    file.persist(path).map(|_| ()).map_err(|err| failed(err.error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Reading;

    fn view(name: &str, query: &str, sort: &str) -> ViewDef {
        let zone = crate::zone::Zone::utc();
        let rules = crate::cases::CaseRules::default();
        let reading = Reading { zone: &zone, now: crate::test_support::t0(), cases: &rules };
        match ViewDef::read(name, query, Some(sort), None, None, reading) {
            Ok(view) => view,
            Err(why) => panic!("{why}"),
        }
    }

    #[test]
    fn a_saved_view_keeps_the_file_s_comments_and_order_and_a_name_is_not_taken_twice() {
        let Ok(dir) = tempfile::tempdir() else { panic!("a temp dir") };
        let path = dir.path().join("config.toml");
        let text = "# my settings\ntheme = \"light\" # light at work\n\n[[views]] # the lead's\nname = \"big unpaid\"\nquery = \"status:active amount:>=1000\" # big ones\nkey = \"u\"\n\n[keys]\n\"x\" = \"deactivate\"\n";
        assert!(std::fs::write(&path, text).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert!(std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).is_ok());
        }
        let failures = view("today's failures", "status:failed created:today", "created desc");
        assert_eq!(save_view(&path, &failures, false), Ok(()));
        let saved = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(saved.starts_with(text.trim_end_matches("[keys]\n\"x\" = \"deactivate\"\n")), "{saved}");
        for kept in ["# my settings", "# light at work", "# the lead's", "\"x\" = \"deactivate\""] {
            assert!(saved.contains(kept), "{kept} lost:\n{saved}");
        }
        assert!(saved.contains("name = \"today's failures\"\nquery = \"status:failed created:today\""), "{saved}");
        // The file reads back as the dashboard reads it.
        let Ok(Some(file)) = super::super::load_file(&path) else { panic!("the saved file does not load") };
        let zone = crate::zone::Zone::utc();
        let rules = crate::cases::CaseRules::default();
        let reading = Reading { zone: &zone, now: crate::test_support::t0(), cases: &rules };
        let read = super::super::views(Some(&file), "config.toml", reading, &|_| None, &Default::default());
        let names: Vec<String> = read.unwrap_or_default().into_iter().map(|v| v.name).collect();
        assert_eq!(names, ["big unpaid", "today's failures"]);
        // A name in the file is refused, unless replaced (its key stays).
        let again = view("Big Unpaid", "status:active currency:USDT", "amount desc");
        assert!(save_view(&path, &again, false).is_err_and(|e| e.contains("already")));
        assert_eq!(save_view(&path, &again, true), Ok(()));
        let saved = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(saved.contains("query = \"status:active currency:USDT\" # big ones"), "the comment stays:\n{saved}");
        assert!(saved.contains("key = \"u\""), "{saved}");
        assert_eq!(saved.matches("[[views]]").count(), 2, "{saved}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
            assert_eq!(mode, 0o640, "as private as it was");
            // Saved through a link, the file it points at changes; the link stays.
            let link = dir.path().join("link.toml");
            assert!(std::os::unix::fs::symlink(&path, &link).is_ok());
            assert_eq!(save_view(&link, &view("third", "status:paid", "created desc"), false), Ok(()));
            assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
            assert!(std::fs::read_to_string(&path).unwrap_or_default().contains("name = \"third\""));
            // A link to nothing is refused, and stays a link.
            let dangling = dir.path().join("dangling.toml");
            assert!(std::os::unix::fs::symlink(dir.path().join("gone.toml"), &dangling).is_ok());
            let refused = save_view(&dangling, &view("fourth", "status:paid", "created desc"), false);
            assert!(refused.is_err_and(|e| e.contains("not there")));
            assert!(std::fs::symlink_metadata(&dangling).is_ok_and(|m| m.file_type().is_symlink()));
        }
    }

    #[test]
    fn a_file_that_cannot_be_written_says_so_and_is_left_as_it_was() {
        let Ok(dir) = tempfile::tempdir() else { panic!("a temp dir") };
        let path = dir.path().join("config.toml");
        assert!(std::fs::write(&path, "theme = \"mono\"\n").is_ok());
        // Its directory is a file: nothing can be written there, even by root.
        let blocked = dir.path().join("not-a-dir");
        assert!(std::fs::write(&blocked, "x").is_ok());
        let inside = blocked.join("config.toml");
        let refused = save_view(&inside, &view("mine", "status:paid", "created desc"), false);
        assert!(refused.as_ref().is_err_and(|why| why.contains("could not be")), "{refused:?}");
        assert_eq!(std::fs::read_to_string(&blocked).unwrap_or_default(), "x", "left as it was");
        let broken = dir.path().join("broken.toml");
        assert!(std::fs::write(&broken, "views = 3\n").is_ok());
        let refused = save_view(&broken, &view("mine", "status:paid", "created desc"), false);
        assert!(refused.is_err_and(|e| e.contains("not a list")));
    }
}
