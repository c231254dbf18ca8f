//! On adoption, the entries that agreed to partner on the case become the
//! TRIP's supported organizations, in the decision's transaction.

use crate::http::problem::ApiResult;
use crate::record::{self, Author, Change, EventKind, FeedEvent, Visibility};
use living_gate_db::desk::trips::Trip;
use living_gate_db::desk::{network_matches, trip_resources};
use living_gate_db::AsyncPgConnection;

/// Adds the case's accepted network partners to the new TRIP's supported
/// organizations (audited as `trip.supported_resources`, an internal
/// `trip_supported_resources_replaced` event); nothing when there are none.
pub async fn into_trip(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    trip: &Trip,
) -> ApiResult<()> {
    let partners = network_matches::accepted_resources(conn, trip.proposal_id).await?;
    if partners.is_empty() {
        return Ok(());
    }
    let before = trip_resources::list(conn, trip.id).await?;
    let mut all = before.clone();
    all.extend(partners.iter().filter(|p| !before.contains(p)));
    trip_resources::replace(conn, trip.id, &all).await?;
    let after = trip_resources::list(conn, trip.id).await?;
    let carried = FeedEvent::case(
        trip.proposal_id,
        EventKind::TripSupportedResourcesReplaced,
        Visibility::Internal,
    )
    .subject(trip.id);
    record::write(
        conn,
        author,
        Change {
            action: "trip.supported_resources".into(),
            target_type: "trip",
            target_id: trip.id.to_string(),
            changes: serde_json::json!({"resource_ids": {"before": before, "after": after},
                "from": "network_matches"}),
            event: carried,
        },
    )
    .await?;
    Ok(())
}
