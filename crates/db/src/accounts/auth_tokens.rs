//! Refresh tokens (stored as SHA-256 hashes, rotated, grouped in families)
//! and access tokens revoked before their expiry.

use crate::schema::{refresh_tokens, revoked_access_tokens};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::pg::Pg))]
pub struct RefreshToken {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
    pub spent_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_refresh(conn: &mut AsyncPgConnection, new: &NewRefreshToken) -> DbResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(new)
        .execute(conn)
        .await?;
    Ok(())
}

/// Finds a refresh token by its hash and locks it, so two concurrent
/// refreshes with the same token cannot both succeed.
pub async fn find_refresh_for_update(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> DbResult<Option<RefreshToken>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshToken::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn mark_spent(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::spent_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes every live token of a family; returns how many were revoked.
pub async fn revoke_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> DbResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?)
}

/// Revokes every live token of a user (on disabling the account).
pub async fn revoke_all_of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> DbResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?)
}

pub async fn revoke_access_token(
    conn: &mut AsyncPgConnection,
    jti: Uuid,
    expires_at: DateTime<Utc>,
) -> DbResult<()> {
    diesel::insert_into(revoked_access_tokens::table)
        .values((
            revoked_access_tokens::jti.eq(jti),
            revoked_access_tokens::expires_at.eq(expires_at),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}
