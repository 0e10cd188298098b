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

use crate::sanitize::{for_spreadsheet, json_for_terminal};
use crate::store::export::{LinkRow, RawRow, RowSink, TransactionRow};
use crate::store::{Kinds, SearchHit};
use chrono::{DateTime, SecondsFormat, Utc};
use std::borrow::Cow;
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

/// What an export writes, in words, for the audit log: "links by filters as CSV".
pub fn export_words(selection: &crate::store::Selection, format: Format) -> String {
    format!("{} as {}", selection.words(), format.extension().to_uppercase())
}

/// An export done, in words: "12 rows, links by filters as CSV, to /tmp/x.csv".
pub fn exported_words(rows: u64, selection: &crate::store::Selection, format: Format, to: &str) -> String {
    format!("{rows} rows, {}, to {to}", export_words(selection, format))
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
            "link_description",
            "link_amount",
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
            "link_description",
            "link_amount",
        ],
    }
}

/// ISO 8601 in UTC: `2026-11-21T14:03:00Z` (with the fraction of a second
/// when there is one, as chrono's `AutoSi` writes it). Written by hand: an
/// export formats millions of these.
pub fn iso(time: &DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write as _;
    let year = time.year();
    if !(0..=9999).contains(&year) {
        return time.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    }
    let mut out = String::with_capacity(30);
    let _ = write!(
        out,
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    );
    let nanos = time.nanosecond() % 1_000_000_000;
    if nanos != 0 {
        let _ = match (nanos % 1_000_000, nanos % 1_000) {
            (0, _) => write!(out, ".{:03}", nanos / 1_000_000),
            (_, 0) => write!(out, ".{:06}", nanos / 1_000),
            _ => write!(out, ".{nanos:09}"),
        };
    }
    out.push('Z');
    out
}

/// A stored time (microseconds since the epoch) in ISO 8601.
fn iso_micros(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros).map(|t| iso(&t)).unwrap_or_default()
}

fn time(micros: Option<i64>) -> Cow<'static, str> {
    micros.map(|m| Cow::Owned(iso_micros(m))).unwrap_or(Cow::Borrowed(""))
}

fn text(value: Option<&str>) -> Cow<'_, str> {
    Cow::Borrowed(value.unwrap_or(""))
}

/// A row's cells in the layout's column order (empty where it has none).
fn cells<'a>(row: &RawRow<'a>, kinds: Kinds) -> Vec<Cow<'a, str>> {
    let none = || Cow::Borrowed("");
    match (row, kinds) {
        (RawRow::Link(l), Kinds::Links) => vec![
            Cow::Borrowed(l.id),
            Cow::Owned(iso_micros(l.created_at)),
            Cow::Borrowed(l.status),
            Cow::Borrowed(l.amount),
            Cow::Borrowed(l.currency),
            text(l.description),
            text(l.url),
            time(l.paid_at),
            time(l.expires_at),
        ],
        (RawRow::Transaction(t), Kinds::Transactions) => vec![
            Cow::Borrowed(t.id),
            Cow::Owned(iso_micros(t.created_at)),
            Cow::Borrowed(t.status),
            Cow::Borrowed(t.amount),
            Cow::Borrowed(t.currency),
            text(t.payment_link_id),
            text(t.tx_hash),
            time(t.confirmed_at),
            time(t.settled_at),
            text(t.link_description),
            text(t.link_amount),
        ],
        // A search of both: every field of either, `kind` first.
        (RawRow::Link(l), _) => vec![
            Cow::Borrowed("link"),
            Cow::Borrowed(l.id),
            Cow::Owned(iso_micros(l.created_at)),
            Cow::Borrowed(l.status),
            Cow::Borrowed(l.amount),
            Cow::Borrowed(l.currency),
            none(),
            text(l.description),
            text(l.url),
            none(),
            none(),
            none(),
            time(l.paid_at),
            time(l.expires_at),
            none(),
            none(),
        ],
        (RawRow::Transaction(t), _) => vec![
            Cow::Borrowed("transaction"),
            Cow::Borrowed(t.id),
            Cow::Owned(iso_micros(t.created_at)),
            Cow::Borrowed(t.status),
            Cow::Borrowed(t.amount),
            Cow::Borrowed(t.currency),
            text(t.payment_link_id),
            none(),
            none(),
            text(t.tx_hash),
            time(t.confirmed_at),
            time(t.settled_at),
            none(),
            none(),
            text(t.link_description),
            text(t.link_amount),
        ],
    }
}

