//! The dialogs over the dashboard, each with its own state and its own keys:
//! the result view of a created link, the deactivation question and the
//! one-time webhook secret. They, and the forms, answer every key with one
//! [`Outcome`]; the app acts on it in one place.

use super::Mode;
use super::input::Key;
use super::keymap::{Action, Context};
use super::list::RequestId;
use super::pane::Pane;
use crate::api::{CreateLink, CreateWebhook, PaymentLink, WebhookSecret};

/// A change at PIK that a dialog asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    CreateLink(CreateLink),
    DeactivateLink { id: String },
    CreateWebhook(CreateWebhook),
}

/// What a dialog wants after a key.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing for the app to do.
    Stay,
    Close,
    /// Send this write; the dialog stays, locked until PIK answers.
    Submit(Write),
    /// Put this text on the clipboard; the dialog stays.
    Copy(String),
    /// Close, and open this instead.
    Replace(Mode),
    /// Close, and select this row of this pane.
    Reveal {
        pane: Pane,
        id: String,
    },
    /// Stay, and show these words in the footer.
    Say(String),
    /// Start this export; the form stays until the file is claimed.
    Export(super::forms::ExportJob),
    /// Close, and deactivate these links one after the other.
    DeactivateMarked(Vec<String>),
}

/// A dialog or form: it takes the keys while it is open.
pub trait Dialog {
    /// Where its keys are looked up in the keymap. Forms, which take text,
    /// read raw keys instead.
    fn context(&self) -> Option<Context> {
        None
    }

    /// `action` is what the keymap makes of `key` in [`Dialog::context`].
    fn key(&mut self, key: Key, action: Option<Action>) -> Outcome;

    fn paste(&mut self, _text: &str) {}

    /// The write it asked for went out as `request`.
    fn submitted(&mut self, _request: RequestId) {}

    /// The write it is waiting for, if any.
    fn submitting(&self) -> Option<RequestId> {
        None
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

impl Dialog for CreatedLink {
    fn context(&self) -> Option<Context> {
        Some(Context::Result)
    }

    fn key(&mut self, _key: Key, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::CopyCreated) => match &self.link.url {
                Some(url) => {
                    self.copied = true;
                    Outcome::Copy(url.clone())
                }
                None => Outcome::Say("PIK's answer had no URL to copy".into()),
            },
            Some(Action::AnotherLink) => {
                Outcome::Replace(Mode::NewLink(Box::new(super::forms::LinkForm::new(&self.link.currency))))
            }
            // Back to the links, with the new one selected on top.
            Some(Action::CloseResult) => Outcome::Reveal { pane: Pane::Links, id: self.link.id.clone() },
            _ => Outcome::Stay,
        }
    }
}

/// "Deactivate this link?", or the marked ones. The answer defaults to No.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmDeactivate {
    /// The link, or the marked links in the order marked.
    pub links: Vec<String>,
    /// The marked links: each is its own request, one after the other.
    pub marked: bool,
    /// Its amount, or their total per currency, one a line.
    pub summary: Vec<String>,
    pub description: Option<String>,
    /// What the agent should know before saying yes.
    pub note: Option<String>,
    pub yes: bool,
    pub submitting: Option<RequestId>,
}

impl ConfirmDeactivate {
    pub fn new(link: &PaymentLink) -> Self {
        Self {
            links: vec![link.id.clone()],
            marked: false,
            summary: vec![format!("{} {}", link.amount, link.currency)],
            description: link.description.clone(),
            note: None,
            yes: false,
            submitting: None,
        }
    }

    /// The marked links, their totals, and what to know.
    pub fn marked(links: Vec<String>, totals: Vec<String>, note: Option<String>) -> Self {
        Self { links, marked: true, summary: totals, description: None, note, yes: false, submitting: None }
    }

    fn answer(&self, yes: bool) -> Outcome {
        match (yes, self.marked, self.links.first()) {
            (true, true, _) => Outcome::DeactivateMarked(self.links.clone()),
            (true, false, Some(id)) => Outcome::Submit(Write::DeactivateLink { id: id.clone() }),
            _ => Outcome::Close,
        }
    }
}

impl Dialog for ConfirmDeactivate {
    fn context(&self) -> Option<Context> {
        Some(Context::Confirm)
    }

    fn key(&mut self, _key: Key, action: Option<Action>) -> Outcome {
        if self.submitting.is_some() {
            return Outcome::Stay;
        }
        match action {
            Some(Action::AnswerYes) => self.answer(true),
            Some(Action::AnswerNo) => self.answer(false),
            Some(Action::ChooseAnswer) => self.answer(self.yes),
            Some(Action::ToggleAnswer) => {
                self.yes = !self.yes;
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    fn submitted(&mut self, request: RequestId) {
        self.submitting = Some(request);
    }

    fn submitting(&self) -> Option<RequestId> {
        self.submitting
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

impl Dialog for SecretDialog {
    fn context(&self) -> Option<Context> {
        Some(Context::Secret)
    }

    fn key(&mut self, _key: Key, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::CopySecret) => {
                self.copied = true;
                Outcome::Copy(self.secret.expose().to_string())
            }
            // Only an explicit "saved" closes it: the secret is never shown again.
            Some(Action::SecretSaved) => Outcome::Close,
            _ => Outcome::Say("press Enter once the secret is saved: PIK will not show it again".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::input::KeyCode;
    use crate::app::keymap::Keymap;

    fn press(dialog: &mut dyn Dialog, key: Key) -> Outcome {
        let action = dialog.context().and_then(|c| Keymap::default().lookup(c, key).map(|b| b.action));
        dialog.key(key, action)
    }

    fn link() -> PaymentLink {
        crate::test_support::link("pl_abc")
    }

    #[test]
    fn the_result_view_copies_makes_another_and_goes_back() {
        let mut view = CreatedLink::new(link());
        assert!(matches!(press(&mut view, Key::char('y')), Outcome::Copy(url) if url.ends_with("pl_abc")));
        assert!(view.copied);
        assert!(matches!(press(&mut view, Key::char('n')), Outcome::Replace(Mode::NewLink(_))));
        assert!(matches!(press(&mut view, Key::plain(KeyCode::Esc)), Outcome::Reveal { pane: Pane::Links, .. }));
        assert!(matches!(press(&mut view, Key::char('x')), Outcome::Stay));
    }

    #[test]
    fn the_question_defaults_to_no_and_locks_once_sent() {
        let mut question = ConfirmDeactivate::new(&link());
        assert!(matches!(press(&mut question, Key::plain(KeyCode::Enter)), Outcome::Close), "default No");
        assert!(matches!(press(&mut question, Key::plain(KeyCode::Tab)), Outcome::Stay));
        assert!(matches!(
            press(&mut question, Key::plain(KeyCode::Enter)),
            Outcome::Submit(Write::DeactivateLink { .. })
        ));
        question.submitted(7);
        assert!(matches!(press(&mut question, Key::char('y')), Outcome::Stay), "locked while sent");
    }

    #[test]
    fn the_secret_closes_only_when_saved() {
        let mut dialog = SecretDialog {
            webhook_id: "wh_1".into(),
            url: "https://x.example/h".into(),
            secret: WebhookSecret::new("whsec_abc".into()),
            copied: false,
        };
        assert!(matches!(press(&mut dialog, Key::plain(KeyCode::Esc)), Outcome::Say(_)));
        assert!(matches!(press(&mut dialog, Key::char('y')), Outcome::Copy(s) if s == "whsec_abc"));
        assert!(matches!(press(&mut dialog, Key::plain(KeyCode::Enter)), Outcome::Close));
    }
}
