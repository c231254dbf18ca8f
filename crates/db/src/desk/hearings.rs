//! Hearings with departments (step 3, 関係課ヒアリング).

use crate::codes::{DbNullableText, DbText};
use crate::schema::hearings;
use crate::DbResult;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::coordination::{HearingStatus, Interest};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = hearings, check_for_backend(diesel::pg::Pg))]
pub struct Hearing {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub department_id: Uuid,
    pub requested_by: Uuid,
    pub proposed_dates: Vec<NaiveDate>,
    pub agenda: String,
    #[diesel(deserialize_as = DbText<HearingStatus>)]
    pub status: HearingStatus,
    pub held_on: Option<NaiveDate>,
    pub participants: Vec<String>,
    #[diesel(deserialize_as = DbNullableText<Interest>)]
    pub interest: Option<Interest>,
    pub notes: String,
    pub answered_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The department's answer is due on this day (Japan).
    pub answer_due_on: Option<NaiveDate>,
    /// The due date a reminder was sent for (internal bookkeeping).
    #[serde(skip)]
    pub reminded_for: Option<NaiveDate>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = hearings)]
pub struct NewHearing {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub department_id: Uuid,
    pub requested_by: Uuid,
    pub proposed_dates: Vec<NaiveDate>,
    pub agenda: String,
    pub answer_due_on: Option<NaiveDate>,
}

/// The department's answer.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = hearings)]
pub struct HearingAnswer {
    #[diesel(serialize_as = DbText<HearingStatus>)]
    pub status: Option<HearingStatus>,
    pub held_on: Option<Option<NaiveDate>>,
    pub participants: Option<Vec<String>>,
    #[diesel(serialize_as = DbText<Interest>)]
    pub interest: Option<Interest>,
    pub notes: Option<String>,
    pub answered_by: Option<Uuid>,
}

crate::crud::versioned_crud!(hearings, Hearing, NewHearing, HearingAnswer);

/// Sets (or clears) the answer's due date and bumps the version.
pub async fn set_answer_due(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    due_on: Option<NaiveDate>,
) -> DbResult<Hearing> {
    Ok(diesel::update(hearings::table.find(id))
        .set((
            hearings::answer_due_on.eq(due_on),
            hearings::version.eq(hearings::version + 1),
        ))
        .returning(Hearing::as_returning())
        .get_result(conn)
        .await?)
}

/// A department's hearings on the cases of its city, newest first, at
/// most `limit`, each with its case's reference and title (its calendar).
pub async fn of_department(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    department_id: Uuid,
    limit: i64,
) -> DbResult<Vec<(Hearing, String, String)>> {
    use crate::schema::proposals;
    Ok(hearings::table
        .inner_join(proposals::table)
        .filter(hearings::department_id.eq(department_id))
        .filter(hearings::municipality_id.eq(municipality_id))
        .select((Hearing::as_select(), proposals::reference, proposals::title))
        .order(hearings::id.desc())
        .limit(limit)
        .load(conn)
        .await?)
}

/// The hearings of a case; for a department only its own.
pub async fn of_proposal(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    department: Option<Uuid>,
) -> DbResult<Vec<Hearing>> {
    let mut query = hearings::table
        .filter(hearings::proposal_id.eq(proposal_id))
        .select(Hearing::as_select())
        .order(hearings::id)
        .into_boxed();
    if let Some(department) = department {
        query = query.filter(hearings::department_id.eq(department));
    }
    Ok(query.load(conn).await?)
}
