//! Making untrusted text safe to draw in a terminal.
//!
//! Everything the API returns (descriptions, URLs, hashes, error messages) is
//! attacker-controlled: anyone who can create a payment link can put escape
//! sequences in its description. A single ESC or C1 byte reaching the terminal
//! can set the clipboard (OSC 52), retitle the window, clear the screen or
//! reorder what the agent reads (bidi overrides). So every such string passes
//! through [`for_terminal`] before it is printed or drawn.
//!
//! Exports go to spreadsheets, which run a cell that starts like a formula
//! (`=HYPERLINK(…)`, `+1`, `@SUM(…)`): [`for_spreadsheet`] neutralizes it.

use std::borrow::Cow;

/// Shown in place of a removed non-ASCII control, bidi or zero-width
/// character. ASCII controls become caret notation (`^[` for ESC), as `less`
/// and `cat -v` show them. Both are plain width-1 text that every terminal
/// draws alike; U+FFFD is not (some emulators do not advance the cursor for
/// it, which shifts the rest of the line).
pub const REPLACEMENT: char = '·';

/// Whether a character may not reach the terminal as it is.
fn is_unsafe(c: char) -> bool {
    matches!(c,
        // C0 controls (includes ESC, BEL, CR, LF, TAB) and DEL.
        '\u{0000}'..='\u{001F}' | '\u{007F}'
        // C1 controls: 0x9B is a one-byte CSI on some terminals.
        | '\u{0080}'..='\u{009F}'
        // Bidi embeddings, overrides and isolates; marks that reorder text.
        | '\u{061C}' | '\u{200E}' | '\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        // Zero-width characters that hide content or break column counts.
        | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
        // Line and paragraph separators: they break single-line layouts.
        | '\u{2028}' | '\u{2029}'
    )
}

/// Returns `text` with every control character in caret notation (`^[`,
/// `^?`) and every other unsafe character (C1, bidi, zero-width) replaced by
/// [`REPLACEMENT`], so tampering stays visible. Borrows when nothing needed
/// replacing, so the common case costs no allocation.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\u{0000}'..='\u{001F}' => {
                out.push('^');
                out.push(char::from(c as u8 + 0x40));
            }
            '\u{007F}' => out.push_str("^?"),
            c if is_unsafe(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`for_terminal`], and cut to at most `max_chars` characters with an
/// ellipsis, for table cells fed with 10,000-character strings.
pub fn for_terminal_truncated(text: &str, max_chars: usize) -> String {
    let clean = for_terminal(text);
    if clean.chars().count() <= max_chars {
        return clean.into_owned();
    }
    let mut cut: String = clean.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Makes serialized JSON safe to print: serde_json escapes only C0 controls,
/// so C1, bidi and zero-width characters inside strings are written as
/// `\uXXXX` escapes. The data stay exactly the same for a JSON reader.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    // ASCII controls are either escaped already (inside strings) or the
    // document's own layout (newlines of pretty printing): leave them.
    let needs_escape = |c: char| !c.is_ascii() && is_unsafe(c);
    if !json.chars().any(needs_escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a spreadsheet would read a cell starting with `c` as a formula
/// (OWASP's list, and the full-width forms some spreadsheets also take).
fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
}

/// A CSV cell safe to open in a spreadsheet, still recognisable: a cell
/// that would start a formula (after any leading spaces) gets a leading
/// `'`, which spreadsheets show as text; control, bidi and zero-width
/// characters other than newlines and tabs inside the text become
/// [`REPLACEMENT`] (the CSV writer quotes newlines). Borrows when the cell
/// is already safe.
pub fn for_spreadsheet(cell: &str) -> Cow<'_, str> {
    // Most cells (ids, amounts, times) are printable ASCII not starting a formula.
    let plain = |b: &u8| (b' '..=b'~').contains(b);
    if cell.bytes().all(|b| plain(&b)) && !cell.trim_start_matches(' ').starts_with(['=', '+', '-', '@']) {
        return Cow::Borrowed(cell);
    }
    let formula = cell.trim_start_matches(' ').chars().next().is_some_and(starts_formula);
    let unsafe_inside = cell.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t' && c != '\r');
    if !formula && !unsafe_inside {
        return Cow::Borrowed(cell);
    }
    let mut out = String::with_capacity(cell.len() + 1);
    if formula {
        out.push('\'');
    }
    for c in cell.chars() {
        let kept = c == '\n' || c == '\t' || c == '\r';
        out.push(if is_unsafe(c) && !kept { REPLACEMENT } else { c });
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "Order #1234 — café ✓ 注文";
        assert!(matches!(for_terminal(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn hostile_sequences_lose_every_control_character() {
        let hostile = [
            "\u{1b}]52;c;aGVsbG8=\u{7}",
            "\u{1b}]0;title\u{7}",
            "\u{1b}[2J",
            "\u{1b}P1$r\u{1b}\\",
            "\u{1b}_apc\u{1b}\\",
            "a\u{9b}31mred",
            "evil\u{202e}gnp.exe",
            "zero\u{200d}width\u{200b}",
            "line\nbreak\rreturn\ttab",
            "\u{2066}isolate\u{2069}",
        ];
        for text in hostile {
            let clean = for_terminal(text);
            assert!(!clean.chars().any(is_unsafe), "{text:?} -> {clean:?}");
            assert!(!clean.contains('\u{1b}'));
        }
    }

    #[test]
    fn controls_read_as_caret_notation_others_as_a_dot() {
        assert_eq!(for_terminal("a\u{1b}]0;t\u{7}b\u{7f}"), "a^[]0;t^Gb^?");
        assert_eq!(for_terminal("x\u{9b}y\u{202e}z\u{200d}"), "x·y·z·");
        assert!(for_terminal("a\u{1b}b").chars().all(|c| unicode_width::UnicodeWidthChar::width(c) == Some(1)));
    }

    #[test]
    fn json_keeps_its_data_but_loses_raw_controls() {
        let value = serde_json::json!({"d": "a\u{9b}b\u{202e}c\u{1b}d", "e": [1, 2]});
        let text = serde_json::to_string_pretty(&value).unwrap_or_default();
        let safe = json_for_terminal(&text);
        assert!(!safe.chars().any(|c| is_unsafe(c) && c != '\n'), "{safe}");
        assert_eq!(safe.lines().count(), text.lines().count(), "layout kept");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back, value);
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        let long = "é".repeat(10_000);
        let cut = for_terminal_truncated(&long, 20);
        assert_eq!(cut.chars().count(), 20);
        assert!(cut.ends_with('…'));
        assert_eq!(for_terminal_truncated("short", 20), "short");
    }

    #[test]
    fn formulas_are_neutralized_and_stay_recognisable() {
        for cell in crate::test_support::FORMULA_CORPUS {
            let safe = for_spreadsheet(cell);
            assert!(safe.starts_with('\''), "{cell:?} -> {safe:?}");
            assert_eq!(&safe[1..], *cell, "recognisable: {safe:?}");
        }
        for cell in ["Order #1234", "75.00", "pl_8f2k3m", "Café – 2 × 3 = 6", "a=b", ""] {
            assert!(matches!(for_spreadsheet(cell), Cow::Borrowed(_)), "{cell:?} changed");
        }
        assert_eq!(for_spreadsheet("Order\u{1b}[2J\u{202e}1\nline two"), "Order·[2J·1\nline two");
    }
}
