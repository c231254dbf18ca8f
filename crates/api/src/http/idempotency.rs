//! `Idempotency-Key` on POST: the first response to a key is stored in
//! PostgreSQL (so every instance sees it) for 24 hours, and a retry with the
//! same key and the same body gets that response again instead of creating
//! a duplicate. Keys are scoped to the authenticated subject; requests
//! without a valid bearer token of an active account are passed through
//! untouched (the handler answers them, 401), so nothing is replayed to a
//! token that is no longer valid.
//!
//! The claim of the key, everything the handler writes and the stored
//! response commit as one transaction on one connection (see
//! `living_gate_db::idempotency`): after a crash a retry either replays the
//! committed response or runs afresh, never neither.

use crate::auth::authenticate::verified_actor;
use crate::http::problem::{ApiError, ErrorChain};
use crate::state::AppState;
use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpResponse, ResponseError};
use living_gate_db::idempotency::{self, Claim};
use living_gate_db::pool::{self, SharedConn};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Mutex;

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
    // Authentication first, exactly as the handler's `Caller` does it: a
    // stored response is never replayed to a revoked or expired token or a
    // disabled account (the handler then answers 401 itself).
    let Some(actor) = verified_actor(req.request()).await else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let principal = actor.id.to_string();
    let key = match key(&req) {
        Ok(key) => key,
        Err(error) => return Ok(req.error_response(error).map_into_boxed_body()),
    };
    // An upload's body is a file: read it within the attachment limit.
    let body = if crate::desk::attachments::is_upload(req.method(), req.path()) {
        let limit = state.attachments.max_bytes;
        let too_large = ApiError::FileTooLarge { limit };
        match req.extract::<web::Payload>().await {
            Ok(payload) => match payload
                .to_bytes_limited(usize::try_from(limit).unwrap_or(usize::MAX))
                .await
            {
                Ok(Ok(body)) => Ok(body),
                Ok(Err(e)) => Err(ApiError::BadRequest(format!("unreadable body: {e}"))),
                Err(_) => Err(too_large),
            },
            Err(e) => Err(ApiError::BadRequest(format!("unreadable body: {e}"))),
        }
    } else {
        req.extract::<web::Bytes>()
            .await
            .map_err(|_| ApiError::PayloadTooLarge)
    };
    let body = match body {
        Ok(body) => body,
        Err(error) => return Ok(req.error_response(error).map_into_boxed_body()),
    };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(req.path());
    hasher.update(&body);
    let request_hash = hasher.finalize().to_vec();
    req.set_payload(Payload::from(body));

    // The claim's transaction stays open on this connection while the
    // handler runs on it (pool::pinned), and commits with the stored
    // response: claim, effect and response are one outcome.
    let claim = async {
        let mut conn = pool::checkout(&state.pool).await?;
        let claim = idempotency::claim(&mut conn, &principal, &key, &request_hash).await?;
        Ok::<_, living_gate_db::DbError>((conn, claim))
    }
    .await;
    match claim {
        Err(error) => Ok(req
            .error_response(ApiError::from(error))
            .map_into_boxed_body()),
        Ok((_, Claim::Mismatch)) => Ok(req
            .error_response(ApiError::validation(
                "Idempotency-Key",
                "key_reused",
                "this key was used for a different request; use a new key",
            ))
            .map_into_boxed_body()),
        Ok((_, Claim::InProgress)) => Ok(req
            .error_response(ApiError::Conflict {
                detail:
                    "a request with this Idempotency-Key is still being processed; retry shortly"
                        .into(),
                extra: None,
            })
            .map_into_boxed_body()),
        Ok((
            _,
            Claim::Replay {
                status,
                headers,
                body,
            },
        )) => {
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
        Ok((conn, Claim::Fresh)) => {
            let shared: SharedConn = Arc::new(Mutex::new(conn));
            let outcome = pool::pinned(Arc::clone(&shared), async {
                let response = next.call(req).await?;
                let status = response.status();
                let (request, response) = response.into_parts();
                let (head, body) = response.into_parts();
                let bytes = to_bytes(body)
                    .await
                    .map_err(|_| actix_web::error::ErrorInternalServerError("body"))?;
                Ok::<_, Error>((status, request, head, bytes))
            })
            .await;
            let mut conn = shared.lock().await;
            let (status, request, head, bytes) = match outcome {
                Ok(outcome) => outcome,
                Err(error) => {
                    if let Err(e) = idempotency::abandon(&mut conn).await {
                        tracing::warn!(error = %ErrorChain(&e), "could not roll back an idempotent request");
                    }
                    return Err(error);
                }
            };
            if let Some(delay) = commit_delay() {
                tokio::time::sleep(delay).await;
            }
            if status.is_server_error() {
                if let Err(e) = idempotency::abandon(&mut conn).await {
                    tracing::warn!(error = %ErrorChain(&e), "could not roll back an idempotent request");
                }
            } else {
                let headers: Map<String, Value> = STORED_HEADERS
                    .iter()
                    .filter_map(|name| {
                        let value = head.headers().get(*name)?.to_str().ok()?;
                        Some(((*name).to_owned(), Value::String(value.to_owned())))
                    })
                    .collect();
                let stored = idempotency::complete(
                    &mut conn,
                    &principal,
                    &key,
                    status.as_u16(),
                    &Value::Object(headers),
                    &bytes,
                )
                .await;
                if let Err(error) = stored {
                    // The effect was rolled back with the claim: the client
                    // must not see a success that did not happen.
                    return Ok(ServiceResponse::new(
                        request.clone(),
                        ApiError::from(error).error_response(),
                    )
                    .map_into_boxed_body());
                }
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

/// `LIVING_GATE_TEST_IDEMPOTENCY_COMMIT_DELAY_MS`: for the crash test
/// only, waits this long between the handler's work and the commit of an
/// idempotent request, so a test can kill the server inside the window.
/// Unset (the default) means no delay.
fn commit_delay() -> Option<Duration> {
    static DELAY: OnceLock<Option<Duration>> = OnceLock::new();
    *DELAY.get_or_init(|| {
        std::env::var("LIVING_GATE_TEST_IDEMPOTENCY_COMMIT_DELAY_MS")
            .ok()
            .and_then(|ms| ms.parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis)
    })
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
