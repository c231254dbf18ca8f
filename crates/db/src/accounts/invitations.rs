//! One-time invitation tokens (stored hashed) that activate invited users.

use crate::schema::invitations;
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations, check_for_backend(diesel::pg::Pg))]
pub struct Invitation {
    pub id: Uuid,
    pub token_hash: Vec<u8>,
    pub user_id: Uuid,
    pub invited_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = invitations)]
pub struct NewInvitation {
    pub id: Uuid,
    pub token_hash: Vec<u8>,
    pub user_id: Uuid,
    pub invited_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewInvitation) -> DbResult<Invitation> {
    Ok(diesel::insert_into(invitations::table)
        .values(new)
        .returning(Invitation::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find_by_token_for_update(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> DbResult<Option<Invitation>> {
    Ok(invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(Invitation::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn mark_accepted(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
    diesel::update(invitations::table.find(id))
        .set(invitations::accepted_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}
