//! Step 6, 案件化判断: the lead department's decision. Adoption creates the
//! TRIP in the same transaction; `adopted` and `not_adopted` are reached only here.

use crate::auth::Caller;
use crate::desk::cases::{visible, Proposal};
use crate::desk::moves::{move_case, MoveRequest};
use crate::desk::trip_view::{with_partners, Trip};
use crate::http::body::Json;
use crate::http::etag::IfMatch;
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::Utc;
use diesel_async::AsyncConnection;
use living_gate_db::desk::proposals::{self as proposals_db};
use living_gate_db::pool;
use living_gate_domain::desk::workflow::{Status, Via};
use living_gate_domain::names::bounded_text;
use living_gate_domain::ValidationErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Adopted,
    NotAdopted,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "adopted", "reason": "既存事業と一体で進められ、効果が見込める",
    "note_for_proposer": "共創プロジェクト（TRIP）として進めます"}))]
pub struct DecisionRequest {
    pub outcome: Outcome,
    /// Internal reason of the decision.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// What the proposer is told (required for `not_adopted`).
    #[schema(max_length = 2000)]
    pub note_for_proposer: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Decision {
    pub proposal: Proposal,
    /// The TRIP created by an adoption.
    pub trip: Option<Trip>,
}

/// Records the step-6 decision: only a user of the case's lead department
/// can, whatever anyone else sends. `adopted` creates the TRIP in the same
/// transaction.
#[utoipa::path(operation_id = "decideProposal", tag = "trips", request_body = DecisionRequest, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the case you read")),
    responses((status = 200, description = "Decided", body = Decision),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not the lead department, not awaiting a decision, or already decided", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since you read it", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<DecisionRequest>,
) -> ApiResult<HttpResponse> {
    let mut errors = ValidationErrors::new();
    let reason = errors.check(bounded_text("reason", &body.reason, 1, 2000));
    let note = body
        .note_for_proposer
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .and_then(|n| errors.check(bounded_text("note_for_proposer", n, 1, 2000)));
    if body.outcome == Outcome::NotAdopted && note.is_none() {
        errors.add("note_for_proposer", "required", "tell the proposer why");
    }
    errors.into_result()?;
    let to = if body.outcome == Outcome::Adopted {
        Status::Adopted
    } else {
        Status::NotAdopted
    };
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let (proposal, trip) = conn
        .transaction(async |conn| {
            let before = if_match.current(proposals_db::find_for_update(conn, *id).await?)?;
            let request = MoveRequest {
                to,
                via: Via::Decision,
                reason: reason.clone(),
                note_for_proposer: note.clone(),
            };
            let moved = move_case(conn, &caller, &before, request, Utc::now()).await?;
            let trip = match moved.trip {
                Some(trip) => Some(with_partners(conn, trip).await?),
                None => None,
            };
            Ok::<_, ApiError>((moved.case, trip))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Decision {
        proposal: Proposal::from(proposal),
        trip,
    }))
}
