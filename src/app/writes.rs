//! Writes: the one path every write goes out by (a request id, the dialog
//! locked until PIK answers, never a retry), and what each answer does.

use super::dialogs::{CreatedLink, SecretDialog, Write};
use super::forms::{LinkForm, WebhookForm};
use super::list::RequestId;
use super::{App, Cmd, ErrorInfo, Found, Mode, Written, failure_words};

impl App {
    /// Sends a write the open dialog asked for.
    pub(super) fn submit(&mut self, write: Write, cmds: &mut Vec<Cmd>) {
        let Some(request) = self.send_write(write, cmds) else {
            self.mode = Mode::Normal;
            return;
        };
        if let Some(dialog) = self.mode.dialog_mut() {
            dialog.submitted(request);
        }
    }

    /// Sends a write, once, with its own request id; refused (and said)
    /// in read-only mode.
    pub(super) fn send_write(&mut self, write: Write, cmds: &mut Vec<Cmd>) -> Option<RequestId> {
        if self.settings.read_only {
            self.notify("read-only mode: changes are turned off", true);
            return None;
        }
        let request = self.request_id();
        cmds.push(Cmd::Write { request, write, by: self.actor() });
        Some(request)
    }

    /// The answer to a write, for the dialog or the run waiting for it.
    pub(super) fn written(&mut self, request: RequestId, result: Result<Written, ErrorInfo>, cmds: &mut Vec<Cmd>) {
        if self.bulk_written(request, &result, cmds) {
            return;
        }
        if self.mode.dialog().and_then(|d| d.submitting()) != Some(request) {
            return; // not (or no longer) waited for
        }
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::NewLink(mut form) => {
                form.submitting = None;
                self.link_created(form, result);
            }
            Mode::Deactivate(confirm) => {
                let id = confirm.links.first().cloned().unwrap_or_default();
                self.link_deactivated(&id, result)
            }
            Mode::NewWebhook(mut form) => {
                form.submitting = None;
                self.webhook_created(form, result);
            }
            other => self.mode = other,
        }
    }

    fn link_created(&mut self, mut form: Box<LinkForm>, result: Result<Written, ErrorInfo>) {
        match result {
            Ok(Written::Link(link)) => {
                // The worker kept it in the mirror, which says so: the list
                // reads it, marked new.
                self.last_currency = link.currency.clone();
                self.mode = Mode::Created(Box::new(CreatedLink::new(link)));
            }
            Err(error) if error.may_have_happened => {
                // Never retried: a duplicate link is worse. The list is
                // refreshed so the agent can look before trying again.
                form.failure = Some(format!(
                    "{}: the request was sent but no answer came, so the link MAY have been created. \
                     The list is being refreshed: check it before trying again.",
                    error.summary
                ));
                self.refresh_now();
                self.mode = Mode::NewLink(form);
            }
            Err(error) => {
                form.failure = Some(failure_words(&error));
                self.mode = Mode::NewLink(form);
            }
            Ok(_) => self.mode = Mode::NewLink(form),
        }
    }

    fn link_deactivated(&mut self, id: &str, result: Result<Written, ErrorInfo>) {
        match result {
            Ok(Written::Deactivated(link)) => {
                if let Some(detail) = &mut self.detail
                    && detail.id == link.id
                {
                    detail.object = Some(Found::Link(link));
                }
                self.notify(format!("{id} is now deactivated"), false);
            }
            Ok(_) => {}
            Err(error) if matches!(error.status, Some(404 | 405)) => self.notify(
                format!(
                    "this PIK server does not support deactivating links ({}); use PIK's web dashboard",
                    error.status.unwrap_or(0)
                ),
                true,
            ),
            Err(error) if error.may_have_happened => {
                self.notify(format!("{}: {id} may or may not be deactivated; refreshing", error.summary), true);
                self.refresh_now();
            }
            Err(error) => self.notify(failure_words(&error), true),
        }
    }

    fn webhook_created(&mut self, mut form: Box<WebhookForm>, result: Result<Written, ErrorInfo>) {
        match result {
            Ok(Written::Webhook(webhook, secret)) => {
                let dialog =
                    SecretDialog { webhook_id: webhook.id.clone(), url: webhook.url.clone(), secret, copied: false };
                // Shown at once; the sync reads the webhooks now, into the mirror.
                self.webhooks.list.prepend(webhook, self.now);
                self.refresh_now();
                self.mode = Mode::Secret(Box::new(dialog));
            }
            Err(error) if error.may_have_happened => {
                form.failure = Some(format!(
                    "{}: the endpoint MAY have been registered; check the list before trying again",
                    error.summary
                ));
                self.refresh_now();
                self.mode = Mode::NewWebhook(form);
            }
            Err(error) => {
                form.failure = Some(failure_words(&error));
                self.mode = Mode::NewWebhook(form);
            }
            Ok(_) => self.mode = Mode::NewWebhook(form),
        }
    }
}
