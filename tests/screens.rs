//! Screens, drawn into ratatui's `TestBackend` from a known `App` and
//! compared with insta snapshots (`tests/snapshots/`). Review changes with
//! `cargo insta review`, or look at the `.snap.new` files.

use chrono::{DateTime, Duration, TimeZone, Utc};
use pik_tui::api::*;
use pik_tui::app::input::{Key, KeyCode};
use pik_tui::app::{App, Cmd, Environment, ErrorInfo, Msg, Settings, Written};
use pik_tui::sync::{Health, MirrorStatus, Phase, Progress, Trouble};
use pik_tui::test_support::{TestMirror, answer_all, dec, hook, link, refusal, txn, write_request};
use pik_tui::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The screens' clock: a weekday noon, so times read naturally.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 15, 12, 0, 0).single().unwrap_or_default()
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
            amount: dec(amount),
            currency: currency.into(),
            description: description.map(str::to_string),
            paid_at: (status == LinkStatus::Paid).then(|| t0() - Duration::seconds(60)),
            status,
            created_at: t0() - Duration::seconds(age),
            ..link(id)
        })
        .collect()
}

fn transactions() -> Vec<Transaction> {
    let txn = |id: &str, status: TransactionStatus, age: i64| Transaction {
        payment_link_id: Some("pl_8f2k3m".into()),
        tx_hash: (status != TransactionStatus::Pending && status != TransactionStatus::Failed)
            .then(|| "0xabc123def4567890abc123def4567890abc123def4567890abc123def4567890".to_string()),
        confirmed_at: matches!(status, TransactionStatus::Confirmed | TransactionStatus::Settled)
            .then(|| t0() - Duration::seconds(age - 60)),
        settled_at: (status == TransactionStatus::Settled).then(|| t0() - Duration::seconds(age - 600)),
        status,
        created_at: t0() - Duration::seconds(age),
        ..txn(id)
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
            url: "https://merchant.example.com/pik/webhooks".into(),
            events: vec![WebhookEvent::PaymentConfirmed, WebhookEvent::PaymentSettled, WebhookEvent::PaymentFailed],
            created_at: Some(t0() - Duration::days(40)),
            ..hook("wh_1a2b3c")
        },
        Webhook {
            url: "https://old.example.net/hook".into(),
            events: vec![WebhookEvent::PaymentFailed],
            status: WebhookStatus::Disabled,
            created_at: Some(t0() - Duration::days(90)),
            ..hook("wh_old000")
        },
    ]
}

fn page<T>(data: Vec<T>, total: u64) -> Page<T> {
    pik_tui::test_support::page(data, total)
}

/// The screens' mirror: the rows above.
fn mirror() -> TestMirror {
    TestMirror::holding(links(), transactions(), webhooks())
}

/// The sync's word: the mirror up to date, PIK heard at `t0`, and `trouble`.
fn synced(trouble: Option<Trouble>) -> Msg {
    Msg::Mirror(MirrorStatus {
        phase: Phase::UpToDate,
        links: Progress { done: 6, total: Some(6), complete: true },
        transactions: Progress { done: 4, total: Some(4), complete: true },
        synced_at: Some(t0()),
        pik: Health { ok_at: Some(t0()), trouble },
    })
}

/// An app of `settings` with every pane read from the screens' mirror at `t0`.
fn app_with(settings: Settings, width: u16, height: u16) -> App {
    let mut app = App::new(settings, width, height, t0());
    let mut cmds = app.update(synced(None), t0());
    cmds.extend(app.update(Msg::Tick, t0()));
    answer_all(&mut app, cmds, &mirror(), t0());
    app
}

/// An app of the given size with every pane read at `t0`.
fn loaded_app(width: u16, height: u16) -> App {
    let settings = Settings { environment: Environment::Test, profile: Some("support".into()), ..Settings::default() };
    let mut app = app_with(settings, width, height);
    app.update(Msg::Tick, t0() + Duration::seconds(3));
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(Key::plain(code)), t0() + Duration::seconds(3));
}

fn render_with(app: &App, theme: &Theme) -> TestBackend {
    let (width, height) = app.size();
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let drawn = terminal.draw(|frame| ui::draw(frame, app, theme));
    assert!(drawn.is_ok());
    terminal.backend().clone()
}

