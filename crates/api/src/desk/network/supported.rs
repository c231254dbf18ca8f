//! The TRIP's supported organizations as read: whoever sees the TRIP (the
//! proposer only the entries of the public directory).

use crate::auth::Caller;
use crate::desk::trip_view::visible_trip;
use crate::http::problem::ApiResult;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use living_gate_db::desk::trip_resources;
use living_gate_db::{directory::resources, pool};
use living_gate_domain::directory::{EntryVisibility, LegalForm};
use living_gate_domain::Role;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct SupportedOrganization {
    pub resource_id: Uuid,
    pub name: String,
    pub legal_form: LegalForm,
    /// The city that maintains the entry.
    pub municipality_id: Uuid,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"trip_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e90", "resource_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01"],
    "organizations": [{"resource_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "name": "NPO法人ざま子ども食堂ネット",
        "legal_form": "npo", "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02"}]}))]
pub struct TripSupportedOrganizations {
    pub trip_id: Uuid,
    pub resource_ids: Vec<Uuid>,
    pub organizations: Vec<SupportedOrganization>,
}

/// The directory organizations a TRIP supports: those set with `PUT` and
/// the network partners its adoption carried in.
#[utoipa::path(operation_id = "listTripSupportedResources", tag = "trips", security(("bearer" = [])),
    responses((status = 200, description = "The supported organizations", body = TripSupportedOrganizations),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such TRIP visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/trips/{id}/supported-resources")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    let ids = trip_resources::list(&mut conn, trip.id).await?;
    let staff = caller.actor.role != Role::Partner;
    let mut organizations: Vec<SupportedOrganization> = resources::find_many(&mut conn, &ids)
        .await?
        .into_iter()
        .filter(|r| staff || r.visibility == EntryVisibility::Public)
        .map(|r| SupportedOrganization {
            resource_id: r.id,
            name: r.name,
            legal_form: r.legal_form,
            municipality_id: r.municipality_id,
        })
        .collect();
    organizations.sort_by_key(|o| o.resource_id);
    Ok(HttpResponse::Ok().json(TripSupportedOrganizations {
        trip_id: trip.id,
        resource_ids: organizations.iter().map(|o| o.resource_id).collect(),
        organizations,
    }))
}
