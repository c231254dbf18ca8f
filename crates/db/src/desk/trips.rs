//! TRIPs (共創プロジェクト) and their indicator measurements.

use crate::codes::DbText;
use crate::schema::{trip_measurements, trip_partners, trips};
use crate::{DbResult, Page};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::trip::TripStatus;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = trips, check_for_backend(diesel::pg::Pg))]
pub struct Trip {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub title: String,
    pub lead_department_id: Uuid,
    pub supports_community_activity: bool,
    #[diesel(deserialize_as = DbText<TripStatus>)]
    pub status: TripStatus,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = trips)]
pub struct NewTrip {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub title: String,
    pub lead_department_id: Uuid,
    pub supports_community_activity: bool,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = trips)]
pub struct TripChanges {
    pub title: Option<String>,
    pub supports_community_activity: Option<bool>,
    #[diesel(serialize_as = DbText<TripStatus>)]
    pub status: Option<TripStatus>,
    pub starts_on: Option<Option<NaiveDate>>,
    pub ends_on: Option<Option<NaiveDate>>,
}

crate::crud::versioned_crud!(trips, Trip, NewTrip, TripChanges);

pub async fn add_partner(
    conn: &mut AsyncPgConnection,
    trip_id: Uuid,
    organization_id: Uuid,
) -> DbResult<()> {
    diesel::insert_into(trip_partners::table)
        .values((
            trip_partners::trip_id.eq(trip_id),
            trip_partners::organization_id.eq(organization_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn partners(conn: &mut AsyncPgConnection, trip_id: Uuid) -> DbResult<Vec<Uuid>> {
    Ok(trip_partners::table
        .filter(trip_partners::trip_id.eq(trip_id))
        .select(trip_partners::organization_id)
        .order(trip_partners::organization_id)
        .load(conn)
        .await?)
}

/// Which TRIPs a caller sees.
#[derive(Debug, Clone, Copy)]
pub enum TripScope {
    /// The desk: its municipality's TRIPs.
    Municipality(Uuid),
    /// A partner: TRIPs its organization takes part in.
    Organization(Uuid),
    /// A department: TRIPs it leads.
    Department(Uuid),
}

type BoxedTrips<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Select<trips::table, diesel::dsl::AsSelect<Trip, diesel::pg::Pg>>,
    diesel::pg::Pg,
>;

fn scoped<'a>(scope: TripScope) -> BoxedTrips<'a> {
    let query = trips::table.select(Trip::as_select()).into_boxed();
    match scope {
        TripScope::Municipality(id) => query.filter(trips::municipality_id.eq(id)),
        TripScope::Department(id) => query.filter(trips::lead_department_id.eq(id)),
        TripScope::Organization(id) => query.filter(
            trips::id.eq_any(
                trip_partners::table
                    .filter(trip_partners::organization_id.eq(id))
                    .select(trip_partners::trip_id),
            ),
        ),
    }
}

pub async fn find_visible(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: TripScope,
) -> DbResult<Option<Trip>> {
    Ok(scoped(scope)
        .filter(trips::id.eq(id))
        .first(conn)
        .await
        .optional()?)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: TripScope,
    status: Option<TripStatus>,
    page: Page,
) -> DbResult<Vec<Trip>> {
    let mut query = scoped(scope).order(trips::id).limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(trips::id.gt(after));
    }
    if let Some(status) = status {
        query = query.filter(trips::status.eq(DbText(status)));
    }
    Ok(query.load(conn).await?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = trip_measurements, check_for_backend(diesel::pg::Pg))]
pub struct Measurement {
    pub id: Uuid,
    pub trip_id: Uuid,
    pub indicator_id: Uuid,
    pub value: f64,
    pub measured_on: NaiveDate,
    pub note: String,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

pub async fn add_measurement(
    conn: &mut AsyncPgConnection,
    measurement: &Measurement,
) -> DbResult<Measurement> {
    Ok(diesel::insert_into(trip_measurements::table)
        .values(measurement)
        .returning(Measurement::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn measurements(
    conn: &mut AsyncPgConnection,
    trip_id: Uuid,
) -> DbResult<Vec<Measurement>> {
    Ok(trip_measurements::table
        .filter(trip_measurements::trip_id.eq(trip_id))
        .select(Measurement::as_select())
        .order((trip_measurements::measured_on, trip_measurements::id))
        .load(conn)
        .await?)
}
