//! `Idempotency-Key` on POST: the first response to a key is stored in
//! PostgreSQL (so every instance sees it) for 24 hours, and a retry with the
//! same key and the same body gets that response again instead of creating
//! a duplicate. Keys are scoped to the authenticated subject; requests
//! without a valid bearer token are passed through untouched (the handler
//! answers them).

use crate::auth::tokens;
use crate::http::problem::{ApiError, ErrorChain};
use crate::state::AppState;
use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpResponse};
use living_gate_db::idempotency::{self, Claim};
use living_gate_db::pool;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";
/// Set on a replayed response.
pub const REPLAYED_HEADER: &str = "idempotency-replayed";
const STORED_HEADERS: [&str; 4] = ["content-type", "location", "etag", "cache-control"];

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.method() != Method::POST || !req.headers().contains_key(HEADER) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(principal) = principal(&req, &state) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = match key(&req) {
        Ok(key) => key,
        Err(error) => return Ok(req.error_response(error).map_into_boxed_body()),
    };
    let body = match req.extract::<web::Bytes>().await {
        Ok(body) => body,
        Err(_) => {
            return Ok(req
                .error_response(ApiError::PayloadTooLarge)
                .map_into_boxed_body())
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(req.path());
    hasher.update(&body);
    let request_hash = hasher.finalize().to_vec();
    req.set_payload(Payload::from(body));

    let claim = async {
        let mut conn = pool::connection(&state.pool).await?;
        idempotency::claim(&mut conn, &principal, &key, &request_hash).await
    }
    .await;
    match claim {
        Err(error) => Ok(req
            .error_response(ApiError::from(error))
            .map_into_boxed_body()),
        Ok(Claim::Mismatch) => Ok(req
            .error_response(ApiError::validation(
                "Idempotency-Key",
                "key_reused",
                "this key was used for a different request; use a new key",
            ))
            .map_into_boxed_body()),
        Ok(Claim::InProgress) => Ok(req
            .error_response(ApiError::Conflict {
                detail:
                    "a request with this Idempotency-Key is still being processed; retry shortly"
                        .into(),
                extra: None,
            })
            .map_into_boxed_body()),
        Ok(Claim::Replay {
            status,
            headers,
            body,
        }) => {
            let mut response =
                HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
            if let Value::Object(headers) = headers {
                for (name, value) in headers {
                    if let (Ok(name), Some(value)) =
                        (HeaderName::try_from(name.as_str()), value.as_str())
                    {
                        if let Ok(value) = HeaderValue::from_str(value) {
                            response.insert_header((name, value));
                        }
                    }
                }
            }
            response.insert_header((
                HeaderName::from_static(REPLAYED_HEADER),
                HeaderValue::from_static("true"),
            ));
            Ok(req.into_response(response.body(body)).map_into_boxed_body())
        }
        Ok(Claim::Fresh) => {
            let response = next.call(req).await?;
            let status = response.status();
            let (request, response) = response.into_parts();
            let (head, body) = response.into_parts();
            let bytes = to_bytes(body)
                .await
                .map_err(|_| actix_web::error::ErrorInternalServerError("body"))?;
            let stored = async {
                let mut conn = pool::connection(&state.pool).await?;
                if status.is_server_error() {
                    idempotency::release(&mut conn, &principal, &key).await
                } else {
                    let headers: Map<String, Value> = STORED_HEADERS
                        .iter()
                        .filter_map(|name| {
                            let value = head.headers().get(*name)?.to_str().ok()?;
                            Some(((*name).to_owned(), Value::String(value.to_owned())))
                        })
                        .collect();
                    idempotency::complete(
                        &mut conn,
                        &principal,
                        &key,
                        status.as_u16(),
                        &Value::Object(headers),
                        &bytes,
                    )
                    .await
                }
            }
            .await;
            if let Err(error) = stored {
                tracing::error!(error = %ErrorChain(&error), "could not store the idempotent response");
            }
            let mut head = head;
            head.headers_mut().remove(header::CONTENT_LENGTH);
            Ok(ServiceResponse::new(
                request,
                head.set_body(BoxBody::new(bytes)),
            ))
        }
    }
}

/// The verified subject of the bearer token, if any.
fn principal(req: &ServiceRequest, state: &AppState) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    tokens::verify(&state.keys, &state.auth, token.trim())
        .ok()
        .map(|claims| claims.sub.to_string())
}

fn key(req: &ServiceRequest) -> Result<String, ApiError> {
    req.headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::validation(
                "Idempotency-Key",
                "invalid_key",
                "must be 1-255 printable ASCII characters",
            )
        })
}
