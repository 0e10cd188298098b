//! Input as the app sees it: its own small types, so that `app` stays free
//! of crossterm. The runtime translates terminal events into these.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Delete,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Self {
        Self { code, ctrl: false, alt: false }
    }

    pub const fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Self {
        Self { code: KeyCode::Char(c), ctrl: true, alt: false }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    ScrollUp,
    ScrollDown,
    /// A left click.
    Click,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mouse {
    pub kind: MouseKind,
    pub column: u16,
    pub row: u16,
}

impl Key {
    /// How a key is shown in hints and help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "⏎".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Backspace => "⌫".into(),
            KeyCode::Delete => "del".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "⇧Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("^{base}"),
            (false, true) => format!("M-{base}"),
            (false, false) => base,
        }
    }
}

/// Reads a key as the config file writes it: `x`, `G`, `?`, `ctrl-n`,
/// `alt-x`, `enter`, `esc`, `tab`, `shift-tab`, `space`, `up`, `pgdn`, `f`...
pub fn parse_key(text: &str) -> Result<Key, String> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let (ctrl, alt, rest) = if let Some(rest) = lower.strip_prefix("ctrl-").or_else(|| lower.strip_prefix("c-")) {
        (true, false, &trimmed[trimmed.len() - rest.len()..])
    } else if let Some(rest) = lower.strip_prefix("alt-").or_else(|| lower.strip_prefix("m-")) {
        (false, true, &trimmed[trimmed.len() - rest.len()..])
    } else {
        (false, false, trimmed)
    };
    let code = match rest.to_ascii_lowercase().as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "shift-tab" | "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        _ => {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => {
                    // With ctrl, letters are case-blind, as terminals send them.
                    KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
                }
                _ => {
                    return Err(format!(
                        "{:?} is not a key: use one character (x, G, ?), or ctrl-x, alt-x, enter, esc, tab, \
                         shift-tab, space, backspace, delete, up, down, left, right, pgup, pgdn, home, end",
                        crate::sanitize::for_terminal_truncated(text, 30)
                    ));
                }
            }
        }
    };
    Ok(Key { code, ctrl, alt })
}
