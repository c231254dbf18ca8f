//! Existing city programmes (既存施策との連携・補完): the desk keeps a small
//! list of its city's programmes and links cases to them (the desk does not
//! replace existing programmes; a case may complement one). Internal to the
//! city's staff.

use crate::auth::Caller;
use crate::desk::cases::{lock_open_case, visible};
use crate::http::body::Json;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::programmes::{self as db, NewProgramme};
use living_gate_db::{pool, reference::departments, DbError};
use living_gate_domain::access::policy::department_may_join;
use living_gate_domain::names::bounded_text;
use living_gate_domain::validation::dedup;
use living_gate_domain::{authorize, Action, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9ec1", "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02",
    "name": "ざま地域サロン事業", "description": "高齢者の通いの場の運営支援", "department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03",
    "created_at": "2026-04-01T00:00:00Z"}))]
pub struct Programme {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub name: String,
    pub description: String,
    /// The department that runs it.
    pub department_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<db::Programme> for Programme {
    fn from(p: db::Programme) -> Self {
        Programme {
            id: p.id,
            municipality_id: p.municipality_id,
            name: p.name,
            description: p.description,
            department_id: p.department_id,
            created_at: p.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "ざま地域サロン事業", "description": "高齢者の通いの場の運営支援",
    "department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03"}))]
pub struct CreateProgramme {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    /// A department of the desk's city.
    pub department_id: Option<Uuid>,
}

/// Adds an existing programme of the desk's city (the desk); names are
/// unique per city.
#[utoipa::path(operation_id = "createCityProgramme", tag = "proposals", request_body = CreateProgramme, security(("bearer" = [])),
    responses((status = 201, description = "Added", body = Programme),
        (status = 403, description = "Only the desk manages its city's programmes", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The city already has a programme of that name", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A name empty or too long, a description too long, or a department of another city", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/programmes")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateProgramme>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::CoordinateCase)?;
    let municipality_id = caller.actor.municipality_id.ok_or(ApiError::Forbidden)?;
    let mut errors = ValidationErrors::new();
    let name = errors.check(bounded_text("name", &body.name, 1, 200));
    let description = if body.description.trim().is_empty() {
        Some(String::new())
    } else {
        errors.check(bounded_text("description", &body.description, 1, 2000))
    };
    errors.into_result()?;
    let (Some(name), Some(description)) = (name, description) else {
        return Err(ApiError::internal("checked values missing"));
    };
    let mut conn = pool::connection(&state.pool).await?;
    if let Some(department_id) = body.department_id {
        let known = departments::find(&mut conn, department_id)
            .await?
            .is_some_and(|d| department_may_join(municipality_id, d.municipality_id));
        if !known {
            return Err(ApiError::validation(
                "department_id",
                "unknown_reference",
                "no such department of your city",
            ));
        }
    }
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(
                conn,
                &NewProgramme {
                    municipality_id,
                    id: Uuid::now_v7(),
                    name: name.clone(),
                    description: description.clone(),
                    department_id: body.department_id,
                    created_by: caller.actor.id,
                },
            )
            .await
            .map_err(|e| match e {
                DbError::UniqueViolation { .. } => ApiError::Conflict {
                    detail: "the city already has a programme of that name".into(),
                    extra: None,
                },
                other => other.into(),
            })?;
            let created = FeedEvent::desk(EventKind::CityProgrammeCreated)
                .in_municipality(Some(municipality_id))
                .subject(row.id);
            record::created(conn, &caller, "programme", &row, created).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(Programme::from(row)))
}

/// The existing programmes of the caller's city, by id (the desk and the
/// city's departments).
#[utoipa::path(operation_id = "listCityProgrammes", tag = "proposals", params(PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of programmes", body = Paginated<Programme>),
        (status = 403, description = "For the city's staff only", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A limit out of range or a malformed cursor", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/programmes")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadCoordination)?;
    let municipality_id = caller.actor.municipality_id.ok_or(ApiError::Forbidden)?;
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(&mut conn, municipality_id, page).await?;
    let (rows, next) = page.finish(rows, |p| p.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(Programme::from).collect(),
        next,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"programme_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9ec1"]}))]
pub struct ProposalProgrammeLinks {
    /// Programmes of the case's city; replaces the list. At most 20.
    pub programme_ids: Vec<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct ProposalProgrammes {
    pub proposal_id: Uuid,
    pub programmes: Vec<Programme>,
}

/// Sets the existing programmes a case is linked to (the desk, an open case).
#[utoipa::path(operation_id = "replaceProposalProgrammes", tag = "proposals", request_body = ProposalProgrammeLinks, security(("bearer" = [])),
    responses((status = 200, description = "The linked programmes", body = ProposalProgrammes),
        (status = 403, description = "Only the desk links programmes", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too many, or not a programme of the case's city", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/proposals/{id}/programmes")]
pub async fn replace(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<ProposalProgrammeLinks>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let case = visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    if body.programme_ids.len() > 20 {
        return Err(ApiError::validation(
            "programme_ids",
            "too_many",
            "at most 20 programmes",
        ));
    }
    let ids = dedup(&body.programme_ids);
    if db::of_city(&mut conn, case.municipality_id, &ids)
        .await?
        .len()
        != ids.len()
    {
        return Err(ApiError::validation(
            "programme_ids",
            "unknown_reference",
            "not a programme of the case's city",
        ));
    }
    let after = conn
        .transaction(async |conn| {
            let case = lock_open_case(conn, case.id).await?;
            let before: Vec<Uuid> = db::of_proposal(conn, case.id)
                .await?
                .iter()
                .map(|p| p.id)
                .collect();
            db::replace_links(conn, case.id, &ids, caller.actor.id).await?;
            let after = db::of_proposal(conn, case.id).await?;
            let replaced = FeedEvent::case(
                case.id,
                EventKind::ProposalProgrammesReplaced,
                Visibility::Internal,
            );
            record::write(
                conn,
                &caller,
                Change {
                    action: "proposal.programmes".into(),
                    target_type: "proposal",
                    target_id: case.id.to_string(),
                    changes: serde_json::json!({"programme_ids": {"before": before,
                        "after": after.iter().map(|p| p.id).collect::<Vec<_>>()}}),
                    event: replaced,
                },
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProposalProgrammes {
        proposal_id: case.id,
        programmes: after.into_iter().map(Programme::from).collect(),
    }))
}

/// The existing programmes a case is linked to (the desk, the departments
/// involved; internal).
#[utoipa::path(operation_id = "listProposalProgrammes", tag = "proposals", security(("bearer" = [])),
    responses((status = 200, description = "The linked programmes", body = ProposalProgrammes),
        (status = 403, description = "Internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/programmes")]
pub async fn of_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let case = visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::ReadCoordination)?;
    let rows = db::of_proposal(&mut conn, case.id).await?;
    Ok(HttpResponse::Ok().json(ProposalProgrammes {
        proposal_id: case.id,
        programmes: rows.into_iter().map(Programme::from).collect(),
    }))
}
