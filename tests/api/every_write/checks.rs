//! What a write must have recorded: its audit row and feed events (read
//! from the database, after marks taken before it), and who sees each event
//! (read from every caller's `GET /v1/events` after a cursor taken before).

use super::perform::{text, Target};
use super::{Audience, Write};
use crate::harness::{json, TestApp, Who};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;
use living_gate_db::schema::{audit_log, proposal_events};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use uuid::Uuid;

/// Where the audit log and the feed ended before an operation.
pub(super) struct Marks {
    audit: Uuid,
    position: i64,
}

/// A row of the audit log, as the checks read it.
pub(super) type AuditRow = (String, Option<String>, Option<String>);

/// An event appended by an operation, as the checks read it.
pub(super) struct NewEvent {
    id: Uuid,
    kind: String,
    resource_id: Option<Uuid>,
}

impl Marks {
    pub(super) async fn take(app: &TestApp) -> Marks {
        let mut conn = app.conn().await;
        let audit: Option<Uuid> = audit_log::table
            .select(audit_log::id)
            .order(audit_log::id.desc())
            .first(&mut conn)
            .await
            .ok();
        let position: Option<i64> = proposal_events::table
            .select(proposal_events::position)
            .order(proposal_events::position.desc())
            .first(&mut conn)
            .await
            .ok();
        Marks {
            audit: audit.unwrap_or(Uuid::nil()),
            position: position.unwrap_or(0),
        }
    }

    /// Audit rows written since (ids are UUIDv7: creation order).
    pub(super) async fn audit_since(&self, app: &TestApp) -> Vec<AuditRow> {
        audit_log::table
            .filter(audit_log::id.gt(self.audit))
            .order(audit_log::id)
            .select((
                audit_log::action,
                audit_log::target_type,
                audit_log::target_id,
            ))
            .load(&mut app.conn().await)
            .await
            .expect("audit rows")
    }

    pub(super) async fn events_since(&self, app: &TestApp) -> Vec<NewEvent> {
        let rows: Vec<(Uuid, String, Option<Uuid>)> = proposal_events::table
            .filter(proposal_events::position.gt(self.position))
            .order(proposal_events::position)
            .select((
                proposal_events::id,
                proposal_events::kind,
                proposal_events::resource_id,
            ))
            .load(&mut app.conn().await)
            .await
            .expect("events");
        rows.into_iter()
            .map(|(id, kind, resource_id)| NewEvent {
                id,
                kind,
                resource_id,
            })
            .collect()
    }
}

/// At least one new audit row with the row's action, target type and target.
pub(super) fn check_audit(
    write: &Write,
    target: &Target,
    response: &Value,
    audit: &[AuditRow],
    events: &[NewEvent],
) -> Vec<String> {
    let op = write.op;
    let (action, target_type) = write.audit;
    let targets: Vec<String> = match target {
        Target::Is(id) => vec![id.clone()],
        Target::Field(pointer) => match response.pointer(pointer).and_then(Value::as_str) {
            Some(id) => vec![id.to_owned()],
            None => return vec![format!("{op}: no {pointer} in the response {response}")],
        },
        Target::EntryOfEvent => events
            .iter()
            .filter_map(|e| e.resource_id.map(|id| id.to_string()))
            .collect(),
    };
    let found = audit.iter().any(|(a, t, id)| {
        a == action
            && t.as_deref() == Some(target_type)
            && id.as_ref().is_some_and(|id| targets.contains(id))
    });
    if found {
        return Vec::new();
    }
    vec![format!(
        "{op}: no audit row `{action}` of {target_type} {targets:?}; it wrote {audit:?}"
    )]
}

