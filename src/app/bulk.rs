//! Deactivating the marked links: one question naming the count and the
//! total, then one request a link, one after the other (the client's rate
//! limiter paces them), each by the one write path, none retried. The
//! footer shows the progress; a report ends it, and what was not
//! deactivated stays marked.

use super::dialogs::{ConfirmDeactivate, Write};
use super::list::RequestId;
use super::{App, Cmd, ErrorInfo, Mode, Pane, Written, failure_words};
use std::collections::{HashSet, VecDeque};

/// Failures the report names before it counts the rest.
const NAMED: usize = 3;

#[derive(Debug, Clone)]
pub struct BulkRun {
    waiting: VecDeque<String>,
    in_flight: Option<(RequestId, String)>,
    count: usize,
    done: usize,
    /// Links PIK refused or did not answer for, and why.
    failed: Vec<(String, String)>,
    /// PIK failed as a service (not this link): the rest were not sent.
    stopped: Option<String>,
}

impl BulkRun {
    /// "deactivating 3 of 7…"
    pub fn progress(&self) -> String {
        let at = (self.done + self.failed.len() + 1).min(self.count);
        format!("deactivating {at} of {} marked links… ({} done)", self.count, self.done)
    }

    /// "deactivated 7, 1 failed: pl_… (already paid)"
    fn report(&self) -> String {
        let mut words = format!("deactivated {}", self.done);
        if !self.failed.is_empty() {
            let named: Vec<String> = self
                .failed
                .iter()
                .take(NAMED)
                .map(|(id, why)| format!("{} ({why})", crate::sanitize::for_terminal_truncated(id, 30)))
                .collect();
            words.push_str(&format!(", {} failed: {}", self.failed.len(), named.join(", ")));
            if self.failed.len() > NAMED {
                words.push_str(&format!(" and {} more", self.failed.len() - NAMED));
            }
        }
        if let Some(why) = &self.stopped {
            words.push_str(&format!("; stopped: {why}, {} not sent", self.waiting.len()));
        }
        if !self.failed.is_empty() || self.stopped.is_some() {
            words.push_str(" (still marked; nothing is retried)");
        }
        words
    }
}

/// Whether a failure is the service's, not the link's: the rest would
/// fail the same way, so they are not sent.
fn service_failure(error: &ErrorInfo) -> bool {
    error.may_have_happened || error.status.is_none_or(|status| status == 429 || status >= 500)
}

impl App {
    pub fn bulk_run(&self) -> Option<&BulkRun> {
        self.bulk.as_ref()
    }

    /// `d` with links marked: asks once, naming the count and the total.
    pub(super) fn ask_deactivate_marked(&mut self) {
        if self.bulk.is_some() {
            return self.notify("a deactivation of marked links is under way", true);
        }
        let marks = self.marks(Pane::Links);
        let links: Vec<String> = marks.ids().map(str::to_string).collect();
        let total = super::marks::totals_words(&marks.totals());
        self.mode = Mode::Deactivate(Box::new(ConfirmDeactivate::marked(links, total)));
    }

    /// Yes: the run starts with the first link.
    pub(super) fn deactivate_marked(&mut self, links: Vec<String>, cmds: &mut Vec<Cmd>) {
        self.mode = Mode::Normal;
        let count = links.len();
        self.bulk =
            Some(BulkRun { waiting: links.into(), in_flight: None, count, done: 0, failed: Vec::new(), stopped: None });
        self.next_deactivation(cmds);
    }

    fn next_deactivation(&mut self, cmds: &mut Vec<Cmd>) {
        let Some(run) = self.bulk.as_mut() else { return };
        let Some(id) = run.waiting.pop_front() else { return self.end_bulk() };
        let Some(request) = self.send_write(Write::DeactivateLink { id: id.clone() }, cmds) else {
            // Read-only since it started: nothing more goes.
            if let Some(run) = self.bulk.as_mut() {
                run.waiting.push_front(id);
                run.stopped = Some("read-only mode".into());
            }
            return self.end_bulk();
        };
        if let Some(run) = self.bulk.as_mut() {
            run.in_flight = Some((request, id));
        }
    }

    /// A write's answer, if it is the run's; says whether it was.
    pub(super) fn bulk_written(
        &mut self,
        request: RequestId,
        result: &Result<Written, ErrorInfo>,
        cmds: &mut Vec<Cmd>,
    ) -> bool {
        let Some(run) = self.bulk.as_mut() else { return false };
        let Some((_, id)) = run.in_flight.take_if(|(waited, _)| *waited == request) else { return false };
        match result {
            Ok(_) => {
                run.done += 1;
                self.marks_mut(Pane::Links).unmark(&id);
            }
            Err(error) if error.may_have_happened => {
                run.failed.push((id, "no answer: it may or may not be deactivated".into()));
                run.stopped = Some(crate::sanitize::for_terminal_truncated(&error.summary, 60));
            }
            Err(error) if service_failure(error) => {
                run.failed.push((id, crate::sanitize::for_terminal_truncated(&error.summary, 60)));
                run.stopped = Some("PIK is failing".into());
            }
            Err(error) => {
                let why = crate::sanitize::for_terminal_truncated(&failure_words(error), 80);
                run.failed.push((id, why));
            }
        }
        if self.bulk.as_ref().is_some_and(|run| run.stopped.is_some()) {
            self.end_bulk();
        } else {
            self.next_deactivation(cmds);
        }
        true
    }

    /// The report; what was not deactivated stays marked.
    fn end_bulk(&mut self) {
        let Some(run) = self.bulk.take() else { return };
        let left: HashSet<String> =
            run.failed.iter().map(|(id, _)| id.clone()).chain(run.waiting.iter().cloned()).collect();
        self.marks_mut(Pane::Links).keep_only(&left);
        let trouble = !left.is_empty();
        self.notify_for(run.report(), trouble, 60);
        if run.stopped.is_some() || run.failed.iter().any(|(_, why)| why.starts_with("no answer")) {
            self.refresh_now();
        }
    }
}
