//! Keys, the mouse and pastes, and the actions they trigger. A key in the
//! panes is looked up in the keymap and applied; a dialog gets its keys
//! (resolved in its own context) and answers with an [`Outcome`].

use super::dialogs::{ConfirmDeactivate, Outcome};
use super::forms::{LinkForm, WebhookForm};
use super::input::{Key, Mouse, MouseKind};
use super::keymap::{Action, Context};
use super::prompt::{Prompt, PromptKey};
use super::{App, Cmd, Command, Environment, Mode, Pane, layout};
use crate::api::{LinkStatus, TransactionStatus};
use crate::store::Reading;
use chrono::Duration;

/// What the notices of `:` commands are about.
const COMMAND: &str = "command";

impl App {
    pub(super) fn key(&mut self, key: Key, cmds: &mut Vec<Cmd>) {
        if key == Key::ctrl('c') {
            cmds.push(Cmd::Quit);
            return;
        }
        match &self.mode {
            Mode::Normal => self.normal_key(key, cmds),
            Mode::Help { .. } | Mode::Alerts { .. } | Mode::Audit(_) | Mode::Case(_) => self.overlay_key(key, cmds),
            Mode::Filter(_) | Mode::Search(_) | Mode::Command(_) => self.prompt_key(key, cmds),
            _ => self.dialog_key(key, cmds),
        }
    }

    fn normal_key(&mut self, key: Key, cmds: &mut Vec<Cmd>) {
        // A view's key (start-up refuses one the keymap uses in the panes).
        if let Some(at) = self.view_for_key(key) {
            return self.show_view(at);
        }
        let Some(binding) = self.settings.keymap.lookup(Context::Pane(self.pane), key) else {
            return self.say_where_a_key_works(key);
        };
        let (action, write) = (binding.action, binding.write);
        if write && self.settings.read_only {
            self.notify("read-only mode: changes are turned off", true);
            return;
        }
        self.apply(action, cmds);
    }

    /// A key that does something in another pane says where, rather than
    /// nothing at all ("d deactivates a link in the Links pane").
    fn say_where_a_key_works(&mut self, key: Key) {
        let keymap = &self.settings.keymap;
        let elsewhere: Vec<Pane> =
            self.panes().into_iter().filter(|pane| keymap.lookup(Context::Pane(*pane), key).is_some()).collect();
        let Some(binding) = elsewhere.first().and_then(|pane| keymap.lookup(Context::Pane(*pane), key)) else {
            return;
        };
        let panes: Vec<&str> = elsewhere.iter().map(|pane| pane.title()).collect();
        let text = format!("{}: {}, in {}", key.label(), binding.help, panes.join(", "));
        self.notify_about(super::ABOUT_THIS_PANE, text, false);
    }

    /// Whether an action is on offer here (the help and footer ask).
    pub fn offers(&self, action: Action) -> bool {
        match action {
            Action::ShowEvents => self.settings.events_pane,
            Action::ShowSearch
            | Action::ShowOverview
            | Action::NextPeriod
            | Action::PrevPeriod
            | Action::CaseFilter
            | Action::NextChartCurrency
            | Action::PrevChartCurrency => true,
            Action::SortPrev | Action::SortNext | Action::SortInvert => self.sort_of(self.pane).is_some(),
            _ => true,
        }
    }

