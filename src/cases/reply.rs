//! Replies to the customer: a template per kind of case, with the order's
//! figures put in. Every value from PIK is cleaned before it goes in (a
//! reply ends up in a clipboard and a chat window); templates are checked
//! when the config is read, naming the line.

use super::{Case, CaseKind, Order};
use crate::api::{LinkStatus, TransactionStatus};
use crate::hyperlink::Explorers;
use crate::sanitize::for_terminal_truncated;
use std::collections::BTreeMap;

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 10] = [
    "link_id",
    "description",
    "expected",
    "received",
    "missing",
    "over",
    "currency",
    "status",
    "balance_url",
    "explorer_url",
];

/// The longest template taken: a reply is a chat message, not a letter.
pub const TEMPLATE_MAX: usize = 1_000;

/// A template for each kind: the defaults, with the config's over them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Replies(BTreeMap<CaseKind, String>);

impl Replies {
    /// The `[replies]` lines (line, kind, template), each checked, over the
    /// defaults; a bad one is refused with its line.
    pub fn from_lines<'a>(
        lines: impl IntoIterator<Item = (usize, &'a str, &'a str)>,
    ) -> Result<Replies, (usize, String)> {
        let mut replies = Replies::default();
        for (line, key, value) in lines {
            let Some(kind) = CaseKind::parse(key) else {
                return Err((line, format!("[replies] has one template per kind of case: {}", CaseKind::names())));
            };
            check(value).map_err(|why| (line, format!("the {} reply: {why}", kind.name())))?;
            replies.0.insert(kind, value.to_string());
        }
        Ok(replies)
    }

    /// The template of a kind.
    pub fn template(&self, kind: CaseKind) -> &str {
        self.0.get(&kind).map(String::as_str).unwrap_or_else(|| default_template(kind))
    }
}

/// What the template of a kind says unless the config says otherwise.
pub fn default_template(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Underpaid => {
            "Hello, thank you for your payment for {description}. We received {received} {currency} of the \
             {expected} {currency} due, so {missing} {currency} is still missing. You can pay the rest here: \
             {balance_url}"
        }
        CaseKind::Overpaid => {
            "Hello, thank you for your payment for {description}. We received {received} {currency}, which \
             is {over} {currency} more than the {expected} {currency} due. We will refund the difference."
        }
        CaseKind::PaidTwice => {
            "Hello, we received two payments for {description} ({expected} {currency} each, {received} \
             {currency} in all). We will refund the extra {over} {currency}."
        }
        CaseKind::PaidLate => {
            "Hello, we received your payment of {received} {currency} for {description} after its payment \
             link had {status}. We are looking into it and will get back to you."
        }
        CaseKind::StuckPending => {
            "Hello, your payment for {description} has not reached the blockchain yet. Could you send us \
             the transaction hash from your wallet?"
        }
        CaseKind::NotCredited => {
            "Hello, your payment of {received} {currency} for {description} is confirmed on chain \
             ({explorer_url}). We are checking why it is not credited yet and will get back to you."
        }
        CaseKind::FailedNeverPaid => {
            "Hello, your payment for {description} did not go through. Reply to this message and we will \
             send you a new payment link."
        }
    }
}

/// Whether a template can be used: known placeholders, closed braces, a
/// reasonable length.
pub fn check(template: &str) -> Result<(), String> {
    if template.chars().count() > TEMPLATE_MAX {
        return Err(format!("longer than {TEMPLATE_MAX} characters"));
    }
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { return Err("a { is not closed".into()) };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!("{{{name}}} is not a placeholder; they are: {}", PLACEHOLDERS.join(", ")));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// The reply for a case: the template with the order's figures, every
/// value cleaned, on one line each as written.
pub fn render(template: &str, case: &Case, order: &Order, explorers: &Explorers) -> String {
    let clean = |text: &str| for_terminal_truncated(text, 200);
    let amount = |value: Option<rust_decimal::Decimal>| value.map(|d| d.to_string()).unwrap_or_else(|| "?".into());
    let difference = case.difference();
    let balance_url = order
        .balance_links
        .iter()
        .filter(|l| l.status == LinkStatus::Active)
        .max_by_key(|l| l.created_at)
        .and_then(|l| l.url.as_deref())
        .map(clean)
        .unwrap_or_else(|| "(we will send you a link for it shortly)".into());
    let explorer_url = order
        .payments
        .iter()
        .filter(|p| p.status == TransactionStatus::Confirmed || p.status == TransactionStatus::Settled)
        .find_map(|p| p.tx_hash.as_deref().and_then(|hash| explorers.url(&p.currency, hash)))
        .map(|url| clean(&url))
        .unwrap_or_else(|| "(no explorer link)".into());
    let values: [(&str, String); 10] = [
        ("link_id", clean(&case.link_id)),
        ("description", clean(case.description.as_deref().unwrap_or("your order"))),
        ("expected", amount(case.expected)),
        ("received", case.received.to_string()),
        ("missing", amount(case.missing())),
        ("over", amount(difference.filter(|d| d.is_sign_positive()))),
        ("currency", clean(&case.currency)),
        ("status", clean(order.link.as_ref().map_or("?", |l| l.status.as_str()))),
        ("balance_url", balance_url),
        ("explorer_url", explorer_url),
    ];
    let mut reply = template.to_string();
    for (name, value) in values {
        reply = reply.replace(&format!("{{{name}}}"), &value);
    }
    reply
}
