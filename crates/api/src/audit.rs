//! Writing the audit log from handlers: who (actor), from where (client
//! address, request id), what (action, target, before/after).

use crate::auth::Caller;
use crate::problem::TokenRefusal;
use crate::request_context::RequestId;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use living_gate_db::audit::{self as audit_db, NewAuditEntry};
use living_gate_db::{pool, AsyncPgConnection, DbResult, Versioned};
use living_gate_domain::Actor;
use serde::Serialize;
use serde_json::Value;
use std::future::{ready, Ready};
use std::net::IpAddr;
use uuid::Uuid;

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

/// One audited event.
pub struct Event<'a> {
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<String>,
    pub changes: Value,
}

/// Appends an event; call it inside the transaction of the change it records.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    meta: &RequestMeta,
    event: Event<'_>,
) -> DbResult<()> {
    audit_db::record(
        conn,
        &NewAuditEntry {
            id: Uuid::now_v7(),
            actor_id: actor.map(|a| a.id),
            actor_role: actor.map(|a| a.role.as_str().to_owned()),
            action: event.action.to_owned(),
            target_type: Some(event.target_type.to_owned()),
            target_id: event.target_id,
            request_id: meta.request_id.clone(),
            client_addr: meta.client_addr.clone(),
            changes: event.changes,
        },
    )
    .await
}

/// Audits the creation of `row` by the caller (`<target_type>.create`, every field as "after").
pub async fn created<R: Serialize + Versioned>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    target_type: &str,
    row: &R,
) -> DbResult<()> {
    let action = format!("{target_type}.create");
    record(
        conn,
        Some(&caller.actor),
        &caller.meta,
        Event {
            action: &action,
            target_type,
            target_id: Some(row.id().to_string()),
            changes: audit_db::diff(None, row),
        },
    )
    .await
}

/// Audits a change of a row by the caller (`<target_type>.update`, changed fields before/after).
pub async fn updated<R: Serialize + Versioned>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    target_type: &str,
    before: &R,
    after: &R,
) -> DbResult<()> {
    let action = format!("{target_type}.update");
    record(
        conn,
        Some(&caller.actor),
        &caller.meta,
        Event {
            action: &action,
            target_type,
            target_id: Some(after.id().to_string()),
            changes: audit_db::diff(Some(before), after),
        },
    )
    .await
}

/// Records a refused bearer token with its reason class. Best effort: a
/// failure to audit must not turn a 401 into a 500, so it is only logged.
pub async fn record_refusal(state: &AppState, meta: &RequestMeta, reason: TokenRefusal) {
    let result = async {
        let mut conn = pool::connection(&state.pool).await?;
        record(
            &mut conn,
            None,
            meta,
            Event {
                action: "token.refused",
                target_type: "token",
                target_id: None,
                changes: serde_json::json!({ "reason": reason.as_str() }),
            },
        )
        .await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not audit a token refusal");
    }
}

#[cfg(test)]
mod tests {
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
