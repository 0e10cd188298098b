//! Copying to the clipboard with OSC 52: the terminal (or tmux, with
//! `set-clipboard on`) puts the text on the local clipboard, so it works over
//! SSH without any clipboard tool on the server.

use base64::Engine;

/// The escape sequence that asks the terminal to set the clipboard to `text`.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_one_well_formed_sequence() {
        let sequence = osc52("https://pay.pik.global/pl_abc123xyz");
        assert!(sequence.starts_with("\x1b]52;c;") && sequence.ends_with('\x07'));
        assert_eq!(sequence.matches('\x1b').count(), 1);
        let payload = &sequence[7..sequence.len() - 1];
        let decoded = base64::engine::general_purpose::STANDARD.decode(payload).unwrap_or_default();
        assert_eq!(decoded, b"https://pay.pik.global/pl_abc123xyz");
    }
}
