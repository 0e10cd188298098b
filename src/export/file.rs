//! Where an export goes: standard output, or a file that is created only
//! if it does not exist (unless overwriting was asked for). The rows are
//! written to a temporary file beside it, which takes the name only when
//! complete: a failed or interrupted export leaves no half file behind
//! under the name, and an existing file is never replaced by a partial one.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    File { path: PathBuf, overwrite: bool },
}

/// An open export file: the temporary one being written, and its name to be.
pub struct Pending {
    path: PathBuf,
    temporary: PathBuf,
    /// A handle on the temporary file, to make it durable before the rename.
    handle: Option<File>,
    /// We created the (empty) file that holds the name.
    placeholder: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("{path} already exists; choose another name, or ask to overwrite it")]
    Exists { path: String },
    #[error("cannot write {path}: {message}")]
    Io { path: String, message: String },
}

fn io(path: &Path, error: &std::io::Error) -> FileError {
    FileError::Io { path: path.display().to_string(), message: error.to_string() }
}

impl Pending {
    /// Claims the name (unless overwriting) and opens the temporary file.
    pub fn create(path: &Path, overwrite: bool) -> Result<(Pending, File), FileError> {
        let placeholder = !overwrite;
        if placeholder {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(FileError::Exists { path: path.display().to_string() });
                }
                Err(e) => return Err(io(path, &e)),
            }
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
        let temporary = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        let mut pending = Pending { path: path.to_path_buf(), temporary, handle: None, placeholder };
        match OpenOptions::new().write(true).create_new(true).open(&pending.temporary) {
            Ok(file) => {
                pending.handle = file.try_clone().ok();
                Ok((pending, file))
            }
            Err(e) => {
                let error = io(&pending.temporary, &e);
                pending.abandon();
                Err(error)
            }
        }
    }

    /// The rows are all written and flushed: the file takes its name.
    pub fn commit(mut self) -> Result<PathBuf, FileError> {
        if let Some(Err(e)) = self.handle.take().map(|file| file.sync_all()) {
            let error = io(&self.temporary, &e);
            self.abandon();
            return Err(error);
        }
        if let Err(e) = std::fs::rename(&self.temporary, &self.path) {
            let error = io(&self.path, &e);
            self.abandon();
            return Err(error);
        }
        Ok(self.path)
    }

    /// Something failed: no trace is left under the name.
    pub fn abandon(self) {
        let _ = std::fs::remove_file(&self.temporary);
        if self.placeholder {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn an_existing_file_is_kept_unless_overwriting_and_a_failure_leaves_nothing() {
        let Ok(dir) = tempfile::tempdir() else { panic!("temp dir") };
        let path = dir.path().join("out.csv");
        assert!(std::fs::write(&path, "precious").is_ok());
        assert!(matches!(Pending::create(&path, false), Err(FileError::Exists { .. })));
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("precious"));
        let Ok((pending, mut file)) = Pending::create(&path, true) else { panic!("overwrite refused") };
        assert!(file.write_all(b"new").is_ok());
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("precious"), "not until complete");
        drop(file);
        assert!(pending.commit().is_ok());
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("new"));
        let fresh = dir.path().join("fresh.csv");
        let Ok((pending, _file)) = Pending::create(&fresh, false) else { panic!("create") };
        pending.abandon();
        let left: Vec<_> =
            std::fs::read_dir(dir.path()).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
        assert_eq!(left, vec![std::ffi::OsString::from("out.csv")], "no half file, no placeholder");
    }
}
