//! Styles, with and without colour (`NO_COLOR`): without, meaning is carried
//! by bold, reverse and underline alone.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty.
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self { color: !no_color }
    }

    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    pub fn title(&self) -> Style {
        self.pick(Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD), Style::new().add_modifier(Modifier::BOLD))
    }

    pub fn tab(&self) -> Style {
        Style::new()
    }

    pub fn tab_active(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn dim(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }

    pub fn ok(&self) -> Style {
        self.pick(Style::new().fg(Color::Green), Style::new())
    }

    pub fn warning(&self) -> Style {
        self.pick(Style::new().fg(Color::Yellow), Style::new().add_modifier(Modifier::BOLD))
    }

    pub fn error(&self) -> Style {
        self.pick(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD), Style::new().add_modifier(Modifier::BOLD))
    }

    /// LIVE keys move real money: loud.
    pub fn live(&self) -> Style {
        self.pick(
            Style::new().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    pub fn test(&self) -> Style {
        self.pick(Style::new().fg(Color::Black).bg(Color::Yellow), Style::new().add_modifier(Modifier::REVERSED))
    }

    pub fn sandbox(&self) -> Style {
        self.pick(Style::new().fg(Color::Black).bg(Color::Cyan), Style::new().add_modifier(Modifier::REVERSED))
    }

    pub fn selected(&self) -> Style {
        self.pick(
            Style::new().bg(Color::DarkGray).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }

    pub fn header_row(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::UNDERLINED),
        )
    }

    pub fn border(&self, focused: bool) -> Style {
        match (self.color, focused) {
            (true, true) => Style::new().fg(Color::Cyan),
            (true, false) => Style::new().fg(Color::DarkGray),
            (false, _) => Style::new(),
        }
    }

    /// A status by its meaning: good, waiting, bad, neutral.
    pub fn status(&self, status: &str) -> Style {
        let color = match status {
            "paid" | "settled" | "active" => Color::Green,
            "pending" | "confirmed" => Color::Yellow,
            "failed" => Color::Red,
            "expired" | "deactivated" | "disabled" => Color::DarkGray,
            _ => Color::Magenta,
        };
        self.pick(Style::new().fg(color), Style::new())
    }

    pub fn new_row(&self) -> Style {
        self.pick(Style::new().fg(Color::Green).add_modifier(Modifier::BOLD), Style::new().add_modifier(Modifier::BOLD))
    }

    pub fn changed_row(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }
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