fn render(app: &App) -> TestBackend {
    render_with(app, &Theme::dark())
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
        if let Cmd::FetchLinkTransactions { request, link_id } = cmd {
            let result = Ok(page(transactions().into_iter().take(2).collect(), 2));
            app.update(Msg::LinkTransactions { request, link_id, result }, t0() + Duration::seconds(3));
        }
    }
    insta::assert_snapshot!(render(&app));
}

#[test]
fn a_link_s_payments_keep_their_age_on_their_line_at_120_columns() {
    let mut app = loaded_app(120, 20);
    let now = t0() + Duration::seconds(3);
    let payment = |id: &str, status| Transaction {
        amount: dec("541.99"),
        status,
        created_at: now - Duration::minutes(47),
        ..txn(id)
    };
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), now);
    for cmd in cmds {
        if let Cmd::FetchLinkTransactions { request, link_id } = cmd {
            let rows = vec![
                payment("txn_61rhyfgsw5nk", TransactionStatus::Pending),
                payment("txn_7abcdefghijk", TransactionStatus::Confirmed),
            ];
            app.update(Msg::LinkTransactions { request, link_id, result: Ok(page(rows, 2)) }, now);
        }
    }
    let backend = render(&app);
    let buffer = backend.buffer();
    let lines: Vec<String> = (0..buffer.area.height)
        .map(|y| (0..buffer.area.width).map(|x| buffer[(x, y)].symbol().to_string()).collect())
        .collect();
    for id in ["txn_61rhyfgsw5nk", "txn_7abcdefghijk"] {
        let line = lines.iter().find(|line| line.contains(id)).cloned().unwrap_or_default();
        assert!(line.contains("47m"), "its age wrapped away:\n{}", lines.join("\n"));
    }
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

#[test]
fn error_footers() {
    let mut shots = Vec::new();
    // What the sync heard from PIK two minutes after the last good answer.
    let at = t0() + Duration::seconds(120);
    let trouble = |summary: &str, status: Option<u16>, retry: i64| Trouble {
        summary: summary.into(),
        unreachable: status.is_none(),
        status,
        retry_at: at + Duration::seconds(retry),
    };
    let cases = [
        trouble("rate limited (429)", Some(429), 4),
        trouble("the API key was rejected (401)", Some(401), 60),
        trouble("PIK unreachable", None, 8),
        trouble("PIK server error (502)", Some(502), 8),
    ];
    for trouble in cases {
        let mut app = loaded_app(100, 8);
        app.update(synced(Some(trouble)), at);
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

/// The environment label's first cell in the header: its text and style.
fn environment_label(app: &App, theme: &Theme) -> (String, ratatui::style::Style) {
    let backend = render_with(app, theme);
    let buffer = backend.buffer();
    let width = buffer.area.width;
    let row: String = (0..width).map(|x| buffer[(x, 0)].symbol().to_string()).collect();
    let label = [" LIVE ", " TEST "].into_iter().find(|l| row.contains(l)).unwrap_or_default();
    let at = row.find(label).map(|at| row[..at].chars().count()).unwrap_or(0);
    let x = u16::try_from(at + 1).unwrap_or(0);
    (label.trim().to_string(), buffer[(x, 0)].style())
}

#[test]
fn live_keys_are_loud_in_every_theme() {
    for theme in [Theme::dark(), Theme::light(), Theme::mono()] {
        let live = App::new(Settings { environment: Environment::Live, ..Settings::default() }, 100, 10, t0());
        let test = App::new(Settings { environment: Environment::Test, ..Settings::default() }, 100, 10, t0());
        let (live_text, live_style) = environment_label(&live, &theme);
        let (test_text, test_style) = environment_label(&test, &theme);
        assert_eq!((live_text.as_str(), test_text.as_str()), ("LIVE", "TEST"));
        // Not only the word: the label looks different too.
        assert_ne!(live_style, test_style, "{:?}: LIVE looks like TEST", theme.name());
        if theme.has_color() {
            assert_ne!(live_style.bg, test_style.bg, "{:?}", theme.name());
        } else {
            assert!(matches!(live_style.bg, None | Some(ratatui::style::Color::Reset)), "mono: no colours at all");
            let loud = ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD;
            assert!(live_style.add_modifier.contains(loud), "{live_style:?}");
            assert!(live_style.add_modifier.contains(ratatui::style::Modifier::UNDERLINED));
        }
    }
}

#[test]
fn theme_snapshots_light_and_mono() {
    let mut app = loaded_app(120, 16);
    app.update(Msg::Key(Key::char('j')), t0() + Duration::seconds(3));
    for (name, theme) in [("light", Theme::light()), ("mono", Theme::mono())] {
        let backend = render_with(&app, &theme);
        // The text alone does not show a theme: snapshot the styles too.
        let buffer = backend.buffer();
        let mut styles = String::new();
        for y in [0u16, 2, 3, 4, 15] {
            let mut last = None;
            for x in 0..buffer.area.width {
                let cell = &buffer[(x, y)];
                let style = (cell.fg, cell.bg, cell.modifier);
                if last != Some(style) {
                    styles.push_str(&format!("row {y} col {x}: {:?} on {:?} {:?}\n", style.0, style.1, style.2));
                    last = Some(style);
                }
            }
        }
        insta::assert_snapshot!(format!("theme_{name}"), format!("{backend}\n{styles}"));
    }
}

fn write_id(cmds: &[Cmd]) -> u64 {
    write_request(cmds).unwrap_or_else(|| panic!("no write in {cmds:?}"))
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
    let request = write_id(&cmds);
    let locked = render(&app);
    let refused = ErrorInfo {
        message: "This API key is read-only; it cannot create or change anything.".into(),
        ..refusal(403, "the API key may not do this (403)")
    };
    app.update(Msg::Written { request, result: Err(refused) }, t0() + Duration::seconds(4));
    insta::assert_snapshot!(format!("{locked}\n{}", render(&app)));
}

/// A created link's result view, as drawn.
fn created_app(width: u16, height: u16) -> App {
    let mut app = loaded_app(width, height);
    key(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "75.00");
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::Enter)), t0() + Duration::seconds(3));
    let request = write_id(&cmds);
    let link = PaymentLink { description: Some("Order #1234".into()), created_at: t0(), ..link("pl_abc123xyz") };
    app.update(Msg::Written { request, result: Ok(Written::Link(link)) }, t0() + Duration::seconds(4));
    app
}

