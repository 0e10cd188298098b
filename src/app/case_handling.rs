//! The case view's handling keys: `m` claims the case (or releases the
//! agent's own claim), `R` resolves it with a reason, `O` reopens it, `n`
//! adds a note. The store decides in its transaction whether the act
//! stands (`Cmd::ActOnCase`); until it answers, and when it refuses, the
//! typed reason or note stays in its editor.

use super::forms::{edit, paste};
use super::input::{Key, KeyCode};
use super::list::RequestId;
use super::{App, Cmd, Mode};
use crate::audit::Act;
use crate::cases::handling::{Basis, NOTE_LIMIT, REASON_LIMIT, checked_text};
use crate::cases::{CaseAct, Handling};
use tui_input::Input;

/// How often an open case says this agent is looking at it, and how long
/// that lasts unless said again (a dashboard that dies is gone in 30 s).
pub const LOOKING_EVERY_SECS: i64 = 10;
pub const LOOKING_LASTS_SECS: i64 = 30;

/// A reason or a note being typed.
#[derive(Debug, Clone)]
pub struct CaseEdit {
    pub act: CaseAct,
    /// A note's lines before the one being typed (Alt+Enter starts a new one).
    pub lines: Vec<String>,
    pub input: Input,
    /// The act sent, while the store has not answered.
    pub sent: Option<RequestId>,
    /// Why the last try did not go through.
    pub error: Option<String>,
}

impl PartialEq for CaseEdit {
    fn eq(&self, other: &Self) -> bool {
        (self.act, &self.lines, self.input.value(), self.input.cursor(), self.sent, &self.error)
            == (other.act, &other.lines, other.input.value(), other.input.cursor(), other.sent, &other.error)
    }
}

impl CaseEdit {
    fn new(act: CaseAct) -> CaseEdit {
        CaseEdit { act, lines: Vec::new(), input: Input::default(), sent: None, error: None }
    }

    /// The text as typed, lines joined.
    pub fn text(&self) -> String {
        let mut lines = self.lines.clone();
        lines.push(self.input.value().to_string());
        lines.join("\n")
    }

    /// How many more characters the line being typed may take.
    fn room(&self) -> usize {
        let limit = if self.act == CaseAct::Resolve { REASON_LIMIT } else { NOTE_LIMIT };
        let before: usize = self.lines.iter().map(|line| line.chars().count() + 1).sum();
        limit.saturating_sub(before)
    }

    fn new_line(&mut self) {
        let line = std::mem::take(&mut self.input).value().to_string();
        self.lines.push(line);
    }
}

impl App {
    /// The open case's handling, from the acts on its link.
    pub fn case_handling(&self) -> Option<Handling> {
        let Mode::Case(view) = &self.mode else { return None };
        view.order.as_ref().map(crate::cases::Order::handling)
    }

    /// A key of the case view's handling; false when it is not one.
    pub(super) fn case_handling_key(&mut self, key: Key, cmds: &mut Vec<Cmd>) -> bool {
        let Mode::Case(view) = &mut self.mode else { return false };
        if let Some(editing) = view.editing.as_mut() {
            // While the store has it, the text stays as sent; Esc closes the
            // view (the answer is still told: `case_act_sent`).
            if editing.sent.is_some() {
                if key.code == KeyCode::Esc {
                    self.mode = Mode::Normal;
                }
                return true;
            }
            match key.code {
                KeyCode::Esc => view.editing = None,
                KeyCode::Enter if key.alt && editing.act == CaseAct::Note => {
                    if editing.room() > editing.input.value().chars().count() {
                        editing.new_line();
                    }
                }
                KeyCode::Enter => self.send_edit(cmds),
                _ => {
                    let room = editing.room();
                    edit(&mut editing.input, key, room);
                }
            }
            return true;
        }
        if view.order.is_none() {
            return false;
        }
        let mine = self.case_handling().and_then(|h| h.claimed).is_some_and(|(by, _)| by == self.settings.agent);
        match key {
            k if k == Key::char('m') => {
                self.act_on_case(if mine { CaseAct::Release } else { CaseAct::Claim }, String::new(), cmds)
            }
            k if k == Key::char('O') => self.act_on_case(CaseAct::Reopen, String::new(), cmds),
            k if k == Key::char('R') || k == Key::char('n') => {
                let act = if k == Key::char('R') { CaseAct::Resolve } else { CaseAct::Note };
                if let Mode::Case(view) = &mut self.mode {
                    view.editing = Some(CaseEdit::new(act));
                }
            }
            _ => return false,
        }
        true
    }

