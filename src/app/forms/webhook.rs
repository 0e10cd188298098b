//! The webhook registration form: an https URL and the events to send.

use super::{edit, paste};
use crate::api::{CreateWebhook, WebhookEvent};
use crate::app::dialogs::{Dialog, Outcome, Write};
use crate::app::input::{Key, KeyCode};
use crate::app::keymap::Action;
use crate::app::list::RequestId;
use tui_input::Input;

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

    fn key_inner(&mut self, key: Key) -> Outcome {
        if self.submitting.is_some() {
            return Outcome::Stay;
        }
        let last = EVENTS.len() - 1;
        match key.code {
            KeyCode::Esc => return Outcome::Close,
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
                    return Outcome::Submit(Write::CreateWebhook(request));
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
        Outcome::Stay
    }

    fn paste_inner(&mut self, text: &str) {
        if self.focus == WebhookField::Url && self.submitting.is_none() {
            paste(&mut self.url, text.trim(), 2000);
        }
    }
}

impl Dialog for WebhookForm {
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
    use crate::app::input::KeyCode;

    #[test]
    fn webhook_urls_and_events() {
        let mut form = WebhookForm::new(false);
        for c in "http://127.0.0.1:9/h".chars() {
            form.key(Key::char(c), None);
        }
        assert!(form.check().is_err(), "no plain http against real PIK");
        let mut form = WebhookForm::new(true);
        form.paste("http://127.0.0.1:9/h");
        assert!(form.check().is_ok());
        form.url = Input::new("http://10.0.0.1/h".into());
        assert!(form.check().is_err());
        form.url = Input::new("https://example.com/pik".into());
        for i in 0..3 {
            form.key(Key::plain(KeyCode::Tab), None);
            assert_eq!(form.focus, WebhookField::Event(i));
            form.key(Key::char(' '), None);
        }
        assert_eq!(form.check().err().and_then(|e| e.1).as_deref(), Some("choose at least one event"));
        form.key(Key::char(' '), None);
        let Ok(request) = form.check() else { panic!() };
        assert_eq!(request.events, [WebhookEvent::PaymentFailed]);
    }
}
