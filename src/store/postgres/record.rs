//! The record on PostgreSQL: what agents did (`audit::Act`), in a table of
//! its own that `store clear` leaves alone, shared by the team like the
//! mirror. Triggers refuse an update, a delete or a truncation.

use crate::audit::Act;
use crate::store::rows::{from_micros, micros};
use tokio_postgres::GenericClient;

type Error = tokio_postgres::Error;

pub async fn append<C: GenericClient>(client: &C, act: &Act) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO acts (at, agent, profile, act, subject, outcome, request_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &micros(act.at),
                &act.agent,
                &act.profile,
                &act.act,
                &act.subject,
                &act.outcome,
                &act.request_id,
                &act.detail,
            ],
        )
        .await?;
    Ok(())
}

/// The acts about these subjects, oldest first.
pub async fn about<C: GenericClient>(client: &C, subjects: &[String]) -> Result<Vec<Act>, Error> {
    let rows = client
        .query(
            "SELECT at, agent, profile, act, subject, outcome, request_id, detail FROM acts \
             WHERE subject = ANY($1) ORDER BY at, id",
            &[&subjects],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| Act {
            at: from_micros(row.get(0)),
            agent: row.get(1),
            profile: row.get(2),
            act: row.get(3),
            subject: row.get(4),
            outcome: row.get(5),
            request_id: row.get(6),
            detail: row.get(7),
        })
        .collect())
}
