//! Frame cost: one full 200×50 frame of the Links pane with 100, 10,000 and
//! 100,000 loaded rows, beside a plain ratatui `Table` given every row; and
//! the Overview pane at 200×50 (money, chart, attention list) beside the
//! Links pane. Targets: 100,000 rows at most 1.5× the cost of 100; one
//! frame under 1 ms; the Overview in line with the other panes.
//! `cargo bench --bench render`. Nothing is asserted; criterion prints.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use pik_tui::api::{LinkStatus, PaymentLink};
use pik_tui::app::input::Key;
use pik_tui::app::paged::ListOps;
use pik_tui::app::{App, Loaded, Msg, Settings};
use pik_tui::test_support::{FakePik, answer_overview, answer_with, numbered_link, overview_fixture, t0};
use pik_tui::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Constraint;
use ratatui::widgets::{Block, Borders, Row, Table};
use rust_decimal::Decimal;
use std::hint::black_box;

fn links(count: usize) -> Vec<PaymentLink> {
    (0..count)
        .map(|n| PaymentLink {
            amount: Decimal::new(n as i64 * 37 % 250_000 + 100, 2),
            currency: ["USDT", "USDC", "BTC", "ETH"][n % 4].to_string(),
            description: Some(format!("Order #{n} for a customer with a long name")),
            ..numbered_link(n as u64, [LinkStatus::Active, LinkStatus::Paid, LinkStatus::Expired][n % 3].clone())
        })
        .collect()
}

/// An app with `count` links loaded, the selection in the middle.
fn app_with(count: usize) -> App {
    let pik = FakePik { links: links(count), ..FakePik::default() };
    let mut app = App::new(Settings::default(), 200, 50, t0());
    let cmds = app.update(Msg::Tick, t0());
    // One page holding every row: the bench measures drawing, not paging.
    answer_with(&mut app, cmds, t0(), |request| {
        let mut loaded = pik.answer(request);
        if let Loaded::Links(page) = &mut loaded {
            page.data = pik.links.clone();
        }
        Ok(loaded)
    });
    let view = app.view_height();
    app.links.list.select(count / 2, view);
    app
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame 200x50");
    for count in [100usize, 10_000, 100_000] {
        let app = app_with(count);
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap_or_else(|e| panic!("{e}"));
        let theme = Theme::dark();
        group.bench_with_input(BenchmarkId::new("pik-tui links pane", count), &count, |b, _| {
            b.iter(|| {
                // Clearing the back buffer makes every frame a full repaint.
                terminal.clear().unwrap_or_else(|e| panic!("{e}"));
                terminal
                    .draw(|frame| ui::draw(frame, black_box(&app), &theme))
                    .map(|_| ())
                    .unwrap_or_else(|e| panic!("{e}"));
            })
        });
        let all = links(count);
        group.bench_with_input(BenchmarkId::new("plain ratatui Table, all rows", count), &count, |b, _| {
            b.iter(|| {
                terminal.clear().unwrap_or_else(|e| panic!("{e}"));
                terminal
                    .draw(|frame| {
                        let rows = all.iter().map(|l| {
                            Row::new(vec![
                                l.id.clone(),
                                l.amount.to_string(),
                                l.currency.clone(),
                                l.status.as_str().to_string(),
                                l.description.clone().unwrap_or_default(),
                            ])
                        });
                        let widths = [
                            Constraint::Length(16),
                            Constraint::Length(14),
                            Constraint::Length(5),
                            Constraint::Length(13),
                            Constraint::Fill(1),
                        ];
                        let table = Table::new(rows, widths).block(Block::default().borders(Borders::ALL));
                        frame.render_widget(table, frame.area());
                    })
                    .map(|_| ())
                    .unwrap_or_else(|e| panic!("{e}"));
            })
        });
    }
    group.finish();
}

/// The Overview of a day with three currencies, a chart of 24 bars and
/// every kind of item needing attention (the screens' fixture).
fn overview_app() -> App {
    let settings = Settings { mirror: Ok(()), ..Settings::default() };
    let mut app = App::new(settings, 200, 50, t0());
    let fixture = overview_fixture(app.overview_query().from, t0());
    let mut cmds = app.update(Msg::Key(Key::char('0')), t0());
    cmds.extend(app.update(Msg::Tick, t0()));
    answer_overview(&mut app, cmds, &fixture, t0());
    app
}

fn overview_frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame 200x50 by pane");
    let theme = Theme::dark();
    for (name, app) in [("Overview", overview_app()), ("Links, 100 rows", app_with(100))] {
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap_or_else(|e| panic!("{e}"));
        group.bench_function(name, |b| {
            b.iter(|| {
                terminal.clear().unwrap_or_else(|e| panic!("{e}"));
                terminal
                    .draw(|frame| ui::draw(frame, black_box(&app), &theme))
                    .map(|_| ())
                    .unwrap_or_else(|e| panic!("{e}"));
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = frames, overview_frames
}
criterion_main!(benches);
