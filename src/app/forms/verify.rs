//! Checking a `PIK-Signature` by hand: the raw body, the secret, the header.

use super::{edit, paste};
use crate::app::dialogs::{Dialog, Outcome};
use crate::app::input::{Key, KeyCode};
use crate::app::keymap::Action;
use tui_input::Input;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyField {
    Body,
    Secret,
    Signature,
}

/// Checks a `PIK-Signature` by hand: paste the raw body, the secret and the
/// header value.
#[derive(Debug, Clone)]
pub struct VerifyForm {
    /// The raw body as pasted, newlines and all (it is what was signed).
    pub body: String,
    pub secret: Input,
    pub signature: Input,
    pub focus: VerifyField,
    pub result: Option<bool>,
}

impl Default for VerifyForm {
    fn default() -> Self {
        Self {
            body: String::new(),
            secret: Input::default(),
            signature: Input::default(),
            focus: VerifyField::Body,
            result: None,
        }
    }
}

impl VerifyForm {
    fn key_inner(&mut self, key: Key) -> Outcome {
        match key.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Tab | KeyCode::Down => {
                self.focus = match self.focus {
                    VerifyField::Body => VerifyField::Secret,
                    VerifyField::Secret => VerifyField::Signature,
                    VerifyField::Signature => VerifyField::Body,
                }
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = match self.focus {
                    VerifyField::Body => VerifyField::Signature,
                    VerifyField::Secret => VerifyField::Body,
                    VerifyField::Signature => VerifyField::Secret,
                }
            }
            KeyCode::Enter => {
                let secret = self.secret.value().trim();
                self.result =
                    Some(crate::signature::verify(secret.as_bytes(), self.body.as_bytes(), self.signature.value()));
                return Outcome::Stay;
            }
            _ => match self.focus {
                VerifyField::Body => match key.code {
                    KeyCode::Backspace => {
                        self.body.pop();
                    }
                    KeyCode::Char('u') if key.ctrl => self.body.clear(),
                    KeyCode::Char(c) if !key.ctrl && !key.alt => self.body.push(c),
                    _ => {}
                },
                VerifyField::Secret => {
                    edit(&mut self.secret, key, 200);
                }
                VerifyField::Signature => {
                    edit(&mut self.signature, key, 200);
                }
            },
        }
        self.result = None;
        Outcome::Stay
    }

    /// The body keeps pasted text exactly (newlines included); the other
    /// fields take one line.
    fn paste_inner(&mut self, text: &str) {
        match self.focus {
            VerifyField::Body => self.body.push_str(text),
            VerifyField::Secret => paste(&mut self.secret, text.trim(), 200),
            VerifyField::Signature => paste(&mut self.signature, text.trim(), 200),
        }
        self.result = None;
    }
}

impl Dialog for VerifyForm {
    fn key(&mut self, key: Key, _action: Option<Action>) -> Outcome {
        self.key_inner(key)
    }

    fn paste(&mut self, text: &str) {
        self.paste_inner(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::dialogs::Dialog;
    use crate::app::input::KeyCode;

    #[test]
    fn the_signature_checker_says_valid_or_invalid() {
        let body = "{\"event\":\"payment.settled\"}\n";
        let signature = crate::signature::sign(b"whsec_abc", body.as_bytes());
        let mut form = VerifyForm::default();
        form.paste(body);
        form.key(Key::plain(KeyCode::Tab), None);
        form.paste("whsec_abc\n");
        form.key(Key::plain(KeyCode::Tab), None);
        form.paste(&signature);
        form.key(Key::plain(KeyCode::Enter), None);
        assert_eq!(form.result, Some(true));
        form.key(Key::plain(KeyCode::Backspace), None);
        form.key(Key::plain(KeyCode::Enter), None);
        assert_eq!(form.result, Some(false));
    }
}
