//! Writing the audit log from handlers: who (actor), from where (client
//! address, request id), what (action, target, before/after).

use crate::auth::caller::Caller;
use crate::http::problem::TokenRefusal;
use crate::http::request_context::RequestMeta;
use crate::state::AppState;
use living_gate_db::audit::{self as audit_db, NewAuditEntry};
use living_gate_db::{pool, AsyncPgConnection, DbResult, Versioned};
use living_gate_domain::Actor;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

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
            actor_role: actor.map(|a| a.role),
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
