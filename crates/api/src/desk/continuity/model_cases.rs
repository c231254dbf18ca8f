//! Model cases (成功の鍵は「最初の1件（モデル事例）」): the desk or the TRIP's
//! lead department marks a TRIP as a model case with its lessons (what
//! worked, what to repeat, what to avoid), revised under `If-Match`. Internal
//! to the city's staff: the desk and the lead department read them; the
//! proposer does not (403).

use crate::auth::Caller;
use crate::desk::trip_view::{trip_scope, visible_trip};
use crate::http::body::Json;
use crate::http::etag::{with_etag, OptionalIfMatch, Upsert};
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::model_cases::{self as db, Lessons, ModelCaseScope};
use living_gate_db::desk::{proposals, trips::TripScope};
use living_gate_db::pool;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"what_worked": "地域福祉課と市民協働課が初回から同席した",
    "what_to_repeat": "NPOとの顔合わせを提案から2週間以内に行う", "what_to_avoid": "指標を後から決めること"}))]
pub struct RecordModelCase {
    /// What worked (上手くいったこと). At least one of the three is not empty.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub what_worked: String,
    /// What to repeat in the next case (再現すること).
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub what_to_repeat: String,
    /// What to avoid (避けること).
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub what_to_avoid: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"trip_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e90", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
    "reference": "ZLG-2026-0001", "title": "空き店舗を活用した多世代の居場所づくり", "lead_department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03",
    "what_worked": "地域福祉課と市民協働課が初回から同席した", "what_to_repeat": "NPOとの顔合わせを提案から2週間以内に行う",
    "what_to_avoid": "指標を後から決めること", "marked_by": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01",
    "created_at": "2027-03-01T02:00:00Z", "updated_at": "2027-03-01T02:00:00Z"}))]
