//! Starting the dashboard: settings from the command line and config (or
//! the in-process sandbox for `--demo`), logging to a file, then the runtime.

use crate::api::{ApiKey, Client, ClientConfig, CreateWebhook, KeyEnvironment, RetryPolicy, WebhookEvent};
use crate::app::alerts::{AlertEntry, AlertRule};
use crate::app::keymap::{Keymap, UserKey};
use crate::app::{Environment, Msg, ProfileInfo, Settings, StoreKind};
use crate::cases::CaseRules;
use crate::cli::{DashboardArgs, GlobalArgs};
use crate::config::{self, AmountValue, ConfigFile, Entry, Flags};
use crate::listener::{self, Received};
use crate::mirror::{self, Choice};
use crate::runtime::{self, Connection, ProfileSwitcher, RunOptions};
use crate::sandbox::{self, Pace, SandboxConfig};
use crate::sync::Backfill;
use crate::ui::{ColorOverride, Theme, ThemeName};
use std::path::PathBuf;
use tokio::sync::mpsc::UnboundedReceiver;

/// Where the dashboard logs unless `--log-file` says otherwise.
pub fn default_log_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pik-tui")
        .map(|dirs| dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).join("pik-tui.log"))
}

/// The demo's sandbox on `port`. Its clock is the wall clock (a faster one
/// dated its rows in the future, "0 s ago" minutes ahead): a payment every
/// few seconds, a link every 15.
pub fn demo_sandbox(port: u16) -> SandboxConfig {
    SandboxConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        pace: Pace { new_payment_every: 4.0, new_link_every: 15.0 },
        ..SandboxConfig::default()
    }
}

/// The dashboard's client: no retries inside the client, because the app
/// retries on its own schedule and shows the error in the meantime.
fn dashboard_client(base_url: String, key: ApiKey, global: &GlobalArgs) -> anyhow::Result<Client> {
    let mut config = ClientConfig::new(base_url, key);
    config.retry = RetryPolicy::none();
    config.request_timeout = std::time::Duration::from_secs(global.timeout);
    config.max_requests_per_sec = global.max_rps;
    config.burst = global.max_rps.ceil().clamp(1.0, 1000.0) as u32;
    Ok(Client::new(config)?)
}

/// Which PIK a base URL and key belong to, for the header.
fn environment_of(base_url: &str, key: &ApiKey) -> Environment {
    let loopback = url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host().map(|h| crate::api::is_loopback_host(&h)))
        .unwrap_or(false);
    match key.environment() {
        _ if loopback => Environment::Sandbox,
        KeyEnvironment::Live => Environment::Live,
        KeyEnvironment::Test => Environment::Test,
        KeyEnvironment::Unknown => Environment::Unknown,
    }
}

/// The user's keymap and theme from the config file (and `--theme`). A bad
/// line is refused here, before the dashboard takes the screen, naming it.
fn look_and_keys(file: Option<&ConfigFile>, path: &str, args: &DashboardArgs) -> anyhow::Result<(Keymap, Theme)> {
    let in_file = |error: &dyn std::fmt::Display| anyhow::anyhow!("the config file {path}, {error}");
    let keys: Vec<UserKey> = file
        .map(|f| f.key_entries())
        .unwrap_or_default()
        .into_iter()
        .map(|e| UserKey { line: e.line, key: e.key, action: e.value })
        .collect();
    let keymap = Keymap::with_user(&keys).map_err(|e| in_file(&e))?;
    let (name, colors) = file.map(|f| f.theme_entries()).unwrap_or_default();
    let name = match (&args.theme, name) {
        (Some(flag), _) => flag.parse::<ThemeName>().map_err(|e| anyhow::anyhow!("--theme: {e}"))?,
        (None, Some((line, name))) => name.parse::<ThemeName>().map_err(|e| in_file(&format!("line {line}: {e}")))?,
        (None, None) => ThemeName::Dark,
    };
    let colors: Vec<ColorOverride> =
        colors.into_iter().map(|e| ColorOverride { line: e.line, name: e.key, color: e.value }).collect();
    let theme = Theme::configured(name, &colors).map_err(|e| in_file(&e))?;
    Ok((keymap, theme))
}

