//! Sessions: password login, refresh-token rotation, logout, and the
//! client-credentials grant of BI service accounts.

use crate::auth::tokens::{self, Subject};
use crate::auth::{passwords, secrets, Caller};
use crate::http::body::{Json, JsonOrForm, OptionalJson};
use crate::http::problem::{ApiError, ApiResult};
use crate::http::rate_limit::{self, RateLimits};
use crate::http::request_context::RequestMeta;
use crate::record::{self, SessionEvent};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::Utc;
use diesel_async::AsyncConnection;
use living_gate_db::accounts::auth_tokens::{self, NewRefreshToken};
use living_gate_db::accounts::changes::AccountChange;
use living_gate_db::accounts::users::User;
use living_gate_db::{
    accounts::login_throttle, accounts::service_accounts, accounts::users, pool, AsyncPgConnection,
};
use living_gate_domain::identity::{RecordStatus, UserStatus};
use living_gate_domain::{Email, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "desk@zama.example.jp", "password": "correct horse battery staple"}))]
pub struct LoginRequest {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 256)]
    pub password: String,
    /// The current code of the account's authenticator app, when it has
    /// TOTP (a first attempt without it answers 401 `totp_required`).
    #[serde(default)]
    #[schema(example = "492039", pattern = "^[0-9]{6}$")]
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2ln",
    "refresh_token": "q0VQmD3m0uN8Qf3sYp5sC2u7o0JrXxkq6bJwzXcQ4nE",
    "token_type": "Bearer",
    "expires_in": 900
}))]
pub struct TokenPair {
    pub access_token: String,
    /// Single use: each refresh returns a new one and spends the old one.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJFZERTQSJ9.e30.c2ln", "token_type": "Bearer", "expires_in": 900}))]
pub struct AccessToken {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    pub expires_in: u64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "q0VQmD3m0uN8Qf3sYp5sC2u7o0JrXxkq6bJwzXcQ4nE"}))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "q0VQmD3m0uN8Qf3sYp5sC2u7o0JrXxkq6bJwzXcQ4nE"}))]
pub struct LogoutRequest {
    /// The refresh token of this session; its whole family is revoked.
    pub refresh_token: Option<String>,
}

/// OAuth 2 client-credentials request (RFC 6749 §4.4), as JSON or form.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "lg_bi_3f9a2c", "client_secret": "…"}))]
pub struct ClientCredentialsRequest {
    #[schema(example = "client_credentials", pattern = "^client_credentials$")]
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: String,
}

const INVALID_CREDENTIALS: &str =
    "the e-mail address or password is wrong, or the account is not active";

/// Logs in with e-mail and password.
///
/// Unknown e-mail and wrong password get the same 401 after the same work.
/// Rate limited per e-mail and per client address (429 with `Retry-After`).
#[utoipa::path(operation_id = "login", 
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        (status = 401, description = "Wrong e-mail or password", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let mut limits = RateLimits::default();
    let result = password_login(&state, &meta, body.into_inner(), &mut limits).await;
    limits.apply(result)
}

async fn password_login(
    state: &AppState,
    meta: &RequestMeta,
    body: LoginRequest,
    limits: &mut RateLimits,
) -> ApiResult<HttpResponse> {
    let email = Email::parse("email", &body.email).ok();
    let email_key = email
        .as_ref()
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|| body.email.trim().to_lowercase());
    let auth = &state.auth;
    let mut conn = pool::connection(&state.pool).await?;
    address_limit(&mut conn, state, meta, limits).await?;
    let email_bucket = format!("email:{email_key}");
    let email_window =
        login_throttle::peek(&mut conn, &email_bucket, auth.login_window_secs).await?;
    let email_limit = |limits: &mut RateLimits, window| {
        limits.add(
            "email",
            auth.login_max_failures_per_email,
            auth.login_window_secs,
            window,
        );
    };
    if let Some(window) = email_window {
        if window.attempts >= auth.login_max_failures_per_email {
            email_limit(limits, Some(window));
            return Err(ApiError::RateLimited {
                retry_after_secs: window.retry_after_secs,
            });
        }
    }

    let user = match &email {
        Some(email) => users::find_by_email(&mut conn, email.as_str()).await?,
        None => None,
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    // A failed sign-in of a known account is its city's to see; of an
    // unknown e-mail, the platform's.
    let account_city = user.as_ref().and_then(|u| u.municipality_id);
    let password = body.password;
    let verified =
        passwords::blocking(move || passwords::verify(&password, stored.as_deref())).await?;
    let user = user.filter(|u| verified && u.status == UserStatus::Active);

    let Some(user) = user else {
        let failures =
            login_throttle::hit(&mut conn, &email_bucket, auth.login_window_secs).await?;
        email_limit(limits, Some(failures));
        record::audit_only(
            &mut conn,
            None,
            meta,
            SessionEvent {
                action: "auth.login_failed",
                target_type: "user",
                target_id: None,
                changes: json!({ "email": email_key }),
                municipality_id: account_city,
            },
        )
        .await?;
        return Err(ApiError::Unauthorized(INVALID_CREDENTIALS.into()));
    };

    login_throttle::reset(&mut conn, &email_bucket).await?;
    email_limit(limits, None);
    crate::auth::second_factor::check_at_login(&mut conn, state, meta, &user, body.totp.as_deref())
        .await?;
    let pair = sign_in(&mut conn, state, meta, &user, "auth.login", json!({})).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(pair))
}

