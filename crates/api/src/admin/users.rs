//! User accounts (admin): list, read, invite with any role, rename, disable.
use crate::admin::accounts::{self, Invitation, Invitee, User};
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
use diesel_async::AsyncConnection;
use living_gate_db::accounts::users::{self as db, UserChanges, UserFilter};
use living_gate_db::{accounts::auth_tokens, pool, reference::departments};
use living_gate_domain::access::policy::{account_scope, AccountScope};
use living_gate_domain::access::role::Affiliation;
use living_gate_domain::identity::UserStatus;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Role, ValidationErrors};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub organization_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
}

/// An account to invite, with the affiliation its role needs: `department`
/// needs `department_id`, `partner` needs `organization_id`, `desk` needs
/// `municipality_id`, and so does `admin` (an admin of that city);
/// `analyst` and `platform_admin` take none. A municipal admin creates
/// desk, department and admin accounts of its own city only (403 otherwise).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "kikaku@city.zama.example.jp", "display_name": "企画 花子", "role": "desk",
    "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02"}))]
pub struct CreateUser {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    pub role: Role,
    pub municipality_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "disabled"}))]
pub struct UpdateUser {
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    /// `active` or `disabled`; disabling revokes every refresh token at once.
    pub status: Option<UserStatus>,
}

/// Lists accounts (admin), ordered by id.
#[utoipa::path(operation_id = "listUsers", tag = "users", params(PageParams, UserListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of users", body = Paginated<User>),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<UserListParams>,
) -> ApiResult<HttpResponse> {
    let scope = account_scope(&caller.actor)?;
    let page = params.page()?;
    let filter = UserFilter {
        role: filter.role,
        status: filter.status,
        organization_id: filter.organization_id,
        department_id: filter.department_id,
        municipality_id: match scope {
            AccountScope::Municipality(id) => Some(id),
            AccountScope::All => None,
        },
    };
    let mut conn = pool::connection(&state.pool).await?;
    let (rows, next) = page.finish(db::list(&mut conn, &filter, page).await?, |u| u.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(User::from).collect(),
        next,
    )))
}

/// One account (admin), with its `ETag`.
#[utoipa::path(operation_id = "getUser", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The user", body = User, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/users/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageUsers)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    authorize(
        &caller.actor,
        Action::ManageAccount {
            municipality_id: row.municipality_id,
        },
    )?;
    Ok(with_etag(HttpResponse::Ok(), row.version, User::from(row)))
}

/// Invites an account of any role (admin); returns the one-time invitation token.
#[utoipa::path(operation_id = "createUser", tag = "users", request_body = CreateUser, security(("bearer" = [])),
    responses((status = 201, description = "Invited", body = Invitation, headers(("Location" = String))),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail is taken", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageUsers)?;
    let body = body.into_inner();
    let (email, display_name) = accounts::parse_contact(&body.email, &body.display_name)?;
    check_affiliation(&body)?;
    let mut conn = pool::connection(&state.pool).await?;
    let invitation = conn
        .transaction(async |conn| {
            // A department user's municipality is its department's.
            let municipality_id = match body.department_id {
                Some(department_id) => Some(
                    departments::find(conn, department_id)
                        .await?
                        .ok_or_else(|| {
                            ApiError::validation(
                                "department_id",
                                "unknown_reference",
                                "no such department",
                            )
                        })?
                        .municipality_id,
                ),
                None => body.municipality_id,
            };
            // A municipal admin creates the staff accounts of its own city only.
            let staff = matches!(body.role, Role::Desk | Role::Department | Role::Admin);
            if caller.actor.role != Role::PlatformAdmin
                && (!staff
                    || authorize(&caller.actor, Action::ManageAccount { municipality_id }).is_err())
            {
                return Err(ApiError::Forbidden);
            }
            let invitee = Invitee {
                email,
                display_name,
                role: body.role,
                municipality_id,
                department_id: body.department_id,
                organization_id: body.organization_id,
            };
            accounts::invite(conn, &caller, invitee).await
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/users/{}", invitation.user_id),
        ))
        .json(invitation))
}

fn check_affiliation(body: &CreateUser) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let needs = body.role.affiliation();
    let mut expect = |field: &str, given: bool, needed: bool| match (given, needed) {
        (false, true) => errors.add(
            field,
            "required",
            format!("is required for role {}", body.role),
        ),
        (true, false) => errors.add(
            field,
            "not_allowed",
            format!("is not allowed for role {}", body.role),
        ),
        _ => {}
    };
    expect(
        "department_id",
        body.department_id.is_some(),
        needs == Affiliation::Department,
    );
    expect(
        "organization_id",
        body.organization_id.is_some(),
        needs == Affiliation::Organization,
    );
    expect(
        "municipality_id",
        body.municipality_id.is_some(),
        needs == Affiliation::Municipality,
    );
    errors.into_result()
}

/// Renames, disables or re-enables an account (admin).
#[utoipa::path(operation_id = "updateUser", tag = "users", request_body = UpdateUser, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = User, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An invited account can only be activated by accepting its invitation; an admin cannot disable themselves", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateUser>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageUsers)?;
    let display_name = body
        .display_name
        .as_deref()
        .map(|v| bounded_text("display_name", v, 1, 100))
        .transpose()?;
    if body.status == Some(UserStatus::Invited) {
        return Err(ApiError::validation(
            "status",
            "not_allowed",
            "must be active or disabled",
        ));
    }
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let found = db::find_for_update(conn, *id).await?;
            if let Some(user) = &found {
                authorize(
                    &caller.actor,
                    Action::ManageAccount {
                        municipality_id: user.municipality_id,
                    },
                )?;
            }
            let before = if_match.current(found)?;
            if before.id == caller.actor.id && body.status == Some(UserStatus::Disabled) {
                return Err(ApiError::Conflict {
                    detail: "you cannot disable your own account; ask another admin".into(),
                    extra: None,
                });
            }
            if before.status == UserStatus::Invited && body.status == Some(UserStatus::Active) {
                return Err(ApiError::Conflict {
                    detail: "an invited account becomes active when its invitation is accepted"
                        .into(),
                    extra: None,
                });
            }
            let changes = UserChanges {
                display_name: display_name.clone(),
                status: body.status,
                password_hash: None,
            };
            let after = db::update(conn, before.id, &changes).await?;
            if after.status == UserStatus::Disabled {
                auth_tokens::revoke_all_of_user(conn, after.id).await?;
            }
            record::updated(
                conn,
                &caller,
                "user",
                &before,
                &after,
                FeedEvent::desk(EventKind::UserUpdated)
                    .subject(after.id)
                    .in_municipality(after.municipality_id),
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    // Other instances hear it on the channel (migration 000031); this one
    // forgets the account now.
    state
        .accounts
        .forget(living_gate_db::accounts::changes::AccountChange::User(
            row.id,
        ));
    Ok(with_etag(HttpResponse::Ok(), row.version, User::from(row)))
}
