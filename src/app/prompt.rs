//! The one-line prompts in the footer: `/` (filter) and `:` (jump or
//! command). Editing is tui-input's, like the forms': cursor movement,
//! word delete, paste.

use super::forms::{edit, paste};
use super::input::{Key, KeyCode};
use tui_input::Input;

/// The longest text a prompt takes: an id, a date, a search.
const MAX_CHARS: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct Prompt {
    pub input: Input,
    /// What was there before, restored on Esc (the filter's previous text).
    pub previous: String,
}

/// What a key did to a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKey {
    /// The text changed (or the cursor moved).
    Edited,
    Submit,
    Cancel,
    Ignored,
}

impl Prompt {
    pub fn new(text: &str) -> Self {
        Self { input: Input::new(text.to_string()), previous: text.to_string() }
    }

    pub fn text(&self) -> &str {
        self.input.value()
    }

    pub fn key(&mut self, key: Key) -> PromptKey {
        match key.code {
            KeyCode::Esc => PromptKey::Cancel,
            KeyCode::Enter => PromptKey::Submit,
            _ if edit(&mut self.input, key, MAX_CHARS) => PromptKey::Edited,
            _ => PromptKey::Ignored,
        }
    }

    /// One line only; pasted newlines or controls must not sneak in.
    pub fn paste(&mut self, text: &str) {
        paste(&mut self.input, text, MAX_CHARS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_like_the_forms() {
        let mut prompt = Prompt::new("");
        for c in "status paid".chars() {
            assert_eq!(prompt.key(Key::char(c)), PromptKey::Edited);
        }
        prompt.key(Key::ctrl('w'));
        assert_eq!(prompt.text(), "status ");
        prompt.key(Key::plain(KeyCode::Home));
        prompt.key(Key::char('x'));
        assert_eq!(prompt.text(), "xstatus ");
        prompt.paste("pl_1\nrm -rf");
        assert_eq!(prompt.text(), "xpl_1status ", "one line, at the cursor");
        assert_eq!(prompt.key(Key::plain(KeyCode::Enter)), PromptKey::Submit);
        assert_eq!(prompt.key(Key::plain(KeyCode::Esc)), PromptKey::Cancel);
    }
}
