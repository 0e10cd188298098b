//! The new payment link form: amount (checked as you type with the
//! currency's own rules), currency picker, description.

use super::{COMMON_CURRENCIES, edit, paste};
use crate::api::CreateLink;
use crate::app::dialogs::{Dialog, Outcome, Write};
use crate::app::input::{Key, KeyCode};
use crate::app::keymap::Action;
use crate::app::list::RequestId;
use crate::money;
use tui_input::Input;

/// Amount errors short enough to stand beside the field.
fn short_amount_error(error: &money::AmountError) -> String {
    match error {
        money::AmountError::Empty => "required".into(),
        money::AmountError::NotDecimal => "digits and one dot, like 75.00".into(),
        money::AmountError::NotPositive => "must be more than 0".into(),
        money::AmountError::TooPrecise { currency, decimals } => format!("{currency}: at most {decimals} decimals"),
        money::AmountError::TooLarge { currency, max } => format!("{currency}: at most {max}"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkField {
    Amount,
    Currency,
    Description,
}

/// Field problems, shown beside the fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkErrors {
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub description: Option<String>,
}

const MAX_AMOUNT_CHARS: usize = 40;

#[derive(Debug, Clone)]
pub struct LinkForm {
    pub amount: Input,
    /// An index into [`COMMON_CURRENCIES`], or its length for "other".
    pub currency_choice: usize,
    pub other_currency: Input,
    pub description: Input,
    pub focus: LinkField,
    /// The request in flight: the form is locked until it answers, so a
    /// second Enter cannot create a second link.
    pub submitting: Option<RequestId>,
    /// What the API said about the last submit, shown inline.
    pub failure: Option<String>,
    /// After a submit with errors, every field shows its error.
    pub show_all_errors: bool,
    pub confirm_discard: bool,
}

impl LinkForm {
    /// An empty form with the currency used last this session.
    pub fn new(last_currency: &str) -> Self {
        let choice = COMMON_CURRENCIES.iter().position(|c| *c == last_currency);
        Self {
            amount: Input::default(),
            currency_choice: choice.unwrap_or(COMMON_CURRENCIES.len()),
            other_currency: Input::new(if choice.is_some() { String::new() } else { last_currency.to_string() }),
            description: Input::default(),
            focus: LinkField::Amount,
            submitting: None,
            failure: None,
            show_all_errors: false,
            confirm_discard: false,
        }
    }

    pub fn currency(&self) -> String {
        match COMMON_CURRENCIES.get(self.currency_choice) {
            Some(code) => (*code).to_string(),
            None => self.other_currency.value().trim().to_uppercase(),
        }
    }

    /// Whether anything was typed (Esc then asks before throwing it away).
    pub fn is_dirty(&self) -> bool {
        !self.amount.value().is_empty() || !self.description.value().is_empty()
    }

    /// Checks every field as the user types, with the currency's own rules.
    pub fn check(&self) -> Result<CreateLink, LinkErrors> {
        let mut errors = LinkErrors::default();
        let currency = self.currency();
        if !money::is_currency_code(&currency) {
            errors.currency = Some("type a code such as SOL (letters and digits)".into());
        }
        let amount = match money::validate_amount_for(self.amount.value(), &currency) {
            Ok(amount) => Some(amount),
            Err(err) => {
                errors.amount = Some(short_amount_error(&err));
                None
            }
        };
        let description = self.description.value().trim();
        if description.chars().count() > money::MAX_DESCRIPTION_CHARS {
            errors.description = Some(format!("at most {} characters", money::MAX_DESCRIPTION_CHARS));
        }
        match amount {
            Some(amount) if errors == LinkErrors::default() => Ok(CreateLink {
                amount,
                currency,
                description: (!description.is_empty()).then(|| description.to_string()),
            }),
            _ => Err(errors),
        }
    }

    /// The errors to show now: a field's own once something is typed in it,
    /// all of them after a failed submit.
    pub fn visible_errors(&self) -> LinkErrors {
        let Err(mut errors) = self.check() else { return LinkErrors::default() };
        if !self.show_all_errors && self.amount.value().is_empty() {
            errors.amount = None;
        }
        errors
    }

    fn move_focus(&mut self, forward: bool) {
        use LinkField::*;
        self.focus = match (self.focus, forward) {
            (Amount, true) | (Description, false) => Currency,
            (Currency, true) | (Amount, false) => Description,
            (Description, true) | (Currency, false) => Amount,
        };
    }

    fn key_inner(&mut self, key: Key) -> Outcome {
        if self.submitting.is_some() {
            return Outcome::Stay; // locked while the request is out
        }
        if self.confirm_discard {
            self.confirm_discard = false;
            return if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                Outcome::Close
            } else {
                Outcome::Stay
            };
        }
        match key.code {
            KeyCode::Esc => {
                if self.is_dirty() {
                    self.confirm_discard = true;
                    return Outcome::Stay;
                }
                return Outcome::Close;
            }
            KeyCode::Tab | KeyCode::Down => self.move_focus(true),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(false),
            KeyCode::Enter => match self.check() {
                Ok(request) => {
                    self.failure = None;
                    return Outcome::Submit(Write::CreateLink(request));
                }
                Err(errors) => {
                    self.show_all_errors = true;
                    self.focus = if errors.amount.is_some() {
                        LinkField::Amount
                    } else if errors.currency.is_some() {
                        LinkField::Currency
                    } else {
                        LinkField::Description
                    };
                }
            },
            _ => match self.focus {
                LinkField::Amount => {
                    edit(&mut self.amount, key, MAX_AMOUNT_CHARS);
                }
                LinkField::Description => {
                    edit(&mut self.description, key, money::MAX_DESCRIPTION_CHARS);
                }
                LinkField::Currency => self.currency_key(key),
            },
        }
        Outcome::Stay
    }

    fn currency_key(&mut self, key: Key) {
        let other = COMMON_CURRENCIES.len();
        let typing_other = self.currency_choice == other && !self.other_currency.value().is_empty();
        match key.code {
            KeyCode::Left if !typing_other => self.currency_choice = (self.currency_choice + other) % (other + 1),
            KeyCode::Right if !typing_other => self.currency_choice = (self.currency_choice + 1) % (other + 1),
            KeyCode::Char(c) if !key.ctrl && c.is_ascii_alphanumeric() && self.currency_choice < other => {
                // Typing a code picks "other" and starts it.
                self.currency_choice = other;
                self.other_currency = Input::default();
                edit(&mut self.other_currency, key, money::MAX_CURRENCY_CHARS);
            }
            _ if self.currency_choice == other => {
                edit(&mut self.other_currency, key, money::MAX_CURRENCY_CHARS);
            }
            _ => {}
        }
    }

    fn paste_inner(&mut self, text: &str) {
        if self.submitting.is_some() {
            return;
        }
        match self.focus {
            LinkField::Amount => paste(&mut self.amount, text.trim(), MAX_AMOUNT_CHARS),
            LinkField::Description => paste(&mut self.description, text, money::MAX_DESCRIPTION_CHARS),
            LinkField::Currency => {
                self.currency_choice = COMMON_CURRENCIES.len();
                self.other_currency = Input::default();
                paste(&mut self.other_currency, text.trim(), money::MAX_CURRENCY_CHARS);
            }
        }
    }
}

impl Dialog for LinkForm {
    fn key(&mut self, key: Key, _action: Option<Action>) -> Outcome {
        self.key_inner(key)
    }

    fn paste(&mut self, text: &str) {
        self.paste_inner(text);
    }

    fn submitted(&mut self, request: RequestId) {
        self.failure = None;
        self.submitting = Some(request);
    }

    fn submitting(&self) -> Option<RequestId> {
        self.submitting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::dialogs::Dialog;

    fn typed(form: &mut LinkForm, text: &str) {
        for c in text.chars() {
            form.key(Key::char(c), None);
        }
    }

    #[test]
    fn the_amount_validation_table() {
        for (text, ok) in [
            ("12", true),
            ("12.5", true),
            ("12.50", true),
            ("abc", false),
            ("-1", false),
            ("0", false),
            ("1e5", false),
            ("1,000.00", false),
            ("1.1234567", false),
            ("2000000", false),
            ("", false),
        ] {
            let mut form = LinkForm::new("USDT");
            typed(&mut form, text);
            assert_eq!(form.check().is_ok(), ok, "{text:?}: {:?}", form.check());
        }
        // Precision follows the currency: 8 places are fine for BTC.
        let mut form = LinkForm::new("BTC");
        typed(&mut form, "0.12345678");
        assert!(form.check().is_ok());
        // The error shows beside the field once something is typed.
        let mut form = LinkForm::new("USDT");
        assert_eq!(form.visible_errors().amount, None);
        typed(&mut form, "1e5");
        assert_eq!(form.visible_errors().amount.as_deref(), Some("digits and one dot, like 75.00"));
    }

    #[test]
    fn focus_moves_with_tab_and_typing_a_code_picks_another_currency() {
        let mut form = LinkForm::new("USDT");
        assert_eq!(form.focus, LinkField::Amount);
        form.key(Key::plain(KeyCode::Tab), None);
        assert_eq!(form.focus, LinkField::Currency);
        form.key(Key::plain(KeyCode::Right), None);
        assert_eq!(form.currency(), "USDC");
        form.key(Key::plain(KeyCode::Left), None);
        form.key(Key::plain(KeyCode::Left), None);
        assert_eq!(form.currency_choice, COMMON_CURRENCIES.len(), "left of USDT is 'other'");
        form.key(Key::plain(KeyCode::Right), None);
        assert_eq!(form.currency(), "USDT", "and it wraps back");
        typed(&mut form, "sol");
        assert_eq!(form.currency(), "SOL");
        form.key(Key::plain(KeyCode::Tab), None);
        assert_eq!(form.focus, LinkField::Description);
        form.key(Key::plain(KeyCode::Tab), None);
        assert_eq!(form.focus, LinkField::Amount);
        form.key(Key::plain(KeyCode::BackTab), None);
        assert_eq!(form.focus, LinkField::Description);
    }

    #[test]
    fn editing_has_word_delete_cursor_moves_and_paste() {
        let mut form = LinkForm::new("USDT");
        form.focus = LinkField::Description;
        typed(&mut form, "Order 1234 today");
        form.key(Key::ctrl('w'), None);
        assert_eq!(form.description.value(), "Order 1234 ");
        form.key(Key::plain(KeyCode::Home), None);
        typed(&mut form, ">");
        assert_eq!(form.description.value(), ">Order 1234 ");
        form.paste("pasted\nsecond line");
        assert_eq!(form.description.value(), ">pastedOrder 1234 ");
        let long = "x".repeat(600);
        form.paste(&long);
        assert_eq!(form.description.value().chars().count(), money::MAX_DESCRIPTION_CHARS, "capped");
    }

    #[test]
    fn enter_submits_once_and_the_form_locks() {
        let mut form = LinkForm::new("USDT");
        typed(&mut form, "75.00");
        let action = form.key(Key::plain(KeyCode::Enter), None);
        let Outcome::Submit(Write::CreateLink(request)) = action else { panic!("{action:?}") };
        assert_eq!((request.amount.to_string().as_str(), request.currency.as_str()), ("75.00", "USDT"));
        form.submitted(7);
        assert!(matches!(form.key(Key::plain(KeyCode::Enter), None), Outcome::Stay), "a second Enter does nothing");
        typed(&mut form, "9");
        assert_eq!(form.amount.value(), "75.00", "locked");
    }

    #[test]
    fn esc_asks_before_throwing_input_away() {
        let mut form = LinkForm::new("USDT");
        assert!(matches!(form.key(Key::plain(KeyCode::Esc), None), Outcome::Close));
        typed(&mut form, "5");
        assert!(matches!(form.key(Key::plain(KeyCode::Esc), None), Outcome::Stay));
        assert!(form.confirm_discard);
        assert!(matches!(form.key(Key::char('n'), None), Outcome::Stay));
        assert_eq!(form.amount.value(), "5", "kept");
        form.key(Key::plain(KeyCode::Esc), None);
        assert!(matches!(form.key(Key::char('y'), None), Outcome::Close));
    }
}