/// Session operations append nothing; every other write appends events of
/// its expected kinds, each of them at least once.
pub(super) fn check_kinds(write: &Write, events: &[NewEvent]) -> Vec<String> {
    let op = write.op;
    let got: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    if write.events.is_empty() {
        if got.is_empty() {
            return Vec::new();
        }
        return vec![format!(
            "{op}: a session operation appended feed events {got:?}"
        )];
    }
    let expected: Vec<&str> = write.events.iter().map(|(k, _)| k.as_str()).collect();
    let mut problems = Vec::new();
    if let Some(stray) = got.iter().find(|k| !expected.contains(k)) {
        problems.push(format!(
            "{op}: appended a `{stray}` event; expected only {expected:?}, got {got:?}"
        ));
    }
    for kind in &expected {
        if !got.contains(kind) {
            problems.push(format!("{op}: no `{kind}` feed event; it appended {got:?}"));
        }
    }
    problems
}

/// Who is expected to see `kind` of this write.
fn audience(write: &Write, kind: &str) -> Audience {
    write
        .events
        .iter()
        .find(|(k, _)| k.as_str() == kind)
        .map_or(&[], |(_, audience)| *audience)
}

/// Each caller's feed from `cursor` on shows exactly the new events whose
/// audience names it; analysts and both admins (municipal and platform)
/// get 403, anonymous callers 401.
/// (Events of unexpected kinds are reported by [`check_kinds`].)
pub(super) async fn check_audience(
    app: &TestApp,
    write: &Write,
    cursor: &str,
    events: &[NewEvent],
) -> Vec<String> {
    let op = write.op;
    let events: Vec<&NewEvent> = events
        .iter()
        .filter(|e| write.events.iter().any(|(k, _)| k.as_str() == e.kind))
        .collect();
    let mut problems = Vec::new();
    for who in Who::ALL {
        let refused = match who {
            Who::Anonymous => Some(StatusCode::UNAUTHORIZED),
            Who::Analyst | Who::Admin | Who::PlatformAdmin => Some(StatusCode::FORBIDDEN),
            _ => None,
        };
        if let Some(refused) = refused {
            let status = app
                .get(&format!("/v1/events?cursor={cursor}"), who)
                .await
                .status();
            if status != refused {
                problems.push(format!(
                    "{op}: the feed answers {who:?} {status}, not {refused}"
                ));
            }
            continue;
        }
        let seen: BTreeSet<Uuid> = feed_since(app, who, cursor)
            .await
            .iter()
            .filter_map(|e| e["id"].as_str()?.parse().ok())
            .collect();
        let expected: Vec<&str> = events
            .iter()
            .filter(|e| audience(write, &e.kind).contains(&who))
            .map(|e| e.kind.as_str())
            .collect();
        let got: Vec<&str> = events
            .iter()
            .filter(|e| seen.contains(&e.id))
            .map(|e| e.kind.as_str())
            .collect();
        if expected != got {
            problems.push(format!(
                "{op}: {who:?} sees {got:?} of the new events, expected {expected:?}"
            ));
        }
    }
    problems
}

/// A cursor past every event so far (the desk sees them all).
pub(super) async fn feed_end(app: &TestApp) -> String {
    let mut cursor = String::new();
    loop {
        let page = feed_page(app, Who::Desk, &cursor).await;
        cursor = text(&page, "/next_cursor");
        if page["items"].as_array().is_none_or(Vec::is_empty) {
            return cursor;
        }
    }
}

/// Every event of `who`'s feed after `cursor`.
async fn feed_since(app: &TestApp, who: Who, cursor: &str) -> Vec<Value> {
    let mut cursor = cursor.to_owned();
    let mut events = Vec::new();
    loop {
        let page = feed_page(app, who, &cursor).await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return events;
        }
        events.extend(items);
        cursor = text(&page, "/next_cursor");
    }
}

async fn feed_page(app: &TestApp, who: Who, cursor: &str) -> Value {
    let path = match cursor {
        "" => "/v1/events?limit=200".to_owned(),
        cursor => format!("/v1/events?limit=200&cursor={cursor}"),
    };
    json(app.get(&path, who).await, StatusCode::OK).await
}
