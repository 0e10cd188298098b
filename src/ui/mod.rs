//! Drawing one frame from `&App`. No state changes, no I/O. Every string
//! that came from the API goes through `sanitize` before it is drawn.

mod ascii;
mod case_view;
mod cells;
mod columns;
mod detail;
mod forms;
mod help;
pub mod hyperlinks;
mod overview;
mod result_view;
mod table;
mod theme;

pub use ascii::utf8_locale;
pub use theme::{ColorOverride, Theme, ThemeError, ThemeName};

use crate::app::keymap::Context;
use crate::app::layout::{Area, tab_spans};
use crate::app::list::ListOps;
use crate::app::{App, Environment, Mode, Pane};
use crate::human::age_words;
use crate::sanitize::{for_terminal, for_terminal_truncated};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub(crate) fn rect(area: Area) -> Rect {
    Rect::new(area.x, area.y, area.width, area.height)
}

/// Draws the whole screen; in ASCII when the terminal's locale is not UTF-8.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    draw_frame(frame, app, theme);
    if app.settings.ascii {
        ascii::only(frame.buffer_mut());
    }
}

fn draw_frame(frame: &mut Frame, app: &App, theme: &Theme) {
    let full = frame.area();
    let screen = app.screen();
    if screen.too_small || full.width < app.size().0 || full.height < app.size().1 {
        let text = format!(
            "terminal too small: {}×{}, need {}×{}",
            full.width,
            full.height,
            crate::app::layout::MIN_WIDTH,
            crate::app::layout::MIN_HEIGHT
        );
        frame.render_widget(Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }), full);
        return;
    }
    header(frame, app, theme, screen.header);
    if app.pane() == Pane::Overview {
        overview::draw(frame, app, theme, screen.table);
    } else {
        table::draw(frame, app, theme, screen.table);
    }
    if let Some(area) = screen.detail {
        detail::draw(frame, app, theme, area);
    }
    if let Some(area) = screen.popup {
        frame.render_widget(Clear, rect(area));
        detail::draw(frame, app, theme, area);
    }
    footer(frame, app, theme, screen.footer);
    match app.mode() {
        Mode::Help { scroll } => help::draw(frame, app, theme, *scroll),
        Mode::Alerts { scroll } => help::alerts(frame, app, theme, *scroll),
        Mode::Audit(view) => help::audit(frame, app, theme, view),
        Mode::Case(view) => case_view::draw(frame, app, theme, view),
        Mode::NewLink(form) => forms::link_form(frame, app, theme, form),
        Mode::Created(created) => result_view::draw(frame, app, theme, created),
        Mode::Deactivate(confirm) => forms::confirm_deactivate(frame, app, theme, confirm),
        Mode::NewWebhook(form) => forms::webhook_form(frame, app, theme, form),
        Mode::Secret(dialog) => forms::secret(frame, app, theme, dialog),
        Mode::Verify(form) => forms::verify(frame, app, theme, form),
        Mode::Export(form) => forms::export_form(frame, app, theme, form),
        Mode::Normal | Mode::Filter(_) | Mode::Search(_) | Mode::Command(_) => {}
    }
}

