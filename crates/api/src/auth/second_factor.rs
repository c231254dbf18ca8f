//! TOTP as a second factor of local accounts: enrol (the seed shown once,
//! as an `otpauth://` URI), confirm with a code, and from then on a
//! password login needs the current code. With
//! `LIVING_GATE_REQUIRE_TOTP_FOR_ADMINS` on, `admin` and `platform_admin`
//! accounts cannot sign in with a password alone: they are told to enrol,
//! which they can do with their e-mail and password (no session needed).
//! Seeds are sealed (`totp-seed:<user id>`); a code is accepted once.

use crate::auth::login::address_limit;
use crate::auth::{passwords, totp, MaybeCaller};
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::http::rate_limit::RateLimits;
use crate::http::request_context::RequestMeta;
use crate::record::{self, SessionEvent};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::sign_in::totp as db;
use living_gate_db::accounts::users::{self, User};
use living_gate_db::{pool, AsyncPgConnection};
use living_gate_domain::identity::UserStatus;
use living_gate_domain::{authorize, Action, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

const ISSUER: &str = "Living Gate";

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple"}))]
pub struct EnrolTotp {
    /// Without a bearer token: the account's e-mail (an admin told to enrol
    /// before it can sign in).
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// The account's password, asked again.
    #[schema(max_length = 256)]
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple", "code": "492039"}))]
pub struct ConfirmTotp {
    #[schema(max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 256)]
    pub password: String,
    /// The code the authenticator app shows now.
    #[schema(pattern = "^[0-9]{6}$", example = "492039")]
    pub code: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "otpauth_uri": "otpauth://totp/Living%20Gate:desk%40zama%2Eexample%2Ejp?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Living%20Gate&algorithm=SHA1&digits=6&period=30",
    "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
}))]
pub struct TotpEnrolment {
    /// Show as a QR code to the authenticator app; shown this once.
    pub otpauth_uri: String,
    /// The seed in base32, for typing in.
    pub secret: String,
}

const WRONG: &str = "the e-mail address or password is wrong, or the account is not active";

