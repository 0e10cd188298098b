//! Properties: whatever keys, mouse events, pastes, answers and terminal
//! sizes (down to 1×1) arrive, in any order, the app never panics, and
//! every frame draws.

use chrono::{Duration, TimeZone, Utc};
use pik_tui::api::{LinkStatus, Page, PaymentLink};
use pik_tui::app::input::{Key, KeyCode, Mouse, MouseKind};
use pik_tui::app::{App, Cmd, ErrorInfo, Loaded, Msg, Settings};
use pik_tui::ui::{self, Theme};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn key_strategy() -> impl Strategy<Value = Key> {
    let codes = prop_oneof![
        any::<char>().prop_map(KeyCode::Char),
        prop::sample::select(vec!['j', 'k', 'g', 'G', 's', 'c', 't', 'p', 'r', '/', ':', '?', '1', '2', '3', 'q'])
            .prop_map(KeyCode::Char),
        prop::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Backspace,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Delete,
            KeyCode::Left,
            KeyCode::Right,
        ]),
    ];
    (codes, any::<bool>(), any::<bool>()).prop_map(|(code, ctrl, alt)| Key { code, ctrl: ctrl && alt, alt: false })
}

#[derive(Debug, Clone)]
enum Step {
    Msg(Msg),
    /// Answer the oldest outstanding page request, well or badly.
    Answer {
        ok: bool,
        newest: u64,
    },
}

fn step_strategy() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => key_strategy().prop_map(|k| Step::Msg(Msg::Key(k))),
        1 => (prop::sample::select(vec![MouseKind::Click, MouseKind::ScrollUp, MouseKind::ScrollDown]), 0u16..250, 0u16..80)
            .prop_map(|(kind, column, row)| Step::Msg(Msg::Mouse(Mouse { kind, column, row }))),
        1 => (1u16..220, 1u16..70).prop_map(|(width, height)| Step::Msg(Msg::Resize { width, height })),
        1 => ".{0,40}".prop_map(|text| Step::Msg(Msg::Paste(text))),
        1 => Just(Step::Msg(Msg::Tick)),
        2 => (any::<bool>(), 0u64..400).prop_map(|(ok, newest)| Step::Answer { ok, newest }),
    ]
}

fn links_page(newest: u64, offset: u64, limit: u32) -> Page<PaymentLink> {
    let t0 = Utc.timestamp_opt(1_800_000_000, 0).single().unwrap_or_default();
    let data = (1..=newest)
        .rev()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|n| PaymentLink {
            id: format!("pl_{n}"),
            url: Some(format!("https://pay.pik.global/pl_{n}\u{1b}[2J")),
            amount: rust_decimal::Decimal::new(n as i64, 2),
            currency: "USDT".into(),
            description: Some("é\u{202e}x".repeat((n % 7) as usize)),
            status: if n % 3 == 0 { LinkStatus::Paid } else { LinkStatus::Other(format!("s{n}")) },
            created_at: t0 - Duration::seconds(n as i64),
            paid_at: None,
            expires_at: None,
        })
        .collect();
    Page { data, total: newest, limit: Some(limit), offset: Some(offset as u32), skipped: 0 }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_input_at_random_sizes_never_panics(
        width in 1u16..200,
        height in 1u16..60,
        steps in prop::collection::vec(step_strategy(), 1..120),
    ) {
        let t0 = Utc.timestamp_opt(1_800_000_000, 0).single().unwrap_or_default();
        let mut app = App::new(Settings { bell: true, events_pane: true, ..Settings::default() }, width, height, t0);
        let mut terminal = Terminal::new(TestBackend::new(width, height)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut outstanding: Vec<Cmd> = app.update(Msg::Tick, t0);
        for (i, step) in steps.into_iter().enumerate() {
            let now = t0 + Duration::milliseconds(300 * i as i64);
            let cmds = match step {
                Step::Msg(msg) => {
                    if let Msg::Resize { width, height } = msg {
                        terminal.backend_mut().resize(width, height);
                    }
                    app.update(msg, now)
                }
                Step::Answer { ok, newest } => {
                    if outstanding.is_empty() {
                        continue;
                    }
                    let msg = match outstanding.remove(0) {
                        Cmd::FetchPage { pane, request, offset, limit, .. } => {
                            let result = if ok {
                                Ok(match pane {
                                    pik_tui::app::Pane::Links => Loaded::Links(links_page(newest, offset, limit)),
                                    pik_tui::app::Pane::Transactions => Loaded::Transactions(Page { data: vec![], total: 0, limit: None, offset: None, skipped: 3 }),
                                    pik_tui::app::Pane::Webhooks | pik_tui::app::Pane::Events => Loaded::Webhooks(Page { data: vec![], total: newest, limit: None, offset: None, skipped: 0 }),
                                })
                            } else {
                                Err(ErrorInfo { summary: "PIK unreachable".into(), message: "x\u{1b}".into(), status: None, retry_after: None, may_have_happened: false })
                            };
                            Msg::Page { pane, request, offset, result }
                        }
                        Cmd::FetchLink { request, .. } | Cmd::FetchTransaction { request, .. } => Msg::Object {
                            request,
                            result: Err(ErrorInfo { summary: "not found (404)".into(), message: String::new(), status: Some(404), retry_after: None, may_have_happened: false }),
                        },
                        Cmd::FetchLinkTransactions { request, link_id } => Msg::LinkTransactions {
                            request,
                            link_id,
                            result: Ok(Page { data: vec![], total: 0, limit: Some(100), offset: Some(0), skipped: 0 }),
                        },
                        Cmd::CreateLink { request, link } => Msg::LinkCreated {
                            request,
                            result: if ok {
                                Ok(PaymentLink {
                                    id: format!("pl_new{newest}"),
                                    url: Some(format!("https://pay.pik.global/pl_new{newest}")),
                                    amount: link.amount,
                                    currency: link.currency,
                                    description: link.description,
                                    status: LinkStatus::Active,
                                    created_at: t0,
                                    paid_at: None,
                                    expires_at: None,
                                })
                            } else {
                                Err(ErrorInfo { summary: "PIK did not answer in time".into(), message: String::new(), status: None, retry_after: None, may_have_happened: newest % 2 == 0 })
                            },
                        },
                        Cmd::DeactivateLink { request, .. } => Msg::LinkDeactivated {
                            request,
                            result: Err(ErrorInfo { summary: "request refused (405)".into(), message: String::new(), status: Some(405), retry_after: None, may_have_happened: false }),
                        },
                        Cmd::CreateWebhook { request, webhook } => Msg::WebhookCreated {
                            request,
                            result: Ok((
                                pik_tui::api::Webhook { id: format!("wh_{newest}"), url: webhook.url, events: webhook.events, status: pik_tui::api::WebhookStatus::Active, created_at: Some(t0) },
                                pik_tui::api::WebhookSecret::new("whsec_test".into()),
                            )),
                        },
                        Cmd::Copy(_) | Cmd::Bell | Cmd::Quit => continue,
                    };
                    app.update(msg, now)
                }
            };
            outstanding.extend(cmds);
            let drawn = terminal.draw(|frame| ui::draw(frame, &app, &Theme { color: i % 2 == 0 }));
            prop_assert!(drawn.is_ok());
        }
    }
}
