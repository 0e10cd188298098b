//! Whole-program figures: the release binary in a pseudo-terminal against an
//! in-process sandbox. Prints each figure beside its target; asserts nothing.
//! `cargo bench --bench session` (about four minutes).

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

use pik_tui::sandbox::{self, SandboxConfig, SeedSizes};
use pty::{Session, row_at};
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

/// On-CPU nanoseconds of each thread of a process so far (the scheduler's
/// count, `/proc/PID/task/TID/schedstat`): finer than clock ticks, which
/// at idle are a handful in a minute.
fn on_cpu_ns(pid: u32) -> std::collections::HashMap<u32, u64> {
    let mut threads = std::collections::HashMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return threads };
    for task in tasks.flatten() {
        let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else { continue };
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        if let Some(ns) = stat.split_whitespace().next().and_then(|n| n.parse().ok()) {
            threads.insert(tid, ns);
        }
    }
    threads
}

/// On-CPU time of each process over `span`, in nanoseconds (`None`: it could
/// not be looked at), and the span as measured; looked at every second so
/// that a thread ending on the way loses at most a second of it.
fn on_cpu_over(pids: &[Option<u32>], span: Duration) -> (Vec<Option<u64>>, Duration) {
    let look = |pid: &Option<u32>| pid.map(on_cpu_ns).filter(|threads| !threads.is_empty());
    let first: Vec<_> = pids.iter().map(look).collect();
    let mut last = first.clone();
    let started = Instant::now();
    while started.elapsed() < span {
        std::thread::sleep(Duration::from_secs(1).min(span.saturating_sub(started.elapsed())));
        for (seen, pid) in last.iter_mut().zip(pids) {
            if let (Some(seen), Some(now)) = (seen.as_mut(), look(pid)) {
                seen.extend(now);
            }
        }
    }
    let elapsed = started.elapsed();
    let spent = first
        .iter()
        .zip(&last)
        .map(|(first, last)| {
            let (first, last) = (first.as_ref()?, last.as_ref()?);
            Some(last.iter().map(|(tid, ns)| ns - first.get(tid).copied().unwrap_or(0).min(*ns)).sum())
        })
        .collect();
    (spent, elapsed)
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

    // 2. Idle for 60 s, the mirror up to date: CPU, beside htop; requests a minute.
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
    let (measured, elapsed) = on_cpu_over(&[session.program_pid(), htop_pid], Duration::from_secs(60));
    let (ours1, htop1) = (cpu_ticks(pid), htop_pid.map(cpu_ticks));
    let requests = call(&runtime, format!("{}/requests", sandbox.control_url()), reqwest::Method::GET, None);
    // Nanoseconds over the span, as a percentage of one core.
    let percent = |ns: Option<u64>| ns.map(|ns| ns as f64 / elapsed.as_secs_f64() / 1e9 * 100.0);
    let ticks = format!(
        "clock ticks {} / {}",
        ours1.saturating_sub(ours0),
        htop1.zip(htop0).map_or(0, |(b, a)| b.saturating_sub(a))
    );
    let htop_figure = match (percent(measured[0]), percent(measured[1])) {
        (Some(ours), Some(theirs)) => format!(
            "{ours:.3} % of a core (htop: {theirs:.3} %, ratio {:.2}; {ticks})",
            if theirs > 0.0 { ours / theirs } else { f64::NAN }
        ),
        (Some(ours), None) => format!("{ours:.3} % of a core (htop not installed or not readable)"),
        (None, _) => "n/a: the dashboard's threads could not be read".to_string(),
    };
    figures.push(Figure {
        name: "idle CPU over 60 s, the sync on".into(),
        measured: htop_figure,
        target: "≤ htop".into(),
    });
    // The schedule the sync plans by, for the dashboard's defaults.
    let schedule = pik_tui::sync::Schedule::new(Duration::from_secs(5), 6, Duration::from_secs(60));
    let planned = schedule.per_minute(&pik_tui::sync::Focus::default());
    let plan: Vec<String> = planned.iter().map(|(task, n)| format!("{task} {n:.0}")).collect();
    let planned_total: f64 = planned.iter().map(|(_, n)| n).sum();
    figures.push(Figure {
        name: "API requests a minute at idle, mirror up to date, Links shown".into(),
        measured: format!("{} ({})", requests["total"], requests["by_route"]),
        target: format!("≤ 20, stretch 16 (schedule: {}: {planned_total:.0})", plan.join(", ")),
    });
    if let Some((mut child, _)) = htop {
        let _ = child.kill();
    }
    session.send("q");
    session.wait_exit();

    // 2b. The same minute scrolled to the third page: the sync also reads the
    // unfinished rows on screen, one request every two refreshes.
    let mut session = dashboard(&base, &[], 120, 40);
    session.wait_for("rows", |s| s.contains("pl_"));
    for _ in 0..4 {
        session.send("\u{1b}[6~");
        std::thread::sleep(Duration::from_millis(200));
    }
    session.wait_for("the third page", |s| row_at(s) >= 100);
    session.wait_for("the mirror up to date", |s| s.contains("mirror up to date"));
    std::thread::sleep(Duration::from_secs(2));
    call(&runtime, format!("{}/requests", sandbox.control_url()), reqwest::Method::DELETE, None);
    std::thread::sleep(Duration::from_secs(60));
    let requests = call(&runtime, format!("{}/requests", sandbox.control_url()), reqwest::Method::GET, None);
    figures.push(Figure {
        name: "API requests a minute at idle, scrolled to the third page".into(),
        measured: format!("{} ({})", requests["total"], requests["by_route"]),
        target: "≤ 26: the 20 above + 6 reads of the unfinished rows on screen".into(),
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
        name: "bytes written when one visible row changes".into(),
        measured: format!("{} bytes (first full frame: {full} bytes)", after - before),
        target: "≤ 1 kB".into(),
    });
    session.send("q");
    session.wait_exit();
    drop(sandbox);

    // 4. Memory with 100,000 links mirrored, scrolled to the end and sorted
    // by every column.
    let large = start_sandbox(
        &runtime,
        SandboxConfig { sizes: SeedSizes { links: 100_000, transactions: 10, webhooks: 3 }, ..quiet() },
    );
    let large_base = large.base_url();
    let mut session = dashboard(&large_base, &["--max-rps", "1000", "--no-store"], 120, 40);
    session.wait_for("rows", |s| s.contains("pl_"));
    let pid = session.program_pid().unwrap_or(0);
    let started = Instant::now();
    // An in-memory mirror fetches what is scrolled to: page down to row 10,000.
    while row_at(&session.contents()) < 10_000 && started.elapsed() < Duration::from_secs(600) {
        session.send("\u{1b}[6~");
        std::thread::sleep(Duration::from_millis(5));
    }
    let scrolled = (row_at(&session.contents()), vm_hwm_kb(pid), started.elapsed());
    for _ in 0..5 {
        session.send(">");
        std::thread::sleep(Duration::from_millis(300));
        session.send("G");
        std::thread::sleep(Duration::from_millis(300));
    }
    figures.push(Figure {
        name: "VmHWM, --no-store, paged down to row 10,000 of 100,000 links, then every sort".into(),
        measured: format!(
            "{:.1} MB (row {}, {:.0} s); {:.1} MB after sorting",
            scrolled.1 as f64 / 1024.0,
            scrolled.0,
            scrolled.2.as_secs_f64(),
            vm_hwm_kb(pid) as f64 / 1024.0
        ),
        target: "≤ 40 MB".into(),
    });
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
    // 5a. A status change on page 30 of the Links pane, until it shows.
    let mut session = dashboard(&sandbox.base_url(), &["--max-rps", "100"], 120, 40);
    session.wait_for("rows", |s| s.contains("pl_"));
    session.wait_for("the mirror up to date", |s| s.contains("mirror up to date"));
    for _ in 0..29 {
        session.send("\u{1b}[6~");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1));
    let screen = session.contents();
    let on_page = row_at(&screen);
    // The list's part of a screen line: at 120 columns the detail of the
    // selected link stands on the same lines, to the right (its status too).
    let list_part = |line: &str| line.split("││").next().unwrap_or(line).to_string();
    // A row whose status is "active" (not "deactivated", which holds the word).
    let shown = screen.lines().map(list_part).filter(|l| l.split_whitespace().any(|w| w == "active")).find_map(|l| {
        l.split_whitespace()
            .find(|w| w.starts_with("pl_"))
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '_').to_string())
    });
    // The row's line as the screen shows it, and whether it says deactivated.
    let row_says = |screen: &str, id: &str| -> Option<bool> {
        screen.lines().map(list_part).find(|l| l.contains(id)).map(|l| l.split_whitespace().any(|w| w == "deactivated"))
    };
    let figure = match shown {
        Some(id) if row_says(&session.contents(), &id) == Some(false) => {
            let changed = Instant::now();
            let answer =
                call(&runtime, format!("{}/payment-links/{id}", sandbox.base_url()), reqwest::Method::DELETE, None);
            let deadline = Duration::from_secs(30);
            while row_says(&session.contents(), &id) != Some(true) && changed.elapsed() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let took = changed.elapsed();
            format!(
                "{:.1} s = {:.2} refresh intervals (row {on_page}, {id}, PIK said {}){}",
                took.as_secs_f64(),
                took.as_secs_f64() / 5.0,
                answer["status"],
                if took >= deadline { ": NOT SHOWN" } else { "" }
            )
        }
        Some(id) => format!("the row of {id} was not found active on screen at row {on_page}"),
        None => format!("no active link on screen at row {on_page}"),
    };
    figures.push(Figure {
        name: "a status change on page 30 of Links until it shows".into(),
        measured: figure,
        target: "≤ 2 refresh intervals (10 s)".into(),
    });
    session.send("q");
    session.wait_exit();

    for extra in [&[][..], &["--no-store"][..]] {
        let mut args = vec!["--max-rps", "100"];
        args.extend_from_slice(extra);
        let mut session = dashboard(&sandbox.base_url(), &args, 120, 40);
        session.wait_for("rows", |s| s.contains("pl_"));
        let mut stalls = 0;
        for _ in 0..2000 {
            session.send("j");
            std::thread::sleep(Duration::from_millis(33));
            let screen = session.contents();
            let lines: Vec<&str> = screen.lines().collect();
            // The selection on a row not read yet, or on the end of what is held.
            if let Some(at) = lines.iter().position(|l| l.contains('▶'))
                && (!lines[at].contains("pl_")
                    || lines.get(at + 1).is_some_and(|next| next.contains("loading older rows")))
            {
                stalls += 1;
            }
        }
        figures.push(Figure {
            name: format!(
                "scroll stalls (2,000 rows, 30 rows/s, +150 ms latency{})",
                if extra.is_empty() { "" } else { ", --no-store" }
            ),
            measured: format!("{stalls} frames with the selection waiting (at row {})", row_at(&session.contents())),
            target: "0".into(),
        });
        session.send("q");
        session.wait_exit();
    }

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
