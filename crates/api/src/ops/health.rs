//! Liveness and readiness.

use crate::http::problem::ApiResult;
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

/// The database is reachable; load balancers route traffic only when this is 200.
#[utoipa::path(operation_id = "getReadiness", tag = "operations", security(()), responses((status = 200, description = "Ready", body = Health)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    living_gate_db::pool::ping(&state.pool).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
