//! BI service accounts (admin): created with a client id and a secret shown
//! once; used with `POST /v1/auth/token`.

use crate::auth::{passwords, secrets, Caller};
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::etag::IfMatch;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::service_accounts::{
    self as db, NewServiceAccount, ServiceAccountChanges,
};
use living_gate_db::pool;
use living_gate_domain::identity::RecordStatus;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e30", "client_id": "lg_bi_4f1c0e9a2b7d", "name": "Power BI (企画課)",
    "role": "analyst", "status": "active", "last_used_at": null, "created_at": "2026-11-27T09:00:00+00:00"}))]
pub struct ServiceAccount {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub role: Role,
    pub status: RecordStatus,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<db::ServiceAccount> for ServiceAccount {
    fn from(a: db::ServiceAccount) -> Self {
        ServiceAccount {
            id: a.id,
            client_id: a.client_id,
            name: a.name,
            role: Role::Analyst,
            status: a.status,
            last_used_at: a.last_used_at,
            created_at: a.created_at,
        }
    }
}

/// The new account with its secret: shown this once, stored only hashed.
#[derive(Serialize, ToSchema)]
pub struct CreatedServiceAccount {
    #[serde(flatten)]
    pub account: ServiceAccount,
    pub client_secret: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Power BI (企画課)"}))]
pub struct CreateServiceAccount {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "disabled"}))]
pub struct UpdateServiceAccount {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    pub status: Option<RecordStatus>,
}

/// Lists service accounts (admin).
#[utoipa::path(operation_id = "listServiceAccounts", tag = "service accounts", params(PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of service accounts", body = Paginated<ServiceAccount>),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/service-accounts")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageServiceAccounts)?;
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    let (rows, next) = page.finish(db::list(&mut conn, page).await?, |a| a.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(ServiceAccount::from).collect(),
        next,
    )))
}

/// Creates an `analyst` service account (admin); the secret is returned once.
#[utoipa::path(operation_id = "createServiceAccount", tag = "service accounts", request_body = CreateServiceAccount, security(("bearer" = [])),
    responses((status = 201, description = "Created; store the secret now", body = CreatedServiceAccount),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/service-accounts")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateServiceAccount>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageServiceAccounts)?;
    let name = bounded_text("name", &body.name, 1, 100)?;
    let client_id = format!("lg_bi_{}", &Uuid::now_v7().simple().to_string()[20..]);
    let client_secret = secrets::random_token();
    let secret = client_secret.clone();
    let secret_hash = passwords::blocking(move || passwords::hash(&secret))
        .await?
        .map_err(ApiError::internal)?;
    let new = NewServiceAccount {
        id: Uuid::now_v7(),
        client_id,
        secret_hash,
        name,
        created_by: Some(caller.actor.id),
    };
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(conn, &new).await?;
            record::created(
                conn,
                &caller,
                "service_account",
                &row,
                FeedEvent::desk(EventKind::ServiceAccountCreated).subject(row.id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedServiceAccount {
        account: row.into(),
        client_secret,
    }))
}

/// Renames or disables a service account (admin); a disabled one gets no tokens
/// and its current tokens stop working at once.
#[utoipa::path(operation_id = "updateServiceAccount", tag = "service accounts", request_body = UpdateServiceAccount, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = ServiceAccount, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/service-accounts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateServiceAccount>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageServiceAccounts)?;
    let changes = ServiceAccountChanges {
        name: body
            .name
            .as_deref()
            .map(|v| bounded_text("name", v, 1, 100))
            .transpose()?,
        status: body.status,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            let after = db::update(conn, before.id, &changes).await?;
            record::updated(
                conn,
                &caller,
                "service_account",
                &before,
                &after,
                FeedEvent::desk(EventKind::ServiceAccountUpdated).subject(after.id),
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    // Other instances hear it on the channel (migration 000031); this one
    // forgets the account now.
    state
        .accounts
        .forget(living_gate_db::accounts::changes::AccountChange::ServiceAccount(row.id));
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        ServiceAccount::from(row),
    ))
}
