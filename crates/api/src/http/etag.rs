//! Optimistic concurrency: `ETag: "<version>"` on single-resource reads,
//! `If-Match` required on changes (428 without it, 412 when stale), and
//! conditional reads: a GET or HEAD whose `If-None-Match` matches the
//! response's ETag is answered 304 ([`not_modified`], one middleware for
//! every read that sends an ETag).
//!
//! Extracting [`IfMatch`] never fails: a missing or malformed header is
//! reported by [`IfMatch::check`], which handlers call once the caller is
//! authenticated and authorized and the resource found. So a bad token is
//! 401 whatever `If-Match` says (actix polls all extractors together, and
//! an eager 412 would win over an authentication still waiting on the
//! database).

use crate::http::problem::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
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

/// Answers a GET or HEAD 304 Not Modified, with the ETag and no body, when
/// the response would be 200 with an ETag that the request's
/// `If-None-Match` names (weak comparison, RFC 9110 §13.1.2; `*` matches any
/// ETag). Anything else passes through untouched.
pub async fn not_modified(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let conditional = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = conditional
        .then(|| req.headers().get(header::IF_NONE_MATCH))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.call(req).await?;
    let Some(if_none_match) = if_none_match else {
        return Ok(response.map_into_boxed_body());
    };
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok());
    let matched = response.status() == StatusCode::OK
        && etag.is_some_and(|etag| none_match_names(&if_none_match, etag));
    if !matched {
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.into_parts();
    let mut not_modified = HttpResponse::NotModified();
    // RFC 9110 §15.4.5: the headers a 200 would have sent that describe
    // the representation's validators and caching.
    for name in [
        header::ETAG,
        header::CACHE_CONTROL,
        header::VARY,
        header::EXPIRES,
        header::CONTENT_LOCATION,
        header::DATE,
    ] {
        if let Some(value) = response.headers().get(&name) {
            not_modified.insert_header((name, value.clone()));
        }
    }
    Ok(ServiceResponse::new(request, not_modified.finish()))
}

/// Whether an `If-None-Match` value names `etag` (weak comparison).
fn none_match_names(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| {
        tag.trim()
            .strip_prefix("W/")
            .unwrap_or(tag.trim())
            .to_owned()
    };
    if if_none_match.trim() == "*" {
        return true;
    }
    let current = opaque(etag);
    if_none_match.split(',').any(|tag| opaque(tag) == current)
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

/// A create-or-replace (a `PUT` of a resource that may not exist yet),
/// decided from the row locked for update and the request's `If-Match`.
#[derive(Debug)]
pub enum Upsert<T> {
    /// No row and no `If-Match`: create it.
    Create,
    /// A row whose version the caller read: replace it.
    Replace(T),
}

impl OptionalIfMatch {
    /// `Create` without a row and without `If-Match`, `Replace` with a row
    /// whose version matches; 412 for an `If-Match` when there is no row or
    /// it is stale, 428 for a row without `If-Match`.
    pub fn upsert<T>(
        &self,
        before: Option<T>,
        version: impl FnOnce(&T) -> i64,
    ) -> Result<Upsert<T>, ApiError> {
        match (before, &self.0) {
            (None, Some(_)) => Err(ApiError::PreconditionFailed),
            (Some(_), None) => Err(ApiError::PreconditionRequired),
            (Some(before), Some(if_match)) => {
                if_match.check(version(&before))?;
                Ok(Upsert::Replace(before))
            }
            (None, None) => Ok(Upsert::Create),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upsert_creates_without_a_row_and_replaces_the_version_read() {
        let none = OptionalIfMatch(None);
        let read = OptionalIfMatch(Some(IfMatch::parse("\"2\"")));
        assert!(matches!(
            none.upsert(None::<i64>, |v| *v),
            Ok(Upsert::Create)
        ));
        assert!(matches!(
            read.upsert(Some(2), |v| *v),
            Ok(Upsert::Replace(2))
        ));
        assert!(matches!(
            read.upsert(Some(3), |v| *v),
            Err(ApiError::PreconditionFailed)
        ));
        assert!(matches!(
            read.upsert(None::<i64>, |v| *v),
            Err(ApiError::PreconditionFailed)
        ));
        assert!(matches!(
            none.upsert(Some(2), |v| *v),
            Err(ApiError::PreconditionRequired)
        ));
    }

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

    #[test]
    fn if_none_match_uses_weak_comparison_lists_and_star() {
        assert!(none_match_names("\"3\"", "\"3\""));
        assert!(none_match_names("W/\"3\"", "\"3\""));
        assert!(none_match_names("\"3\"", "W/\"3\""));
        assert!(none_match_names("\"1\", \"2\",\"3\"", "\"3\""));
        assert!(none_match_names("*", "\"3\""));
        assert!(!none_match_names("\"2\"", "\"3\""));
        assert!(!none_match_names("\"2\", W/\"4\"", "\"3\""));
        assert!(!none_match_names("", "\"3\""));
    }
}
