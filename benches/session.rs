//! Whole-program figures: the release binary in a pseudo-terminal against an
//! in-process sandbox. Prints each figure beside its target; asserts nothing.
//! `cargo bench --bench session` (about four minutes).

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

use pik_tui::sandbox::{self, SandboxConfig, SeedSizes};
use pty::{Session, loaded};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => panic!("runtime: {err}"),
    }
}

fn start_sandbox(runtime: &tokio::runtime::Runtime, config: SandboxConfig) -> sandbox::Sandbox {
    runtime.block_on(async {
        match sandbox::start(config).await {
            Ok(sandbox) => sandbox,
            Err(err) => panic!("sandbox: {err}"),
        }
    })
}

fn call(runtime: &tokio::runtime::Runtime, url: String, method: reqwest::Method, body: Option<Value>) -> Value {
    runtime.block_on(async {
        let mut request = reqwest::Client::new().request(method, url).bearer_auth(sandbox::DEMO_KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        match request.send().await {
            Ok(response) => response.json::<Value>().await.unwrap_or(Value::Null),
            Err(err) => panic!("{err}"),
        }
    })
}

fn dashboard(base: &str, extra: &[&str], cols: u16, rows: u16) -> Session {
    let mut args = vec!["--base-url", base];
    args.extend_from_slice(extra);
    Session::start_with(None, &args, cols, rows, &[("PIK_API_KEY", sandbox::DEMO_KEY)])
}

/// CPU time (user + system) of a process so far, in clock ticks (100 a second).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces, in parentheses).
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

fn vm_hwm_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

struct Figure {
    name: String,
    measured: String,
    target: String,
}

fn main() {
    let runtime = runtime();
    let mut figures = Vec::new();
    let quiet = || SandboxConfig { activity: false, rate_limit_per_sec: None, ..SandboxConfig::default() };

    // 1. Cold start to the first frame showing data.
    let sandbox = start_sandbox(&runtime, quiet());
    let base = sandbox.base_url();
    let mut starts = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        let mut session = dashboard(&base, &[], 120, 40);
        while !session.contents().contains("pl_") && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(1));
        }
        starts.push(started.elapsed());
        session.send("q");
        session.wait_exit();
    }
    starts.sort();
    figures.push(Figure {
        name: "cold start to first frame with data (median of 7)".into(),
        measured: format!(
            "{:.0} ms (min {:.0}, max {:.0})",
            starts[3].as_secs_f64() * 1e3,
            starts[0].as_secs_f64() * 1e3,
            starts[6].as_secs_f64() * 1e3
        ),
        target: "≤ 150 ms".into(),
    });

    // 2. Idle for 60 s with polling on: CPU, beside htop; requests a minute.
    let mut session = dashboard(&base, &[], 120, 40);
    session.wait_for("rows", |s| s.contains("pl_"));
    // Idle means the mirror's backfill is over: its cycles are counted, not it.
    session.wait_for("the mirror up to date", |s| s.contains("mirror up to date"));
    std::thread::sleep(Duration::from_secs(2));
    let htop = std::path::Path::new("/usr/bin/htop").exists().then(htop_session);
    let pid = session.program_pid().unwrap_or(0);
    let htop_pid = htop.as_ref().and_then(|(child, _)| child.process_id());
    call(&runtime, format!("{}/requests", sandbox.control_url()), reqwest::Method::DELETE, None);
    let (ours0, htop0) = (cpu_ticks(pid), htop_pid.map(cpu_ticks));
    std::thread::sleep(Duration::from_secs(60));
    let (ours1, htop1) = (cpu_ticks(pid), htop_pid.map(cpu_ticks));
    let requests = call(&runtime, format!("{}/requests", sandbox.control_url()), reqwest::Method::GET, None);
    let ours = (ours1 - ours0) as f64 / 60.0; // ticks a second = percent of one core
    let htop_figure = match (htop0, htop1) {
        (Some(a), Some(b)) => {
            let theirs = (b - a) as f64 / 60.0;
            format!(
                "{ours:.2} % of a core (htop: {theirs:.2} %, ratio {:.2})",
                if theirs > 0.0 { ours / theirs } else { f64::NAN }
            )
        }
        _ => format!("{ours:.2} % of a core (htop not installed)"),
    };
    figures.push(Figure {
        name: "idle CPU over 60 s, polling on".into(),
        measured: htop_figure,
        target: "≤ htop".into(),
    });
    figures.push(Figure {
        name: "API requests a minute at idle".into(),
        measured: format!("{} ({})", requests["total"], requests["by_route"]),
        target:
            "≤ 40: panes 16 (12 visible (5 s) + 2 + 2 hidden (30 s)) + mirror ≤ 24 (4 light cycles × 2, 2 full × ≤ 8)"
                .into(),
    });
    if let Some((mut child, _)) = htop {
        let _ = child.kill();
    }
    session.send("q");
    session.wait_exit();

    // 2b. The same minute scrolled to the third page: the poll also re-reads
    // the rows on screen, one extra request per visible poll and no more.
    let mut session = dashboard(&base, &[], 120, 40);
    session.wait_for("rows", |s| s.contains("pl_"));
    for _ in 0..4 {
        session.send("\u{1b}[6~");
        std::thread::sleep(Duration::from_millis(200));
    }
    session.wait_for("the third page", |s| loaded(s) >= 150);
    session.wait_for("the mirror up to date", |s| s.contains("mirror up to date"));
    std::thread::sleep(Duration::from_secs(2));
    call(&runtime, format!("{}/requests", sandbox.control_url()), reqwest::Method::DELETE, None);
    std::thread::sleep(Duration::from_secs(60));
    let requests = call(&runtime, format!("{}/requests", sandbox.control_url()), reqwest::Method::GET, None);
    figures.push(Figure {
        name: "API requests a minute at idle, scrolled to the third page".into(),
        measured: format!("{} ({})", requests["total"], requests["by_route"]),
        target: "≤ 52: the 40 above + 12 re-reads of the rows on screen".into(),
    });
    session.send("q");
    session.wait_exit();

    // 3. Bytes written by one poll that changes one visible row, and a full repaint.
    let mut session = dashboard(&base, &["--refresh", "2"], 120, 40);
    session.wait_for("rows", |s| s.contains("pl_"));
    let full = session.raw().len();
    std::thread::sleep(Duration::from_secs(3));
    let active = call(&runtime, format!("{base}/payment-links?status=active&limit=3"), reqwest::Method::GET, None);
    let id = active["data"][2]["id"].as_str().unwrap_or_default().to_string();
    let before = session.raw().len();
    call(&runtime, format!("{base}/payment-links/{id}"), reqwest::Method::DELETE, None);
    session.wait_for("the changed row", |s| s.lines().any(|l| l.contains(&id) && l.contains("deactivated")));
    std::thread::sleep(Duration::from_millis(100));
    let after = session.raw().len();
    figures.push(Figure {
        name: "bytes written by a poll changing one visible row".into(),
        measured: format!("{} bytes (first full frame: {full} bytes)", after - before),
        target: "≤ 1 kB".into(),
    });
    session.send("q");
    session.wait_exit();
    drop(sandbox);

    // 4. Memory after scrolling through 10,000 and 100,000 links.
    let large = start_sandbox(
        &runtime,
        SandboxConfig { sizes: SeedSizes { links: 100_000, transactions: 10, webhooks: 3 }, ..quiet() },
    );
    let large_base = large.base_url();
    let mut session = dashboard(&large_base, &["--max-rps", "1000"], 120, 40);
    session.wait_for("rows", |s| s.contains("pl_"));
    let pid = session.program_pid().unwrap_or(0);
    let mut marks = Vec::new();
    let started = Instant::now();
    for target in [10_000usize, 100_000] {
        while loaded(&session.contents()) < target && started.elapsed() < Duration::from_secs(600) {
            session.send("G");
            std::thread::sleep(Duration::from_millis(15));
        }
        marks.push((target, loaded(&session.contents()), vm_hwm_kb(pid), started.elapsed()));
    }
    for (target, got, hwm, took) in marks {
        figures.push(Figure {
            name: format!("VmHWM after scrolling to {target} links"),
            measured: format!("{:.1} MB ({got} loaded, {:.0} s)", hwm as f64 / 1024.0, took.as_secs_f64()),
            target: if target == 10_000 { "≤ 25 MB".into() } else { "≤ 60 MB".into() },
        });
    }
    session.send("q");
    session.wait_exit();
    drop(large);

    // 5. Scroll stalls: 2,000 rows at 30 rows/s with 150 ms of added latency.
    let sandbox = start_sandbox(
        &runtime,
        SandboxConfig { sizes: SeedSizes { links: 3_000, transactions: 10, webhooks: 3 }, ..quiet() },
    );
    call(
        &runtime,
        format!("{}/faults", sandbox.control_url()),
        reqwest::Method::PUT,
        Some(json!({"latency_ms": 150, "methods": ["GET"]})),
    );
    let mut session = dashboard(&sandbox.base_url(), &["--max-rps", "100"], 120, 40);
    session.wait_for("rows", |s| s.contains("pl_"));
    let mut stalls = 0;
    for _ in 0..2000 {
        session.send("j");
        std::thread::sleep(Duration::from_millis(33));
        let screen = session.contents();
        let lines: Vec<&str> = screen.lines().collect();
        if let Some(at) = lines.iter().position(|l| l.contains('▶'))
            && lines.get(at + 1).is_some_and(|next| next.contains("loading more"))
        {
            stalls += 1;
        }
    }
    figures.push(Figure {
        name: "scroll stalls (2,000 rows, 30 rows/s, +150 ms latency)".into(),
        measured: format!(
            "{stalls} frames with the selection waiting on a page ({} loaded)",
            loaded(&session.contents())
        ),
        target: "0".into(),
    });
    session.send("q");
    session.wait_exit();

    let width = figures.iter().map(|f| f.name.chars().count()).max().unwrap_or(10);
    println!("\n{:<width$}  {:<60}  target", "figure", "measured");
    for figure in &figures {
        println!("{:<width$}  {:<60}  {}", figure.name, figure.measured, figure.target);
    }
}

/// htop in its own pty, for comparison; returns the child and its pty.
fn htop_session() -> (Box<dyn portable_pty::Child + Send + Sync>, Box<dyn portable_pty::MasterPty + Send>) {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    let pair = match native_pty_system().openpty(PtySize { rows: 40, cols: 120, pixel_width: 0, pixel_height: 0 }) {
        Ok(pair) => pair,
        Err(err) => panic!("pty: {err}"),
    };
    let mut command = CommandBuilder::new("htop");
    command.env("TERM", "xterm-256color");
    let child = match pair.slave.spawn_command(command) {
        Ok(child) => child,
        Err(err) => panic!("htop: {err}"),
    };
    // Drain its output so it never blocks on a full pty.
    if let Ok(mut reader) = pair.master.try_clone_reader() {
        std::thread::spawn(move || {
            let mut sink = [0u8; 4096];
            while matches!(std::io::Read::read(&mut reader, &mut sink), Ok(n) if n > 0) {}
        });
    }
    (child, pair.master)
}
