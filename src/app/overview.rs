//! The Overview: the period's money per currency, a chart of settled
//! volume, and what needs attention, all computed by the mirror
//! ([`Cmd::Overview`]). It is recomputed every refresh while shown and less
//! often while hidden, so its tab counts what needs attention and alerts
//! hear of new items wherever the agent is. Periods are whole local days
//! of the agent's zone, each from one midnight to the next.

use super::list::{ListOps, LocalList, RequestId};
use super::resource::Resource;
use super::{App, Cmd, DetailKind, Pane};
use crate::api::Webhook;
use crate::cases::Case;
use crate::store::cases::Handled;
use crate::store::{Overview, OverviewQuery, Step};
use crate::zone::Zone;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// How often the hidden Overview is recomputed for its tab's count, unless
/// the sync finds news first: every hidden refresh cost a sixth of the idle
/// dashboard's CPU.
const HIDDEN_EVERY_SECS: i64 = 300;

/// The period the figures cover, up to the end of today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Today,
    /// The whole of the day before: finance's "yesterday".
    Yesterday,
    Week,
    Month,
}

impl Period {
    const ALL: [Period; 4] = [Period::Today, Period::Yesterday, Period::Week, Period::Month];

    pub fn label(self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Yesterday => "yesterday",
            Period::Week => "7 days",
            Period::Month => "30 days",
        }
    }

    /// Its first and last local days, for a day `today`.
    pub fn dates(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let back = |days: i64| today - Duration::days(days);
        match self {
            Period::Today => (today, today),
            Period::Yesterday => (back(1), back(1)),
            Period::Week => (back(6), today),
            Period::Month => (back(29), today),
        }
    }

    /// A bar an hour for a single day, a day otherwise.
    pub fn step(self) -> Step {
        if matches!(self, Period::Today | Period::Yesterday) { Step::Hour } else { Step::Day }
    }

    fn turned(self, forward: bool) -> Period {
        let at = Period::ALL.iter().position(|p| *p == self).unwrap_or(0);
        let next = if forward { at + 1 } else { at + Period::ALL.len() - 1 };
        Period::ALL[next % Period::ALL.len()]
    }
}

/// Which cases the Overview's list shows, by their handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasesShown {
    Open,
    Mine,
    Unclaimed,
    ResolvedToday,
}

impl CasesShown {
    const ALL: [CasesShown; 4] = [CasesShown::Open, CasesShown::Mine, CasesShown::Unclaimed, CasesShown::ResolvedToday];

    pub fn words(self) -> &'static str {
        match self {
            CasesShown::Open => "open cases",
            CasesShown::Mine => "my cases",
            CasesShown::Unclaimed => "unclaimed cases",
            CasesShown::ResolvedToday => "resolved today",
        }
    }

    fn next(self) -> CasesShown {
        let at = CasesShown::ALL.iter().position(|f| *f == self).unwrap_or(0);
        CasesShown::ALL[(at + 1) % CasesShown::ALL.len()]
    }
}

/// A row of the needs-attention list: the cases, the account's own
/// troubles, and what the local listener refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AttentionItem {
    Case(Box<Case>),
    WebhookDisabled(Webhook),
    /// A body the local listener refused: its signature did not verify.
    Refused {
        id: String,
        at: DateTime<Utc>,
        reason: String,
    },
}

impl AttentionItem {
    /// The case, if it is one.
    pub fn case(&self) -> Option<&Case> {
        match self {
            AttentionItem::Case(case) => Some(case),
            _ => None,
        }
    }

    /// What is wrong, in a few words.
    pub fn words(&self) -> &'static str {
        match self {
            AttentionItem::Case(case) => case.kind.words(),
            AttentionItem::WebhookDisabled(_) => "webhook disabled",
            AttentionItem::Refused { .. } => "bad signature",
        }
    }

    pub fn webhook(&self) -> Option<&Webhook> {
        match self {
            AttentionItem::WebhookDisabled(hook) => Some(hook),
            _ => None,
        }
    }

    /// The detail Enter opens (a case opens its case view).
    pub fn detail_kind(&self) -> Option<DetailKind> {
        match self {
            AttentionItem::WebhookDisabled(_) => Some(DetailKind::Webhook),
            AttentionItem::Case(_) | AttentionItem::Refused { .. } => None,
        }
    }
}

impl Resource for AttentionItem {
    fn id(&self) -> &str {
        match self {
            AttentionItem::Case(case) => &case.link_id,
            AttentionItem::WebhookDisabled(hook) => &hook.id,
            AttentionItem::Refused { id, .. } => id,
        }
    }

    fn status_text(&self) -> &str {
        self.words()
    }

