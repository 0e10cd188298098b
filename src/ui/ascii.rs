//! For a terminal whose locale is not UTF-8 (`LANG=C`): every symbol of a
//! finished frame becomes ASCII, so borders, status glyphs and bars still
//! read, and text from PIK that ASCII cannot show becomes `?`. Done once,
//! on the buffer, rather than in every widget.

use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;

/// The ASCII a symbol is drawn with.
fn ascii(symbol: &str) -> &'static str {
    match symbol {
        "─" | "━" | "═" | "╌" => "-",
        "│" | "┃" | "║" | "▕" | "▏" | "╎" => "|",
        "┌" | "┐" | "└" | "┘" | "├" | "┤" | "┬" | "┴" | "┼" | "╭" | "╮" | "╰" | "╯" | "╔" | "╗" | "╚" | "╝" => {
            "+"
        }
        "●" | "◆" | "★" | "•" => "*",
        "○" | "◯" => "o",
        "◐" | "◑" => "~",
        "✕" | "✗" | "×" => "x",
        "⊘" => "/",
        "▶" | "▸" | "→" | "›" | "»" => ">",
        "◀" | "←" | "‹" | "«" => "<",
        "↑" | "▲" => "^",
        "↓" | "▼" => "v",
        "…" => ".",
        "·" | "–" | "—" => "-",
        "█" | "▉" | "▊" | "▋" | "▌" | "▍" | "▎" | "▀" | "▄" | "▇" | "▆" | "▅" => "#",
        "░" | "▒" | "▓" => ".",
        "✓" | "✔" => "v",
        "⏎" => "#",
        "⏸" => "=",
        "🔔" => "!",
        "◂" => "<",
        _ => "?",
    }
}

/// Makes every cell of `buffer` ASCII.
pub fn only(buffer: &mut Buffer) {
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let Some(cell) = buffer.cell_mut((x, y)) else { break };
            let symbol = cell.symbol();
            if symbol.is_ascii() {
                x += 1;
                continue;
            }
            let wide = symbol.width() > 1;
            cell.set_symbol(ascii(symbol));
            // A wide character's second cell held nothing: now a space.
            if wide && let Some(next) = buffer.cell_mut((x + 1, y)) {
                next.set_symbol(" ");
            }
            x += if wide { 2 } else { 1 };
        }
    }
}

/// Whether the locale says the terminal takes UTF-8: the first of LC_ALL,
/// LC_CTYPE and LANG that is set decides; with none set, it does.
pub fn utf8_locale(var: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|name| var(name).filter(|value| !value.is_empty())).is_none_or(
        |locale| {
            let locale = locale.to_ascii_lowercase();
            locale.contains("utf-8") || locale.contains("utf8")
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn a_frame_becomes_ascii() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 12, 1));
        buffer.set_string(0, 0, "┌● 東x✕…─┐", ratatui::style::Style::default());
        only(&mut buffer);
        let line: String = (0..12).filter_map(|x| buffer.cell((x, 0)).map(|c| c.symbol().to_string())).collect();
        assert_eq!(line, "+* ? xx.-+  ");
        assert!(line.is_ascii());
    }

    #[test]
    fn the_locale_decides() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
        };
        assert!(!utf8_locale(env(&[("LANG", "C")])));
        assert!(!utf8_locale(env(&[("LC_ALL", "POSIX"), ("LANG", "en_US.UTF-8")])));
        assert!(utf8_locale(env(&[("LC_ALL", ""), ("LANG", "en_US.utf8")])));
        assert!(utf8_locale(env(&[("LC_CTYPE", "de_DE.UTF-8"), ("LANG", "C")])));
        assert!(utf8_locale(env(&[])), "nothing set: a modern terminal");
    }
}
