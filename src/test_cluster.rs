//! A throwaway PostgreSQL for the tests: `initdb` and `postgres` from the
//! Debian package, a cluster in a temp folder, on a free loopback port,
//! with password authentication over TCP. Started once per test process
//! and stopped with it (the server gets SIGQUIT when this process dies).
//!
//! Where PostgreSQL is not installed, [`cluster`] gives `None` and the
//! tests say they were skipped, unless `PIK_TUI_REQUIRE_POSTGRES` is set
//! (CI sets it), which makes that a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The superuser's password in test clusters (a throwaway, on loopback).
pub const PASSWORD: &str = "pik-test-password";

/// Set (to anything) by CI: a missing PostgreSQL fails instead of skipping.
pub const REQUIRE_VAR: &str = "PIK_TUI_REQUIRE_POSTGRES";

pub struct Cluster {
    pub port: u16,
    pub dir: PathBuf,
    bin: PathBuf,
    /// The postmaster, for tests that stop and restart it.
    server: std::sync::Mutex<Option<Child>>,
    run_as: Option<(u32, u32)>,
    /// Settings given to the server (`-c name=value`) beyond the usual.
    settings: Vec<String>,
}

/// Where `initdb` and `postgres` are: `PIK_TUI_PG_BIN`, the newest
/// `/usr/lib/postgresql/*/bin`, or the PATH.
fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PIK_TUI_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists() && bin.join("postgres").exists())
        .collect();
    versions.sort_by_key(|p| p.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()?.parse::<u32>().ok()));
    versions.pop()
}

/// PostgreSQL refuses to run as root: as root, the cluster belongs to the
/// `postgres` user the package made.
fn run_as() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let name = std::ffi::CString::new("postgres").ok()?;
    // SAFETY: getpwnam is given a valid C string; the result is read at once.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        return None;
    }
    // SAFETY: checked non-null above.
    let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
    Some((uid, gid))
}

fn command(bin: &Path, program: &str, run_as: Option<(u32, u32)>) -> Command {
    let mut command = Command::new(bin.join(program));
    if let Some((uid, gid)) = run_as {
        use std::os::unix::process::CommandExt;
        command.uid(uid).gid(gid);
    }
    command
}

fn free_port() -> Option<u16> {
    std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok().map(|a| a.port())
}

/// Folders of clusters whose test process is gone.
fn remove_stale() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if let Some(pid) = name.strip_prefix("pik-tui-pg-").and_then(|p| p.parse::<u32>().ok())
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The test process's cluster, started on first use; `None` (after one
/// line on stderr) when PostgreSQL is not installed and not required.
pub fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| {
            let required = std::env::var_os(REQUIRE_VAR).is_some();
            match start() {
                Ok(cluster) => Some(cluster),
                Err(why) if required => panic!("{REQUIRE_VAR} is set and PostgreSQL cannot be used: {why}"),
                Err(_) => None,
            }
        })
        .as_ref()
}

fn start() -> Result<Cluster, String> {
    start_named("", &[], Vec::new())
}

/// A second cluster of its own that takes only TLS over TCP, with this
/// server certificate and key (PEM), for the tests of `sslmode`.
pub fn start_tls(cert_pem: &str, key_pem: &str) -> Result<Cluster, String> {
    let files = [("server.crt", cert_pem), ("server.key", key_pem)];
    let settings = vec!["ssl=on".to_string(), "ssl_cert_file=server.crt".into(), "ssl_key_file=server.key".into()];
    start_named("-tls", &files, settings)
}

