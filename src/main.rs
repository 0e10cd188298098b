//! The `pik-tui` binary: parses the command line and hands over to the library.

use clap::{CommandFactory, FromArgMatches};
use pik_tui::cli::{Cli, Command, ConfigCommand, SandboxArgs, WebhooksCommand};
use pik_tui::oneshot::{self, ApiCommand, Failure, exit};
use pik_tui::sandbox::{self, SandboxConfig, SeedSizes};
use std::process::ExitCode;

/// One-shot commands end quietly when their reader goes (`| head`), as
/// Unix tools do: Rust ignores SIGPIPE, and a print to a closed pipe would
/// panic. The dashboard keeps ignoring it: it restores the terminal itself.
fn die_quietly_on_broken_pipes() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to the default has no
    // preconditions; it is done before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// glibc gives each thread that allocates its own arena, and the sync's
/// SQLite work on tokio's blocking threads left freed memory in each: with
/// two arenas the dashboard's peak while mirroring 100,000 links fell from
/// 85 to 71 MB (`benches/session.rs`), with no measurable cost in speed.
fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator tunable; it is called before
    // any thread is started.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> ExitCode {
    cap_malloc_arenas();
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    // The dashboard's options mean nothing before a subcommand: say where they go.
    if let (Some(flag), Some(name)) =
        (pik_tui::cli::dashboard_flag_before_subcommand(&matches), matches.subcommand_name())
    {
        eprintln!(
            "error: {flag} is an option of the dashboard, given before `{name}`; \
             give it after the subcommand if it takes it (see `pik-tui {name} --help`)"
        );
        return ExitCode::from(exit::USAGE);
    }
    let global = cli.global();
    if cli.command.is_some() {
        die_quietly_on_broken_pipes();
    }
    // The dashboard always logs to a file; the sync service to stderr
    // unless told; one-shot commands only when asked.
    let log_file = match (&global.log_file, &cli.command) {
        (Some(path), _) => Some(path.clone()),
        (None, None) => pik_tui::dashboard::default_log_file(),
        (None, Some(_)) => None,
    };
    if let Some(path) = &log_file
        && let Err(err) = init_logging(path)
    {
        return ExitCode::from(oneshot::report(&Failure::usage(err), global.json));
    }
    if log_file.is_none() && matches!(cli.command, Some(Command::Sync(_))) {
        init_stderr_logging();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::from(exit::FAILED);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Some(Command::Links(command)) => oneshot::run(&global, ApiCommand::Links(command)).await,
            Some(Command::Transactions(command)) => oneshot::run(&global, ApiCommand::Transactions(command)).await,
            Some(Command::Webhooks(WebhooksCommand::Verify { secret_file, signature, .. })) => {
                oneshot::verify_signature(&secret_file, &signature, global.json)
            }
            Some(Command::Webhooks(WebhooksCommand::Listen { port, host, secret_file, .. })) => {
                oneshot::listen(host, port, &secret_file, global.json).await
            }
            Some(Command::Webhooks(command)) => oneshot::run(&global, ApiCommand::Webhooks(command)).await,
            Some(Command::Sandbox(args)) => serve_sandbox(args).await,
            Some(Command::Store(command)) => finish(oneshot::store(&global, command).await, global.json),
            Some(Command::Search(args)) => finish(oneshot::search(&global, args).await, global.json),
            Some(Command::Report(args)) => finish(oneshot::report_totals(&global, args).await, global.json),
            Some(Command::Cases(args)) => finish(oneshot::cases(&global, args).await, global.json),
            Some(Command::Audit(args)) => finish(oneshot::audit(&global, args).await, global.json),
            Some(Command::Sync(args)) => run_sync_service(&global, args.cycle).await,
            Some(Command::Completions { shell }) => {
                match pik_tui::cli::write_completions(shell, Cli::command(), &mut std::io::stdout().lock()) {
                    Ok(()) => exit::OK,
                    Err(err) => oneshot::report(&Failure::usage(format!("cannot write the script: {err}")), false),
                }
            }
            Some(Command::Man) => match pik_tui::cli::write_man_page(Cli::command(), &mut std::io::stdout().lock()) {
                Ok(()) => exit::OK,
                Err(err) => oneshot::report(&Failure::usage(format!("cannot write the man page: {err}")), false),
            },
            Some(Command::Config(ConfigCommand::Path { .. })) => match pik_tui::config::default_path() {
                Some(path) => {
                    println!("{}", global.config.clone().unwrap_or(path).display());
                    exit::OK
                }
                None => oneshot::report(&Failure::usage("this platform has no config directory"), global.json),
            },
            None => match pik_tui::dashboard::run(&global, &cli.dashboard).await {
                Ok(()) => exit::OK,
                // A configuration that is refused: 2, as the commands' is.
                Err(err) if err.downcast_ref::<pik_tui::dashboard::Refused>().is_some() => {
                    eprintln!("error: {err:#}");
                    exit::USAGE
                }
                Err(err) => {
                    tracing::error!("dashboard stopped: {err:#}");
                    eprintln!("error: {err:#}");
                    exit::FAILED
                }
            },
        }
    });
    ExitCode::from(code)
}

