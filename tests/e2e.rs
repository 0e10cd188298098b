//! The real binary in a pseudo-terminal, as a user runs it: keys go in, the
//! screen is read back through a vt100 parser, and the raw bytes the program
//! wrote are kept for checks on escape sequences. Waits poll the screen with
//! a generous deadline; nothing asserts on how fast anything is.

mod common;

use common::pty::*;
use std::time::Duration;

#[test]
fn the_demo_shows_rows_switches_panes_scrolls_and_quits_cleanly() {
    let mut session = Session::start(&["--demo", "--no-mouse"], 120, 40);
    session.wait_for("link rows", |s| s.contains("pl_") && s.contains("SANDBOX"));
    // The first frame may be the mirror's, still filling; PIK's count follows.
    // (The demo makes a link now and then: 300 seeded, and a few more.)
    session.wait_for("PIK's count of links", |s| s.contains("1 Links 30"));

    session.send("2");
    session.wait_for("transaction rows", |s| s.lines().filter(|l| l.contains("txn_")).count() > 10);

    // Scroll past the first window (150 rows): the next is read by cursor.
    for _ in 0..5 {
        session.send("\u{1b}[6~"); // PgDn
        std::thread::sleep(Duration::from_millis(100));
    }
    let screen = session.wait_for("row 160 or more", |s| row_at(s) >= 160);
    assert!(screen.lines().filter(|l| l.contains("txn_")).count() > 20, "rows, not placeholders:\n{screen}");

    session.send("q");
    assert!(session.wait_exit(), "non-zero exit");
    assert!(ends_restored(&session.raw()), "alternate screen not left or cursor not shown");
}

#[test]
fn a_payment_settled_meanwhile_shows_up_without_a_key() {
    let (mut session, port) = demo_with_port(120);
    session.send("2");
    session.wait_for("transaction rows", |s| s.contains("txn_"));

    let links = call(port, reqwest::Method::GET, "/v1/payment-links?status=active&limit=1", None);
    let link = links["data"][0]["id"].as_str().unwrap_or_default().to_string();
    let settle = Some(serde_json::json!({"outcome": "settle"}));
    let txn = call(port, reqwest::Method::POST, &format!("/_sandbox/payment-links/{link}/pay"), settle);
    let txn_id = txn["id"].as_str().unwrap_or_default().to_string();
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
    let planted = serde_json::json!({"amount": "1.00", "currency": "USDT", "description": hostile, "url": hostile});
    let link = call(port, reqwest::Method::POST, "/_sandbox/payment-links", Some(planted));
    assert!(link["id"].as_str().is_some_and(|id| id.starts_with("pl_")), "{link}");
    // It shows up, harmless, in the list and in its detail (jumped to by id:
    // the demo's activity may put newer links on top meanwhile).
    session.wait_for("the planted link", |s| s.contains("MARK"));
    let id = link["id"].as_str().unwrap_or_default().to_string();
    session.send(&format!(":{id}\r"));
    session.wait_for("its detail", |s| s.matches("MARK").count() >= 2);
    let raw = String::from_utf8_lossy(&session.raw()).into_owned();
    for sequence in ["\u{1b}]52;", "\u{1b}]0;", "\u{1b}[2JZQ", "\u{9b}", "\u{202e}", "\u{7}\u{1b}"] {
        assert!(!raw.contains(sequence), "{sequence:?} reached the terminal");
    }
    session.send("q");
    assert!(session.wait_exit());
}