    fn matches(&self, needle: &str) -> bool {
        self.words().contains(needle)
            || self.id().to_lowercase().contains(needle)
            || self.case().and_then(|c| c.description.as_deref()).is_some_and(|d| d.to_lowercase().contains(needle))
    }
}

/// The listener's refusals kept for the list, newest first.
const REFUSED_KEPT: usize = 50;

#[derive(Debug)]
pub struct OverviewState {
    pub period: Period,
    /// Which cases the list shows.
    pub case_filter: CasesShown,
    /// The chart's currency as chosen with ←/→ (until then, the first with
    /// settled volume).
    chosen_currency: Option<String>,
    /// What the mirror answered last, and when.
    pub shown: Option<Overview>,
    pub computed_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub list: LocalList<AttentionItem>,
    request: Option<RequestId>,
    /// Whether the mirror was up to date when the question in flight was asked.
    asked_current: bool,
    /// An answer from an up-to-date mirror has come: from now on items new
    /// to the list are news (marked, and alerts may fire), not history.
    settled_baseline: bool,
    next_at: DateTime<Utc>,
    refused: Vec<AttentionItem>,
    refused_count: u64,
}

impl OverviewState {
    pub fn new(now: DateTime<Utc>) -> Self {
        OverviewState {
            period: Period::Today,
            case_filter: CasesShown::Open,
            chosen_currency: None,
            shown: None,
            computed_at: None,
            error: None,
            list: LocalList::new(),
            request: None,
            asked_current: false,
            settled_baseline: false,
            next_at: now,
            refused: Vec::new(),
            refused_count: 0,
        }
    }

    /// Recompute now; an answer on its way is for the old question.
    fn again(&mut self, now: DateTime<Utc>) {
        self.request = None;
        self.next_at = now;
    }

    /// The attention list: the mirror's items, then the refusals.
    fn items(&self) -> Vec<AttentionItem> {
        let cases =
            self.shown.iter().flat_map(|o| o.cases.iter().map(|case| AttentionItem::Case(Box::new(case.clone()))));
        let disabled = self.shown.iter().flat_map(|o| o.disabled.iter().cloned().map(AttentionItem::WebhookDisabled));
        cases.chain(disabled).chain(self.refused.iter().cloned()).collect()
    }
}

/// The question for the mirror about a period of the agent's local days.
pub fn period_query(zone: &Zone, period: Period, now: DateTime<Utc>, rules: crate::cases::CaseRules) -> OverviewQuery {
    let dates = period.dates(zone.date_of(now));
    OverviewQuery::days(zone, dates, now, period.step(), rules)
}

impl App {
    /// The question for the mirror: the period, in the agent's local days.
    pub fn overview_query(&self) -> OverviewQuery {
        let query = period_query(&self.settings.zone, self.overview.period, self.now, self.settings.case_rules.clone());
        let handled = match self.overview.case_filter {
            CasesShown::Open => Handled::Open,
            CasesShown::Mine => Handled::Mine(self.settings.agent.clone()),
            CasesShown::Unclaimed => Handled::Unclaimed,
            CasesShown::ResolvedToday => Handled::ResolvedSince(self.settings.zone.day_around(self.now).0),
        };
        OverviewQuery { chart_currency: self.overview.chosen_currency.clone(), handled, ..query }
    }

    /// `f`: the next filter of the case list.
    pub(super) fn change_case_filter(&mut self) {
        self.overview.case_filter = self.overview.case_filter.next();
        // Cases another filter brings are not news: no alert fires for them.
        self.overview.settled_baseline = false;
        self.overview.again(self.now);
        self.notify(format!("the list shows {}", self.overview.case_filter.words()), false);
    }

    /// Asks the mirror again when due: every refresh while shown; while not,
    /// every hidden refresh if an alert watches what needs attention, else
    /// every five minutes (and when the sync finds news).
    pub(super) fn plan_overview(&mut self, cmds: &mut Vec<Cmd>) {
        let shown = self.pane == Pane::Overview;
        if self.overview.request.is_some() || self.now < self.overview.next_at {
            return;
        }
        if shown && self.paused.is_some() && self.overview.shown.is_some() {
            return;
        }
        let request = self.request_id();
        cmds.push(Cmd::Overview { request, query: self.overview_query() });
        self.overview.request = Some(request);
        self.overview.asked_current = self.mirror().is_some_and(crate::sync::MirrorStatus::current);
        // An attention alert must not wait five minutes: then as any hidden pane.
        let wait = if shown || self.alerts.watch_attention() {
            if shown { self.settings.refresh } else { self.settings.hidden_refresh }
        } else {
            Duration::seconds(HIDDEN_EVERY_SECS)
        };
        self.overview.next_at = self.now + wait;
    }

