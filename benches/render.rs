//! Frame cost: one full 200×50 frame of the Links pane on a mirror of 100,
//! 100,000 and 1,000,000 links (the pane holds a window of them, scrolled
//! to the list's end), beside a plain ratatui `Table` given every row (up to
//! 100,000); and the Overview pane at 200×50 (money, chart, attention list)
//! beside the Links pane. Targets: 1,000,000 rows at most 1.5× the cost of
//! 100; one frame under 1 ms; the Overview in line with the other panes.
//! `cargo bench --bench render`. Nothing is asserted; criterion prints.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use pik_tui::api::{LinkStatus, PaymentLink};
use pik_tui::app::input::Key;
use pik_tui::app::input::KeyCode;
use pik_tui::app::{App, Msg, Settings};
use pik_tui::store::Batch;
use pik_tui::test_support::{TestMirror, answer_all, answer_overview, numbered_link, overview_fixture, t0};
use pik_tui::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Constraint;
use ratatui::widgets::{Block, Borders, Row, Table};
use rust_decimal::Decimal;
use std::hint::black_box;

fn link(n: usize) -> PaymentLink {
    PaymentLink {
        amount: Decimal::new(n as i64 * 37 % 250_000 + 100, 2),
        currency: ["USDT", "USDC", "BTC", "ETH"][n % 4].to_string(),
        description: Some(format!("Order #{n} for a customer with a long name")),
        ..numbered_link(n as u64, [LinkStatus::Active, LinkStatus::Paid, LinkStatus::Expired][n % 3].clone())
    }
}

fn links(count: usize) -> Vec<PaymentLink> {
    (0..count).map(link).collect()
}

/// An app on a mirror of `count` links, scrolled to the end of the list.
fn app_with(count: usize) -> App {
    let mirror = TestMirror::new();
    for start in (0..count).step_by(20_000) {
        let batch: Vec<PaymentLink> = (start..count.min(start + 20_000)).map(link).collect();
        mirror.save(Batch { links: batch, ..Batch::default() });
    }
    let mut app = App::new(Settings::default(), 200, 50, t0());
    let cmds = app.update(Msg::Tick, t0());
    answer_all(&mut app, cmds, &mirror, t0());
    let cmds = app.update(Msg::Key(Key::plain(KeyCode::End)), t0());
    answer_all(&mut app, cmds, &mirror, t0());
    app
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame 200x50");
    for count in [100usize, 100_000, 1_000_000] {
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
        if count > 100_000 {
            continue;
        }
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
    let mut app = App::new(Settings::default(), 200, 50, t0());
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
