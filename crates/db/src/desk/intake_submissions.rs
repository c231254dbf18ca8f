//! Submissions of the public intake form, waiting for their contact's code
//! (`intake_submissions`, row-level security by city).

use crate::codes::DbText;
use crate::schema::intake_submissions;
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::intake::SubmissionStatus;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = intake_submissions, check_for_backend(diesel::pg::Pg))]
pub struct IntakeSubmission {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub token_hash: Vec<u8>,
    pub code_hash: Vec<u8>,
    pub failed_attempts: i32,
    #[diesel(deserialize_as = DbText<SubmissionStatus>)]
    pub status: SubmissionStatus,
    pub email: String,
    pub form: Value,
    pub corporate_number: Option<String>,
    pub terms_version: String,
    pub terms_acknowledged_at: DateTime<Utc>,
    pub declarations: Value,
    pub client_addr: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub proposal_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub contact_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = intake_submissions)]
pub struct NewIntakeSubmission {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub token_hash: Vec<u8>,
    pub code_hash: Vec<u8>,
    pub email: String,
    pub form: Value,
    pub corporate_number: Option<String>,
    pub terms_version: String,
    pub terms_acknowledged_at: DateTime<Utc>,
    pub declarations: Value,
    pub client_addr: Option<String>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewIntakeSubmission,
) -> DbResult<IntakeSubmission> {
    Ok(diesel::insert_into(intake_submissions::table)
        .values(new.clone())
        .returning(IntakeSubmission::as_returning())
        .get_result(conn)
        .await?)
}

/// The submission `id` whose token hashes to `token_hash`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    token_hash: &[u8],
) -> DbResult<Option<IntakeSubmission>> {
    Ok(intake_submissions::table
        .find(id)
        .filter(intake_submissions::token_hash.eq(token_hash))
        .select(IntakeSubmission::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The submission `id` whose token hashes to `token_hash`, locked.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    token_hash: &[u8],
) -> DbResult<Option<IntakeSubmission>> {
    Ok(intake_submissions::table
        .find(id)
        .filter(intake_submissions::token_hash.eq(token_hash))
        .select(IntakeSubmission::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Counts a wrong code; at `void_after` wrong codes the submission is void.
pub async fn record_wrong_code(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    void_after: i32,
) -> DbResult<IntakeSubmission> {
    use diesel::dsl::sql;
    use diesel::sql_types::Text;
    Ok(diesel::update(intake_submissions::table.find(id))
        .set((
            intake_submissions::failed_attempts.eq(intake_submissions::failed_attempts + 1),
            intake_submissions::status.eq(sql::<Text>(&format!(
                "CASE WHEN failed_attempts + 1 >= {void_after} THEN 'void' ELSE status END"
            ))),
        ))
        .returning(IntakeSubmission::as_returning())
        .get_result(conn)
        .await?)
}

/// What a confirmation registered.
pub struct Confirmation {
    pub proposal_id: Uuid,
    pub organization_id: Uuid,
    pub contact_user_id: Option<Uuid>,
}

pub async fn mark_confirmed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    confirmation: &Confirmation,
) -> DbResult<IntakeSubmission> {
    Ok(diesel::update(intake_submissions::table.find(id))
        .set((
            intake_submissions::status.eq(DbText(SubmissionStatus::Confirmed)),
            intake_submissions::confirmed_at.eq(diesel::dsl::now),
            intake_submissions::proposal_id.eq(confirmation.proposal_id),
            intake_submissions::organization_id.eq(confirmation.organization_id),
            intake_submissions::contact_user_id.eq(confirmation.contact_user_id),
        ))
        .returning(IntakeSubmission::as_returning())
        .get_result(conn)
        .await?)
}

/// The confirmed submission that registered case `proposal_id`, locked.
pub async fn find_by_proposal_for_update(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
) -> DbResult<Option<IntakeSubmission>> {
    Ok(intake_submissions::table
        .filter(intake_submissions::proposal_id.eq(proposal_id))
        .select(IntakeSubmission::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}
