//! Corrections suggested to an entry's owning desk (issue 14): staff of any
//! city propose field changes with a note; the owning desk accepts (the
//! change goes through the entry's normal update) or rejects them.

use crate::codes::DbText;
use crate::schema::resource_suggestions as suggestions;
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::directory::SuggestionStatus;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = suggestions, check_for_backend(diesel::pg::Pg))]
pub struct Suggestion {
    pub id: Uuid,
    pub resource_id: Uuid,
    pub suggested_by: Uuid,
    /// The suggested change, as a PATCH body of the entry.
    pub changes: Value,
    pub note: String,
    #[diesel(deserialize_as = DbText<SuggestionStatus>)]
    pub status: SuggestionStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::Versioned for Suggestion {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = suggestions)]
pub struct NewSuggestion {
    pub id: Uuid,
    pub resource_id: Uuid,
    pub suggested_by: Uuid,
    pub changes: Value,
    pub note: String,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewSuggestion) -> DbResult<Suggestion> {
    Ok(diesel::insert_into(suggestions::table)
        .values(new.clone())
        .returning(Suggestion::as_returning())
        .get_result(conn)
        .await?)
}

/// A suggestion of entry `resource_id`, locked.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    resource_id: Uuid,
    id: Uuid,
) -> DbResult<Option<Suggestion>> {
    Ok(suggestions::table
        .find(id)
        .filter(suggestions::resource_id.eq(resource_id))
        .select(Suggestion::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Records the owning desk's decision.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: SuggestionStatus,
    by: Uuid,
    note: Option<String>,
) -> DbResult<Suggestion> {
    Ok(diesel::update(suggestions::table.find(id))
        .set((
            suggestions::status.eq(status.as_str()),
            suggestions::decided_by.eq(Some(by)),
            suggestions::decided_at.eq(Some(Utc::now())),
            suggestions::decision_note.eq(note),
            suggestions::version.eq(suggestions::version + 1),
        ))
        .returning(Suggestion::as_returning())
        .get_result(conn)
        .await?)
}

/// The suggestions of an entry by id, of one status if given.
pub async fn list(
    conn: &mut AsyncPgConnection,
    resource_id: Uuid,
    status: Option<SuggestionStatus>,
    page: Page,
) -> DbResult<Vec<Suggestion>> {
    let mut query = suggestions::table
        .filter(suggestions::resource_id.eq(resource_id))
        .select(Suggestion::as_select())
        .order(suggestions::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(suggestions::status.eq(status.as_str()));
    }
    if let Some(after) = page.after {
        query = query.filter(suggestions::id.gt(after));
    }
    Ok(query.load(conn).await?)
}
