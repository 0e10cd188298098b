//! The write forms and their dialogs: create a payment link, register a
//! webhook, check a signature, confirm a deactivation. Pure state and rules;
//! text editing is `tui-input`'s (cursor movement, word delete, paste).

use super::input::{Key, KeyCode};
use super::paged::RequestId;
use crate::api::{CreateLink, CreateWebhook, PaymentLink, WebhookEvent, WebhookSecret};
use crate::money;
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

/// What a form wants the app to do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormAction {
    None,
    Close,
    SubmitLink(CreateLink),
    SubmitWebhook(CreateWebhook),
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

    pub fn key(&mut self, key: Key) -> FormAction {
        if self.submitting.is_some() {
            return FormAction::None; // locked while the request is out
        }
        if self.confirm_discard {
            self.confirm_discard = false;
            return if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                FormAction::Close
            } else {
                FormAction::None
            };
        }
        match key.code {
            KeyCode::Esc => {
                if self.is_dirty() {
                    self.confirm_discard = true;
                    return FormAction::None;
                }
                return FormAction::Close;
            }
            KeyCode::Tab | KeyCode::Down => self.move_focus(true),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(false),
            KeyCode::Enter => match self.check() {
                Ok(request) => {
                    self.failure = None;
                    return FormAction::SubmitLink(request);
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
        FormAction::None
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

    pub fn paste(&mut self, text: &str) {
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

/// The answer to a create: the link, and its QR code drawn once.
#[derive(Debug, Clone)]
pub struct CreatedLink {
    pub link: PaymentLink,
    /// Half-block rows of the URL's QR code; `None` if it cannot be made.
    pub qr: Option<Vec<String>>,
    pub copied: bool,
}

impl CreatedLink {
    pub fn new(link: PaymentLink) -> Self {
        let qr =
            link.url.as_deref().and_then(|url| crate::qr::QrGrid::encode(url).ok()).map(|grid| grid.half_block_lines());
        Self { link, qr, copied: false }
    }
}

/// "Deactivate this link?" The answer defaults to No.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmDeactivate {
    pub id: String,
    pub summary: String,
    pub description: Option<String>,
    pub yes: bool,
    pub submitting: Option<RequestId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookField {
    Url,
    Event(usize),
}

pub const EVENTS: [WebhookEvent; 3] =
    [WebhookEvent::PaymentConfirmed, WebhookEvent::PaymentSettled, WebhookEvent::PaymentFailed];

#[derive(Debug, Clone)]
pub struct WebhookForm {
    pub url: Input,
    pub events: [bool; 3],
    pub focus: WebhookField,
    pub submitting: Option<RequestId>,
    pub failure: Option<String>,
    pub show_all_errors: bool,
    /// Plain http to this machine is allowed against the sandbox only.
    pub allow_loopback_http: bool,
}

impl WebhookForm {
    pub fn new(allow_loopback_http: bool) -> Self {
        Self {
            url: Input::default(),
            events: [true; 3],
            focus: WebhookField::Url,
            submitting: None,
            failure: None,
            show_all_errors: false,
            allow_loopback_http,
        }
    }

    /// (url error, events error) or the request.
    pub fn check(&self) -> Result<CreateWebhook, (Option<String>, Option<String>)> {
        let text = self.url.value().trim();
        let url_error = match url::Url::parse(text) {
            Err(_) => Some("type a URL such as https://example.com/pik".to_string()),
            Ok(url) => match (url.scheme(), url.host()) {
                (_, None) => Some("the URL needs a host".into()),
                ("https", Some(_)) => None,
                ("http", Some(host)) if self.allow_loopback_http && crate::api::is_loopback_host(&host) => None,
                ("http", Some(_)) if self.allow_loopback_http => {
                    Some("https only (http just for 127.0.0.1/localhost)".into())
                }
                _ => Some("PIK delivers to https:// URLs only".into()),
            },
        };
        let events: Vec<WebhookEvent> =
            EVENTS.iter().zip(self.events).filter(|(_, on)| *on).map(|(e, _)| e.clone()).collect();
        let events_error = events.is_empty().then(|| "choose at least one event".to_string());
        match (url_error, events_error) {
            (None, None) => Ok(CreateWebhook { url: text.to_string(), events }),
            errors => Err(errors),
        }
    }

    pub fn visible_errors(&self) -> (Option<String>, Option<String>) {
        match self.check() {
            Ok(_) => (None, None),
            Err((url, events)) => {
                let url = if self.show_all_errors || !self.url.value().is_empty() { url } else { None };
                (url, events)
            }
        }
    }

    pub fn key(&mut self, key: Key) -> FormAction {
        if self.submitting.is_some() {
            return FormAction::None;
        }
        let last = EVENTS.len() - 1;
        match key.code {
            KeyCode::Esc => return FormAction::Close,
            KeyCode::Tab | KeyCode::Down => {
                self.focus = match self.focus {
                    WebhookField::Url => WebhookField::Event(0),
                    WebhookField::Event(i) if i < last => WebhookField::Event(i + 1),
                    WebhookField::Event(_) => WebhookField::Url,
                }
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = match self.focus {
                    WebhookField::Url => WebhookField::Event(last),
                    WebhookField::Event(0) => WebhookField::Url,
                    WebhookField::Event(i) => WebhookField::Event(i - 1),
                }
            }
            KeyCode::Enter => match self.check() {
                Ok(request) => {
                    self.failure = None;
                    return FormAction::SubmitWebhook(request);
                }
                Err(_) => self.show_all_errors = true,
            },
            KeyCode::Char(' ') | KeyCode::Char('x') if matches!(self.focus, WebhookField::Event(_)) => {
                if let WebhookField::Event(i) = self.focus {
                    self.events[i] = !self.events[i];
                }
            }
            _ => {
                if self.focus == WebhookField::Url {
                    edit(&mut self.url, key, 2000);
                }
            }
        }
        FormAction::None
    }

    pub fn paste(&mut self, text: &str) {
        if self.focus == WebhookField::Url && self.submitting.is_none() {
            paste(&mut self.url, text.trim(), 2000);
        }
    }
}

/// The one time a webhook's secret is shown. Dropping it drops the secret
/// (a `SecretString`, zeroed on drop).
#[derive(Debug, Clone)]
pub struct SecretDialog {
    pub webhook_id: String,
    pub url: String,
    pub secret: WebhookSecret,
    pub copied: bool,
}

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
    pub fn key(&mut self, key: Key) -> FormAction {
        match key.code {
            KeyCode::Esc => return FormAction::Close,
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
                return FormAction::None;
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
        FormAction::None
    }

    /// The body keeps pasted text exactly (newlines included); the other
    /// fields take one line.
    pub fn paste(&mut self, text: &str) {
        match self.focus {
            VerifyField::Body => self.body.push_str(text),
            VerifyField::Secret => paste(&mut self.secret, text.trim(), 200),
            VerifyField::Signature => paste(&mut self.signature, text.trim(), 200),
        }
        self.result = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(form: &mut LinkForm, text: &str) {
        for c in text.chars() {
            form.key(Key::char(c));
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
        form.key(Key::plain(KeyCode::Tab));
        assert_eq!(form.focus, LinkField::Currency);
        form.key(Key::plain(KeyCode::Right));
        assert_eq!(form.currency(), "USDC");
        form.key(Key::plain(KeyCode::Left));
        form.key(Key::plain(KeyCode::Left));
        assert_eq!(form.currency_choice, COMMON_CURRENCIES.len(), "left of USDT is 'other'");
        form.key(Key::plain(KeyCode::Right));
        assert_eq!(form.currency(), "USDT", "and it wraps back");
        typed(&mut form, "sol");
        assert_eq!(form.currency(), "SOL");
        form.key(Key::plain(KeyCode::Tab));
        assert_eq!(form.focus, LinkField::Description);
        form.key(Key::plain(KeyCode::Tab));
        assert_eq!(form.focus, LinkField::Amount);
        form.key(Key::plain(KeyCode::BackTab));
        assert_eq!(form.focus, LinkField::Description);
    }

    #[test]
    fn editing_has_word_delete_cursor_moves_and_paste() {
        let mut form = LinkForm::new("USDT");
        form.focus = LinkField::Description;
        typed(&mut form, "Order 1234 today");
        form.key(Key::ctrl('w'));
        assert_eq!(form.description.value(), "Order 1234 ");
        form.key(Key::plain(KeyCode::Home));
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
        let action = form.key(Key::plain(KeyCode::Enter));
        let FormAction::SubmitLink(request) = action else { panic!("{action:?}") };
        assert_eq!((request.amount.to_string().as_str(), request.currency.as_str()), ("75.00", "USDT"));
        form.submitting = Some(7);
        assert_eq!(form.key(Key::plain(KeyCode::Enter)), FormAction::None, "a second Enter does nothing");
        typed(&mut form, "9");
        assert_eq!(form.amount.value(), "75.00", "locked");
    }

    #[test]
    fn esc_asks_before_throwing_input_away() {
        let mut form = LinkForm::new("USDT");
        assert_eq!(form.key(Key::plain(KeyCode::Esc)), FormAction::Close);
        typed(&mut form, "5");
        assert_eq!(form.key(Key::plain(KeyCode::Esc)), FormAction::None);
        assert!(form.confirm_discard);
        assert_eq!(form.key(Key::char('n')), FormAction::None);
        assert_eq!(form.amount.value(), "5", "kept");
        form.key(Key::plain(KeyCode::Esc));
        assert_eq!(form.key(Key::char('y')), FormAction::Close);
    }

    #[test]
    fn webhook_urls_and_events() {
        let mut form = WebhookForm::new(false);
        for c in "http://127.0.0.1:9/h".chars() {
            form.key(Key::char(c));
        }
        assert!(form.check().is_err(), "no plain http against real PIK");
        let mut form = WebhookForm::new(true);
        form.paste("http://127.0.0.1:9/h");
        assert!(form.check().is_ok());
        form.url = Input::new("http://10.0.0.1/h".into());
        assert!(form.check().is_err());
        form.url = Input::new("https://example.com/pik".into());
        for i in 0..3 {
            form.key(Key::plain(KeyCode::Tab));
            assert_eq!(form.focus, WebhookField::Event(i));
            form.key(Key::char(' '));
        }
        assert_eq!(form.check().err().and_then(|e| e.1).as_deref(), Some("choose at least one event"));
        form.key(Key::char(' '));
        let Ok(request) = form.check() else { panic!() };
        assert_eq!(request.events, [WebhookEvent::PaymentFailed]);
    }

    #[test]
    fn the_signature_checker_says_valid_or_invalid() {
        let body = "{\"event\":\"payment.settled\"}\n";
        let signature = crate::signature::sign(b"whsec_abc", body.as_bytes());
        let mut form = VerifyForm::default();
        form.paste(body);
        form.key(Key::plain(KeyCode::Tab));
        form.paste("whsec_abc\n");
        form.key(Key::plain(KeyCode::Tab));
        form.paste(&signature);
        form.key(Key::plain(KeyCode::Enter));
        assert_eq!(form.result, Some(true));
        form.key(Key::plain(KeyCode::Backspace));
        form.key(Key::plain(KeyCode::Enter));
        assert_eq!(form.result, Some(false));
    }
}
