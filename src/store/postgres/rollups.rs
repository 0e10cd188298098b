//! The running totals on PostgreSQL: a batch's changes (gathered by the
//! same [`Deltas`] as on SQLite) added in one statement a table, the sums
//! exact `numeric`.

use super::super::rollups::Deltas;
use tokio_postgres::Transaction as Tx;

type Error = tokio_postgres::Error;

/// Adds the batch's totals to the stored ones (sums are exact `numeric`).
pub async fn apply(tx: &Tx<'_>, deltas: Deltas) -> Result<(), Error> {
    let (transactions, settled, links, lists) = deltas.into_parts();
    if !transactions.is_empty() {
        let mut slots: Vec<i64> = Vec::new();
        let mut currencies: Vec<String> = Vec::new();
        let mut statuses: Vec<String> = Vec::new();
        let mut counts: Vec<i64> = Vec::new();
        let mut amounts: Vec<String> = Vec::new();
        for ((slot, currency, status), (count, amount)) in transactions {
            slots.push(slot);
            currencies.push(currency);
            statuses.push(status);
            counts.push(count);
            amounts.push(amount.to_string());
        }
        tx.execute(
            "INSERT INTO rollup_transactions (slot, currency, status, count, amount) \
             SELECT s, c, st, n, a::numeric FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[]) \
             AS r(s, c, st, n, a) ON CONFLICT (slot, currency, status) DO UPDATE SET \
             count = rollup_transactions.count + EXCLUDED.count, amount = rollup_transactions.amount + EXCLUDED.amount",
            &[&slots, &currencies, &statuses, &counts, &amounts],
        )
        .await?;
    }
    if !settled.is_empty() {
        let mut columns: (Vec<i64>, Vec<String>, Vec<i64>, Vec<String>) = Default::default();
        for ((slot, currency), (count, amount)) in settled {
            columns.0.push(slot);
            columns.1.push(currency);
            columns.2.push(count);
            columns.3.push(amount.to_string());
        }
        tx.execute(
            "INSERT INTO rollup_settled (slot, currency, count, amount) \
             SELECT s, c, n, a::numeric FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[]) AS r(s, c, n, a) \
             ON CONFLICT (slot, currency) DO UPDATE SET count = rollup_settled.count + EXCLUDED.count, \
             amount = rollup_settled.amount + EXCLUDED.amount",
            &[&columns.0, &columns.1, &columns.2, &columns.3],
        )
        .await?;
    }
    if !links.is_empty() {
        let mut columns: (Vec<i64>, Vec<String>, Vec<i64>, Vec<i64>) = Default::default();
        for ((slot, currency), (created, paid)) in links {
            columns.0.push(slot);
            columns.1.push(currency);
            columns.2.push(created);
            columns.3.push(paid);
        }
        tx.execute(
            "INSERT INTO rollup_links (slot, currency, created, paid) \
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[]) \
             ON CONFLICT (slot, currency) DO UPDATE SET created = rollup_links.created + EXCLUDED.created, \
             paid = rollup_links.paid + EXCLUDED.paid",
            &[&columns.0, &columns.1, &columns.2, &columns.3],
        )
        .await?;
    }
    let mut columns: (Vec<&str>, Vec<String>, Vec<String>, Vec<i64>) = Default::default();
    for ((list, status, currency), count) in lists.into_iter().filter(|(_, count)| *count != 0) {
        columns.0.push(list);
        columns.1.push(status);
        columns.2.push(currency);
        columns.3.push(count);
    }
    if !columns.0.is_empty() {
        tx.execute(
            "INSERT INTO list_totals (list, status, currency, count) \
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) \
             ON CONFLICT (list, status, currency) DO UPDATE SET count = list_totals.count + EXCLUDED.count",
            &[&columns.0, &columns.1, &columns.2, &columns.3],
        )
        .await?;
    }
    Ok(())
}