/// Counts an attempt from the client's address (login and client
/// credentials share the bucket): 429 once it is over the limit.
pub(crate) async fn address_limit(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    meta: &RequestMeta,
    limits: &mut RateLimits,
) -> ApiResult<()> {
    let auth = &state.auth;
    let bucket = format!(
        "address:{}",
        meta.client_addr.as_deref().unwrap_or("unknown")
    );
    rate_limit::count(
        conn,
        limits,
        "address",
        &bucket,
        auth.login_max_attempts_per_address,
        auth.login_window_secs,
    )
    .await
}

/// Exchanges a refresh token for a new pair. The old refresh token is spent;
/// presenting a spent one again revokes every token of its login.
#[utoipa::path(operation_id = "refreshTokens", 
    tag = "auth",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenPair),
        (status = 401, description = "Unknown, expired, spent or revoked refresh token, or disabled account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let hash = secrets::token_hash(body.refresh_token.trim());
    let mut conn = pool::connection(&state.pool).await?;
    let outcome = conn
        .transaction(async |conn| {
            let Some(stored) = auth_tokens::find_refresh_for_update(conn, &hash).await? else {
                return Ok::<_, ApiError>(Err("unknown"));
            };
            if stored.revoked_at.is_some() {
                return Ok(Err("revoked"));
            }
            if stored.spent_at.is_some() {
                // Reuse of a spent token: someone holds a copy. Revoke the whole login.
                auth_tokens::revoke_family(conn, stored.family_id).await?;
                let account_city = users::find(conn, stored.user_id)
                    .await?
                    .and_then(|u| u.municipality_id);
                record::audit_only(
                    conn,
                    None,
                    &meta,
                    SessionEvent {
                        action: "auth.refresh_reuse",
                        target_type: "user",
                        target_id: Some(stored.user_id.to_string()),
                        changes: json!({ "family_id": stored.family_id }),
                        municipality_id: account_city,
                    },
                )
                .await?;
                return Ok(Err("reused"));
            }
            if stored.expires_at <= Utc::now() {
                return Ok(Err("expired"));
            }
            let user = users::find(conn, stored.user_id)
                .await?
                .filter(|u| u.status == UserStatus::Active);
            let Some(user) = user else {
                auth_tokens::revoke_family(conn, stored.family_id).await?;
                return Ok(Err("inactive"));
            };
            auth_tokens::mark_spent(conn, stored.id).await?;
            let pair = start_session(conn, &state, &user, stored.family_id).await?;
            record::audit_only(
                conn,
                None,
                &meta,
                SessionEvent {
                    action: "auth.refresh",
                    target_type: "user",
                    target_id: Some(user.id.to_string()),
                    changes: json!({ "family_id": stored.family_id }),
                    municipality_id: user.municipality_id,
                },
            )
            .await?;
            Ok(Ok(pair))
        })
        .await?;
    match outcome {
        Ok(pair) => Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(pair)),
        Err(reason) => {
            tracing::info!(reason, "refresh refused");
            Err(ApiError::Unauthorized(
                "the refresh token is not valid; log in again".into(),
            ))
        }
    }
}

