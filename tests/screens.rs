//! Screens, drawn into ratatui's `TestBackend` from a known `App` and
//! compared with insta snapshots (`tests/snapshots/`). Review changes with
//! `cargo insta review`, or look at the `.snap.new` files.

use chrono::{DateTime, Duration, TimeZone, Utc};
use pik_tui::api::*;
use pik_tui::app::input::{Key, KeyCode};
use pik_tui::app::{App, Environment, ErrorInfo, Loaded, Msg, Pane, Settings};
use pik_tui::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rust_decimal::Decimal;
use std::str::FromStr;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 15, 12, 0, 0).single().unwrap_or_default()
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_default()
}

/// id, amount, currency, status, description, age in seconds
type LinkRow<'a> = (&'a str, &'a str, &'a str, LinkStatus, Option<&'a str>, i64);

fn links() -> Vec<PaymentLink> {
    let rows: [LinkRow; 6] = [
        ("pl_8f2k3m", "75.00", "USDT", LinkStatus::Paid, Some("Order #1234"), 120),
        ("pl_77aa01", "120.00", "USDC", LinkStatus::Active, Some("Invoice 88"), 300),
        ("pl_77a9zz", "0.015", "BTC", LinkStatus::Expired, None, 3600),
        ("pl_66bb02", "1.5", "ETH", LinkStatus::Deactivated, Some("Refund test"), 7200),
        ("pl_55cc03", "9.99", "USDT", LinkStatus::Other("cancelled".into()), Some("From another doc set"), 90000),
        (
            "pl_44dd04",
            "5.00",
            "USDT",
            LinkStatus::Active,
            Some("evil\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{9b}31m\u{202e}txet"),
            200000,
        ),
    ];
    rows.into_iter()
        .map(|(id, amount, currency, status, description, age)| PaymentLink {
            id: id.into(),
            url: Some(format!("https://pay.pik.global/{id}")),
            amount: dec(amount),
            currency: currency.into(),
            description: description.map(str::to_string),
            paid_at: (status == LinkStatus::Paid).then(|| t0() - Duration::seconds(60)),
            status,
            created_at: t0() - Duration::seconds(age),
            expires_at: None,
        })
        .collect()
}

fn transactions() -> Vec<Transaction> {
    let txn = |id: &str, status: TransactionStatus, age: i64| Transaction {
        id: id.into(),
        payment_link_id: Some("pl_8f2k3m".into()),
        amount: dec("75.00"),
        currency: "USDT".into(),
        tx_hash: (status != TransactionStatus::Pending && status != TransactionStatus::Failed)
            .then(|| "0xabc123def4567890abc123def4567890abc123def4567890abc123def4567890".to_string()),
        confirmed_at: matches!(status, TransactionStatus::Confirmed | TransactionStatus::Settled)
            .then(|| t0() - Duration::seconds(age - 60)),
        settled_at: (status == TransactionStatus::Settled).then(|| t0() - Duration::seconds(age - 600)),
        status,
        created_at: t0() - Duration::seconds(age),
    };
    vec![
        txn("txn_def456", TransactionStatus::Settled, 1200),
        txn("txn_abc999", TransactionStatus::Confirmed, 100),
        txn("txn_pend01", TransactionStatus::Pending, 10),
        txn("txn_fail02", TransactionStatus::Failed, 5000),
    ]
}

fn webhooks() -> Vec<Webhook> {
    vec![
        Webhook {
            id: "wh_1a2b3c".into(),
            url: "https://merchant.example.com/pik/webhooks".into(),
            events: vec![WebhookEvent::PaymentConfirmed, WebhookEvent::PaymentSettled, WebhookEvent::PaymentFailed],
            status: WebhookStatus::Active,
            created_at: Some(t0() - Duration::days(40)),
        },
        Webhook {
            id: "wh_old000".into(),
            url: "https://old.example.net/hook".into(),
            events: vec![WebhookEvent::PaymentFailed],
            status: WebhookStatus::Disabled,
            created_at: Some(t0() - Duration::days(90)),
        },
    ]
}

