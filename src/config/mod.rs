//! Settings: flags first, then the environment (`PIK_API_KEY`, `PIK_BASE_URL`,
//! `PIK_PROFILE`), then a profile in the TOML config file.
//!
//! ```toml
//! default_profile = "test"
//!
//! [profiles.test]
//! base_url = "https://api.pik.global/v1"
//! api_key_file = "~/.config/pik-tui/test.key"
//!
//! [profiles.live]
//! api_key_file = "/run/secrets/pik_live"
//! read_only = true
//! ```

use crate::api::{ApiKey, DEFAULT_BASE_URL};

use crate::zone::Zone;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// `"key" = "action"`: the user's keys (see `app::keymap`).
    #[serde(default)]
    pub keys: BTreeMap<String, Spanned<String>>,
    /// `theme = "light"`, or a `[theme]` table with `name` and `[theme.colors]`.
    pub theme: Option<Spanned<ThemeSetting>>,
    /// `[[alerts]]` rules (checked by `app::alerts`).
    #[serde(default)]
    pub alerts: Vec<Spanned<AlertTable>>,
    /// `[attention]`, which `[cases]` replaced: kept to be refused by name.
    pub attention: Option<Spanned<toml::Value>>,
    /// `[explorers]`: `CURRENCY = "https://…/{hash}"` (see `hyperlink`).
    #[serde(default)]
    pub explorers: BTreeMap<String, String>,
    /// `hyperlinks = false` for terminals that mis-draw OSC 8 links.
    pub hyperlinks: Option<bool>,
    /// `tz = "Europe/Berlin"`: the zone times are shown and dates typed in.
    pub tz: Option<Spanned<String>>,
    /// `agent = "alice"`: who is acting, in the audit log (never sent to PIK).
    pub agent: Option<String>,
    /// `[sort]`: the panes' first sort, `links = "amount desc"`.
    pub sort: Option<SortTable>,
    /// `[columns]`: `links = ["id", "amount", "description:40"]`.
    pub columns: Option<ColumnsTable>,
    /// `[[views]]`: saved views, each a tab.
    #[serde(default)]
    pub views: Vec<Spanned<ViewTable>>,
    /// `[cases]`: when something is a case (see `cases`).
    pub cases: Option<CasesTable>,
    /// `[replies]`: `underpaid = "Hello, …{missing} {currency}…"`, a reply
    /// to the customer per kind of case.
    #[serde(default)]
    pub replies: BTreeMap<String, Spanned<String>>,
    /// The file's text, to turn byte offsets into line numbers.
    #[serde(skip)]
    source: String,
}

/// An `[[alerts]]` table, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertTable {
    pub when: Option<String>,
    /// `case = "underpaid"` (or `"any"`): new cases of that kind.
    pub case: Option<String>,
    pub currency: Option<String>,
    pub min_amount: Option<Spanned<AmountValue>>,
    #[serde(default)]
    pub bell: bool,
    pub notify: Option<String>,
}

/// An amount as TOML may give it: text (exact) or a whole number. A float
/// is kept only to be refused with a clear message (it is not exact).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AmountValue {
    Text(String),
    Whole(i64),
    Float(f64),
}

/// `[cases]`: durations such as "30m" or "2h", and in `[cases.tolerance]`
/// how far an amount may be off per currency ("0.01", "0.5%"; `default`
/// for the others).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasesTable {
    pub pending_after: Option<Spanned<String>>,
    pub credit_after: Option<Spanned<String>>,
    pub failed_after: Option<Spanned<String>>,
    #[serde(default)]
    pub tolerance: BTreeMap<String, Spanned<String>>,
}

/// One line of the config file that the dashboard checks later: its line
/// number, and the two texts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub line: usize,
    pub key: String,
    pub value: String,
}

impl Entry {
    /// The line, the key and the value, as the checks of a table read them.
    pub fn parts(&self) -> (usize, &str, &str) {
        (self.line, self.key.as_str(), self.value.as_str())
    }
}

impl ConfigFile {
    /// The line (from 1) holding a byte offset of the file.
    fn line_at(&self, offset: usize) -> usize {
        self.source.get(..offset).map(|before| before.matches('\n').count() + 1).unwrap_or(1)
    }

    fn entry(&self, key: &str, value: &Spanned<String>) -> Entry {
        Entry { line: self.line_at(value.span().start), key: key.to_string(), value: value.get_ref().clone() }
    }

