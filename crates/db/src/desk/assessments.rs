//! The step-2 assessment of a case (内容整理): one row per case, replaced
//! under its version.

use crate::schema::assessments;
use crate::{DbResult, Versioned};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = assessments, check_for_backend(diesel::pg::Pg))]
pub struct Assessment {
    pub municipality_id: Uuid,
    pub proposal_id: Uuid,
    pub policy_fit_rating: i16,
    pub policy_fit_note: String,
    pub policy_areas: Vec<String>,
    pub feasibility_rating: i16,
    pub feasibility_note: String,
    pub cost_effectiveness_rating: i16,
    pub cost_effectiveness_note: String,
    pub assessed_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Assessment {
    fn id(&self) -> Uuid {
        self.proposal_id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

/// What the desk records; the city comes from the case.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = assessments)]
pub struct AssessmentValues {
    pub proposal_id: Uuid,
    pub policy_fit_rating: i16,
    pub policy_fit_note: String,
    pub policy_areas: Vec<String>,
    pub feasibility_rating: i16,
    pub feasibility_note: String,
    pub cost_effectiveness_rating: i16,
    pub cost_effectiveness_note: String,
    pub assessed_by: Uuid,
}

pub async fn find(conn: &mut AsyncPgConnection, proposal_id: Uuid) -> DbResult<Option<Assessment>> {
    Ok(assessments::table
        .filter(assessments::proposal_id.eq(proposal_id))
        .select(Assessment::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
) -> DbResult<Option<Assessment>> {
    Ok(assessments::table
        .filter(assessments::proposal_id.eq(proposal_id))
        .select(Assessment::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// The first assessment; `None` when another request recorded one first.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    values: &AssessmentValues,
) -> DbResult<Option<Assessment>> {
    Ok(diesel::insert_into(assessments::table)
        .values(values)
        .on_conflict_do_nothing()
        .returning(Assessment::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Replaces the assessment and increments its version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    values: &AssessmentValues,
) -> DbResult<Assessment> {
    Ok(
        diesel::update(assessments::table.filter(assessments::proposal_id.eq(values.proposal_id)))
            .set((values, assessments::version.eq(assessments::version + 1)))
            .returning(Assessment::as_returning())
            .get_result(conn)
            .await?,
    )
}
