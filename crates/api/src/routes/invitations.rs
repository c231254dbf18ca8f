//! Invitations: a user account is created `invited` with a one-time token
//! (valid 7 days); accepting it sets the password and activates the account.

use crate::audit::{self, Event, RequestMeta};
use crate::auth::{passwords, secrets, Caller};
use crate::problem::{ApiError, ApiResult};
use crate::routes::users::User;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::audit::diff;
use living_gate_db::invitations::{self as db, NewInvitation};
use living_gate_db::users::{self as users_db, NewUser, UserChanges};
use living_gate_db::{pool, AsyncPgConnection};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{password_policy, Email, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const VALID_DAYS: i64 = 7;

/// Who to invite.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "suzuki@sagami-tech.example.jp", "display_name": "鈴木 一郎"}))]
pub struct InviteRequest {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
}

/// The invitation: hand `token` to the person (once; it is stored hashed).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "invitation_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10", "user_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e11",
    "email": "suzuki@sagami-tech.example.jp", "role": "partner",
    "token": "mI1m0c8WkZr4x0bq0sQyq0nR7v9Yx2lJm2W1oG0d3xA", "expires_at": "2026-12-04T09:00:00+00:00"
}))]
pub struct Invitation {
    pub invitation_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    /// One-time secret for `POST /v1/invitations/{token}/accept`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "相模川の朝焼けは 2026 年も綺麗", "display_name": "鈴木 一郎"}))]
pub struct AcceptInvitation {
    /// At least 12 characters; not built from the e-mail; not a common password.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
}

/// The account an invitation creates.
pub struct Invitee {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub municipality_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
}

/// Parses the e-mail and display name every invitation carries.
pub fn parse_contact(email: &str, display_name: &str) -> Result<(Email, String), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let email = errors.check(Email::parse("email", email));
    let display_name = errors.check(bounded_text("display_name", display_name, 1, 100));
    match (email, display_name) {
        (Some(email), Some(display_name)) if errors.is_empty() => Ok((email, display_name)),
        _ => Err(errors),
    }
}

/// Creates the invited user and the invitation, in the caller's transaction.
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    invitee: Invitee,
) -> ApiResult<Invitation> {
    let user = users_db::insert(
        conn,
        &NewUser {
            id: Uuid::now_v7(),
            email: invitee.email.into_string(),
            display_name: invitee.display_name,
            role: invitee.role.as_str().to_owned(),
            municipality_id: invitee.municipality_id,
            department_id: invitee.department_id,
            organization_id: invitee.organization_id,
            status: "invited".to_owned(),
            password_hash: None,
        },
    )
    .await?;
    let token = secrets::random_token();
    let invitation = db::insert(
        conn,
        &NewInvitation {
            id: Uuid::now_v7(),
            token_hash: secrets::token_hash(&token),
            user_id: user.id,
            invited_by: (!caller.actor.is_service_account).then_some(caller.actor.id),
            expires_at: Utc::now() + chrono::Duration::days(VALID_DAYS),
        },
    )
    .await?;
    audit::record(
        conn,
        Some(&caller.actor),
        &caller.meta,
        Event {
            action: "user.invite",
            target_type: "user",
            target_id: Some(user.id.to_string()),
            changes: diff(None, &user),
        },
    )
    .await?;
    Ok(Invitation {
        invitation_id: invitation.id,
        user_id: user.id,
        email: user.email,
        role: invitee.role,
        token,
        expires_at: invitation.expires_at,
    })
}

/// Accepts an invitation: sets the password and display name and activates
/// the account. Unknown, used and expired tokens are all 404.
#[utoipa::path(tag = "users", request_body = AcceptInvitation,
    params(("token" = String, Path, description = "The invitation token")),
    responses(
        (status = 200, description = "The account is active; log in with it", body = User),
        (status = 404, description = "Unknown, used or expired invitation", body = crate::problem::Problem, content_type = "application/problem+json"),
    ))]
#[post("/invitations/{token}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    meta: RequestMeta,
    token: web::Path<String>,
    body: web::Json<AcceptInvitation>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let display_name = bounded_text("display_name", &body.display_name, 1, 100)?;
    let hash = secrets::token_hash(token.trim());
    let mut conn = pool::connection(&state.pool).await?;
    let user = conn
        .transaction(async |conn| {
            let invitation = db::find_by_token_for_update(conn, &hash)
                .await?
                .filter(|i| i.accepted_at.is_none() && i.expires_at > Utc::now())
                .ok_or(ApiError::NotFound)?;
            let before = users_db::find_for_update(conn, invitation.user_id)
                .await?
                .filter(|u| u.status == "invited")
                .ok_or(ApiError::NotFound)?;
            let email = Email::parse("email", &before.email)?;
            password_policy::check("password", &body.password, Some(&email))?;
            let password = body.password.clone();
            let password_hash = passwords::blocking(move || passwords::hash(&password))
                .await?
                .map_err(ApiError::Internal)?;
            let after = users_db::update(
                conn,
                before.id,
                &UserChanges {
                    display_name: Some(display_name.clone()),
                    status: Some("active".to_owned()),
                    password_hash: Some(password_hash),
                },
            )
            .await?;
            db::mark_accepted(conn, invitation.id).await?;
            audit::record(
                conn,
                Some(&actor_of(&after)?),
                &meta,
                Event {
                    action: "user.accept_invitation",
                    target_type: "user",
                    target_id: Some(after.id.to_string()),
                    changes: diff(Some(&before), &after),
                },
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(User::from(user)))
}

fn actor_of(user: &users_db::User) -> ApiResult<living_gate_domain::Actor> {
    Ok(living_gate_domain::Actor {
        id: user.id,
        role: user
            .role
            .parse()
            .map_err(|e: living_gate_domain::role::UnknownRole| {
                ApiError::Internal(e.to_string())
            })?,
        municipality_id: user.municipality_id,
        department_id: user.department_id,
        organization_id: user.organization_id,
        is_service_account: false,
    })
}
