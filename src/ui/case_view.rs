//! The case view: an overlay with what went wrong, the next step, and the
//! order's story, every time in the agent's zone (named in the title).

use super::help::{aligned, inner_width, overlay};
use super::theme::Theme;
use crate::app::App;
use crate::app::case_view::CaseView;
use crate::cases::CaseAct;
use crate::sanitize::{for_terminal, for_terminal_truncated};
use ratatui::Frame;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, view: &CaseView) {
    let zone = &app.settings.zone;
    let width = inner_width(app);
    let mut lines: Vec<Line> = Vec::new();
    let case = view.case(app);
    match (&view.order, &view.error, &case) {
        (_, Some(error), _) => lines.push(Line::from(Span::styled(
            format!(" the mirror could not be read: {}", for_terminal_truncated(error, 200)),
            theme.error(),
        ))),
        (None, None, _) => lines.push(Line::from(Span::styled(" reading the order from the mirror…", theme.dim()))),
        (Some(order), None, _) if order.link.is_none() && order.payments.is_empty() => {
            lines.push(Line::from(Span::styled(" nothing of this link is in the mirror yet", theme.dim())))
        }
        (Some(_), None, None) => {
            lines.push(Line::from(Span::styled(" no case: this order is as it should be", theme.ok())))
        }
        (Some(_), None, Some(case)) => {
            let met: Vec<&str> = case.met.iter().map(|kind| kind.words()).collect();
            lines.push(Line::from(Span::styled(format!(" {}", met.join(", ")), theme.warning())));
            if let Some(step) = view.next_step(app) {
                for line in textwrap::wrap(&for_terminal(&step), width.saturating_sub(2).max(10)) {
                    lines.push(Line::from(format!(" {line}")));
                }
            }
        }
    }
    handling_lines(app, theme, view, width, &mut lines);
    if let Some(reply) = &view.reply {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(" the reply, copied:", theme.dim())));
        for line in textwrap::wrap(&for_terminal(reply), width.saturating_sub(2).max(10)) {
            lines.push(Line::from(format!(" {line}")));
        }
    }
    if let Some(order) = &view.order {
        lines.push(Line::from(""));
        let story = crate::cases::timeline(order, app.events.rows());
        let rows: Vec<(String, String)> = story
            .iter()
            .map(|moment| (zone.format(moment.at, "%Y-%m-%d %H:%M"), for_terminal(&moment.what).into_owned()))
            .collect();
        lines.extend(aligned(&rows, theme, width));
    }
    let title =
        format!("case of {} · {}", for_terminal_truncated(&view.link_id, 40), for_terminal_truncated(zone.name(), 30));
    let has_case = case.is_some();
    let underpaid = case.is_some_and(|c| c.kind == crate::cases::CaseKind::Underpaid);
    let mine = app.case_handling().and_then(|h| h.claimed).is_some_and(|(by, _)| by == app.settings.agent);
    let claim = if mine { "m release" } else { "m claim" };
    let last = match (&view.editing, underpaid, has_case) {
        (Some(edit), _, _) if edit.sent.is_some() => "sending…".to_string(),
        (Some(edit), _, _) if edit.act == CaseAct::Note => {
            "Enter adds the note   Alt+Enter a new line   Esc drops it".into()
        }
        (Some(_), _, _) => "Enter resolves   Esc drops the reason".into(),
        (None, true, _) => {
            format!("b balance link   c copy a reply   {claim}   R resolve   n note   O reopen   other keys close")
        }
        (None, false, true) => format!("c copy a reply   {claim}   R resolve   n note   O reopen   other keys close"),
        (None, false, false) => format!("{claim}   n note   O reopen   other keys close"),
    };
    overlay(frame, app, theme, &title, lines, &last, view.scroll);
}

/// Who has the case, whether it is resolved (or opened again by its
/// payments), and the reason or note being typed.
fn handling_lines(app: &App, theme: &Theme, view: &CaseView, width: usize, lines: &mut Vec<Line<'static>>) {
    let Some(handling) = app.case_handling() else { return };
    let facts = view.order.as_ref().map(|order| order.facts());
    let ago = |at| crate::human::age_words(app.now() - at);
    let wrap = |text: &str| {
        textwrap::wrap(&for_terminal(text), width.saturating_sub(2).max(10))
            .into_iter()
            .map(|l| l.into_owned())
            .collect::<Vec<_>>()
    };
    // Others with the case open (a shared store): their heartbeats lapse.
    let looking = view.order.iter().flat_map(|order| &order.looking);
    for (who, _) in looking.filter(|(who, until)| *who != app.settings.agent && *until > app.now()) {
        lines.push(Line::from(Span::styled(
            format!(" {} is looking at this", for_terminal_truncated(who, 40)),
            theme.warning(),
        )));
    }
    if let Some((by, at)) = &handling.claimed {
        let who = if *by == app.settings.agent { "you".to_string() } else { for_terminal_truncated(by, 40) };
        lines.push(Line::from(Span::styled(format!(" claimed by {who}, {}", ago(*at)), theme.title())));
    }
    if let Some(resolved) = handling.resolved_now(facts.as_ref()) {
        let text = format!("resolved by {} {}: {}", resolved.by, ago(resolved.at), resolved.reason);
        lines.extend(wrap(&text).into_iter().map(|l| Line::from(Span::styled(format!(" {l}"), theme.ok()))));
    } else if let Some(why) = handling.reopened_because(facts.as_ref()) {
        let text = format!("open again: the payments changed since it was resolved ({why})");
        lines.extend(wrap(&text).into_iter().map(|l| Line::from(Span::styled(format!(" {l}"), theme.warning()))));
    }
    let Some(edit) = &view.editing else { return };
    lines.push(Line::from(""));
    let what = if edit.act == CaseAct::Note { "the note" } else { "why it is resolved (one line)" };
    let state = if edit.sent.is_some() { " — sending…" } else { "" };
    lines.push(Line::from(Span::styled(format!(" {what}{state}"), theme.dim())));
    for line in &edit.lines {
        lines.push(Line::from(format!(" │ {}", for_terminal(line))));
    }
    lines.push(Line::from(vec![
        Span::raw(format!(" │ {}", for_terminal(edit.input.value()))),
        Span::styled("▏", theme.title()),
    ]));
    if let Some(error) = &edit.error {
        lines.push(Line::from(Span::styled(format!(" {}", for_terminal_truncated(error, 200)), theme.error())));
    }
}