fn page<T>(data: Vec<T>, total: u64) -> Page<T> {
    Page { data, total, limit: Some(50), offset: Some(0), skipped: 0 }
}

/// An app of the given size with every pane loaded at `t0`.
fn loaded_app(width: u16, height: u16) -> App {
    let settings = Settings { environment: Environment::Test, profile: Some("support".into()), ..Settings::default() };
    let mut app = App::new(settings, width, height, t0());
    let cmds = app.update(Msg::Tick, t0());
    for cmd in cmds {
        if let pik_tui::app::Cmd::FetchPage { pane, request, offset, .. } = cmd {
            let result = match pane {
                Pane::Links => Loaded::Links(page(links(), 312)),
                Pane::Transactions => Loaded::Transactions(page(transactions(), 1004)),
                Pane::Webhooks => {
                    Loaded::Webhooks(Page { data: webhooks(), total: 2, limit: None, offset: None, skipped: 0 })
                }
                Pane::Events => continue,
            };
            app.update(Msg::Page { pane, request, offset, result: Ok(result) }, t0());
        }
    }
    app.update(Msg::Tick, t0() + Duration::seconds(3));
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(Key::plain(code)), t0() + Duration::seconds(3));
}

fn render(app: &App) -> TestBackend {
    let (width, height) = app.size();
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let drawn = terminal.draw(|frame| ui::draw(frame, app, &Theme { color: true }));
    assert!(drawn.is_ok());
    terminal.backend().clone()
}

