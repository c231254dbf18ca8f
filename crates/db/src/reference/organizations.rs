//! Partner organizations: companies, universities, NPOs that propose.

use crate::codes::DbText;
use crate::schema::organizations;
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::identity::{OrganizationKind, OrganizationStatus};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = organizations, check_for_backend(diesel::pg::Pg))]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub name_kana: Option<String>,
    #[diesel(deserialize_as = DbText<OrganizationKind>)]
    pub kind: OrganizationKind,
    pub corporate_number: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    #[diesel(deserialize_as = DbText<OrganizationStatus>)]
    pub status: OrganizationStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization {
    pub id: Uuid,
    pub name: String,
    pub name_kana: Option<String>,
    #[diesel(serialize_as = DbText<OrganizationKind>)]
    pub kind: OrganizationKind,
    pub corporate_number: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
}

/// `Some(None)` clears an optional field, `None` leaves it alone.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub name_kana: Option<Option<String>>,
    #[diesel(serialize_as = DbText<OrganizationKind>)]
    pub kind: Option<OrganizationKind>,
    pub corporate_number: Option<Option<String>>,
    pub postal_code: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub website: Option<Option<String>>,
    #[diesel(serialize_as = DbText<OrganizationStatus>)]
    pub status: Option<OrganizationStatus>,
}

crate::crud::versioned_crud!(
    organizations,
    Organization,
    NewOrganization,
    OrganizationChanges
);

/// Inserts an organization registered by a public intake: `pending` until
/// the desk matches or accepts it.
pub async fn insert_pending(
    conn: &mut AsyncPgConnection,
    new: &NewOrganization,
) -> DbResult<Organization> {
    Ok(diesel::insert_into(organizations::table)
        .values((
            new.clone(),
            organizations::status.eq(DbText(OrganizationStatus::Pending)),
        ))
        .returning(Organization::as_returning())
        .get_result(conn)
        .await?)
}

/// Active organizations an intake's pending one may be: the holder of its
/// corporate number, and those with a partner account at `email_domain`
/// (at most 20, the corporate number's first).
pub async fn intake_candidates(
    conn: &mut AsyncPgConnection,
    corporate_number: Option<&str>,
    email_domain: &str,
) -> DbResult<Vec<Organization>> {
    use crate::schema::users;
    // A corporate number is 13 digits: "-" matches none.
    let number = corporate_number.unwrap_or("-");
    let by_domain = users::table
        .filter(users::email.like(format!("%@{}", escape_like(email_domain))))
        .filter(users::organization_id.is_not_null())
        .select(users::organization_id.assume_not_null());
    Ok(organizations::table
        .filter(organizations::status.eq(DbText(OrganizationStatus::Active)))
        .filter(
            organizations::corporate_number
                .eq(number)
                .or(organizations::id.eq_any(by_domain)),
        )
        .order((
            organizations::corporate_number
                .eq(number)
                .desc()
                .nulls_last(),
            organizations::id,
        ))
        .limit(20)
        .select(Organization::as_select())
        .load(conn)
        .await?)
}

/// The organization holding `corporate_number`, if any.
pub async fn find_by_corporate_number(
    conn: &mut AsyncPgConnection,
    corporate_number: &str,
) -> DbResult<Option<Organization>> {
    Ok(organizations::table
        .filter(organizations::corporate_number.eq(corporate_number))
        .select(Organization::as_select())
        .first(conn)
        .await
        .optional()?)
}

#[derive(Debug, Default, Clone)]
pub struct OrganizationFilter {
    /// Restricts the list to one organization (a partner's own scope).
    pub only: Option<Uuid>,
    pub kind: Option<OrganizationKind>,
    pub status: Option<OrganizationStatus>,
    /// Substring of the name or its kana.
    pub q: Option<String>,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &OrganizationFilter,
    page: Page,
) -> DbResult<Vec<Organization>> {
    let mut query = organizations::table
        .select(Organization::as_select())
        .order(organizations::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(organizations::id.gt(after));
    }
    if let Some(only) = filter.only {
        query = query.filter(organizations::id.eq(only));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(organizations::kind.eq(DbText(kind)));
    }
    if let Some(status) = filter.status {
        query = query.filter(organizations::status.eq(DbText(status)));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(q));
        query = query.filter(
            organizations::name
                .ilike(pattern.clone())
                .or(organizations::name_kana.ilike(pattern)),
        );
    }
    Ok(query.load(conn).await?)
}

/// Escapes LIKE metacharacters so a search for `100%` means the characters.
pub fn escape_like(raw: &str) -> String {
    raw.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
