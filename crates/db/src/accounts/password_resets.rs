//! One-time password reset tokens (stored as SHA-256 hashes), valid for a
//! short time and spent on use.

use crate::schema::password_reset_tokens;
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = password_reset_tokens, check_for_backend(diesel::pg::Pg))]
pub struct PasswordResetToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub token_hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = password_reset_tokens)]
pub struct NewPasswordResetToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub token_hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewPasswordResetToken) -> DbResult<()> {
    diesel::insert_into(password_reset_tokens::table)
        .values(new)
        .execute(conn)
        .await?;
    Ok(())
}

/// The token with this hash, locked: two confirmations with one token
/// cannot both succeed.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> DbResult<Option<PasswordResetToken>> {
    Ok(password_reset_tokens::table
        .filter(password_reset_tokens::token_hash.eq(token_hash))
        .select(PasswordResetToken::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Spends every unused token of the account (the one used and any older
/// ones still out there).
pub async fn spend_all_of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> DbResult<usize> {
    Ok(diesel::update(
        password_reset_tokens::table
            .filter(password_reset_tokens::user_id.eq(user_id))
            .filter(password_reset_tokens::used_at.is_null()),
    )
    .set(password_reset_tokens::used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?)
}
