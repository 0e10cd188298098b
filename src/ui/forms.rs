//! The write forms and dialogs, drawn over the dashboard.

use super::Theme;
use crate::app::App;
use crate::app::dialogs::{ConfirmDeactivate, SecretDialog};
use crate::app::forms::{
    COMMON_CURRENCIES, EVENTS, ExportField, ExportForm, ExportSource, LinkField, LinkForm, VerifyField, VerifyForm,
    WebhookField, WebhookForm,
};
use crate::export::Format;
use crate::sanitize::{for_terminal, for_terminal_truncated};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tui_input::Input;

/// A box of at most `width`×`height`, centred, inside the screen.
fn centered(app: &App, width: u16, height: u16) -> Rect {
    let (screen_width, screen_height) = app.size();
    let width = width.min(screen_width.saturating_sub(2)).max(1);
    let height = height.min(screen_height.saturating_sub(2)).max(1);
    Rect::new((screen_width - width) / 2, (screen_height - height) / 2, width, height)
}

fn dialog<'a>(frame: &mut Frame, area: Rect, title: &'a str, theme: &Theme, lines: Vec<Line<'a>>) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}

/// A text field: its visible part, with a block cursor when focused.
pub(crate) fn field(input: &Input, width: usize, focused: bool, masked: bool) -> Vec<Span<'static>> {
    let value: String =
        if masked { "•".repeat(input.value().chars().count()) } else { for_terminal(input.value()).into_owned() };
    let scroll = input.visual_scroll(width.saturating_sub(1));
    let chars: Vec<char> = value.chars().collect();
    let cursor = input.cursor().min(chars.len());
    let start = scroll.min(chars.len());
    let end = (start + width.saturating_sub(1)).min(chars.len());
    let underline = Style::new().add_modifier(Modifier::UNDERLINED);
    if !focused {
        let shown: String = chars[start..end].iter().collect();
        let pad = " ".repeat(width.saturating_sub(shown.chars().count()));
        return vec![Span::styled(format!("{shown}{pad}"), underline)];
    }
    let before: String = chars[start..cursor.max(start).min(end)].iter().collect();
    let at: String = chars.get(cursor).map(|c| c.to_string()).unwrap_or_else(|| " ".into());
    let after: String = chars.get(cursor + 1..end.max(cursor + 1)).map(|s| s.iter().collect()).unwrap_or_default();
    let used = before.chars().count() + 1 + after.chars().count();
    vec![
        Span::styled(before, underline),
        Span::styled(at, Style::new().add_modifier(Modifier::REVERSED)),
        Span::styled(format!("{after}{}", " ".repeat(width.saturating_sub(used))), underline),
    ]
}

fn label(name: &str, focused: bool, theme: &Theme) -> Span<'static> {
    let style = if focused { theme.title() } else { theme.dim() };
    Span::styled(format!("{}{name:<12}", if focused { "▸ " } else { "  " }), style)
}

fn problem(error: Option<String>, theme: &Theme) -> Span<'static> {
    match error {
        Some(error) => Span::styled(format!("  ✕ {error}"), theme.error()),
        None => Span::raw(""),
    }
}

pub fn link_form(frame: &mut Frame, app: &App, theme: &Theme, form: &LinkForm) {
    let area = centered(app, 76, 14);
    let width = 24usize;
    let errors = form.visible_errors();
    let mut amount = vec![label("Amount", form.focus == LinkField::Amount, theme)];
    amount.extend(field(&form.amount, width, form.focus == LinkField::Amount, false));
    amount.push(problem(errors.amount, theme));

    let mut currency = vec![label("Currency", form.focus == LinkField::Currency, theme)];
    // The choice is bracketed as well as highlighted: it must read without colour.
    for (i, code) in COMMON_CURRENCIES.iter().enumerate() {
        let chosen = form.currency_choice == i;
        let (text, style) =
            if chosen { (format!("[{code}]"), theme.tab_active()) } else { (format!(" {code} "), theme.dim()) };
        currency.push(Span::styled(text, style));
        currency.push(Span::raw(" "));
    }
    let other_chosen = form.currency_choice == COMMON_CURRENCIES.len();
    if other_chosen {
        currency.push(Span::styled("[other: ", theme.tab_active()));
        currency.extend(field(&form.other_currency, 8, form.focus == LinkField::Currency, false));
        currency.push(Span::styled("]", theme.tab_active()));
    } else {
        currency.push(Span::styled(" other… ", theme.dim()));
    }
    currency.push(problem(errors.currency, theme));

    let mut description = vec![label("Description", form.focus == LinkField::Description, theme)];
    description.extend(field(&form.description, 40, form.focus == LinkField::Description, false));
    let count = form.description.value().chars().count();
    description.push(Span::styled(format!(" {count}/{}", crate::money::MAX_DESCRIPTION_CHARS), theme.dim()));

    let mut lines = vec![
        Line::from(""),
        Line::from(amount),
        Line::from(""),
        Line::from(currency),
        Line::from(Span::styled("              ←/→ pick, or type another code", theme.dim())),
        Line::from(description),
        Line::from(""),
    ];
    if let Some(failure) = &form.failure {
        lines.push(Line::from(Span::styled(for_terminal(failure).into_owned(), theme.error())));
    }
    let status = if form.submitting.is_some() {
        Span::styled(" creating… (the form is locked until PIK answers)", theme.warning())
    } else if form.confirm_discard {
        Span::styled(" discard what you typed? y yes · any other key no", theme.warning())
    } else {
        Span::styled(" ⏎ create   tab next field   ^w delete word   esc cancel", theme.dim())
    };
    lines.push(Line::from(status));
    dialog(frame, area, "New payment link", theme, lines);
}

