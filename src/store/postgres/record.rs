//! The record on PostgreSQL: what agents did (`audit::Act`), in a table of
//! its own that `store clear` leaves alone, shared by the team like the
//! mirror. Triggers refuse an update, a delete or a truncation. An act's
//! time is the database's clock, so the acts of agents whose clocks differ
//! are in the order they reached it.

use crate::audit::{Act, AuditQuery, new_uid};
use crate::cases::CaseAct;
use crate::store::rows::{from_micros, micros};
use tokio_postgres::{GenericClient, Row};

type Error = tokio_postgres::Error;

const COLUMNS: &str = "at, agent, profile, act, subject, outcome, request_id, detail, basis, uid";

/// The first key of the locks on cases.
const CASE_LOCKS: i32 = 21;

/// The database's clock, in microseconds.
pub const NOW: &str = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";

/// Appends an act at the database's time, giving it an id when it has
/// none; returns it as written.
pub async fn append<C: GenericClient>(client: &C, act: &Act) -> Result<Option<Act>, Error> {
    // None: an act with this id is there already (nothing was written).
    Ok(insert(client, act, None).await?.as_ref().map(act_from_row))
}

/// Inserts an act dated `at` (none: by the database's clock), unless one
/// with its id is there already: the row written, if it was.
async fn insert<C: GenericClient>(client: &C, act: &Act, at: Option<i64>) -> Result<Option<Row>, Error> {
    let uid = if act.uid.is_empty() { new_uid() } else { act.uid.clone() };
    client
        .query_opt(
            &format!(
                "INSERT INTO acts ({COLUMNS}) VALUES (coalesce($10::bigint, {NOW}), $1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (uid) DO NOTHING RETURNING {COLUMNS}"
            ),
            &[
                &act.agent,
                &act.profile,
                &act.act,
                &act.subject,
                &act.outcome,
                &act.request_id,
                &act.detail,
                &act.basis,
                &uid,
                &at,
            ],
        )
        .await
}

/// Appends an act on a case if the case's acts so far allow it (`decide`):
/// a lock on the case, held to the end of the transaction, orders two
/// agents acting at once, and the second is decided on the first's act.
pub async fn act_on_case(
    client: &mut deadpool_postgres::Object,
    act: &Act,
    decide: impl FnOnce(&[Act]) -> Result<(), String>,
) -> Result<Result<Act, String>, Error> {
    let tx = client.transaction().await?;
    let subject = act.subject.clone().unwrap_or_default();
    // The two-key form: a key space of its own, apart from the store's locks.
    tx.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", &[&CASE_LOCKS, &subject]).await?;
    let so_far = about(&*tx, std::slice::from_ref(&subject)).await?;
    if let Err(why) = decide(&so_far) {
        return Ok(Err(why));
    }
    let Some(act) = append(&*tx, act).await? else { return Ok(Err("this act is in the audit log already".into())) };
    // Told to the other dashboards at commit, and only then.
    let notice = serde_json::json!({ "acts": [subject] }).to_string();
    tx.execute("SELECT pg_notify($1, $2)", &[&super::CHANNEL, &notice]).await?;
    tx.commit().await?;
    Ok(Ok(act))
}

/// Adds acts read from a file, but those already here (by id): how many were added.
pub async fn import(client: &mut deadpool_postgres::Object, acts: &[Act]) -> Result<usize, Error> {
    let tx = client.transaction().await?;
    let mut added = 0;
    for act in acts {
        added += usize::from(insert(&*tx, act, Some(micros(act.at))).await?.is_some());
    }
    tx.commit().await?;
    Ok(added)
}

fn act_from_row(row: &Row) -> Act {
    Act {
        at: from_micros(row.get(0)),
        agent: row.get(1),
        profile: row.get(2),
        act: row.get(3),
        subject: row.get(4),
        outcome: row.get(5),
        request_id: row.get(6),
        detail: row.get(7),
        basis: row.get(8),
        uid: row.get(9),
    }
}

/// The acts about these subjects, oldest first.
pub async fn about<C: GenericClient>(client: &C, subjects: &[String]) -> Result<Vec<Act>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM acts WHERE subject = ANY($1) ORDER BY at, id");
    Ok(client.query(&sql, &[&subjects]).await?.iter().map(act_from_row).collect())
}

/// The acts a query asks for, oldest first.
pub async fn acts<C: GenericClient>(client: &C, query: &AuditQuery) -> Result<Vec<Act>, Error> {
    let names: Vec<&str> = CaseAct::ALL.iter().map(|act| act.name()).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM acts WHERE ($1::text IS NULL OR agent = $1) AND ($2::bigint IS NULL OR at >= $2) \
         AND ($3::bigint IS NULL OR at < $3) AND (NOT $4 OR act = ANY($5)) ORDER BY at, id"
    );
    let rows = client
        .query(&sql, &[&query.agent, &query.from.map(micros), &query.to.map(micros), &query.cases_only, &names])
        .await?;
    Ok(rows.iter().map(act_from_row).collect())
}
