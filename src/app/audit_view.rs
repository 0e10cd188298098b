//! `:audit`: the audit log in the dashboard, newest first, read from the
//! record (`Cmd::ReadAudit`), scrolling like the other overlays.

use super::list::RequestId;
use super::{App, Cmd, Mode};
use crate::audit::Act;

/// The most recent acts shown: the whole log is `pik-tui audit`'s.
pub const SHOWN: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct AuditView {
    pub scroll: u16,
    request: RequestId,
    /// The acts, newest first, once read; or why they could not be.
    pub acts: Option<Result<Vec<Act>, String>>,
}

impl App {
    pub(super) fn open_audit(&mut self, cmds: &mut Vec<Cmd>) {
        let request = self.request_id();
        cmds.push(Cmd::ReadAudit { request });
        self.mode = Mode::Audit(Box::new(AuditView { scroll: 0, request, acts: None }));
    }

    pub(super) fn audit_read(&mut self, request: RequestId, result: Result<Vec<Act>, String>) {
        let Mode::Audit(view) = &mut self.mode else { return };
        if view.request != request {
            return;
        }
        view.acts = Some(result.map(|acts| acts.into_iter().rev().take(SHOWN).collect()));
    }
}
