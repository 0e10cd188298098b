//! Alerts: rules from the config file (`[[alerts]]`) that watch for money
//! settling, payments failing, new cases (`case = "underpaid"`) and new
//! items needing attention. A rule that
//! fires shows a highlighted notice, and may ring the bell and send a
//! desktop notification (OSC 9 or OSC 777, which reach the agent's own
//! desktop over SSH). Each event fires once, however many times and by
//! whichever path it is seen; history is never an event: the app only
//! hands over changes seen live (see `docs/architecture.md`).

use super::overview::AttentionItem;
use super::resource::Resource;
use crate::api::{Transaction, TransactionStatus};
use crate::cases::CaseKind;
use rust_decimal::Decimal;
use std::collections::{HashSet, VecDeque};

/// What a rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertWhen {
    Settled,
    Failed,
    Attention,
    /// A new case, of one kind or (None) of any.
    Case(Option<CaseKind>),
}

use crate::desktop_notice::Notify;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRule {
    pub when: AlertWhen,
    /// Only this currency (settled and failed rules).
    pub currency: Option<String>,
    /// Only payments of at least this much (settled and failed rules).
    pub min_amount: Option<Decimal>,
    pub bell: bool,
    pub notify: Notify,
}

/// A `[[alerts]]` table as the config file gives it, with its line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertEntry {
    pub line: usize,
    pub when: Option<String>,
    pub case: Option<String>,
    pub currency: Option<String>,
    pub min_amount: Option<String>,
    pub bell: bool,
    pub notify: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct AlertError {
    pub line: usize,
    pub message: String,
}

impl AlertRule {
    pub fn parse(entry: &AlertEntry) -> Result<AlertRule, AlertError> {
        let fail = |message: String| AlertError { line: entry.line, message };
        let when = match (entry.when.as_deref(), entry.case.as_deref()) {
            (None | Some("case"), Some(case)) => match case.trim() {
                "any" => AlertWhen::Case(None),
                kind => match CaseKind::parse(kind) {
                    Some(kind) => AlertWhen::Case(Some(kind)),
                    None => {
                        return Err(fail(format!("case {kind:?} is any or one of: {}", CaseKind::names())));
                    }
                },
            },
            (Some(_), Some(_)) => return Err(fail("an alert on cases has case = \"…\" and no when".into())),
            (when, None) => match when {
                Some("settled") => AlertWhen::Settled,
                Some("failed") => AlertWhen::Failed,
                Some("attention") => AlertWhen::Attention,
                Some(other) => {
                    return Err(fail(format!("an alert's when is settled, failed or attention, not {other:?}")));
                }
                None => {
                    let needed = "an alert needs when = \"settled\", \"failed\" or \"attention\", or case = \"…\"";
                    return Err(fail(needed.into()));
                }
            },
        };
        let currency = match entry.currency.as_deref() {
            Some(code) if crate::money::is_currency_code(code.trim()) => Some(code.trim().to_ascii_uppercase()),
            Some(code) => return Err(fail(format!("currency {code:?} is not a currency code (USDT, BTC…)"))),
            None => None,
        };
        let min_amount = match entry.min_amount.as_deref() {
            Some(text) => match Decimal::from_str_exact(text.trim()) {
                Ok(amount) if amount >= Decimal::ZERO => Some(amount),
                _ => return Err(fail(format!("min_amount {text:?} is not an amount (write it as text: \"1000.50\")"))),
            },
            None => None,
        };
        if matches!(when, AlertWhen::Attention | AlertWhen::Case(_)) && (currency.is_some() || min_amount.is_some()) {
            return Err(fail("an attention or case alert takes no currency or min_amount".into()));
        }
        let notify = match entry.notify.as_deref() {
            None | Some("none") => Notify::None,
            Some("osc9") => Notify::Osc9,
            Some("osc777") => Notify::Osc777,
            Some(other) => return Err(fail(format!("notify is osc9, osc777 or none, not {other:?}"))),
        };
        Ok(AlertRule { when, currency, min_amount, bell: entry.bell, notify })
    }

    fn matches_payment(&self, txn: &Transaction) -> bool {
        let when = match txn.status {
            TransactionStatus::Settled => AlertWhen::Settled,
            TransactionStatus::Failed => AlertWhen::Failed,
            _ => return false,
        };
        self.when == when
            && self.currency.as_ref().is_none_or(|c| *c == txn.currency)
            && self.min_amount.is_none_or(|min| txn.amount >= min)
    }
}

/// What firing asks for: the notice, and how else to reach the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// Plain words (still to be sanitized where drawn or sent).
    pub text: String,
    pub bell: bool,
    pub notify: Notify,
}

/// Events remembered as fired, at most; the oldest are forgotten first.
const REMEMBERED: usize = 10_000;

#[derive(Debug, Clone, Default)]
pub struct Alerts {
    rules: Vec<AlertRule>,
    fired: HashSet<String>,
    order: VecDeque<String>,
}

