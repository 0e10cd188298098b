//! The Overview pane: the period's money per currency (a column each,
//! currencies never added together), a chart of settled volume with
//! labelled axes, and the needs-attention list. Readable at 80×24 and in
//! `mono`: the bars are block characters, the chart's currency is marked
//! by a symbol as well as by style.

use super::table::{CELL_MAX, TableRow, short_age, visible_rows};
use super::{Theme, rect};
use crate::app::App;
use crate::app::layout::{Area, OverviewAreas};
use crate::app::list::ListOps;
use crate::app::overview::AttentionItem;
use crate::human::group_thousands;
use crate::sanitize::for_terminal_truncated;
use crate::store::{CurrencyFigures, Figure, Overview, Step};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Cell, Chart, Dataset, GraphType, Paragraph, Table};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// "12345.5" → "12,345.5": money on screen, grouped, otherwise exactly as is.
pub fn grouped(amount: Decimal) -> String {
    let text = amount.to_string();
    let (sign, unsigned) = text.strip_prefix('-').map(|rest| ("-", rest)).unwrap_or(("", text.as_str()));
    let (whole, fraction) = unsigned.split_once('.').map(|(w, f)| (w, Some(f))).unwrap_or((unsigned, None));
    let whole = whole.parse::<u64>().map(group_thousands).unwrap_or_else(|_| whole.to_string());
    match fraction {
        Some(fraction) => format!("{sign}{whole}.{fraction}"),
        None => format!("{sign}{whole}"),
    }
}

/// "Europe/Berlin, UTC+01:00": the zone, with the offset in force now.
pub fn zone_words(app: &App) -> String {
    for_terminal_truncated(&app.settings.zone.words(app.now()), 60)
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Area) {
    use crate::app::overview::Period;
    let state = &app.overview;
    let zone = &app.settings.zone;
    let (first, last) = state.period.dates(zone.date_of(app.now()));
    let day = |d: chrono::NaiveDate| d.format("%a %-d %b").to_string();
    let period = match state.period {
        Period::Today => format!("today, {}", day(last)),
        Period::Yesterday => format!("yesterday, {}", day(first)),
        other => format!("{}, {} to {}", other.label(), day(first), day(last)),
    };
    let title = format!(" Overview · {period} · {} ", zone_words(app));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(!app.detail_open()))
        .title(Span::styled(title, theme.title()));
    frame.render_widget(block, rect(area));
    let areas = OverviewAreas::new(area, app.overview_partial().is_some());
    if let (Some(note), Some(ratio)) = (areas.note, app.overview_partial()) {
        let text = partial_words(app, ratio);
        frame.render_widget(Paragraph::new(Span::styled(text, theme.warning())), rect(note));
    }
    let Some(overview) = &state.shown else {
        let words = match &state.error {
            Some(error) => format!("could not compute the figures: {}", for_terminal_truncated(error, 200)),
            None => "computing the figures…".to_string(),
        };
        frame.render_widget(Paragraph::new(Span::styled(words, theme.dim())), rect(areas.money));
        return;
    };
    money(frame, overview, theme, areas.money);
    chart(frame, app, overview, theme, areas.chart);
    attention(frame, app, theme, areas.title, areas.rows);
}

/// "figures partial: mirror 43% (43,210 of about 100,000 payments)"; with
/// a mirror of rows scrolled to, that it covers only those.
fn partial_words(app: &App, ratio: f64) -> String {
    let (done, total) = app.mirror().map(|m| (m.transactions.done, m.transactions.total)).unwrap_or((0, None));
    if app.settings.store.on_demand() {
        return format!(
            "figures cover only the {} payments loaded (the mirror holds rows scrolled to)",
            group_thousands(done)
        );
    }
    let total = total.map(group_thousands).unwrap_or_else(|| "…".into());
    let percent = (ratio * 100.0).floor();
    format!("figures partial: mirror {percent}% ({} of about {total} payments)", group_thousands(done))
}

/// "42 · 12,345.67", or a dash for none.
fn figure_text(figure: Figure) -> String {
    if figure.count == 0 {
        "—".to_string()
    } else {
        format!("{} · {}", group_thousands(figure.count), grouped(figure.amount))
    }
}

