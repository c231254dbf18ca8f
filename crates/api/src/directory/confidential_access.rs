//! `/v1/confidential-access-grants`: who besides an owning city's desk may
//! read the hidden fields of that city's directory entries (a DV shelter's
//! street): departments (e.g. 地域福祉課, which refers DV victims) or named
//! staff users, of any city. Granted and revoked by the owning city's desk
//! or its admin; a revoked grant is kept (who, when). The decision itself is
//! the domain's (`directory::may_see_hidden_fields`).

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::users;
use living_gate_db::directory::confidential_access::{self as db, NewGrant};
use living_gate_db::{pool, reference::departments};
use living_gate_domain::identity::UserStatus;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9d02", "note": "DV被害者の紹介のため"}))]
pub struct GrantConfidentialAccess {
    /// The owning city; by default the caller's.
    pub municipality_id: Option<Uuid>,
    /// A department of any city: every user of it. Give this or `user_id`.
    pub department_id: Option<Uuid>,
    /// A named desk or department user of any city. Give this or `department_id`.
    pub user_id: Option<Uuid>,
    /// Why the access is needed.
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// A grant of confidential access to the hidden fields of a city's entries.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f41", "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02",
    "department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9d02", "user_id": null, "note": "DV被害者の紹介のため",
    "granted_by": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9a01", "granted_at": "2026-12-01T09:00:00+09:00",
    "revoked_by": null, "revoked_at": null, "active": true}))]
pub struct ConfidentialAccessGrant {
    pub id: Uuid,
    /// The owning city whose entries' hidden fields the grantee reads.
    pub municipality_id: Uuid,
    pub department_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub note: Option<String>,
    pub granted_by: Uuid,
    pub granted_at: DateTime<Utc>,
    pub revoked_by: Option<Uuid>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Not revoked.
    pub active: bool,
}

impl From<db::Grant> for ConfidentialAccessGrant {
    fn from(g: db::Grant) -> ConfidentialAccessGrant {
        ConfidentialAccessGrant {
            id: g.id,
            municipality_id: g.municipality_id,
            department_id: g.department_id,
            user_id: g.user_id,
            note: g.note,
            granted_by: g.granted_by,
            granted_at: g.granted_at,
            active: g.revoked_at.is_none(),
            revoked_by: g.revoked_by,
            revoked_at: g.revoked_at,
        }
    }
}

/// The owning city a request is about: the one named, else the caller's.
fn owning_city(caller: &Caller, named: Option<Uuid>) -> ApiResult<Uuid> {
    named.or(caller.actor.municipality_id).ok_or_else(|| {
        ApiError::validation(
            "municipality_id",
            "required",
            "name the owning city (you belong to none)",
        )
    })
}

/// Grants a department or a staff user confidential access to the hidden
/// fields of the owning city's entries (its desk, or its admin).
#[utoipa::path(operation_id = "grantConfidentialAccess", tag = "directory", request_body = GrantConfidentialAccess, security(("bearer" = [])),
    responses((status = 201, description = "Granted", body = ConfidentialAccessGrant, headers(("Location" = String))),
        (status = 403, description = "Only the owning city's desk or admin grants", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The grantee has an active grant of this city", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not exactly one grantee, or no such department or staff user", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/confidential-access-grants")]
pub async fn grant(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<GrantConfidentialAccess>,
) -> ApiResult<HttpResponse> {
    let municipality_id = owning_city(&caller, body.municipality_id)?;
    authorize(
        &caller.actor,
        Action::ManageConfidentialAccess { municipality_id },
    )?;
    let note = match body.note.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(bounded_text("note", n, 1, 500)?),
    };
    let mut conn = pool::connection(&state.pool).await?;
    match (body.department_id, body.user_id) {
        (Some(d), None) => {
            if departments::find(&mut conn, d).await?.is_none() {
                return Err(ApiError::validation(
                    "department_id",
                    "unknown_reference",
                    "no such department",
                ));
            }
        }
        (None, Some(u)) => {
            let staff = users::find(&mut conn, u).await?.is_some_and(|user| {
                matches!(user.role, Role::Desk | Role::Department)
                    && user.status == UserStatus::Active
            });
            if !staff {
                return Err(ApiError::validation(
                    "user_id",
                    "unknown_reference",
                    "no such active desk or department user (only staff are granted)",
                ));
            }
        }
        _ => {
            return Err(ApiError::validation(
                "department_id",
                "one_grantee",
                "give exactly one of department_id and user_id",
            ))
        }
    }
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(
                conn,
                &NewGrant {
                    id: Uuid::now_v7(),
                    municipality_id,
                    department_id: body.department_id,
                    user_id: body.user_id,
                    note,
                    granted_by: caller.actor.id,
                },
            )
            .await?;
            record::created(
                conn,
                &caller,
                "confidential_access_grant",
                &row,
                FeedEvent::desk(EventKind::ConfidentialAccessGranted).subject(row.id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/confidential-access-grants/{}", row.id),
        ))
        .json(ConfidentialAccessGrant::from(row)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantFilter {
    /// The owning city; by default the caller's (an admin of no city: every city).
    pub municipality_id: Option<Uuid>,
    /// Only grants not revoked.
    #[serde(default)]
    pub active: bool,
}

/// The confidential-access grants of an owning city, oldest first, revoked
/// ones too unless `active=true` (its desk, or its admin).
#[utoipa::path(operation_id = "listConfidentialAccessGrants", tag = "directory", params(GrantFilter, PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of grants", body = Paginated<ConfidentialAccessGrant>),
        (status = 403, description = "Only the owning city's desk or admin reads its grants", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/confidential-access-grants")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<GrantFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let page = page.page()?;
    let municipality = filter.municipality_id.or(caller.actor.municipality_id);
    match municipality {
        Some(municipality_id) => authorize(
            &caller.actor,
            Action::ManageConfidentialAccess { municipality_id },
        )?,
        // Every city's grants: only for a caller who may manage any city's.
        None if caller.actor.role == Role::Admin => {}
        None => return Err(ApiError::Forbidden),
    }
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(&mut conn, municipality, filter.active, page).await?;
    let (rows, next) = page.finish(rows, |g| g.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter()
            .map(ConfidentialAccessGrant::from)
            .collect::<Vec<_>>(),
        next,
    )))
}

/// Revokes a grant (the owning city's desk, or its admin): from the next
/// request on, the grantee gets the redacted view again. The grant is kept.
#[utoipa::path(operation_id = "revokeConfidentialAccess", tag = "directory", security(("bearer" = [])),
    responses((status = 204, description = "Revoked"),
        (status = 403, description = "Only the owning city's desk or admin revokes", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such grant", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Revoked already", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[delete("/confidential-access-grants/{id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    conn.transaction(async |conn| {
        let before = db::find_for_update(conn, *id)
            .await?
            .ok_or(ApiError::NotFound)?;
        authorize(
            &caller.actor,
            Action::ManageConfidentialAccess {
                municipality_id: before.municipality_id,
            },
        )?;
        if before.revoked_at.is_some() {
            return Err(ApiError::Conflict {
                detail: "the grant was revoked already".into(),
                extra: None,
            });
        }
        let after = db::revoke(conn, before.id, caller.actor.id).await?;
        let mut change = Change::updated(
            "confidential_access_grant",
            &before,
            &after,
            FeedEvent::desk(EventKind::ConfidentialAccessRevoked).subject(after.id),
        );
        change.action = "confidential_access_grant.revoke".to_owned();
        record::write(conn, &caller, change).await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
