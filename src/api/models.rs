//! The PIK resources as typed values. Decoding is tolerant, because PIK's doc
//! sets disagree and the live API may differ from all of them: unknown fields
//! are ignored, optional fields may be missing or null, unknown enum values are
//! kept as `Other(text)`, and one bad item does not fail a whole page.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An enum of API strings that keeps values it does not know.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know, kept as the API sent it.
            Other(String),
        }

        impl $name {
            /// The documented values, in the documented order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(text) => text,
                }
            }

            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }

            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok($name::parse(&text))
            }
        }
    };
}

open_enum!(
    /// A payment link's status. `deactivated` means manually disabled.
    LinkStatus {
        Active => "active",
        Paid => "paid",
        Expired => "expired",
        Deactivated => "deactivated",
    }
);

open_enum!(
    /// A transaction's status: pending → confirmed → settled, or failed.
    TransactionStatus {
        Pending => "pending",
        Confirmed => "confirmed",
        Settled => "settled",
        Failed => "failed",
    }
);

open_enum!(
    WebhookStatus {
        Active => "active",
        Disabled => "disabled",
    }
);

open_enum!(
    /// The events a webhook can subscribe to.
    WebhookEvent {
        PaymentConfirmed => "payment.confirmed",
        PaymentSettled => "payment.settled",
        PaymentFailed => "payment.failed",
    }
);

/// Amounts are decimal strings; a JSON number is accepted too (some doc sets
/// show them), converted from its text so no float rounding creeps in.
pub(crate) mod amount {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Text(String),
        Number(serde_json::Number),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let text = match Wire::deserialize(deserializer)? {
            Wire::Text(text) => text,
            Wire::Number(number) => number.to_string(),
        };
        Decimal::from_str_exact(text.trim())
            .or_else(|_| Decimal::from_scientific(text.trim()))
            .map_err(|_| D::Error::custom(format!("amount {text:?} is not a decimal")))
    }

    pub fn serialize<S: Serializer>(amount: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&amount.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentLink {
    pub id: String,
    /// The checkout URL. Some of PIK's pages call it `payment_url`.
    #[serde(default, alias = "payment_url")]
    pub url: Option<String>,
    #[serde(with = "amount")]
    pub amount: Decimal,
    pub currency: String,
    #[serde(default)]
    pub description: Option<String>,
    pub status: LinkStatus,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<DateTime<Utc>>,
    /// Mentioned by PIK's guide pages, not the reference.
    #[serde(default, alias = "expiry", skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    pub id: String,
    #[serde(default)]
    pub payment_link_id: Option<String>,
    #[serde(with = "amount")]
    pub amount: Decimal,
    pub currency: String,
    pub status: TransactionStatus,
    /// The on-chain hash, present once confirmed.
    #[serde(default)]
    pub tx_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub settled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub events: Vec<WebhookEvent>,
    pub status: WebhookStatus,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

/// A webhook signing secret (`whsec_…`). PIK returns it only at creation.
#[derive(Clone)]
pub struct WebhookSecret(SecretString);

impl WebhookSecret {
    pub fn new(secret: String) -> Self {
        Self(SecretString::from(secret))
    }

    /// The raw secret, for showing it once to the person who must save it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(redacted)")
    }
}

impl<'de> Deserialize<'de> for WebhookSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::new(String::deserialize(deserializer)?))
    }
}

/// The answer to `POST /webhooks`: the webhook and, this once, its secret.
#[derive(Debug, Clone, Deserialize)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    pub secret: WebhookSecret,
}

/// One page of a list. `limit` and `offset` are absent from some responses
/// (`GET /webhooks`). `skipped` counts items that could not be decoded and
/// were left out, so one odd record never hides a whole page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub total: u64,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub skipped: usize,
}