    /// The `[keys]` lines, in file order.
    pub fn key_entries(&self) -> Vec<Entry> {
        let mut entries: Vec<Entry> = self.keys.iter().map(|(key, action)| self.entry(key, action)).collect();
        entries.sort_by_key(|e| e.line);
        entries
    }

    /// The theme's name (with its line) and its colour lines.
    pub fn theme_entries(&self) -> (Option<(usize, String)>, Vec<Entry>) {
        let Some(theme) = &self.theme else { return (None, Vec::new()) };
        let name = theme.get_ref().name.as_ref().map(|name| {
            let span = if name.span().is_empty() { theme.span() } else { name.span() };
            (self.line_at(span.start), name.get_ref().clone())
        });
        let mut colors: Vec<Entry> = theme.get_ref().colors.iter().map(|(k, v)| self.entry(k, v)).collect();
        colors.sort_by_key(|e| e.line);
        (name, colors)
    }

    /// The `[[alerts]]` tables, each with the line it starts on.
    pub fn alert_tables(&self) -> Vec<(usize, &AlertTable)> {
        self.alerts.iter().map(|table| (self.line_at(table.span().start), table.get_ref())).collect()
    }

    /// `[replies]`' lines, in file order.
    pub fn reply_entries(&self) -> Vec<Entry> {
        let mut entries: Vec<Entry> = self.replies.iter().map(|(kind, value)| self.entry(kind, value)).collect();
        entries.sort_by_key(|e| e.line);
        entries
    }

    /// `[cases]`'s lines, in file order: `pending_after`, …, and
    /// `tolerance.USDT` for the tolerances.
    pub fn case_entries(&self) -> Vec<Entry> {
        let Some(table) = &self.cases else { return Vec::new() };
        let mut entries: Vec<Entry> = [
            ("pending_after", &table.pending_after),
            ("credit_after", &table.credit_after),
            ("failed_after", &table.failed_after),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.as_ref().map(|value| self.entry(key, value)))
        .collect();
        entries.extend(
            table.tolerance.iter().map(|(currency, value)| self.entry(&format!("tolerance.{currency}"), value)),
        );
        entries.sort_by_key(|e| e.line);
        entries
    }

    /// The line a span starts on.
    pub fn line_of(&self, span: std::ops::Range<usize>) -> usize {
        self.line_at(span.start)
    }

    /// The names of the profiles, for `:profiles`.
    pub fn profile_names(&self) -> Vec<String> {
        self.profiles.keys().cloned().collect()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub base_url: Option<String>,
    /// The key itself. A key file is better: it keeps the key out of a file
    /// that is often shared or backed up.
    pub api_key: Option<String>,
    pub api_key_file: Option<PathBuf>,
    #[serde(default)]
    pub read_only: bool,
    /// The mirror: a file, or a shared `postgres://` mirror (a password
    /// may be here, in a file as private as the key; never on the command line).
    pub store: Option<String>,
    /// This profile's time zone, over the file's `tz`.
    pub tz: Option<Spanned<String>>,
    /// This profile's agent, over the file's `agent`.
    pub agent: Option<String>,
}

/// What the command line said.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub base_url: Option<String>,
    pub api_key_file: Option<PathBuf>,
    pub read_only: bool,
}

/// What the environment said. Read once in `main`, passed in for testability.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub profile: Option<String>,
}

impl Environment {
    pub fn from_process() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self { api_key: var("PIK_API_KEY"), base_url: var("PIK_BASE_URL"), profile: var("PIK_PROFILE") }
    }
}

/// The settings in force, with where the key came from (never the key).
#[derive(Debug, Clone)]
pub struct Settings {
    pub profile: Option<String>,
    pub base_url: String,
    pub key: ApiKey,
    pub key_source: String,
    pub read_only: bool,
    /// The profile's `store`, if it has one.
    pub store: Option<String>,
    /// Things the user should fix, such as a key file others can read.
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {cause}")]
    Read { path: PathBuf, cause: String },
    #[error("the config file {path} is not valid: line {line}: {cause}")]
    Parse { path: PathBuf, line: usize, cause: String },
    #[error("there is no profile {name:?} in {path}")]
    NoProfile { name: String, path: PathBuf },
    #[error("{cause}")]
    KeyFile { path: PathBuf, cause: String },
    /// A setting that cannot be used (a zone, a sort), in words naming its line.
    #[error("{0}")]
    Setting(String),
    #[error(
        "no API key: set PIK_API_KEY, pass --api-key-file FILE, or add api_key_file to a profile in {path} \
         (or run `pik-tui --demo` to try everything against the embedded sandbox, without an account)"
    )]
    NoKey { path: String },
}

