//! Departments: reference data every signed-in caller reads; admins change
//! them and invite their users.

use crate::admin::accounts::{self, Invitation, InviteRequest, Invitee};
use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::etag::IfMatch;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::pool;
use living_gate_db::reference::departments::{
    self as db, DepartmentChanges, DepartmentFilter, NewDepartment,
};
use living_gate_domain::identity::RecordStatus;
use living_gate_domain::names::{bounded_text, code};
use living_gate_domain::{authorize, Action, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03", "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02",
    "code": "shimin-kyodo", "name": "市民協働課", "name_en": "Citizen Collaboration Division", "status": "active",
    "created_at": "2026-04-01T00:00:00+00:00", "updated_at": "2026-04-01T00:00:00+00:00"
}))]
pub struct Department {
    pub id: Uuid,
    pub municipality_id: Uuid,
    /// Stable code, unique within the municipality.
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub status: RecordStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<db::Department> for Department {
    fn from(d: db::Department) -> Self {
        Department {
            id: d.id,
            municipality_id: d.municipality_id,
            code: d.code,
            name: d.name,
            name_en: d.name_en,
            status: d.status,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentListParams {
    pub municipality_id: Option<Uuid>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "code": "kankyo",
    "name": "環境政策課", "name_en": "Environmental Policy Division"}))]
pub struct CreateDepartment {
    pub municipality_id: Uuid,
    #[schema(pattern = "^[a-z0-9_-]{2,40}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name_en: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "市民協働推進課"}))]
pub struct UpdateDepartment {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub name_en: Option<String>,
    pub status: Option<RecordStatus>,
}

/// Lists departments, optionally of one municipality, ordered by id.
#[utoipa::path(operation_id = "listDepartments", tag = "reference data", params(PageParams, DepartmentListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of departments", body = Paginated<Department>)))]
#[get("/departments")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<DepartmentListParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadReferenceData)?;
    let page = params.page()?;
    let filter = DepartmentFilter {
        municipality_id: filter.municipality_id,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let (rows, next) = page.finish(db::list(&mut conn, filter, page).await?, |d| d.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(Department::from).collect(),
        next,
    )))
}

/// One department, with its `ETag`.
#[utoipa::path(operation_id = "getDepartment", tag = "reference data", security(("bearer" = [])),
    responses((status = 200, description = "The department", body = Department, headers(("ETag" = String)))))]
#[get("/departments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadReferenceData)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Department::from(row),
    ))
}

/// Creates a department (admin).
#[utoipa::path(operation_id = "createDepartment", tag = "reference data", request_body = CreateDepartment, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Department, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken in this municipality", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/departments")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateDepartment>,
) -> ApiResult<HttpResponse> {
    authorize(
        &caller.actor,
        Action::ManageDepartments {
            municipality_id: body.municipality_id,
        },
    )?;
    let mut errors = ValidationErrors::new();
    let code = errors.check(code("code", &body.code));
    let name = errors.check(bounded_text("name", &body.name, 1, 100));
    let name_en = errors.check(bounded_text("name_en", &body.name_en, 1, 100));
    errors.into_result()?;
    let (Some(code), Some(name), Some(name_en)) = (code, name, name_en) else {
        return Err(ApiError::internal("validation passed without values"));
    };
    let new = NewDepartment {
        id: Uuid::now_v7(),
        municipality_id: body.municipality_id,
        code,
        name,
        name_en,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(conn, &new).await?;
            record::created(
                conn,
                &caller,
                "department",
                &row,
                FeedEvent::desk(EventKind::DepartmentCreated)
                    .subject(row.id)
                    .in_municipality(Some(row.municipality_id)),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/departments/{}", row.id);
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .take(),
        row.version,
        Department::from(row),
    ))
}

/// Renames or disables a department (admin).
#[utoipa::path(operation_id = "updateDepartment", tag = "reference data", request_body = UpdateDepartment, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Department, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/departments/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateDepartment>,
) -> ApiResult<HttpResponse> {
    let mut errors = ValidationErrors::new();
    let changes = DepartmentChanges {
        name: body
            .name
            .as_deref()
            .and_then(|v| errors.check(bounded_text("name", v, 1, 100))),
        name_en: body
            .name_en
            .as_deref()
            .and_then(|v| errors.check(bounded_text("name_en", v, 1, 100))),
        status: body.status,
    };
    errors.into_result()?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let found = db::find_for_update(conn, *id).await?;
            // Departments are reference data every caller reads: the city is no secret.
            if let Some(department) = &found {
                authorize(
                    &caller.actor,
                    Action::ManageDepartments {
                        municipality_id: department.municipality_id,
                    },
                )?;
            }
            let before = if_match.current(found)?;
            let after = db::update(conn, before.id, &changes).await?;
            record::updated(
                conn,
                &caller,
                "department",
                &before,
                &after,
                FeedEvent::desk(EventKind::DepartmentUpdated)
                    .subject(after.id)
                    .in_municipality(Some(after.municipality_id)),
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Department::from(row),
    ))
}

/// Invites a user of this department (admin); returns the one-time token.
#[utoipa::path(operation_id = "inviteDepartmentUser", tag = "users", request_body = InviteRequest, security(("bearer" = [])),
    responses((status = 201, description = "Invited", body = Invitation),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail is taken", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/departments/{id}/invitations")]
pub async fn invite(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<InviteRequest>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageUsers)?;
    let (email, display_name) = accounts::parse_contact(&body.email, &body.display_name)?;
    let mut conn = pool::connection(&state.pool).await?;
    let invitation = conn
        .transaction(async |conn| {
            let department = db::find(conn, *id)
                .await?
                .filter(|d| d.status == RecordStatus::Active)
                .ok_or(ApiError::NotFound)?;
            authorize(
                &caller.actor,
                Action::InviteToDepartment {
                    municipality_id: department.municipality_id,
                },
            )?;
            let invitee = Invitee {
                email,
                display_name,
                role: Role::Department,
                municipality_id: Some(department.municipality_id),
                department_id: Some(department.id),
                organization_id: None,
            };
            accounts::invite(conn, &caller, invitee).await
        })
        .await?;
    Ok(HttpResponse::Created().json(invitation))
}