pub struct ModelCase {
    pub trip_id: Uuid,
    /// The TRIP's case.
    pub proposal_id: Uuid,
    pub reference: String,
    pub title: String,
    pub lead_department_id: Uuid,
    pub what_worked: String,
    pub what_to_repeat: String,
    pub what_to_avoid: String,
    /// Who recorded the current version of the lessons.
    pub marked_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

struct TripFacts {
    proposal_id: Uuid,
    reference: String,
    title: String,
    lead_department_id: Uuid,
}

impl ModelCase {
    fn from_row(m: db::ModelCase, trip: TripFacts) -> ModelCase {
        ModelCase {
            trip_id: m.trip_id,
            proposal_id: trip.proposal_id,
            reference: trip.reference,
            title: trip.title,
            lead_department_id: trip.lead_department_id,
            what_worked: m.what_worked,
            what_to_repeat: m.what_to_repeat,
            what_to_avoid: m.what_to_avoid,
            marked_by: m.marked_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn lessons(caller: &Caller, trip_id: Uuid, body: &RecordModelCase) -> ApiResult<Lessons> {
    let mut errors = ValidationErrors::new();
    let mut text = |field: &str, raw: &str| {
        if raw.trim().is_empty() {
            String::new()
        } else {
            errors
                .check(bounded_text(field, raw, 1, 4000))
                .unwrap_or_default()
        }
    };
    let what_worked = text("what_worked", &body.what_worked);
    let what_to_repeat = text("what_to_repeat", &body.what_to_repeat);
    let what_to_avoid = text("what_to_avoid", &body.what_to_avoid);
    if errors.is_empty()
        && what_worked.is_empty()
        && what_to_repeat.is_empty()
        && what_to_avoid.is_empty()
    {
        errors.add(
            "what_worked",
            "required",
            "write at least one lesson (what worked, what to repeat or what to avoid)",
        );
    }
    errors.into_result()?;
    Ok(Lessons {
        trip_id,
        what_worked,
        what_to_repeat,
        what_to_avoid,
        marked_by: caller.actor.id,
    })
}

async fn facts(
    conn: &mut living_gate_db::AsyncPgConnection,
    trip: &living_gate_db::desk::trips::Trip,
) -> ApiResult<TripFacts> {
    let case = proposals::find(conn, trip.proposal_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(TripFacts {
        proposal_id: trip.proposal_id,
        reference: case.reference,
        title: trip.title.clone(),
        lead_department_id: trip.lead_department_id,
    })
}

/// Marks the TRIP as a model case with its lessons (the desk, the lead
/// department): creates it (201), or revises the lessons (200) with the
/// `If-Match` of the version read (428 without it, 412 when stale).
#[utoipa::path(operation_id = "recordModelCase", tag = "trips", request_body = RecordModelCase, security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "The ETag of the model case you read; required once it exists")),
    responses((status = 200, description = "Revised", body = ModelCase, headers(("ETag" = String))),
        (status = 201, description = "Marked as a model case", body = ModelCase, headers(("ETag" = String))),
        (status = 403, description = "Only the desk and the lead department mark a model case", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such TRIP visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The model case changed since you read it (or is not marked yet)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No lesson, or a lesson too long", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required once the TRIP is a model case", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/trips/{id}/model-case")]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: OptionalIfMatch,
    body: Json<RecordModelCase>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    authorize(
        &caller.actor,
        Action::UpdateTrip {
            lead_department_id: trip.lead_department_id,
        },
    )?;
    let values = lessons(&caller, trip.id, &body)?;
    let (row, created) = conn
        .transaction(async |conn| {
            let event = || {
                FeedEvent::case(
                    trip.proposal_id,
                    EventKind::ModelCaseRecorded,
                    Visibility::Internal,
                )
                .subject(trip.id)
            };
            let before = db::find_for_update(conn, trip.id).await?;
            match if_match.upsert(before, |b| b.version)? {
                Upsert::Replace(before) => {
                    let after = db::update(conn, &values).await?;
                    record::updated(conn, &caller, "model_case", &before, &after, event()).await?;
                    Ok::<_, ApiError>((after, false))
                }
                Upsert::Create => {
                    let row = db::insert(conn, &values)
                        .await?
                        .ok_or(ApiError::PreconditionRequired)?;
                    record::created(conn, &caller, "model_case", &row, event()).await?;
                    Ok((row, true))
                }
            }
        })
        .await?;
    let facts = facts(&mut conn, &trip).await?;
    let response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(with_etag(
        response,
        row.version,
        ModelCase::from_row(row, facts),
    ))
}

/// The TRIP's model case and its lessons, with its `ETag` (the desk, the
/// lead department; 404 when the TRIP is not a model case).
#[utoipa::path(operation_id = "getModelCase", tag = "trips", security(("bearer" = [])),
    responses((status = 200, description = "The model case", body = ModelCase, headers(("ETag" = String))),
        (status = 403, description = "Lessons are internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such TRIP visible to you, or not a model case", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/trips/{id}/model-case")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::ReadCoordination)?;
    let row = db::find(&mut conn, trip.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let facts = facts(&mut conn, &trip).await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        ModelCase::from_row(row, facts),
    ))
}

/// The model cases the caller may read: the desk's city's, the TRIPs a
/// department leads; by TRIP id.
#[utoipa::path(operation_id = "listModelCases", tag = "trips", params(PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of model cases", body = Paginated<ModelCase>),
        (status = 403, description = "Lessons are internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A limit out of range or a malformed cursor", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/model-cases")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadCoordination)?;
    let scope = match trip_scope(&caller.actor)? {
        TripScope::Municipality(id) => ModelCaseScope::Municipality(id),
        TripScope::Department(id) => ModelCaseScope::Department(id),
        TripScope::Organization(_) => return Err(ApiError::Forbidden),
    };
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(&mut conn, scope, page).await?;
    let (rows, next) = page.finish(rows, |m| m.model.trip_id);
    let items = rows
        .into_iter()
        .map(|m| {
            let facts = TripFacts {
                proposal_id: m.proposal_id,
                reference: m.reference,
                title: m.title,
                lead_department_id: m.lead_department_id,
            };
            ModelCase::from_row(m.model, facts)
        })
        .collect();
    Ok(HttpResponse::Ok().json(Paginated::new(items, next)))
}