/// A config file in a temp dir, for `--config`.
#[test]
fn a_key_remapped_in_the_config_works_in_the_real_binary() {
    let (_dir, config) = config_file("# mine\n[keys]\n\"ctrl-n\" = \"new_link\"\n\"x\" = \"help\"\n");
    let mut session = Session::start(&["--demo", "--no-mouse", "--config", &config], 120, 30);
    session.wait_for("link rows", |s| s.contains("pl_"));
    session.send("\u{e}"); // ctrl-n
    session.wait_for("the new link form", |s| s.contains("New payment link"));
    session.send("\u{1b}");
    session.wait_for("the form closed", |s| !s.contains("New payment link"));
    session.send("x");
    session.wait_for("the help", |s| s.contains("┌ keys"));
    // The help shows the user's key for the action (near its end: it scrolls).
    session.send("\u{1b}[6~");
    let help = session.wait_for("the help's end", |s| s.contains("this help / quit"));
    assert!(help.lines().any(|l| l.contains("x ?") && l.contains("this help")), "{help}");
    session.send("q");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn a_bad_keymap_theme_alert_or_threshold_is_refused_at_start_naming_the_line() {
    for (text, words) in [
        ("[[alerts]]\nwhen = \"settled\"\n\n[[alerts]]\nwhen = \"setled\"\n", "line 4: an alert's when is"),
        ("[[alerts]]\nwhen = \"settled\"\nmin_amount = 1000.5\n", "line 3: min_amount = 1000.5 is not exact"),
        ("[[alerts]]\nwhen = \"failed\"\nnotify = \"popup\"\n", "line 1: notify is osc9, osc777 or none"),
        ("[[alerts]]\nwhen = \"failed\"\nsound = true\n", "line 3"),
        ("[cases]\npending_after = \"soon\"\n", "line 2: pending_after \"soon\" is not a duration"),
        ("[cases.tolerance]\nUSDT = \"-1\"\n", "line 2: tolerance of USDT"),
        ("[[alerts]]\ncase = \"lost\"\n", "line 1: case \"lost\" is any or one of"),
        ("\n[attention]\npending_after = \"30m\"\n", "line 2: [attention] is now [cases]"),
        ("[keys]\n\"x\" = \"deactivate\"\n\"y\" = \"quit\"\n\"x\" = \"new_link\"\n", "line 4"),
        ("\n[keys]\n\"x\" = \"launch_rockets\"\n", "line 3: unknown action"),
        ("[keys]\n\"ctrl+x\" = \"quit\"\n", "line 2"),
        ("theme = \"sepia\"\n", "line 1: unknown theme"),
        ("[theme]\nname = \"dark\"\n[theme.colors]\npaid = \"#12345\"\n", "line 4"),
    ] {
        let (_dir, config) = config_file(text);
        let Ok(home) = tempfile::tempdir() else { panic!("no temp dir") };
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_pik-tui"))
            .args(["--demo", "--config", &config, "--log-file"])
            .arg(home.path().join("log"))
            .env("HOME", home.path())
            .stdin(std::process::Stdio::null())
            .output();
        let Ok(output) = output else { panic!("did not run") };
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{text:?} was accepted");
        assert!(stderr.contains(&config) && stderr.contains(words), "{text:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
    }
}

#[test]
fn switching_profile_shows_only_the_new_accounts_rows() {
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else {
        panic!("runtime")
    };
    let start = |seed| {
        runtime.block_on(pik_tui::sandbox::start(pik_tui::sandbox::SandboxConfig {
            seed,
            activity: false,
            rate_limit_per_sec: None,
            ..Default::default()
        }))
    };
    let (Ok(first), Ok(second)) = (start(1), start(2)) else { panic!("sandboxes") };
    let Ok(dir) = tempfile::tempdir() else { panic!("no temp dir") };
    let key = dir.path().join("demo.key");
    assert!(std::fs::write(&key, pik_tui::sandbox::DEMO_KEY).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert!(std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).is_ok());
    }
    let config = format!(
        "default_profile = \"alpha\"\n[profiles.alpha]\nbase_url = \"{}\"\napi_key_file = \"demo.key\"\n\
         [profiles.beta]\nbase_url = \"{}\"\napi_key_file = \"demo.key\"\n",
        first.base_url(),
        second.base_url()
    );
    let path = dir.path().join("config.toml");
    assert!(std::fs::write(&path, config).is_ok());
    let path = path.display().to_string();
    // The first account's newest link, as PIK lists it.
    let top = |sandbox: &pik_tui::sandbox::Sandbox| {
        let url = format!("{}/payment-links?limit=1", sandbox.base_url());
        let body = runtime.block_on(async {
            let response = reqwest::Client::new().get(url).bearer_auth(pik_tui::sandbox::DEMO_KEY).send().await;
            match response {
                Ok(response) => response.json::<serde_json::Value>().await.unwrap_or_default(),
                Err(err) => panic!("{err}"),
            }
        });
        body["data"][0]["id"].as_str().unwrap_or_default().to_string()
    };
    let (alpha_top, beta_top) = (top(&first), top(&second));
    assert_ne!(alpha_top, beta_top);
    let mut session = Session::start(&["--config", &path, "--refresh", "1"], 120, 30);
    session.wait_for("alpha's rows", |s| s.contains(&alpha_top) && s.contains("alpha"));
    session.send(":profile beta\r");
    // A whole frame: a screen read while a frame is being written holds a
    // row cut short.
    let whole = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric() && c != '_')
            .filter(|w| w.starts_with("pl_"))
            .all(|w| w.len() == beta_top.len())
    };
    let screen = session.wait_for("beta's rows", |s| s.contains(&beta_top) && whole(s));
    assert!(screen.contains("beta") && !screen.contains(&alpha_top), "{screen}");
    // Every link id on screen is one of beta's.
    let listed = runtime.block_on(async {
        let url = format!("{}/payment-links?limit=100", second.base_url());
        let response = reqwest::Client::new().get(url).bearer_auth(pik_tui::sandbox::DEMO_KEY).send().await;
        match response {
            Ok(response) => response.json::<serde_json::Value>().await.unwrap_or_default(),
            Err(err) => panic!("{err}"),
        }
    });
    let beta_ids: Vec<&str> =
        listed["data"].as_array().into_iter().flatten().filter_map(|l| l["id"].as_str()).collect();
    for word in screen.split(|c: char| !c.is_alphanumeric() && c != '_') {
        if word.starts_with("pl_") {
            assert!(beta_ids.contains(&word), "{word} is not one of beta's links:\n{screen}");
        }
    }
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn slash_finds_a_link_on_page_five_that_the_pane_never_loaded() {
    let (mut session, port) = demo_with_port(130);
    session.wait_for("the mirror", |s| s.contains("mirror up to date"));
    // A link on page 5 (rows 200-249) whose description no other link has.
    let mut all = Vec::new();
    for offset in [0, 100, 200] {
        let page = call(port, reqwest::Method::GET, &format!("/v1/payment-links?limit=100&offset={offset}"), None);
        all.extend(page["data"].as_array().cloned().unwrap_or_default());
    }
    let described = |l: &serde_json::Value| l["description"].as_str().map(str::to_string);
    let target = all[200..250].iter().find(|l| {
        described(l).is_some_and(|d| all.iter().filter(|o| described(o).as_deref() == Some(d.as_str())).count() == 1)
    });
    let Some(target) = target else { panic!("no unique description on page 5") };
    let (id, description) =
        (target["id"].as_str().unwrap_or_default().to_string(), described(target).unwrap_or_default());
    let screen = session.contents();
    assert!(!screen.contains(&id), "it must not be on screen yet");
    session.send("/");
    session.wait_for("the search prompt", |s| s.contains("searches the mirror"));
    let typed = std::time::Instant::now();
    session.send(&description);
    // The first result row (the first row under the column titles).
    let first_row = |s: &str| s.lines().nth(3).map(str::to_string).unwrap_or_default();
    let found = session.wait_until(Duration::from_secs(1), |s| first_row(s).contains(&id));
    let took = typed.elapsed();
    assert!(found, "{id} ({description:?}) was not the first result within a second:\n{}", session.contents());
    assert!(took < Duration::from_secs(1), "{took:?}");
    // Enter keeps the results; ⏎ again opens its detail, fetched from PIK.
    session.send("\r");
    session.send("\r");
    session.wait_for("its detail", |s| s.matches(id.as_str()).count() >= 2 && s.contains("esc back"));
    session.send("q");
    assert!(session.wait_exit());
}
