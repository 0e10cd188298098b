//! Properties: whatever keys, mouse events, pastes, answers and terminal
//! sizes (down to 1×1) arrive, in any order, the app never panics, and
//! every frame draws.

use chrono::{Duration, TimeZone, Utc};
use pik_tui::api::{LinkStatus, Page, PaymentLink, Transaction};
use pik_tui::app::input::{Key, KeyCode, Mouse, MouseKind};
use pik_tui::app::{
    App, Cmd, Environment, ExportEvent, ListAsk, ListRows, Msg, ProfileInfo, Settings, StoreKind, Write, Written,
};
use pik_tui::store::export::Value;
use pik_tui::store::{Cursor, Window, Windowed};
use pik_tui::test_support::{hook, link, lost_answer, numbered_link, numbered_txn, refusal, unreachable};
use pik_tui::ui::{self, Theme};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn key_strategy() -> impl Strategy<Value = Key> {
    let codes = prop_oneof![
        any::<char>().prop_map(KeyCode::Char),
        prop::sample::select(vec![
            'j', 'k', 'g', 'G', 's', 'c', 't', 'p', 'r', '/', ':', '?', '0', '1', '2', '3', '4', 'q', 'n', 'd', 'v',
            'y', 'e', '[', ']', 'h', 'l', 'S', '<', '>', 'I'
        ])
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
        1 => ".{0,40}".prop_map(|reason| Step::Msg(Msg::Refused(reason))),
        2 => (any::<bool>(), 0u64..400).prop_map(|(ok, newest)| Step::Answer { ok, newest }),
        1 => Just(Step::Msg(Msg::StoreChanged(pik_tui::store::Change::anything()))),
        1 => (any::<bool>(), 0u64..500, any::<bool>()).prop_map(|(complete, done, trouble)| Step::Msg(Msg::Mirror(mirror_status(complete, done, trouble)))),
    ]
}

/// What the sync might say: how far, and PIK in trouble or not.
fn mirror_status(complete: bool, done: u64, trouble: bool) -> pik_tui::sync::MirrorStatus {
    let at = Utc.timestamp_opt(1_800_000_000, 0).single().unwrap_or_default();
    let trouble = trouble.then(|| pik_tui::sync::Trouble {
        summary: "PIK unreachable\u{1b}[2J".into(),
        unreachable: done.is_multiple_of(2),
        status: (done.is_multiple_of(3)).then_some(429),
        retry_at: at + Duration::seconds(done as i64 % 90),
    });
    pik_tui::sync::MirrorStatus {
        links: pik_tui::sync::Progress { done, total: Some(done * 2), complete },
        pik: pik_tui::sync::Health { ok_at: (!done.is_multiple_of(4)).then_some(at), trouble },
        ..pik_tui::sync::MirrorStatus::default()
    }
}

/// Hostile rows: controls and bidi in URLs and descriptions, unknown statuses.
fn hostile_links(newest: u64) -> Vec<PaymentLink> {
    (1..=newest)
        .rev()
        .map(|n| PaymentLink {
            url: Some(format!("https://pay.pik.global/pl_{n}\u{1b}[2J")),
            amount: rust_decimal::Decimal::new(n as i64, 2),
            description: Some("é\u{202e}x".repeat((n % 7) as usize)),
            status: if n.is_multiple_of(3) { LinkStatus::Paid } else { LinkStatus::Other(format!("s{n}")) },
            ..numbered_link(n, LinkStatus::Active)
        })
        .collect()
}

/// A window of `rows` that may not add up: a count and a place that
/// disagree with the rows, more on either side or not.
fn hostile_window<T>(rows: Vec<T>, newest: u64) -> Window<T> {
    let rows: Vec<(Cursor, T)> =
        rows.into_iter().enumerate().map(|(at, row)| (Cursor(vec![Value::Int(at as i64)]), row)).take(150).collect();
    Window {
        rows,
        total: (!newest.is_multiple_of(4)).then_some(newest * (newest % 3 + 1)),
        before: (!newest.is_multiple_of(5)).then_some(newest / 3),
        more_before: newest.is_multiple_of(2),
        more_after: !newest.is_multiple_of(3),
        held: (!newest.is_multiple_of(7)).then_some(newest / 2),
        about: [("pl_1".to_string(), "\u{1b}]52;c;aGk=\u{7}\u{202e}order".to_string())].into(),
    }
}