impl Alerts {
    pub fn new(rules: Vec<AlertRule>) -> Self {
        Alerts { rules, ..Alerts::default() }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether a rule watches what needs attention or the cases (which the
    /// Overview finds).
    pub fn watch_attention(&self) -> bool {
        self.rules.iter().any(|r| matches!(r.when, AlertWhen::Attention | AlertWhen::Case(_)))
    }

    /// Once per event: false if it fired before.
    fn first_time(&mut self, event: String) -> bool {
        if !self.fired.insert(event.clone()) {
            return false;
        }
        self.order.push_back(event);
        if self.order.len() > REMEMBERED
            && let Some(oldest) = self.order.pop_front()
        {
            self.fired.remove(&oldest);
        }
        true
    }

    /// The rules that match, as one firing (the loudest of them).
    fn fire(&mut self, event: String, matching: Vec<&AlertRule>, text: String) -> Option<Fired> {
        if matching.is_empty() {
            return None;
        }
        let bell = matching.iter().any(|r| r.bell);
        let notify = matching.iter().map(|r| r.notify).find(|n| *n != Notify::None).unwrap_or_default();
        self.first_time(event).then_some(Fired { text, bell, notify })
    }

    /// A payment seen settling or failing live.
    pub fn payment(&mut self, txn: &Transaction) -> Option<Fired> {
        let matching: Vec<&AlertRule> = self.rules.iter().filter(|r| r.matches_payment(txn)).collect();
        let matching: Vec<AlertRule> = matching.into_iter().cloned().collect();
        let text = format!("{} {} {} {}", txn.status.as_str(), txn.amount, txn.currency, txn.id);
        self.fire(format!("{}:{}", txn.id, txn.status.as_str()), matching.iter().collect(), text)
    }

    /// An item new to the attention list: a new case, among others.
    pub fn attention(&mut self, item: &AttentionItem) -> Option<Fired> {
        let kind = item.case().map(|case| case.kind);
        let matching: Vec<AlertRule> = self
            .rules
            .iter()
            .filter(|r| match r.when {
                AlertWhen::Attention => true,
                AlertWhen::Case(wanted) => kind.is_some() && (wanted.is_none() || wanted == kind),
                _ => false,
            })
            .cloned()
            .collect();
        let text = match item.case() {
            Some(case) => format!("new case: {} {}", case.kind.words(), case.link_id),
            None => format!("needs attention: {} {}", item.words(), item.id()),
        };
        self.fire(format!("attention:{}:{}", item.words(), item.id()), matching.iter().collect(), text)
    }
}

/// How long an alert's notice stays in the footer.
const ALERT_SHOWN_SECS: i64 = 60;
/// The alerts of a session kept for `:alerts`, newest last.
const LOG_KEPT: usize = 500;

/// An alert that fired, for `:alerts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub at: chrono::DateTime<chrono::Utc>,
    pub text: String,
}

/// Every alert of the session, and how many came since `:alerts` was read.
#[derive(Debug, Clone, Default)]
pub struct AlertLog {
    pub entries: Vec<Logged>,
    pub unread: usize,
}

impl super::App {
    /// This session's alerts, newest last, and how many are unread.
    pub fn alert_log(&self) -> &AlertLog {
        &self.alert_log
    }

    /// `:alerts`: the log, read from now.
    pub(super) fn open_alert_log(&mut self) {
        self.alert_log.unread = 0;
        self.mode = super::Mode::Alerts { scroll: 0 };
    }

    /// A payment seen settling or failing live (a poll, the sync).
    pub(super) fn payment_seen(&mut self, txn: &Transaction, cmds: &mut Vec<super::Cmd>) {
        if let Some(fired) = self.alerts.payment(txn) {
            self.fired(fired, cmds);
        }
    }

    /// Items new to the attention list (never those of its first load).
    pub(super) fn attention_arrived(&mut self, ids: &[String], cmds: &mut Vec<super::Cmd>) {
        if self.alerts.is_empty() {
            return;
        }
        let items: Vec<AttentionItem> = ids.iter().filter_map(|id| self.overview.list.find(id)).cloned().collect();
        for item in items {
            if let Some(fired) = self.alerts.attention(&item) {
                self.fired(fired, cmds);
            }
        }
    }

