//! Step 2, 内容整理: the desk's structured assessment of a case (fit with the
//! city's policy areas, feasibility, cost-effectiveness). Internal: the desk
//! records it, the desk and the departments involved read it, the proposer
//! never does. It informs the decision and gates no move.

use crate::auth::Caller;
use crate::desk::cases::{lock_open_case, visible};
use crate::http::body::Json;
use crate::http::etag::{with_etag, OptionalIfMatch, Upsert};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::assessments::{self as db, AssessmentValues};
use living_gate_db::directory::taxonomy;
use living_gate_db::pool;
use living_gate_domain::desk::assessment::{criterion, policy_areas};
use living_gate_domain::directory::Vocabulary;
use living_gate_domain::{authorize, Action, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A criterion as sent: a rating from 1 (poor) to 5 (strong) and a note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// The policy fit as sent: a criterion and the policy areas served.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyFitInput {
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
    /// Codes of the `policy_area` vocabulary (`GET /v1/taxonomy-terms?vocabulary=policy_area`).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub policy_areas: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "policy_fit": {"rating": 4, "note": "地域共生・居場所づくりの重点施策に合致", "policy_areas": ["hito", "kyoso"]},
    "feasibility": {"rating": 3, "note": "物件所有者との調整が必要"},
    "cost_effectiveness": {"rating": 4, "note": "既存サロン事業と一体で低コスト"}}))]
pub struct RecordAssessment {
    pub policy_fit: PolicyFitInput,
    pub feasibility: CriterionInput,
    pub cost_effectiveness: CriterionInput,
}

#[derive(Serialize, ToSchema)]
pub struct Criterion {
    pub rating: i16,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyFit {
    pub rating: i16,
    pub note: String,
    pub policy_areas: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
    "policy_fit": {"rating": 4, "note": "地域共生・居場所づくりの重点施策に合致", "policy_areas": ["hito", "kyoso"]},
    "feasibility": {"rating": 3, "note": "物件所有者との調整が必要"},
    "cost_effectiveness": {"rating": 4, "note": "既存サロン事業と一体で低コスト"},
    "assessed_by": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01",
    "created_at": "2026-05-10T02:00:00Z", "updated_at": "2026-05-11T02:00:00Z"}))]
pub struct Assessment {
    pub proposal_id: Uuid,
    pub policy_fit: PolicyFit,
    pub feasibility: Criterion,
    pub cost_effectiveness: Criterion,
    /// The desk user who recorded the current version.
    pub assessed_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<db::Assessment> for Assessment {
    fn from(a: db::Assessment) -> Self {
        Assessment {
            proposal_id: a.proposal_id,
            policy_fit: PolicyFit {
                rating: a.policy_fit_rating,
                note: a.policy_fit_note,
                policy_areas: a.policy_areas,
            },
            feasibility: Criterion {
                rating: a.feasibility_rating,
                note: a.feasibility_note,
            },
            cost_effectiveness: Criterion {
                rating: a.cost_effectiveness_rating,
                note: a.cost_effectiveness_note,
            },
            assessed_by: a.assessed_by,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// The values of a request, checked (422 with every error at once).
fn values(caller: &Caller, id: Uuid, body: &RecordAssessment) -> ApiResult<AssessmentValues> {
    let mut errors = ValidationErrors::new();
    let fit = errors.check(criterion(
        "policy_fit",
        body.policy_fit.rating,
        &body.policy_fit.note,
    ));
    let areas = errors.check(policy_areas(
        "policy_fit.policy_areas",
        &body.policy_fit.policy_areas,
    ));
    let feasibility = errors.check(criterion(
        "feasibility",
        body.feasibility.rating,
        &body.feasibility.note,
    ));
    let cost = errors.check(criterion(
        "cost_effectiveness",
        body.cost_effectiveness.rating,
        &body.cost_effectiveness.note,
    ));
    errors.into_result()?;
    let (Some(fit), Some(areas), Some(feasibility), Some(cost)) = (fit, areas, feasibility, cost)
    else {
        unreachable!("no errors, so every part parsed");
    };
    Ok(AssessmentValues {
        proposal_id: id,
        policy_fit_rating: fit.rating,
        policy_fit_note: fit.note,
        policy_areas: areas,
        feasibility_rating: feasibility.rating,
        feasibility_note: feasibility.note,
        cost_effectiveness_rating: cost.rating,
        cost_effectiveness_note: cost.note,
        assessed_by: caller.actor.id,
    })
}

/// Records the step-2 assessment of an open case (the desk of its city):
/// creates it (201), or replaces it (200) with the `If-Match` of the
/// version read (428 without it, 412 when stale). Unknown policy-area codes
/// and ratings outside 1–5 are 422.
#[utoipa::path(operation_id = "recordAssessment", tag = "proposals", request_body = RecordAssessment, security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "The ETag of the assessment you read; required once it exists")),
    responses((status = 200, description = "Replaced", body = Assessment, headers(("ETag" = String))),
        (status = 201, description = "Recorded", body = Assessment, headers(("ETag" = String))),
        (status = 403, description = "Only the desk assesses a case", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The assessment changed since you read it (or does not exist yet)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rating outside 1–5, a note too long, or an unknown policy area", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required once the assessment exists", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/proposals/{id}/assessment")]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: OptionalIfMatch,
    body: Json<RecordAssessment>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let values = values(&caller, *id, &body)?;
    let unknown =
        taxonomy::unknown_codes(&mut conn, Vocabulary::PolicyArea, &values.policy_areas).await?;
    if !unknown.is_empty() {
        let mut errors = ValidationErrors::new();
        for code in unknown {
            errors.add(
                "policy_fit.policy_areas",
                "unknown_term",
                format!("no policy_area term with code {code}"),
            );
        }
        errors.into_result()?;
    }
    let (row, created) = conn
        .transaction(async |conn| {
            let case = lock_open_case(conn, *id).await?;
            let event =
                || FeedEvent::case(case.id, EventKind::AssessmentRecorded, Visibility::Internal);
            let before = db::find_for_update(conn, case.id).await?;
            match if_match.upsert(before, |b| b.version)? {
                Upsert::Replace(before) => {
                    let after = db::update(conn, &values).await?;
                    record::updated(conn, &caller, "assessment", &before, &after, event()).await?;
                    Ok::<_, ApiError>((after, false))
                }
                Upsert::Create => {
                    // Another request may record one between our read and insert.
                    let row = db::insert(conn, &values)
                        .await?
                        .ok_or(ApiError::PreconditionRequired)?;
                    record::created(conn, &caller, "assessment", &row, event()).await?;
                    Ok((row, true))
                }
            }
        })
        .await?;
    let response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(with_etag(response, row.version, Assessment::from(row)))
}

/// The step-2 assessment of a case, with the ETag that revising it needs:
/// for the desk and the departments involved in the case (the proposer gets
/// 403, as for the case's other internal records; 404 until one is recorded).
#[utoipa::path(operation_id = "getAssessment", tag = "proposals", security(("bearer" = [])),
    responses((status = 200, description = "The assessment", body = Assessment, headers(("ETag" = String))),
        (status = 403, description = "The assessment is internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case visible to you, or not assessed yet", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/assessment")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::ReadCoordination)?;
    let row = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Assessment::from(row),
    ))
}
