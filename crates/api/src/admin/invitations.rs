//! Invitations: a user account is created `invited` with a one-time token
//! (valid 7 days); accepting it sets the password and activates the account.
use crate::auth::{passwords, secrets};
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::http::request_context::RequestMeta;
use crate::record::{self, Background, Change, EventKind, FeedEvent};

use crate::admin::accounts::User;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::Utc;
use diesel_async::AsyncConnection;
use living_gate_db::accounts::invitations::{self as db};
use living_gate_db::accounts::users::{self as users_db, UserChanges};
use living_gate_db::audit::diff;
use living_gate_db::pool;
use living_gate_domain::access::row_scope::row_scope;
use living_gate_domain::identity::UserStatus;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{access::password_policy, Email};
use serde::Deserialize;
use utoipa::ToSchema;

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

/// Accepts an invitation: sets the password and display name and activates
/// the account. Unknown, used and expired tokens are all 404.
#[utoipa::path(operation_id = "acceptInvitation", tag = "users", security(()), request_body = AcceptInvitation,
    params(("token" = String, Path, description = "The invitation token")),
    responses(
        (status = 200, description = "The account is active; log in with it", body = User),
        (status = 404, description = "Unknown, used or expired invitation", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
#[post("/invitations/{token}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    meta: RequestMeta,
    token: web::Path<String>,
    body: Json<AcceptInvitation>,
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
                .filter(|u| u.status == UserStatus::Invited)
                .ok_or(ApiError::NotFound)?;
            let email = Email::parse("email", &before.email)?;
            password_policy::check("password", &body.password, Some(&email))?;
            let password = body.password.clone();
            let password_hash = passwords::blocking(move || passwords::hash(&password))
                .await?
                .map_err(ApiError::internal)?;
            let after = users_db::update(
                conn,
                before.id,
                &UserChanges {
                    display_name: Some(display_name.clone()),
                    status: Some(UserStatus::Active),
                    password_hash: Some(password_hash),
                },
            )
            .await?;
            db::mark_accepted(conn, invitation.id).await?;
            // The request is anonymous; its event is written as the new
            // account, in that account's case scope.
            pool::scope_transaction(conn, &row_scope(Some(&after.actor()))).await?;
            record::write(
                conn,
                &Background {
                    actor: after.actor(),
                    meta: meta.clone(),
                },
                Change {
                    action: "user.accept_invitation".into(),
                    target_type: "user",
                    target_id: after.id.to_string(),
                    changes: diff(Some(&before), &after),
                    event: FeedEvent::desk(EventKind::InvitationAccepted).subject(after.id),
                },
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(User::from(user)))
}