/// Where the config file lives by default (`~/.config/pik-tui/config.toml`
/// on Linux), or `None` when the platform has no home directory.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pik-tui").map(|dirs| dirs.config_dir().join("config.toml"))
}

/// `~/x` → the home directory; a relative path is taken from the config file's folder.
fn expand(path: &Path, relative_to: Option<&Path>) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~")
        && let Some(home) = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
    {
        return home.join(rest);
    }
    match relative_to {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.to_path_buf(),
    }
}

/// Whether others than the owner may read the file (Unix permissions).
#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map(|m| m.permissions().mode() & 0o044 != 0).unwrap_or(false)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

/// Reads a secret from a file (a key or a webhook secret), trimmed, with a
/// warning when other users can read the file.
pub fn read_secret_file(path: &Path, what: &str) -> Result<(String, Option<String>), String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("cannot read {what} {}: {err}", path.display()))?;
    let secret = text.trim().to_string();
    if secret.is_empty() {
        return Err(format!("{what} {} is empty", path.display()));
    }
    let warning = readable_by_others(path).then(|| loose_permissions_warning(path, what));
    Ok((secret, warning))
}

fn loose_permissions_warning(path: &Path, what: &str) -> String {
    format!(
        "{what} {} holds a secret and is readable by other users; run: chmod 600 {}",
        path.display(),
        path.display()
    )
}

/// The largest config file read: a few hundred lines is a big one, and a
/// path such as /dev/zero must not be read without end.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Reads a config file; none there is no config (the default path).
pub fn load_file(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    use std::io::Read;
    let read = |cause: String| ConfigError::Read { path: path.to_path_buf(), cause };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(read(err.to_string())),
    };
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes).map_err(|e| read(e.to_string()))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(read("it is larger than 1 MB: is it the right file?".into()));
    }
    let text = String::from_utf8(bytes).map_err(|_| read("it is not UTF-8 text".into()))?;
    match toml::from_str::<ConfigFile>(&text) {
        Ok(mut file) => {
            file.source = text;
            Ok(Some(file))
        }
        Err(err) => {
            let offset = err.span().map(|span| span.start).unwrap_or(0);
            let line = text.get(..offset).map(|before| before.matches('\n').count() + 1).unwrap_or(1);
            Err(ConfigError::Parse { path: path.to_path_buf(), line, cause: err.message().to_string() })
        }
    }
}

fn read_key_file(path: &Path, warnings: &mut Vec<String>) -> Result<ApiKey, ConfigError> {
    let (key, warning) = read_secret_file(path, "the API key file")
        .map_err(|cause| ConfigError::KeyFile { path: path.to_path_buf(), cause })?;
    warnings.extend(warning);
    Ok(ApiKey::new(&key))
}

/// The settings of one named profile, for `:profile NAME`: its own key and
/// base URL, whatever the environment and the command line said at start
/// (they chose the first profile, not this one). `--read-only` still holds.
pub fn resolve_profile(flags: &Flags, name: &str) -> Result<Settings, ConfigError> {
    let flags = Flags { profile: Some(name.to_string()), api_key_file: None, base_url: None, ..flags.clone() };
    resolve(&flags, &Environment::default())
}

/// The agent's time zone: `--tz`, else the profile's `tz`, else the config
/// file's, else the system's (`TZ`, then `/etc/localtime`). An unknown name
/// is refused, naming where it was written.
pub fn zone(
    flag: Option<&str>,
    file: Option<&ConfigFile>,
    profile: Option<&str>,
    path: &str,
) -> Result<Zone, ConfigError> {
    if let Some(name) = flag {
        return Zone::named(name).map_err(|e| ConfigError::Setting(format!("--tz: {e}")));
    }
    let Some(file) = file else { return Ok(Zone::system()) };
    let written = profile.and_then(|p| file.profiles.get(p)).and_then(|p| p.tz.as_ref()).or(file.tz.as_ref());
    match written {
        Some(name) => Zone::named(name.get_ref()).map_err(|e| {
            ConfigError::Setting(format!("the config file {path}, line {}: {e}", file.line_of(name.span())))
        }),
        None => Ok(Zone::system()),
    }
}

