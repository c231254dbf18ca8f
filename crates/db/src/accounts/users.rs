//! User accounts: desk, department, partner, analyst and admin people.

use crate::codes::DbText;
use crate::schema::users;
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::identity::UserStatus;
use living_gate_domain::Role;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    #[diesel(deserialize_as = DbText<Role>)]
    pub role: Role,
    pub municipality_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    #[diesel(deserialize_as = DbText<UserStatus>)]
    pub status: UserStatus,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// The account as the policy sees it.
    pub fn actor(&self) -> living_gate_domain::Actor {
        living_gate_domain::Actor {
            id: self.id,
            role: self.role,
            municipality_id: self.municipality_id,
            department_id: self.department_id,
            organization_id: self.organization_id,
            is_service_account: false,
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    #[diesel(serialize_as = DbText<Role>)]
    pub role: Role,
    pub municipality_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    #[diesel(serialize_as = DbText<UserStatus>)]
    pub status: UserStatus,
    pub password_hash: Option<String>,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    #[diesel(serialize_as = DbText<UserStatus>)]
    pub status: Option<UserStatus>,
    pub password_hash: Option<String>,
}

crate::crud::versioned_crud!(users, User, NewUser, UserChanges);

pub async fn find_by_email(conn: &mut AsyncPgConnection, email: &str) -> DbResult<Option<User>> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The user and whether access token `jti` was revoked, in one round trip
/// (what every authenticated request asks).
pub async fn find_with_revocation(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    jti: Uuid,
) -> DbResult<(Option<User>, bool)> {
    use crate::schema::revoked_access_tokens;
    let found: Option<(User, bool)> = users::table
        .find(id)
        .select((
            User::as_select(),
            diesel::dsl::exists(revoked_access_tokens::table.find(jti)),
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(match found {
        Some((user, revoked)) => (Some(user), revoked),
        None => (None, false),
    })
}

/// Moves a partner account to another organization (an intake's contact,
/// once the desk matched its pending organization) and bumps the version.
pub async fn move_to_organization(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    organization_id: Uuid,
) -> DbResult<User> {
    Ok(diesel::update(users::table.find(id))
        .set((
            users::organization_id.eq(organization_id),
            users::version.eq(users::version + 1),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn record_login(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub organization_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    /// Accounts of this city only (a municipal admin's list).
    pub municipality_id: Option<Uuid>,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &UserFilter,
    page: Page,
) -> DbResult<Vec<User>> {
    let mut query = users::table
        .select(User::as_select())
        .order(users::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(users::id.gt(after));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(DbText(role)));
    }
    if let Some(status) = filter.status {
        query = query.filter(users::status.eq(DbText(status)));
    }
    if let Some(organization_id) = filter.organization_id {
        query = query.filter(users::organization_id.eq(organization_id));
    }
    if let Some(department_id) = filter.department_id {
        query = query.filter(users::department_id.eq(department_id));
    }
    if let Some(municipality_id) = filter.municipality_id {
        query = query.filter(users::municipality_id.eq(municipality_id));
    }
    Ok(query.load(conn).await?)
}
