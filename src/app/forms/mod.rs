//! The write forms: create a payment link, register a webhook, check a
//! signature. Pure state and rules; text editing is `tui-input`'s (cursor
//! movement, word delete, paste).

mod export;
mod link;
mod verify;
mod webhook;

pub use export::{ExportField, ExportForm, ExportJob, ExportSource};
pub use link::{LinkErrors, LinkField, LinkForm};
pub use verify::{VerifyField, VerifyForm};
pub use webhook::{EVENTS, WebhookField, WebhookForm};

use super::input::{Key, KeyCode};
use tui_input::{Input, InputRequest};

/// The currencies the picker offers first; any other code can be typed.
pub const COMMON_CURRENCIES: [&str; 4] = ["USDT", "USDC", "BTC", "ETH"];

/// Applies an editing key to a text field. Returns whether it was one.
pub fn edit(input: &mut Input, key: Key, max_chars: usize) -> bool {
    let request = match (key.code, key.ctrl, key.alt) {
        (KeyCode::Char('w'), true, _) | (KeyCode::Backspace, _, true) => InputRequest::DeletePrevWord,
        (KeyCode::Char('u'), true, _) => InputRequest::DeleteLine,
        (KeyCode::Char('k'), true, _) => InputRequest::DeleteTillEnd,
        (KeyCode::Char('a'), true, _) | (KeyCode::Home, _, _) => InputRequest::GoToStart,
        (KeyCode::Char('e'), true, _) | (KeyCode::End, _, _) => InputRequest::GoToEnd,
        (KeyCode::Char('b'), _, true) | (KeyCode::Left, true, _) => InputRequest::GoToPrevWord,
        (KeyCode::Char('f'), _, true) | (KeyCode::Right, true, _) => InputRequest::GoToNextWord,
        (KeyCode::Left, _, _) => InputRequest::GoToPrevChar,
        (KeyCode::Right, _, _) => InputRequest::GoToNextChar,
        (KeyCode::Backspace, _, _) => InputRequest::DeletePrevChar,
        (KeyCode::Delete, _, _) => InputRequest::DeleteNextChar,
        (KeyCode::Char(c), false, false) if !c.is_control() => {
            if input.value().chars().count() >= max_chars {
                return true; // at the cap: swallowed, never half-inserted
            }
            InputRequest::InsertChar(c)
        }
        _ => return false,
    };
    input.handle(request);
    true
}

/// Pastes one line of text at the cursor: newlines and controls never get in.
pub fn paste(input: &mut Input, text: &str, max_chars: usize) {
    let line = text.lines().next().unwrap_or("");
    for c in line.chars().filter(|c| !c.is_control()) {
        if input.value().chars().count() >= max_chars {
            break;
        }
        input.handle(InputRequest::InsertChar(c));
    }
}
