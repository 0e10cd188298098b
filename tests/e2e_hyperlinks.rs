//! Clickable links in a real terminal session: the checkout URL in a link's
//! detail and a hash in a payment's detail are written inside OSC 8 to the
//! right URL (mempool.space for a Bitcoin hash, etherscan for an Ethereum
//! one), a hostile URL never is, `y` and `o` copy them, and
//! `--no-hyperlinks` writes none.

mod common;

use common::pty::Session;
use serde_json::json;
use std::time::Duration;

const OSC8: &str = "\u{1b}]8;;";

struct Planted {
    good_link: String,
    hostile_link: String,
    eth_hash: String,
    btc_hash: String,
    eth_payment: String,
    btc_payment: String,
}

fn plant(runtime: &tokio::runtime::Runtime, base: &str) -> Planted {
    let control = base.trim_end_matches("/v1").to_string() + "/_sandbox";
    let post = |path: &str, body: serde_json::Value| -> serde_json::Value {
        runtime.block_on(async {
            match reqwest::Client::new().post(format!("{control}{path}")).json(&body).send().await {
                Ok(response) => response.json().await.unwrap_or_default(),
                Err(err) => panic!("{err}"),
            }
        })
    };
    let id = |value: serde_json::Value| value["id"].as_str().unwrap_or_default().to_string();
    let eth_hash = format!("0x{}", "ab12".repeat(16));
    let btc_hash = "cd34".repeat(16);
    let btc_link = id(post("/payment-links", json!({"amount": "0.01", "currency": "BTC", "description": "HL btc"})));
    let btc_payment =
        id(post("/transactions", json!({"payment_link_id": btc_link, "status": "confirmed", "tx_hash": btc_hash})));
    let good_link = id(post("/payment-links", json!({"amount": "5.00", "currency": "USDT", "description": "HL good"})));
    let eth_payment =
        id(post("/transactions", json!({"payment_link_id": good_link, "status": "confirmed", "tx_hash": eth_hash})));
    let hostile = "https://pay.pik.global/x\u{1b}]8;;https://evil.example/\u{7}y";
    let hostile_link = id(post(
        "/payment-links",
        json!({"amount": "6.00", "currency": "USDT", "description": "HL bad", "url": hostile}),
    ));
    Planted { good_link, hostile_link, eth_hash, btc_hash, eth_payment, btc_payment }
}

fn raw(session: &Session) -> String {
    String::from_utf8_lossy(&session.raw()).into_owned()
}

