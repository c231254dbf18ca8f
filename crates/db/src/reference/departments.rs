//! Departments of a municipality (市民協働課, 地域福祉課, ...).

use crate::codes::DbText;
use crate::schema::departments;
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::identity::RecordStatus;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = departments, check_for_backend(diesel::pg::Pg))]
pub struct Department {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub code: String,
    pub name: String,
    pub name_en: String,
    #[diesel(deserialize_as = DbText<RecordStatus>)]
    pub status: RecordStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = departments)]
pub struct NewDepartment {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub code: String,
    pub name: String,
    pub name_en: String,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = departments)]
pub struct DepartmentChanges {
    pub name: Option<String>,
    pub name_en: Option<String>,
    #[diesel(serialize_as = DbText<RecordStatus>)]
    pub status: Option<RecordStatus>,
}

crate::crud::versioned_crud!(departments, Department, NewDepartment, DepartmentChanges);

#[derive(Debug, Default, Clone, Copy)]
pub struct DepartmentFilter {
    pub municipality_id: Option<Uuid>,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: DepartmentFilter,
    page: Page,
) -> DbResult<Vec<Department>> {
    let mut query = departments::table
        .select(Department::as_select())
        .order(departments::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(departments::id.gt(after));
    }
    if let Some(municipality_id) = filter.municipality_id {
        query = query.filter(departments::municipality_id.eq(municipality_id));
    }
    Ok(query.load(conn).await?)
}
