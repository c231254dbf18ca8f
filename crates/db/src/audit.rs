//! The append-only audit log (a trigger refuses UPDATE, DELETE and TRUNCATE).

use crate::codes::DbNullableText;
use crate::schema::audit_log;
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use living_gate_domain::Role;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
pub struct AuditEntry {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    #[diesel(deserialize_as = DbNullableText<Role>)]
    pub actor_role: Option<Role>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    pub changes: Value,
    pub created_at: DateTime<Utc>,
    /// The city of the target (`None`: the platform's).
    pub municipality_id: Option<Uuid>,
    /// The case the entry is about, if any (its content is withheld from admins).
    pub proposal_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    #[diesel(serialize_as = DbNullableText<Role>)]
    pub actor_role: Option<Role>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    pub changes: Value,
    /// Left `None` for a case's entry: the database takes the case's city.
    pub municipality_id: Option<Uuid>,
    pub proposal_id: Option<Uuid>,
}

pub async fn record(conn: &mut AsyncPgConnection, entry: &NewAuditEntry) -> DbResult<()> {
    crate::Prepared(diesel::insert_into(audit_log::table).values(entry.clone()))
        .execute(conn)
        .await?;
    Ok(())
}

/// Appends many entries at once (an import), in chunks under the bind limit.
pub async fn record_many(conn: &mut AsyncPgConnection, entries: &[NewAuditEntry]) -> DbResult<()> {
    for chunk in entries.chunks(5000) {
        diesel::insert_into(audit_log::table)
            .values(chunk.to_vec())
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Fields never written to the audit log, even as "changed".
const UNAUDITED_FIELDS: &[&str] = &[
    "version",
    "updated_at",
    "created_at",
    "password_hash",
    "secret_hash",
];

/// `{"field": {"before": ..., "after": ...}}` for every top-level field that
/// differs between two serialisations of a row. A missing `before` (a
/// creation) records every field with `before: null`.
pub fn diff<T: Serialize>(before: Option<&T>, after: &T) -> Value {
    let to_map = |value: Value| match value {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let before = before
        .and_then(|b| serde_json::to_value(b).ok())
        .map(to_map)
        .unwrap_or_default();
    let after = serde_json::to_value(after).map(to_map).unwrap_or_default();
    let mut changes = Map::new();
    for (field, new) in after {
        if UNAUDITED_FIELDS.contains(&field.as_str()) {
            continue;
        }
        let old = before.get(&field).cloned().unwrap_or(Value::Null);
        if old != new {
            changes.insert(field, serde_json::json!({ "before": old, "after": new }));
        }
    }
    Value::Object(changes)
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Entries of this city only (`None`: every entry).
    pub municipality: Option<Uuid>,
}

/// Newest first; `before` is the id to continue after (exclusive).
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AuditFilter,
    before: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<AuditEntry>> {
    let mut query = audit_log::table
        .select(AuditEntry::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    if let Some(municipality) = filter.municipality {
        query = query.filter(audit_log::municipality_id.eq(municipality));
    }
    if let Some(actor_id) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor_id));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(target_type) = &filter.target_type {
        query = query.filter(audit_log::target_type.eq(target_type.clone()));
    }
    if let Some(target_id) = &filter.target_id {
        query = query.filter(audit_log::target_id.eq(target_id.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::occurred_at.lt(to));
    }
    conn.transaction(async |conn| {
        crate::pool::custom_plans(conn).await?;
        Ok(query.load(conn).await?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::diff;
    use serde_json::json;

    #[derive(serde::Serialize)]
    struct Row {
        name: &'static str,
        status: &'static str,
        version: i64,
    }

    #[test]
    fn records_only_changed_audited_fields() {
        let before = Row {
            name: "座間市",
            status: "active",
            version: 1,
        };
        let after = Row {
            name: "座間市",
            status: "disabled",
            version: 2,
        };
        assert_eq!(
            diff(Some(&before), &after),
            json!({"status": {"before": "active", "after": "disabled"}})
        );
        assert_eq!(
            diff(None, &after),
            json!({"name": {"before": null, "after": "座間市"}, "status": {"before": null, "after": "disabled"}})
        );
    }
}