fn wait_raw(session: &Session, what: &str, ready: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let text = raw(session);
        if ready(&text) {
            return text;
        }
        if std::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}; the screen shows:\n{}", session.contents());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn base64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn checkout_urls_and_hashes_are_links_to_the_right_place_and_hostile_urls_never() {
    let (runtime, sandbox) = common::runtime_with_quiet_sandbox();
    let base = sandbox.base_url();
    let planted = plant(&runtime, &base);
    let key = [("PIK_API_KEY", pik_tui::sandbox::DEMO_KEY)];
    let mut session = Session::start_with(None, &["--base-url", &base, "--no-mouse"], 200, 40, &key);
    session.wait_for("the planted links", |s| s.contains("HL bad"));
    // The hostile link's detail (jumped to: links made in one second keep
    // the mirror's order among them) is drawn, with no link.
    session.send(&format!(":{}\r", planted.hostile_link));
    session.wait_for("its detail", |s| s.contains(&format!("┌ {}", planted.hostile_link)));
    std::thread::sleep(Duration::from_millis(300));
    // No link for it: another row's detail may have had one before.
    let text = raw(&session);
    assert!(!text.contains(&format!("{OSC8}https://pay.pik.global/x")), "a link was written for a hostile URL");
    assert!(!text.contains(&format!("{OSC8}https://evil")), "a link was written for a hostile URL");
    // The good one has a well-formed checkout URL: a link to exactly it.
    session.send(&format!(":{}\r", planted.good_link));
    session.wait_for("the good link's detail", |s| s.contains(&format!("┌ {}", planted.good_link)));
    let url = format!("https://pay.pik.global/{}", planted.good_link);
    let linked = format!("{OSC8}{url}\u{1b}\\{url}{OSC8}\u{1b}\\");
    wait_raw(&session, "the checkout URL as a link", |r| r.contains(&linked));
    session.send("y");
    wait_raw(&session, "the URL copied", |r| r.contains(&format!("\u{1b}]52;c;{}", base64(&url))));
    // The result view of a new link: its URL is a link too.
    session.send("n");
    session.wait_for("the form", |s| s.contains("New payment link"));
    session.send("7.00\r");
    let new_url_in = |screen: &str| -> Option<String> {
        let shown = screen.split(|c: char| c.is_whitespace() || c == '│');
        let mut urls = shown.filter(|w| w.starts_with("https://pay.pik.global/pl_") && w.len() > 30);
        urls.find(|w| !w.ends_with(planted.good_link.as_str())).map(str::to_string)
    };
    let screen = session.wait_for("the result view", |s| s.contains("Payment link created") && new_url_in(s).is_some());
    let Some(new_url) = new_url_in(&screen) else { panic!("no URL in the result view:\n{screen}") };
    wait_raw(&session, "the new URL as a link", |r| r.contains(&format!("{OSC8}{new_url}\u{1b}\\{new_url}")));
    session.send("\u{1b}");
    std::thread::sleep(Duration::from_millis(200));
    // Payments: an Ethereum hash links to etherscan, a Bitcoin one to mempool.space.
    session.send("2");
    session.wait_for("the planted payments", |s| s.contains(&planted.good_link[..12]));
    session.send(&format!(":{}\r", planted.eth_payment));
    session.wait_for("the Ethereum payment's detail", |s| s.contains(&planted.eth_hash));
    let etherscan = format!("https://etherscan.io/tx/{}", planted.eth_hash);
    wait_raw(&session, "the Ethereum hash as a link", |r| {
        r.contains(&format!("{OSC8}{etherscan}\u{1b}\\{}{OSC8}\u{1b}\\", planted.eth_hash))
    });
    session.send("o");
    wait_raw(&session, "the explorer URL copied", |r| r.contains(&format!("\u{1b}]52;c;{}", base64(&etherscan))));
    session.send(&format!(":{}\r", planted.btc_payment));
    session.wait_for("the Bitcoin payment's detail", |s| s.contains(&planted.btc_hash));
    let mempool = format!("https://mempool.space/tx/{}", planted.btc_hash);
    wait_raw(&session, "the Bitcoin hash as a link", |r| {
        r.contains(&format!("{OSC8}{mempool}\u{1b}\\{}{OSC8}\u{1b}\\", planted.btc_hash))
    });
    let text = raw(&session);
    assert!(!text.contains("evil.example/\u{7}") && !text.contains(&format!("{OSC8}https://evil")));
    session.send("q");
    session.wait_exit();

    // Turned off: the same screens, no link at all.
    let mut plain = Session::start_with(None, &["--base-url", &base, "--no-mouse", "--no-hyperlinks"], 200, 40, &key);
    plain.wait_for("the planted links", |s| s.contains("HL bad"));
    plain.send(&format!(":{}\r", planted.good_link));
    plain.wait_for("the good link's detail", |s| s.contains(&format!("┌ {}", planted.good_link)));
    std::thread::sleep(Duration::from_millis(500));
    assert!(!raw(&plain).contains(OSC8), "--no-hyperlinks wrote a link");
    plain.send("q");
    plain.wait_exit();
}

#[test]
fn one_shot_output_links_only_on_a_terminal_and_unless_turned_off() {
    let (runtime, sandbox) = common::runtime_with_quiet_sandbox();
    let base = sandbox.base_url();
    let planted = plant(&runtime, &base);
    let key = [("PIK_API_KEY", pik_tui::sandbox::DEMO_KEY), ("PIK_BASE_URL", base.as_str())];
    let url = format!("https://pay.pik.global/{}", planted.good_link);
    let get = ["links", "get", planted.good_link.as_str()];
    // On a terminal: a link.
    let mut session = Session::start_with(Some("sleep 5"), &get, 100, 20, &key);
    wait_raw(&session, "the URL as a link", |r| r.contains(&format!("{OSC8}{url}\u{1b}\\{url}{OSC8}\u{1b}\\")));
    session.wait_exit();
    // Turned off, or into a pipe: plain text.
    let off = ["links", "get", planted.good_link.as_str(), "--no-hyperlinks"];
    let mut session = Session::start_with(Some("sleep 5"), &off, 100, 20, &key);
    session.wait_for("the output", |s| s.contains("EXIT=0"));
    assert!(!raw(&session).contains(OSC8), "--no-hyperlinks wrote a link");
    session.wait_exit();
    let piped = std::process::Command::new(env!("CARGO_BIN_EXE_pik-tui")).args(get).envs(key).output();
    let Ok(piped) = piped else { panic!("did not run") };
    let text = String::from_utf8_lossy(&piped.stdout);
    assert!(text.contains(&url) && !text.contains(OSC8), "{text}");
}
