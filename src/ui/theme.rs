//! Themes: `dark` (the default), `light` and `mono`, plus per-colour
//! overrides from the config file. In `mono` (and whenever `NO_COLOR` is
//! set) no colour is used at all: meaning is carried by bold, reverse and
//! underline, and statuses by their symbol and word. A LIVE key stays loud
//! in every theme.

use ratatui::style::{Color, Modifier, Style};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Dark,
    Light,
    Mono,
}

impl FromStr for ThemeName {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim() {
            "dark" => Ok(ThemeName::Dark),
            "light" => Ok(ThemeName::Light),
            "mono" => Ok(ThemeName::Mono),
            other => Err(format!(
                "unknown theme {:?}: use dark, light or mono",
                crate::sanitize::for_terminal_truncated(other, 30)
            )),
        }
    }
}

/// The colours a theme is made of. Each can be overridden by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Palette {
    accent: Color,
    on_accent: Color,
    dim: Color,
    ok: Color,
    warning: Color,
    error: Color,
    live: Color,
    on_live: Color,
    test: Color,
    on_test: Color,
    sandbox: Color,
    on_sandbox: Color,
    selected: Color,
    header: Color,
    border: Color,
    new: Color,
    changed: Color,
    active: Color,
    paid: Color,
    settled: Color,
    pending: Color,
    confirmed: Color,
    failed: Color,
    expired: Color,
    deactivated: Color,
    disabled: Color,
    unknown: Color,
}

const DARK: Palette = Palette {
    accent: Color::Cyan,
    on_accent: Color::Black,
    dim: Color::DarkGray,
    ok: Color::Green,
    warning: Color::Yellow,
    error: Color::Red,
    live: Color::Red,
    on_live: Color::White,
    test: Color::Yellow,
    on_test: Color::Black,
    sandbox: Color::Cyan,
    on_sandbox: Color::Black,
    selected: Color::DarkGray,
    header: Color::Gray,
    border: Color::DarkGray,
    new: Color::Green,
    changed: Color::Yellow,
    active: Color::Green,
    paid: Color::Green,
    settled: Color::Green,
    pending: Color::Yellow,
    confirmed: Color::Yellow,
    failed: Color::Red,
    expired: Color::DarkGray,
    deactivated: Color::DarkGray,
    disabled: Color::DarkGray,
    unknown: Color::Magenta,
};

/// Darker tones that read on a white background; 256-colour indices, which
/// terminals without true colour show too.
const LIGHT: Palette = Palette {
    accent: Color::Blue,
    on_accent: Color::White,
    dim: Color::Indexed(242),
    ok: Color::Indexed(28),
    warning: Color::Indexed(130),
    error: Color::Indexed(160),
    live: Color::Indexed(160),
    on_live: Color::White,
    test: Color::Indexed(178),
    on_test: Color::Black,
    sandbox: Color::Blue,
    on_sandbox: Color::White,
    selected: Color::Indexed(252),
    header: Color::Black,
    border: Color::Indexed(246),
    new: Color::Indexed(28),
    changed: Color::Indexed(130),
    active: Color::Indexed(28),
    paid: Color::Indexed(28),
    settled: Color::Indexed(28),
    pending: Color::Indexed(130),
    confirmed: Color::Indexed(130),
    failed: Color::Indexed(160),
    expired: Color::Indexed(242),
    deactivated: Color::Indexed(242),
    disabled: Color::Indexed(242),
    unknown: Color::Magenta,
};

