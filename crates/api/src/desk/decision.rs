//! Step 6, 案件化判断: the lead department's decision. Adoption creates the
//! TRIP in the same transaction; `adopted`, `not_adopted` and
//! `open_procurement` (公募・競争による実施: no TRIP, the proposer is not the
//! implementer) are reached only here.

use crate::auth::Caller;
use crate::desk::cases::{present, visible, Proposal};
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
    /// Carried out through open, competitive procurement instead of with
    /// the proposer; no TRIP is created.
    OpenProcurement,
}

/// What the proposer is told of `open_procurement` when the department
/// sends no note: neutral, in both languages.
pub const OPEN_PROCUREMENT_NOTE: &str = "本提案の内容は、公募等の競争的な手続により実施することとなりました。公募の際はぜひご参加ください。\n\
The content of this proposal will be carried out through open, competitive procurement. We hope you will take part when it is announced.";

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "adopted", "reason": "既存事業と一体で進められ、効果が見込める",
    "note_for_proposer": "共創プロジェクト（TRIP）として進めます"}))]
pub struct DecisionRequest {
    pub outcome: Outcome,
    /// Internal reason of the decision.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// What the proposer is told (required for `not_adopted`; for
    /// `open_procurement` a neutral default text is used when absent).
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
/// transaction; `open_procurement` creates none.
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
    let (to, note) = match body.outcome {
        Outcome::Adopted => (Status::Adopted, note),
        Outcome::NotAdopted => (Status::NotAdopted, note),
        Outcome::OpenProcurement => (
            Status::OpenProcurement,
            note.or_else(|| Some(OPEN_PROCUREMENT_NOTE.to_owned())),
        ),
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
        proposal: present(&mut conn, &caller.actor, proposal).await?,
        trip,
    }))
}