pub fn confirm_deactivate(frame: &mut Frame, app: &App, theme: &Theme, confirm: &ConfirmDeactivate) {
    let extra =
        u16::try_from(confirm.summary.len().saturating_sub(1) + usize::from(confirm.note.is_some())).unwrap_or(0);
    let area = centered(app, 64, 10 + extra.min(8));
    let choice = |text: &'static str, on: bool| {
        if on { Span::styled(text, theme.tab_active()) } else { Span::styled(text, theme.dim()) }
    };
    let first = confirm.links.first().map(String::as_str).unwrap_or("");
    let (label, links, title) = match confirm.marked {
        true => {
            let count = crate::human::group_thousands(confirm.links.len() as u64);
            (
                "  links        ",
                format!("{count} marked, one request each"),
                format!("Deactivate {count} marked payment links?"),
            )
        }
        false => ("  link         ", for_terminal_truncated(first, 40), "Deactivate this payment link?".to_string()),
    };
    let amount = if confirm.marked { "  together     " } else { "  amount       " };
    let mut lines = vec![Line::from(""), Line::from(vec![Span::styled(label, theme.dim()), Span::raw(links)])];
    for (at, line) in confirm.summary.iter().take(8).enumerate() {
        let label = if at == 0 { amount } else { "               " };
        lines.push(Line::from(vec![Span::styled(label, theme.dim()), Span::raw(for_terminal_truncated(line, 46))]));
    }
    if let Some(note) = &confirm.note {
        lines.push(Line::from(Span::styled(format!("  {}", for_terminal_truncated(note, 60)), theme.warning())));
    }
    // Marked links each have their own; none is named.
    if !confirm.marked {
        lines.push(Line::from(vec![
            Span::styled("  description  ", theme.dim()),
            Span::raw(for_terminal_truncated(confirm.description.as_deref().unwrap_or("—"), 44)),
        ]));
    }
    lines.extend([
        Line::from(""),
        Line::from(vec![
            Span::raw("  "),
            choice("[ No ]", !confirm.yes),
            Span::raw("  "),
            choice("[ Yes, deactivate ]", confirm.yes),
        ]),
    ]);
    let hint = if confirm.submitting.is_some() {
        "deactivating…"
    } else {
        "y yes · n or esc no · ⏎ the highlighted answer"
    };
    lines.push(Line::from(Span::styled(format!("  {hint}"), theme.dim())));
    dialog(frame, area, &title, theme, lines);
}

pub fn webhook_form(frame: &mut Frame, app: &App, theme: &Theme, form: &WebhookForm) {
    let area = centered(app, 80, 13);
    let (url_error, events_error) = form.visible_errors();
    let mut url = vec![label("URL", form.focus == WebhookField::Url, theme)];
    url.extend(field(&form.url, 50, form.focus == WebhookField::Url, false));
    let mut lines = vec![Line::from(""), Line::from(url), Line::from(problem(url_error, theme)), Line::from("")];
    for (i, event) in EVENTS.iter().enumerate() {
        let focused = form.focus == WebhookField::Event(i);
        let mark = if form.events[i] { "[x]" } else { "[ ]" };
        lines.push(Line::from(vec![
            label(if i == 0 { "Events" } else { "" }, focused, theme),
            Span::styled(format!("{mark} {}", event.as_str()), if focused { theme.title() } else { Style::new() }),
        ]));
    }
    lines.push(Line::from(problem(events_error, theme)));
    if let Some(failure) = &form.failure {
        lines.push(Line::from(Span::styled(for_terminal(failure).into_owned(), theme.error())));
    }
    let hint = if form.submitting.is_some() {
        " registering…"
    } else {
        " ⏎ register   tab next   space toggles an event   esc cancel"
    };
    lines.push(Line::from(Span::styled(hint, theme.dim())));
    dialog(frame, area, "Register a webhook endpoint", theme, lines);
}

