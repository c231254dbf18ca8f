//! Self-service password reset by e-mail: a one-time token (stored hashed,
//! valid 30 minutes, single use) mailed to the account; presenting it with
//! a new password sets the password and revokes every refresh token of the
//! account. The request answers the same whether the address has an
//! account or not. Both steps are audited (`record::audit_only`): they
//! change credentials, which no feed reader is shown.

use crate::auth::{passwords, secrets};
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::http::rate_limit::{self, RateLimits};
use crate::http::request_context::RequestMeta;
use crate::record::{self, SessionEvent};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::{Duration, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::auth_tokens;
use living_gate_db::accounts::password_resets::{self as db, NewPasswordResetToken};
use living_gate_db::accounts::users::{self, UserChanges};
use living_gate_db::{outbox, pool, AsyncPgConnection};
use living_gate_domain::access::password_policy;
use living_gate_domain::access::row_scope::row_scope;
use living_gate_domain::identity::UserStatus;
use living_gate_domain::notify::account_mail;
use living_gate_domain::Email;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// Minutes a reset token is valid.
pub const TOKEN_TTL_MINUTES: i64 = 30;
/// Requests per e-mail address, and per client address, within the window.
const MAX_PER_EMAIL: i32 = 3;
const MAX_PER_ADDRESS: i32 = 30;
const WINDOW_SECS: i64 = 3600;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "desk@zama.example.jp"}))]
pub struct PasswordResetRequest {
    #[schema(max_length = 254)]
    pub email: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "accepted", "detail": "if the address belongs to an active account, a reset link is on its way; it is valid for 30 minutes"}))]
