//! Liveness and readiness.

use crate::http::problem::ApiResult;
use crate::ops::backup::status::BackupReadiness;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is alive.
#[utoipa::path(operation_id = "getHealth", tag = "operations", security(()), responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Ready, with details that do not decide readiness.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ok")]
    pub status: &'static str,
    pub details: ReadinessDetails,
}

#[derive(Serialize, ToSchema)]
pub struct ReadinessDetails {
    /// The backups' state (`GET /v1/backups` has the whole of it). A
    /// stale or failing backup is reported here but keeps the service
    /// ready: it still serves correctly, and taking it out of the load
    /// balancer would turn a backup problem into an outage.
    pub backups: BackupReadiness,
}

/// The database is reachable; load balancers route traffic only when this is 200.
#[utoipa::path(operation_id = "getReadiness", tag = "operations", security(()), responses((status = 200, description = "Ready", body = Readiness)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    living_gate_db::pool::ping(&state.pool).await?;
    let backups = crate::ops::backup::status::read(&state).await;
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ok",
        details: ReadinessDetails {
            backups: BackupReadiness::from(&backups),
        },
    }))
}
