//! Model cases (モデル事例): TRIPs marked with their lessons, one row per
//! TRIP, revised under its version.

use crate::schema::{proposals, trip_model_cases, trips};
use crate::{DbResult, Page, Versioned};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = trip_model_cases, check_for_backend(diesel::pg::Pg))]
pub struct ModelCase {
    pub municipality_id: Uuid,
    pub trip_id: Uuid,
    pub what_worked: String,
    pub what_to_repeat: String,
    pub what_to_avoid: String,
    pub marked_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for ModelCase {
    fn id(&self) -> Uuid {
        self.trip_id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

/// The lessons as written; the city comes from the TRIP.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = trip_model_cases)]
pub struct Lessons {
    pub trip_id: Uuid,
    pub what_worked: String,
    pub what_to_repeat: String,
    pub what_to_avoid: String,
    pub marked_by: Uuid,
}

pub async fn find(conn: &mut AsyncPgConnection, trip_id: Uuid) -> DbResult<Option<ModelCase>> {
    Ok(trip_model_cases::table
        .filter(trip_model_cases::trip_id.eq(trip_id))
        .select(ModelCase::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    trip_id: Uuid,
) -> DbResult<Option<ModelCase>> {
    Ok(trip_model_cases::table
        .filter(trip_model_cases::trip_id.eq(trip_id))
        .select(ModelCase::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// The first marking; `None` when another request marked it first.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    lessons: &Lessons,
) -> DbResult<Option<ModelCase>> {
    Ok(diesel::insert_into(trip_model_cases::table)
        .values(lessons)
        .on_conflict_do_nothing()
        .returning(ModelCase::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

pub async fn update(conn: &mut AsyncPgConnection, lessons: &Lessons) -> DbResult<ModelCase> {
    Ok(diesel::update(
        trip_model_cases::table.filter(trip_model_cases::trip_id.eq(lessons.trip_id)),
    )
    .set((
        lessons,
        trip_model_cases::version.eq(trip_model_cases::version + 1),
    ))
    .returning(ModelCase::as_returning())
    .get_result(conn)
    .await?)
}

/// A model case with what the list shows of its TRIP and case.
#[derive(Debug, Clone, Queryable)]
pub struct ListedModelCase {
    pub model: ModelCase,
    pub proposal_id: Uuid,
    pub reference: String,
    pub title: String,
    pub lead_department_id: Uuid,
}

/// Which model cases a caller lists: its city's (the desk), those of the
/// TRIPs it leads (a department).
#[derive(Debug, Clone, Copy)]
pub enum ModelCaseScope {
    Municipality(Uuid),
    Department(Uuid),
}

/// A page of model cases, by TRIP id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: ModelCaseScope,
    page: Page,
) -> DbResult<Vec<ListedModelCase>> {
    let mut query = trip_model_cases::table
        .inner_join(trips::table.on(trips::id.eq(trip_model_cases::trip_id)))
        .inner_join(proposals::table.on(proposals::id.eq(trips::proposal_id)))
        .select((
            ModelCase::as_select(),
            trips::proposal_id,
            proposals::reference,
            trips::title,
            trips::lead_department_id,
        ))
        .order(trip_model_cases::trip_id)
        .limit(page.fetch_limit())
        .into_boxed();
    query = match scope {
        ModelCaseScope::Municipality(id) => query.filter(trip_model_cases::municipality_id.eq(id)),
        ModelCaseScope::Department(id) => query.filter(trips::lead_department_id.eq(id)),
    };
    if let Some(after) = page.after {
        query = query.filter(trip_model_cases::trip_id.gt(after));
    }
    Ok(query.load(conn).await?)
}
