//! The desk's own logic model per city and fiscal year (issue 18); its
//! content is the domain's `kpi::programme::ProgrammeModel` as JSON.

use crate::schema::programme_logic_models;
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = programme_logic_models, check_for_backend(diesel::pg::Pg))]
pub struct ProgrammeLogicModel {
    pub municipality_id: Uuid,
    pub fiscal_year: i32,
    pub content: Value,
    pub version: i64,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = programme_logic_models, treat_none_as_null = true)]
pub struct Values {
    pub municipality_id: Uuid,
    pub fiscal_year: i32,
    pub content: Value,
    pub updated_by: Option<Uuid>,
}

/// A city's model of a fiscal year, when one was saved; `lock` takes it for
/// an update in this transaction.
pub async fn find(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    fiscal_year: i32,
    lock: bool,
) -> DbResult<Option<ProgrammeLogicModel>> {
    let query = programme_logic_models::table
        .find((municipality_id, fiscal_year))
        .select(ProgrammeLogicModel::as_select());
    Ok(if lock {
        query.for_update().first(conn).await.optional()?
    } else {
        query.first(conn).await.optional()?
    })
}

/// Saves the first version; `None` when another request saved one first.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    values: &Values,
) -> DbResult<Option<ProgrammeLogicModel>> {
    Ok(diesel::insert_into(programme_logic_models::table)
        .values(values)
        .on_conflict_do_nothing()
        .returning(ProgrammeLogicModel::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Replaces the content with the next version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    values: &Values,
) -> DbResult<ProgrammeLogicModel> {
    Ok(diesel::update(
        programme_logic_models::table.find((values.municipality_id, values.fiscal_year)),
    )
    .set((
        values,
        programme_logic_models::version.eq(programme_logic_models::version + 1),
    ))
    .returning(ProgrammeLogicModel::as_returning())
    .get_result(conn)
    .await?)
}
