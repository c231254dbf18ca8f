//! Case management basics (issue 18): the coordinator of a case (担当者),
//! the due date of the decision (reminded of by `notify::reminders` once
//! it passes), set by the desk with `If-Match`, and a department's
//! hearings as a calendar feed. A hearing's due date and a hearing as
//! iCalendar are in `hearings`.

use crate::auth::Caller;
use crate::desk::calendars::{facts, response};
use crate::desk::cases::{
    due_date, present, refuse_closed, required, visible, Proposal, SetDueDate,
};
use crate::http::body::Json;
use crate::http::etag::{with_etag, IfMatch};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::users;
use living_gate_db::desk::case_management::{self as management, Management};
use living_gate_db::desk::{hearings, proposals as db};
use living_gate_db::pool;
use living_gate_domain::desk::calendar;
use living_gate_domain::identity::UserStatus;
use living_gate_domain::{authorize, Action, Role};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"coordinator_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10"}))]
pub struct SetCoordinator {
    /// An active desk user of the case's city; `null` clears it. Required.
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<Uuid>)]
    pub coordinator_id: Option<Option<Uuid>>,
}

/// Assigns, changes or clears the case's coordinator (担当者): an active
/// desk user of the case's city (422 otherwise). The new coordinator is
/// mailed (`coordinator_assigned`), unless it assigned itself.
#[utoipa::path(operation_id = "setCoordinator", tag = "proposals", request_body = SetCoordinator, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the case you read")),
    responses((status = 200, description = "The case, with its coordinator", body = Proposal, headers(("ETag" = String))),
        (status = 403, description = "Only the desk assigns coordinators", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/proposals/{id}/coordinator")]
pub async fn set_coordinator(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<SetCoordinator>,
) -> ApiResult<HttpResponse> {
    let coordinator = required("coordinator_id", body.coordinator_id)?;
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            refuse_closed(&before)?;
            if let Some(user_id) = coordinator {
                let fits = users::find(conn, user_id).await?.is_some_and(|u| {
                    u.role == Role::Desk
                        && u.status == UserStatus::Active
                        && u.municipality_id == Some(before.municipality_id)
                });
                if !fits {
                    return Err(ApiError::validation(
                        "coordinator_id",
                        "not_a_desk_user",
                        "must be an active desk user of the case's city",
                    ));
                }
            }
            let old = management::of(conn, before.id).await?;
            if old.coordinator_id == coordinator {
                return Ok(before);
            }
            let new = management::set_coordinator(conn, before.id, coordinator).await?;
            let after = db::bump_version(conn, before.id).await?;
            let mut changed = FeedEvent::case(
                after.id,
                EventKind::CoordinatorChanged,
                Visibility::Internal,
            );
            if let Some(user_id) = coordinator {
                changed = changed.subject(user_id);
            }
            record_change(conn, &caller, &old, &new, changed).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        present(&mut conn, &caller.actor, row).await?,
    ))
}

/// The audit row (`proposal.update`, the management fields before/after)
/// and the feed event of a management change.
async fn record_change(
    conn: &mut living_gate_db::AsyncPgConnection,
    caller: &Caller,
    old: &Management,
    new: &Management,
    event: FeedEvent,
) -> ApiResult<()> {
    let change = record::Change {
        action: "proposal.update".to_owned(),
        target_type: "proposal",
        target_id: new.proposal_id.to_string(),
        changes: living_gate_db::audit::diff(Some(old), new),
        event,
    };
    record::write(conn, caller, change).await?;
    Ok(())
}

/// Sets, moves or clears the day the lead department's decision is due.
/// Once that day is over in Japan without a decision, the lead department
/// and the coordinator (or the desk) get one `due_date_passed` reminder; a
/// new date re-arms it.
#[utoipa::path(operation_id = "setDecisionDueDate", tag = "proposals", request_body = SetDueDate, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the case you read")),
    responses((status = 200, description = "The case, with its decision's due date", body = Proposal, headers(("ETag" = String))),
        (status = 403, description = "Only the desk sets due dates", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/proposals/{id}/decision-due-date")]
pub async fn set_decision_due_date(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<SetDueDate>,
) -> ApiResult<HttpResponse> {
    let due_on = due_date(&body)?;
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            refuse_closed(&before)?;
            let old = management::of(conn, before.id).await?;
            if old.decision_due_on == due_on {
                return Ok(before);
            }
            let new = management::set_decision_due(conn, before.id, due_on).await?;
            let after = db::bump_version(conn, before.id).await?;
            let changed =
                FeedEvent::case(after.id, EventKind::DueDateChanged, Visibility::Internal);
            record_change(conn, &caller, &old, &new, changed).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        present(&mut conn, &caller.actor, row).await?,
    ))
}

/// Hearings in a department's calendar feed: the newest.
pub const CALENDAR_HEARINGS: i64 = 500;

/// A department's hearings as one iCalendar (RFC 5545) document, for a
/// calendar app to subscribe to: the newest 500 hearings of the department
/// on its city's cases, each as in `getHearing` with `Accept:
/// text/calendar` (the same UIDs, so an event moves instead of doubling).
/// Bearer token only: the department's own users and its city's desk; a
/// calendar app that cannot send the header subscribes through a gateway
/// that adds it (no secret feed URLs).
#[utoipa::path(operation_id = "getDepartmentHearingCalendar", tag = "hearings", security(("bearer" = [])),
    responses((status = 200, description = "The department's hearings", content(
            (String = "text/calendar", example = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Zama City//Living Gate//JA\r\n…\r\nEND:VCALENDAR\r\n"))),
        (status = 403, description = "Only the department itself and its city's desk", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/departments/{id}/hearings.ics")]
pub async fn department_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let actor = &caller.actor;
    let mut conn = pool::connection(&state.pool).await?;
    let department = living_gate_db::reference::departments::find(&mut conn, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    authorize(actor, Action::ReadCoordination)?;
    if actor.municipality_id != Some(department.municipality_id) {
        return Err(ApiError::NotFound);
    }
    if actor.role == Role::Department && actor.department_id != Some(department.id) {
        return Err(ApiError::Forbidden);
    }
    let rows = hearings::of_department(
        &mut conn,
        department.municipality_id,
        department.id,
        CALENDAR_HEARINGS,
    )
    .await?;
    let mut events = Vec::new();
    for (hearing, reference, title) in &rows {
        let link = crate::notify::links::case(hearing.proposal_id);
        events.extend(calendar::hearing_events(&facts(
            hearing, reference, title, &link,
        )));
    }
    let name = format!("{} ヒアリング", department.name);
    Ok(response(
        &format!("hearings-{}", department.code),
        None,
        calendar::calendar(&name, &events),
    ))
}