#[test]
fn links_pane() {
    let app = loaded_app(120, 16);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn transactions_pane() {
    let mut app = loaded_app(120, 16);
    key(&mut app, KeyCode::Char('2'));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn webhooks_pane() {
    let mut app = loaded_app(120, 12);
    key(&mut app, KeyCode::Char('3'));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn link_detail_with_its_transactions() {
    let mut app = loaded_app(120, 20);
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0() + Duration::seconds(3));
    for cmd in cmds {
        if let pik_tui::app::Cmd::FetchLinkTransactions { request, link_id } = cmd {
            let result = Ok(page(transactions().into_iter().take(2).collect(), 2));
            app.update(Msg::LinkTransactions { request, link_id, result }, t0() + Duration::seconds(3));
        }
    }
    insta::assert_snapshot!(render(&app));
}

#[test]
fn transaction_detail_as_a_popup_on_a_narrow_terminal() {
    let mut app = loaded_app(80, 22);
    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(render(&app));
}

#[test]
fn help_overlay() {
    let mut app = loaded_app(100, 24);
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(render(&app));
}

fn failed(app: &mut App, error: ErrorInfo, at: DateTime<Utc>) {
    let cmds = app.update(Msg::Tick, at);
    for cmd in cmds {
        if let pik_tui::app::Cmd::FetchPage { pane: Pane::Links, request, offset, .. } = cmd {
            app.update(Msg::Page { pane: Pane::Links, request, offset, result: Err(error.clone()) }, at);
        }
    }
}

#[test]
fn error_footers() {
    let mut shots = Vec::new();
    let cases = [
        ErrorInfo {
            summary: "rate limited (429)".into(),
            message: String::new(),
            status: Some(429),
            retry_after: Some(std::time::Duration::from_secs(4)),
            may_have_happened: false,
        },
        ErrorInfo {
            summary: "the API key was rejected (401)".into(),
            message: String::new(),
            status: Some(401),
            retry_after: None,
            may_have_happened: false,
        },
        ErrorInfo {
            summary: "PIK unreachable".into(),
            message: String::new(),
            status: None,
            retry_after: None,
            may_have_happened: false,
        },
        ErrorInfo {
            summary: "PIK server error (502)".into(),
            message: String::new(),
            status: Some(502),
            retry_after: None,
            may_have_happened: false,
        },
    ];
    for error in cases {
        let mut app = loaded_app(100, 8);
        // The error comes two minutes after the last good data.
        failed(&mut app, error, t0() + Duration::seconds(120));
        let backend = render(&app);
        let lines: Vec<String> = format!("{backend}").lines().map(str::to_string).collect();
        shots.push(format!("{}\n{}", lines[1], lines[lines.len() - 1]));
    }
    insta::assert_snapshot!(shots.join("\n\n"));
}

#[test]
fn too_small() {
    let app = loaded_app(30, 6);
    insta::assert_snapshot!(render(&app));
    // And the smallest terminal of all draws without panicking.
    let tiny = loaded_app(1, 1);
    let backend = render(&tiny);
    assert_eq!(backend.buffer().area.width, 1);
}

#[test]
fn live_keys_are_loud_and_no_color_still_marks_them() {
    let settings = Settings { environment: Environment::Live, ..Settings::default() };
    let app = App::new(settings, 100, 10, t0());
    for color in [true, false] {
        let (width, height) = app.size();
        let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
        let _ = terminal.draw(|frame| ui::draw(frame, &app, &Theme { color }));
        let buffer = terminal.backend().buffer().clone();
        let row: String = (0..width).map(|x| buffer[(x, 0)].symbol().to_string()).collect();
        let at = row.find(" LIVE ").unwrap_or(0);
        assert!(at > 0, "{row}");
        let x = u16::try_from(row[..at].chars().count() + 1).unwrap_or(0);
        let style = buffer[(x, 0)].style();
        if color {
            assert_eq!(style.bg, Some(ratatui::style::Color::Red));
        } else {
            assert!(matches!(style.bg, None | Some(ratatui::style::Color::Reset)), "NO_COLOR: no colours at all");
            assert!(style.add_modifier.contains(ratatui::style::Modifier::REVERSED));
        }
    }
}

/// The request id of the first write command (create or register) in `cmds`.
fn write_request(cmds: &[pik_tui::app::Cmd]) -> u64 {
    use pik_tui::app::Cmd;
    cmds.iter()
        .find_map(|c| match c {
            Cmd::CreateLink { request, .. } | Cmd::CreateWebhook { request, .. } => Some(*request),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no write in {cmds:?}"))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Msg::Key(Key::char(c)), t0() + Duration::seconds(3));
    }
}

#[test]
fn new_link_form_empty_and_with_errors() {
    let mut app = loaded_app(100, 24);
    key(&mut app, KeyCode::Char('n'));
    let empty = render(&app);
    type_text(&mut app, "1,000.00");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    let invalid = render(&app);
    insta::assert_snapshot!(format!("{empty}\n{invalid}"));
}

#[test]
fn new_link_form_keeps_input_and_shows_the_api_error() {
    let mut app = loaded_app(100, 24);
    key(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "75.00");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "Order #1234");
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0() + Duration::seconds(3));
    let request = write_request(&cmds);
    let locked = render(&app);
    let refused = ErrorInfo {
        summary: "the API key may not do this (403)".into(),
        message: "This API key is read-only; it cannot create or change anything.".into(),
        status: Some(403),
        retry_after: None,
        may_have_happened: false,
    };
    app.update(Msg::LinkCreated { request, result: Err(refused) }, t0() + Duration::seconds(4));
    insta::assert_snapshot!(format!("{locked}\n{}", render(&app)));
}

/// A created link's result view, as drawn.
fn created_app(width: u16, height: u16) -> App {
    let mut app = loaded_app(width, height);
    key(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "75.00");
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0() + Duration::seconds(3));
    let request = write_request(&cmds);
    let link = PaymentLink {
        id: "pl_abc123xyz".into(),
        url: Some("https://pay.pik.global/pl_abc123xyz".into()),
        amount: dec("75.00"),
        currency: "USDT".into(),
        description: Some("Order #1234".into()),
        status: LinkStatus::Active,
        created_at: t0(),
        paid_at: None,
        expires_at: None,
    };
    app.update(Msg::LinkCreated { request, result: Ok(link) }, t0() + Duration::seconds(4));
    app
}

