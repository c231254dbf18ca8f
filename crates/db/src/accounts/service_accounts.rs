//! BI service accounts (OAuth 2 client credentials, role `analyst`).

use crate::codes::DbText;
use crate::schema::service_accounts;
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::identity::RecordStatus;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = service_accounts, check_for_backend(diesel::pg::Pg))]
pub struct ServiceAccount {
    pub id: Uuid,
    pub client_id: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub name: String,
    #[diesel(deserialize_as = DbText<RecordStatus>)]
    pub status: RecordStatus,
    pub created_by: Option<Uuid>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = service_accounts)]
pub struct NewServiceAccount {
    pub id: Uuid,
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = service_accounts)]
pub struct ServiceAccountChanges {
    pub name: Option<String>,
    #[diesel(serialize_as = DbText<RecordStatus>)]
    pub status: Option<RecordStatus>,
}

crate::crud::versioned_crud!(
    service_accounts,
    ServiceAccount,
    NewServiceAccount,
    ServiceAccountChanges
);

pub async fn find_by_client_id(
    conn: &mut AsyncPgConnection,
    client_id: &str,
) -> DbResult<Option<ServiceAccount>> {
    Ok(service_accounts::table
        .filter(service_accounts::client_id.eq(client_id))
        .select(ServiceAccount::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The account and whether access token `jti` was revoked, in one round trip.
pub async fn find_with_revocation(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    jti: Uuid,
) -> DbResult<(Option<ServiceAccount>, bool)> {
    use crate::schema::revoked_access_tokens;
    let found: Option<(ServiceAccount, bool)> = service_accounts::table
        .find(id)
        .select((
            ServiceAccount::as_select(),
            diesel::dsl::exists(revoked_access_tokens::table.find(jti)),
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(match found {
        Some((account, revoked)) => (Some(account), revoked),
        None => (None, false),
    })
}

pub async fn record_use(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
    diesel::update(service_accounts::table.find(id))
        .set(service_accounts::last_used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn list(conn: &mut AsyncPgConnection, page: Page) -> DbResult<Vec<ServiceAccount>> {
    let mut query = service_accounts::table
        .select(ServiceAccount::as_select())
        .order(service_accounts::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(service_accounts::id.gt(after));
    }
    Ok(query.load(conn).await?)
}
