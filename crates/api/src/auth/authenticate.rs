//! The extractors that authenticate a request. A handler that takes a
//! [`Caller`] cannot forget authentication: without a valid bearer token of
//! an active account it is never called (401 problem+json).

use super::caller::{Caller, MaybeCaller};
use super::tokens;
use crate::http::problem::{ApiError, TokenRefusal};
use crate::http::request_context::RequestMeta;
use crate::record::{self, SessionEvent};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use living_gate_db::{accounts::service_accounts, accounts::users, pool};
use living_gate_domain::identity::{RecordStatus, UserStatus};
use living_gate_domain::{Actor, Role};

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if req.headers().contains_key(header::AUTHORIZATION) {
                authenticate(&req).await.map(|c| MaybeCaller(Some(c)))
            } else {
                Ok(MaybeCaller(None))
            }
        })
    }
}

async fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let meta = RequestMeta::from_request_head(req);
    match check(state, req).await {
        Ok((actor, claims)) => Ok(Caller {
            actor,
            token_id: claims.jti,
            token_expires_at: claims.exp,
            meta,
        }),
        Err(Refused::Token(reason)) => {
            if reason != TokenRefusal::Missing {
                record_refusal(state, &meta, reason).await;
            }
            Err(ApiError::Unauthorized(refusal_detail(reason).into()))
        }
        Err(Refused::Api(error)) => Err(error),
    }
}

/// The active account behind the request's bearer token, checked exactly as
/// [`Caller`] checks it (signature, expiry, revocation, account status), but
/// without answering or auditing a refusal: the idempotency middleware asks
/// this before it replays anything, and lets the handler refuse the rest.
pub(crate) async fn verified_actor(req: &HttpRequest) -> Option<Actor> {
    let state = req.app_data::<web::Data<AppState>>()?;
    check(state, req).await.ok().map(|(actor, _)| actor)
}

enum Refused {
    Token(TokenRefusal),
    Api(ApiError),
}

impl From<living_gate_db::DbError> for Refused {
    fn from(e: living_gate_db::DbError) -> Self {
        Refused::Api(e.into())
    }
}

/// A token already checked for this request (by the row-scope or the
/// idempotency middleware): the extractor does not check it again.
#[derive(Clone)]
struct Checked(Actor, tokens::Claims);

async fn check(state: &AppState, req: &HttpRequest) -> Result<(Actor, tokens::Claims), Refused> {
    if let Some(Checked(actor, claims)) = req.extensions().get::<Checked>().cloned() {
        return Ok((actor, claims));
    }
    let (actor, claims) = check_token(state, req).await?;
    req.extensions_mut()
        .insert(Checked(actor.clone(), claims.clone()));
    Ok((actor, claims))
}

async fn check_token(
    state: &AppState,
    req: &HttpRequest,
) -> Result<(Actor, tokens::Claims), Refused> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(Refused::Token(TokenRefusal::Missing))?;
    let value = value
        .to_str()
        .map_err(|_| Refused::Token(TokenRefusal::Malformed))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or(Refused::Token(TokenRefusal::WrongScheme))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Refused::Token(TokenRefusal::WrongScheme));
    }
    let claims = state
        .verified_tokens
        .verify(&state.keys, &state.auth, token.trim())
        .map_err(Refused::Token)?;
    if let Some(actor) = state.accounts.get(claims.jti, claims.sub) {
        return Ok((actor, claims));
    }
    let ticket = state.accounts.ticket();
    let mut conn = pool::connection(&state.pool).await?;
    let actor = match &claims.client_id {
        Some(_) => {
            let (account, revoked) =
                service_accounts::find_with_revocation(&mut conn, claims.sub, claims.jti).await?;
            if revoked {
                return Err(Refused::Token(TokenRefusal::Revoked));
            }
            let account = account
                .filter(|a| a.status == RecordStatus::Active)
                .ok_or(Refused::Token(TokenRefusal::InactiveAccount))?;
            Actor {
                id: account.id,
                role: Role::Analyst,
                municipality_id: None,
                department_id: None,
                organization_id: None,
                is_service_account: true,
            }
        }
        None => {
            let (user, revoked) =
                users::find_with_revocation(&mut conn, claims.sub, claims.jti).await?;
            if revoked {
                return Err(Refused::Token(TokenRefusal::Revoked));
            }
            let user = user
                .filter(|u| u.status == UserStatus::Active)
                .ok_or(Refused::Token(TokenRefusal::InactiveAccount))?;
            Actor {
                id: user.id,
                role: user.role,
                municipality_id: user.municipality_id,
                department_id: user.department_id,
                organization_id: user.organization_id,
                is_service_account: false,
            }
        }
    };
    state.accounts.store(ticket, claims.jti, &actor);
    Ok((actor, claims))
}

fn refusal_detail(reason: TokenRefusal) -> &'static str {
    match reason {
        TokenRefusal::Missing => "send an access token in the Authorization header: Bearer <token>",
        TokenRefusal::WrongScheme => "the Authorization header must use the Bearer scheme",
        TokenRefusal::Expired => "the access token has expired; refresh it",
        TokenRefusal::InactiveAccount | TokenRefusal::Revoked => {
            "the access token is no longer valid"
        }
        _ => "the access token is invalid",
    }
}

/// Records a refused bearer token with its reason class. Best effort: a
/// failure to audit must not turn a 401 into a 500, so it is only logged.
async fn record_refusal(state: &AppState, meta: &RequestMeta, reason: TokenRefusal) {
    let result = async {
        let mut conn = pool::connection(&state.pool).await?;
        record::audit_only(
            &mut conn,
            None,
            meta,
            SessionEvent {
                action: "token.refused",
                target_type: "token",
                target_id: None,
                changes: serde_json::json!({ "reason": reason.as_str() }),
                // A refused token names no account to trust: the platform's.
                municipality_id: None,
            },
        )
        .await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %crate::http::problem::ErrorChain(&e), "could not audit a token refusal");
    }
}
