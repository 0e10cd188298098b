//! Exports for reconciliation: links and transactions as CSV (RFC 4180,
//! through the `csv` crate) or JSON Lines, from the mirror or straight
//! from the API. Amounts are exactly as PIK gave them, times are ISO 8601
//! in UTC, and every CSV cell is made safe to open in a spreadsheet
//! ([`crate::sanitize::for_spreadsheet`]). Files are never overwritten
//! unless asked, and a half-written file never takes the name (see
//! [`file`]). Knows nothing of the screen.

pub mod file;
mod run;

pub use file::Destination;
pub use run::{ExportError, from_api, from_store};

use crate::api::{PaymentLink, Transaction};
use crate::sanitize::{for_spreadsheet, json_for_terminal};
use crate::store::{Kinds, SearchHit};
use chrono::{DateTime, SecondsFormat, Utc};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "jsonl" | "json-lines" | "ndjson" => Ok(Format::Jsonl),
            other => Err(format!("unknown format {other:?}: use csv or jsonl")),
        }
    }
}

/// The columns of an export: one layout per kind, and one for a search of
/// both (a `kind` column, then every field of either).
pub fn columns(kinds: Kinds) -> &'static [&'static str] {
    match kinds {
        Kinds::Links => {
            &["id", "created_at", "status", "amount", "currency", "description", "url", "paid_at", "expires_at"]
        }
        Kinds::Transactions => &[
            "id",
            "created_at",
            "status",
            "amount",
            "currency",
            "payment_link_id",
            "tx_hash",
            "confirmed_at",
            "settled_at",
        ],
        Kinds::Both => &[
            "kind",
            "id",
            "created_at",
            "status",
            "amount",
            "currency",
            "payment_link_id",
            "description",
            "url",
            "tx_hash",
            "confirmed_at",
            "settled_at",
            "paid_at",
            "expires_at",
        ],
    }
}

/// ISO 8601 in UTC: `2026-11-21T14:03:00Z`.
pub fn iso(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn maybe(time: &Option<DateTime<Utc>>) -> String {
    time.as_ref().map(iso).unwrap_or_default()
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn link_fields(link: &PaymentLink) -> [(&'static str, String); 9] {
    [
        ("id", link.id.clone()),
        ("created_at", iso(&link.created_at)),
        ("status", link.status.as_str().to_string()),
        ("amount", link.amount.to_string()),
        ("currency", link.currency.clone()),
        ("description", text(&link.description)),
        ("url", text(&link.url)),
        ("paid_at", maybe(&link.paid_at)),
        ("expires_at", maybe(&link.expires_at)),
    ]
}

fn transaction_fields(txn: &Transaction) -> [(&'static str, String); 9] {
    [
        ("id", txn.id.clone()),
        ("created_at", iso(&txn.created_at)),
        ("status", txn.status.as_str().to_string()),
        ("amount", txn.amount.to_string()),
        ("currency", txn.currency.clone()),
        ("payment_link_id", text(&txn.payment_link_id)),
        ("tx_hash", text(&txn.tx_hash)),
        ("confirmed_at", maybe(&txn.confirmed_at)),
        ("settled_at", maybe(&txn.settled_at)),
    ]
}

/// A row's values in the layout's column order (empty where it has none).
pub fn values(hit: &SearchHit, kinds: Kinds) -> Vec<String> {
    let (kind, fields): (&str, [(&str, String); 9]) = match hit {
        SearchHit::Link(link) => ("link", link_fields(link)),
        SearchHit::Transaction(txn) => ("transaction", transaction_fields(txn)),
    };
    columns(kinds)
        .iter()
        .map(|column| match *column {
            "kind" => kind.to_string(),
            name => fields.iter().find(|(field, _)| *field == name).map(|(_, v)| v.clone()).unwrap_or_default(),
        })
        .collect()
}

/// Writes rows in one format to any output.
pub struct RowWriter<W: Write> {
    kinds: Kinds,
    out: Output<W>,
}

enum Output<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(std::io::BufWriter<W>),
}

impl<W: Write> RowWriter<W> {
    /// Starts an export: a CSV file begins with its header line.
    pub fn new(format: Format, kinds: Kinds, out: W) -> std::io::Result<Self> {
        let out = match format {
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
                writer.write_record(columns(kinds)).map_err(std::io::Error::other)?;
                Output::Csv(Box::new(writer))
            }
            Format::Jsonl => Output::Jsonl(std::io::BufWriter::with_capacity(1 << 16, out)),
        };
        Ok(RowWriter { kinds, out })
    }

    pub fn write(&mut self, hit: &SearchHit) -> std::io::Result<()> {
        let values = values(hit, self.kinds);
        match &mut self.out {
            Output::Csv(writer) => writer
                .write_record(values.iter().map(|v| for_spreadsheet(v).into_owned()))
                .map_err(std::io::Error::other),
            Output::Jsonl(writer) => {
                let object: serde_json::Map<String, serde_json::Value> = columns(self.kinds)
                    .iter()
                    .zip(values)
                    .map(|(name, value)| {
                        // What PIK did not give is null, not "".
                        let value =
                            if value.is_empty() { serde_json::Value::Null } else { serde_json::Value::String(value) };
                        ((*name).to_string(), value)
                    })
                    .collect();
                let line = serde_json::Value::Object(object).to_string();
                // Safe to `cat` as well: C1, bidi and zero-width escaped.
                writer.write_all(json_for_terminal(&line).as_bytes())?;
                writer.write_all(b"\n")
            }
        }
    }

    /// Flushes everything, and hands the output back.
    pub fn finish(self) -> std::io::Result<W> {
        match self.out {
            Output::Csv(writer) => writer.into_inner().map_err(|e| std::io::Error::other(e.to_string())),
            Output::Jsonl(writer) => writer.into_inner().map_err(|e| std::io::Error::other(e.to_string())),
        }
    }
}
