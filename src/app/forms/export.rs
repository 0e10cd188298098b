//! `e`: export what the pane shows (every matching row, not only those
//! loaded) to a CSV or JSON Lines file. The form picks the format and the
//! file; the export itself runs in the background with its progress in the
//! footer. A file that exists is only replaced when the agent says so.

use super::{edit, paste};
use crate::app::dialogs::{Dialog, Outcome};
use crate::app::input::{Key, KeyCode};
use crate::app::keymap::Action;
use crate::app::list::RequestId;
use crate::export::Format;
use crate::store::Selection;
use std::path::PathBuf;
use tui_input::Input;

/// Where an export reads its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportSource {
    /// The mirror: every matching row, at once.
    Mirror,
    /// PIK, page by page (no mirror): the pane's filters, not its `/` text.
    Pik,
}

/// What the worker runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportJob {
    pub selection: Selection,
    pub source: ExportSource,
    pub format: Format,
    pub path: PathBuf,
    pub overwrite: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportField {
    Format,
    Path,
}

/// Longest path typed.
const MAX_PATH_CHARS: usize = 400;

#[derive(Debug, Clone)]
pub struct ExportForm {
    /// What will be exported, in words ("transactions · status: settled").
    pub what: String,
    pub selection: Selection,
    pub source: ExportSource,
    pub format: Format,
    pub path: Input,
    pub focus: ExportField,
    /// The path the agent agreed to replace (Enter again on "exists").
    pub replace: Option<String>,
    pub problem: Option<String>,
    pub submitting: Option<RequestId>,
    /// The file name offered, without its extension, while untouched.
    default_stem: Option<String>,
}

impl ExportForm {
    /// `stem` is the file name offered (in the folder the dashboard started in).
    pub fn new(what: String, selection: Selection, source: ExportSource, stem: String) -> Self {
        let format = Format::Csv;
        let path = Input::new(format!("{stem}.{}", format.extension()));
        ExportForm {
            what,
            selection,
            source,
            format,
            path,
            focus: ExportField::Path,
            replace: None,
            problem: None,
            submitting: None,
            default_stem: Some(stem),
        }
    }

    fn toggle_format(&mut self) {
        self.format = if self.format == Format::Csv { Format::Jsonl } else { Format::Csv };
        // An offered name follows the format; a typed one is the agent's.
        if let Some(stem) = &self.default_stem {
            self.path = Input::new(format!("{stem}.{}", self.format.extension()));
        }
        self.replace = None;
    }

    fn submit(&mut self) -> Outcome {
        let path = self.path.value().trim().to_string();
        if path.is_empty() {
            self.problem = Some("name the file to write".into());
            return Outcome::Stay;
        }
        let overwrite = self.replace.as_deref() == Some(path.as_str());
        Outcome::Export(ExportJob {
            selection: self.selection.clone(),
            source: self.source.clone(),
            format: self.format,
            path: PathBuf::from(path),
            overwrite,
        })
    }

    /// The worker found the file there: Enter again replaces it.
    pub fn exists(&mut self) {
        self.submitting = None;
        self.replace = Some(self.path.value().trim().to_string());
        self.problem = Some("that file exists: ⏎ again replaces it, or change the name".into());
    }

    /// The export could not start.
    pub fn failed(&mut self, why: String) {
        self.submitting = None;
        self.problem = Some(why);
    }
}

impl Dialog for ExportForm {
    fn key(&mut self, key: Key, _action: Option<Action>) -> Outcome {
        if self.submitting.is_some() {
            return if key.code == KeyCode::Esc { Outcome::Close } else { Outcome::Stay };
        }
        match (key.code, self.focus) {
            (KeyCode::Esc, _) => return Outcome::Close,
            (KeyCode::Enter, _) => return self.submit(),
            (KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down, _) => {
                self.focus = if self.focus == ExportField::Path { ExportField::Format } else { ExportField::Path };
            }
            (KeyCode::Left | KeyCode::Right | KeyCode::Char(' '), ExportField::Format) => self.toggle_format(),
            (_, ExportField::Path) if edit(&mut self.path, key, MAX_PATH_CHARS) => {
                self.default_stem = None;
                self.replace = None;
            }
            _ => {}
        }
        self.problem = None;
        Outcome::Stay
    }

    fn paste(&mut self, text: &str) {
        if self.focus == ExportField::Path && self.submitting.is_none() {
            paste(&mut self.path, text.trim(), MAX_PATH_CHARS);
            self.default_stem = None;
            self.replace = None;
        }
    }

    fn submitted(&mut self, request: RequestId) {
        self.submitting = Some(request);
    }

    fn submitting(&self) -> Option<RequestId> {
        self.submitting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Kinds, SearchQuery};

    fn form() -> ExportForm {
        let selection = Selection::Filter(SearchQuery::everything(Kinds::Links));
        ExportForm::new("links".into(), selection, ExportSource::Mirror, "pik-links-20270115-0800".into())
    }

    fn job(outcome: Outcome) -> Option<ExportJob> {
        match outcome {
            Outcome::Export(job) => Some(job),
            _ => None,
        }
    }

    #[test]
    fn the_offered_name_follows_the_format_and_a_typed_one_stays() {
        let mut form = form();
        form.key(Key::plain(KeyCode::Tab), None);
        form.key(Key::plain(KeyCode::Right), None);
        assert_eq!(form.path.value(), "pik-links-20270115-0800.jsonl");
        let exported = job(form.key(Key::plain(KeyCode::Enter), None));
        assert_eq!(
            exported.map(|j| (j.format, j.path, j.overwrite)),
            Some((Format::Jsonl, "pik-links-20270115-0800.jsonl".into(), false))
        );
        form.key(Key::plain(KeyCode::Tab), None);
        form.key(Key::ctrl('u'), None);
        for c in "/tmp/mine.txt".chars() {
            form.key(Key::char(c), None);
        }
        form.key(Key::plain(KeyCode::Tab), None);
        form.key(Key::plain(KeyCode::Left), None);
        assert_eq!((form.format, form.path.value()), (Format::Csv, "/tmp/mine.txt"));
    }

    #[test]
    fn an_existing_file_is_replaced_only_after_a_second_enter_on_the_same_name() {
        let mut form = form();
        assert!(job(form.key(Key::plain(KeyCode::Enter), None)).is_some_and(|j| !j.overwrite));
        form.exists();
        assert!(form.problem.as_deref().is_some_and(|p| p.contains("exists")));
        assert!(job(form.key(Key::plain(KeyCode::Enter), None)).is_some_and(|j| j.overwrite));
        form.exists();
        form.key(Key::char('x'), None);
        assert!(job(form.key(Key::plain(KeyCode::Enter), None)).is_some_and(|j| !j.overwrite), "another name");
    }
}