/// The account a second-factor request is about: the caller's, or the
/// one of `email`; its password checked again.
async fn account(
    conn: &mut AsyncPgConnection,
    caller: &MaybeCaller,
    email: Option<&str>,
    password: String,
) -> ApiResult<User> {
    let user = match (&caller.0, email) {
        (Some(caller), _) => {
            authorize(&caller.actor, Action::ManageOwnSecondFactor)?;
            users::find(conn, caller.actor.id).await?
        }
        (None, Some(email)) => users::find_by_email(conn, &email.trim().to_lowercase()).await?,
        (None, None) => return Err(ApiError::Unauthorized(WRONG.into())),
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let verified =
        passwords::blocking(move || passwords::verify(&password, stored.as_deref())).await?;
    user.filter(|u| verified && u.status == UserStatus::Active)
        .ok_or_else(|| ApiError::Unauthorized(WRONG.into()))
}

/// Starts TOTP enrolment: a new seed, shown once. Until it is confirmed
/// with a code, sign-in does not ask for it; a confirmed one is not
/// replaced (409).
#[utoipa::path(operation_id = "enrolTotp", tag = "auth",
    security(("bearer" = []), ()),
    request_body = EnrolTotp,
    responses(
        (status = 201, description = "The seed, shown once", body = TotpEnrolment),
        (status = 401, description = "Wrong e-mail or password", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "TOTP is already confirmed for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/auth/totp")]
pub async fn enrol(
    state: web::Data<AppState>,
    meta: RequestMeta,
    caller: MaybeCaller,
    body: Json<EnrolTotp>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut conn = pool::connection(&state.pool).await?;
    let mut limits = RateLimits::default();
    let result = async {
        // Without a session the password is guessed at: limited like a login.
        if caller.0.is_none() {
            address_limit(&mut conn, &state, &meta, &mut limits).await?;
        }
        let user = account(&mut conn, &caller, body.email.as_deref(), body.password).await?;
        if db::find(&mut conn, user.id)
            .await?
            .is_some_and(|c| c.confirmed_at.is_some())
        {
            return Err(ApiError::Conflict {
                detail: "TOTP is already set up for this account".into(),
                extra: None,
            });
        }
        let seed = totp::new_seed();
        db::enrol(
            &mut conn,
            user.id,
            &state
                .sealing
                .seal(&format!("totp-seed:{}", user.id), &seed)
                .map_err(ApiError::internal)?,
        )
        .await?;
        record::audit_only(
            &mut conn,
            Some(&user.actor()),
            &meta,
            SessionEvent {
                action: "auth.totp_enrolled",
                target_type: "user",
                target_id: Some(user.id.to_string()),
                changes: json!({}),
                municipality_id: user.municipality_id,
            },
        )
        .await?;
        Ok(HttpResponse::Created()
            .insert_header(("Cache-Control", "no-store"))
            .json(TotpEnrolment {
                otpauth_uri: totp::otpauth_uri(&seed, ISSUER, &user.email),
                secret: totp::base32(&seed),
            }))
    }
    .await;
    limits.apply(result)
}

/// Confirms TOTP enrolment with a current code: from now on a password
/// login needs a code.
#[utoipa::path(operation_id = "confirmTotp", tag = "auth",
    security(("bearer" = []), ()),
    request_body = ConfirmTotp,
    responses(
        (status = 204, description = "Confirmed"),
        (status = 401, description = "Wrong e-mail or password", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No enrolment started", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong code", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/auth/totp/confirmation")]
pub async fn confirm(
    state: web::Data<AppState>,
    meta: RequestMeta,
    caller: MaybeCaller,
    body: Json<ConfirmTotp>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut conn = pool::connection(&state.pool).await?;
    let mut limits = RateLimits::default();
    let result = async {
        // Without a session the password is guessed at: limited like a login.
        if caller.0.is_none() {
            address_limit(&mut conn, &state, &meta, &mut limits).await?;
        }
        let user = account(&mut conn, &caller, body.email.as_deref(), body.password).await?;
        let code = body.code;
        conn.transaction(async |conn| {
            let credential = db::find_for_update(conn, user.id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let seed = state
                .sealing
                .open(&format!("totp-seed:{}", user.id), &credential.seed_sealed)
                .map_err(ApiError::internal)?;
            let now = chrono::Utc::now().timestamp();
            let Some(step) = totp::verify(&seed, &code, now, credential.last_used_step) else {
                return Err(ApiError::validation(
                    "code",
                    "invalid_totp",
                    "the code is wrong or was already used",
                ));
            };
            db::use_step(conn, user.id, step).await?;
            record::audit_only(
                conn,
                Some(&user.actor()),
                &meta,
                SessionEvent {
                    action: "auth.totp_confirmed",
                    target_type: "user",
                    target_id: Some(user.id.to_string()),
                    changes: json!({}),
                    municipality_id: user.municipality_id,
                },
            )
            .await?;
            Ok::<_, ApiError>(())
        })
        .await?;
        Ok(HttpResponse::NoContent().finish())
    }
    .await;
    limits.apply(result)
}

/// The second step of a password login: the code when the account has
/// confirmed TOTP, the enrolment when the configuration demands it.
pub async fn check_at_login(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    meta: &RequestMeta,
    user: &User,
    code: Option<&str>,
) -> ApiResult<()> {
    let outcome = conn
        .transaction(async |conn| {
            let credential = db::find_for_update(conn, user.id)
                .await?
                .filter(|c| c.confirmed_at.is_some());
            let Some(credential) = credential else {
                let admin = matches!(user.role, Role::Admin | Role::PlatformAdmin);
                if admin && state.auth.require_totp_for_admins {
                    return Ok(Err((
                        "totp_enrolment_required",
                        "administrators must use TOTP here: enrol with POST /v1/auth/totp \
                         {email, password}, confirm with POST /v1/auth/totp/confirmation, then \
                         sign in with the code",
                    )));
                }
                return Ok(Ok(()));
            };
            let Some(code) = code else {
                return Ok(Err((
                    "totp_required",
                    "this account uses TOTP: send the current code as `totp`",
                )));
            };
            let seed = state
                .sealing
                .open(&format!("totp-seed:{}", user.id), &credential.seed_sealed)
                .map_err(ApiError::internal)?;
            let now = chrono::Utc::now().timestamp();
            match totp::verify(&seed, code, now, credential.last_used_step) {
                Some(step) => {
                    db::use_step(conn, user.id, step).await?;
                    Ok::<_, ApiError>(Ok(()))
                }
                None => Ok(Err((
                    "invalid_totp",
                    "the TOTP code is wrong or was already used",
                ))),
            }
        })
        .await?;
    let Err((code, detail)) = outcome else {
        return Ok(());
    };
    if code == "invalid_totp" {
        record::audit_only(
            conn,
            None,
            meta,
            SessionEvent {
                action: "auth.login_failed",
                target_type: "user",
                target_id: Some(user.id.to_string()),
                changes: json!({ "reason": "totp" }),
                municipality_id: user.municipality_id,
            },
        )
        .await?;
    }
    Err(ApiError::SignInRefused {
        code,
        detail: detail.to_owned(),
    })
}
