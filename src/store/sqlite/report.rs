//! Reconciliation reports on SQLite (the plan: `store/report.rs`).

use super::super::report::{ReportLine, ReportLines, ReportPlan, ReportQuery};
use rusqlite::{Connection, params};
use rust_decimal::Decimal;

fn decimal(text: &str) -> rusqlite::Result<Decimal> {
    Decimal::from_str_exact(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// The report on SQLite.
pub fn report(conn: &Connection, query: &ReportQuery) -> rusqlite::Result<Vec<ReportLine>> {
    let plan = ReportPlan::new(query);
    let mut lines = ReportLines::new(query.by_day.clone());
    if let Some((first, last)) = plan.whole_slots {
        let mut rows = conn.prepare_cached(
            "SELECT slot, currency, status, count, amount FROM rollup_transactions WHERE slot BETWEEN ?1 AND ?2",
        )?;
        let mut found = rows.query(params![first, last])?;
        while let Some(row) = found.next()? {
            let (count, amount): (i64, String) = (row.get(3)?, row.get(4)?);
            lines.slot(row.get(0)?, row.get(1)?, row.get(2)?, count, decimal(&amount)?);
        }
    }
    for edge in plan.edges() {
        let sql = plan.rows_sql('?');
        let mut rows = conn.prepare_cached(&sql)?;
        let mut found = rows.query(params![edge.key_low, edge.key_high, edge.low, edge.high])?;
        while let Some(row) = found.next()? {
            let amount: String = row.get(3)?;
            lines.row(row.get(0)?, row.get(1)?, row.get(2)?, decimal(&amount)?);
        }
    }
    Ok(lines.finish())
}
