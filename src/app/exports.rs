//! `e`: exporting what a pane shows. The form says what will be written
//! (every row the pane's filters or search match, from the mirror; from
//! PIK page by page when there is no mirror); the export runs in the
//! background, its progress in the footer, and ends with the count and the
//! file in a notice.

use super::forms::{ExportForm, ExportJob, ExportSource};
use super::list::RequestId;
use super::{App, Cmd, ExportEvent, Mode, Pane};
use crate::human::group_thousands;
use crate::store::{Kinds, Selection};

/// An export under way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRun {
    pub request: RequestId,
    pub path: String,
    pub done: u64,
    pub total: u64,
}

/// How long the final words of an export stay.
const DONE_SHOWN_SECS: i64 = 20;

impl App {
    /// The export running, if one is.
    pub fn export_run(&self) -> Option<&ExportRun> {
        self.export.as_ref()
    }

    /// What `e` would export here: the rows, and how to say it.
    fn export_selection(&self) -> Option<(Selection, String)> {
        if !self.marks(self.pane).is_empty() {
            // Marked rows export as they are, or not at all: never the rest.
            return self.marked_selection();
        }
        if let Some(view) = self.search_view(self.pane) {
            let words = format!("{} matching the search {:?}", kinds_noun(view.kinds()), view.text.trim());
            return Some((Selection::Search(view.query().clone()), words));
        }
        let (query, noun) = match self.pane {
            Pane::Links => (self.links.query().filter, "links"),
            Pane::Transactions => (self.transactions.query().filter, "transactions"),
            _ => return None,
        };
        let mut words = vec![match self.shown_view() {
            Some(view) => format!("every one of the {noun} of the view {:?} ({})", view.name, view.query),
            None => format!("every one of the {noun}"),
        }];
        if let Some(status) = &query.status {
            words.push(format!("status {status}"));
        }
        if let Some(currency) = &query.currency {
            words.push(format!("currency {currency}"));
        }
        if let Some(link) = &query.link {
            words.push(format!("link {link}"));
        }
        if self.pane == Pane::Transactions {
            words.extend(self.transactions_date_words());
        }
        Some((Selection::Filter(query), words.join(" · ")))
    }

    /// The marked rows of the pane, exactly, when any are marked; the
    /// Search pane's only when they are all of one kind.
    fn marked_selection(&self) -> Option<(Selection, String)> {
        let marks = self.marks(self.pane);
        if marks.is_empty() {
            return None;
        }
        let ids: Vec<String> = marks.ids().map(str::to_string).collect();
        let kinds = match self.pane {
            Pane::Links => Kinds::Links,
            Pane::Transactions => Kinds::Transactions,
            _ if ids.iter().all(|id| id.starts_with("pl_")) => Kinds::Links,
            _ if ids.iter().all(|id| id.starts_with("txn_")) => Kinds::Transactions,
            _ => return None,
        };
        let noun = if kinds == Kinds::Links { "links" } else { "transactions" };
        let words = format!("exactly the {} marked {noun}", group_thousands(ids.len() as u64));
        let mut query = crate::store::SearchQuery::everything(kinds);
        query.ids = Some(ids);
        Some((Selection::Filter(query), words))
    }

    /// `e`: the export form, or why not.
    pub(super) fn open_export(&mut self) {
        if let Some(run) = &self.export {
            let text = format!(
                "an export is already running ({} of {})",
                group_thousands(run.done),
                group_thousands(run.total)
            );
            self.notify(text, true);
            return;
        }
        let Some((selection, mut what)) = self.export_selection() else {
            if !self.marks(self.pane).is_empty() {
                self.notify(
                    "links and payments marked together: export them from the Links and Transactions panes",
                    true,
                );
            }
            return;
        };
        // A mirror holding only what was scrolled to would export a part
        // as if it were all: PIK is read instead. Marked rows were all
        // scrolled to: the mirror holds them.
        let marked = matches!(&selection, Selection::Filter(query) if query.ids.is_some());
        let source = if self.settings.store.on_demand() && !marked { ExportSource::Pik } else { ExportSource::Mirror };
        let pik_cannot = |query: &crate::store::SearchQuery| {
            !query.terms.is_empty() || !query.amounts.is_empty() || query.case.is_some()
        };
        if source == ExportSource::Pik && matches!(&selection, Selection::Filter(query) if pik_cannot(query)) {
            return self.notify(
                "a view's words, amounts and cases export from a whole mirror; this one holds only rows scrolled to",
                true,
            );
        }
        if source == ExportSource::Pik && matches!(selection, Selection::Search(_)) {
            return self.notify("a search exports from a whole mirror; this one holds only rows scrolled to", true);
        }
        if source == ExportSource::Pik {
            what.push_str(" (read from PIK: the mirror holds only rows scrolled to)");
        }
        let noun = match selection.kinds() {
            Kinds::Links => "links",
            Kinds::Transactions => "transactions",
            Kinds::Both => "search",
        };
        let stem = format!("pik-{noun}-{}", self.settings.zone.format(self.now, "%Y%m%d-%H%M%S"));
        self.mode = Mode::Export(Box::new(ExportForm::new(what, selection, source, stem)));
    }

    pub(super) fn start_export(&mut self, job: ExportJob, cmds: &mut Vec<Cmd>) {
        let request = self.request_id();
        cmds.push(Cmd::Export { request, job, by: self.actor() });
        if let Some(dialog) = self.mode.dialog_mut() {
            dialog.submitted(request);
        }
    }

    pub(super) fn export_event(&mut self, request: RequestId, event: ExportEvent) {
        let form = match &mut self.mode {
            Mode::Export(form) if form.submitting == Some(request) => Some(form),
            _ => None,
        };
        match (event, form) {
            (ExportEvent::Started(path), _) => {
                if matches!(&self.mode, Mode::Export(form) if form.submitting == Some(request)) {
                    self.mode = Mode::Normal;
                }
                self.export = Some(ExportRun { request, path, done: 0, total: 0 });
            }
            (ExportEvent::Exists(_), Some(form)) => form.exists(),
            (ExportEvent::Failed(why), Some(form)) => form.failed(why),
            (ExportEvent::Progress { done, total }, _) => {
                if let Some(run) = self.export.as_mut().filter(|run| run.request == request) {
                    (run.done, run.total) = (done, total);
                }
            }
            (ExportEvent::Done { rows, path }, _) => {
                self.export = None;
                let text = format!("wrote {} rows to {path}", group_thousands(rows));
                self.notify_for(text, false, DONE_SHOWN_SECS);
            }
            (ExportEvent::Failed(why), None) => {
                self.export = None;
                self.notify_for(format!("the export failed: {why}"), true, DONE_SHOWN_SECS);
            }
            (ExportEvent::Exists(_), None) => {}
        }
    }
}

fn kinds_noun(kinds: Kinds) -> &'static str {
    match kinds {
        Kinds::Links => "the links",
        Kinds::Transactions => "the transactions",
        Kinds::Both => "the links and transactions",
    }
}
