//! The case view: one order's story, every rule it meets and the next
//! step, read from the mirror (`Cmd::ReadOrder`), with the keys that act
//! on it: `b` makes a balance link for what is missing, through the one
//! submit path (the new-link form, filled in).

use super::forms::LinkForm;
use super::list::RequestId;
use super::{App, Cmd, Mode, Subject};
use crate::cases::{Case, Order, balance_description, judge, next_step};
use tui_input::Input;

#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub link_id: String,
    /// The order's rows, once read.
    pub order: Option<Order>,
    pub error: Option<String>,
    request: RequestId,
    pub scroll: u16,
    /// The reply to the customer, once `c` made (and copied) it.
    pub reply: Option<String>,
    /// The link asked of PIK by id, when the mirror does not hold it yet.
    pub fetching: Option<RequestId>,
    /// A reason or a note being typed (`R`, `n`).
    pub editing: Option<super::case_handling::CaseEdit>,
}

impl CaseView {
    /// The case now, if the order has one.
    pub fn case(&self, app: &App) -> Option<Case> {
        let order = self.order.as_ref()?;
        judge(&order.facts(), &app.settings.case_rules, app.now)
    }

    /// What went wrong and what to do, in words.
    pub fn next_step(&self, app: &App) -> Option<String> {
        let order = self.order.as_ref()?;
        let facts = order.facts();
        judge(&facts, &app.settings.case_rules, app.now).map(|case| next_step(&case, &facts, app.now))
    }
}

impl App {
    /// Opens the case of a link, reading its rows from the mirror.
    pub(super) fn open_case(&mut self, link_id: String, cmds: &mut Vec<Cmd>) {
        let request = self.request_id();
        cmds.push(Cmd::ReadOrder { request, link_id: link_id.clone() });
        self.mode = Mode::Case(Box::new(CaseView {
            link_id,
            order: None,
            error: None,
            request,
            scroll: 0,
            reply: None,
            fetching: None,
            editing: None,
        }));
    }

    pub(super) fn order_read(&mut self, request: RequestId, result: Result<Box<Order>, String>, cmds: &mut Vec<Cmd>) {
        if let Some(detail) = self.detail.as_mut().filter(|d| d.order_request == Some(request)) {
            detail.order_request = None;
            detail.order = result.ok().map(|order| *order);
            return;
        }
        let Mode::Case(view) = &mut self.mode else { return };
        if view.request != request {
            return;
        }
        match result {
            Ok(order) => view.order = Some(*order),
            Err(why) => view.error = Some(why),
        }
        // A link the mirror does not hold yet (its payments came first, or
        // the backfill has not reached it): asked of PIK by id, once.
        let unmirrored = view.order.as_ref().is_some_and(|o| o.link.is_none()) && view.fetching.is_none();
        if unmirrored && !view.link_id.is_empty() {
            let id = view.link_id.clone();
            let fetch = self.request_id();
            if let Mode::Case(view) = &mut self.mode {
                view.fetching = Some(fetch);
            }
            cmds.push(Cmd::FetchLink { request: fetch, id });
        }
    }

    /// PIK's answer for a link the case view asked for by id: kept in the
    /// mirror by the worker, so the order is read again.
    pub(super) fn case_link_fetched(
        &mut self,
        request: RequestId,
        result: &Result<super::Found, super::ErrorInfo>,
        cmds: &mut Vec<Cmd>,
    ) -> bool {
        let Mode::Case(view) = &mut self.mode else { return false };
        if view.fetching != Some(request) {
            return false;
        }
        let id = view.link_id.clone();
        match result {
            Ok(_) => self.read_case_again(cmds),
            Err(error) if error.status == Some(404) => self.notify(format!("PIK has no link {id}"), true),
            Err(error) => self.notify(format!("could not fetch {id} from PIK: {}", error.summary), true),
        }
        true
    }

    /// `b` on an underpaid case: the new-link form with exactly the missing
    /// amount, the same currency, and a description naming the order.
    pub(super) fn balance_link(&mut self) {
        let Mode::Case(view) = &self.mode else { return };
        let Some(case) = view.case(self) else { return };
        let Some(missing) = case.missing().filter(|_| case.kind == crate::cases::CaseKind::Underpaid) else {
            self.notify("a balance link is for an underpaid order", true);
            return;
        };
        if let Some(open) = view.order.as_ref().and_then(|o| o.open_balance_link()) {
            let text = format!("a balance link is open already: {} (send it, or deactivate it first)", open.id);
            return self.notify(text, true);
        }
        let mut form = LinkForm::new(&case.currency);
        form.amount = Input::new(missing.to_string());
        // The start of the description shows ("Balance for …"), not its end.
        form.description = Input::new(balance_description(&case.link_id, case.description.as_deref())).with_cursor(0);
        self.mode = Mode::NewLink(Box::new(form));
    }

    /// `c` in the case view: the reply to the customer for its kind, shown
    /// and copied (OSC 52). Every value from PIK in it is cleaned.
    pub(super) fn copy_reply(&mut self, cmds: &mut Vec<Cmd>) {
        let Mode::Case(view) = &self.mode else { return };
        let (Some(case), Some(order)) = (view.case(self), view.order.clone()) else {
            return self.notify("no case: no reply to make", true);
        };
        let template = self.settings.replies.template(case.kind);
        let reply = crate::cases::reply(template, &case, &order, &self.settings.explorers);
        cmds.push(Cmd::Copy(reply.clone()));
        cmds.push(self.act("copied the reply", Some(case.link_id.clone()), format!("{} reply", case.kind.words())));
        if let Mode::Case(view) = &mut self.mode {
            view.reply = Some(reply);
        }
        self.notify(format!("copied the reply for {} ({})", case.link_id, case.kind.words()), false);
    }

    /// An act of this agent now, done, for the audit log.
    pub(super) fn act(&self, act: &str, subject: Option<String>, detail: String) -> Cmd {
        let (agent, profile) = (&self.settings.agent, self.settings.profile.as_deref());
        Cmd::Record(Box::new(crate::audit::Act::new(self.now, agent, profile, act, subject.as_deref(), detail)))
    }

    /// Who acts: this agent, in this profile.
    pub(super) fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor { agent: self.settings.agent.clone(), profile: self.settings.profile.clone() }
    }

    /// An act reached the audit log (the case view shows it), or did not.
    pub(super) fn recorded(&mut self, subject: Option<String>, result: Result<(), String>, cmds: &mut Vec<Cmd>) {
        if let Err(why) = result {
            return self.notify(format!("not written to the audit log: {why}"), true);
        }
        let Mode::Case(view) = &self.mode else { return };
        let about = |id: &String| {
            *id == view.link_id || view.order.as_ref().is_some_and(|o| o.balance_links.iter().any(|l| l.id == *id))
        };
        if subject.as_ref().is_some_and(about) {
            self.read_case_again(cmds);
        }
    }

    /// Reads the open case's order again, keeping the view as it is.
    pub(super) fn read_case_again(&mut self, cmds: &mut Vec<Cmd>) {
        let request = self.request_id();
        let Mode::Case(view) = &mut self.mode else { return };
        view.request = request;
        cmds.push(Cmd::ReadOrder { request, link_id: view.link_id.clone() });
    }

    /// The order the selection is about: the link shown or selected, or
    /// the link of the payment shown or selected.
    pub(super) fn order_of_selection(&self) -> Option<String> {
        match self.subject()? {
            Subject::Link(link) => Some(link.id.clone()),
            Subject::Transaction(txn) => txn.payment_link_id.clone(),
            Subject::Webhook(_) | Subject::Event(_) => None,
        }
    }
}
