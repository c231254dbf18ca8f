//! Events: a case's timeline and the one change feed across every case the
//! caller may see, in a durable order.

use crate::auth::Caller;
use crate::desk::cases::{audience, visible};
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use living_gate_db::desk::events::{self, Audience};
use living_gate_db::pool;
use living_gate_domain::desk::feed::{EventKind, Visibility};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Events after `cursor`, oldest first. Positions become visible in
/// increasing order (they are drawn under a lock held until commit), so a
/// client that stores `next_cursor` and polls again never misses an event.
/// `next_cursor` is never null: with no new events it is the cursor sent.
#[utoipa::path(operation_id = "listEvents", tag = "proposals", params(EventPageParams), security(("bearer" = [])),
    responses((status = 200, description = "Events after the cursor", body = EventPage),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/events")]
pub async fn feed(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<EventPageParams>,
) -> ApiResult<HttpResponse> {
    let (after, limit) = event_cursor(&params)?;
    let audience = audience(&caller.actor)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = events::feed(&mut conn, audience, after, limit).await?;
    let last = rows.last().map(|e| e.position).or(after).unwrap_or(0);
    let items = rows
        .into_iter()
        .map(|e| CaseEvent::for_audience(e, audience))
        .collect();
    Ok(HttpResponse::Ok().json(EventPage {
        items,
        next_cursor: Some(encode_event_cursor(last)),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CaseEvent {
    /// Feed position: increasing, gap-free in visibility order.
    pub position: i64,
    pub id: Uuid,
    /// The case the event is about; `null` for a directory event.
    pub proposal_id: Option<Uuid>,
    /// The directory entry the event is about (desk and department callers only); `null` for a case event.
    pub resource_id: Option<Uuid>,
    /// Case events: `created`, `status_changed`, `proposal_updated`, `hearing_requested`,
    /// `hearing_answered`, `message_posted`, `match_proposed`, `match_accepted`, `match_declined`,
    /// `logic_model_saved`, `trip_created`, `trip_updated`, `measurement_recorded`,
    /// `trip_supported_resources_replaced`, `coordinator_changed`, `due_date_changed`,
    /// `trip_publication_consent_changed`, `trip_publication_changed`.
    /// Directory events (staff): `resource_created`, `resource_updated`, `resource_imported`,
    /// `survey_answered`.
    /// Desk events (no case, no entry; `subject_id` names what changed): `municipality_created`,
    /// `municipality_updated`, `department_created`, `department_updated`, `organization_created`,
    /// `organization_updated`, `user_invited`, `invitation_accepted`, `user_updated`,
    /// `service_account_created`, `service_account_updated`, `taxonomy_term_created`,
    /// `survey_created`, `survey_recipient_added`, `survey_recipient_answered`, `kpi_targets_set`.
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    #[schema(value_type = Option<String>)]
    pub actor_role: Option<Role>,
    #[schema(value_type = Option<String>)]
    pub from_status: Option<Status>,
    #[schema(value_type = Option<String>)]
    pub to_status: Option<Status>,
    /// Internal reason; absent for the proposer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub note_for_proposer: Option<String>,
    pub visibility: Visibility,
    pub department_id: Option<Uuid>,
    /// The hearing or message the event is about.
    pub subject_id: Option<Uuid>,
}

impl CaseEvent {
    pub fn for_audience(e: events::Event, audience: Audience) -> CaseEvent {
        CaseEvent {
            position: e.position,
            id: e.id,
            proposal_id: e.proposal_id,
            resource_id: e.resource_id,
            kind: e.kind,
            occurred_at: e.occurred_at,
            actor_role: e.actor_role,
            from_status: e.from_status,
            to_status: e.to_status,
            reason: if audience.shared_only { None } else { e.reason },
            note_for_proposer: e.note_for_proposer,
            visibility: e.visibility,
            department_id: e.department_id,
            subject_id: e.subject_id,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventPageParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A page of events with the cursor to continue from.
#[derive(Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<CaseEvent>,
    /// Continue from here; for the feed it is never null (poll again with it).
    pub next_cursor: Option<String>,
}

/// Decodes an event cursor (an opaque position).
pub fn event_cursor(params: &EventPageParams) -> ApiResult<(Option<i64>, i64)> {
    let limit = params
        .limit
        .unwrap_or(crate::http::pagination::DEFAULT_LIMIT);
    if !(1..=crate::http::pagination::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation(
            "limit",
            "out_of_range",
            "must be between 1 and 200",
        ));
    }
    let after = params
        .cursor
        .as_deref()
        .map(|raw| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(raw)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.strip_prefix("p:").and_then(|n| n.parse::<i64>().ok()))
                .ok_or_else(|| {
                    ApiError::validation(
                        "cursor",
                        "invalid_cursor",
                        "is not a cursor returned by this API",
                    )
                })
        })
        .transpose()?;
    Ok((after, i64::from(limit)))
}

pub fn encode_event_cursor(position: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("p:{position}"))
}

/// The case's timeline, oldest first: a proposer sees status changes, what
/// was addressed to it and shared messages, never internal reasons.
#[utoipa::path(operation_id = "listProposalEvents", tag = "proposals", params(EventPageParams), security(("bearer" = [])),
    responses((status = 200, description = "The timeline", body = EventPage),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/events")]
pub async fn timeline(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<EventPageParams>,
) -> ApiResult<HttpResponse> {
    let (after, limit) = event_cursor(&params)?;
    let audience = audience(&caller.actor)?;
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let rows = events::timeline(&mut conn, *id, audience, after, limit + 1).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    let items: Vec<CaseEvent> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|e| CaseEvent::for_audience(e, audience))
        .collect();
    let next_cursor = if more {
        items.last().map(|e| encode_event_cursor(e.position))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(EventPage { items, next_cursor }))
}
