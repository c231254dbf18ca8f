//! Per-request plumbing: the request id (taken from `X-Request-Id` or
//! generated, echoed back), one tracing span per request with method, route,
//! status and latency, and the `instance`/`request_id` members of every
//! problem+json body.

use crate::http::problem::PROBLEM_JSON;
use crate::state::AppState;
use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::Payload;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::FromRequest;
use actix_web::{Error, HttpMessage, HttpRequest};
use std::future::{ready, Ready};
use std::net::IpAddr;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request, available to handlers and extractors.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    pub fn of(req: &HttpRequest) -> Option<String> {
        req.extensions().get::<RequestId>().map(|r| r.0.clone())
    }
}

/// A caller-supplied id is kept when it is short and printable; otherwise a
/// fresh UUIDv7 is used, so log lines can't be forged through the header.
fn request_id_from(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// The path with secrets in it replaced: invitation tokens travel in the
/// path (`/v1/invitations/{token}/accept`) and must not reach the logs.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    const SECRET_PREFIXES: [&str; 1] = ["/v1/invitations/"];
    for prefix in SECRET_PREFIXES {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}{{token}}{tail}").into();
        }
    }
    path.into()
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_id = request_id_from(&req);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = %loggable_path(req.path()),
        request_id = %request_id,
        route = tracing::field::Empty,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let started = Instant::now();
    let response = next.call(req).instrument(span.clone()).await?;
    let status = response.status();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "<unmatched>".to_owned());
    span.record("route", route.as_str());
    span.record("status", status.as_u16());
    span.record("latency_ms", started.elapsed().as_secs_f64() * 1000.0);
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!("request failed");
        } else {
            tracing::info!("request completed");
        }
    });
    let mut response = complete_problem(response, &request_id).await?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(response)
}

/// Fills `instance` and `request_id` into a problem+json body.
async fn complete_problem(
    response: ServiceResponse<impl MessageBody + 'static>,
    request_id: &str,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !is_problem {
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("body"))?;
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert("instance".into(), request.path().into());
            problem.insert("request_id".into(), request_id.into());
            serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    let mut head = head;
    head.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(ServiceResponse::new(
        request,
        head.set_body(BoxBody::new(body)),
    ))
}

/// Where a request came from, for the audit log and rate limits.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    /// The TCP peer address (a proxy's, when behind one).
    pub client_addr: Option<String>,
}

impl RequestMeta {
    pub fn from_request_head(req: &HttpRequest) -> RequestMeta {
        let trusted: &[IpAddr] = req
            .app_data::<actix_web::web::Data<AppState>>()
            .map(|state| state.auth.trusted_proxies.as_slice())
            .unwrap_or(&[]);
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        RequestMeta {
            request_id: RequestId::of(req),
            client_addr: req
                .peer_addr()
                .map(|a| client_address(a.ip(), forwarded, trusted).to_string()),
        }
    }
}

/// The client behind a request: the TCP peer, unless the peer is a trusted
/// proxy, in which case the right-most `X-Forwarded-For` entry that is not a
/// trusted proxy (entries further left can be forged by the client).
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    forwarded_for
        .into_iter()
        .flat_map(|header| header.rsplit(','))
        .map(|entry| entry.trim().parse::<IpAddr>())
        .find(|entry| entry.as_ref().map_or(true, |ip| !trusted.contains(ip)))
        .and_then(Result::ok)
        .unwrap_or(peer)
}

impl FromRequest for RequestMeta {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(RequestMeta::from_request_head(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn invitation_tokens_are_not_logged() {
        assert_eq!(
            loggable_path("/v1/invitations/s3cr3t/accept"),
            "/v1/invitations/{token}/accept"
        );
        assert_eq!(
            loggable_path("/v1/organizations/42"),
            "/v1/organizations/42"
        );
    }

    use super::client_address;
    use std::net::IpAddr;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().expect("ip")
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy = ip("10.0.0.5");
        let trusted = [proxy];
        assert_eq!(
            client_address(ip("203.0.113.9"), Some("198.51.100.1"), &trusted),
            ip("203.0.113.9"),
            "untrusted peer"
        );
        assert_eq!(
            client_address(proxy, Some("198.51.100.1"), &trusted),
            ip("198.51.100.1")
        );
        // A client-forged entry on the left does not win.
        assert_eq!(
            client_address(proxy, Some("1.2.3.4, 198.51.100.1"), &trusted),
            ip("198.51.100.1")
        );
        // Chains of trusted proxies are skipped.
        assert_eq!(
            client_address(proxy, Some("198.51.100.1, 10.0.0.5"), &trusted),
            ip("198.51.100.1")
        );
        // Garbage falls back to the proxy itself.
        assert_eq!(client_address(proxy, Some("not-an-ip"), &trusted), proxy);
        assert_eq!(client_address(proxy, None, &trusted), proxy);
    }
}