fn header(frame: &mut Frame, app: &App, theme: &Theme, area: Area) {
    let area = rect(area);
    let (start, labels) = app.header_tabs();
    let mut spans = Vec::new();
    if start > 0 {
        spans.push(Span::styled(" pik-tui ", theme.title()));
    }
    let spans_at = tab_spans(&labels, start);
    let mut x = if start > 0 { u16::try_from(" pik-tui ".len()).unwrap_or(0) } else { 0 };
    for ((label, (start, _)), tab) in labels.iter().zip(&spans_at).zip(app.tabs()) {
        if *start > x {
            spans.push(Span::raw(" ".repeat(usize::from(*start - x))));
        }
        let style = if tab == app.tab() { theme.tab_active() } else { theme.tab() };
        spans.push(Span::styled(label.clone(), style));
        x = start + u16::try_from(unicode_width::UnicodeWidthStr::width(label.as_str())).unwrap_or(0);
    }
    let left = Line::from(spans);

    let env_label = app.settings.environment.label();
    let env_style = match app.settings.environment {
        Environment::Live => theme.live(),
        Environment::Test => theme.test(),
        Environment::Sandbox => theme.sandbox(),
        Environment::Unknown => theme.test(),
    };
    let env = || Span::styled(env_label, env_style);
    // Who acts (what the audit log and a claim say): the first to go when room is short.
    let agent = Span::styled(format!("{} ", for_terminal_truncated(&app.settings.agent, 24)), theme.dim());
    let mut named = Vec::new();
    if let Some(profile) = &app.settings.profile {
        named.push(Span::styled(format!("{} ", for_terminal(profile)), theme.dim()));
    }
    // The zone every time on screen is shown in.
    named.push(Span::styled(format!("{} ", for_terminal_truncated(app.settings.zone.name(), 30)), theme.dim()));
    let read_only = app.settings.read_only.then(|| Span::styled("read-only ", theme.dim()));
    let mut shared = None;
    if let Some(status) = app.mirror().filter(|m| matches!(m.phase, crate::sync::Phase::Shared { .. })) {
        let words = for_terminal(&status.words(app.now())).into_owned();
        // No sync keeping the mirror is loud: the team's panes are on PIK's budget.
        let (style, short) = match (status.shared_trouble(), status.synced_at) {
            (Some(crate::sync::SharedTrouble::Unreachable(_)), _) => {
                (theme.error(), "✕ shared mirror: out of reach ".into())
            }
            (Some(_), _) => (theme.error(), "✕ shared mirror: no sync ".to_string()),
            (None, Some(at)) => (theme.dim(), format!("shared · {} ", age_words(app.now() - at))),
            (None, None) => (theme.dim(), "shared ".to_string()),
        };
        shared = Some((Span::styled(format!("{words} "), style), Span::styled(short, style)));
    }
    let (words, style) = connection_words(app, theme);
    let connection = Span::styled(words, style);
    // From the fullest to the label alone, which always fits: the tabs
    // left room for it.
    let mut candidates = Vec::new();
    let mut full = named.clone();
    full.extend(read_only.clone());
    full.extend(shared.as_ref().map(|(long, _)| long.clone()));
    full.extend([env(), connection.clone()]);
    candidates.push(Line::from([vec![agent.clone()], full.clone()].concat()));
    candidates.push(Line::from(full));
    let mut shorter: Vec<Span> = read_only.into_iter().collect();
    shorter.extend(shared.map(|(_, short)| short));
    shorter.extend([env(), connection.clone()]);
    // Who acts outlasts the profile and the zone: claims and the log say it.
    candidates.push(Line::from([vec![agent], shorter.clone()].concat()));
    candidates.push(Line::from(shorter));
    candidates.push(Line::from(vec![env(), connection.clone()]));
    // The rows marked in this pane, what a bulk action acts on: they go
    // only with the connection's state; the label never goes.
    let marked = app.marks(app.pane()).len();
    if marked > 0 {
        let count = Span::styled(format!("{} marked ", crate::human::group_thousands(marked as u64)), theme.title());
        for candidate in &mut candidates {
            candidate.spans.insert(0, count.clone());
        }
        candidates.push(Line::from(vec![count, env()]));
    }
    candidates.push(Line::from(env()));
    let left_width = u16::try_from(left.width()).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(left), area);
    for candidate in candidates {
        let width = u16::try_from(candidate.width()).unwrap_or(u16::MAX);
        if u32::from(left_width) + u32::from(width) < u32::from(area.width) || candidate.spans.len() == 1 {
            let width = width.min(area.width);
            let right_area = Rect::new(area.x + area.width - width, area.y, width, 1);
            frame.render_widget(Clear, right_area);
            frame.render_widget(Paragraph::new(candidate), right_area);
            break;
        }
    }
}

/// The connection's state in a few words: live, stale, offline, paused.
fn connection_words(app: &App, theme: &Theme) -> (String, Style) {
    use crate::app::Connection;
    let connection = app.connection();
    let style = match connection {
        Connection::Switching(_) | Connection::Paused | Connection::Stale => theme.warning(),
        Connection::Listening | Connection::Live => theme.ok(),
        Connection::Offline | Connection::Error => theme.error(),
        Connection::Connecting => theme.dim(),
    };
    (connection.words(), style)
}

/// The keymap context of what is on screen, for the footer's hints.
fn key_context(app: &App) -> Option<Context> {
    match app.mode() {
        Mode::Normal => Some(Context::Pane(app.pane())),
        mode => mode.dialog().and_then(|d| d.context()),
    }
}