/// The `[[alerts]]` rules and `[cases]` thresholds of the config file.
/// A bad line is refused here, before the dashboard takes the screen, naming it.
fn alerts_and_cases(
    file: Option<&ConfigFile>,
    path: &str,
) -> anyhow::Result<(Vec<AlertRule>, CaseRules, crate::cases::Replies)> {
    let in_file = |line: usize, message: String| anyhow::anyhow!("the config file {path}, line {line}: {message}");
    let Some(file) = file else { return Ok((Vec::new(), CaseRules::default(), Default::default())) };
    if let Some(old) = &file.attention {
        let message = "[attention] is now [cases]: pending_after, credit_after (was settle_after) and failed_after";
        return Err(in_file(file.line_of(old.span()), message.into()));
    }
    let mut rules = Vec::new();
    for (line, table) in file.alert_tables() {
        let min_amount = match &table.min_amount {
            None => None,
            Some(value) => match value.get_ref() {
                AmountValue::Text(text) => Some(text.clone()),
                AmountValue::Whole(whole) => Some(whole.to_string()),
                AmountValue::Float(float) => {
                    let message =
                        format!("min_amount = {float} is not exact; write it as text: min_amount = \"{float}\"");
                    return Err(in_file(file.line_of(value.span()), message));
                }
            },
        };
        let entry = AlertEntry {
            line,
            when: table.when.clone(),
            case: table.case.clone(),
            currency: table.currency.clone(),
            min_amount,
            bell: table.bell,
            notify: table.notify.clone(),
        };
        rules.push(AlertRule::parse(&entry).map_err(|e| in_file(e.line, e.message))?);
    }
    let cases = CaseRules::from_lines(file.case_entries().iter().map(Entry::parts))
        .map_err(|(line, message)| in_file(line, message))?;
    let replies = crate::cases::Replies::from_lines(file.reply_entries().iter().map(Entry::parts))
        .map_err(|(line, message)| in_file(line, message))?;
    Ok((rules, cases, replies))
}

/// Waits for `future` from code that is not async (the profile switcher),
/// on the dashboard's multi-threaded runtime.
fn wait<F: std::future::Future>(future: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future))
}

/// Connects to an account: its client, and its mirror with the sync
/// running (or, on a shared mirror, watching the team's sync). Every
/// dashboard has a mirror: one that cannot be opened or written is
/// replaced by one in memory that holds what the agent scrolls to, and the
/// footer says why. `whole` keeps all of the account in a memory mirror
/// (the demo's small sandbox).
fn connect(
    base_url: &str,
    key: &ApiKey,
    global: &GlobalArgs,
    choice: &Choice,
    refresh: std::time::Duration,
    whole: bool,
) -> anyhow::Result<(Connection, StoreKind, Vec<String>)> {
    let client = dashboard_client(base_url.to_string(), key.clone(), global)?;
    let (opened, kind) = match wait(mirror::open(choice, base_url, key)) {
        Ok(opened) if opened.store.read_only() => {
            let why = format!("{} is on a read-only disk", opened.store.place());
            (in_memory(base_url, key)?, StoreKind::OnDemand(Some(why)))
        }
        Ok(opened) => {
            let kind = match choice {
                Choice::Postgres(_) => StoreKind::Shared,
                Choice::Memory if whole => StoreKind::Memory,
                Choice::Memory => StoreKind::OnDemand(None),
                Choice::File(_) | Choice::Default => StoreKind::File,
            };
            (opened, kind)
        }
        Err(err) => {
            tracing::warn!("the mirror could not be opened: {err}");
            (in_memory(base_url, key)?, StoreKind::OnDemand(Some(err.to_string())))
        }
    };
    tracing::info!(place = %opened.store.place(), "mirror opened");
    let mut notes = opened.notes;
    for note in &notes {
        tracing::warn!("{note}");
    }
    if let StoreKind::OnDemand(Some(why)) = &kind {
        notes.push(format!("the mirror is in memory: {why}"));
    }
    let mirror = if opened.store.shared().is_some() {
        // The team's `pik-tui sync` keeps it: this dashboard runs no sync.
        wait(mirror::watch_shared(opened.store, refresh))
    } else {
        let backfill = if kind.on_demand() { Backfill::Wanted } else { Backfill::Full };
        mirror::start(&client, opened.store, global.max_rps, refresh, backfill)
    };
    Ok((Connection { client, mirror }, kind, notes))
}

