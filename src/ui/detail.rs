//! The detail of one object: every field, the link's transactions, the
//! transaction's timeline. URLs and hashes are shown in full, wrapped.

use super::table::short_age;
use super::theme::status_glyph;
use super::{Theme, rect};
use crate::api::{EventEnvelope, PaymentLink, Transaction, TransactionStatus, Webhook};
use crate::app::App;
use crate::app::Subject;
use crate::app::layout::Area;
use crate::sanitize::{for_terminal, for_terminal_truncated};
use crate::zone::Zone;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

struct Ctx<'a> {
    theme: &'a Theme,
    now: DateTime<Utc>,
    zone: &'a Zone,
}

impl Ctx<'_> {
    /// "10:30:00 CET (2 h ago)" in the agent's zone, with the offset in
    /// force then; with the date when not today.
    fn when(&self, time: &DateTime<Utc>) -> String {
        let today = self.zone.date_of(self.now) == self.zone.date_of(*time);
        let shown =
            if today { self.zone.format(*time, "%H:%M:%S") } else { self.zone.format(*time, "%Y-%m-%d %H:%M:%S") };
        let age = short_age(self.now, *time).replace("now", "0s");
        format!("{shown} {} ({age} ago)", self.zone.abbreviation(*time))
    }

    fn field(&self, name: &str, value: String) -> Line<'static> {
        Line::from(vec![Span::styled(format!("{name:<10} "), self.theme.dim()), Span::raw(value)])
    }

    fn status(&self, name: &str, status: &str) -> Line<'static> {
        Line::from(vec![
            Span::styled(format!("{name:<10} "), self.theme.dim()),
            Span::styled(
                format!("{} {}", status_glyph(status), for_terminal_truncated(status, 30)),
                self.theme.status(status),
            ),
        ])
    }
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Area) {
    let ctx = Ctx { theme, now: app.now(), zone: &app.settings.zone };
    let (title, lines) = match app.subject() {
        Some(Subject::Link(link)) => (link.id.clone(), link_lines(&ctx, link, app)),
        Some(Subject::Transaction(txn)) => (txn.id.clone(), transaction_lines(&ctx, txn, app)),
        Some(Subject::Webhook(hook)) => (hook.id.clone(), webhook_lines(&ctx, hook)),
        Some(Subject::Event(event)) => (event.id.clone(), event_lines(&ctx, event)),
        None => (String::new(), Vec::new()),
    };
    let focused = app.detail_open();
    let hint = if focused { " esc back " } else { " ⏎ open " };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(format!(" {} ", for_terminal_truncated(&title, 40)), theme.title()))
        .title_bottom(Span::styled(hint, theme.dim()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), rect(area));
}

fn link_lines(ctx: &Ctx, link: &PaymentLink, app: &App) -> Vec<Line<'static>> {
    let mut lines = vec![
        ctx.field("amount", format!("{} {}", link.amount, for_terminal_truncated(&link.currency, 10))),
        ctx.status("status", link.status.as_str()),
        ctx.field("created", ctx.when(&link.created_at)),
    ];
    if let Some(paid) = &link.paid_at {
        lines.push(ctx.field("paid", ctx.when(paid)));
    }
    if let Some(expires) = &link.expires_at {
        lines.push(ctx.field("expires", ctx.when(expires)));
    }
    lines.push(ctx.field("about", for_terminal_truncated(link.description.as_deref().unwrap_or("—"), 500)));
    lines.push(ctx.field("url", String::new()));
    // The URL in full on its own line(s): it is what gets sent to the customer.
    lines.push(Line::from(for_terminal_truncated(link.url.as_deref().unwrap_or("—"), 2000)));
    lines.push(Line::from(""));
    let detail = app.detail().filter(|d| d.id == link.id);
    match detail.and_then(|d| d.link_transactions.as_ref()) {
        None if app.detail_open() => lines.push(Line::from(Span::styled("transactions: loading…", ctx.theme.dim()))),
        None => lines.push(Line::from(Span::styled("transactions: ⏎ to load", ctx.theme.dim()))),
        Some(Err(error)) => lines.push(Line::from(Span::styled(
            format!("transactions: {}", for_terminal(&error.summary)),
            ctx.theme.error(),
        ))),
        Some(Ok(page)) => {
            lines.push(Line::from(Span::styled(format!("transactions ({})", page.total), ctx.theme.title())));
            // As wide as the widest amount: a fixed width wrapped the rows'
            // ages onto a line of their own in a 120-column terminal.
            let amounts: Vec<String> = page.data.iter().map(|txn| txn.amount.to_string()).collect();
            let width = amounts.iter().map(String::len).max().unwrap_or(0);
            for (txn, amount) in page.data.iter().zip(&amounts) {
                lines.push(Line::from(vec![
                    Span::raw(format!(" {} ", for_terminal_truncated(&txn.id, 24))),
                    Span::raw(format!("{amount:>width$} ")),
                    Span::styled(
                        format!(
                            "{} {}",
                            status_glyph(txn.status.as_str()),
                            for_terminal_truncated(txn.status.as_str(), 12)
                        ),
                        ctx.theme.status(txn.status.as_str()),
                    ),
                    Span::styled(format!("  {}", short_age(ctx.now, txn.created_at)), ctx.theme.dim()),
                ]));
            }
        }
    }
    lines
}

