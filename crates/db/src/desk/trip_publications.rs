//! Showing the results (issue 18): a TRIP's publication, with its
//! partner's consent, and the anonymous list of published TRIPs.

use crate::codes::DbText;
use crate::schema::{departments, municipalities, trip_publications, trips};
use crate::{DbResult, Page, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::trip::TripStatus;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = trip_publications, check_for_backend(diesel::pg::Pg))]
pub struct Publication {
    pub municipality_id: Uuid,
    pub trip_id: Uuid,
    /// The partner user who consented, and when; `None`: no consent.
    pub consented_by: Option<Uuid>,
    pub consented_at: Option<DateTime<Utc>>,
    /// The desk's public summary.
    pub summary: String,
    pub published_by: Option<Uuid>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Publication {
    fn id(&self) -> Uuid {
        self.trip_id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

/// The TRIP's publication, locked until the end of the transaction.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    trip_id: Uuid,
) -> DbResult<Option<Publication>> {
    Ok(trip_publications::table
        .filter(trip_publications::trip_id.eq(trip_id))
        .select(Publication::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn find(conn: &mut AsyncPgConnection, trip_id: Uuid) -> DbResult<Option<Publication>> {
    Ok(trip_publications::table
        .filter(trip_publications::trip_id.eq(trip_id))
        .select(Publication::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Records consent (`Some((partner user, at))`) or its withdrawal (`None`,
/// which also unpublishes), creating the row if needed.
pub async fn set_consent(
    conn: &mut AsyncPgConnection,
    trip_id: Uuid,
    consent: Option<(Uuid, DateTime<Utc>)>,
) -> DbResult<Publication> {
    let (by, at) = (consent.map(|c| c.0), consent.map(|c| c.1));
    let query = diesel::insert_into(trip_publications::table)
        .values((
            trip_publications::trip_id.eq(trip_id),
            trip_publications::consented_by.eq(by),
            trip_publications::consented_at.eq(at),
        ))
        .on_conflict(trip_publications::trip_id)
        .do_update();
    let row = match consent {
        Some(_) => {
            query
                .set((
                    trip_publications::consented_by.eq(by),
                    trip_publications::consented_at.eq(at),
                    trip_publications::version.eq(trip_publications::version + 1),
                ))
                .returning(Publication::as_returning())
                .get_result(conn)
                .await?
        }
        None => {
            query
                .set((
                    trip_publications::consented_by.eq(None::<Uuid>),
                    trip_publications::consented_at.eq(None::<DateTime<Utc>>),
                    trip_publications::published_by.eq(None::<Uuid>),
                    trip_publications::published_at.eq(None::<DateTime<Utc>>),
                    trip_publications::version.eq(trip_publications::version + 1),
                ))
                .returning(Publication::as_returning())
                .get_result(conn)
                .await?
        }
    };
    Ok(row)
}

/// Publishes (`Some((desk user, at))`, with the public `summary`) or
/// unpublishes (`None`) a TRIP whose row exists.
pub async fn set_published(
    conn: &mut AsyncPgConnection,
    trip_id: Uuid,
    published: Option<(Uuid, DateTime<Utc>)>,
    summary: &str,
) -> DbResult<Publication> {
    Ok(diesel::update(trip_publications::table)
        .filter(trip_publications::trip_id.eq(trip_id))
        .set((
            trip_publications::published_by.eq(published.map(|p| p.0)),
            trip_publications::published_at.eq(published.map(|p| p.1)),
            trip_publications::summary.eq(summary),
            trip_publications::version.eq(trip_publications::version + 1),
        ))
        .returning(Publication::as_returning())
        .get_result(conn)
        .await?)
}

/// A published TRIP as the public reads it: no ids of people, no case text.
#[derive(Debug, Clone, Queryable)]
pub struct PublishedTrip {
    pub trip_id: Uuid,
    pub title: String,
    pub summary: String,
    pub department_name: String,
    pub municipality_id: Uuid,
    pub municipality_name: String,
    pub starts_on: Option<NaiveDate>,
    pub status: DbText<TripStatus>,
    pub published_at: DateTime<Utc>,
}

/// The published TRIPs (of one city, or all), by TRIP id, a page.
pub async fn published(
    conn: &mut AsyncPgConnection,
    municipality_id: Option<Uuid>,
    page: Page,
) -> DbResult<Vec<PublishedTrip>> {
    let mut query = trip_publications::table
        .inner_join(trips::table.inner_join(departments::table))
        .inner_join(
            municipalities::table.on(municipalities::id.eq(trip_publications::municipality_id)),
        )
        .filter(trip_publications::published_at.is_not_null())
        .filter(trip_publications::consented_at.is_not_null())
        .select((
            trips::id,
            trips::title,
            trip_publications::summary,
            departments::name,
            municipalities::id,
            municipalities::name,
            trips::starts_on,
            trips::status,
            trip_publications::published_at.assume_not_null(),
        ))
        .order(trips::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(trips::id.gt(after));
    }
    if let Some(city) = municipality_id {
        query = query.filter(trip_publications::municipality_id.eq(city));
    }
    Ok(query.load(conn).await?)
}