/// A mirror in memory, for an account whose own cannot be used.
fn in_memory(base_url: &str, key: &ApiKey) -> anyhow::Result<crate::store::Opened> {
    wait(mirror::open(&Choice::Memory, base_url, key)).map_err(|e| anyhow::anyhow!("no mirror, even in memory: {e}"))
}

/// Switches to a profile of the config file: resolves it and connects to it.
fn profile_switcher(global: &GlobalArgs, choice: Choice, refresh: std::time::Duration) -> ProfileSwitcher {
    let global = global.clone();
    Box::new(move |name: &str| {
        let settings = config::resolve_profile(&Flags::from(&global), name).map_err(|e| e.to_string())?;
        for warning in &settings.warnings {
            tracing::warn!("{warning}");
        }
        tracing::info!(profile = name, key = %settings.key, base_url = %settings.base_url, "switching profile");
        let environment = environment_of(&settings.base_url, &settings.key);
        // A --store FILE belongs to the first account; another profile
        // gets its own store, or its own default mirror.
        let choice = match &choice {
            Choice::File(_) | Choice::Postgres(_) | Choice::Default => {
                Choice::resolve(None, false, settings.store.as_deref()).map_err(|e| e.to_string())?
            }
            Choice::Memory => Choice::Memory,
        };
        let flags = Flags::from(&global);
        let file = config::load(&flags).map_err(|e| e.to_string())?;
        let path = flags.config.clone().or_else(config::default_path).map(|p| p.display().to_string());
        let zone = config::zone(global.tz.as_deref(), file.as_ref(), Some(name), &path.unwrap_or_default())
            .map_err(|e| e.to_string())?;
        let (connection, store, _) =
            connect(&settings.base_url, &settings.key, &global, &choice, refresh, false).map_err(|e| e.to_string())?;
        let read_only = settings.read_only;
        let agent = config::agent(file.as_ref(), Some(name));
        Ok((connection, ProfileInfo { name: name.to_string(), environment, read_only, store, zone, agent }))
    })
}

/// The dashboard would not start as configured (a config file, a flag):
/// one line, and exit 2 as the commands do.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

fn refused(error: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(Refused(format!("{error:#}")))
}

