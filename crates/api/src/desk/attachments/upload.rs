//! Receiving a file: the raw request body, read chunk by chunk and hashed
//! as it comes, stopped with 413 as soon as it passes the limit (a
//! `Content-Length` above it is refused before a byte is read), so no more
//! than the limit is ever held.

use crate::http::problem::{ApiError, ApiResult};
use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use living_gate_domain::desk::attachment::{detect_type, sanitize_file_name, DETECTION_BYTES};
use sha2::{Digest, Sha256};

/// A file received in full, within the limit.
#[derive(Debug, Clone)]
pub struct Received {
    /// Sanitized.
    pub file_name: String,
    /// The request's `Content-Type` (`application/octet-stream` without one).
    pub declared_type: String,
    /// By magic numbers, when known.
    pub detected_type: Option<String>,
    /// Lower-case hex.
    pub sha256: String,
    pub content: Vec<u8>,
}

/// The name a client gave, sanitized, or 422.
pub fn file_name(raw: &str) -> ApiResult<String> {
    sanitize_file_name(raw).ok_or_else(|| {
        ApiError::validation(
            "file_name",
            "invalid",
            "a file name with at least one visible character after its path",
        )
    })
}

/// The declared type of the upload, or 415 when it is not a media type.
fn declared_type(req: &HttpRequest) -> ApiResult<String> {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Ok("application/octet-stream".into());
    };
    value
        .to_str()
        .ok()
        .and_then(|raw| raw.parse::<mime::Mime>().ok())
        .filter(|m| m.as_ref().len() <= 255)
        .map(|m| m.essence_str().to_owned())
        .ok_or_else(|| ApiError::UnsupportedMediaType("Content-Type is not a media type".into()))
}

/// Reads the whole body of `req`, at most `limit` bytes (413 beyond), not
/// empty (422).
pub async fn receive(
    req: &HttpRequest,
    mut payload: web::Payload,
    raw_name: &str,
    limit: u64,
) -> ApiResult<Received> {
    let file_name = file_name(raw_name)?;
    let declared_type = declared_type(req)?;
    let too_large = || ApiError::FileTooLarge { limit };
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    let capacity = announced.unwrap_or(0).min(limit);
    let mut content = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    let mut hasher = Sha256::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("unreadable body: {e}")))?;
        if content.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        hasher.update(&chunk);
        content.extend_from_slice(&chunk);
    }
    if content.is_empty() {
        return Err(ApiError::validation(
            "body",
            "empty",
            "the file is empty: send its bytes as the request body",
        ));
    }
    let head = &content[..content.len().min(DETECTION_BYTES)];
    Ok(Received {
        file_name,
        declared_type,
        detected_type: detect_type(head).map(str::to_owned),
        sha256: hex::encode(hasher.finalize()),
        content,
    })
}
