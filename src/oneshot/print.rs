//! Printing for people and for machines: tables, fields, local times, QR
//! codes, JSON. Cells must be sanitized before they get here; JSON is made
//! safe here (C1, bidi and zero-width characters escaped).

use crate::qr::QrGrid;
use crate::sanitize::json_for_terminal;
use crate::zone::Zone;
use chrono::{DateTime, Utc};
use std::io::{IsTerminal, Write};
use unicode_width::UnicodeWidthStr;

pub fn print_json(value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    println!("{}", json_for_terminal(&text));
}

/// "2026-10-18 10:21:37 EDT": in the agent's zone, with the offset in force then.
pub fn local_time(zone: &Zone, time: &DateTime<Utc>) -> String {
    zone.stamp(*time)
}

pub fn optional_time(zone: &Zone, time: &Option<DateTime<Utc>>) -> String {
    time.as_ref().map(|t| local_time(zone, t)).unwrap_or_else(|| "—".to_string())
}

/// A table's time column, named with its zone: "CREATED (Europe/Berlin)".
pub fn time_header(zone: &Zone, name: &str) -> String {
    format!("{name} ({})", crate::sanitize::for_terminal_truncated(zone.name(), 40))
}

/// A plain text table; cells must already be sanitized. Columns listed in
/// `right` are right-aligned (amounts).
pub fn print_table(headers: &[&str], rows: &[Vec<String>], right: &[usize]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = " ".repeat(widths[i].saturating_sub(cell.width()));
                if right.contains(&i) { format!("{pad}{cell}") } else { format!("{cell}{pad}") }
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", line(headers.to_vec()));
    for row in rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

pub fn print_fields(fields: &[(&str, String)]) {
    let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, value) in fields {
        println!("{name:<width$}  {value}");
    }
}

pub fn paging_footer(shown: usize, offset: u32, total: u64, skipped: usize) {
    if shown == 0 {
        println!("(none; {total} in all)");
    } else {
        let first = u64::from(offset) + 1;
        let last = u64::from(offset) + shown as u64;
        let more = if last < total { format!(" (--offset {last} for more)") } else { String::new() };
        println!("{first}–{last} of {total}{more}");
    }
    if skipped > 0 {
        eprintln!("warning: {skipped} item(s) in the answer could not be read and were left out");
    }
}

/// The QR code as printed: white on black when colours are allowed (right on
/// any terminal theme), plain blocks otherwise (right on dark themes).
pub fn print_qr(url: &str) {
    match QrGrid::encode(url) {
        Ok(grid) => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            for line in grid.half_block_lines() {
                if colour {
                    println!("\x1b[97;40m{line}\x1b[0m");
                } else {
                    println!("{line}");
                }
            }
        }
        Err(err) => eprintln!("warning: {err}"),
    }
}