pub async fn run(global: &GlobalArgs, args: &DashboardArgs) -> anyhow::Result<()> {
    if std::env::var("TERM").is_ok_and(|term| term == "dumb") {
        return Err(refused(
            "TERM=dumb: this terminal cannot move its cursor, which the dashboard needs. The one-shot commands \
             work here (pik-tui links list, pik-tui search …); or run the dashboard in a terminal that can \
             (such as TERM=xterm-256color)",
        ));
    }
    let flags = Flags::from(global);
    let file = config::load(&flags).map_err(refused)?;
    let path = flags.config.clone().or_else(config::default_path);
    let shown_path = path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let (keymap, theme) = look_and_keys(file.as_ref(), &shown_path, args).map_err(refused)?;
    let (alerts, case_rules, replies) = alerts_and_cases(file.as_ref(), &shown_path).map_err(refused)?;
    let explorers = crate::hyperlink::Explorers::with(&file.as_ref().map(|f| f.explorers.clone()).unwrap_or_default())
        .map_err(|e| refused(format!("the config file {shown_path}: {e}")))?;
    let hyperlinks = !args.no_hyperlinks && file.as_ref().and_then(|f| f.hyperlinks).unwrap_or(true);
    let refresh = chrono::Duration::seconds(i64::from(args.refresh));
    let zone = |profile: Option<&str>| config::zone(global.tz.as_deref(), file.as_ref(), profile, &shown_path);
    let sorts = config::sorts(file.as_ref(), &shown_path).map_err(refused)?;
    let columns = config::columns(file.as_ref(), &shown_path).map_err(refused)?;
    let start_zone = zone(None).map_err(refused)?;
    let taken = |c: char| {
        let key = crate::app::input::Key::char(c);
        crate::app::Pane::ALL
            .into_iter()
            .find_map(|pane| keymap.lookup(crate::app::keymap::Context::Pane(pane), key))
            .map(|binding| binding.action.name().to_string())
    };
    let reading = crate::store::Reading { zone: &start_zone, now: chrono::Utc::now(), cases: &case_rules };
    let views = config::views(file.as_ref(), &shown_path, reading, &taken, &columns).map_err(refused)?;
    let base = Settings {
        refresh,
        hidden_refresh: refresh * 6,
        bell: args.bell,
        zone: zone(None).map_err(refused)?,
        agent: config::agent(file.as_ref(), None),
        read_only: global.read_only,
        profiles: file.as_ref().map(ConfigFile::profile_names).unwrap_or_default(),
        config_path: path.as_ref().map(|p| p.display().to_string()),
        keymap,
        alerts,
        case_rules,
        replies,
        workdir: std::env::current_dir().ok().map(|dir| dir.display().to_string()),
        explorers,
        hyperlinks,
        sorts,
        columns,
        views,
        ascii: !crate::ui::utf8_locale(|name| std::env::var(name).ok()),
        ..Settings::default()
    };
    // The sync reads the kind on screen every refresh.
    let cycle = std::time::Duration::from_secs(u64::from(args.refresh));
    // A password on the command line is refused here too, demo or not.
    let choice = Choice::resolve(global.store.as_ref(), global.no_store, None).map_err(refused)?;
    let options = |settings, heard, notes| RunOptions {
        settings,
        mouse: !args.no_mouse,
        theme,
        heard,
        switch_profile: Some(profile_switcher(global, choice.clone(), cycle)),
        notes,
    };
    if args.demo {
        let sandbox = sandbox::start(demo_sandbox(args.demo_port)).await?;
        tracing::info!(base = %sandbox.base_url(), "demo sandbox started");
        // The demo's account is new at every start: its mirror lives in
        // memory unless --store says otherwise.
        let demo_choice = if matches!(choice, Choice::File(_)) { choice.clone() } else { Choice::Memory };
        let key = ApiKey::new(sandbox::DEMO_KEY);
        let (connection, store, notes) = connect(&sandbox.base_url(), &key, global, &demo_choice, cycle, true)?;
        let events = start_demo_listener(&connection.client).await?;
        let settings = Settings {
            environment: Environment::Sandbox,
            profile: Some("demo".into()),
            events_pane: true,
            store,
            ..base
        };
        let outcome = runtime::run(connection, options(settings, Some(events), notes)).await;
        sandbox.shutdown().await;
        return outcome;
    }
    let settings = config::resolve(&flags, &config::Environment::from_process()).map_err(refused)?;
    for warning in &settings.warnings {
        tracing::warn!("{warning}");
    }
    let environment = environment_of(&settings.base_url, &settings.key);
    tracing::info!(
        profile = ?settings.profile,
        key = %settings.key,
        key_source = %settings.key_source,
        base_url = %settings.base_url,
        "dashboard starting"
    );
    let choice = Choice::resolve(global.store.as_ref(), global.no_store, settings.store.as_deref()).map_err(refused)?;
    let (connection, store, mut notes) = connect(&settings.base_url, &settings.key, global, &choice, cycle, false)?;
    // Shown on the screen once it is up: what is printed before the
    // dashboard takes the terminal is hidden until it gives it back.
    notes.extend(settings.warnings.iter().map(|warning| format!("warning: {warning}")));
    let settings = Settings {
        environment,
        zone: zone(settings.profile.as_deref()).map_err(refused)?,
        agent: config::agent(file.as_ref(), settings.profile.as_deref()),
        profile: settings.profile.clone(),
        read_only: settings.read_only,
        store,
        ..base
    };
    runtime::run(connection, options(settings, None, notes)).await
}

/// In the demo, the dashboard registers a local listener with the sandbox,
/// as a merchant's server would be registered with PIK, and shows what it
/// receives (signatures verified) in the Events pane.
async fn start_demo_listener(client: &Client) -> anyhow::Result<UnboundedReceiver<Msg>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let events = WebhookEvent::KNOWN.to_vec();
    let created = client.create_webhook(&CreateWebhook { url: format!("http://{addr}/pik-events"), events }).await?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let forward = move |received: Received| match received {
            Received::Verified { event: Some(event), .. } => {
                let _ = tx.send(Msg::Event(event));
            }
            Received::Verified { event: None, .. } => tracing::warn!("a verified webhook body that is not an event"),
            Received::Rejected { reason } => {
                tracing::warn!("webhook rejected: {reason}");
                let _ = tx.send(Msg::Refused(reason.to_string()));
            }
        };
        if let Err(err) = listener::serve(listener, created.secret, forward).await {
            tracing::error!("the demo's webhook listener stopped: {err}");
        }
    });
    Ok(rx)
}
