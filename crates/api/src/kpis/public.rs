//! The year's public KPI figures per city (issue 18, showing the results):
//! anonymous and read-only, the same numbers as the desk's report
//! (`report::build`) for the same year: proposals received, the conversion
//! rate, TRIPs created and TRIPs supporting community activities. Counts
//! only: no case, no person, no organization.

use crate::http::bounds::check_year;
use crate::http::problem::{ApiError, ApiResult};
use crate::kpis::report::build;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::Utc;
use living_gate_db::pool::{self, RowScope};
use living_gate_db::reference::municipalities;
use living_gate_db::Page;
use living_gate_domain::identity::RecordStatus;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicKpiParams {
    /// The fiscal year (April–March, Japan time); default: the current one.
    #[param(minimum = 2000, maximum = 2200, example = 2026)]
    pub fiscal_year: Option<i32>,
    /// One city (its id); every active city by default.
    pub municipality_id: Option<Uuid>,
}

/// One city's public figures of a fiscal year.
#[derive(Serialize, ToSchema)]
pub struct PublicCityKpis {
    pub municipality_id: Uuid,
    pub city: String,
    /// Proposals and consultations received in the year.
    pub proposals_received: i64,
    /// Of the cases received in the year: adopted / decided (`null` before
    /// any decision), as in the desk's report (`conversion.rate_of_decided`).
    pub conversion_rate: Option<f64>,
    /// Of the cases received in the year: adopted / received
    /// (`conversion.rate_of_received`).
    pub conversion_rate_of_received: Option<f64>,
    /// TRIPs started in the year (`trips_started.count`).
    pub trips_created: i64,
    /// TRIPs of the year supporting community activities (`community_supports.count`).
    pub community_activities_supported: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"fiscal_year": 2026, "cities": [{"municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02",
    "city": "座間市", "proposals_received": 12, "conversion_rate": 0.5, "conversion_rate_of_received": 0.25,
    "trips_created": 3, "community_activities_supported": 2}]}))]
pub struct PublicKpis {
    pub fiscal_year: i32,
    pub cities: Vec<PublicCityKpis>,
}

/// The fiscal year's public figures, per city; anonymous.
#[utoipa::path(operation_id = "getPublicKpis", tag = "public", params(PublicKpiParams), security(()),
    responses((status = 200, description = "The figures of each city", body = PublicKpis)))]
#[get("/public/kpis")]
pub async fn public_kpis(
    state: web::Data<AppState>,
    params: web::Query<PublicKpiParams>,
) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    let fiscal_year = check_year(
        "fiscal_year",
        params
            .fiscal_year
            .unwrap_or_else(|| living_gate_domain::fiscal::fiscal_year(now)),
    )?;
    // Counts of every city are public: read across the cities' row scopes.
    let cities = pool::scoped(RowScope::All, async {
        let mut conn = crate::http::read_routing::public_read(&state).await?;
        let all = Page {
            after: None,
            limit: 200,
        };
        let cities: Vec<_> = municipalities::list(&mut conn, all)
            .await?
            .into_iter()
            .filter(|m| m.status == RecordStatus::Active)
            .filter(|m| params.municipality_id.is_none_or(|id| id == m.id))
            .collect();
        let mut out = Vec::new();
        for city in cities {
            let report = build(&mut conn, Some(city.id), fiscal_year, now).await?;
            out.push(PublicCityKpis {
                municipality_id: city.id,
                city: city.name,
                proposals_received: report.proposals_received.total,
                conversion_rate: report.conversion.rate_of_decided,
                conversion_rate_of_received: report.conversion.rate_of_received,
                trips_created: report.trips_started.count,
                community_activities_supported: report.community_supports.trips.count,
            });
        }
        Ok::<_, ApiError>(out)
    })
    .await?;
    Ok(HttpResponse::Ok().json(PublicKpis {
        fiscal_year,
        cities,
    }))
}
