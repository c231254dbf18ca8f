//! Optimistic concurrency: `ETag: "<version>"` on single-resource reads,
//! `If-Match` required on changes (428 without it, 412 when stale).
//!
//! Extracting [`IfMatch`] never fails: a missing or malformed header is
//! reported by [`IfMatch::check`], which handlers call once the caller is
//! authenticated and authorized and the resource found. So a bad token is
//! 401 whatever `If-Match` says (actix polls all extractors together, and
//! an eager 412 would win over an authentication still waiting on the
//! database).

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

/// The versions an `If-Match` header accepts (`*` accepts any), or why
/// the header is unusable.
#[derive(Debug, Clone)]
pub struct IfMatch(Result<Option<Vec<i64>>, Unusable>);

#[derive(Debug, Clone, Copy)]
enum Unusable {
    /// 428.
    Missing,
    /// 412: no version can match it.
    Malformed,
}

impl IfMatch {
    /// 428 without the header, 412 unless `current` is one of the versions
    /// the caller read.
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        match &self.0 {
            Err(Unusable::Missing) => Err(ApiError::PreconditionRequired),
            Err(Unusable::Malformed) => Err(ApiError::PreconditionFailed),
            Ok(None) => Ok(()),
            Ok(Some(versions)) if versions.contains(&current) => Ok(()),
            Ok(Some(_)) => Err(ApiError::PreconditionFailed),
        }
    }

    /// The row, when it exists and is still the version the caller read.
    pub fn current<R: living_gate_db::Versioned>(&self, row: Option<R>) -> Result<R, ApiError> {
        let row = row.ok_or(ApiError::NotFound)?;
        self.check(row.version())?;
        Ok(row)
    }

    fn parse(raw: &str) -> IfMatch {
        if raw.trim() == "*" {
            return IfMatch(Ok(None));
        }
        let versions = raw
            .split(',')
            .map(|tag| {
                let tag = tag.trim();
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                tag.strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .and_then(|t| t.parse::<i64>().ok())
                    .ok_or(Unusable::Malformed)
            })
            .collect::<Result<Vec<_>, _>>();
        IfMatch(versions.map(Some))
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(match req.headers().get(header::IF_MATCH) {
            None => IfMatch(Err(Unusable::Missing)),
            Some(value) => match value.to_str() {
                Ok(raw) => IfMatch::parse(raw),
                Err(_) => IfMatch(Err(Unusable::Malformed)),
            },
        }))
    }
}

/// `If-Match` where a write may also create: absent is allowed (the
/// handler requires it when the resource exists), malformed is 412 when
/// checked.
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
        assert!(IfMatch::parse("\"3\"").check(3).is_ok());
        assert!(IfMatch::parse("W/\"3\"").check(3).is_ok());
        assert!(IfMatch::parse("\"2\", \"3\"").check(3).is_ok());
        assert!(IfMatch::parse("*").check(9).is_ok());
        assert!(matches!(
            IfMatch::parse("\"2\"").check(3),
            Err(ApiError::PreconditionFailed)
        ));
        assert!(matches!(
            IfMatch::parse("nonsense").check(3),
            Err(ApiError::PreconditionFailed)
        ));
        assert!(matches!(
            IfMatch(Err(Unusable::Missing)).check(3),
            Err(ApiError::PreconditionRequired)
        ));
    }
}
