//! Events of the platform and their reach per fiscal year × kind
//! (migration 000030). Shared like the directory: no row-level security.

use crate::codes::DbText;
use crate::schema::platform_events;
use crate::{DbResult, Page};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::platform::event::PlatformEventKind;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = platform_events, check_for_backend(diesel::pg::Pg))]
pub struct PlatformEvent {
    pub id: Uuid,
    #[diesel(deserialize_as = DbText<PlatformEventKind>)]
    pub kind: PlatformEventKind,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub venue_municipality_id: Uuid,
    pub organizer_municipality_ids: Vec<Uuid>,
    pub organizer_resource_ids: Vec<Uuid>,
    pub other_organizers: Vec<String>,
    pub attendance: i32,
    pub clients_of_support: i32,
    pub questionnaire_responses: i32,
    pub felt_it: i32,
    pub recorded_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = platform_events)]
pub struct NewPlatformEvent {
    pub id: Uuid,
    #[diesel(serialize_as = DbText<PlatformEventKind>)]
    pub kind: PlatformEventKind,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub venue_municipality_id: Uuid,
    pub organizer_municipality_ids: Vec<Uuid>,
    pub organizer_resource_ids: Vec<Uuid>,
    pub other_organizers: Vec<String>,
    pub attendance: i32,
    pub clients_of_support: i32,
    pub questionnaire_responses: i32,
    pub felt_it: i32,
    pub recorded_by: Uuid,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = platform_events)]
pub struct PlatformEventChanges {
    #[diesel(serialize_as = DbText<PlatformEventKind>)]
    pub kind: Option<PlatformEventKind>,
    pub title: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub organizer_resource_ids: Option<Vec<Uuid>>,
    pub other_organizers: Option<Vec<String>>,
    pub attendance: Option<i32>,
    pub clients_of_support: Option<i32>,
    pub questionnaire_responses: Option<i32>,
    pub felt_it: Option<i32>,
}

crate::crud::versioned_crud!(
    platform_events,
    PlatformEvent,
    NewPlatformEvent,
    PlatformEventChanges
);

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<PlatformEventKind>,
    pub fiscal_year: Option<i32>,
    pub venue_municipality_id: Option<Uuid>,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &EventFilter,
    page: Page,
) -> DbResult<Vec<PlatformEvent>> {
    let mut query = platform_events::table
        .select(PlatformEvent::as_select())
        .order(platform_events::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(platform_events::kind.eq(kind.as_str()));
    }
    if let Some(venue) = filter.venue_municipality_id {
        query = query.filter(platform_events::venue_municipality_id.eq(venue));
    }
    if let Some(year) = filter.fiscal_year {
        if let (Some(start), Some(end)) = (
            NaiveDate::from_ymd_opt(year, 4, 1),
            NaiveDate::from_ymd_opt(year + 1, 4, 1),
        ) {
            query = query.filter(
                platform_events::starts_on
                    .ge(start)
                    .and(platform_events::starts_on.lt(end)),
            );
        }
    }
    if let Some(after) = page.after {
        query = query.filter(platform_events::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// The reach of one kind of event in a fiscal year.
#[derive(Debug, QueryableByName)]
pub struct ReachRow {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = BigInt)]
    pub events: i64,
    #[diesel(sql_type = BigInt)]
    pub attendance: i64,
    #[diesel(sql_type = BigInt)]
    pub clients_of_support: i64,
    #[diesel(sql_type = BigInt)]
    pub questionnaire_responses: i64,
    #[diesel(sql_type = BigInt)]
    pub felt_it: i64,
}

/// The fiscal year's reach by kind (the BI view `kpi.event_reach`).
pub async fn reach(conn: &mut AsyncPgConnection, fiscal_year: i32) -> DbResult<Vec<ReachRow>> {
    Ok(diesel::sql_query(
        "SELECT kind, events, attendance::bigint AS attendance,
                clients_of_support::bigint AS clients_of_support,
                questionnaire_responses::bigint AS questionnaire_responses, felt_it::bigint AS felt_it
           FROM kpi.event_reach WHERE fiscal_year = $1 ORDER BY kind",
    )
    .bind::<Integer, _>(fiscal_year)
    .load(conn)
    .await?)
}
