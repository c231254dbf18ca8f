//! The anonymous, read-only list of published TRIPs (issue 18, showing the
//! results): only TRIPs published with their partner's consent, and only
//! public fields (title, the desk's public summary, the lead department,
//! the city, the start and the status). No person, no organization, no
//! case text, no internal note.

use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::ApiResult;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use living_gate_db::desk::trip_publications as db;
use living_gate_db::pool::{self, RowScope};
use living_gate_domain::desk::trip::TripStatus;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e80", "title": "多世代の居場所づくり",
    "summary": "駅前の空き店舗で多世代の居場所を開き、月2回の交流会を続けています。",
    "department": "市民協働課", "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "city": "座間市",
    "starts_on": "2026-07-01", "status": "active", "published_at": "2026-09-02T01:00:00Z"}))]
pub struct PublicTrip {
    /// The TRIP's id.
    pub id: Uuid,
    pub title: String,
    /// Written by the desk for the public.
    pub summary: String,
    /// The lead department's name.
    pub department: String,
    pub municipality_id: Uuid,
    /// The city's name.
    pub city: String,
    pub starts_on: Option<NaiveDate>,
    pub status: TripStatus,
    pub published_at: DateTime<Utc>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicTripParams {
    /// One city's TRIPs (`GET /v1/municipalities`); all four by default.
    pub municipality_id: Option<Uuid>,
}

/// The published TRIPs, by id; anonymous.
#[utoipa::path(operation_id = "listPublicTrips", tag = "public", params(PageParams, PublicTripParams), security(()),
    responses((status = 200, description = "A page of published TRIPs", body = Paginated<PublicTrip>)))]
#[get("/public/trips")]
pub async fn list(
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    filter: web::Query<PublicTripParams>,
) -> ApiResult<HttpResponse> {
    let page = params.page()?;
    // Published TRIPs are every city's public record: read across the
    // cities' row scopes, public fields only.
    let rows = pool::scoped(RowScope::All, async {
        let mut conn = pool::connection(&state.pool).await?;
        Ok::<_, crate::http::problem::ApiError>(
            db::published(&mut conn, filter.municipality_id, page).await?,
        )
    })
    .await?;
    let (rows, next) = page.finish(rows, |t| t.trip_id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter()
            .map(|t| PublicTrip {
                id: t.trip_id,
                title: t.title,
                summary: t.summary,
                department: t.department_name,
                municipality_id: t.municipality_id,
                city: t.municipality_name,
                starts_on: t.starts_on,
                status: t.status.0,
                published_at: t.published_at,
            })
            .collect(),
        next,
    )))
}