/// A payment's link as an export shows it: its description and amount.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkCells {
    pub description: Option<String>,
    pub amount: Option<String>,
}

impl LinkCells {
    pub fn of(link: &crate::api::PaymentLink) -> LinkCells {
        LinkCells { description: link.description.clone(), amount: Some(link.amount.to_string()) }
    }
}

/// Calls `f` with a row as the store would give it (what the API gave,
/// for an export from the API; the tests' expectations), with a payment's
/// link where it is known.
pub fn with_raw<R>(hit: &SearchHit, link: Option<&LinkCells>, f: impl FnOnce(&RawRow<'_>) -> R) -> R {
    let micros = |t: &DateTime<Utc>| t.timestamp_micros();
    match hit {
        SearchHit::Link(l) => {
            let amount = l.amount.to_string();
            f(&RawRow::Link(LinkRow {
                id: &l.id,
                created_at: micros(&l.created_at),
                status: l.status.as_str(),
                currency: &l.currency,
                amount: &amount,
                description: l.description.as_deref(),
                url: l.url.as_deref(),
                paid_at: l.paid_at.as_ref().map(micros),
                expires_at: l.expires_at.as_ref().map(micros),
            }))
        }
        SearchHit::Transaction(t) => {
            let amount = t.amount.to_string();
            f(&RawRow::Transaction(TransactionRow {
                id: &t.id,
                created_at: micros(&t.created_at),
                status: t.status.as_str(),
                currency: &t.currency,
                amount: &amount,
                payment_link_id: t.payment_link_id.as_deref(),
                tx_hash: t.tx_hash.as_deref(),
                confirmed_at: t.confirmed_at.as_ref().map(micros),
                settled_at: t.settled_at.as_ref().map(micros),
                link_description: link.and_then(|l| l.description.as_deref()),
                link_amount: link.and_then(|l| l.amount.as_deref()),
            }))
        }
    }
}

/// A row's values in the layout's column order (empty where it has none).
pub fn values(hit: &SearchHit, link: Option<&LinkCells>, kinds: Kinds) -> Vec<String> {
    with_raw(hit, link, |row| cells(row, kinds).into_iter().map(Cow::into_owned).collect())
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

    /// Flushes everything, and hands the output back.
    pub fn finish(self) -> std::io::Result<W> {
        match self.out {
            Output::Csv(writer) => writer.into_inner().map_err(|e| std::io::Error::other(e.to_string())),
            Output::Jsonl(writer) => writer.into_inner().map_err(|e| std::io::Error::other(e.to_string())),
        }
    }
}

impl<W: Write + Send> RowWriter<W> {
    /// Writes a row given as structs (from the API), with its link's cells.
    pub fn write(&mut self, hit: &SearchHit, link: Option<&LinkCells>) -> std::io::Result<()> {
        with_raw(hit, link, |row| self.row(row))
    }
}

impl<W: Write + Send> RowSink for RowWriter<W> {
    fn row(&mut self, row: &RawRow<'_>) -> std::io::Result<()> {
        let values = cells(row, self.kinds);
        match &mut self.out {
            Output::Csv(writer) => {
                for value in &values {
                    writer.write_field(for_spreadsheet(value).as_bytes()).map_err(std::io::Error::other)?;
                }
                writer.write_record(None::<&[u8]>).map_err(std::io::Error::other)
            }
            Output::Jsonl(writer) => {
                let object: serde_json::Map<String, serde_json::Value> = columns(self.kinds)
                    .iter()
                    .zip(values)
                    .map(|(name, value)| {
                        // What PIK did not give is null, not "".
                        let value = if value.is_empty() {
                            serde_json::Value::Null
                        } else {
                            serde_json::Value::String(value.into_owned())
                        };
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_written_as_chrono_writes_them() {
        let base = Utc.with_ymd_and_hms(2026, 11, 21, 14, 3, 0).single().unwrap_or_default();
        for nanos in [0, 5_000_000, 123_456_000, 1, 999_999_999] {
            let time = base + chrono::Duration::nanoseconds(nanos);
            assert_eq!(iso(&time), time.to_rfc3339_opts(SecondsFormat::AutoSi, true), "{nanos}");
        }
        assert_eq!(iso(&base), "2026-11-21T14:03:00Z");
    }
}
