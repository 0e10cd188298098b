//! The real binary in a pseudo-terminal, as a user runs it: keys go in, the
//! screen is read back through a vt100 parser, and the raw bytes the program
//! wrote are kept for checks on escape sequences. Waits poll the screen with
//! a generous deadline; nothing asserts on how fast anything is.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(30);

struct Session {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    _master: Box<dyn MasterPty + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    _home: tempfile::TempDir,
}

impl Session {
    fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        let Ok(home) = tempfile::tempdir() else { panic!("no temp dir") };
        let pty = native_pty_system();
        let pair = match pty.openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }) {
            Ok(pair) => pair,
            Err(err) => panic!("no pty: {err}"),
        };
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_pik-tui"));
        command.args(args);
        command.arg("--log-file");
        command.arg(home.path().join("pik.log"));
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
        Session { child, writer, _master: pair.master, screen, raw, _home: home }
    }

    fn contents(&self) -> String {
        self.screen.lock().map(|p| p.screen().contents()).unwrap_or_default()
    }

    fn raw(&self) -> Vec<u8> {
        self.raw.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Waits until the screen satisfies `ready`; panics with the screen if not.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
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

    fn send(&mut self, keys: &str) {
        let sent = self.writer.write_all(keys.as_bytes()).and_then(|()| self.writer.flush());
        assert!(sent.is_ok(), "could not type {keys:?}");
    }

    /// Waits for the program to exit; returns whether it succeeded.
    fn wait_exit(&mut self) -> bool {
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
fn demo_with_port(cols: u16) -> (Session, u16) {
    let port = free_port();
    let port_text = port.to_string();
    let session = Session::start(&["--demo", "--demo-port", &port_text, "--refresh", "1"], cols, 30);
    session.wait_for("link rows", |s| s.contains("pl_"));
    (session, port)
}

fn free_port() -> u16 {
    match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(err) => panic!("no free port: {err}"),
    }
}

/// The "loaded N of M" figure of the table's title.
fn loaded(screen: &str) -> usize {
    screen
        .split("loaded ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or(0)
}

fn ends_restored(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    let leave = text.rfind("\u{1b}[?1049l");
    let show = text.rfind("\u{1b}[?25h");
    // Both after the last frame drawn in the alternate screen.
    let last_draw = text.rfind("\u{1b}[?1049h");
    matches!((leave, show, last_draw), (Some(l), Some(s), Some(d)) if l > d && s > d)
}

#[test]
fn the_demo_shows_rows_switches_panes_scrolls_and_quits_cleanly() {
    let mut session = Session::start(&["--demo", "--no-mouse"], 120, 40);
    let screen = session.wait_for("link rows", |s| s.contains("pl_") && s.contains("SANDBOX"));
    assert!(screen.contains("1 Links 300"), "{screen}");

    session.send("2");
    session.wait_for("transaction rows", |s| s.lines().filter(|l| l.contains("txn_")).count() > 10);

    // Scroll past the first page (50 rows): more load ahead of the end.
    for _ in 0..4 {
        session.send("\u{1b}[6~"); // PgDn
        std::thread::sleep(Duration::from_millis(100));
    }
    session.wait_for("a second page", |s| loaded(s) >= 100);

    session.send("q");
    assert!(session.wait_exit(), "non-zero exit");
    assert!(ends_restored(&session.raw()), "alternate screen not left or cursor not shown");
}

#[test]
fn a_payment_settled_meanwhile_shows_up_without_a_key() {
    let (mut session, port) = demo_with_port(120);
    session.send("2");
    session.wait_for("transaction rows", |s| s.contains("txn_"));

    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { panic!() };
    let txn_id = runtime.block_on(async {
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let links: serde_json::Value = http
            .get(format!("{base}/v1/payment-links?status=active&limit=1"))
            .bearer_auth(pik_tui::sandbox::DEMO_KEY)
            .send()
            .await
            .map(|r| r.json())
            .unwrap_or_else(|e| panic!("{e}"))
            .await
            .unwrap_or_default();
        let link = links["data"][0]["id"].as_str().unwrap_or_default().to_string();
        let txn: serde_json::Value = http
            .post(format!("{base}/_sandbox/payment-links/{link}/pay"))
            .json(&serde_json::json!({"outcome": "settle"}))
            .send()
            .await
            .map(|r| r.json())
            .unwrap_or_else(|e| panic!("{e}"))
            .await
            .unwrap_or_default();
        txn["id"].as_str().unwrap_or_default().to_string()
    });
    assert!(txn_id.starts_with("txn_"));
    // No key pressed: the poll brings it in.
    let screen =
        session.wait_for("the new transaction", |s| s.lines().any(|l| l.contains(&txn_id) && l.contains("settled")));
    assert!(screen.contains(&txn_id));
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn hostile_text_from_the_api_never_reaches_the_terminal() {
    let (mut session, port) = demo_with_port(140);
    let hostile = "MARK\u{1b}]52;c;aGVsbG8=\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2JZQ\u{9b}31m\u{202e}END";
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { panic!() };
    runtime.block_on(async {
        let planted = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/_sandbox/payment-links"))
            .json(&serde_json::json!({"amount": "1.00", "currency": "USDT", "description": hostile, "url": hostile}))
            .send()
            .await;
        assert!(planted.is_ok_and(|r| r.status().as_u16() == 201));
    });
    // It shows up, harmless, on top of the list and in the detail.
    session.wait_for("the planted link", |s| s.contains("MARK"));
    session.send("g");
    std::thread::sleep(Duration::from_millis(300));
    session.send("\r");
    session.wait_for("its detail", |s| s.matches("MARK").count() >= 2);
    let raw = String::from_utf8_lossy(&session.raw()).into_owned();
    for sequence in ["\u{1b}]52;", "\u{1b}]0;", "\u{1b}[2JZQ", "\u{9b}", "\u{202e}", "\u{7}\u{1b}"] {
        assert!(!raw.contains(sequence), "{sequence:?} reached the terminal");
    }
    session.send("q");
    assert!(session.wait_exit());
}
