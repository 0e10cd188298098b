//! What takes the keys: the panes, a prompt, an overlay, or a dialog.

use super::dialogs::{ConfirmDeactivate, CreatedLink, SecretDialog};
use super::forms::{ExportForm, LinkForm, VerifyForm, WebhookForm};
use super::prompt::Prompt;
use super::{Dialog, audit_view, case_view};

#[derive(Debug)]
pub enum Mode {
    Normal,
    /// Typing a text filter; the previous one is restored on Esc.
    Filter(Prompt),
    /// Typing a search of the mirror; the previous one is restored on Esc.
    Search(Prompt),
    /// Typing after `:`.
    Command(Prompt),
    Help {
        scroll: u16,
    },
    /// `:alerts`: this session's alerts, newest first.
    Alerts {
        scroll: u16,
    },
    /// `:audit`: the audit log, newest first.
    Audit(Box<audit_view::AuditView>),
    NewLink(Box<LinkForm>),
    /// An order's case: its story and the next step.
    Case(Box<case_view::CaseView>),
    /// The result of a create: URL, QR code, copy.
    Created(Box<CreatedLink>),
    Deactivate(Box<ConfirmDeactivate>),
    NewWebhook(Box<WebhookForm>),
    /// The webhook secret, shown once.
    Secret(Box<SecretDialog>),
    Verify(Box<VerifyForm>),
    Export(Box<ExportForm>),
}

impl Mode {
    /// The dialog or form that takes the keys, if one is open.
    pub fn dialog(&self) -> Option<&dyn Dialog> {
        match self {
            Mode::NewLink(d) => Some(d.as_ref()),
            Mode::Created(d) => Some(d.as_ref()),
            Mode::Deactivate(d) => Some(d.as_ref()),
            Mode::NewWebhook(d) => Some(d.as_ref()),
            Mode::Secret(d) => Some(d.as_ref()),
            Mode::Verify(d) => Some(d.as_ref()),
            Mode::Export(d) => Some(d.as_ref()),
            Mode::Normal
            | Mode::Filter(_)
            | Mode::Search(_)
            | Mode::Command(_)
            | Mode::Help { .. }
            | Mode::Case(_)
            | Mode::Audit(_)
            | Mode::Alerts { .. } => None,
        }
    }

    pub fn dialog_mut(&mut self) -> Option<&mut dyn Dialog> {
        match self {
            Mode::NewLink(d) => Some(d.as_mut()),
            Mode::Created(d) => Some(d.as_mut()),
            Mode::Deactivate(d) => Some(d.as_mut()),
            Mode::NewWebhook(d) => Some(d.as_mut()),
            Mode::Secret(d) => Some(d.as_mut()),
            Mode::Verify(d) => Some(d.as_mut()),
            Mode::Export(d) => Some(d.as_mut()),
            Mode::Normal
            | Mode::Filter(_)
            | Mode::Search(_)
            | Mode::Command(_)
            | Mode::Help { .. }
            | Mode::Case(_)
            | Mode::Audit(_)
            | Mode::Alerts { .. } => None,
        }
    }
}
