//! Network matches: the desk proposes a directory entry as a partner of a
//! case in step 4 (from `matching` until the decision), and records the
//! organization's answer (its contact is not a user): the day, how it was
//! agreed, a note. Internal to the case, like the department matches: the
//! desk and the departments involved read them; the proposer learns the
//! partners from the TRIP's supported organizations once adopted.

use crate::auth::Caller;
use crate::desk::cases::{lock_open_case, visible};
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::network_matches::{self as db, NetworkAnswer, NewNetworkMatch};
use living_gate_db::directory::resources;
use living_gate_db::{pool, AsyncPgConnection, DbError};
use living_gate_domain::desk::coordination::MatchStatus;
use living_gate_domain::desk::network::AgreementChannel;
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, fiscal, Action, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The steps in which the desk proposes network partners: step 4 and what
/// follows it until the decision (a partner found while the logic model is
/// written still counts).
pub const PROPOSING_STEPS: [Status; 3] = [
    Status::Matching,
    Status::LogicModel,
    Status::AwaitingDecision,
];

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e81", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
    "resource_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "resource_name": "NPO法人ざま子ども食堂ネット",
    "status": "accepted", "note": "子ども食堂の運営ノウハウ", "answered_on": "2026-06-03", "answered_via": "phone",
    "answer_note": "代表が電話で快諾", "recorded_at": "2026-06-03T05:00:00Z", "created_at": "2026-06-01T02:00:00Z"}))]
