//! The cases that followed from a TRIP (次の旅へ): links from a TRIP to its
//! follow-on cases (and, once adopted, their TRIPs), and back.

use crate::codes::DbText;
use crate::schema::{proposals, trip_follow_ons, trips};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::workflow::Status;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = trip_follow_ons, check_for_backend(diesel::pg::Pg))]
pub struct FollowOn {
    pub municipality_id: Uuid,
    pub trip_id: Uuid,
    pub proposal_id: Uuid,
    pub note: String,
    pub linked_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// Links `proposal_id` as a follow-on of the TRIP; `None` when it already is.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    trip_id: Uuid,
    proposal_id: Uuid,
    note: &str,
    linked_by: Uuid,
) -> DbResult<Option<FollowOn>> {
    Ok(diesel::insert_into(trip_follow_ons::table)
        .values((
            trip_follow_ons::trip_id.eq(trip_id),
            trip_follow_ons::proposal_id.eq(proposal_id),
            trip_follow_ons::note.eq(note),
            trip_follow_ons::linked_by.eq(linked_by),
        ))
        .on_conflict_do_nothing()
        .returning(FollowOn::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// A link with what the lists show of both ends.
#[derive(Debug, Clone, Queryable)]
pub struct Linked {
    pub link: FollowOn,
    /// The TRIP's case.
    pub trip_proposal_id: Uuid,
    pub trip_title: String,
    /// The follow-on case.
    pub reference: String,
    pub title: String,
    #[diesel(deserialize_as = DbText<Status>)]
    pub status: Status,
}

/// The follow-ons of a TRIP, oldest link first.
pub async fn of_trip(conn: &mut AsyncPgConnection, trip_id: Uuid) -> DbResult<Vec<Linked>> {
    linked(conn, Some(trip_id), None).await
}

/// The TRIPs a case follows on from, oldest link first.
pub async fn of_proposal(conn: &mut AsyncPgConnection, proposal_id: Uuid) -> DbResult<Vec<Linked>> {
    linked(conn, None, Some(proposal_id)).await
}

async fn linked(
    conn: &mut AsyncPgConnection,
    trip_id: Option<Uuid>,
    proposal_id: Option<Uuid>,
) -> DbResult<Vec<Linked>> {
    let mut query = trip_follow_ons::table
        .inner_join(trips::table.on(trips::id.eq(trip_follow_ons::trip_id)))
        .inner_join(proposals::table.on(proposals::id.eq(trip_follow_ons::proposal_id)))
        .select((
            FollowOn::as_select(),
            trips::proposal_id,
            trips::title,
            proposals::reference,
            proposals::title,
            proposals::status,
        ))
        .order((trip_follow_ons::created_at, trip_follow_ons::proposal_id))
        .limit(200)
        .into_boxed();
    if let Some(trip_id) = trip_id {
        query = query.filter(trip_follow_ons::trip_id.eq(trip_id));
    }
    if let Some(proposal_id) = proposal_id {
        query = query.filter(trip_follow_ons::proposal_id.eq(proposal_id));
    }
    Ok(query.load(conn).await?)
}

/// The TRIP of each adopted case among `proposal_ids`.
pub async fn trips_of(
    conn: &mut AsyncPgConnection,
    proposal_ids: &[Uuid],
) -> DbResult<Vec<(Uuid, Uuid)>> {
    Ok(trips::table
        .filter(trips::proposal_id.eq_any(proposal_ids))
        .select((trips::proposal_id, trips::id))
        .load(conn)
        .await?)
}