pub fn secret(frame: &mut Frame, app: &App, theme: &Theme, dialog_state: &SecretDialog) {
    let area = centered(app, 84, 12);
    let copied = if dialog_state.copied { Span::styled("  copied ✓", theme.ok()) } else { Span::raw("") };
    let lines = vec![
        Line::from(""),
        Line::from(vec![
            Span::styled("  endpoint  ", theme.dim()),
            Span::raw(for_terminal_truncated(&dialog_state.url, 70)),
        ]),
        Line::from(vec![
            Span::styled("  id        ", theme.dim()),
            Span::raw(for_terminal_truncated(&dialog_state.webhook_id, 40)),
        ]),
        Line::from(""),
        Line::from(vec![
            Span::styled("  secret    ", theme.dim()),
            Span::styled(for_terminal(dialog_state.secret.expose()).into_owned(), theme.title()),
        ]),
        Line::from(""),
        Line::from(Span::styled(
            "  PIK shows this signing secret only once, and pik-tui does not keep it. Save it now.",
            theme.warning(),
        )),
        Line::from(vec![Span::styled("  y copy   ⏎ I have saved it", theme.dim()), copied]),
    ];
    dialog(frame, area, "Webhook registered: save its secret", theme, lines);
}

pub fn verify(frame: &mut Frame, app: &App, theme: &Theme, form: &VerifyForm) {
    let area = centered(app, 84, 16);
    let focused = |f: VerifyField| form.focus == f;
    let body_preview: String = for_terminal(&form.body).chars().take(300).collect();
    let body_style = if focused(VerifyField::Body) { theme.title() } else { theme.dim() };
    let mut secret = vec![label("Secret", focused(VerifyField::Secret), theme)];
    secret.extend(field(&form.secret, 40, focused(VerifyField::Secret), true));
    let mut signature = vec![label("Signature", focused(VerifyField::Signature), theme)];
    signature.extend(field(&form.signature, 66, focused(VerifyField::Signature), false));
    let verdict = match form.result {
        Some(true) => Span::styled("  ✓ valid: this body was signed with this secret", theme.ok()),
        Some(false) => Span::styled("  ✕ invalid: the signature does not match", theme.error()),
        None => Span::styled("  ⏎ check", theme.dim()),
    };
    let lines = vec![
        Line::from(vec![
            label("Raw body", focused(VerifyField::Body), theme),
            Span::styled(format!("{} bytes (paste it exactly as received)", form.body.len()), theme.dim()),
        ]),
        Line::from(Span::styled(format!("  {body_preview}"), body_style)),
        Line::from(""),
        Line::from(secret),
        Line::from(signature),
        Line::from(""),
        Line::from(verdict),
        Line::from(Span::styled("  tab next field   ^u clear   esc close", theme.dim())),
    ];
    dialog(frame, area, "Check a PIK-Signature", theme, lines);
}

pub fn export_form(frame: &mut Frame, app: &App, theme: &Theme, form: &ExportForm) {
    let area = centered(app, 84, 12);
    let focused = |f: ExportField| form.focus == f;
    let room = usize::from(area.width.saturating_sub(18)).max(10);
    let mut path = vec![label("File", focused(ExportField::Path), theme)];
    path.extend(field(&form.path, room, focused(ExportField::Path), false));
    let choice = |format: Format, name: &'static str| {
        let mark = if form.format == format { "(•)" } else { "( )" };
        let style = if focused(ExportField::Format) && form.format == format { theme.title() } else { Style::new() };
        Span::styled(format!("{mark} {name}   "), style)
    };
    let source = match form.source {
        ExportSource::Mirror => "from the mirror, all at once".to_string(),
        ExportSource::Pik => "from PIK, a page at a time (no mirror)".to_string(),
    };
    let folder =
        app.settings.workdir.as_deref().map(|d| format!("a bare name is written in {}", for_terminal_truncated(d, 60)));
    let hint =
        if form.submitting.is_some() { " starting…" } else { " ⏎ export   tab next   ←→ format   esc cancel" };
    let lines = vec![
        Line::from(""),
        Line::from(vec![
            Span::styled("  What        ", theme.dim()),
            Span::raw(for_terminal_truncated(&form.what, 200)),
        ]),
        Line::from(vec![Span::styled("  Read        ", theme.dim()), Span::raw(source)]),
        Line::from(""),
        Line::from(vec![
            label("Format", focused(ExportField::Format), theme),
            choice(Format::Csv, "CSV"),
            choice(Format::Jsonl, "JSON Lines"),
        ]),
        Line::from(path),
        Line::from(Span::styled(format!("              {}", folder.unwrap_or_default()), theme.dim())),
        Line::from(problem(form.problem.clone(), theme)),
        Line::from(Span::styled(hint, theme.dim())),
    ];
    dialog(frame, area, "Export", theme, lines);
}
