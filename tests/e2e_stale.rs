//! A row below the first page must not show a stale status: the steps of
//! the report, against a quiet sandbox (`pik-tui sandbox --no-activity`)
//! with `--refresh 2`.

mod common;

use common::pty::Session;
use std::time::Duration;

#[test]
fn a_row_on_the_third_page_shows_its_new_status_within_four_polls() {
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else {
        panic!("runtime")
    };
    let config = pik_tui::sandbox::SandboxConfig { activity: false, ..Default::default() };
    let Ok(sandbox) = runtime.block_on(pik_tui::sandbox::start(config)) else { panic!("sandbox") };
    let base = sandbox.base_url();
    let call = |method: reqwest::Method, url: String, body: Option<serde_json::Value>| {
        runtime.block_on(async {
            let mut request = reqwest::Client::new().request(method, url).bearer_auth(pik_tui::sandbox::DEMO_KEY);
            if let Some(body) = body {
                request = request.json(&body);
            }
            match request.send().await {
                Ok(response) => response.json::<serde_json::Value>().await.unwrap_or_default(),
                Err(err) => panic!("{err}"),
            }
        })
    };
    // 14 rows: 9 rows of table, so twelve PgDn land on the third page (rows 100-149).
    let mut session = Session::start_with(
        None,
        &["--base-url", &base, "--refresh", "2", "--no-mouse"],
        120,
        14,
        &[("PIK_API_KEY", pik_tui::sandbox::DEMO_KEY)],
    );
    session.wait_for("link rows", |s| s.contains("pl_"));
    for _ in 0..12 {
        session.send("\u{1b}[6~");
        std::thread::sleep(Duration::from_millis(150));
    }
    let screen = session.wait_for("the third page", |s| common::pty::row_at(s) >= 100);
    // A link on screen, not the selected one, that shows active.
    let Some(id) = screen
        .lines()
        .filter(|l| !l.contains('▶') && l.contains("○ active"))
        .find_map(|l| l.split_whitespace().find(|w| w.starts_with("pl_")))
        .map(str::to_string)
    else {
        panic!("no active link on screen:\n{screen}")
    };
    let position = call(reqwest::Method::GET, format!("{base}/payment-links?limit=100&offset=100"), None);
    let on_third_page = position["data"].as_array().into_iter().flatten().any(|l| l["id"] == id.as_str());
    assert!(on_third_page, "{id} is not on the third page");
    let control = base.trim_end_matches("/v1").to_string() + "/_sandbox";
    let pay = serde_json::json!({"outcome": "settle"});
    call(reqwest::Method::POST, format!("{control}/payment-links/{id}/pay"), Some(pay));
    let now = call(reqwest::Method::GET, format!("{base}/payment-links/{id}"), None);
    assert_eq!(now["status"], "paid", "{now}");
    // Four polls at 2 s: the row must say paid by then.
    let shown = session
        .wait_until(Duration::from_secs(9), |s| s.lines().any(|l| l.contains(id.as_str()) && l.contains("● paid")));
    assert!(shown, "{id} still shows a stale status:\n{}", session.contents());
    session.send("q");
    assert!(session.wait_exit());
}