/// The money table: a row per figure, a column per currency. The columns
/// shown are a window that holds the chart's currency; they sit closer
/// together when that lets every currency show.
fn money(frame: &mut Frame, overview: &Overview, theme: &Theme, area: Area) {
    const LABEL: u16 = 10;
    // (label, the status whose style it takes, the cell's text)
    type MoneyRow = (&'static str, &'static str, fn(&CurrencyFigures) -> String);
    let rows: [MoneyRow; 6] = [
        ("settled", "settled", |m| figure_text(m.settled)),
        ("confirmed", "confirmed", |m| figure_text(m.confirmed)),
        ("pending", "pending", |m| figure_text(m.pending)),
        ("failed", "failed", |m| figure_text(m.failed)),
        ("links made", "active", |m| count_text(m.links_created)),
        ("links paid", "paid", |m| count_text(m.links_paid)),
    ];
    if overview.money.is_empty() {
        let text = "no payments or links in this period";
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim())), rect(area));
        return;
    }
    let cells: Vec<Vec<String>> =
        overview.money.iter().map(|m| rows.iter().map(|(_, _, text)| text(m)).collect()).collect();
    let widths: Vec<u16> = overview
        .money
        .iter()
        .zip(&cells)
        .map(|(m, texts)| {
            let widest = texts.iter().map(|t| t.chars().count()).max().unwrap_or(0).max(m.currency.len() + 2);
            u16::try_from(widest).unwrap_or(u16::MAX).min(30)
        })
        .collect();
    // Each column takes its width and the gap before it.
    let room = area.width.saturating_sub(LABEL);
    let all = |gap: u16| widths.iter().map(|w| w + gap).sum::<u16>() <= room;
    let gap = if all(2) || !all(1) { 2 } else { 1 };
    let chosen = overview.money.iter().position(|m| Some(&m.currency) == overview.chart_currency.as_ref()).unwrap_or(0);
    // The window of columns that fits, moved right until it holds the chosen one.
    // Room for "more" marks unless every column shows.
    let room = if all(gap) { room } else { room.saturating_sub(8) };
    let fits_from = |start: usize| {
        let (mut used, mut end) = (0u16, start);
        while end < widths.len() && (end == start || used + widths[end] + gap <= room) {
            used += widths[end] + gap;
            end += 1;
        }
        end
    };
    let mut start = 0;
    while fits_from(start) <= chosen && start < chosen {
        start += 1;
    }
    let shown = start..fits_from(start);
    let mut header = vec![Cell::from(if start > 0 { "◀ more" } else { "" })];
    for m in &overview.money[shown.clone()] {
        let is_chart = Some(&m.currency) == overview.chart_currency.as_ref();
        let name = for_terminal_truncated(&m.currency, 12);
        let text = if is_chart { format!("◆ {name}") } else { name };
        let style = if is_chart { theme.title() } else { theme.header_row() };
        header.push(Cell::from(Line::from(Span::styled(text, style)).alignment(Alignment::Right)));
    }
    if shown.end < widths.len() {
        header.push(Cell::from("more ▶"));
    }
    let header = header;
    let mut table_rows = Vec::new();
    for (i, (label, status, _)) in rows.iter().enumerate() {
        let mut row = vec![Cell::from(Span::styled(*label, theme.status(status)))];
        for texts in &cells[shown.clone()] {
            let style = if texts[i] == "—" { theme.dim() } else { Style::new() };
            row.push(Cell::from(Line::from(Span::styled(texts[i].clone(), style)).alignment(Alignment::Right)));
        }
        table_rows.push(ratatui::widgets::Row::new(row));
    }
    let more = shown.end < widths.len();
    let mut constraints = vec![Constraint::Length(LABEL)];
    constraints.extend(widths[shown].iter().map(|w| Constraint::Length(*w)));
    if more {
        constraints.push(Constraint::Length(6));
    }
    let table = Table::new(table_rows, constraints)
        .header(ratatui::widgets::Row::new(header).style(theme.header_row()))
        .column_spacing(gap);
    frame.render_widget(table, rect(area));
}