/// The names `[theme.colors]` takes, and the colour each sets.
fn slot<'a>(palette: &'a mut Palette, name: &str) -> Option<&'a mut Color> {
    Some(match name {
        "accent" => &mut palette.accent,
        "on_accent" => &mut palette.on_accent,
        "dim" => &mut palette.dim,
        "ok" => &mut palette.ok,
        "warning" => &mut palette.warning,
        "error" => &mut palette.error,
        "live" => &mut palette.live,
        "on_live" => &mut palette.on_live,
        "test" => &mut palette.test,
        "on_test" => &mut palette.on_test,
        "sandbox" => &mut palette.sandbox,
        "on_sandbox" => &mut palette.on_sandbox,
        "selected" => &mut palette.selected,
        "header" => &mut palette.header,
        "border" => &mut palette.border,
        "new" => &mut palette.new,
        "changed" => &mut palette.changed,
        "active" => &mut palette.active,
        "paid" => &mut palette.paid,
        "settled" => &mut palette.settled,
        "pending" => &mut palette.pending,
        "confirmed" => &mut palette.confirmed,
        "failed" => &mut palette.failed,
        "expired" => &mut palette.expired,
        "deactivated" => &mut palette.deactivated,
        "disabled" => &mut palette.disabled,
        "unknown" => &mut palette.unknown,
        _ => return None,
    })
}

const SLOT_NAMES: &str = "accent, on_accent, dim, ok, warning, error, live, on_live, test, on_test, sandbox, \
                          on_sandbox, selected, header, border, new, changed, active, paid, settled, pending, \
                          confirmed, failed, expired, deactivated, disabled, unknown";

/// A `[theme.colors]` line: which line of the config, the name, the colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColorOverride {
    pub line: usize,
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ThemeError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    name: ThemeName,
    colors: Palette,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

impl Theme {
    pub fn dark() -> Self {
        Theme { name: ThemeName::Dark, colors: DARK }
    }

    pub fn light() -> Self {
        Theme { name: ThemeName::Light, colors: LIGHT }
    }

    pub fn mono() -> Self {
        Theme { name: ThemeName::Mono, colors: DARK }
    }

    pub fn named(name: ThemeName) -> Self {
        match name {
            ThemeName::Dark => Theme::dark(),
            ThemeName::Light => Theme::light(),
            ThemeName::Mono => Theme::mono(),
        }
    }

    /// Dark, or mono when `NO_COLOR` is set to anything non-empty.
    pub fn from_env() -> Self {
        if no_color() { Theme::mono() } else { Theme::dark() }
    }

    /// A theme with the config's colour overrides; `NO_COLOR` wins over both.
    pub fn configured(name: ThemeName, overrides: &[ColorOverride]) -> Result<Self, ThemeError> {
        let mut theme = Theme::named(name);
        for o in overrides {
            let Some(target) = slot(&mut theme.colors, o.name.trim()) else {
                return Err(ThemeError {
                    line: o.line,
                    message: format!(
                        "unknown colour name {:?}; use one of: {SLOT_NAMES}",
                        crate::sanitize::for_terminal_truncated(&o.name, 30)
                    ),
                });
            };
            *target = Color::from_str(o.color.trim()).map_err(|_| ThemeError {
                line: o.line,
                message: format!(
                    "{:?} is not a colour: use a name (red, lightblue…), a 256-colour index (130) or #rrggbb",
                    crate::sanitize::for_terminal_truncated(&o.color, 30)
                ),
            })?;
        }
        if no_color() {
            theme.name = ThemeName::Mono;
        }
        Ok(theme)
    }

    pub fn name(&self) -> ThemeName {
        self.name
    }