#[test]
fn result_view_with_qr_code() {
    let app = created_app(100, 40);
    insta::assert_snapshot!(render(&app));
    // Wide: the code beside the details; the footer holds this view's keys.
    let wide = format!("{}", render(&created_app(140, 42)));
    let beside = wide.lines().filter(|l| l.contains("████") && l.contains("amount") && l.contains("75.00 USDT"));
    assert_eq!(beside.count(), 1, "{wide}");
    let footer = wide.lines().rev().find(|l| !l.trim_matches(|c| c == '"' || c == ' ').is_empty()).unwrap_or("");
    assert!(footer.contains("y copy URL") && footer.contains("esc back") && !footer.contains("move"), "{footer}");
    // Narrow: details above, the code below, as before.
    let narrow = format!("{}", render(&created_app(80, 40)));
    let url_row = narrow.lines().position(|l| l.contains("https://pay.pik.global/pl_abc123xyz"));
    let code_row = narrow.lines().position(|l| l.contains("█████████"));
    assert!(matches!((url_row, code_row), (Some(u), Some(c)) if u < c), "{narrow}");
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
    let request = write_id(&cmds);
    let webhook = Webhook { url: "https://merchant.example.com/pik".into(), ..hook("wh_new001") };
    let secret = WebhookSecret::new("whsec_5f2a9c1e7b3d4a6f8e0c".into());
    app.update(Msg::Written { request, result: Ok(Written::Webhook(webhook, secret)) }, t0() + Duration::seconds(4));
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

/// The Overview of a support account, in Berlin, with every pane loaded;
/// `backfilling` leaves the mirror a third of the way through.
fn overview_app(width: u16, height: u16, backfilling: bool) -> App {
    let settings = Settings {
        environment: Environment::Test,
        profile: Some("support".into()),
        zone: pik_tui::zone::Zone::bundled("Europe/Berlin").unwrap_or_default(),
        ..Settings::default()
    };
    let mut app = App::new(settings, width, height, t0());
    let phase = if backfilling {
        Phase::Backfilling { of: pik_tui::sync::Of::Transactions, eta: None }
    } else {
        Phase::UpToDate
    };
    let status = MirrorStatus {
        phase,
        links: Progress { done: 312, total: Some(312), complete: true },
        transactions: Progress { done: 33_412, total: Some(100_240), complete: !backfilling },
        synced_at: Some(t0()),
        pik: Health { ok_at: Some(t0()), trouble: None },
    };
    let mut cmds = app.update(Msg::Mirror(status), t0());
    let fixture = pik_tui::test_support::overview_fixture(app.overview_query().from, t0());
    cmds.extend(app.update(Msg::Key(Key::plain(KeyCode::Char('0'))), t0()));
    // The lists from the mirror, then the Overview.
    let mirror = mirror();
    for _ in 0..3 {
        let overview = cmds.iter().filter(|c| matches!(c, Cmd::Overview { .. })).cloned().collect();
        let mut next = answer_all(&mut app, cmds, &mirror, t0());
        next.retain(|c| !matches!(c, Cmd::Overview { .. }));
        next.extend(pik_tui::test_support::answer_overview(&mut app, overview, &fixture, t0()));
        cmds = next;
    }
    app.update(Msg::Tick, t0() + Duration::seconds(3));
    app
}

#[test]
fn overview_at_three_sizes_dark_and_mono() {
    for (width, height) in [(200, 50), (120, 40), (80, 24)] {
        let app = overview_app(width, height, false);
        let dark = render(&app);
        let mono = render_with(&app, &Theme::mono());
        // The same words in both themes; mono draws them without colour.
        assert_eq!(format!("{dark}").lines().collect::<Vec<_>>(), format!("{mono}").lines().collect::<Vec<_>>());
        for cell in mono.buffer().content() {
            assert!(cell.fg == ratatui::style::Color::Reset && cell.bg == ratatui::style::Color::Reset, "{cell:?}");
        }
        insta::assert_snapshot!(format!("overview_{width}x{height}"), dark);
    }
}

#[test]
fn overview_while_the_mirror_backfills_says_its_figures_are_partial() {
    let app = overview_app(120, 40, true);
    let screen = format!("{}", render(&app));
    assert!(screen.contains("figures partial"), "{screen}");
    insta::assert_snapshot!(render(&app));
}

/// A LIVE key must always show: at 40, 60 and 80 columns the tabs shorten
/// (titles, counts, then the program's name) and the label stays; every
/// pane keeps it. The first line of each, and a check on all of them.
#[test]
fn the_live_label_is_the_last_thing_the_header_drops() {
    let mut shots = Vec::new();
    for width in [40, 60, 80] {
        let settings = Settings {
            environment: Environment::Live,
            profile: Some("production".into()),
            zone: pik_tui::zone::Zone::bundled("Europe/Berlin").unwrap_or_default(),
            ..Settings::default()
        };
        let mut app = app_with(settings, width, 12);
        for pane in ['1', '2', '3', '0', 'S'] {
            key(&mut app, KeyCode::Char(pane));
            let header = format!("{}", render(&app)).lines().next().unwrap_or_default().to_string();
            assert!(header.contains(" LIVE "), "{width} columns, pane {pane}: {header}");
        }
        // Out of the search prompt, back to the links.
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('1'));
        let shot = format!("{}", render(&app));
        shots.push(format!("{width} columns:\n{}", shot.lines().take(3).collect::<Vec<_>>().join("\n")));
    }
    insta::assert_snapshot!(shots.join("\n\n"));
}