    fn fired(&mut self, fired: Fired, cmds: &mut Vec<super::Cmd>) {
        let until = self.now + chrono::Duration::seconds(ALERT_SHOWN_SECS);
        self.alert = Some(super::Notice { text: fired.text.clone(), is_error: false, until, about: None });
        // A later alert replaces this one in the footer: the log keeps both.
        self.alert_log.entries.push(Logged { at: self.now, text: fired.text.clone() });
        if self.alert_log.entries.len() > LOG_KEPT {
            self.alert_log.entries.remove(0);
        }
        self.alert_log.unread += 1;
        if fired.bell {
            cmds.push(super::Cmd::Bell);
        }
        if fired.notify != Notify::None {
            cmds.push(super::Cmd::Notify { how: fired.notify, text: fired.text });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::{Case, CaseKind};
    use crate::test_support::{dec, t0, txn};

    fn case(link_id: &str, kind: CaseKind) -> AttentionItem {
        AttentionItem::Case(Box::new(Case {
            link_id: link_id.into(),
            kind,
            met: vec![kind],
            currency: "USDT".into(),
            expected: Some(dec("75")),
            received: dec("74.10"),
            since: t0(),
            description: None,
            claimed: None,
            resolved: None,
            reopened: None,
        }))
    }

    fn rule(text: &[(&str, &str)]) -> Result<AlertRule, AlertError> {
        AlertRule::parse(&crate::test_support::alert_entry(7, text))
    }

    fn rules(rules: &[&[(&str, &str)]]) -> Alerts {
        Alerts::new(rules.iter().map(|r| rule(r).unwrap_or_else(|e| panic!("{e}"))).collect())
    }

    fn settled(id: &str, amount: &str, currency: &str) -> Transaction {
        Transaction { status: TransactionStatus::Settled, amount: dec(amount), currency: currency.into(), ..txn(id) }
    }

    #[test]
    fn bad_rules_are_refused_naming_their_line() {
        for (text, words) in [
            (&[("when", "setled")][..], "not \"setled\""),
            (&[][..], "needs when"),
            (&[("when", "settled"), ("min_amount", "1e3")][..], "not an amount"),
            (&[("when", "settled"), ("min_amount", "-5")][..], "not an amount"),
            (&[("when", "settled"), ("currency", "US D")][..], "not a currency code"),
            (&[("when", "attention"), ("currency", "USDT")][..], "takes no currency"),
            (&[("case", "lost")][..], "paid-twice"),
            (&[("when", "settled"), ("case", "underpaid")][..], "no when"),
            (&[("case", "underpaid"), ("min_amount", "5")][..], "takes no currency"),
            (&[("when", "failed"), ("notify", "osc8")][..], "osc9, osc777 or none"),
        ] {
            match rule(text) {
                Ok(rule) => panic!("{text:?} was taken: {rule:?}"),
                Err(err) => {
                    assert_eq!(err.line, 7);
                    assert!(err.to_string().starts_with("line 7: ") && err.to_string().contains(words), "{err}");
                }
            }
        }
        let taken = rule(&[("when", "settled"), ("currency", "usdt"), ("min_amount", "1000"), ("notify", "osc9")]);
        assert_eq!(
            taken,
            Ok(AlertRule {
                when: AlertWhen::Settled,
                currency: Some("USDT".into()),
                min_amount: Some(dec("1000")),
                bell: false,
                notify: Notify::Osc9
            })
        );
    }

    #[test]
    fn each_event_fires_once_and_only_what_matches() {
        let mut alerts = rules(&[
            &[("when", "settled"), ("currency", "USDT"), ("min_amount", "1000"), ("bell", "")],
            &[("when", "failed"), ("notify", "osc777")],
        ]);
        assert_eq!(alerts.payment(&settled("txn_small", "999.99", "USDT")), None, "under the minimum");
        assert_eq!(alerts.payment(&settled("txn_btc", "5000", "BTC")), None, "another currency");
        assert_eq!(alerts.payment(&txn("txn_pending")), None, "pending is no event of these rules");
        let big = settled("txn_big", "1000.00", "USDT");
        let fired = alerts.payment(&big);
        assert!(fired.as_ref().is_some_and(|f| f.bell && f.notify == Notify::None && f.text.contains("txn_big")));
        assert_eq!(alerts.payment(&big), None, "the same event again (the sync and a poll both saw it)");
        let failed = Transaction { status: TransactionStatus::Failed, ..txn("txn_big") };
        assert!(alerts.payment(&failed).is_some_and(|f| f.notify == Notify::Osc777 && !f.bell));
        assert_eq!(alerts.attention(&case("pl_short", CaseKind::Underpaid)), None, "no attention or case rule");
    }

    #[test]
    fn attention_rules_fire_once_per_item() {
        let mut alerts = rules(&[&[("when", "attention"), ("notify", "osc9")]]);
        let item = case("pl_stuck", CaseKind::StuckPending);
        assert!(alerts.attention(&item).is_some_and(|f| f.text.contains("stuck pending pl_stuck")));
        assert_eq!(alerts.attention(&item), None);
        let other = case("pl_stuck", CaseKind::NotCredited);
        assert!(alerts.attention(&other).is_some(), "another kind of trouble with the same order");
    }

    #[test]
    fn case_rules_fire_once_per_new_case_of_their_kind() {
        let mut alerts = rules(&[&[("case", "underpaid"), ("bell", "")]]);
        assert_eq!(alerts.attention(&case("pl_twice", CaseKind::PaidTwice)), None, "another kind");
        let short = case("pl_short", CaseKind::Underpaid);
        assert!(alerts.attention(&short).is_some_and(|f| f.bell && f.text == "new case: underpaid pl_short"));
        assert_eq!(alerts.attention(&short), None, "once");
        let hook = AttentionItem::WebhookDisabled(crate::test_support::hook("wh_1"));
        assert_eq!(alerts.attention(&hook), None, "a webhook is no case");
        let mut any = rules(&[&[("case", "any")]]);
        assert!(any.attention(&case("pl_late", CaseKind::PaidLate)).is_some());
    }
}