    /// Whether colours are drawn at all.
    pub fn has_color(&self) -> bool {
        self.name != ThemeName::Mono
    }

    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.has_color() { colored } else { plain }
    }

    fn fg(&self, color: Color) -> Style {
        self.pick(Style::new().fg(color), Style::new())
    }

    pub fn title(&self) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        self.pick(bold.fg(self.colors.accent), bold)
    }

    pub fn tab(&self) -> Style {
        Style::new()
    }

    pub fn tab_active(&self) -> Style {
        self.pick(
            Style::new().fg(self.colors.on_accent).bg(self.colors.accent).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn dim(&self) -> Style {
        self.fg(self.colors.dim)
    }

    pub fn ok(&self) -> Style {
        self.fg(self.colors.ok)
    }

    pub fn warning(&self) -> Style {
        self.pick(Style::new().fg(self.colors.warning), Style::new().add_modifier(Modifier::BOLD))
    }

    pub fn error(&self) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        self.pick(bold.fg(self.colors.error), bold)
    }

    /// LIVE keys move real money: loud, whatever the theme.
    pub fn live(&self) -> Style {
        self.pick(
            Style::new().fg(self.colors.on_live).bg(self.colors.live).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    pub fn test(&self) -> Style {
        self.pick(
            Style::new().fg(self.colors.on_test).bg(self.colors.test),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }

    pub fn sandbox(&self) -> Style {
        self.pick(
            Style::new().fg(self.colors.on_sandbox).bg(self.colors.sandbox),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }

    pub fn selected(&self) -> Style {
        self.pick(
            Style::new().bg(self.colors.selected).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }

    pub fn header_row(&self) -> Style {
        self.pick(
            Style::new().fg(self.colors.header).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::UNDERLINED),
        )
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused { self.fg(self.colors.accent) } else { self.fg(self.colors.border) }
    }

    /// A status by its meaning: good, waiting, bad, neutral.
    pub fn status(&self, status: &str) -> Style {
        let c = &self.colors;
        let color = match status {
            "active" => c.active,
            "paid" => c.paid,
            "settled" => c.settled,
            "pending" => c.pending,
            "confirmed" => c.confirmed,
            "failed" => c.failed,
            "expired" => c.expired,
            "deactivated" => c.deactivated,
            "disabled" => c.disabled,
            _ => c.unknown,
        };
        self.fg(color)
    }

    /// The chart's bars: settled money.
    pub fn chart(&self) -> Style {
        self.fg(self.colors.settled)
    }

    /// An alert that fired: it must catch the eye, in every theme.
    pub fn alert(&self) -> Style {
        self.pick(
            Style::new().fg(self.colors.on_test).bg(self.colors.warning).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn new_row(&self) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        self.pick(bold.fg(self.colors.new), bold)
    }

    pub fn changed_row(&self) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        self.pick(bold.fg(self.colors.changed), bold)
    }
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// A glyph for a status, so that it reads without colour too.
pub fn status_glyph(status: &str) -> &'static str {
    match status {
        "active" => "○",
        "paid" | "settled" => "●",
        "pending" => "…",
        "confirmed" => "◐",
        "failed" | "expired" => "✕",
        "deactivated" | "disabled" => "⊘",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn color(line: usize, name: &str, value: &str) -> ColorOverride {
        ColorOverride { line, name: name.into(), color: value.into() }
    }

    #[test]
    fn overrides_set_colours_and_bad_ones_name_their_line() {
        let theme = Theme::configured(ThemeName::Dark, &[color(3, "paid", "#2e7d32")]);
        let Ok(theme) = theme else { panic!("{theme:?}") };
        if theme.has_color() {
            assert_eq!(theme.status("paid").fg, Some(Color::Rgb(0x2e, 0x7d, 0x32)));
            assert_eq!(theme.status("settled").fg, Some(Color::Green), "only the one named");
        }
        let unknown = Theme::configured(ThemeName::Dark, &[color(4, "payed", "red")]);
        assert!(matches!(unknown, Err(ThemeError { line: 4, ref message }) if message.contains("unknown colour")));
        let bad = Theme::configured(ThemeName::Light, &[color(6, "paid", "#12345")]);
        assert!(matches!(bad, Err(ThemeError { line: 6, .. })));
        assert!("sepia".parse::<ThemeName>().is_err());
    }

    #[test]
    fn mono_uses_no_colour_at_all() {
        let mono = Theme::mono();
        for style in [mono.title(), mono.status("paid"), mono.live(), mono.selected(), mono.error(), mono.border(true)]
        {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
    }
}