/// The exit code of a command's outcome, reporting a failure.
fn finish(outcome: Result<(), Failure>, json: bool) -> u8 {
    match outcome {
        Ok(()) => exit::OK,
        Err(failure) => oneshot::report(&failure, json),
    }
}

/// Logs go to a file, never to the terminal.
fn init_logging(path: &std::path::Path) -> Result<(), String> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|err| format!("cannot open the log file {}: {err}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("PIK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|err| format!("cannot start logging: {err}"))
}

/// A service's log: stderr, one line per event, without colours or
/// timestamps when a service manager (journald) adds its own.
fn init_stderr_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("PIK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).with_env_filter(filter);
    let _ = if std::env::var_os("JOURNAL_STREAM").is_some() && !std::io::stderr().is_terminal() {
        builder.without_time().try_init()
    } else {
        builder.try_init()
    };
}

async fn run_sync_service(global: &pik_tui::cli::GlobalArgs, cycle: u64) -> u8 {
    let options = pik_tui::sync_service::ServiceOptions { cycle: std::time::Duration::from_secs(cycle) };
    match pik_tui::sync_service::run(global, options).await {
        Ok(()) => exit::OK,
        Err(refused) => {
            if global.log_file.is_some() {
                tracing::error!("{refused}");
            }
            eprintln!("error: {refused}");
            exit::FAILED
        }
    }
}

async fn serve_sandbox(args: SandboxArgs) -> u8 {
    let config = SandboxConfig {
        bind: std::net::SocketAddr::new(args.host, args.port),
        seed: args.seed,
        speed: args.speed,
        activity: !args.no_activity,
        sizes: SeedSizes { links: args.links, transactions: args.transactions, webhooks: 3 },
        rate_limit_per_sec: (args.rate_limit > 0.0).then_some(args.rate_limit),
        ..SandboxConfig::default()
    };
    let sandbox = match sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(err) => {
            eprintln!("error: cannot start the sandbox on {}:{}: {err}", args.host, args.port);
            return exit::FAILED;
        }
    };
    if !args.host.is_loopback() {
        eprintln!("warning: the sandbox listens on {}; anyone who can reach it can use the demo keys", args.host);
    }
    println!("PIK sandbox listening");
    println!("  base URL        {}", sandbox.base_url());
    println!("  read-write key  {}", sandbox::DEMO_KEY);
    println!("  read-only key   {}", sandbox::READ_ONLY_KEY);
    println!("  test controls   {}/", sandbox.control_url());
    println!();
    println!("Try:  PIK_BASE_URL={} PIK_API_KEY={} pik-tui links list", sandbox.base_url(), sandbox::DEMO_KEY);
    println!("Ctrl-C stops it.");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = sandbox.wait() => {}
    }
    exit::OK
}
