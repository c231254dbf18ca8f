//! The code flow for a single-page front end: list the providers, start an
//! authorization (the server keeps state, nonce, PKCE verifier and redirect
//! URI), and finish it with the code and state the provider sent back to
//! the front end; the answer is the same token pair as a password login.

use super::accounts::{self, SignedIn};
use super::client::{Metadata, ProviderError};
use super::id_token::{self, Expected};
use crate::auth::login::{self, TokenPair};
use crate::auth::secrets;
use crate::http::body::Json;
use crate::http::pagination::Paginated;
use crate::http::problem::{ApiError, ApiResult};
use crate::http::rate_limit::RateLimits;
use crate::http::request_context::RequestMeta;
use crate::record::{self, SessionEvent};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use living_gate_db::accounts::sign_in::{
    authorizations, providers, IdentityProvider, NewOidcAuthorization,
};
use living_gate_db::{pool, AsyncPgConnection};
use living_gate_domain::identity::RecordStatus;
use living_gate_domain::signin::ProviderAudience;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

/// How long a started authorization may be finished.
pub const AUTHORIZATION_TTL_SECS: i64 = 600;

/// A provider as the sign-in page shows it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"slug": "zama-entra", "display_name": "座間市職員 (Entra ID)", "audience": "staff"}))]
pub struct PublicProvider {
    pub slug: String,
    pub display_name: String,
    pub audience: ProviderAudience,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "authorization_url": "https://login.example.jp/authorize?response_type=code&client_id=living-gate&…",
    "state": "Jz3q9m2kq0VQmD3m0uN8Qf3sYp5sC2u7o0JrXxkq6bJ",
    "expires_at": "2026-12-02T09:10:00+00:00"
}))]
pub struct Authorization {
    /// Send the browser here.
    pub authorization_url: String,
    /// Comes back with the code; hand both to the callback.
    pub state: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "SplxlOBeZQQYbYS6WxSbIA", "state": "Jz3q9m2kq0VQmD3m0uN8Qf3sYp5sC2u7o0JrXxkq6bJ"}))]
pub struct Callback {
    /// The `code` query parameter of the redirect.
    #[schema(min_length = 1, max_length = 2048)]
    pub code: String,
    /// The `state` query parameter of the redirect.
    #[schema(min_length = 1, max_length = 256)]
    pub state: String,
}

/// Lists the identity providers one can sign in with.
#[utoipa::path(operation_id = "listSignInProviders", tag = "auth", security(()),
    responses((status = 200, description = "The active providers, by slug", body = Paginated<PublicProvider>)))]
#[get("/auth/oidc/providers")]
pub async fn list_providers(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let items = providers::list(&mut conn, true, None)
        .await?
        .into_iter()
        .map(|p| PublicProvider {
            slug: p.slug,
            display_name: p.display_name,
            audience: p.audience,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Paginated::new(items, None)))
}

async fn active_provider(conn: &mut AsyncPgConnection, slug: &str) -> ApiResult<IdentityProvider> {
    providers::find_by_slug(conn, slug)
        .await?
        .filter(|p| p.status == RecordStatus::Active)
        .ok_or(ApiError::NotFound)
}

fn gateway(error: ProviderError) -> ApiError {
    match error {
        ProviderError::Failed(cause) => ApiError::BadGateway(cause),
        ProviderError::Refused(cause) => ApiError::BadGateway(cause),
    }
}

fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn authorization_url(
    metadata: &Metadata,
    provider: &IdentityProvider,
    state: &str,
    nonce: &str,
    challenge: &str,
) -> ApiResult<String> {
    let mut url = url::Url::parse(&metadata.authorization_endpoint)
        .map_err(|e| ApiError::BadGateway(format!("authorization_endpoint: {e}")))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &provider.client_id)
        .append_pair("redirect_uri", &provider.redirect_uri)
        .append_pair("scope", &provider.scopes)
        .append_pair("state", state)
        .append_pair("nonce", nonce)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(url.into())
}

/// Starts signing in with a provider: answers the URL to send the browser
/// to. State, nonce and PKCE verifier stay on the server (10 minutes,
/// single use).
#[utoipa::path(operation_id = "createSignInAuthorization", tag = "auth", security(()),
    params(("provider" = String, Path, description = "The provider's slug")),
    responses(
        (status = 201, description = "Send the browser to `authorization_url`", body = Authorization),
        (status = 404, description = "No such active provider", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider could not be reached", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/auth/oidc/{provider}/authorizations")]
pub async fn start(
    state: web::Data<AppState>,
    meta: RequestMeta,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let mut limits = RateLimits::default();
    let result = start_authorization(&state, &meta, &path, &mut limits).await;
    limits.apply(result)
}

