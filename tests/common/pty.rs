//! The real binary in a pseudo-terminal: keys in, screen out (vt100), raw
//! bytes kept for checks on escape sequences.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const DEADLINE: Duration = Duration::from_secs(30);

pub struct Session {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    _master: Box<dyn MasterPty + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    home: tempfile::TempDir,
}

impl Session {
    pub fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        Self::start_with(None, args, cols, rows, &[])
    }

    /// Runs pik-tui with `args` inside `sh -c "pik-tui ARGS; then"` when
    /// `then` is given (to look at the terminal after it exits), with extra
    /// environment variables.
    pub fn start_with(then: Option<&str>, args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Session {
        let Ok(home) = tempfile::tempdir() else { panic!("no temp dir") };
        let pty = native_pty_system();
        let pair = match pty.openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }) {
            Ok(pair) => pair,
            Err(err) => panic!("no pty: {err}"),
        };
        let log = home.path().join("pik.log");
        let mut command = match then {
            None => {
                let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_pik-tui"));
                command.args(args);
                command.arg("--log-file");
                command.arg(&log);
                command
            }
            Some(then) => {
                let mut command = CommandBuilder::new("sh");
                let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
                let line = format!(
                    "'{}' {} --log-file '{}'; echo \"EXIT=$?\"; {then}",
                    env!("CARGO_BIN_EXE_pik-tui"),
                    quoted.join(" "),
                    log.display()
                );
                command.args(["-c", &line]);
                command
            }
        };
        for (name, value) in env {
            command.env(name, value);
        }
        command.env("TERM", "xterm-256color");
        command.env("HOME", home.path());
        command.env("XDG_CONFIG_HOME", home.path().join("config"));
        command.env("XDG_STATE_HOME", home.path().join("state"));
        let child = match pair.slave.spawn_command(command) {
            Ok(child) => child,
            Err(err) => panic!("pik-tui did not start: {err}"),
        };
        drop(pair.slave);
        let (Ok(mut reader), Ok(writer)) = (pair.master.try_clone_reader(), pair.master.take_writer()) else {
            panic!("no pty reader or writer")
        };
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (screen_in, raw_in) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                if let Ok(mut parser) = screen_in.lock() {
                    parser.process(&buffer[..n]);
                }
                if let Ok(mut raw) = raw_in.lock() {
                    raw.extend_from_slice(&buffer[..n]);
                }
            }
        });
        Session { child, writer, _master: pair.master, screen, raw, home }
    }

    /// The log file the program was told to write.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home.path().join("pik.log")).unwrap_or_default()
    }

    /// The pid of pik-tui itself (the shell's child when run through `sh`).
    pub fn program_pid(&self) -> Option<u32> {
        let pid = self.child.process_id()?;
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        children.split_whitespace().next().and_then(|c| c.parse().ok()).or(Some(pid))
    }

    pub fn contents(&self) -> String {
        self.screen.lock().map(|p| p.screen().contents()).unwrap_or_default()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Waits until the screen satisfies `ready`; panics with the screen if not.
    pub fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let contents = self.contents();
            if ready(&contents) {
                return contents;
            }
            if started.elapsed() > DEADLINE {
                panic!("timed out waiting for {what}; the screen shows:\n{contents}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Like `wait_for`, with its own deadline, and says whether it happened.
    pub fn wait_until(&self, deadline: Duration, ready: impl Fn(&str) -> bool) -> bool {
        let started = Instant::now();
        while started.elapsed() < deadline {
            if ready(&self.contents()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn send(&mut self, keys: &str) {
        let sent = self.writer.write_all(keys.as_bytes()).and_then(|()| self.writer.flush());
        assert!(sent.is_ok(), "could not type {keys:?}");
    }

    /// Waits for the program to exit; returns whether it succeeded.
    pub fn wait_exit(&mut self) -> bool {
        let started = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.success(),
                Ok(None) if started.elapsed() < DEADLINE => std::thread::sleep(Duration::from_millis(50)),
                other => panic!("pik-tui did not exit: {other:?}\n{}", self.contents()),
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The demo on a known port (so the test can drive its sandbox), refreshing
/// every second, once its rows are on screen.
pub fn demo_with_port(cols: u16) -> (Session, u16) {
    let port = free_port();
    let port_text = port.to_string();
    let session = Session::start(&["--demo", "--demo-port", &port_text, "--refresh", "1"], cols, 30);
    session.wait_for("link rows", |s| s.contains("pl_"));
    (session, port)
}

pub fn free_port() -> u16 {
    match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(err) => panic!("no free port: {err}"),
    }
}

/// The row the selection is on, from the table's title ("· row 121").
pub fn row_at(screen: &str) -> usize {
    screen
        .split("· row ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or(0)
}

pub fn ends_restored(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    let leave = text.rfind("\u{1b}[?1049l");
    let show = text.rfind("\u{1b}[?25h");
    // Both after the last frame drawn in the alternate screen.
    let last_draw = text.rfind("\u{1b}[?1049h");
    matches!((leave, show, last_draw), (Some(l), Some(s), Some(d)) if l > d && s > d)
}

/// Calls the sandbox behind a `--demo-port` dashboard: its API with the demo
/// key, or a `/_sandbox` control. Blocking, for the pty tests.
pub fn call(port: u16, method: reqwest::Method, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { panic!("runtime") };
    runtime.block_on(async {
        let mut request = reqwest::Client::new()
            .request(method, format!("http://127.0.0.1:{port}{path}"))
            .bearer_auth(pik_tui::sandbox::DEMO_KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        match request.send().await {
            Ok(response) => response.json::<serde_json::Value>().await.unwrap_or(serde_json::Value::Null),
            Err(err) => panic!("{path}: {err}"),
        }
    })
}

/// A config file with `text` in a temporary folder: the folder (kept alive
/// by the caller) and the file's path.
pub fn config_file(text: &str) -> (tempfile::TempDir, String) {
    let Ok(dir) = tempfile::tempdir() else { panic!("no temp dir") };
    let path = dir.path().join("config.toml");
    assert!(std::fs::write(&path, text).is_ok());
    let shown = path.display().to_string();
    (dir, shown)
}
