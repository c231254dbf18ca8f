//! An organization's page for the desk (継続的なパートナーシップ): its whole
//! history with the desk's city in time order.

use crate::auth::Caller;
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use living_gate_db::desk::history as db;
use living_gate_db::{pool, reference::organizations};
use living_gate_domain::desk::network::HistoryKind;
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// How many entries, oldest first: 1 to 500 (default 200).
    #[param(minimum = 1, maximum = 500, example = 200)]
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub kind: HistoryKind,
    pub proposal_id: Option<Uuid>,
    /// The case's reference, when the entry is about a case.
    pub reference: Option<String>,
    pub trip_id: Option<Uuid>,
    /// The organization's directory entry, when the entry is about it.
    pub resource_id: Option<Uuid>,
    /// The case's title, the department and its answer, the status…
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"organization_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e20", "name": "さがみテック株式会社",
    "items": [{"at": "2026-05-10T00:30:00Z", "kind": "case_received", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
        "reference": "ZLG-2026-0001", "trip_id": null, "resource_id": null, "detail": "空き店舗を活用した多世代の居場所づくり"}],
    "truncated": false}))]
pub struct OrganizationHistory {
    pub organization_id: Uuid,
    pub name: String,
    /// Oldest first.
    pub items: Vec<HistoryEntry>,
    /// More entries exist than `limit` returned.
    pub truncated: bool,
}

/// The organization's whole history with the desk's city, oldest first:
/// its cases (received, closed), their hearings and department matches, the
/// TRIPs it takes part in, and its directory entries (listed, proposed as
/// network partners, supported by TRIPs). The desk only.
#[utoipa::path(operation_id = "getOrganizationHistory", tag = "organizations", params(HistoryParams), security(("bearer" = [])),
    responses((status = 200, description = "The history", body = OrganizationHistory),
        (status = 403, description = "Only the desk reads an organization's history", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A limit out of range", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/organizations/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<HistoryParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::CoordinateCase)?;
    let limit = params.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation(
            "limit",
            "out_of_range",
            "must be between 1 and 500",
        ));
    }
    let municipality_id = caller.actor.municipality_id.ok_or(ApiError::Forbidden)?;
    let mut conn = pool::connection(&state.pool).await?;
    let organization = organizations::find(&mut conn, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut rows = db::of_organization(
        &mut conn,
        organization.id,
        municipality_id,
        i64::from(limit) + 1,
    )
    .await?;
    let truncated = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok(HttpResponse::Ok().json(OrganizationHistory {
        organization_id: organization.id,
        name: organization.name,
        items: rows
            .into_iter()
            .map(|r| HistoryEntry {
                at: r.at,
                kind: r.kind,
                proposal_id: r.proposal_id,
                reference: r.reference,
                trip_id: r.trip_id,
                resource_id: r.resource_id,
                detail: r.detail,
            })
            .collect(),
        truncated,
    }))
}
