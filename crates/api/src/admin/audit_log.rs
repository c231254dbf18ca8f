//! Reading the audit log (admin, desk).

use crate::auth::Caller;
use crate::http::bounds::check_instant;
use crate::http::pagination::{decode_cursor, PageParams, Paginated};
use crate::http::problem::ApiResult;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use living_gate_db::audit::{self as db, AuditFilter};
use living_gate_db::pool;
use living_gate_domain::access::policy::audit_scope;
use living_gate_domain::Role;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e40", "occurred_at": "2026-11-27T09:05:00+00:00",
    "actor_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01", "actor_role": "admin", "action": "user.update",
    "target_type": "user", "target_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e11",
    "request_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e41", "client_addr": "192.0.2.10",
    "changes": {"status": {"before": "active", "after": "disabled"}}
}))]
pub struct AuditEntry {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    #[schema(value_type = Option<String>)]
    pub actor_role: Option<Role>,
    /// e.g. `auth.login`, `auth.login_failed`, `token.refused`, `user.update`.
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    /// Changed fields as `{"field": {"before": …, "after": …}}`, or event
    /// detail. For admins, an entry about a case shows only which fields
    /// changed: `{"redacted": true, "fields": ["title", …]}` (no case content).
    pub changes: Value,
    /// The city of the target; `null`: the platform's (municipalities, service accounts).
    pub municipality_id: Option<Uuid>,
    /// The case the entry is about, if any.
    pub proposal_id: Option<Uuid>,
}

impl From<db::AuditEntry> for AuditEntry {
    fn from(e: db::AuditEntry) -> Self {
        AuditEntry {
            id: e.id,
            occurred_at: e.occurred_at,
            actor_id: e.actor_id,
            actor_role: e.actor_role,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            request_id: e.request_id,
            client_addr: e.client_addr,
            changes: e.changes,
            municipality_id: e.municipality_id,
            proposal_id: e.proposal_id,
        }
    }
}

/// What an admin sees of a case entry's `changes`: the names of the fields,
/// never their values (titles, notes, reasons are case content).
fn redacted(changes: &Value) -> Value {
    let fields: Vec<&String> = changes
        .as_object()
        .map(|fields| fields.keys().collect())
        .unwrap_or_default();
    serde_json::json!({"redacted": true, "fields": fields})
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditListParams {
    pub actor_id: Option<Uuid>,
    #[param(example = "auth.login_failed")]
    pub action: Option<String>,
    #[param(example = "user")]
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// Inclusive lower bound of `occurred_at` (years 1900 to 2200).
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound of `occurred_at` (years 1900 to 2200).
    pub to: Option<DateTime<Utc>>,
}

/// The audit log, newest first: the desk and a municipal admin read their
/// own city's entries, the platform admin every entry; admins never read
/// the changes of a case (see `changes`).
#[utoipa::path(operation_id = "listAuditEntries", tag = "audit", params(PageParams, AuditListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of audit entries, newest first", body = Paginated<AuditEntry>),
        (status = 403, description = "Only admins and the desk read the audit log", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/audit")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<AuditListParams>,
) -> ApiResult<HttpResponse> {
    let scope = audit_scope(&caller.actor)?;
    let page = params.page()?;
    let before = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = filter.into_inner();
    let filter = AuditFilter {
        actor_id: filter.actor_id,
        action: filter.action,
        target_type: filter.target_type,
        target_id: filter.target_id,
        from: check_instant("from", filter.from)?,
        to: check_instant("to", filter.to)?,
        municipality: scope.municipality,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(&mut conn, &filter, before, page.fetch_limit()).await?;
    let (rows, next) = page.finish(rows, |e| e.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter()
            .map(|row| {
                let mut entry = AuditEntry::from(row);
                if scope.redact_case_changes && entry.proposal_id.is_some() {
                    entry.changes = redacted(&entry.changes);
                }
                entry
            })
            .collect(),
        next,
    )))
}