fn start_named(suffix: &str, files: &[(&str, &str)], settings: Vec<String>) -> Result<Cluster, String> {
    let bin = bin_dir().ok_or("no initdb found (apt-get install postgresql, or set PIK_TUI_PG_BIN)")?;
    remove_stale();
    let dir = std::env::temp_dir().join(format!("pik-tui-pg-{}{suffix}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let run_as = run_as();
    let data = dir.join("data");
    let pwfile = dir.join("pw");
    std::fs::write(&pwfile, PASSWORD).map_err(|e| e.to_string())?;
    for path in [&dir, &pwfile] {
        give(path, run_as, 0o700)?;
    }
    let initdb = command(&bin, "initdb", run_as)
        .args(["-D"])
        .arg(&data)
        .args(["-U", "postgres", "-E", "UTF8", "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256"])
        .arg(format!("--pwfile={}", pwfile.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !initdb.status.success() {
        return Err(format!("initdb failed: {}", String::from_utf8_lossy(&initdb.stderr)));
    }
    for (name, contents) in files {
        let path = data.join(name);
        std::fs::write(&path, contents).map_err(|e| e.to_string())?;
        give(&path, run_as, 0o600)?;
    }
    let port = free_port().ok_or("no free port")?;
    let cluster = Cluster { port, dir, bin, server: std::sync::Mutex::new(None), run_as, settings };
    cluster.start_server()?;
    Ok(cluster)
}

/// Makes `path` the server user's (when running as root), with `mode`.
fn give(path: &Path, run_as: Option<(u32, u32)>, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| e.to_string())?;
    if let Some((uid, gid)) = run_as {
        let c = std::ffi::CString::new(path.as_os_str().to_string_lossy().as_bytes()).map_err(|e| e.to_string())?;
        // SAFETY: a valid C string; the result is checked.
        if unsafe { libc::chown(c.as_ptr(), uid, gid) } != 0 {
            return Err(format!("cannot give {} to the postgres user", path.display()));
        }
    }
    Ok(())
}

impl Cluster {
    /// Starts the postmaster and waits until it takes connections.
    pub fn start_server(&self) -> Result<(), String> {
        let mut server = command(&self.bin, "postgres", self.run_as);
        server
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-p", &self.port.to_string(), "-h", "127.0.0.1", "-k"])
            .arg(&self.dir)
            .args(["-c", "fsync=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB"])
            .args(self.settings.iter().flat_map(|setting| ["-c", setting.as_str()]))
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(self.dir.join("server.log")).map_err(|e| e.to_string())?));
        {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl only sets this process's parent-death signal.
            unsafe {
                server.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT);
                    Ok(())
                });
            }
        }
        // The parent-death signal follows the thread that forked, not the
        // process: fork from a thread that lives as long as the process.
        let (sent, spawned) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sent.send(server.spawn());
            loop {
                std::thread::park();
            }
        });
        let child = spawned.recv().map_err(|e| format!("postgres: {e}"))?.map_err(|e| format!("postgres: {e}"))?;
        if let Ok(mut slot) = self.server.lock() {
            *slot = Some(child);
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                // The port opens a moment before the server takes logins.
                std::thread::sleep(std::time::Duration::from_millis(200));
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Err(format!("postgres did not start; see {}", self.dir.join("server.log").display()))
    }

    /// Stops the postmaster at once (as a crash or a restart would).
    pub fn stop_server(&self) {
        if let Ok(mut slot) = self.server.lock()
            && let Some(mut child) = slot.take()
        {
            // SAFETY: signalling our own child.
            unsafe {
                libc::kill(child.id() as i32, libc::SIGQUIT);
            }
            let _ = child.wait();
        }
    }

    /// A new empty database (its name from `hint`, made unique), and its
    /// connection string with the password (as a config file would hold it).
    pub fn database(&self, hint: &str) -> String {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let number = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let short: String = hint.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(40).collect();
        let name = format!("{}_{number}", short.to_ascii_lowercase());
        let admin = self.url("postgres");
        let created = Command::new(self.bin.join("psql"))
            .arg(&admin)
            .args(["-q", "-v", "ON_ERROR_STOP=1", "-c"])
            .arg(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .arg("-c")
            .arg(format!("CREATE DATABASE \"{name}\""))
            .output();
        match created {
            Ok(out) if out.status.success() => self.url(&name),
            Ok(out) => panic!("cannot create database {name}: {}", String::from_utf8_lossy(&out.stderr)),
            Err(err) => panic!("psql: {err}"),
        }
    }

    /// Everything a database holds, as `pg_dump` writes it (to look for
    /// what must never be there).
    pub fn dump(&self, url: &str) -> String {
        match Command::new(self.bin.join("pg_dump")).arg(url).output() {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
            Ok(out) => panic!("pg_dump: {}", String::from_utf8_lossy(&out.stderr)),
            Err(err) => panic!("pg_dump: {err}"),
        }
    }

    /// `psql -c SQL` on a database, as an administrator would type it:
    /// whether it went through, and what it printed.
    pub fn psql(&self, url: &str, sql: &str) -> (bool, String) {
        match Command::new(self.bin.join("psql")).args([url, "-v", "ON_ERROR_STOP=1", "-c", sql]).output() {
            Ok(out) => {
                let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
                (out.status.success(), said)
            }
            Err(err) => panic!("psql: {err}"),
        }
    }

    /// The connection string of a database, with the password.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres:{PASSWORD}@127.0.0.1:{}/{database}", self.port)
    }

    /// The connection string without the password (as `--store` takes it).
    pub fn url_without_password(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

/// One line for a skipped suite: how many tests and how to run them.
pub fn skipped_line(count: usize) -> String {
    format!(
        "skipped {count} PostgreSQL tests: PostgreSQL is not installed (apt-get install postgresql, or set \
         PIK_TUI_PG_BIN to its bin folder; CI sets {REQUIRE_VAR} so they never skip there)"
    )
}
