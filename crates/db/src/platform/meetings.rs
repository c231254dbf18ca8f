//! Liaison meetings of the cities and their follow-ups (migration 000030).
//! Row-level security shows a meeting, and its follow-ups, to the cities
//! that took part only.

use crate::codes::DbText;
use crate::schema::{liaison_meetings, meeting_follow_ups};
use crate::{DbResult, Page};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::platform::meeting::{FollowUpStatus, MeetingKind};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = liaison_meetings, check_for_backend(diesel::pg::Pg))]
pub struct Meeting {
    pub id: Uuid,
    #[diesel(deserialize_as = DbText<MeetingKind>)]
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub municipality_ids: Vec<Uuid>,
    pub resource_ids: Vec<Uuid>,
    pub organizations: Vec<String>,
    pub agenda: String,
    pub decisions: Vec<String>,
    pub recorded_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = liaison_meetings)]
pub struct NewMeeting {
    pub id: Uuid,
    #[diesel(serialize_as = DbText<MeetingKind>)]
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub municipality_ids: Vec<Uuid>,
    pub resource_ids: Vec<Uuid>,
    pub organizations: Vec<String>,
    pub agenda: String,
    pub decisions: Vec<String>,
    pub recorded_by: Uuid,
}

/// What a correction may change: everything but the cities that took part
/// (who reads the record) and who recorded it.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = liaison_meetings)]
pub struct MeetingChanges {
    #[diesel(serialize_as = DbText<MeetingKind>)]
    pub kind: Option<MeetingKind>,
    pub title: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub resource_ids: Option<Vec<Uuid>>,
    pub organizations: Option<Vec<String>>,
    pub agenda: Option<String>,
    pub decisions: Option<Vec<String>>,
}

crate::crud::versioned_crud!(liaison_meetings, Meeting, NewMeeting, MeetingChanges);

#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub kind: Option<MeetingKind>,
    pub fiscal_year: Option<i32>,
}

/// The meetings the caller's city took part in (row-level security), by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &MeetingFilter,
    page: Page,
) -> DbResult<Vec<Meeting>> {
    let mut query = liaison_meetings::table
        .select(Meeting::as_select())
        .order(liaison_meetings::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(liaison_meetings::kind.eq(kind.as_str()));
    }
    if let Some(year) = filter.fiscal_year {
        if let (Some(start), Some(end)) = (
            NaiveDate::from_ymd_opt(year, 4, 1),
            NaiveDate::from_ymd_opt(year + 1, 4, 1),
        ) {
            query = query.filter(
                liaison_meetings::held_on
                    .ge(start)
                    .and(liaison_meetings::held_on.lt(end)),
            );
        }
    }
    if let Some(after) = page.after {
        query = query.filter(liaison_meetings::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = meeting_follow_ups, check_for_backend(diesel::pg::Pg))]
pub struct FollowUp {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub description: String,
    pub owner_id: Uuid,
    pub due_on: NaiveDate,
    #[diesel(deserialize_as = DbText<FollowUpStatus>)]
    pub status: FollowUpStatus,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = meeting_follow_ups)]
pub struct NewFollowUp {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub description: String,
    pub owner_id: Uuid,
    pub due_on: NaiveDate,
}

/// A follow-up's move to done.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = meeting_follow_ups)]
pub struct FollowUpChanges {
    #[diesel(serialize_as = DbText<FollowUpStatus>)]
    pub status: Option<FollowUpStatus>,
    pub done_at: Option<Option<DateTime<Utc>>>,
    pub done_by: Option<Option<Uuid>>,
}

pub mod follow_ups {
    use super::{FollowUp, FollowUpChanges, NewFollowUp};
    use crate::schema::meeting_follow_ups;
    crate::crud::versioned_crud!(meeting_follow_ups, FollowUp, NewFollowUp, FollowUpChanges);
}

/// The follow-ups of one meeting, by due date.
pub async fn follow_ups_of(
    conn: &mut AsyncPgConnection,
    meeting_id: Uuid,
) -> DbResult<Vec<FollowUp>> {
    Ok(meeting_follow_ups::table
        .filter(meeting_follow_ups::meeting_id.eq(meeting_id))
        .select(FollowUp::as_select())
        .order((meeting_follow_ups::due_on, meeting_follow_ups::id))
        .load(conn)
        .await?)
}

#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    pub owner_id: Option<Uuid>,
    pub status: Option<FollowUpStatus>,
    pub meeting_id: Option<Uuid>,
}

/// Follow-ups of the meetings the caller's city took part in, by id.
pub async fn list_follow_ups(
    conn: &mut AsyncPgConnection,
    filter: &FollowUpFilter,
    page: Page,
) -> DbResult<Vec<FollowUp>> {
    let mut query = meeting_follow_ups::table
        .select(FollowUp::as_select())
        .order(meeting_follow_ups::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(owner) = filter.owner_id {
        query = query.filter(meeting_follow_ups::owner_id.eq(owner));
    }
    if let Some(status) = filter.status {
        query = query.filter(meeting_follow_ups::status.eq(status.as_str()));
    }
    if let Some(meeting) = filter.meeting_id {
        query = query.filter(meeting_follow_ups::meeting_id.eq(meeting));
    }
    if let Some(after) = page.after {
        query = query.filter(meeting_follow_ups::id.gt(after));
    }
    Ok(query.load(conn).await?)
}
