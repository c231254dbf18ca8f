//! Municipalities (座間市, 綾瀬市, 大和市, 海老名市, ...).

use crate::codes::DbText;
use crate::schema::municipalities;
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::identity::RecordStatus;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = municipalities, check_for_backend(diesel::pg::Pg))]
pub struct Municipality {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub name_kana: String,
    pub name_en: String,
    #[diesel(deserialize_as = DbText<RecordStatus>)]
    pub status: RecordStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The prefix of the city's case references (`ZLG`, `AYS`, …).
    pub reference_prefix: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = municipalities)]
pub struct NewMunicipality {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub name_kana: String,
    pub name_en: String,
    pub reference_prefix: String,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = municipalities)]
pub struct MunicipalityChanges {
    pub name: Option<String>,
    pub name_kana: Option<String>,
    pub name_en: Option<String>,
    #[diesel(serialize_as = DbText<RecordStatus>)]
    pub status: Option<RecordStatus>,
}

crate::crud::versioned_crud!(
    municipalities,
    Municipality,
    NewMunicipality,
    MunicipalityChanges
);

pub async fn find_by_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> DbResult<Option<Municipality>> {
    Ok(municipalities::table
        .filter(municipalities::code.eq(code))
        .select(Municipality::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn list(conn: &mut AsyncPgConnection, page: Page) -> DbResult<Vec<Municipality>> {
    let mut query = municipalities::table
        .select(Municipality::as_select())
        .order(municipalities::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(municipalities::id.gt(after));
    }
    Ok(query.load(conn).await?)
}
