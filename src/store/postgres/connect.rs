//! Reaching a shared mirror on PostgreSQL: the connection string (never
//! with a password on the command line), the password by PostgreSQL's own
//! conventions (`PGPASSWORD`, `~/.pgpass` or `PGPASSFILE`, or the URL in the
//! config file), TLS through rustls as `sslmode` asks, and a small pool.

use super::super::StoreError;
use crate::sanitize::for_terminal;
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Where a shared mirror is, as the agent gave it.
#[derive(Clone)]
pub struct Target {
    /// The connection string without its password, fit to show.
    pub shown: String,
    config: Arc<tokio_postgres::Config>,
    /// The roots TLS trusts: `sslrootcert=FILE` in the connection string
    /// (as libpq reads it), else the system's.
    roots: Option<Arc<Vec<rustls::pki_types::CertificateDer<'static>>>>,
    tls: Arc<std::sync::OnceLock<Result<tokio_postgres_rustls::MakeRustlsConnect, String>>>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl PartialEq for Target {
    fn eq(&self, other: &Self) -> bool {
        self.shown == other.shown
    }
}
impl Eq for Target {}

/// Whether a `--store` value names a PostgreSQL server rather than a file.
pub fn is_postgres_url(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// Where the password came from, for the refusal on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given {
    /// `--store` or `PIK_STORE`: seen by `ps` and kept in shell history.
    CommandLine,
    /// A profile's `store` in the config file (mode 600, like the key).
    ConfigFile,
}

pub const PASSWORD_ADVICE: &str = "a --store URL must not hold a password (it would show in `ps` and in shell \
     history); put it in PGPASSWORD, in ~/.pgpass, or in the profile's store in the config file";

impl Target {
    /// Reads a connection string. A password in it is refused unless it
    /// came from the config file; without one, `PGPASSWORD` and then the
    /// password file are asked.
    pub fn parse(text: &str, given: Given) -> Result<Target, StoreError> {
        // What was given is not echoed: it may hold a password.
        let refused = |reason: String| {
            StoreError::Usage(format!(
                "the store is not a PostgreSQL connection string (postgres://user@host:port/database): {reason}"
            ))
        };
        let url = url::Url::parse(text.trim()).map_err(|e| refused(e.to_string()))?;
        if url.password().is_some() && given == Given::CommandLine {
            return Err(StoreError::Usage(format!("{PASSWORD_ADVICE} (given: {})", redacted(&url))));
        }
        // tokio-postgres does not read `sslrootcert`: it is taken out here.
        let root_file = url.query_pairs().find(|(k, _)| k == "sslrootcert").map(|(_, v)| PathBuf::from(v.as_ref()));
        let mut for_driver = url.clone();
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "sslrootcert")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        for_driver.set_query(None);
        if !kept.is_empty() {
            for_driver.query_pairs_mut().extend_pairs(kept);
        }
        let mut config: tokio_postgres::Config =
            for_driver.as_str().parse().map_err(|_| refused("its options are not PostgreSQL's".into()))?;
        let roots = match root_file {
            Some(file) => Some(Arc::new(read_roots(&file)?)),
            None => None,
        };
        if config.get_password().is_none() {
            if let Some(password) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
                config.password(password.to_string_lossy().as_bytes());
            } else if let Some(password) = password_file().and_then(|file| from_password_file(&file, &config)) {
                config.password(password.expose_secret().as_bytes());
            }
        }
        if config.get_user().is_none()
            && let Ok(user) = std::env::var("PGUSER").or_else(|_| std::env::var("USER"))
        {
            config.user(user);
        }
        config.application_name("pik-tui");
        config.connect_timeout(Duration::from_secs(10));
        config.keepalives_idle(Duration::from_secs(30));
        Ok(Target { shown: redacted(&url), config: Arc::new(config), roots, tls: Arc::default() })
    }
}

/// The connection string with the password taken out.
fn redacted(url: &url::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_password(None);
    for_terminal(url.as_str()).into_owned()
}

fn password_file() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("PGPASSFILE") {
        return Some(PathBuf::from(file));
    }
    directories::BaseDirs::new().map(|dirs| dirs.home_dir().join(".pgpass"))
}

/// The password for this server, database and user in a `.pgpass` file:
/// `host:port:database:user:password` lines, `*` matching anything, `\`
/// escaping `:` and `\`. The first matching line wins, as libpq does. Like
/// libpq, a file others may read is ignored.
fn from_password_file(file: &Path, config: &tokio_postgres::Config) -> Option<SecretString> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!("{} is readable by others; it is ignored (chmod 600 it)", file.display());
            return None;
        }
    }
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(_)) | None => "localhost".into(),
        #[cfg(not(unix))]
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432).to_string();
    let user = config.get_user().map(str::to_string).or_else(|| std::env::var("USER").ok()).unwrap_or_default();
    let database = config.get_dbname().map(str::to_string).unwrap_or_else(|| user.clone());
    let wanted = [host.as_str(), port.as_str(), database.as_str(), user.as_str()];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .map(pgpass_fields)
        .find(|fields| {
            fields.len() == 5 && fields[..4].iter().zip(wanted).all(|(have, want)| have == "*" || have == want)
        })
        .map(|mut fields| SecretString::from(fields.swap_remove(4)))
}

fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

