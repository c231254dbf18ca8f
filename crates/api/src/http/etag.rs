//! Optimistic concurrency: `ETag: "<version>"` on single-resource reads,
//! `If-Match` required on changes (428 without it, 412 when stale).

use crate::http::problem::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::HttpResponse;
use actix_web::{FromRequest, HttpRequest};
use serde::Serialize;
use std::future::{ready, Ready};

/// A response with the `ETag` of `version` and `body` as JSON.
pub fn with_etag(
    mut response: actix_web::HttpResponseBuilder,
    version: i64,
    body: impl Serialize,
) -> HttpResponse {
    response
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The versions an `If-Match` header accepts (`*` accepts any).
#[derive(Debug, Clone)]
pub struct IfMatch(Option<Vec<i64>>);

impl IfMatch {
    /// 412 unless `current` is one of the versions the caller read.
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        match &self.0 {
            None => Ok(()),
            Some(versions) if versions.contains(&current) => Ok(()),
            Some(_) => Err(ApiError::PreconditionFailed),
        }
    }

    /// The row, when it exists and is still the version the caller read.
    pub fn current<R: living_gate_db::Versioned>(&self, row: Option<R>) -> Result<R, ApiError> {
        let row = row.ok_or(ApiError::NotFound)?;
        self.check(row.version())?;
        Ok(row)
    }

    fn parse(raw: &str) -> Result<IfMatch, ApiError> {
        if raw.trim() == "*" {
            return Ok(IfMatch(None));
        }
        raw.split(',')
            .map(|tag| {
                let tag = tag.trim();
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                tag.strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .and_then(|t| t.parse::<i64>().ok())
                    .ok_or(ApiError::PreconditionFailed)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|versions| IfMatch(Some(versions)))
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.headers().get(header::IF_MATCH) {
            None => Err(ApiError::PreconditionRequired),
            Some(value) => value
                .to_str()
                .map_err(|_| ApiError::PreconditionFailed)
                .and_then(IfMatch::parse),
        })
    }
}

/// `If-Match` where a write may also create: absent is allowed (the
/// handler requires it when the resource exists), malformed is 412.
#[derive(Debug, Clone)]
pub struct OptionalIfMatch(pub Option<IfMatch>);

impl FromRequest for OptionalIfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().contains_key(header::IF_MATCH) {
            ready(
                IfMatch::from_request(req, payload)
                    .into_inner()
                    .map(|m| OptionalIfMatch(Some(m))),
            )
        } else {
            ready(Ok(OptionalIfMatch(None)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_strong_weak_lists_and_star() {
        assert!(IfMatch::parse("\"3\"").and_then(|m| m.check(3)).is_ok());
        assert!(IfMatch::parse("W/\"3\"").and_then(|m| m.check(3)).is_ok());
        assert!(IfMatch::parse("\"2\", \"3\"")
            .and_then(|m| m.check(3))
            .is_ok());
        assert!(IfMatch::parse("*").and_then(|m| m.check(9)).is_ok());
        assert!(matches!(
            IfMatch::parse("\"2\"").and_then(|m| m.check(3)),
            Err(ApiError::PreconditionFailed)
        ));
        assert!(matches!(
            IfMatch::parse("nonsense"),
            Err(ApiError::PreconditionFailed)
        ));
    }
}
