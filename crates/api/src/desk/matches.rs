//! Matches (step 4): the desk proposes departments as lead or support; each
//! department accepts or declines. At most one accepted lead per case.

use crate::auth::Caller;
use crate::desk::cases::{
    active_department, check_department_item, lock_open_case, own_department, visible,
};
use crate::desk::coordination;
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::matches::{self as db, NewMatch};
use living_gate_db::{pool, reference::departments, DbError};
use living_gate_domain::desk::coordination::{MatchRole, MatchStatus};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e80", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
    "department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03", "role": "lead", "status": "accepted",
    "note": "居場所づくり事業の所管として", "reason": "既存のサロン事業と一体で進められる",
    "decided_at": "2026-06-01T02:00:00Z", "created_at": "2026-05-25T02:00:00Z"}))]
pub struct Match {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub department_id: Uuid,
    /// `lead` or `support`.
    pub role: MatchRole,
    /// `proposed`, `accepted` or `declined`.
    pub status: MatchStatus,
    pub note: String,
    /// The department's reason for accepting or declining.
    pub reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<db::Match> for Match {
    fn from(m: db::Match) -> Self {
        Match {
            id: m.id,
            proposal_id: m.proposal_id,
            department_id: m.department_id,
            role: m.role,
            status: m.status,
            note: m.note,
            reason: m.reason,
            decided_at: m.decided_at,
            created_at: m.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03", "role": "lead", "note": "居場所づくり事業の所管として"}))]
pub struct ProposeMatch {
    pub department_id: Uuid,
    pub role: MatchRole,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "既存のサロン事業と一体で進められる"}))]
pub struct MatchAnswer {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Proposes a department as lead or support for a case (the desk).
#[utoipa::path(operation_id = "proposeMatch", tag = "matches", request_body = ProposeMatch, security(("bearer" = [])),
    responses((status = 201, description = "Proposed", body = Match, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk matches", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed, or the department already has an open match on it", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/matches")]
pub async fn propose(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<ProposeMatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let note = if body.note.trim().is_empty() {
        String::new()
    } else {
        bounded_text("note", &body.note, 1, 2000)?
    };
    let row = conn
        .transaction(async |conn| {
            let proposal = lock_open_case(conn, *id).await?;
            active_department(conn, &proposal, body.department_id).await?;
            let row = db::insert(
                conn,
                &NewMatch {
                    id: Uuid::now_v7(),
                    proposal_id: proposal.id,
                    department_id: body.department_id,
                    role: body.role,
                    note: note.clone(),
                    proposed_by: caller.actor.id,
                },
            )
            .await
            .map_err(|e| match e {
                DbError::UniqueViolation { .. } => ApiError::Conflict {
                    detail: "this department already has an open match on the case".into(),
                    extra: None,
                },
                other => other.into(),
            })?;
            let proposed =
                FeedEvent::case(proposal.id, EventKind::MatchProposed, Visibility::Internal)
                    .for_department(row.department_id)
                    .subject(row.id);
            record::created(conn, &caller, "match", &row, proposed).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/matches/{}", row.id);
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .take(),
        row.version,
        Match::from(row),
    ))
}

/// The matches of a case: all for the desk, its own for a department.
#[utoipa::path(operation_id = "listMatches", tag = "matches", security(("bearer" = [])),
    responses((status = 200, description = "The matches, oldest first", body = Vec<Match>),
        (status = 403, description = "Matching is internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/matches")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::ReadCoordination)?;
    let own = own_department(&caller.actor);
    let rows = db::of_proposal(&mut conn, *id, own).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Match::from).collect::<Vec<_>>()))
}

async fn answer(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: &MatchAnswer,
    accepting: bool,
) -> ApiResult<HttpResponse> {
    let reason = bounded_text("reason", &body.reason, 1, 2000)?;
    let mut conn = pool::connection(&state.pool).await?;
    let found = db::find(&mut conn, id).await?.ok_or(ApiError::NotFound)?;
    check_department_item(
        &mut conn,
        &caller.actor,
        found.proposal_id,
        found.department_id,
    )
    .await?;
    let row = conn
        .transaction(async |conn| {
            let before = db::find_for_update(conn, id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if before.status != MatchStatus::Proposed {
                return Err(ApiError::Conflict {
                    detail: format!("the match is already {}", before.status),
                    extra: None,
                });
            }
            let after =
                coordination::decide_match(conn, caller, &before, accepting, &reason, Utc::now())
                    .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), row.version, Match::from(row)))
}

/// The department accepts the match (an accepted lead becomes the case's responsible department).
#[utoipa::path(operation_id = "acceptMatch", tag = "matches", request_body = MatchAnswer, security(("bearer" = [])),
    responses((status = 200, description = "Accepted", body = Match, headers(("ETag" = String))),
        (status = 403, description = "Only the department matched answers", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered, or another department already leads", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/matches/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<MatchAnswer>,
) -> ApiResult<HttpResponse> {
    answer(&state, &caller, *id, &body, true).await
}

/// The department declines the match, with a reason.
#[utoipa::path(operation_id = "declineMatch", tag = "matches", request_body = MatchAnswer, security(("bearer" = [])),
    responses((status = 200, description = "Declined", body = Match, headers(("ETag" = String))),
        (status = 403, description = "Only the department matched answers", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/matches/{id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<MatchAnswer>,
) -> ApiResult<HttpResponse> {
    answer(&state, &caller, *id, &body, false).await
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03", "department_name": "地域福祉課", "score": 6,
    "reasons": ["ZLG-2026-0001 (led to adoption, ×2): themes [community_support], SDG [11] → 6 points"]}))]
pub struct MatchSuggestion {
    pub department_id: Uuid,
    pub department_name: String,
    /// Sum of the points in `reasons`.
    pub score: u32,
    /// Each past case that counted: `(2 × shared themes + shared SDG goals) × weight`,
    /// weight 2 when the department led it to adoption, 1 for an accepted
    /// match or interest at a hearing.
    pub reasons: Vec<String>,
}

/// Departments ranked for this case by how their past cases overlap its
/// themes and SDG goals, with the reason for each rank (the desk).
#[utoipa::path(operation_id = "listMatchSuggestions", tag = "matches", security(("bearer" = [])),
    responses((status = 200, description = "Ranked departments, best first", body = Vec<MatchSuggestion>),
        (status = 403, description = "Only the desk gets suggestions", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/match-suggestions")]
pub async fn suggestions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    use living_gate_domain::desk::suggestions::{rank, PastCase};
    let mut conn = pool::connection(&state.pool).await?;
    let proposal = visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let history: Vec<PastCase> = db::history(&mut conn, proposal.municipality_id, proposal.id)
        .await?
        .into_iter()
        .map(|h| PastCase {
            department_id: h.department_id,
            reference: h.reference,
            themes: h.themes,
            sdg_goals: h.sdg_goals,
            involvement: h.kind,
        })
        .collect();
    let mut ranked = Vec::new();
    for suggestion in rank(&proposal.themes, &proposal.sdg_goals, &history) {
        let name = departments::find(&mut conn, suggestion.department_id)
            .await?
            .map(|d| d.name)
            .unwrap_or_default();
        ranked.push(MatchSuggestion {
            department_id: suggestion.department_id,
            department_name: name,
            score: suggestion.score,
            reasons: suggestion.reasons,
        });
    }
    Ok(HttpResponse::Ok().json(ranked))
}