impl<T: serde::de::DeserializeOwned> Page<T> {
    /// Decodes a list response item by item.
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        struct RawPage {
            #[serde(default)]
            data: Option<Vec<serde_json::Value>>,
            #[serde(default)]
            total: Option<u64>,
            #[serde(default)]
            limit: Option<u32>,
            #[serde(default)]
            offset: Option<u32>,
        }
        let raw: RawPage = serde_json::from_slice(body)?;
        let items = match raw.data {
            Some(items) => items,
            None => return Err(serde::de::Error::missing_field("data")),
        };
        let count = items.len();
        let mut data = Vec::with_capacity(count);
        for item in items {
            match serde_json::from_value(item) {
                Ok(value) => data.push(value),
                Err(err) => tracing::warn!("skipping an item that does not decode: {err}"),
            }
        }
        let skipped = count - data.len();
        Ok(Page {
            total: raw.total.unwrap_or((raw.offset.unwrap_or(0) as usize + count) as u64),
            data,
            limit: raw.limit,
            offset: raw.offset,
            skipped,
        })
    }
}

/// Reads a timestamp, or `None` when it is absent, null or unreadable. For
/// event bodies: an event whose time is garbled is still worth showing (PIK's
/// own example has `"created_at": "..."`).
mod lenient_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let text = Option::<serde_json::Value>::deserialize(deserializer)?;
        Ok(text
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)))
    }
}

/// The body of a webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub event: WebhookEvent,
    pub id: String,
    #[serde(default, deserialize_with = "lenient_time::deserialize")]
    pub created_at: Option<DateTime<Utc>>,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    pub transaction_id: String,
    #[serde(default)]
    pub payment_link_id: Option<String>,
    #[serde(with = "amount")]
    pub amount: Decimal,
    pub currency: String,
    pub status: TransactionStatus,
    #[serde(default, deserialize_with = "lenient_time::deserialize", skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_time::deserialize", skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<DateTime<Utc>>,
}

/// `POST /payment-links`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateLink {
    #[serde(with = "amount")]
    pub amount: Decimal,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `GET /payment-links` filters and paging.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkQuery {
    pub status: Option<LinkStatus>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// `GET /transactions` filters and paging.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactionQuery {
    pub status: Option<TransactionStatus>,
    pub payment_link_id: Option<String>,
    pub currency: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// `POST /webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateWebhook {
    pub url: String,
    pub events: Vec<WebhookEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_are_kept() {
        let status: LinkStatus = serde_json::from_str("\"cancelled\"").unwrap_or(LinkStatus::Active);
        assert_eq!(status, LinkStatus::Other("cancelled".into()));
        assert_eq!(status.as_str(), "cancelled");
        assert_eq!(serde_json::to_string(&status).ok().as_deref(), Some("\"cancelled\""));
        assert_eq!(WebhookEvent::parse("payment.settled"), WebhookEvent::PaymentSettled);
    }

    #[test]
    fn amounts_keep_their_scale_and_accept_numbers() {
        let text =
            r#"{"id":"pl_1","amount":"75.00","currency":"USDT","status":"active","created_at":"2024-01-15T10:30:00Z"}"#;
        let link: Result<PaymentLink, _> = serde_json::from_str(text);
        assert_eq!(link.map(|l| l.amount.to_string()).ok().as_deref(), Some("75.00"));
        let number = text.replace("\"75.00\"", "75.10");
        let link: Result<PaymentLink, _> = serde_json::from_str(&number);
        assert_eq!(link.map(|l| l.amount.to_string()).ok().as_deref(), Some("75.1"));
        let bad = text.replace("\"75.00\"", "\"seventy\"");
        assert!(serde_json::from_str::<PaymentLink>(&bad).is_err());
    }

    #[test]
    fn a_page_skips_bad_items_and_tolerates_missing_paging_fields() {
        let body = br#"{"data":[
            {"id":"wh_1","url":"https://a.example/h","events":["payment.settled","payment.expired"],"status":"active","created_at":"2024-01-15T10:30:00Z"},
            {"id":"wh_2"},
            {"id":"wh_3","url":"https://b.example/h","status":"paused"}
        ],"total":3}"#;
        let page = Page::<Webhook>::from_json(body);
        let Ok(page) = page else { panic!("page did not decode: {page:?}") };
        assert_eq!(page.data.len(), 2);
        assert_eq!(page.skipped, 1);
        assert_eq!(page.total, 3);
        assert_eq!((page.limit, page.offset), (None, None));
        assert_eq!(page.data[0].events[1], WebhookEvent::Other("payment.expired".into()));
        assert_eq!(page.data[1].status, WebhookStatus::Other("paused".into()));
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = WebhookSecret::new("whsec_topsecret".into());
        assert!(!format!("{secret:?}").contains("topsecret"));
    }
}
