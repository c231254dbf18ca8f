//! Who am I: the caller with role and scope.

use crate::auth::Caller;
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use living_gate_db::{accounts::service_accounts, accounts::users, pool};
use living_gate_domain::Role;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    User,
    ServiceAccount,
}

/// What the caller may see and do is bounded by its role and this scope.
#[derive(Serialize, ToSchema)]
pub struct Scope {
    pub municipality_id: Option<Uuid>,
    /// Set for `department` users.
    pub department_id: Option<Uuid>,
    /// Set for `partner` users.
    pub organization_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01", "kind": "user", "email": "desk@zama.example.jp",
    "display_name": "窓口 太郎", "role": "desk",
    "scope": {"municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "department_id": null, "organization_id": null}
}))]
pub struct Me {
    pub id: Uuid,
    pub kind: PrincipalKind,
    /// `null` for service accounts.
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
}

/// The authenticated caller.
#[utoipa::path(operation_id = "getMe", tag = "auth", security(("bearer" = [])), responses((status = 200, description = "The caller", body = Me)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let actor = &caller.actor;
    let scope = Scope {
        municipality_id: actor.municipality_id,
        department_id: actor.department_id,
        organization_id: actor.organization_id,
    };
    let me = if actor.is_service_account {
        let account = service_accounts::find(&mut conn, actor.id)
            .await?
            .ok_or(ApiError::NotFound)?;
        Me {
            id: actor.id,
            kind: PrincipalKind::ServiceAccount,
            email: None,
            display_name: account.name,
            role: actor.role,
            scope,
        }
    } else {
        let user = users::find(&mut conn, actor.id)
            .await?
            .ok_or(ApiError::NotFound)?;
        Me {
            id: actor.id,
            kind: PrincipalKind::User,
            email: Some(user.email),
            display_name: user.display_name,
            role: actor.role,
            scope,
        }
    };
    Ok(HttpResponse::Ok().json(me))
}
