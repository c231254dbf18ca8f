//! Messages on a case: internal among staff, or shared with the proposer.

use crate::codes::DbText;
use crate::schema::messages;
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::feed::Visibility;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages, check_for_backend(diesel::pg::Pg))]
pub struct Message {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub author_id: Uuid,
    #[diesel(deserialize_as = DbText<Visibility>, serialize_as = DbText<Visibility>)]
    pub visibility: Visibility,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, message: &Message) -> DbResult<Message> {
    Ok(diesel::insert_into(messages::table)
        .values(message.clone())
        .returning(Message::as_returning())
        .get_result(conn)
        .await?)
}

/// A case's messages, oldest first; `shared_only` for the proposer.
pub async fn of_proposal(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    shared_only: bool,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<Message>> {
    let mut query = messages::table
        .filter(messages::proposal_id.eq(proposal_id))
        .select(Message::as_select())
        .order(messages::id)
        .limit(limit)
        .into_boxed();
    if shared_only {
        query = query.filter(messages::visibility.eq(DbText(Visibility::Shared)));
    }
    if let Some(after) = after {
        query = query.filter(messages::id.gt(after));
    }
    Ok(query.load(conn).await?)
}