pub struct PasswordResetAccepted {
    #[schema(example = "accepted")]
    pub status: &'static str,
    pub detail: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q0VQmD3m0uN8Qf3sYp5sC2u7o0JrXxkq6bJwzXcQ4nE", "password": "相模川の朝焼けは 2026 年も綺麗"}))]
pub struct PasswordResetConfirmation {
    /// The token of the mailed link.
    #[schema(max_length = 100)]
    pub token: String,
    /// At least 12 characters; not built from the e-mail; not a common password.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
}

/// Asks for a password reset link. Always 202 with the same body, whether
/// the address has an account or not; only active password accounts get a
/// mail. Rate limited per e-mail and per client address.
#[utoipa::path(operation_id = "requestPasswordReset", tag = "auth", security(()),
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "Accepted (whether or not the address has an account)", body = PasswordResetAccepted),
        (status = 422, description = "Not an e-mail address", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/password-reset")]
pub async fn request(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: Json<PasswordResetRequest>,
) -> ApiResult<HttpResponse> {
    let mut limits = RateLimits::default();
    let result = request_reset(&state, &meta, body.into_inner(), &mut limits).await;
    limits.apply(result)
}

async fn request_reset(
    state: &AppState,
    meta: &RequestMeta,
    body: PasswordResetRequest,
    limits: &mut RateLimits,
) -> ApiResult<HttpResponse> {
    let email = Email::parse("email", &body.email)?;
    let mut conn = pool::connection(&state.pool).await?;
    let address = meta.client_addr.as_deref().unwrap_or("unknown");
    rate_limit::count(
        &mut conn,
        limits,
        "address",
        &format!("reset-address:{address}"),
        MAX_PER_ADDRESS,
        WINDOW_SECS,
    )
    .await?;
    rate_limit::count(
        &mut conn,
        limits,
        "email",
        &format!("reset-email:{}", email.as_str()),
        MAX_PER_EMAIL,
        WINDOW_SECS,
    )
    .await?;
    conn.transaction(async |conn| {
        let user = users::find_by_email(conn, email.as_str())
            .await?
            .filter(|u| u.status == UserStatus::Active && u.password_hash.is_some());
        let user_id = user.as_ref().map(|u| u.id);
        if let Some(user) = &user {
            // The outbox row is the account's city's (row-level security).
            pool::scope_transaction(conn, &row_scope(Some(&user.actor()))).await?;
            let token = secrets::random_token();
            db::insert(
                conn,
                &NewPasswordResetToken {
                    id: Uuid::now_v7(),
                    user_id: user.id,
                    token_hash: secrets::token_hash(&token),
                    expires_at: Utc::now() + Duration::minutes(TOKEN_TTL_MINUTES),
                },
            )
            .await?;
            let link = crate::notify::links::password_reset(&token);
            outbox::enqueue(
                conn,
                account_mail::password_reset(email.clone(), &link, TOKEN_TTL_MINUTES),
                outbox::Origin {
                    municipality_id: user.municipality_id,
                    recipient_user_id: Some(user.id),
                    ..outbox::Origin::default()
                },
            )
            .await?;
        }
        record::audit_only(
            conn,
            None,
            meta,
            SessionEvent {
                action: "auth.password_reset_requested",
                target_type: "user",
                target_id: user_id.map(|id| id.to_string()),
                changes: json!({ "email": email.as_str(), "mailed": user_id.is_some() }),
                municipality_id: user.as_ref().and_then(|u| u.municipality_id),
            },
        )
        .await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(HttpResponse::Accepted()
        .insert_header(("Cache-Control", "no-store"))
        .json(PasswordResetAccepted {
            status: "accepted",
            detail: format!(
                "if the address belongs to an active account, a reset link is on its way; it is valid for {TOKEN_TTL_MINUTES} minutes"
            ),
        }))
}

/// Sets a new password with the mailed token: the token is spent, every
/// refresh token of the account is revoked (log in again everywhere).
/// Unknown, used and expired tokens are all 422 on `token`.
#[utoipa::path(operation_id = "confirmPasswordReset", tag = "auth", security(()),
    request_body = PasswordResetConfirmation,
    responses(
        (status = 204, description = "The password is set; every session of the account is ended"),
        (status = 422, description = "Unknown, used or expired token, or a password the policy refuses", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/password-reset/confirmation")]
pub async fn confirm(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: Json<PasswordResetConfirmation>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let hash = secrets::token_hash(body.token.trim());
    let mut conn = pool::connection(&state.pool).await?;
    conn.transaction(async |conn| reset(conn, &meta, &hash, body.password).await)
        .await?;
    Ok(HttpResponse::NoContent()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}

async fn reset(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    token_hash: &[u8],
    password: String,
) -> ApiResult<()> {
    let invalid = || {
        ApiError::validation(
            "token",
            "invalid_token",
            "the link is unknown, used or expired; ask for a new one",
        )
    };
    let token = db::find_for_update(conn, token_hash)
        .await?
        .filter(|t| t.used_at.is_none() && t.expires_at > Utc::now())
        .ok_or_else(invalid)?;
    let user = users::find_for_update(conn, token.user_id)
        .await?
        .filter(|u| u.status == UserStatus::Active && u.password_hash.is_some())
        .ok_or_else(invalid)?;
    let email = Email::parse("email", &user.email)?;
    password_policy::check("password", &password, Some(&email))?;
    let password_hash = passwords::blocking(move || passwords::hash(&password))
        .await?
        .map_err(ApiError::internal)?;
    users::update(
        conn,
        user.id,
        &UserChanges {
            password_hash: Some(password_hash),
            ..UserChanges::default()
        },
    )
    .await?;
    db::spend_all_of_user(conn, user.id).await?;
    let revoked = auth_tokens::revoke_all_of_user(conn, user.id).await?;
    record::audit_only(
        conn,
        None,
        meta,
        SessionEvent {
            action: "auth.password_reset",
            target_type: "user",
            target_id: Some(user.id.to_string()),
            changes: json!({ "refresh_tokens_revoked": revoked }),
            municipality_id: user.municipality_id,
        },
    )
    .await?;
    Ok(())
}
