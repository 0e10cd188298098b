//! `:save NAME` and `:save! NAME`: the pane on screen (a saved view too)
//! as a view, in the config file and as a tab at once. Only what is on
//! screen is saved: filters that do not write as one query are refused.

use super::views::{NAME_MAX, Slot, ViewDef, ViewTab, kind_word};
use super::{App, Cmd, Pane};
use crate::store::{Kinds, SearchQuery, Sort};
use chrono::{DateTime, Utc};

impl App {
    /// `:save NAME` (`:save! NAME` replaces): the pane's filters, search
    /// and sort as a view, in the config file and as a tab at once.
    pub(super) fn save_view(&mut self, name: &str, replace: bool, cmds: &mut Vec<Cmd>) {
        let Some((query, kinds, sort)) = self.pane_as_query() else {
            return self.notify("only the Links and Transactions panes (and views) save as a view", true);
        };
        let query = match query {
            Ok(query) => query,
            Err(why) => return self.notify(why, true),
        };
        let kind = kind_word(kinds);
        let mut def = match ViewDef::read(name, &query, Some(&sort.written()), None, Some(kind), self.reading()) {
            Ok(def) => def,
            Err(why) => return self.notify(why, true),
        };
        // What is saved lists what is on screen, or it is not saved.
        let on_screen = match self.search_view(self.pane) {
            Some(search) => search.query().clone(),
            None if kinds == Kinds::Links => self.links.query().filter,
            None => self.transactions.query().filter,
        };
        if on_screen.contradicts || !same_rows(&def.base(self.reading()), &on_screen) {
            return self.notify(
                "the view's query and this pane's filters do not write as one query: save from the pane, or change the filters",
                true,
            );
        }
        let existing = self.views.iter().position(|tab| tab.def.name.eq_ignore_ascii_case(&def.name));
        // A view replaced keeps its key and columns (the file keeps them too);
        // a new one takes every view's columns.
        match existing.map(|at| &self.views[at].def) {
            Some(old) => {
                def.key = old.key;
                def.columns = old.columns.clone();
            }
            None => def.columns = self.settings.columns.of_views(kinds).map(<[_]>::to_vec),
        }
        if existing.is_some() && !replace {
            let name = crate::sanitize::for_terminal_truncated(&def.name, NAME_MAX);
            return self.notify(format!("a view named {name:?} exists: :save! {name} replaces it"), true);
        }
        let mut tab = ViewTab::new(def.clone(), self.reading());
        // It outlives a profile switch, as the file's views do.
        match existing.and_then(|at| self.settings.views.get_mut(at)) {
            Some(kept) => *kept = def.clone(),
            None => self.settings.views.push(def.clone()),
        }
        match existing {
            Some(at) => {
                let shown = self.shown_view == Some(at);
                if shown {
                    self.put_view_back();
                }
                // Its rows may be the same: what was marked stays marked.
                if let (Slot::Links(_, _, new), Slot::Links(_, _, old))
                | (Slot::Transactions(_, _, new), Slot::Transactions(_, _, old)) =
                    (&mut tab.slot, &mut self.views[at].slot)
                {
                    std::mem::swap(new, old);
                }
                self.views[at] = tab;
                if shown {
                    self.show_view(at);
                }
            }
            None => self.views.push(tab),
        }
        cmds.push(Cmd::SaveView { path: self.settings.config_path.clone(), view: def, replace });
    }

    /// What the config file said of a saved view.
    pub(super) fn view_saved(&mut self, name: &str, result: Result<String, String>) {
        let name = crate::sanitize::for_terminal_truncated(name, NAME_MAX);
        match result {
            Ok(path) => {
                let path = crate::sanitize::for_terminal_truncated(&path, 80);
                self.notify(format!("saved the view {name:?} in {path}"), false)
            }
            Err(why) => self.notify_for(
                format!(
                    "the view {name:?} is a tab for this session only: {}",
                    crate::sanitize::for_terminal_truncated(&why, 160)
                ),
                true,
                20,
            ),
        }
    }

    /// The pane's filters and search as a view's query, its kind and sort.
    fn pane_as_query(&self) -> Option<(Result<String, String>, Kinds, Sort)> {
        let shown = self.shown_view().map(|def| def.query.clone());
        let mut words: Vec<String> = shown.into_iter().collect();
        // A search shows the view's rows that match it, whatever the pane's
        // own filters: they are not part of it.
        if let Some(search) = self.search_view(self.pane) {
            words.push(search.text.trim().to_string());
            let kinds = if self.pane == Pane::Links { Kinds::Links } else { Kinds::Transactions };
            let sort = self.sort_of(self.pane)?;
            let query = words.into_iter().filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
            return matches!(self.pane, Pane::Links | Pane::Transactions).then_some((Ok(query), kinds, sort));
        }
        let (kinds, sort) = match self.pane {
            Pane::Links => {
                if let Some(status) = &self.links.filter.status {
                    words.push(format!("status:{}", status.as_str()));
                }
                (Kinds::Links, self.links.sort)
            }
            Pane::Transactions => {
                let filter = &self.transactions.filter;
                if let Some(status) = &filter.status {
                    words.push(format!("status:{}", status.as_str()));
                }
                if let Some(currency) = &filter.currency {
                    words.push(format!("currency:{currency}"));
                }
                if let Some(link) = &filter.payment_link_id {
                    words.push(format!("link:{link}"));
                }
                let iso = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                match (filter.date, filter.from, filter.to) {
                    (_, None, None) => {}
                    (crate::store::DateField::Created, from, to) => {
                        words.extend(from.map(|t| format!("from:{}", iso(t))));
                        words.extend(to.map(|t| format!("to:{}", iso(t))));
                    }
                    (field, Some(from), Some(to)) => {
                        words.push(format!("{}:{}..{}", field.as_str(), iso(from), iso(to)))
                    }
                    (field, _, _) => {
                        let why = format!("a view keeps a {} range with both ends: set :from and :to", field.as_str());
                        return Some((Err(why), Kinds::Transactions, self.transactions.sort));
                    }
                }
                (Kinds::Transactions, self.transactions.sort)
            }
            _ => return None,
        };
        let query = words.into_iter().filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
        Some((Ok(query), kinds, sort))
    }
}

/// Whether two queries select the same rows (whenever they were read: the
/// clock a case filter carries is not compared).
fn same_rows(a: &SearchQuery, b: &SearchQuery) -> bool {
    let case = |q: &SearchQuery| q.case.as_ref().map(|c| (c.kind, c.handled.clone()));
    (&a.status, &a.currency, &a.link, a.from, a.to, a.confirmed, a.settled)
        == (&b.status, &b.currency, &b.link, b.from, b.to, b.confirmed, b.settled)
        && a.terms == b.terms
        && a.amounts == b.amounts
        && a.ids == b.ids
        && a.contradicts == b.contradicts
        && case(a) == case(b)
}
