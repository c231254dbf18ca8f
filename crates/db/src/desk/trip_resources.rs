//! The directory organizations a TRIP supports (DOMAIN.md: "a company's TRIP
//! supports specific NPOs from the directory").

use crate::schema::trip_supported_resources;
use crate::DbResult;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub async fn list(conn: &mut AsyncPgConnection, trip_id: Uuid) -> DbResult<Vec<Uuid>> {
    Ok(trip_supported_resources::table
        .filter(trip_supported_resources::trip_id.eq(trip_id))
        .select(trip_supported_resources::resource_id)
        .order(trip_supported_resources::resource_id)
        .load(conn)
        .await?)
}

/// Replaces the supported organizations of a TRIP.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    trip_id: Uuid,
    resource_ids: &[Uuid],
) -> DbResult<()> {
    diesel::delete(
        trip_supported_resources::table.filter(trip_supported_resources::trip_id.eq(trip_id)),
    )
    .execute(conn)
    .await?;
    let rows: Vec<_> = resource_ids
        .iter()
        .map(|r| {
            (
                trip_supported_resources::trip_id.eq(trip_id),
                trip_supported_resources::resource_id.eq(*r),
            )
        })
        .collect();
    diesel::insert_into(trip_supported_resources::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}