/// The certificates of a `sslrootcert` file (PEM).
fn read_roots(file: &Path) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, StoreError> {
    use rustls::pki_types::pem::PemObject;
    let unreadable = |why: String| StoreError::Usage(format!("cannot read sslrootcert {}: {why}", file.display()));
    let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_file_iter(file)
        .map_err(|e| unreadable(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| unreadable(e.to_string()))?;
    if certs.is_empty() {
        return Err(unreadable("it holds no certificate".into()));
    }
    Ok(certs)
}

/// TLS as the connection string's `sslmode` asks (`prefer` by default),
/// verified against `sslrootcert` or the system's roots.
fn tls(target: &Target) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    // Built once per target: the system's roots are read from disk, and the
    // election and LISTEN connections are made again after every outage.
    target.tls.get_or_init(|| build_tls(target.roots.as_deref())).clone().map_err(StoreError::Usage)
}

fn build_tls(
    given: Option<&Vec<rustls::pki_types::CertificateDer<'static>>>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    let mut roots = rustls::RootCertStore::empty();
    match given {
        Some(given) => {
            for cert in given {
                let _ = roots.add(cert.clone());
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS cannot be set up: {e}"))?;
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(builder.with_root_certificates(roots).with_no_client_auth()))
}

pub type Pool = deadpool_postgres::Pool;

/// A pool of up to `size` connections. Connections are made when asked
/// for, and one the server closed (a restart) is replaced then.
pub fn pool(target: &Target, size: usize) -> Result<Pool, StoreError> {
    let manager = deadpool_postgres::Manager::from_config(
        (*target.config).clone(),
        tls(target)?,
        deadpool_postgres::ManagerConfig { recycling_method: deadpool_postgres::RecyclingMethod::Verified },
    );
    deadpool_postgres::Pool::builder(manager)
        .max_size(size)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(15)))
        .create_timeout(Some(Duration::from_secs(10)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .map_err(|e| StoreError::Sql(format!("cannot set up the connection pool: {e}")))
}

/// One connection of its own, outside the pool: for the sync's election
/// lock (held as long as the connection lives) and for LISTEN.
pub async fn dedicated(
    target: &Target,
) -> Result<(tokio_postgres::Client, tokio_postgres::Connection<tokio_postgres::Socket, TlsStream>), StoreError> {
    target.config.connect(tls(target)?).await.map_err(|e| failed(&target.shown, &e))
}

pub type TlsStream =
    <tokio_postgres_rustls::MakeRustlsConnect as tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>>::Stream;

/// A PostgreSQL error as one plain line: the server's message when it sent
/// one ("password authentication failed for user …"), else the cause.
pub fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return for_terminal(db.message()).into_owned();
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    for_terminal(&text).into_owned()
}

/// The store's error for a failure to reach or use the server.
pub fn failed(shown: &str, error: &tokio_postgres::Error) -> StoreError {
    StoreError::Io { path: shown.to_string(), message: describe(error) }
}

/// A pool error (no connection could be made, or none freed in time).
pub fn pool_failed(shown: &str, error: deadpool_postgres::PoolError) -> StoreError {
    let message = match &error {
        deadpool_postgres::PoolError::Backend(e) => describe(e),
        deadpool_postgres::PoolError::Timeout(_) => "the server did not answer in time".into(),
        other => for_terminal(&other.to_string()).into_owned(),
    };
    StoreError::Io { path: shown.to_string(), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_on_the_command_line_is_refused_and_not_echoed() {
        let refused = Target::parse("postgres://agent:hunter2@db.example/pik", Given::CommandLine);
        let Err(error) = refused else { panic!("accepted a password on the command line") };
        let text = error.to_string();
        assert!(text.contains("PGPASSWORD") && text.contains(".pgpass"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(Target::parse("postgres://agent:hunter2@db.example/pik", Given::ConfigFile).is_ok());
        let Ok(target) = Target::parse("postgresql://agent@db.example:5433/pik", Given::CommandLine) else {
            panic!("refused a URL without a password")
        };
        assert_eq!(target.shown, "postgresql://agent@db.example:5433/pik");
    }

    #[test]
    fn pgpass_lines_match_as_libpq_reads_them() {
        assert_eq!(pgpass_fields(r"db:5432:pik:agent:pa\:ss\\word"), ["db", "5432", "pik", "agent", r"pa:ss\word"]);
        assert_eq!(pgpass_fields("*:*:*:*:a:b"), ["*", "*", "*", "*", "a:b"]);
        let Ok(dir) = tempfile::tempdir() else { panic!("tempdir") };
        let file = dir.path().join("pgpass");
        let lines = "# a comment\nother:5432:pik:agent:wrong\n*:5433:pik:agent:right\n*:*:*:*:fallback\n";
        assert!(std::fs::write(&file, lines).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert!(std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).is_ok());
        }
        let Ok(config) = "postgres://agent@db.example:5433/pik".parse::<tokio_postgres::Config>() else {
            panic!("config")
        };
        let found = from_password_file(&file, &config).map(|s| s.expose_secret().to_string());
        assert_eq!(found.as_deref(), Some("right"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert!(std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).is_ok());
            assert_eq!(from_password_file(&file, &config).map(|_| ()), None, "a file others can read is ignored");
        }
    }

    #[test]
    fn only_postgres_schemes_are_servers() {
        assert!(is_postgres_url("postgres://h/db") && is_postgres_url("PostgreSQL://h/db"));
        assert!(!is_postgres_url("/home/a/postgres://x") && !is_postgres_url("mirror.sqlite"));
    }
}
