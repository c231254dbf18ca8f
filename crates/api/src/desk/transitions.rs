//! `POST /v1/proposals/{id}/transitions`: moving a case through steps 1–5,
//! holding, stepping back, declining and withdrawing.

use crate::auth::Caller;
use crate::desk::cases::{present, visible, Proposal};
use crate::desk::moves::{move_case, MoveRequest};
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::etag::IfMatch;
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::Utc;
use diesel_async::AsyncConnection;
use living_gate_db::desk::proposals::{self as db};
use living_gate_db::pool;
use living_gate_domain::desk::workflow::{Status, Via};
use living_gate_domain::names::bounded_text;
use living_gate_domain::ValidationErrors;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "hearing", "reason": "内容整理完了。地域福祉課・市民協働課にヒアリング", "note_for_proposer": "関係課との調整を始めました"}))]
pub struct TransitionRequest {
    pub to: Status,
    /// Internal reason (required for declining, stepping back and holding). Never shown to the proposer.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// What the proposer is told (required when declining).
    #[schema(max_length = 2000)]
    pub note_for_proposer: Option<String>,
}

/// Moves a case through steps 1–5. Only the desk moves steps; the proposer
/// may withdraw. `adopted` and `not_adopted` are not transitions: they are
/// the lead department's decision (`POST /v1/proposals/{id}/decision`, which
/// creates the TRIP), and asking for them here is 409 with `decision`
/// pointing there. Any other illegal move is 409 listing the moves allowed to
/// the caller now.
#[utoipa::path(operation_id = "transitionProposal", tag = "proposals", request_body = TransitionRequest, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the case you read")),
    responses((status = 200, description = "Moved", body = Proposal, headers(("ETag" = String))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move the caller can make now; `allowed_moves` lists those it can (a decision answers with `decision`, the path to record it)", body = crate::http::problem::Problem, content_type = "application/problem+json",
            example = json!({"type": "https://living-gate.example/problems/conflict", "title": "Conflict", "status": 409,
                "detail": "organizing → logic_model is not a move you can make now", "instance": "/v1/proposals/0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50/transitions",
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
    body: Json<TransitionRequest>,
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
            let request = MoveRequest {
                to: body.to,
                via: Via::Transition,
                reason: reason.clone(),
                note_for_proposer: note.clone(),
            };
            let moved = move_case(conn, &caller, &before, request, Utc::now()).await?;
            Ok::<_, ApiError>(moved.case)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        present(&mut conn, &caller.actor, row).await?,
    ))
}