/// The columns an agent chose (`[columns]`), at 60, 80, 120 and 200
/// columns: narrow tables give up columns from the right of the list,
/// never the id, the amount or the status; a wide one shows them all;
/// the LIVE label is there at every width.
#[test]
fn chosen_columns_at_four_widths_keep_the_live_label() {
    use pik_tui::app::columns::{Columns, Table, parse};
    let mut columns = Columns::default();
    for (table, written) in [
        (Table::Links, &["id", "description:24", "amount", "currency", "status", "paid", "url", "age"][..]),
        (Table::Transactions, &["id", "amount", "currency", "status", "description", "hash", "settled", "link"][..]),
    ] {
        let Ok(chosen) = parse(table, written) else { panic!("{written:?}") };
        columns.set(table, chosen);
    }
    for width in [60, 80, 120, 200] {
        let settings = Settings { environment: Environment::Live, columns: columns.clone(), ..Settings::default() };
        let mut app = app_with(settings, width, 10);
        for pane in ['1', '2'] {
            key(&mut app, KeyCode::Char(pane));
            let screen = render(&app);
            let header: String = (0..width).map(|x| screen.buffer()[(x, 0)].symbol().to_string()).collect();
            assert!(header.contains(" LIVE "), "{width} columns: {header}");
            insta::assert_snapshot!(format!("chosen_columns_{pane}_at_{width}"), screen);
        }
    }
}