fn transaction_lines(ctx: &Ctx, txn: &Transaction, app: &App) -> Vec<Line<'static>> {
    let mut lines = vec![
        ctx.field("amount", format!("{} {}", txn.amount, for_terminal_truncated(&txn.currency, 10))),
        ctx.status("status", txn.status.as_str()),
        ctx.field("link", for_terminal_truncated(txn.payment_link_id.as_deref().unwrap_or("—"), 60)),
    ];
    // The order it pays: the link's amount and the customer's reference.
    let order = app
        .detail()
        .and_then(|d| d.order.as_ref())
        .filter(|o| txn.payment_link_id.as_deref() == Some(o.link_id.as_str()));
    if let Some(link) = order.and_then(|o| o.link.as_ref()) {
        lines.push(ctx.field("for", format!("{} {}", link.amount, for_terminal_truncated(&link.currency, 10))));
        lines.push(ctx.field("order", for_terminal_truncated(link.description.as_deref().unwrap_or("—"), 200)));
    }
    if let Some(case) = order.and_then(|o| crate::cases::judge(&o.facts(), &app.settings.case_rules, ctx.now)) {
        lines.push(Line::from(Span::styled(
            format!(" case: {}  (C: what to do)", case.kind.words()),
            ctx.theme.warning(),
        )));
    }
    lines.extend([Line::from(""), Line::from(Span::styled("timeline", ctx.theme.title()))]);
    let step = |done: bool, name: &str, at: Option<&DateTime<Utc>>| {
        let mark = if done { "●" } else { "○" };
        let when = at.map(|t| ctx.when(t)).unwrap_or_else(|| "—".into());
        Line::from(vec![Span::raw(format!(" {mark} {name:<10} ")), Span::styled(when, ctx.theme.dim())])
    };
    lines.push(step(true, "created", Some(&txn.created_at)));
    lines.push(step(txn.confirmed_at.is_some(), "confirmed", txn.confirmed_at.as_ref()));
    if txn.status == TransactionStatus::Failed {
        lines.push(Line::from(Span::styled(" ✕ failed", ctx.theme.error())));
    } else {
        lines.push(step(txn.settled_at.is_some(), "settled", txn.settled_at.as_ref()));
    }
    lines.push(Line::from(""));
    lines.push(ctx.field("tx_hash", String::new()));
    lines.push(Line::from(for_terminal_truncated(txn.tx_hash.as_deref().unwrap_or("— (not on chain yet)"), 500)));
    lines
}

fn webhook_lines(ctx: &Ctx, hook: &Webhook) -> Vec<Line<'static>> {
    let events: Vec<&str> = hook.events.iter().map(|e| e.as_str()).collect();
    let mut lines = vec![
        ctx.status("status", hook.status.as_str()),
        ctx.field("events", for_terminal_truncated(&events.join(", "), 200)),
    ];
    if let Some(created) = &hook.created_at {
        lines.push(ctx.field("created", ctx.when(created)));
    }
    lines.push(ctx.field("url", String::new()));
    lines.push(Line::from(for_terminal_truncated(&hook.url, 2000)));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("the signing secret was shown only at creation", ctx.theme.dim())));
    lines
}

fn event_lines(ctx: &Ctx, event: &EventEnvelope) -> Vec<Line<'static>> {
    let data = &event.data;
    let mut lines = vec![
        ctx.field("event", for_terminal_truncated(event.event.as_str(), 60)),
        Line::from(Span::styled("signature verified ✓", ctx.theme.ok())),
        ctx.field("sent", event.created_at.as_ref().map(|t| ctx.when(t)).unwrap_or_else(|| "—".into())),
        ctx.field("amount", format!("{} {}", data.amount, for_terminal_truncated(&data.currency, 10))),
        ctx.status("status", data.status.as_str()),
        ctx.field("txn", for_terminal_truncated(&data.transaction_id, 60)),
        ctx.field("link", for_terminal_truncated(data.payment_link_id.as_deref().unwrap_or("—"), 60)),
    ];
    if let Some(confirmed) = &data.confirmed_at {
        lines.push(ctx.field("confirmed", ctx.when(confirmed)));
    }
    if let Some(settled) = &data.settled_at {
        lines.push(ctx.field("settled", ctx.when(settled)));
    }
    lines
}
