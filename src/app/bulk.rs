//! Deactivating the marked links: one question naming the count and the
//! total, then one request a link, one after the other (the client's rate
//! limiter paces them), each by the one write path, none retried. The
//! footer shows the progress; a report ends it, and what was not
//! deactivated stays marked.

use super::dialogs::{ConfirmDeactivate, Write};
use super::list::RequestId;
use super::{App, Cmd, ErrorInfo, Mode, Pane, Written, failure_words};
use std::collections::VecDeque;

/// Failures the report names before it counts the rest.
const NAMED: usize = 3;

#[derive(Debug, Clone)]
pub struct BulkRun {
    waiting: VecDeque<String>,
    in_flight: Option<(RequestId, String)>,
    count: usize,
    done: usize,
    /// Links PIK refused, and why.
    failed: Vec<(String, String)>,
    /// Links whose request got no answer: they may or may not be deactivated.
    unknown: Vec<String>,
    /// Why the rest were not sent: PIK failing as a service, or the agent.
    stopped: Option<String>,
}

impl BulkRun {
    /// "deactivating 3 of 7…"
    pub fn progress(&self) -> String {
        let at = (self.done + self.failed.len() + self.unknown.len() + 1).min(self.count);
        let stopping = if self.stopped.is_some() { "stopping after " } else { "" };
        format!("{stopping}deactivating {at} of {} marked links… ({} done; esc stops)", self.count, self.done)
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
        if !self.unknown.is_empty() {
            let named: Vec<String> =
                self.unknown.iter().take(NAMED).map(|id| crate::sanitize::for_terminal_truncated(id, 30)).collect();
            words.push_str(&format!(
                ", {} unknown (no answer: may or may not be deactivated): {}",
                self.unknown.len(),
                named.join(", ")
            ));
        }
        if let Some(why) = &self.stopped {
            words.push_str(&format!("; stopped ({why}), {} not sent", self.waiting.len()));
        }
        if !self.failed.is_empty() || !self.unknown.is_empty() || !self.waiting.is_empty() {
            words.push_str("; those are still marked, nothing is retried");
        }
        words
    }
}

/// Whether a failure is the service's, not the link's: the rest would
/// fail the same way, so they are not sent (the key, the endpoint, the
/// rate limit, PIK itself).
fn service_failure(error: &ErrorInfo) -> bool {
    error.status.is_none_or(|status| matches!(status, 401 | 403 | 404 | 405 | 429) || status >= 500)
}

impl App {
    pub fn bulk_run(&self) -> Option<&BulkRun> {
        self.bulk.as_ref()
    }

    /// `d` with links marked: asks once, naming the count, the totals and
    /// how many were not active when last seen.
    pub(super) fn ask_deactivate_marked(&mut self) {
        let marks = self.marks(Pane::Links);
        let links: Vec<String> = marks.ids().map(str::to_string).collect();
        let totals = super::marks::totals_lines(marks.totals().as_ref());
        let note = match marks.not(crate::api::LinkStatus::Active.as_str()) {
            0 => None,
            n => Some(format!("{n} of them were not active when last seen: PIK will refuse those")),
        };
        self.mode = Mode::Deactivate(Box::new(ConfirmDeactivate::marked(links, totals, note)));
    }

    /// Yes: the run starts with the first link.
    pub(super) fn deactivate_marked(&mut self, links: Vec<String>, cmds: &mut Vec<Cmd>) {
        self.mode = Mode::Normal;
        let count = links.len();
        self.bulk = Some(BulkRun {
            waiting: links.into(),
            in_flight: None,
            count,
            done: 0,
            failed: Vec::new(),
            unknown: Vec::new(),
            stopped: None,
        });
        self.next_deactivation(cmds);
    }

    /// Esc during a run: nothing more is sent once the request on its way
    /// is answered.
    pub(super) fn stop_bulk(&mut self) {
        if let Some(run) = self.bulk.as_mut() {
            run.stopped = Some("by you".into());
        }
    }

    fn next_deactivation(&mut self, cmds: &mut Vec<Cmd>) {
        let Some(run) = self.bulk.as_mut() else { return };
        if run.stopped.is_some() {
            return self.end_bulk();
        }
        let Some(id) = run.waiting.pop_front() else { return self.end_bulk() };
        let Some(request) = self.send_write(Write::DeactivateLink { id: id.clone() }, cmds) else {
            // Refused (read-only): nothing more goes, and the link stays waiting.
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
                self.unmark_link(&id);
            }
            Err(error) if error.may_have_happened => {
                run.unknown.push(id);
                run.stopped = Some(crate::sanitize::for_terminal_truncated(&error.summary, 60));
                self.refresh_now();
            }
            Err(error) if service_failure(error) => {
                run.failed.push((id, crate::sanitize::for_terminal_truncated(&error.summary, 60)));
                run.stopped.get_or_insert_with(|| "PIK is failing".into());
            }
            Err(error) => {
                let why = crate::sanitize::for_terminal_truncated(&failure_words(error), 80);
                run.failed.push((id, why));
            }
        }
        self.next_deactivation(cmds);
        true
    }

    /// The report. What was not deactivated stays marked, and so does
    /// whatever the agent marked meanwhile.
    fn end_bulk(&mut self) {
        let Some(run) = self.bulk.take() else { return };
        let trouble = !run.failed.is_empty() || !run.unknown.is_empty() || !run.waiting.is_empty();
        self.notify_for(run.report(), trouble, 60);
    }
}
