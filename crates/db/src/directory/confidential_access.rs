//! Confidential-access grants: the departments and users an owning city lets
//! read the hidden fields of its directory entries (issue 14).

use crate::schema::confidential_access_grants as grants;
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::directory::{ConfidentialGrant, Grantee};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = grants, check_for_backend(diesel::pg::Pg))]
pub struct Grant {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub department_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub note: Option<String>,
    pub granted_by: Uuid,
    pub granted_at: DateTime<Utc>,
    pub revoked_by: Option<Uuid>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::Versioned for Grant {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

impl Grant {
    /// The grant as the domain's need-to-know decision takes it.
    pub fn domain(&self) -> Option<ConfidentialGrant> {
        let grantee = match (self.department_id, self.user_id) {
            (Some(d), None) => Grantee::Department(d),
            (None, Some(u)) => Grantee::User(u),
            _ => return None,
        };
        Some(ConfidentialGrant {
            municipality_id: self.municipality_id,
            grantee,
        })
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = grants)]
pub struct NewGrant {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub department_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub note: Option<String>,
    pub granted_by: Uuid,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewGrant) -> DbResult<Grant> {
    Ok(diesel::insert_into(grants::table)
        .values(new.clone())
        .returning(Grant::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<Grant>> {
    Ok(grants::table
        .find(id)
        .select(Grant::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Revokes a grant (kept, with who revoked it and when).
pub async fn revoke(conn: &mut AsyncPgConnection, id: Uuid, by: Uuid) -> DbResult<Grant> {
    Ok(diesel::update(grants::table.find(id))
        .set((
            grants::revoked_by.eq(Some(by)),
            grants::revoked_at.eq(Some(Utc::now())),
            grants::version.eq(grants::version + 1),
        ))
        .returning(Grant::as_returning())
        .get_result(conn)
        .await?)
}

/// The grants of `municipality` (every city's when `None`), by id; revoked
/// ones too unless `active_only`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    municipality: Option<Uuid>,
    active_only: bool,
    page: Page,
) -> DbResult<Vec<Grant>> {
    let mut query = grants::table
        .select(Grant::as_select())
        .order(grants::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(m) = municipality {
        query = query.filter(grants::municipality_id.eq(m));
    }
    if active_only {
        query = query.filter(grants::revoked_at.is_null());
    }
    if let Some(after) = page.after {
        query = query.filter(grants::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// The active grants that name a caller: its department's and its own.
pub async fn active_for(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    department_id: Option<Uuid>,
) -> DbResult<Vec<ConfidentialGrant>> {
    let mut query = grants::table
        .select(Grant::as_select())
        .filter(grants::revoked_at.is_null())
        .into_boxed();
    query = match department_id {
        Some(d) => query.filter(grants::user_id.eq(user_id).or(grants::department_id.eq(d))),
        None => query.filter(grants::user_id.eq(user_id)),
    };
    let rows: Vec<Grant> = query.load(conn).await?;
    Ok(rows.iter().filter_map(Grant::domain).collect())
}