/// Who is acting: the profile's `agent`, else the file's, else
/// `$USER@host`. Cleaned, one line, at most 64 characters: it is shown and
/// written in the audit log.
pub fn agent(file: Option<&ConfigFile>, profile: Option<&str>) -> String {
    let written = file.and_then(|f| {
        profile.and_then(|p| f.profiles.get(p)).and_then(|p| p.agent.clone()).or_else(|| f.agent.clone())
    });
    let name = written.filter(|name| !name.trim().is_empty()).unwrap_or_else(crate::audit::default_agent);
    crate::sanitize::for_terminal_truncated(name.trim(), 64)
}

/// The config file the flags point at, if there is one. A `--config` that
/// names no file is refused (the default one may well not exist).
pub fn load(flags: &Flags) -> Result<Option<ConfigFile>, ConfigError> {
    match (&flags.config, default_path()) {
        (Some(given), _) => match load_file(given)? {
            Some(file) => Ok(Some(file)),
            None => Err(ConfigError::Read {
                path: given.clone(),
                cause: "there is no such file (leave --config out for the default one, see `pik-tui config path`)"
                    .into(),
            }),
        },
        (None, Some(path)) => load_file(&path),
        (None, None) => Ok(None),
    }
}

/// Works out the settings in force.
pub fn resolve(flags: &Flags, env: &Environment) -> Result<Settings, ConfigError> {
    let path = flags.config.clone().or_else(default_path);
    let file = load(flags)?;
    let shown_path = path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "(no config directory)".into());
    let mut warnings = Vec::new();

    let asked = flags.profile.clone().or_else(|| env.profile.clone());
    let (profile_name, profile) = match (&asked, &file) {
        (Some(name), Some(file)) => match file.profiles.get(name) {
            Some(profile) => (Some(name.clone()), profile.clone()),
            None => {
                return Err(ConfigError::NoProfile { name: name.clone(), path: path.clone().unwrap_or_default() });
            }
        },
        (Some(name), None) => {
            return Err(ConfigError::NoProfile { name: name.clone(), path: path.clone().unwrap_or_default() });
        }
        (None, Some(file)) => {
            let name = file.default_profile.clone().or_else(|| {
                // With a single profile, there is nothing to choose.
                (file.profiles.len() == 1).then(|| file.profiles.keys().next().cloned()).flatten()
            });
            match name {
                Some(name) => match file.profiles.get(&name) {
                    Some(profile) => (Some(name), profile.clone()),
                    None => {
                        return Err(ConfigError::NoProfile { name, path: path.clone().unwrap_or_default() });
                    }
                },
                None => (None, Profile::default()),
            }
        }
        (None, None) => (None, Profile::default()),
    };
    let config_dir = path.as_deref().and_then(Path::parent);

    let (key, key_source) = if let Some(file) = &flags.api_key_file {
        (read_key_file(file, &mut warnings)?, format!("--api-key-file {}", file.display()))
    } else if let Some(key) = &env.api_key {
        (ApiKey::new(key), "PIK_API_KEY".to_string())
    } else if let Some(file) = &profile.api_key_file {
        let file = expand(file, config_dir);
        (read_key_file(&file, &mut warnings)?, format!("{}", file.display()))
    } else if let Some(key) = &profile.api_key {
        if let Some(path) = &path
            && readable_by_others(path)
        {
            warnings.push(loose_permissions_warning(path, "the config file"));
        }
        (ApiKey::new(key), format!("profile {:?} in {shown_path}", profile_name.as_deref().unwrap_or("")))
    } else {
        return Err(ConfigError::NoKey { path: shown_path });
    };
    if key.is_empty() {
        return Err(ConfigError::NoKey { path: shown_path });
    }
    let base_url = flags
        .base_url
        .clone()
        .or_else(|| env.base_url.clone())
        .or(profile.base_url)
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    Ok(Settings {
        profile: profile_name,
        base_url,
        key,
        key_source,
        read_only: flags.read_only || profile.read_only,
        store: profile.store,
        warnings,
    })
}

mod lists;
mod look;
pub use look::ThemeSetting;
mod save;
pub use lists::{ColumnsTable, SortTable, ViewTable, columns, sorts, views};
pub use save::save_view;

#[cfg(test)]
mod tests;
