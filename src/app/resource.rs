//! What each resource supplies to the one paged list: its id, its status as
//! text (to notice changes) and what a text filter matches.

use crate::api::{EventEnvelope, PaymentLink, Transaction, Webhook};

pub trait Resource: Clone + std::fmt::Debug {
    fn id(&self) -> &str;
    fn status_text(&self) -> &str;
    /// Whether the row contains `needle`, which is already lower-case.
    fn matches(&self, needle: &str) -> bool;

    /// The money it is about, if any: what a mark keeps, to total it.
    fn money(&self) -> Option<(rust_decimal::Decimal, &str)> {
        None
    }
}

fn any_contains(fields: &[&str], needle: &str) -> bool {
    fields.iter().any(|field| field.to_lowercase().contains(needle))
}

impl Resource for PaymentLink {
    fn id(&self) -> &str {
        &self.id
    }

    fn money(&self) -> Option<(rust_decimal::Decimal, &str)> {
        Some((self.amount, &self.currency))
    }

    fn status_text(&self) -> &str {
        self.status.as_str()
    }

    fn matches(&self, needle: &str) -> bool {
        let amount = self.amount.to_string();
        any_contains(
            &[&self.id, self.description.as_deref().unwrap_or(""), &amount, &self.currency, self.status.as_str()],
            needle,
        )
    }
}

impl Resource for Transaction {
    fn id(&self) -> &str {
        &self.id
    }

    fn money(&self) -> Option<(rust_decimal::Decimal, &str)> {
        Some((self.amount, &self.currency))
    }

    fn status_text(&self) -> &str {
        self.status.as_str()
    }

    fn matches(&self, needle: &str) -> bool {
        let amount = self.amount.to_string();
        any_contains(
            &[
                &self.id,
                self.payment_link_id.as_deref().unwrap_or(""),
                self.tx_hash.as_deref().unwrap_or(""),
                &amount,
                &self.currency,
                self.status.as_str(),
            ],
            needle,
        )
    }
}

impl Resource for Webhook {
    fn id(&self) -> &str {
        &self.id
    }

    fn status_text(&self) -> &str {
        self.status.as_str()
    }

    fn matches(&self, needle: &str) -> bool {
        let events: Vec<&str> = self.events.iter().map(|e| e.as_str()).collect();
        any_contains(&[&self.id, &self.url, &events.join(" "), self.status.as_str()], needle)
    }
}

impl Resource for EventEnvelope {
    fn id(&self) -> &str {
        &self.id
    }

    fn status_text(&self) -> &str {
        self.data.status.as_str()
    }

    fn matches(&self, needle: &str) -> bool {
        any_contains(
            &[
                &self.id,
                self.event.as_str(),
                &self.data.transaction_id,
                self.data.payment_link_id.as_deref().unwrap_or(""),
                &self.data.currency,
            ],
            needle,
        )
    }
}

impl Resource for crate::store::SearchHit {
    fn id(&self) -> &str {
        crate::store::SearchHit::id(self)
    }

    fn status_text(&self) -> &str {
        match self {
            crate::store::SearchHit::Link(link) => link.status_text(),
            crate::store::SearchHit::Transaction(txn) => txn.status_text(),
        }
    }

    fn matches(&self, needle: &str) -> bool {
        match self {
            crate::store::SearchHit::Link(link) => link.matches(needle),
            crate::store::SearchHit::Transaction(txn) => txn.matches(needle),
        }
    }

    fn money(&self) -> Option<(rust_decimal::Decimal, &str)> {
        match self {
            crate::store::SearchHit::Link(link) => link.money(),
            crate::store::SearchHit::Transaction(txn) => txn.money(),
        }
    }
}
