//! The case view: an overlay with what went wrong, the next step, and the
//! order's story, every time in the agent's zone (named in the title).

use super::help::{aligned, inner_width, overlay};
use super::theme::Theme;
use crate::app::App;
use crate::app::case_view::CaseView;
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
    let last = match (underpaid, has_case) {
        (true, _) => "b balance link for what is missing   c copy a reply to the customer   any other key closes",
        (false, true) => "c copy a reply to the customer   any other key closes",
        (false, false) => "any other key closes",
    };
    overlay(frame, app, theme, &title, lines, last, view.scroll);
}