/// Ends the session: revokes the presented access token and, when given,
/// every refresh token of the same login.
#[utoipa::path(operation_id = "logout", 
    tag = "auth",
    request_body(content = LogoutRequest, description = "Optional"),
    security(("bearer" = [])),
    responses((status = 204, description = "Logged out"))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    caller: Caller,
    body: OptionalJson<LogoutRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.0.unwrap_or_default();
    let mut conn = pool::connection(&state.pool).await?;
    conn.transaction(async |conn| {
        let expires_at =
            chrono::DateTime::from_timestamp(caller.token_expires_at, 0).unwrap_or_else(Utc::now);
        auth_tokens::revoke_access_token(conn, caller.token_id, expires_at).await?;
        if let Some(presented) = &body.refresh_token {
            let found =
                auth_tokens::find_refresh_for_update(conn, &secrets::token_hash(presented.trim()))
                    .await?;
            // Only the caller's own sessions; anything else is silently ignored.
            if let Some(stored) = found.filter(|t| t.user_id == caller.actor.id) {
                auth_tokens::revoke_family(conn, stored.family_id).await?;
            }
        }
        record::audit_only(
            conn,
            Some(&caller.actor),
            &caller.meta,
            SessionEvent {
                action: "auth.logout",
                target_type: "user",
                target_id: Some(caller.actor.id.to_string()),
                changes: json!({}),
                municipality_id: caller.actor.municipality_id,
            },
        )
        .await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    // Every instance hears the revocation on the channel; this one forgets
    // the token now, so the caller's next request cannot beat the echo.
    state.accounts.forget(AccountChange::Token(caller.token_id));
    Ok(HttpResponse::NoContent().finish())
}

/// Client-credentials grant for BI service accounts: returns an access token
/// with role `analyst` (no refresh token; ask again when it expires).
#[utoipa::path(operation_id = "issueClientCredentialsToken", 
    tag = "auth",
    security(()),
    request_body(content = ClientCredentialsRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "An access token", body = AccessToken),
        (status = 401, description = "Unknown client or wrong secret", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: JsonOrForm<ClientCredentialsRequest>,
) -> ApiResult<HttpResponse> {
    let mut limits = RateLimits::default();
    let result = client_credentials(&state, &meta, body.into_inner(), &mut limits).await;
    limits.apply(result)
}

async fn client_credentials(
    state: &AppState,
    meta: &RequestMeta,
    body: ClientCredentialsRequest,
    limits: &mut RateLimits,
) -> ApiResult<HttpResponse> {
    if body.grant_type != "client_credentials" {
        return Err(ApiError::validation(
            "grant_type",
            "unsupported_grant_type",
            "must be client_credentials",
        ));
    }
    let mut conn = pool::connection(&state.pool).await?;
    address_limit(&mut conn, state, meta, limits).await?;
    let account = service_accounts::find_by_client_id(&mut conn, body.client_id.trim()).await?;
    let stored = account.as_ref().map(|a| a.secret_hash.clone());
    let secret = body.client_secret;
    let verified =
        passwords::blocking(move || passwords::verify(&secret, stored.as_deref())).await?;
    let Some(account) = account.filter(|a| verified && a.status == RecordStatus::Active) else {
        record::audit_only(
            &mut conn,
            None,
            meta,
            SessionEvent {
                action: "auth.client_credentials_failed",
                target_type: "service_account",
                target_id: None,
                changes: json!({ "client_id": body.client_id }),
                municipality_id: None,
            },
        )
        .await?;
        return Err(ApiError::Unauthorized(
            "unknown client or wrong secret".into(),
        ));
    };
    service_accounts::record_use(&mut conn, account.id).await?;
    let subject = Subject {
        id: account.id,
        role: Role::Analyst,
        department_id: None,
        organization_id: None,
        municipality_id: None,
        client_id: Some(account.client_id.clone()),
    };
    let (access_token, _) =
        tokens::issue(&state.keys, &state.auth, &subject).map_err(ApiError::internal)?;
    record::audit_only(
        &mut conn,
        None,
        meta,
        SessionEvent {
            action: "auth.client_credentials",
            target_type: "service_account",
            target_id: Some(account.id.to_string()),
            changes: json!({}),
            municipality_id: None,
        },
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(AccessToken {
            access_token,
            token_type: "Bearer",
            expires_in: state.auth.access_token_ttl.as_secs(),
        }))
}

/// Starts a session of `user` after a successful sign-in (a password, an
/// identity provider): records the login, issues the pair and audits
/// `action` with `changes`, in one transaction.
pub(crate) async fn sign_in(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    meta: &RequestMeta,
    user: &User,
    action: &'static str,
    changes: serde_json::Value,
) -> ApiResult<TokenPair> {
    conn.transaction(async |conn| {
        users::record_login(conn, user.id).await?;
        let pair = start_session(conn, state, user, Uuid::now_v7()).await?;
        record::audit_only(
            conn,
            None,
            meta,
            SessionEvent {
                action,
                target_type: "user",
                target_id: Some(user.id.to_string()),
                changes,
                municipality_id: user.municipality_id,
            },
        )
        .await?;
        Ok::<_, ApiError>(pair)
    })
    .await
}

/// Issues an access token and a new refresh token in `family_id`.
async fn start_session(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    user: &User,
    family_id: Uuid,
) -> ApiResult<TokenPair> {
    let subject = Subject {
        id: user.id,
        role: user.role,
        department_id: user.department_id,
        organization_id: user.organization_id,
        municipality_id: user.municipality_id,
        client_id: None,
    };
    let (access_token, _) =
        tokens::issue(&state.keys, &state.auth, &subject).map_err(ApiError::internal)?;
    let refresh_token = secrets::random_token();
    let ttl = chrono::Duration::from_std(state.auth.refresh_token_ttl)
        .unwrap_or(chrono::Duration::days(30));
    auth_tokens::insert_refresh(
        conn,
        &NewRefreshToken {
            id: Uuid::now_v7(),
            family_id,
            user_id: user.id,
            token_hash: secrets::token_hash(&refresh_token),
            expires_at: Utc::now() + ttl,
        },
    )
    .await?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.auth.access_token_ttl.as_secs(),
    })
}