fn count_text(count: u64) -> String {
    if count == 0 { "—".to_string() } else { group_thousands(count) }
}

/// The x axis's labels: the local times where bars start (hours of the
/// day, or days of the period). Ratatui spreads labels evenly, so there are
/// as many as divide the bars evenly and the width holds: a 25-hour day
/// gets one every 5 hours, a 24-hour day one every 6.
fn x_labels(app: &App, bars: &[(DateTime<Utc>, Decimal)], step: Step, width: u16) -> Vec<String> {
    let zone = &app.settings.zone;
    let count = bars.len().max(1);
    let most = match step {
        Step::Hour => 6,
        Step::Day => usize::from(width / 9).max(2),
    };
    let parts = (1..=count).rev().find(|d| count.is_multiple_of(*d) && *d < most).unwrap_or(1);
    (0..=parts)
        .map(|i| {
            let at = i * count / parts;
            match (bars.get(at), step) {
                (Some((start, _)), Step::Hour) => zone.format(*start, "%H:%M"),
                (Some((start, _)), Step::Day) => zone.format(*start, "%-d %b"),
                // The end of the last bar: the end of the period.
                (None, Step::Hour) => "24:00".to_string(),
                (None, Step::Day) => bars
                    .last()
                    .map(|(start, _)| (zone.date_of(*start) + chrono::Duration::days(1)).format("%-d %b").to_string())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn chart(frame: &mut Frame, app: &App, overview: &Overview, theme: &Theme, area: Area) {
    if area.height < 3 {
        return;
    }
    let Some(currency) = &overview.chart_currency else {
        frame.render_widget(Paragraph::new(Span::styled("no settled payments to chart", theme.dim())), rect(area));
        return;
    };
    let currency = for_terminal_truncated(currency, 12);
    let step = app.overview.period.step();
    let bars = overview.chart.len().max(1);
    let highest = overview.chart.iter().map(|(_, v)| *v).max().unwrap_or(Decimal::ZERO);
    let total: Decimal = overview.chart.iter().map(|(_, v)| *v).sum();
    // Plotted in floating point; every number written on screen is exact.
    let points: Vec<(f64, f64)> = overview
        .chart
        .iter()
        .enumerate()
        .filter(|(_, (_, v))| !v.is_zero())
        .map(|(i, (_, v))| (i as f64 + 0.5, v.to_f64().unwrap_or(0.0)))
        .collect();
    let top = highest.to_f64().unwrap_or(0.0).max(f64::MIN_POSITIVE);
    let per = if step == Step::Hour { "hour" } else { "day" };
    let dataset =
        Dataset::default().marker(Marker::Block).graph_type(GraphType::Bar).style(theme.chart()).data(&points);
    let x_labels = x_labels(app, &overview.chart, step, area.width);
    let y_labels =
        vec![Span::raw("0"), Span::raw(grouped((highest / Decimal::TWO).normalize())), Span::raw(grouped(highest))];
    let title = format!("settled {currency} per {per} · {} in all", grouped(total));
    let chart = Chart::new(vec![dataset])
        .x_axis(Axis::default().bounds([0.0, bars as f64]).labels(x_labels).style(theme.dim()))
        .y_axis(
            Axis::default()
                .title(Span::styled(title, theme.title()))
                .bounds([0.0, top])
                .labels(y_labels)
                .style(theme.dim()),
        )
        .legend_position(None);
    frame.render_widget(chart, rect(area));
}

fn attention(frame: &mut Frame, app: &App, theme: &Theme, title: Area, rows: Area) {
    let list = &app.overview.list;
    let count = list.total().unwrap_or(0);
    let cases = app.overview.shown.as_ref().map_or(0, |o| o.cases.len());
    let of_cases =
        |c: usize| if c == 1 { "1 case".to_string() } else { format!("{} cases", group_thousands(c as u64)) };
    let (words, style) = match (count, cases) {
        (0, _) => ("nothing needs attention".to_string(), theme.ok()),
        (n, c) if c as u64 == n => (of_cases(c), theme.warning()),
        (1, _) => ("1 needs attention".to_string(), theme.warning()),
        (n, c) => (format!("{} need attention ({})", group_thousands(n), of_cases(c)), theme.warning()),
    };
    // Which cases, when not the open ones.
    let filter = app.overview.case_filter;
    let filtered = (filter != crate::app::overview::CasesShown::Open).then(|| format!("  {} (f)", filter.words()));
    let hint = if count > 0 { "  ⏎ opens" } else { "" };
    let line = Line::from(vec![
        Span::styled(words, style),
        Span::styled(filtered.unwrap_or_default(), theme.title()),
        Span::styled(hint, theme.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), rect(title));
    if count == 0 {
        return;
    }
    let rows_shown = visible_rows(app, list, usize::from(rows.height), &super::table::Layout::fixed(), theme);
    frame.render_widget(
        Table::new(rows_shown, super::table::marker_width(app, AttentionItem::widths())).column_spacing(1),
        rect(rows),
    );
}

impl TableRow for AttentionItem {
    const NOUN: &'static str = "items needing attention";

    fn headers() -> &'static [&'static str] {
        &["", "WHAT", "LINK", "EXPECTED", "DIFFERENCE", "CUR", "SINCE", "CLAIMED", "ABOUT"]
    }

    fn widths() -> Vec<Constraint> {
        vec![
            // Amounts, currency and age are never cut (a cut amount is a
            // false one): Min outranks Length, so the words give way first.
            Constraint::Length(1),
            Constraint::Length(13),
            Constraint::Length(16),
            Constraint::Min(12),
            Constraint::Min(11),
            Constraint::Min(5),
            Constraint::Min(4),
            // Who has it: a name, the first to give way when room is short.
            Constraint::Max(9),
            Constraint::Fill(1),
        ]
    }

    fn cells(&self, now: DateTime<Utc>, theme: &Theme) -> Vec<Cell<'static>> {
        let words = self.case().map_or(self.words(), |case| case.kind.short());
        let what =
            Cell::from(Span::styled(words, if self.webhook().is_some() { theme.error() } else { theme.warning() }));
        let id = Cell::from(for_terminal_truncated(crate::app::resource::Resource::id(self), CELL_MAX));
        let right = |text: String| Cell::from(Line::from(text).alignment(Alignment::Right));
        match self {
            AttentionItem::Case(case) => {
                let expected = case.expected.map(grouped).unwrap_or_else(|| "?".into());
                let difference = match case.difference() {
                    Some(d) if d.is_zero() => String::new(),
                    Some(d) if d.is_sign_positive() => format!("+{}", grouped(d)),
                    Some(d) => format!("−{}", grouped(-d)),
                    None => "?".into(),
                };
                let about = for_terminal_truncated(case.description.as_deref().unwrap_or("—"), CELL_MAX);
                let claimed = case.claimed.as_ref().map_or_else(|| "—".into(), |(by, _)| for_terminal_truncated(by, 9));
                vec![
                    what,
                    id,
                    right(expected),
                    right(difference),
                    Cell::from(for_terminal_truncated(&case.currency, 8)),
                    Cell::from(short_age(now, case.since)),
                    Cell::from(claimed),
                    Cell::from(Span::styled(about, theme.dim())),
                ]
            }
            AttentionItem::Refused { at, reason, .. } => {
                let about = Span::styled(for_terminal_truncated(reason, CELL_MAX), theme.dim());
                vec![
                    what,
                    id,
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(short_age(now, *at)),
                    Cell::from(""),
                    Cell::from(about),
                ]
            }
            AttentionItem::WebhookDisabled(hook) => {
                let about = Span::styled(for_terminal_truncated(&hook.url, CELL_MAX), theme.dim());
                let empty = || Cell::from("");
                vec![what, id, empty(), empty(), empty(), Cell::from("—"), empty(), Cell::from(about)]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::dec;

    #[test]
    fn money_is_grouped_and_otherwise_exact() {
        for (amount, shown) in [
            ("1234567.891", "1,234,567.891"),
            ("75.00", "75.00"),
            ("0.00012345", "0.00012345"),
            ("-1000", "-1,000"),
            ("999", "999"),
        ] {
            assert_eq!(grouped(dec(amount)), shown);
        }
    }
}