#[test]
fn result_view_with_qr_code() {
    let app = created_app(100, 40);
    insta::assert_snapshot!(render(&app));
    // Too small for the code: it says so and still shows the whole URL.
    let small = created_app(60, 20);
    let text = format!("{}", render(&small));
    assert!(text.contains("too small for the QR code"), "{text}");
    assert!(text.contains("https://pay.pik.global/pl_abc123xyz"));
}

#[test]
fn the_qr_code_on_screen_decodes_to_exactly_the_url() {
    let app = created_app(100, 40);
    let backend = render(&app);
    let buffer = backend.buffer();
    // Collect the rows of half blocks, as a phone camera would see them.
    let mut rows = Vec::new();
    for y in 0..buffer.area.height {
        let row: String = (0..buffer.area.width).map(|x| buffer[(x, y)].symbol().to_string()).collect();
        let start = row.find('█').or_else(|| row.find('▀'));
        if let Some(start) = start {
            let qr: String = row[start..].chars().take_while(|c| matches!(c, '█' | '▀' | '▄' | ' ')).collect();
            if qr.chars().count() > 20 {
                rows.push(qr.trim_end_matches(' ').to_string());
            }
        }
    }
    let width = rows.iter().map(|r| r.chars().count()).max().unwrap_or(0);
    let rows: Vec<String> = rows.into_iter().map(|r| format!("{r:<width$}")).collect();
    assert!(rows.len() > 10, "no QR code on screen:\n{backend}");
    let modules = pik_tui::qr::modules_from_half_blocks(&rows);
    let (h, w) = (modules.len(), width);
    const SCALE: usize = 4;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w * SCALE, h * SCALE, |x, y| {
        if modules[y / SCALE].get(x / SCALE).copied().unwrap_or(false) { 0 } else { 255 }
    });
    let decoded = image.detect_grids().first().and_then(|g| g.decode().ok()).map(|(_, text)| text);
    assert_eq!(decoded.as_deref(), Some("https://pay.pik.global/pl_abc123xyz"));
}

#[test]
fn confirm_deactivate_dialog() {
    let mut app = loaded_app(100, 20);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('d'));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn secret_dialog_and_webhook_form() {
    let mut app = loaded_app(100, 20);
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "https://merchant.example.com/pik");
    let form = render(&app);
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0() + Duration::seconds(3));
    let request = write_request(&cmds);
    let webhook = Webhook {
        id: "wh_new001".into(),
        url: "https://merchant.example.com/pik".into(),
        events: vec![WebhookEvent::PaymentSettled],
        status: WebhookStatus::Active,
        created_at: Some(t0()),
    };
    let secret = WebhookSecret::new("whsec_5f2a9c1e7b3d4a6f8e0c".into());
    app.update(Msg::WebhookCreated { request, result: Ok((webhook, secret)) }, t0() + Duration::seconds(4));
    insta::assert_snapshot!(format!("{form}\n{}", render(&app)));
}

#[test]
fn read_only_mode_says_so_and_offers_no_writes() {
    let settings = Settings { read_only: true, environment: Environment::Live, ..Settings::default() };
    let mut app = App::new(settings, 120, 10, t0());
    app.update(Msg::Key(Key::char('n')), t0());
    assert!(matches!(app.mode(), pik_tui::app::Mode::Normal), "no form in read-only mode");
    let text = format!("{}", render(&app));
    assert!(text.contains("read-only") && text.contains("LIVE"), "{text}");
    assert!(!text.contains("n new") && !text.contains("d deactivate"), "{text}");
}