/// Saved views with hostile names, one of each kind, with keys.
fn hostile_views() -> Vec<pik_tui::app::views::ViewDef> {
    let zone = pik_tui::zone::Zone::utc();
    let rules = pik_tui::cases::CaseRules::default();
    let reading = pik_tui::store::Reading { zone: &zone, now: Utc::now(), cases: &rules };
    [
        ("big \u{202e}unpaid", "status:active amount:>=1000", Some("u")),
        ("fails", "status:failed created:today", Some("x")),
    ]
    .into_iter()
    .filter_map(|(name, query, key)| pik_tui::app::views::ViewDef::read(name, query, None, key, None, reading).ok())
    .collect()
}

/// The Overview with hostile currencies and URLs, and `newest` currencies.
fn hostile_overview(query: &pik_tui::store::OverviewQuery, newest: u64) -> pik_tui::store::Overview {
    let mut overview = pik_tui::test_support::overview_fixture(query.from, query.now);
    for n in 0..newest % 9 {
        let mut figures = overview.money[n as usize % 3].clone();
        figures.currency = format!("C{n}\u{1b}]0;x\u{7}\u{202e}");
        overview.money.push(figures);
    }
    if newest.is_multiple_of(4) {
        overview.chart.clear();
        overview.chart_currency = None;
    }
    overview
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
        let settings = Settings {
            bell: true,
            events_pane: true,
            profiles: vec!["live".into()],
            store: StoreKind::OnDemand(Some("disk full\u{1b}[2J".into())),
            views: hostile_views(),
            ..Settings::default()
        };
        let mut app = App::new(settings, width, height, t0);
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
                        Cmd::List { request, ask } => {
                            let result = match (ok, ask) {
                                (false, _) => Err("the mirror failed: disk I/O error\u{1b}[2J".to_string()),
                                (true, ListAsk::Webhooks) => Ok(ListRows::Webhooks(vec![hook(&format!("wh_{newest}\u{1b}"))])),
                                (true, ListAsk::Window(ask)) if ask.query.filter.kinds == pik_tui::store::Kinds::Links => {
                                    Ok(ListRows::Window(Windowed::Links(hostile_window(hostile_links(newest), newest))))
                                }
                                (true, ListAsk::Window(_)) => {
                                    let rows: Vec<Transaction> = (1..=newest % 40).map(|n| numbered_txn(n, pik_tui::api::TransactionStatus::Other(format!("x\u{1b}{n}")))).collect();
                                    Ok(ListRows::Window(Windowed::Transactions(hostile_window(rows, newest))))
                                }
                            };
                            Msg::Listed { request, result }
                        }
                        Cmd::ReadOrder { request, link_id } => Msg::OrderRead {
                            request,
                            result: if ok {
                                let link = hostile_links(newest).into_iter().next().map(|l| PaymentLink { id: link_id.clone(), ..l });
                                let payments = (1..=newest % 4).map(|n| Transaction { payment_link_id: Some(link_id.clone()), ..numbered_txn(n, pik_tui::api::TransactionStatus::Settled) }).collect();
                                Ok(Box::new(pik_tui::cases::Order { link_id, link, payments, ..Default::default() }))
                            } else {
                                Err("the mirror failed: disk I/O error\u{1b}[2J".into())
                            },
                        },
                        Cmd::Record(act) => Msg::Recorded {
                            subject: act.subject.clone(),
                            result: if ok { Ok(()) } else { Err("the mirror failed: disk I/O error\u{1b}[2J".into()) },
                        },
                        Cmd::ReadAudit { request } => Msg::AuditRead {
                            request,
                            result: if ok {
                                let act = pik_tui::audit::Act::new(chrono::Utc::now(), "mal\u{1b}[2Jlory", None, "claimed the case\u{202e}", Some("pl_\u{1b}x"), "\u{1b}]52;c;aGk=\u{7}".into());
                                Ok(vec![act; (newest % 7) as usize])
                            } else {
                                Err("the record failed\u{1b}[2J".into())
                            },
                        },
                        Cmd::ActOnCase { request, act, .. } => Msg::CaseActed {
                            request,
                            result: match (ok, newest % 2) {
                                (true, 0) => Ok(Ok(act)),
                                (true, _) => Ok(Err("claimed by \u{1b}[2Jmallory 3 s ago".into())),
                                (false, _) => Err("the record failed: disk I/O error\u{1b}[2J".into()),
                            },
                        },
                        Cmd::FetchLink { request, .. } | Cmd::FetchTransaction { request, .. } => {
                            Msg::Object { request, result: Err(refusal(404, "not found (404)")) }
                        }
                        Cmd::FetchLinkTransactions { request, link_id } => Msg::LinkTransactions {
                            request,
                            link_id,
                            result: Ok(Page { data: vec![], total: 0, limit: Some(100), offset: Some(0), skipped: 0 }),
                        },
                        Cmd::Write { request, write, .. } => Msg::Written {
                            request,
                            result: match write {
                                Write::CreateLink(new) if ok => Ok(Written::Link(PaymentLink {
                                    amount: new.amount,
                                    currency: new.currency,
                                    description: new.description,
                                    ..link(&format!("pl_new{newest}"))
                                })),
                                Write::CreateLink(_) => Err(if newest.is_multiple_of(2) { lost_answer() } else { unreachable() }),
                                Write::DeactivateLink { .. } => Err(refusal(405, "request refused (405)")),
                                Write::CreateWebhook(new) => Ok(Written::Webhook(
                                    pik_tui::api::Webhook { url: new.url, events: new.events, ..hook(&format!("wh_{newest}")) },
                                    pik_tui::api::WebhookSecret::new("whsec_test".into()),
                                )),
                            },
                        },
                        Cmd::Search { request, offset, limit, .. } => Msg::Searched {
                            request,
                            result: if ok {
                                let hits = hostile_links(newest)
                                    .into_iter()
                                    .skip(offset as usize)
                                    .take(limit as usize)
                                    .map(pik_tui::store::SearchHit::Link)
                                    .collect();
                                Ok(pik_tui::store::SearchPage { total: newest, capped: newest.is_multiple_of(5), offset, hits })
                            } else {
                                Err("the mirror failed: disk I/O error\u{1b}[2J".into())
                            },
                        },
                        Cmd::Overview { request, query } => Msg::Overview {
                            request,
                            result: if ok { Ok(hostile_overview(&query, newest)) } else { Err("the mirror failed\u{1b}[2J".into()) },
                        },
                        Cmd::Export { request, job, .. } => Msg::Export {
                            request,
                            event: match newest % 5 {
                                0 => ExportEvent::Exists(job.path.display().to_string()),
                                1 => ExportEvent::Started("/tmp/x\u{1b}[2J.csv".into()),
                                2 => ExportEvent::Progress { done: newest, total: newest / 2 },
                                3 => ExportEvent::Done { rows: newest, path: "/tmp/\u{202e}x".into() },
                                _ => ExportEvent::Failed("disk full\u{1b}]0;x\u{7}".into()),
                            },
                        },
                        Cmd::Copy(_) | Cmd::Bell | Cmd::Notify { .. } | Cmd::Quit | Cmd::Focus(_) | Cmd::LookAt { .. } => continue,
                        Cmd::SaveView { view, .. } => Msg::ViewSaved {
                            name: view.name,
                            result: if ok { Ok("/tmp/\u{202e}config.toml".into()) } else { Err("disk full\u{1b}[2J".into()) },
                        },
                        Cmd::LoadZone(name) => Msg::Zone(if ok {
                            Ok(pik_tui::zone::Zone::bundled("Asia/Kathmandu").unwrap_or_default())
                        } else {
                            Err(format!("unknown time zone {name:?}\u{1b}[2J"))
                        }),
                        Cmd::SwitchProfile(name) => Msg::ProfileSwitched(if ok {
                            Ok(ProfileInfo {
                                name,
                                environment: Environment::Live,
                                read_only: true,
                                store: StoreKind::OnDemand(None),
                                zone: pik_tui::zone::Zone::utc(),
                                agent: "mallory\u{1b}[2J@desk".into(),
                            })
                        } else {
                            Err("no such profile".into())
                        }),
                    };
                    app.update(msg, now)
                }
            };
            outstanding.extend(cmds);
            let theme = [Theme::dark(), Theme::light(), Theme::mono()][i % 3];
            let drawn = terminal.draw(|frame| ui::draw(frame, &app, &theme));
            prop_assert!(drawn.is_ok());
        }
    }
}
