//! `POST /v1/proposals/{id}/transitions`: moving a case through steps 1–5,
//! holding, stepping back, declining and withdrawing.

use crate::auth::Caller;
use crate::desk::cases::{visible, Proposal};
use crate::desk::moves::apply_move;
use crate::http::etag::with_etag;
use crate::http::etag::IfMatch;
use crate::http::problem::ApiResult;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use diesel_async::AsyncConnection;
use living_gate_db::pool;
use living_gate_db::proposals::{self as db};
use living_gate_domain::names::bounded_text;
use living_gate_domain::workflow::Status;
use living_gate_domain::ValidationErrors;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "hearing", "reason": "内容整理完了。地域福祉課・市民協働課にヒアリング", "note_for_proposer": "関係課との調整を始めました"}))]
pub struct TransitionRequest {
    pub to: Status,
    /// Internal reason (required for declining, stepping back, holding and deciding). Never shown to the proposer.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// What the proposer is told (required when declining or not adopting).
    #[schema(max_length = 2000)]
    pub note_for_proposer: Option<String>,
}

/// Moves a case through the workflow. Only the desk moves steps 1–5; only
/// the lead department records the decision; the proposer may withdraw. An
/// illegal move is 409 listing the moves allowed to the caller now.
#[utoipa::path(tag = "proposals", request_body = TransitionRequest, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the case you read")),
    responses((status = 200, description = "Moved", body = Proposal, headers(("ETag" = String))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move the caller can make now; `allowed_moves` lists those it can", body = crate::http::problem::Problem, content_type = "application/problem+json",
            example = json!({"type": "https://living-gate.example/problems/conflict", "title": "Conflict", "status": 409,
                "detail": "organizing → adopted is not a move you can make now", "instance": "/v1/proposals/0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50/transitions",
                "request_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e51", "current_status": "organizing",
                "allowed_moves": ["hearing", "received", "declined", "on_hold"]})),
        (status = 412, description = "The case changed since you read it", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<TransitionRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut errors = ValidationErrors::new();
    let reason = body
        .reason
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .and_then(|r| errors.check(bounded_text("reason", r, 1, 2000)));
    let note = body
        .note_for_proposer
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .and_then(|r| errors.check(bounded_text("note_for_proposer", r, 1, 2000)));
    if matches!(body.to, Status::Declined | Status::NotAdopted) && note.is_none() {
        errors.add("note_for_proposer", "required", "tell the proposer why");
    }
    errors.into_result()?;
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            apply_move(
                conn,
                &caller,
                &before,
                body.to,
                reason.clone(),
                note.clone(),
            )
            .await
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Proposal::from(row),
    ))
}
