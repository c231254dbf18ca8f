//! Matches of a case with departments (step 4, マッチング・調整).

use crate::codes::{DbText, DbTextArray};
use crate::schema::{matches, proposals};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::coordination::{MatchRole, MatchStatus};
use living_gate_domain::desk::proposal::Theme;
use living_gate_domain::desk::suggestions;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = matches, check_for_backend(diesel::pg::Pg))]
pub struct Match {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub department_id: Uuid,
    #[diesel(deserialize_as = DbText<MatchRole>)]
    pub role: MatchRole,
    #[diesel(deserialize_as = DbText<MatchStatus>)]
    pub status: MatchStatus,
    pub note: String,
    pub reason: Option<String>,
    pub proposed_by: Uuid,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = matches)]
pub struct NewMatch {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub department_id: Uuid,
    #[diesel(serialize_as = DbText<MatchRole>)]
    pub role: MatchRole,
    pub note: String,
    pub proposed_by: Uuid,
}

/// The department's answer.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = matches)]
pub struct MatchDecision {
    #[diesel(serialize_as = DbText<MatchStatus>)]
    pub status: Option<MatchStatus>,
    pub reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
}

crate::crud::versioned_crud!(matches, Match, NewMatch, MatchDecision);

/// The matches of a case; for a department only its own.
pub async fn of_proposal(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    department: Option<Uuid>,
) -> DbResult<Vec<Match>> {
    let mut query = matches::table
        .filter(matches::proposal_id.eq(proposal_id))
        .select(Match::as_select())
        .order(matches::id)
        .into_boxed();
    if let Some(department) = department {
        query = query.filter(matches::department_id.eq(department));
    }
    Ok(query.load(conn).await?)
}

/// Records the lead department on the case (what the decision rule reads).
pub async fn set_lead_department(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    department_id: Uuid,
) -> DbResult<()> {
    diesel::update(proposals::table.find(proposal_id))
        .set((
            proposals::lead_department_id.eq(department_id),
            proposals::version.eq(proposals::version + 1),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A department's involvement in a past case, for match suggestions.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct Involvement {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub department_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub reference: String,
    #[diesel(
        sql_type = diesel::sql_types::Array<diesel::sql_types::Text>,
        deserialize_as = DbTextArray<Theme>
    )]
    pub themes: Vec<Theme>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Int2>)]
    pub sdg_goals: Vec<i16>,
    /// `hearing` (interested), `match` (accepted) or `adoption` (led).
    #[diesel(sql_type = diesel::sql_types::Text, deserialize_as = DbText<suggestions::Involvement>)]
    pub kind: suggestions::Involvement,
}

/// Every active department's involvements in the cases of the case's own
/// city other than `proposal_id` (another city's cases and departments are
/// none of its desk's business).
pub async fn history(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    proposal_id: Uuid,
) -> DbResult<Vec<Involvement>> {
    Ok(diesel::sql_query(
        "SELECT x.department_id, p.reference, p.themes, p.sdg_goals, x.kind
         FROM (SELECT h.department_id, h.proposal_id, 'hearing' AS kind FROM hearings h WHERE h.interest = 'interested'
               UNION ALL SELECT m.department_id, m.proposal_id, 'match' FROM matches m WHERE m.status = 'accepted'
               UNION ALL SELECT a.lead_department_id, a.id, 'adoption' FROM proposals a
                         WHERE a.status = 'adopted' AND a.lead_department_id IS NOT NULL) x
         JOIN proposals p ON p.id = x.proposal_id
         JOIN departments d ON d.id = x.department_id
         WHERE x.proposal_id <> $1 AND d.status = 'active' AND p.municipality_id = $2
           AND d.municipality_id = $2",
    )
    .bind::<diesel::sql_types::Uuid, _>(proposal_id)
    .bind::<diesel::sql_types::Uuid, _>(municipality_id)
    .load(conn)
    .await?)
}
