//! `PUT /v1/trips/{id}/supported-resources`: the directory organizations a
//! TRIP supports (the desk, or the TRIP's lead department).

use crate::audit;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiResult};
use crate::routes::resource_input::dedup;
use crate::routes::trips::visible_trip;
use crate::state::AppState;
use actix_web::{put, web, HttpResponse};
use diesel_async::AsyncConnection;
use living_gate_db::{pool, resources, trip_resources};
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"resource_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01"]}))]
pub struct SupportedResources {
    /// Directory entries; replaces the list. At most 100.
    pub resource_ids: Vec<Uuid>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"trip_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e90", "resource_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01"]}))]
pub struct TripResources {
    pub trip_id: Uuid,
    pub resource_ids: Vec<Uuid>,
}

/// Sets the directory organizations a TRIP supports (the desk, the lead department).
#[utoipa::path(tag = "trips", request_body = SupportedResources, security(("bearer" = [])),
    responses((status = 200, description = "The supported organizations", body = TripResources),
        (status = 403, description = "Only the desk and the lead department change a TRIP", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[put("/trips/{id}/supported-resources")]
pub async fn replace(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<SupportedResources>,
) -> ApiResult<HttpResponse> {
    if body.resource_ids.len() > 100 {
        return Err(ApiError::validation(
            "resource_ids",
            "too_many",
            "at most 100 entries",
        ));
    }
    let ids = dedup(&body.resource_ids);
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    authorize(
        &caller.actor,
        Action::UpdateTrip {
            lead_department_id: trip.lead_department_id,
        },
    )?;
    if resources::existing(&mut conn, &ids).await?.len() != ids.len() {
        return Err(ApiError::validation(
            "resource_ids",
            "unknown_reference",
            "no such directory entry",
        ));
    }
    let after = conn
        .transaction(async |conn| {
            let before = trip_resources::list(conn, trip.id).await?;
            trip_resources::replace(conn, trip.id, &ids).await?;
            let after = trip_resources::list(conn, trip.id).await?;
            audit::record(conn, Some(&caller.actor), &caller.meta, audit::Event {
                action: "trip.supported_resources",
                target_type: "trip",
                target_id: Some(trip.id.to_string()),
                changes: serde_json::json!({"resource_ids": {"before": before, "after": after}}),
            })
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TripResources {
        trip_id: trip.id,
        resource_ids: after,
    }))
}