pub struct NetworkMatch {
    pub id: Uuid,
    pub proposal_id: Uuid,
    /// The directory entry proposed as a partner.
    pub resource_id: Uuid,
    pub resource_name: String,
    /// `proposed`, then `accepted` or `declined` as the organization answered.
    pub status: MatchStatus,
    pub note: String,
    /// The day the organization answered (Japan date).
    pub answered_on: Option<NaiveDate>,
    /// How its answer reached the desk.
    pub answered_via: Option<AgreementChannel>,
    pub answer_note: Option<String>,
    /// When the desk recorded the answer.
    pub recorded_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl NetworkMatch {
    fn from_row(m: db::NetworkMatch, resource_name: String) -> NetworkMatch {
        NetworkMatch {
            id: m.id,
            proposal_id: m.proposal_id,
            resource_id: m.resource_id,
            resource_name,
            status: m.status,
            note: m.note,
            answered_on: m.answered_on,
            answered_via: m.answered_via,
            answer_note: m.answer_note,
            recorded_at: m.recorded_at,
            created_at: m.created_at,
        }
    }
}

async fn view(conn: &mut AsyncPgConnection, row: db::NetworkMatch) -> ApiResult<NetworkMatch> {
    let name = resources::find(conn, row.resource_id)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    Ok(NetworkMatch::from_row(row, name))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"resource_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "note": "子ども食堂の運営ノウハウ"}))]
pub struct ProposeNetworkMatch {
    /// A directory entry (`GET /v1/resources`), of any of the four cities.
    pub resource_id: Uuid,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

fn optional_note(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    if raw.trim().is_empty() {
        Ok(String::new())
    } else {
        bounded_text(field, raw, 1, 2000)
    }
}

/// Proposes a directory entry as a partner of the case (the desk), in
/// step 4 until the decision.
#[utoipa::path(operation_id = "proposeNetworkMatch", tag = "matches", request_body = ProposeNetworkMatch, security(("bearer" = [])),
    responses((status = 201, description = "Proposed", body = NetworkMatch, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk matches", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is not in step 4 (matching) to its decision, or the entry already has an open match on it", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such directory entry, or a note too long", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/network-matches")]
pub async fn propose(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<ProposeNetworkMatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let note = optional_note("note", &body.note)?;
    if resources::find(&mut conn, body.resource_id)
        .await?
        .is_none()
    {
        return Err(ApiError::validation(
            "resource_id",
            "unknown_reference",
            "no such directory entry",
        ));
    }
    let row = conn
        .transaction(async |conn| {
            let case = lock_open_case(conn, *id).await?;
            if !PROPOSING_STEPS.contains(&case.status) {
                return Err(ApiError::Conflict {
                    detail: format!(
                        "network partners are proposed from step 4 (matching) until the decision; the case is {}",
                        case.status
                    ),
                    extra: Some(serde_json::json!({ "current_status": case.status })),
                });
            }
            let row = db::insert(
                conn,
                &NewNetworkMatch {
                    id: Uuid::now_v7(),
                    proposal_id: case.id,
                    resource_id: body.resource_id,
                    note: note.clone(),
                    proposed_by: caller.actor.id,
                },
            )
            .await
            .map_err(|e| match e {
                DbError::UniqueViolation { .. } => ApiError::Conflict {
                    detail: "this entry already has an open match on the case".into(),
                    extra: None,
                },
                other => other.into(),
            })?;
            let proposed =
                FeedEvent::case(case.id, EventKind::NetworkMatchProposed, Visibility::Internal)
                    .subject(row.id);
            record::created(conn, &caller, "network_match", &row, proposed).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/network-matches/{}", row.id);
    let version = row.version;
    let view = view(&mut conn, row).await?;
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .take(),
        version,
        view,
    ))
}

/// The network matches of a case, oldest first: the desk and the
/// departments involved (internal, as department matches are).
#[utoipa::path(operation_id = "listNetworkMatches", tag = "matches", security(("bearer" = [])),
    responses((status = 200, description = "The network matches, oldest first", body = Vec<NetworkMatch>),
        (status = 403, description = "Matching is internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/network-matches")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::ReadCoordination)?;
    let rows = db::of_proposal(&mut conn, *id).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.resource_id).collect();
    let names = resources::find_many(&mut conn, &ids).await?;
    let items: Vec<NetworkMatch> = rows
        .into_iter()
        .map(|row| {
            let name = names
                .iter()
                .find(|r| r.id == row.resource_id)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            NetworkMatch::from_row(row, name)
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answered_on": "2026-06-03", "via": "phone", "note": "代表が電話で快諾"}))]
pub struct NetworkMatchAnswer {
    /// The day the organization answered (Japan date): not in the future,
    /// not before the match was proposed.
    pub answered_on: NaiveDate,
    /// How its answer reached the desk.
    pub via: AgreementChannel,
    /// What was agreed, or why it declined.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

async fn answer(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: &NetworkMatchAnswer,
    accepting: bool,
) -> ApiResult<HttpResponse> {
    let note = optional_note("note", &body.note)?;
    let mut conn = pool::connection(&state.pool).await?;
    let found = db::find(&mut conn, id).await?.ok_or(ApiError::NotFound)?;
    visible(&mut conn, &caller.actor, found.proposal_id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let today = fiscal::date_in_japan(Utc::now());
    if body.answered_on > today {
        return Err(ApiError::validation(
            "answered_on",
            "in_the_future",
            "must not be after today (Japan time)",
        ));
    }
    if body.answered_on < fiscal::date_in_japan(found.created_at) {
        return Err(ApiError::validation(
            "answered_on",
            "before_proposed",
            "must not be before the day the match was proposed",
        ));
    }
    let row = conn
        .transaction(async |conn| {
            let case = lock_open_case(conn, found.proposal_id).await?;
            let before = db::find_for_update(conn, id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if before.status != MatchStatus::Proposed {
                return Err(ApiError::Conflict {
                    detail: format!("the network match is already {}", before.status),
                    extra: None,
                });
            }
            let after = db::update(
                conn,
                before.id,
                &NetworkAnswer {
                    status: if accepting {
                        MatchStatus::Accepted
                    } else {
                        MatchStatus::Declined
                    },
                    answered_on: body.answered_on,
                    answered_via: body.via,
                    answer_note: (!note.is_empty()).then(|| note.clone()),
                    recorded_by: caller.actor.id,
                    recorded_at: Utc::now(),
                },
            )
            .await?;
            let kind = if accepting {
                EventKind::NetworkMatchAccepted
            } else {
                EventKind::NetworkMatchDeclined
            };
            let answered = FeedEvent::case(case.id, kind, Visibility::Internal).subject(after.id);
            record::updated(conn, caller, "network_match", &before, &after, answered).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    let version = row.version;
    let view = view(&mut conn, row).await?;
    Ok(with_etag(HttpResponse::Ok(), version, view))
}

/// Records that the organization agreed to partner on the case (the desk,
/// for the organization): the day and how it was agreed. On adoption it
/// becomes one of the TRIP's supported organizations.
#[utoipa::path(operation_id = "acceptNetworkMatch", tag = "matches", request_body = NetworkMatchAnswer, security(("bearer" = [])),
    responses((status = 200, description = "Accepted", body = NetworkMatch, headers(("ETag" = String))),
        (status = 403, description = "Only the desk records an organization's answer", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such network match visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered, or the case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date in the future or before the proposal, an unknown channel, a note too long", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/network-matches/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NetworkMatchAnswer>,
) -> ApiResult<HttpResponse> {
    answer(&state, &caller, *id, &body, true).await
}

/// Records that the organization declined (the desk, for the organization).
#[utoipa::path(operation_id = "declineNetworkMatch", tag = "matches", request_body = NetworkMatchAnswer, security(("bearer" = [])),
    responses((status = 200, description = "Declined", body = NetworkMatch, headers(("ETag" = String))),
        (status = 403, description = "Only the desk records an organization's answer", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such network match visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered, or the case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date in the future or before the proposal, an unknown channel, a note too long", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/network-matches/{id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NetworkMatchAnswer>,
) -> ApiResult<HttpResponse> {
    answer(&state, &caller, *id, &body, false).await
}