/// The footer: what the keys do here (from the keymap), and on the right
/// the data's age or what went wrong, in words.
fn footer(frame: &mut Frame, app: &App, theme: &Theme, area: Area) {
    let area = rect(area);
    // While typing, the footer is the input line.
    let typing = match app.mode() {
        Mode::Command(prompt) => Some((":", prompt, "⏎ go  esc cancel   paste an id: pl_… txn_… wh_…")),
        Mode::Filter(prompt) => Some(("/", prompt, "filters loaded rows as you type  ⏎ keep  esc undo")),
        Mode::Search(prompt) => {
            // A filter that cannot be read says so here, where it is typed.
            let problems = app.search_view(app.pane()).map(|view| view.query().problems.join("; "));
            match problems.filter(|p| !p.is_empty()) {
                Some(problems) => {
                    let text = for_terminal_truncated(&problems, 200);
                    let mut spans = vec![Span::styled("/", theme.title())];
                    let room = usize::from(area.width.saturating_sub(2));
                    spans.extend(forms::field(&prompt.input, room.min(60), true, false));
                    spans.push(Span::styled(format!("   {text}"), theme.warning()));
                    frame.render_widget(Paragraph::new(Line::from(spans)), area);
                    return;
                }
                None => Some(("/", prompt, "searches the mirror as you type  ⏎ keep  esc undo")),
            }
        }
        _ => None,
    };
    if let Some((sign, prompt, hint)) = typing {
        let mut spans = vec![Span::styled(sign, theme.title())];
        let room = usize::from(area.width.saturating_sub(2));
        spans.extend(forms::field(&prompt.input, room.min(80), true, false));
        spans.push(Span::styled(format!("   {hint}"), theme.dim()));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    let hints = match key_context(app) {
        Some(context) => app.settings.keymap.hints(context, app.settings.read_only, |a| app.offers(a)),
        None => Vec::new(),
    };
    let (words, style) = status_words(app, theme);
    let width = |text: &str| u16::try_from(unicode_width::UnicodeWidthStr::width(text)).unwrap_or(u16::MAX);
    // The mirror's words go before the status words, in full where there is
    // room beside a few hints, else short, else not at all.
    let mut right = vec![Span::styled(words.clone(), style)];
    if let Some(run) = app.export_run() {
        let ratio = if run.total == 0 { 0.0 } else { run.done as f64 / run.total as f64 };
        let text = format!(
            "exporting {} {} of {} · ",
            bar(ratio, 8),
            crate::human::group_thousands(run.done),
            crate::human::group_thousands(run.total)
        );
        right.insert(0, Span::styled(text, theme.warning()));
    }
    if let Some((full, short, mirror_style)) = mirror_words(app) {
        let room = area.width.saturating_sub(width(&words)).saturating_sub(36);
        if let Some(text) = [full, short].into_iter().find(|t| width(t) + 3 <= room) {
            right.insert(0, Span::styled(format!("{text} · "), mirror_style));
        }
    }
    let right = Line::from(right);
    let right_width = u16::try_from(right.width()).unwrap_or(u16::MAX);
    // Whole hints only, as many as fit beside the status words.
    let room = usize::from(area.width.saturating_sub(right_width).saturating_sub(2));
    let mut shown = String::new();
    for hint in hints {
        let next = format!("{shown} {} {} ", hint.keys, hint.words);
        if unicode_width::UnicodeWidthStr::width(next.as_str()) > room {
            break;
        }
        shown = next;
    }
    frame.render_widget(Paragraph::new(Span::styled(shown, theme.dim())), area);
    let right_width = right_width.min(area.width);
    let right_area = Rect::new(area.x + area.width - right_width, area.y, right_width, 1);
    frame.render_widget(Paragraph::new(right), right_area);
}

/// A bar of `cells` cells, filled to `ratio`.
fn bar(ratio: f64, cells: usize) -> String {
    let filled = ((ratio.clamp(0.0, 1.0) * cells as f64).round() as usize).min(cells);
    format!("▕{}{}▏", "█".repeat(filled), "░".repeat(cells - filled))
}

/// The mirror's state for the footer: in full, short, and its style.
fn mirror_words(app: &App) -> Option<(String, String, Style)> {
    let status = app.mirror()?;
    let words = status.words(app.now());
    let (full, short, style) = phase_words(status, words)?;
    // Where the rows are kept, when that is worth saying.
    Some(match app.settings.store.words() {
        Some(kept) => (format!("{full} · {}", for_terminal(&kept)), "in memory".into(), style),
        None => (full, short, style),
    })
}

/// The sync's phase for the footer: in full, short, and its style.
fn phase_words(status: &crate::sync::MirrorStatus, words: String) -> Option<(String, String, Style)> {
    use crate::sync::Phase;
    let theme_less = Style::new();
    Some(match &status.phase {
        Phase::Backfilling { .. } => {
            let percent = (status.ratio() * 100.0).floor();
            (format!("{} {words}", bar(status.ratio(), 10)), format!("mirror {percent}%"), theme_less)
        }
        Phase::UpToDate => ("mirror up to date".into(), "mirror ✓".into(), theme_less),
        Phase::Incomplete => (words, "mirror incomplete".into(), theme_less),
        Phase::Refreshing { done, total, .. } => (words, format!("checking {done}/{total}"), theme_less),
        Phase::Failing(_) | Phase::Elsewhere | Phase::Starting => (words, "mirror …".into(), theme_less),
        // The header says it, where the whole team's state belongs.
        Phase::Shared { .. } => return None,
    })
}

/// "updated just now", or the last error in words a person understands.
pub fn status_words(app: &App, theme: &Theme) -> (String, Style) {
    if let Some(notice) = app.notice() {
        let style = if notice.is_error { theme.error() } else { theme.ok() };
        return (format!("{} ", for_terminal(&notice.text)), style);
    }
    if let Some(run) = app.bulk_run() {
        return (format!("{} ", run.progress()), theme.warning());
    }
    if let Some(alert) = app.alert() {
        let more = match app.alert_log().unread {
            0 | 1 => String::new(),
            unread => format!(" · {} more: :alerts", unread - 1),
        };
        return (format!(" 🔔 {}{more} ", for_terminal(&alert.text)), theme.alert());
    }
    if app.pane() == crate::app::Pane::Overview {
        return match (&app.overview.error, app.overview.computed_at) {
            (Some(error), _) => (format!("the mirror failed: {} ", for_terminal(error)), theme.error()),
            (None, Some(at)) => (format!("figures from the mirror, {} ", age_words(app.now() - at)), theme.dim()),
            (None, None) => ("computing… ".to_string(), theme.dim()),
        };
    }
    if app.pane() == crate::app::Pane::Events {
        let count = app.events.total().unwrap_or(0);
        return (format!("{count} verified events received "), theme.dim());
    }
    // One source of freshness: what the sync last heard from PIK.
    let now = app.now();
    if let Some(at) = app.paused_at() {
        return (
            format!("paused {}: the rows shown stay as they were (p resumes) ", age_words(now - at)),
            theme.warning(),
        );
    }
    if let Some(trouble) = app.trouble() {
        let retry_in = (trouble.retry_at - now).num_seconds().max(0);
        let age = app.fresh_at().map(|t| age_words(now - t));
        let words = match (trouble.status, age) {
            (Some(401), _) => "API key rejected (401): check the key or profile".to_string(),
            (Some(403), _) => "API key not allowed to read this (403)".to_string(),
            (Some(429), _) => format!("rate limited, retrying in {retry_in} s"),
            (_, Some(age)) if trouble.unreachable => format!("PIK unreachable, showing data from {age}"),
            (_, None) if trouble.unreachable => format!("PIK unreachable, retrying in {retry_in} s"),
            (_, Some(age)) => {
                format!("{}, showing data from {age}, retrying in {retry_in} s", for_terminal(&trouble.summary))
            }
            (_, None) => format!("{}, retrying in {retry_in} s", for_terminal(&trouble.summary)),
        };
        return (format!("{words} "), theme.error());
    }
    match app.fresh_at() {
        Some(at) => {
            let style = if app.is_stale() { theme.warning() } else { theme.dim() };
            (format!("updated {} ", age_words(now - at)), style)
        }
        None => ("loading… ".to_string(), theme.dim()),
    }
}

/// Bold for new and changed rows.
pub(crate) fn emphasised(style: Style) -> Style {
    style.add_modifier(Modifier::BOLD)
}
