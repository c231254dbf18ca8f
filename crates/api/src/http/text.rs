//! Text PostgreSQL cannot store: the NUL character (U+0000) is refused at
//! parse time with a field-level 422 `invalid_character`, wherever it
//! comes from. The URL (path and query string) is checked by [`middleware`]
//! for every request; bodies by the extractors of [`crate::http::body`].
//! A handler never sees a NUL, so none reaches SQL as a 500.

use crate::http::problem::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::Error;
use percent_encoding::percent_decode_str;
use serde_json::Value;

/// The `code` of the field error.
pub const INVALID_CHARACTER: &str = "invalid_character";

/// The longest request target (path and query) the API reads, in bytes.
/// Longer ones are 414 problem+json; actix itself refuses request heads
/// over 128 KiB (431, no body) before any app code runs.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The 422 for a NUL in `field`.
pub fn refused(field: &str) -> ApiError {
    ApiError::validation(
        field,
        INVALID_CHARACTER,
        "must not contain the NUL character (U+0000)",
    )
}

/// Refuses an over-long URL (414) and a NUL in the path (`path`) or in a
/// query parameter (named after the parameter), before any handler runs.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let uri = req.uri();
    let length = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    let refusal = if length > MAX_URI_BYTES {
        Some(ApiError::UriTooLong {
            limit: MAX_URI_BYTES,
        })
    } else if has_nul(uri.path()) {
        Some(refused("path"))
    } else {
        uri.query()
            .and_then(|query| nul_in_urlencoded(query.as_bytes(), "query"))
            .map(|field| refused(&field))
    };
    match refusal {
        Some(error) => Ok(req.error_response(error).map_into_boxed_body()),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// Percent-encoded text that decodes to a NUL. A `%00` anywhere decodes
/// to one: its `%` cannot belong to an earlier escape.
fn has_nul(encoded: &str) -> bool {
    encoded.contains("%00") || encoded.contains('\0')
}

/// The name of the first `application/x-www-form-urlencoded` pair (query
/// string or form body) whose name or value holds a NUL; `fallback` when
/// the name itself is unreadable.
pub fn nul_in_urlencoded(raw: &[u8], fallback: &str) -> Option<String> {
    let raw = String::from_utf8_lossy(raw);
    let pair = raw.split('&').find(|pair| has_nul(pair))?;
    let name = pair.split('=').next().unwrap_or_default().replace('+', " ");
    let name = percent_decode_str(&name).decode_utf8_lossy();
    Some(if name.is_empty() || name.contains('\0') {
        fallback.to_owned()
    } else {
        name.into_owned()
    })
}

/// The first field of a JSON document holding a NUL, as the validation
/// errors name fields (`indicators[0].name`); `body` for the top level.
pub fn nul_in_json(raw: &[u8]) -> Option<String> {
    // JSON can only carry a NUL escaped; most bodies stop here.
    if !raw.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value: Value = serde_json::from_slice(raw).ok()?;
    nul_in_value(&value, "")
}

fn nul_in_value(value: &Value, path: &str) -> Option<String> {
    let named = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        Value::String(text) => text.contains('\0').then(|| named(path)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_in_value(item, &format!("{path}[{i}]"))),
        Value::Object(members) => members.iter().find_map(|(name, member)| {
            if name.contains('\0') {
                return Some(named(path));
            }
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            nul_in_value(member, &child)
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_field_of_a_nul_in_json() {
        assert_eq!(nul_in_json(br#"{"title": "ok"}"#), None);
        assert_eq!(nul_in_json(br#"{"title": "a\\u0000"}"#), None);
        assert_eq!(
            nul_in_json(br#"{"title": "a\u0000"}"#).as_deref(),
            Some("title")
        );
        assert_eq!(
            nul_in_json(br#"{"indicators": [{"name": "x"}, {"name": "\u0000"}]}"#).as_deref(),
            Some("indicators[1].name")
        );
        assert_eq!(nul_in_json(br#"{"\u0000": 1}"#).as_deref(), Some("body"));
        assert_eq!(nul_in_json(br#""\u0000""#).as_deref(), Some("body"));
    }

    #[test]
    fn finds_the_parameter_of_a_nul_in_urlencoded_text() {
        assert_eq!(nul_in_urlencoded(b"action=login&limit=5", "query"), None);
        assert_eq!(nul_in_urlencoded(b"a=%2500", "query"), None);
        assert_eq!(
            nul_in_urlencoded(b"limit=5&action=%00", "query").as_deref(),
            Some("action")
        );
        assert_eq!(
            nul_in_urlencoded(b"client%5Fid=x%%00", "body").as_deref(),
            Some("client_id")
        );
        assert_eq!(
            nul_in_urlencoded(b"%00=x", "query").as_deref(),
            Some("query")
        );
    }
}