async fn start_authorization(
    state: &AppState,
    meta: &RequestMeta,
    slug: &str,
    limits: &mut RateLimits,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let provider = active_provider(&mut conn, slug).await?;
    login::address_limit(&mut conn, state, meta, limits).await?;
    let metadata = state
        .oidc
        .discover(&provider.issuer)
        .await
        .map_err(gateway)?;
    let (oauth_state, nonce, verifier) = (
        secrets::random_token(),
        secrets::random_token(),
        secrets::random_token(),
    );
    let id = Uuid::now_v7();
    let expires_at = Utc::now() + chrono::Duration::seconds(AUTHORIZATION_TTL_SECS);
    let url = authorization_url(
        &metadata,
        &provider,
        &oauth_state,
        &nonce,
        &pkce_challenge(&verifier),
    )?;
    authorizations::insert(
        &mut conn,
        &NewOidcAuthorization {
            id,
            provider_id: provider.id,
            state_hash: secrets::token_hash(&oauth_state),
            nonce,
            code_verifier_sealed: state
                .sealing
                .seal(&format!("oidc-verifier:{id}"), verifier.as_bytes())
                .map_err(ApiError::internal)?,
            redirect_uri: provider.redirect_uri.clone(),
            expires_at,
        },
    )
    .await?;
    authorizations::sweep(&mut conn).await?;
    record::audit_only(
        &mut conn,
        None,
        meta,
        SessionEvent {
            action: "auth.oidc_started",
            target_type: "identity_provider",
            target_id: Some(provider.id.to_string()),
            changes: json!({ "authorization_id": id }),
            municipality_id: provider.municipality_id,
        },
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(Authorization {
            authorization_url: url,
            state: oauth_state,
            expires_at,
        }))
}

/// A refusal, audited with its reason.
pub(super) async fn refuse(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    provider: &IdentityProvider,
    code: &'static str,
    reason: &str,
    detail: &str,
) -> ApiError {
    let audited = record::audit_only(
        conn,
        None,
        meta,
        SessionEvent {
            action: "auth.oidc_refused",
            target_type: "identity_provider",
            target_id: Some(provider.id.to_string()),
            changes: json!({ "code": code, "reason": reason }),
            municipality_id: provider.municipality_id,
        },
    )
    .await;
    match audited {
        Ok(()) => ApiError::SignInRefused {
            code,
            detail: detail.to_owned(),
        },
        Err(e) => e.into(),
    }
}

/// Finishes signing in: exchanges the code, verifies the ID token, finds
/// the account (linked by the provider's subject; for a partner provider
/// through the organization's corporate number) and answers a token pair,
/// as `POST /v1/auth/login` does.
#[utoipa::path(operation_id = "completeSignIn", tag = "auth", security(()),
    params(("provider" = String, Path, description = "The provider's slug")),
    request_body = Callback,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 401, description = "Refused: unknown, spent or expired state; a code the provider refused; an ID token that does not verify; an account not linked or disabled; an organization not confirmed (`code` says which)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such active provider", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider could not be reached", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/auth/oidc/{provider}/callback")]
pub async fn callback(
    state: web::Data<AppState>,
    meta: RequestMeta,
    path: web::Path<String>,
    body: Json<Callback>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut conn = pool::connection(&state.pool).await?;
    let provider = active_provider(&mut conn, &path).await?;
    let Some(started) = authorizations::take(
        &mut conn,
        provider.id,
        &secrets::token_hash(body.state.trim()),
    )
    .await?
    else {
        return Err(refuse(
            &mut conn,
            &meta,
            &provider,
            "invalid_state",
            "unknown, spent or expired state",
            "this sign-in was not started here, was already used or has expired; start again",
        )
        .await);
    };
    let verifier = state
        .sealing
        .open(
            &format!("oidc-verifier:{}", started.id),
            &started.code_verifier_sealed,
        )
        .map_err(ApiError::internal)?;
    let verifier = String::from_utf8(verifier).map_err(ApiError::internal)?;
    let client_secret = match &provider.client_secret_sealed {
        Some(sealed) => Some(
            String::from_utf8(
                state
                    .sealing
                    .open(&format!("idp-client-secret:{}", provider.id), sealed)
                    .map_err(ApiError::internal)?,
            )
            .map_err(ApiError::internal)?,
        ),
        None => None,
    };
    let metadata = state
        .oidc
        .discover(&provider.issuer)
        .await
        .map_err(gateway)?;
    let tokens = match state
        .oidc
        .exchange_code(
            &metadata,
            &provider.client_id,
            client_secret.as_deref(),
            body.code.trim(),
            &verifier,
            &started.redirect_uri,
        )
        .await
    {
        Ok(tokens) => tokens,
        Err(ProviderError::Refused(reason)) => {
            return Err(refuse(
                &mut conn,
                &meta,
                &provider,
                "code_refused",
                &reason,
                "the identity provider refused the code (used, expired or not issued for this sign-in); start again",
            )
            .await)
        }
        Err(other) => return Err(gateway(other)),
    };
    let Some(raw_id_token) = tokens.id_token else {
        return Err(ApiError::BadGateway(
            "the token response has no id_token".into(),
        ));
    };
    let mut keys = state.oidc.keys(&metadata, false).await.map_err(gateway)?;
    if !id_token::has_key(&keys, &raw_id_token) {
        keys = state.oidc.keys(&metadata, true).await.map_err(gateway)?;
    }
    let claims = match id_token::verify(
        &keys,
        &Expected {
            issuer: &provider.issuer,
            client_id: &provider.client_id,
            nonce: &started.nonce,
        },
        &raw_id_token,
    ) {
        Ok(claims) => claims,
        Err(refusal) => {
            return Err(refuse(
                &mut conn,
                &meta,
                &provider,
                "id_token_invalid",
                refusal.as_str(),
                "the identity provider's ID token did not verify",
            )
            .await)
        }
    };
    let signed_in = accounts::resolve(
        &state,
        &mut conn,
        &meta,
        &provider,
        &metadata,
        &claims,
        tokens.access_token.as_deref(),
    )
    .await?;
    let SignedIn { user, link_id } = signed_in;
    let pair = login::sign_in(
        &mut conn,
        &state,
        &meta,
        &user,
        "auth.oidc_login",
        json!({
            "provider_id": provider.id,
            "link_id": link_id,
        }),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(pair))
}