    /// Does what an action in the panes means.
    pub fn apply(&mut self, action: Action, cmds: &mut Vec<Cmd>) {
        let page = isize::try_from(self.view_height()).unwrap_or(10);
        match action {
            Action::Quit => cmds.push(Cmd::Quit),
            Action::Help => self.mode = Mode::Help { scroll: 0 },
            Action::ShowOverview => self.switch_pane(Pane::Overview),
            Action::ShowLinks => self.switch_pane(Pane::Links),
            Action::ShowTransactions => self.switch_pane(Pane::Transactions),
            Action::ShowWebhooks => self.switch_pane(Pane::Webhooks),
            Action::ShowEvents if self.settings.events_pane => self.switch_pane(Pane::Events),
            Action::ShowSearch => self.open_search(&self.search.text.clone()),
            Action::NextPane => self.show_tab(self.next_tab(true)),
            Action::PrevPane => self.show_tab(self.next_tab(false)),
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::PageDown => self.move_selection(page),
            Action::PageUp => self.move_selection(-page),
            Action::First => self.select_position(0),
            Action::Last => self.select_position(usize::MAX),
            Action::Open if self.pane == Pane::Overview => self.open_attention(cmds),
            Action::Open => self.open_selected(Duration::zero()),
            Action::NextPeriod => self.change_period(true),
            Action::CaseFilter => self.change_case_filter(),
            Action::PrevPeriod => self.change_period(false),
            Action::NextChartCurrency => self.change_chart_currency(true),
            Action::PrevChartCurrency => self.change_chart_currency(false),
            Action::Back => {
                if self.bulk_run().is_some() {
                    self.stop_bulk();
                } else if self.detail.is_some() {
                    self.detail = None;
                } else if matches!(self.pane, Pane::Links | Pane::Transactions) && self.search_view(self.pane).is_some()
                {
                    self.search_for("");
                } else if !self.list(self.pane).text_filter().is_empty() {
                    self.list_mut(self.pane).set_text_filter("");
                }
            }
            Action::Refresh => self.refresh_now(),
            Action::Pause => {
                self.paused = match self.paused {
                    Some(_) => None,
                    None => Some(self.now),
                };
                self.mirror_at_pause = self.paused.and(self.mirror.clone());
                if self.paused.is_none() {
                    self.refresh_now();
                }
            }
            Action::CycleStatus => self.cycle_status(),
            Action::CycleCurrency => self.cycle_currency(),
            Action::SortPrev => self.step_sort(false),
            Action::SortNext => self.step_sort(true),
            Action::SortInvert => self.invert_sort(),
            Action::ShowCase => match self.order_of_selection() {
                Some(link_id) => self.open_case(link_id, cmds),
                None => self.notify("select a link or a payment on a link", true),
            },
            Action::PaymentLink => match self.order_of_selection() {
                Some(link_id) => self.open_detail_for(super::DetailKind::Link, link_id, None, chrono::Duration::zero()),
                None => self.notify("this payment is on no link", true),
            },
            Action::LinkTransactions => {
                if let Some(id) = self.selected_id() {
                    self.show_link_transactions(Some(id));
                }
            }
            Action::NewLink => self.mode = Mode::NewLink(Box::new(LinkForm::new(&self.last_currency))),
            Action::NewWebhook => {
                let loopback = self.settings.environment == Environment::Sandbox;
                self.mode = Mode::NewWebhook(Box::new(WebhookForm::new(loopback)));
            }
            Action::Deactivate => self.ask_deactivate(),
            Action::Verify => self.mode = Mode::Verify(Box::default()),
            Action::Export => self.open_export(),
            Action::CopyCheckoutUrl => self.copy_checkout_url(cmds),
            Action::CopyExplorerUrl => self.copy_explorer_url(cmds),
            Action::CopyIds => self.copy_ids(cmds),
            Action::Mark => self.toggle_mark(),
            Action::MarkRange => self.mark_range(),
            Action::Filter => {
                // In the long lists `/` searches the mirror; the short
                // ones held whole are filtered as they are.
                let searchable = matches!(self.pane, Pane::Links | Pane::Transactions | Pane::Search);
                if searchable {
                    let previous = self.search_view(self.pane).map(|v| v.text.clone()).unwrap_or_default();
                    self.mode = Mode::Search(Prompt::new(&previous));
                } else {
                    let previous = self.list(self.pane).text_filter().to_string();
                    self.mode = Mode::Filter(Prompt::new(&previous));
                }
            }
            Action::Command => self.mode = Mode::Command(Prompt::new("")),
            // Dialog actions mean nothing in the panes.
            _ => {}
        }
    }

    /// The overlays (help, alerts, a case) scroll with the moving keys; any
    /// other key closes them. The case view has two of its own: `b` makes a
    /// balance link, `c` copies a reply.
    fn overlay_key(&mut self, key: Key, cmds: &mut Vec<Cmd>) {
        if matches!(self.mode, Mode::Case(_)) {
            if self.case_handling_key(key, cmds) {
                return;
            }
            if key == Key::char('b') {
                return self.balance_link();
            }
            if key == Key::char('c') {
                return self.copy_reply(cmds);
            }
        }
        let action = self.settings.keymap.lookup(Context::Pane(self.pane), key).map(|b| b.action);
        let scroll = match &mut self.mode {
            Mode::Help { scroll } | Mode::Alerts { scroll } => scroll,
            Mode::Case(view) => &mut view.scroll,
            Mode::Audit(view) => &mut view.scroll,
            _ => return,
        };
        *scroll = match action {
            Some(Action::Down) => scroll.saturating_add(1),
            Some(Action::Up) => scroll.saturating_sub(1),
            Some(Action::PageDown) => scroll.saturating_add(10),
            Some(Action::PageUp) => scroll.saturating_sub(10),
            _ => {
                self.mode = Mode::Normal;
                return;
            }
        };
    }

