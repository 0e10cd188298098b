//! The result of a create: the checkout URL in full, a QR code a phone can
//! scan, and copy. On a wide screen the code stands beside the link's
//! details in a box sized to them; on a narrow one, below them, full screen.

use super::Theme;
use crate::app::App;
use crate::app::dialogs::CreatedLink;
use crate::sanitize::{for_terminal, for_terminal_truncated};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// The narrowest details column worth putting beside the code.
const DETAILS_MIN: u16 = 44;
/// Label column of the details.
const LABEL: usize = 13;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, created: &CreatedLink) {
    let (width, height) = app.size();
    // Between the header and the footer, whose hints are this view's keys.
    let screen = Rect::new(0, 1, width, height.saturating_sub(2));
    let url = created.link.url.as_deref().unwrap_or("(no URL in PIK's answer)");
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(" Payment link created ", theme.title()));
    if let Some(qr) = &created.qr {
        let qr_height = u16::try_from(qr.len()).unwrap_or(u16::MAX);
        let qr_width = u16::try_from(qr.first().map(|l| l.chars().count()).unwrap_or(0)).unwrap_or(u16::MAX);
        let url_width = u16::try_from(url.chars().count()).unwrap_or(u16::MAX);
        // Code, a gap of two, the details; borders and a margin of one each side.
        let details = url_width.saturating_add(2).clamp(DETAILS_MIN, 90);
        let wanted = qr_width.saturating_add(details).saturating_add(6);
        let fits_beside = screen.width >= qr_width.saturating_add(DETAILS_MIN).saturating_add(6)
            && screen.height >= qr_height.saturating_add(2);
        if fits_beside {
            let box_width = wanted.min(screen.width);
            let box_height = qr_height.saturating_add(2).min(screen.height);
            let area = Rect::new(
                screen.x + (screen.width - box_width) / 2,
                screen.y + (screen.height - box_height) / 2,
                box_width,
                box_height,
            );
            frame.render_widget(Clear, area);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let code = Rect::new(inner.x + 1, inner.y, qr_width.min(inner.width), qr_height.min(inner.height));
            frame.render_widget(Paragraph::new(qr_lines(qr)), code);
            let left = code.x + code.width + 2;
            let text = Rect::new(
                left,
                inner.y + 1,
                (inner.x + inner.width).saturating_sub(left + 1),
                inner.height.saturating_sub(1),
            );
            frame.render_widget(Paragraph::new(detail_lines(created, url, theme)).wrap(Wrap { trim: false }), text);
            return;
        }
    }
    narrow(frame, screen, block, created, url, theme);
}

/// The code in white on black with its quiet zone: readable on any theme.
fn qr_lines(qr: &[String]) -> Vec<Line<'static>> {
    let style = Style::new().fg(Color::White).bg(Color::Black);
    qr.iter().map(|row| Line::from(Span::styled(row.clone(), style))).collect()
}

fn detail_lines<'a>(created: &CreatedLink, url: &str, theme: &Theme) -> Vec<Line<'a>> {
    let link = &created.link;
    let row = |label: &'static str, value: String, style: Style| {
        Line::from(vec![Span::styled(format!("{label:<LABEL$}"), theme.dim()), Span::styled(value, style)])
    };
    let mut lines = vec![
        row("id", for_terminal_truncated(&link.id, 60), theme.title()),
        row("amount", format!("{} {}", link.amount, for_terminal_truncated(&link.currency, 10)), Style::new()),
        row("description", for_terminal_truncated(link.description.as_deref().unwrap_or("—"), 200), Style::new()),
        Line::from(""),
        Line::from(Span::styled("checkout URL", theme.dim())),
        // In full, wrapping if it must: it is what the customer gets.
        Line::from(Span::styled(for_terminal(url).into_owned(), Style::new().add_modifier(Modifier::BOLD))),
        Line::from(""),
    ];
    lines.push(if created.copied {
        Line::from(Span::styled("copied ✓", theme.ok()))
    } else {
        Line::from(Span::styled("y copies the URL, n makes another link", theme.dim()))
    });
    lines
}

/// Details above, the code below (or why it is not there).
fn narrow(frame: &mut Frame, area: Rect, block: Block, created: &CreatedLink, url: &str, theme: &Theme) {
    let link = &created.link;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(for_terminal_truncated(&link.id, 60), theme.title()),
            Span::raw(format!("   {} {}   ", link.amount, for_terminal_truncated(&link.currency, 10))),
            Span::raw(for_terminal_truncated(link.description.as_deref().unwrap_or(""), 200)),
        ]),
        Line::from(Span::styled(for_terminal(url).into_owned(), Style::new().add_modifier(Modifier::BOLD))),
    ];
    let copied = if created.copied { Span::styled("  copied ✓", theme.ok()) } else { Span::raw("") };
    lines.push(Line::from(vec![Span::styled("y copy URL   n another link   esc back to links", theme.dim()), copied]));
    let text_rows = 2 + u16::try_from(url.chars().count() / usize::from(area.width.max(3) - 2) + 1).unwrap_or(1);
    match &created.qr {
        Some(qr) => {
            let qr_height = u16::try_from(qr.len()).unwrap_or(u16::MAX);
            let qr_width = u16::try_from(qr.first().map(|l| l.chars().count()).unwrap_or(0)).unwrap_or(u16::MAX);
            let room_rows = area.height.saturating_sub(text_rows + 3);
            if qr_height <= room_rows && qr_width + 2 <= area.width {
                lines.push(Line::from(""));
                lines.extend(qr_lines(qr));
            } else {
                lines.push(Line::from(Span::styled(
                    format!(
                        "The terminal is too small for the QR code (it needs {}×{}); the URL above is complete.",
                        qr_width + 2,
                        qr_height + text_rows + 3
                    ),
                    theme.warning(),
                )));
            }
        }
        None => lines.push(Line::from(Span::styled("No QR code could be made of this URL.", theme.warning()))),
    }
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}