    /// Text pasted into the reason or the note: a reason stays one line.
    pub(super) fn case_edit_paste(&mut self, text: &str) -> bool {
        let Mode::Case(view) = &mut self.mode else { return false };
        let Some(editing) = view.editing.as_mut().filter(|e| e.sent.is_none()) else { return false };
        if editing.act == CaseAct::Note && text.contains('\n') {
            for (n, line) in text.lines().enumerate() {
                if n > 0 {
                    if editing.room() <= editing.input.value().chars().count() {
                        break;
                    }
                    editing.new_line();
                }
                let room = editing.room();
                paste(&mut editing.input, line, room);
            }
        } else {
            let room = editing.room();
            paste(&mut editing.input, text, room);
        }
        true
    }

    fn send_edit(&mut self, cmds: &mut Vec<Cmd>) {
        let Mode::Case(view) = &mut self.mode else { return };
        let Some(editing) = view.editing.as_mut() else { return };
        if editing.sent.is_some() {
            return;
        }
        match checked_text(editing.act, &editing.text()) {
            Ok(text) => {
                let act = editing.act;
                self.act_on_case(act, text, cmds);
            }
            Err(why) => editing.error = Some(why),
        }
    }

    /// Sends an act on the open case to the store; one at a time.
    fn act_on_case(&mut self, kind: CaseAct, detail: String, cmds: &mut Vec<Cmd>) {
        if self.case_act_sent.is_some() {
            return self.notify("the last act on a case is still on its way", true);
        }
        let request = self.request_id();
        let by = self.actor();
        let Mode::Case(view) = &mut self.mode else { return };
        let facts = view.order.as_ref().map(|order| order.facts());
        let mut act = Act::new(self.now, &by.agent, by.profile.as_deref(), kind.name(), Some(&view.link_id), detail);
        if kind == CaseAct::Resolve {
            act.basis = facts.as_ref().map(|facts| Basis::of(facts).to_json());
        }
        if let Some(editing) = view.editing.as_mut() {
            editing.sent = Some(request);
            editing.error = None;
        }
        self.case_act_sent = Some((request, view.link_id.clone()));
        cmds.push(Cmd::ActOnCase { request, act: Box::new(act), facts: facts.map(Box::new) });
    }

    /// The store's answer to an act on a case: done (the case is read
    /// again), refused (why, and the typed text stays), or not written.
    /// Told whatever is on screen now.
    pub(super) fn case_acted(
        &mut self,
        request: RequestId,
        result: Result<Result<Box<Act>, String>, String>,
        cmds: &mut Vec<Cmd>,
    ) {
        let Some((_, link)) = self.case_act_sent.take_if(|(sent, _)| *sent == request) else { return };
        let link = crate::sanitize::for_terminal_truncated(&link, 40);
        let why = match result {
            Ok(Ok(act)) => {
                if let Mode::Case(view) = &mut self.mode
                    && view.editing.as_ref().is_some_and(|e| e.sent == Some(request))
                {
                    view.editing = None;
                }
                let done = CaseAct::parse(&act.act).map_or("done", CaseAct::past);
                self.notify(format!("{done} {link}"), false);
                return self.read_case_again(cmds);
            }
            Ok(Err(refused)) => refused,
            Err(error) => format!("not written: {error}"),
        };
        let why = crate::sanitize::for_terminal_truncated(&why, 200);
        if let Mode::Case(view) = &mut self.mode
            && let Some(editing) = view.editing.as_mut().filter(|e| e.sent == Some(request))
        {
            editing.sent = None;
            editing.error = Some(why.clone());
        }
        self.notify(format!("{link}: {why}"), true);
        // What stood in the way is news: the case as it is now.
        self.read_case_again(cmds);
    }

    /// Says which case this agent has open (a heartbeat while it is, a
    /// word when it is closed): on a shared store the others see "bob is
    /// looking at this".
    pub(super) fn plan_presence(&mut self, cmds: &mut Vec<Cmd>) {
        let open = match &self.mode {
            Mode::Case(view) => Some(view.link_id.clone()),
            _ => None,
        };
        let by = self.actor();
        match (self.looking_at.take(), open) {
            (Some((was, next)), Some(link)) if was == link => {
                if self.now < next {
                    self.looking_at = Some((was, next));
                    return;
                }
                self.look_at(link, by, cmds);
            }
            (was, open) => {
                if let Some((link, _)) = was {
                    cmds.push(Cmd::LookAt { link_id: link, by: by.clone(), lasts: None });
                }
                if let Some(link) = open {
                    self.look_at(link, by, cmds);
                }
            }
        }
    }

    fn look_at(&mut self, link_id: String, by: crate::audit::Actor, cmds: &mut Vec<Cmd>) {
        let lasts = chrono::Duration::seconds(LOOKING_LASTS_SECS);
        self.looking_at = Some((link_id.clone(), self.now + chrono::Duration::seconds(LOOKING_EVERY_SECS)));
        cmds.push(Cmd::LookAt { link_id, by, lasts: Some(lasts) });
    }
}