    fn prompt_key(&mut self, key: Key, cmds: &mut Vec<Cmd>) {
        let pane = self.pane;
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Filter(mut prompt) => match prompt.key(key) {
                PromptKey::Cancel => self.list_mut(pane).set_text_filter(&prompt.previous),
                PromptKey::Submit => {}
                PromptKey::Edited | PromptKey::Ignored => {
                    // Filter as you type.
                    self.list_mut(pane).set_text_filter(prompt.text());
                    self.mode = Mode::Filter(prompt);
                }
            },
            Mode::Search(mut prompt) => match prompt.key(key) {
                PromptKey::Cancel => self.search_for(&prompt.previous),
                PromptKey::Submit => {}
                PromptKey::Edited | PromptKey::Ignored => {
                    // Searched as you type.
                    self.search_for(prompt.text());
                    self.mode = Mode::Search(prompt);
                }
            },
            Mode::Command(mut prompt) => match prompt.key(key) {
                PromptKey::Cancel => {}
                PromptKey::Submit if prompt.text().trim().is_empty() => {}
                PromptKey::Submit => match Command::parse(prompt.text(), self.reading()) {
                    Ok(command) => {
                        // A command that works ends the error of one that did not.
                        self.end_notice(COMMAND);
                        self.run_command(command, cmds);
                        if let Some(notice) = self.notice.as_mut().filter(|n| n.is_error && n.about.is_none()) {
                            notice.about = Some(COMMAND.into());
                        }
                    }
                    Err(error) => self.notify_about(COMMAND, error.to_string(), true),
                },
                PromptKey::Edited | PromptKey::Ignored => self.mode = Mode::Command(prompt),
            },
            other => self.mode = other,
        }
    }

    fn dialog_key(&mut self, key: Key, cmds: &mut Vec<Cmd>) {
        let keymap = &self.settings.keymap;
        let Some(dialog) = self.mode.dialog_mut() else { return };
        let action = dialog.context().and_then(|context| keymap.lookup(context, key)).map(|b| b.action);
        let outcome = dialog.key(key, action);
        self.outcome(outcome, cmds);
    }

    /// Acts on what a dialog answered.
    fn outcome(&mut self, outcome: Outcome, cmds: &mut Vec<Cmd>) {
        match outcome {
            Outcome::Stay => {}
            Outcome::Close => self.mode = Mode::Normal,
            Outcome::Submit(write) => self.submit(write, cmds),
            Outcome::DeactivateMarked(links) => self.deactivate_marked(links, cmds),
            Outcome::Copy(text) => cmds.push(Cmd::Copy(text)),
            Outcome::Replace(mode) => self.mode = mode,
            Outcome::Reveal { pane, id } => {
                self.mode = Mode::Normal;
                self.switch_pane(pane);
                self.reveal = Some((pane, id));
                self.try_reveal();
            }
            Outcome::Say(text) => self.notify(text, false),
            Outcome::Export(job) => self.start_export(job, cmds),
        }
    }

    pub(super) fn paste(&mut self, pasted: &str) {
        let pane = self.pane;
        match &mut self.mode {
            Mode::Command(prompt) => prompt.paste(pasted),
            Mode::Filter(prompt) => {
                prompt.paste(pasted);
                let text = prompt.text().to_string();
                self.list_mut(pane).set_text_filter(&text);
            }
            Mode::Search(prompt) => {
                prompt.paste(pasted);
                let text = prompt.text().to_string();
                self.search_for(&text);
            }
            Mode::Normal => {
                // Pasting an id straight into the dashboard opens the jump.
                let mut prompt = Prompt::new("");
                prompt.paste(pasted.trim());
                self.mode = Mode::Command(prompt);
            }
            Mode::Case(_) => {
                self.case_edit_paste(pasted);
            }
            Mode::Help { .. } | Mode::Alerts { .. } | Mode::Audit(_) => {}
            mode => {
                if let Some(dialog) = mode.dialog_mut() {
                    dialog.paste(pasted);
                }
            }
        }
    }

    /// `d`: asks to deactivate the selected (or open) link; the answer defaults to No.
    fn ask_deactivate(&mut self) {
        // One run at a time, and no link of it deactivated beside it.
        if self.bulk_run().is_some() {
            return self.notify("the marked links are being deactivated: wait for the report, or esc to stop", true);
        }
        if self.pane == Pane::Links && !self.marks(Pane::Links).is_empty() {
            return self.ask_deactivate_marked();
        }
        let open = self.detail.as_ref().and_then(|d| match &d.object {
            Some(super::Found::Link(link)) => Some(link.clone()),
            _ => None,
        });
        let Some(link) = open.or_else(|| self.links.list.selected_row().cloned()) else { return };
        if link.status != LinkStatus::Active {
            let status = crate::sanitize::for_terminal_truncated(link.status.as_str(), 20);
            let text = format!("only an active link can be deactivated; this one is {status}");
            self.notify_about(super::ABOUT_THIS_PANE, text, true);
            return;
        }
        // What was said of another row is not said of this one.
        self.end_notice(super::ABOUT_THIS_PANE);
        self.mode = Mode::Deactivate(Box::new(ConfirmDeactivate::new(&link)));
    }

    fn cycle_status(&mut self) {
        match self.pane {
            Pane::Links => {
                let mut filter = self.links.filter.clone();
                filter.status = next_of(LinkStatus::KNOWN, filter.status.as_ref());
                self.set_links_filter(filter);
            }
            Pane::Transactions => {
                let mut filter = self.transactions.filter.clone();
                filter.status = next_of(TransactionStatus::KNOWN, filter.status.as_ref());
                if self.transactions.set_filter(filter) {
                    self.detail = None;
                }
            }
            Pane::Webhooks | Pane::Events | Pane::Search | Pane::Overview => {}
        }
    }

    /// The Search pane, with the prompt open on `text`.
    pub(super) fn open_search(&mut self, text: &str) {
        self.switch_pane(Pane::Search);
        let reading = Reading { zone: &self.settings.zone, now: self.now, cases: &self.settings.case_rules };
        self.search.set_text(text, reading);
        let mut prompt = Prompt::new(text);
        prompt.previous = text.to_string();
        self.mode = Mode::Search(prompt);
    }

    pub(super) fn mouse(&mut self, mouse: Mouse) {
        if !matches!(self.mode, Mode::Normal) {
            return;
        }
        match mouse.kind {
            MouseKind::ScrollDown => self.move_selection(3),
            MouseKind::ScrollUp => self.move_selection(-3),
            MouseKind::Click => {
                let screen = self.screen();
                if screen.too_small {
                    return;
                }
                if mouse.row == screen.header.y {
                    let (start, labels) = self.header_tabs();
                    let spans = layout::tab_spans(&labels, start);
                    if let Some(i) = spans.iter().position(|(x, w)| mouse.column >= *x && mouse.column < x + w)
                        && let Some(tab) = self.tabs().get(i)
                    {
                        self.show_tab(*tab);
                    }
                    return;
                }
                let rows = screen.table_rows();
                if rows.contains(mouse.column, mouse.row) && screen.popup.is_none() {
                    let position = self.list(self.pane).scroll() + usize::from(mouse.row - rows.y);
                    if position < self.list(self.pane).visible_len() {
                        self.select_position(position);
                    }
                }
            }
        }
    }
}

/// The value after `current` in `values`; after the last, none (all).
fn next_of<T: Clone + PartialEq>(values: &[T], current: Option<&T>) -> Option<T> {
    match current {
        None => values.first().cloned(),
        Some(current) => values.iter().position(|v| v == current).and_then(|i| values.get(i + 1)).cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycling_goes_through_every_value_then_back_to_all() {
        let mut seen = Vec::new();
        let mut current = None;
        loop {
            current = next_of(LinkStatus::KNOWN, current.as_ref());
            seen.push(current.clone());
            if current.is_none() {
                break;
            }
        }
        assert_eq!(seen.len(), LinkStatus::KNOWN.len() + 1);
        let unknown = LinkStatus::Other("cancelled".into());
        assert_eq!(next_of(LinkStatus::KNOWN, Some(&unknown)), None);
    }
}
