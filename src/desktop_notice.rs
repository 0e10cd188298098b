//! Desktop notifications by escape sequence: the terminal on the agent's
//! own machine shows them, even over SSH, and terminals that do not know
//! them ignore them. OSC 9 (`ESC ] 9 ; text BEL`: iTerm2, WezTerm, Windows
//! Terminal, foot…) and OSC 777 (`ESC ] 777 ; notify ; title ; body BEL`:
//! rxvt-unicode, foot, Ghostty, WezTerm…). Inside tmux the sequence is
//! wrapped for passthrough (tmux needs `set -g allow-passthrough on`).
//!
//! The text comes from PIK (ids, currencies) and must not smuggle in a
//! sequence of its own: every control character, and anything that could
//! end or split the sequence, is dropped before it is written.

/// How a rule reaches the desktop, besides the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Notify {
    #[default]
    None,
    /// `ESC ] 9 ; text BEL` (iTerm2, WezTerm, Windows Terminal, kitty, foot…).
    Osc9,
    /// `ESC ] 777 ; notify ; title ; body BEL` (rxvt-unicode, foot, Ghostty, WezTerm…).
    Osc777,
}

/// The title OSC 777 shows above the text.
const TITLE: &str = "pik-tui";
/// Longer texts are cut: a notification is a glance.
const MAX_CHARS: usize = 200;

/// The text as it may appear inside the sequence: no C0 or C1 controls,
/// no DEL, no bidi overrides; for OSC 777, no `;` (the field separator).
pub fn clean(text: &str, separator_free: bool) -> String {
    let safe = crate::sanitize::for_terminal(text);
    safe.chars()
        .filter(|c| !c.is_control())
        .map(|c| if separator_free && c == ';' { ',' } else { c })
        .take(MAX_CHARS)
        .collect()
}

/// The bytes to write for a notification, or nothing for [`Notify::None`].
pub fn sequence(how: Notify, text: &str, in_tmux: bool) -> String {
    let raw = match how {
        Notify::None => return String::new(),
        Notify::Osc9 => format!("\x1b]9;{}\x07", clean(text, false)),
        Notify::Osc777 => format!("\x1b]777;notify;{TITLE};{}\x07", clean(text, true)),
    };
    if in_tmux {
        // DCS passthrough: the sequence inside, each ESC doubled.
        format!("\x1bPtmux;{}\x1b\\", raw.replace('\x1b', "\x1b\x1b"))
    } else {
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a hostile payment id or currency might carry.
    const HOSTILE: &str = "settled 75 USDT txn_a\x07\x1b]52;c;aGk=\x07\u{9b}31m\u{202e}evil;x\r\n\x7f";

    #[test]
    fn osc9_is_one_well_formed_sequence_of_clean_text() {
        let sequence = sequence(Notify::Osc9, HOSTILE, false);
        assert!(sequence.starts_with("\x1b]9;") && sequence.ends_with('\x07'), "{sequence:?}");
        let body = &sequence[4..sequence.len() - 1];
        assert_eq!(sequence.matches('\x1b').count(), 1, "only the opening ESC: {sequence:?}");
        assert_eq!(sequence.matches('\x07').count(), 1, "only the closing BEL");
        assert!(body.chars().all(|c| !c.is_control() && c != '\u{9b}' && c != '\u{202e}'), "{body:?}");
        assert!(body.starts_with("settled 75 USDT txn_a"), "the words stay readable: {body:?}");
    }

    #[test]
    fn osc777_keeps_its_fields_apart() {
        let sequence = sequence(Notify::Osc777, "failed; 5 BTC", false);
        assert_eq!(sequence, "\x1b]777;notify;pik-tui;failed, 5 BTC\x07");
        let hostile = super::sequence(Notify::Osc777, HOSTILE, false);
        assert_eq!(hostile.matches(';').count(), 3, "{hostile:?}");
        assert_eq!(hostile.matches('\x1b').count(), 1);
    }

    #[test]
    fn tmux_gets_a_passthrough_and_none_gets_nothing() {
        let wrapped = sequence(Notify::Osc9, "settled", true);
        assert_eq!(wrapped, "\x1bPtmux;\x1b\x1b]9;settled\x07\x1b\\");
        assert_eq!(sequence(Notify::None, "settled", false), "");
        assert_eq!(clean(&"x".repeat(1000), false).len(), MAX_CHARS);
    }
}