    pub(super) fn overview_loaded(
        &mut self,
        request: RequestId,
        result: Result<Overview, String>,
        cmds: &mut Vec<Cmd>,
    ) {
        if self.overview.request != Some(request) {
            return;
        }
        self.overview.request = None;
        match result {
            Ok(overview) => {
                self.overview.shown = Some(overview);
                self.overview.computed_at = Some(self.now);
                self.overview.error = None;
                let baseline = !self.overview.settled_baseline;
                self.overview.settled_baseline |= self.overview.asked_current;
                let new = self.overview.list.replace_all(self.overview.items(), baseline, self.now);
                let view = self.view_height();
                self.overview.list.keep_visible(view);
                // Under another filter a case comes into view by a claim or
                // a resolution: that is no news.
                if self.overview.case_filter == CasesShown::Open {
                    self.attention_arrived(&new, cmds);
                }
            }
            Err(why) => self.overview.error = Some(why),
        }
    }

    /// `r`: recompute now.
    pub(super) fn overview_again(&mut self) {
        self.overview.again(self.now);
    }

    pub(super) fn change_period(&mut self, forward: bool) {
        self.overview.period = self.overview.period.turned(forward);
        self.overview.again(self.now);
    }

    /// ←/→: the next currency of those with figures.
    pub(super) fn change_chart_currency(&mut self, forward: bool) {
        let Some(shown) = &self.overview.shown else { return };
        let currencies: Vec<&str> = shown.money.iter().map(|m| m.currency.as_str()).collect();
        if currencies.is_empty() {
            return;
        }
        let current = shown.chart_currency.as_deref();
        let at = currencies.iter().position(|c| Some(*c) == current).unwrap_or(0);
        let next = if forward { at + 1 } else { at + currencies.len() - 1 };
        self.overview.chosen_currency = Some(currencies[next % currencies.len()].to_string());
        self.overview.again(self.now);
    }

    /// The local listener refused a body: it joins the attention list now.
    pub(super) fn refused_event(&mut self, reason: String, cmds: &mut Vec<Cmd>) {
        self.overview.refused_count += 1;
        let id = format!("refused {}", self.overview.refused_count);
        self.overview.refused.insert(0, AttentionItem::Refused { id: id.clone(), at: self.now, reason });
        self.overview.refused.truncate(REFUSED_KEPT);
        self.overview.list.replace_all(self.overview.items(), false, self.now);
        // News whatever the mirror's state: it happened now.
        self.attention_arrived(&[id], cmds);
    }

    /// Enter on the list: the case, the webhook's detail, or what a
    /// refusal means.
    pub(super) fn open_attention(&mut self, cmds: &mut Vec<Cmd>) {
        match self.overview.list.selected_row() {
            Some(AttentionItem::Case(case)) => {
                let link_id = case.link_id.clone();
                self.open_case(link_id, cmds);
            }
            Some(AttentionItem::Refused { reason, .. }) => {
                let text =
                    format!("the local listener refused a webhook body: {reason} (check the secret it was sent with)");
                self.notify(text, true);
            }
            Some(item) => {
                if let Some(kind) = item.detail_kind() {
                    let id = item.id().to_string();
                    self.open_detail_for(kind, id, None, Duration::zero());
                }
            }
            None => {}
        }
    }

    /// The mirror's news: once it is up to date (again), the figures are
    /// worth computing at once.
    pub(super) fn mirror_said(&mut self, status: crate::sync::MirrorStatus) {
        let caught_up = status.current() && self.mirror.as_ref().is_none_or(|before| !before.current());
        // A kind the mirror now holds whole is counted from the mirror at
        // once, hidden or not: its list's last count was of a part.
        let whole = |status: Option<&crate::sync::MirrorStatus>, of| status.is_some_and(|s| s.progress(of).complete);
        let before = self.mirror.as_ref();
        let links_whole = !whole(before, crate::sync::Of::Links) && whole(Some(&status), crate::sync::Of::Links);
        let transactions_whole =
            !whole(before, crate::sync::Of::Transactions) && whole(Some(&status), crate::sync::Of::Transactions);
        if links_whole {
            self.links.hidden_read_at = self.now;
        }
        if transactions_whole {
            self.transactions.hidden_read_at = self.now;
        }
        self.mirror = Some(status);
        // Its times are news only when they change an age or the LIVE label.
        self.dirty |= self.clock_moved();
        if caught_up {
            self.overview_again();
        }
    }

    /// Whether the Overview's figures are partial: the mirror is still
    /// backfilling, or holds only rows scrolled to; how far along it is (0
    /// to 1).
    pub fn overview_partial(&self) -> Option<f64> {
        let status = self.mirror()?;
        let partial = self.settings.store.on_demand() && !status.transactions.complete;
        (partial || matches!(status.phase, crate::sync::Phase::Backfilling { .. })).then(|| status.ratio())
    }
}
