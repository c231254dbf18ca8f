//! The delivery log: `GET /v1/outbox-messages` (with filters and cursor
//! pagination), `GET /v1/outbox-messages/{id}` with its attempts, and
//! `POST /v1/outbox-messages/{id}/retry` for a dead message. Whoever reads
//! the audit log reads the delivery log (`audit_scope`: the desk and the
//! municipal admin of the city, the platform admin all); admins never get
//! a case mail's body (case content), nobody gets a secret one's.

use crate::auth::Caller;
use crate::http::etag::with_etag;
use crate::http::pagination::{decode_cursor, PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::notify::delivery::{self as db, LogFilter};
use living_gate_db::outbox::OutboxMessage as Row;
use living_gate_db::{pool, Page};
use living_gate_domain::access::policy::{audit_scope, AuditScope};
use living_gate_domain::notify::{AttemptOutcome, Language, MailKind, OutboxState};
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A message of the outbox as the delivery log shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub kind: MailKind,
    pub state: OutboxState,
    pub recipient_address: String,
    pub recipient_user_id: Option<Uuid>,
    pub language: Language,
    pub subject: String,
    /// The plain-text body; `null` for a secret message (a code, a link)
    /// and, for admins, for a mail about a case.
    pub body_text: Option<String>,
    /// RFC 5322 Message-ID (without angle brackets), the same on every attempt.
    pub message_id: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub proposal_id: Option<Uuid>,
    pub event_position: Option<i64>,
    /// `null`: the platform's.
    pub municipality_id: Option<Uuid>,
}

/// One delivery attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttempt {
    pub attempt: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub outcome: AttemptOutcome,
    /// The server's reply or the error (at most 500 characters).
    pub detail: String,
}

/// A message with its attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessageDetail {
    #[serde(flatten)]
    pub message: OutboxMessage,
    pub attempts_log: Vec<DeliveryAttempt>,
}

fn shown(row: Row, scope: &AuditScope) -> OutboxMessage {
    let hide = row.secret || (scope.redact_case_changes && row.proposal_id.is_some());
    OutboxMessage {
        id: row.id,
        kind: row.kind,
        state: row.state,
        recipient_address: row.recipient_address,
        recipient_user_id: row.recipient_user_id,
        language: row.language,
        subject: row.subject,
        body_text: (!hide).then_some(row.body_text),
        message_id: row.message_id,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at,
        last_error: row.last_error,
        created_at: row.created_at,
        sent_at: row.sent_at,
        proposal_id: row.proposal_id,
        event_position: row.event_position,
        municipality_id: row.municipality_id,
    }
}

/// The row changes with every claim, outcome and retry.
fn version(row: &Row) -> i64 {
    let state = match row.state {
        OutboxState::Pending => 0,
        OutboxState::Sent => 1,
        OutboxState::Dead => 2,
    };
    row.next_attempt_at.timestamp_micros() * 4 + i64::from(row.attempts % 1024) * 3 + state
}

/// The message if the caller's city owns it (row-level security and this).
async fn visible(
    conn: &mut living_gate_db::AsyncPgConnection,
    id: Uuid,
    scope: &AuditScope,
    lock: bool,
) -> ApiResult<Row> {
    let row = if lock {
        db::lock(conn, id).await?
    } else {
        db::find(conn, id).await?
    };
    match row {
        Some(row) if scope.municipality.is_none() || row.municipality_id == scope.municipality => {
            Ok(row)
        }
        _ => Err(ApiError::NotFound),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxListParams {
    pub state: Option<OutboxState>,
    pub kind: Option<MailKind>,
    /// The case the messages are about.
    pub proposal_id: Option<Uuid>,
}

/// The delivery log, newest first.
#[utoipa::path(operation_id = "listOutboxMessages", tag = "notifications", params(PageParams, OutboxListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of messages, newest first", body = Paginated<OutboxMessage>),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the desk and admins read the delivery log", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/outbox-messages")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<OutboxListParams>,
) -> ApiResult<HttpResponse> {
    let scope = audit_scope(&caller.actor)?;
    let page = params.page()?;
    let before = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = LogFilter {
        state: filter.state,
        kind: filter.kind,
        proposal_id: filter.proposal_id,
        municipality: scope.municipality,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let (rows, next) = db::list(
        &mut conn,
        &filter,
        Page {
            after: before,
            limit: page.limit,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(|r| shown(r, &scope)).collect(),
        next,
    )))
}

/// One message of the delivery log with its attempts.
#[utoipa::path(operation_id = "getOutboxMessage", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "The message and its attempts", body = OutboxMessageDetail),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the desk and admins read the delivery log", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message in the caller's city", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/outbox-messages/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let scope = audit_scope(&caller.actor)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = visible(&mut conn, *id, &scope, false).await?;
    let attempts = db::attempts_of(&mut conn, row.id).await?;
    let version = version(&row);
    let detail = OutboxMessageDetail {
        message: shown(row, &scope),
        attempts_log: attempts
            .into_iter()
            .map(|a| DeliveryAttempt {
                attempt: a.attempt,
                started_at: a.started_at,
                duration_ms: a.duration_ms,
                outcome: a.outcome,
                detail: a.detail,
            })
            .collect(),
    };
    Ok(with_etag(HttpResponse::Ok(), version, detail))
}

/// Sends a dead message again: pending, due now, its tries counted anew
/// (the desk of its city). A secret message was blanked and is not resent.
#[utoipa::path(operation_id = "retryOutboxMessage", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "Queued again", body = OutboxMessage),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the desk retries", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message in the caller's city", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The message is not dead, or holds a secret that was blanked", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/outbox-messages/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::RetryDelivery)?;
    let scope = audit_scope(&caller.actor)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let before = visible(conn, *id, &scope, true).await?;
            if before.state != OutboxState::Dead {
                return Err(ApiError::Conflict {
                    detail: format!(
                        "only a dead message is retried; this one is {}",
                        before.state.as_str()
                    ),
                    extra: None,
                });
            }
            if before.secret {
                return Err(ApiError::Conflict {
                    detail: "a secret message was blanked when it died; its sender makes a new one"
                        .into(),
                    extra: None,
                });
            }
            let after = db::requeue(conn, before.id).await?;
            record::write(
                conn,
                &caller,
                Change {
                    action: "outbox_message.retry".into(),
                    target_type: "outbox_message",
                    target_id: after.id.to_string(),
                    changes: serde_json::json!({
                        "state": {"before": before.state.as_str(), "after": after.state.as_str()},
                        "attempts": {"before": before.attempts, "after": after.attempts},
                    }),
                    event: FeedEvent::desk(EventKind::OutboxMessageRetried)
                        .subject(after.id)
                        .in_municipality(after.municipality_id),
                },
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(shown(row, &scope)))
}
