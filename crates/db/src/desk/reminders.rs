//! Due dates that passed without the hearing answered or the decision made
//! (issue 18): found and locked (`FOR UPDATE SKIP LOCKED`, so several
//! instances never remind twice), then marked with the due date reminded
//! for, in the transaction that queues the mails. A new due date re-arms
//! the reminder: the mark no longer equals it.

use crate::DbResult;
use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Nullable, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// A due date to remind of: a hearing's answer or a case's decision.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct Overdue {
    /// The hearing; `None` for a decision.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub hearing_id: Option<Uuid>,
    #[diesel(sql_type = SqlUuid)]
    pub proposal_id: Uuid,
    /// The department asked (a hearing) or the lead department (a decision; none yet: `None`).
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub department_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub coordinator_id: Option<Uuid>,
    #[diesel(sql_type = Date)]
    pub due_on: NaiveDate,
}

/// Requested hearings of open cases whose answer was due before `today`
/// (Japan) and not reminded of for that date; locked, at most `limit`.
pub async fn overdue_hearings(
    conn: &mut AsyncPgConnection,
    today: NaiveDate,
    limit: i64,
) -> DbResult<Vec<Overdue>> {
    Ok(diesel::sql_query(
        "SELECT h.id AS hearing_id, h.proposal_id, h.department_id, m.coordinator_id,
                h.answer_due_on AS due_on
         FROM hearings h JOIN proposals p ON p.id = h.proposal_id
           LEFT JOIN case_management m ON m.proposal_id = h.proposal_id
         WHERE h.status = 'requested' AND h.answer_due_on < $1
           AND h.reminded_for IS DISTINCT FROM h.answer_due_on
           AND p.closed_at IS NULL
         ORDER BY h.id LIMIT $2
         FOR UPDATE OF h SKIP LOCKED",
    )
    .bind::<Date, _>(today)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// Open cases whose decision was due before `today` (Japan) and not
/// reminded of for that date; locked, at most `limit`.
pub async fn overdue_decisions(
    conn: &mut AsyncPgConnection,
    today: NaiveDate,
    limit: i64,
) -> DbResult<Vec<Overdue>> {
    Ok(diesel::sql_query(
        "SELECT NULL::uuid AS hearing_id, p.id AS proposal_id,
                p.lead_department_id AS department_id, m.coordinator_id,
                m.decision_due_on AS due_on
         FROM case_management m JOIN proposals p ON p.id = m.proposal_id
         WHERE m.decision_due_on < $1
           AND m.decision_reminded_for IS DISTINCT FROM m.decision_due_on
           AND p.closed_at IS NULL
         ORDER BY p.id LIMIT $2
         FOR UPDATE OF m SKIP LOCKED",
    )
    .bind::<Date, _>(today)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// Marks the reminder of `overdue` sent (in the caller's transaction).
pub async fn mark_reminded(conn: &mut AsyncPgConnection, overdue: &Overdue) -> DbResult<()> {
    let query = match overdue.hearing_id {
        Some(hearing) => diesel::sql_query("UPDATE hearings SET reminded_for = $2 WHERE id = $1")
            .bind::<SqlUuid, _>(hearing),
        None => diesel::sql_query(
            "UPDATE case_management SET decision_reminded_for = $2 WHERE proposal_id = $1",
        )
        .bind::<SqlUuid, _>(overdue.proposal_id),
    };
    query.bind::<Date, _>(overdue.due_on).execute(conn).await?;
    Ok(())
}
