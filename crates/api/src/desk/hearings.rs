//! Hearings with departments (step 3): the desk requests, the department answers.

use crate::auth::Caller;
use crate::desk::cases::{
    active_department, check_department_item, due_date, lock_open_case, own_department, visible,
    SetDueDate,
};
use crate::desk::coordination;
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::etag::IfMatch;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::hearings::{self as db, HearingAnswer, NewHearing};
use living_gate_db::pool;
use living_gate_domain::desk::calendar;
use living_gate_domain::desk::coordination::{HearingStatus, Interest};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e60", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
    "department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03", "proposed_dates": ["2026-05-20", "2026-05-22"],
    "agenda": "居場所づくりの既存事業との重なり", "status": "answered", "held_on": "2026-05-22",
    "participants": ["地域福祉課 主査", "窓口 コーディネーター"], "interest": "interested",
    "notes": "既存のサロン事業と連携できる", "answer_due_on": "2026-05-29", "created_at": "2026-05-13T02:00:00Z", "updated_at": "2026-05-22T08:00:00Z"
}))]
pub struct Hearing {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub department_id: Uuid,
    pub proposed_dates: Vec<NaiveDate>,
    pub agenda: String,
    /// `requested` or `answered`.
    pub status: HearingStatus,
    pub held_on: Option<NaiveDate>,
    pub participants: Vec<String>,
    /// The department's answer, once answered.
    pub interest: Option<Interest>,
    /// Internal: the desk and this department only.
    pub notes: String,
    /// The day the answer is due (Japan's calendar), set by the desk
    /// (`PUT /v1/hearings/{id}/due-date`); a reminder goes out once it has
    /// passed unanswered.
    pub answer_due_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<db::Hearing> for Hearing {
    fn from(h: db::Hearing) -> Self {
        Hearing {
            id: h.id,
            proposal_id: h.proposal_id,
            department_id: h.department_id,
            proposed_dates: h.proposed_dates,
            agenda: h.agenda,
            status: h.status,
            held_on: h.held_on,
            participants: h.participants,
            interest: h.interest,
            notes: h.notes,
            answer_due_on: h.answer_due_on,
            created_at: h.created_at,
            updated_at: h.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03",
    "proposed_dates": ["2026-05-20", "2026-05-22"], "agenda": "居場所づくりの既存事業との重なり"}))]
pub struct RequestHearing {
    pub department_id: Uuid,
    #[serde(default)]
    pub proposed_dates: Vec<NaiveDate>,
    #[schema(min_length = 1, max_length = 2000)]
    pub agenda: String,
    /// The day the answer is due (Japan's calendar, years 2000 to 2200);
    /// changed later with `PUT /v1/hearings/{id}/due-date`.
    pub answer_due_on: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2026-05-22", "participants": ["地域福祉課 主査"], "interest": "interested",
    "notes": "既存のサロン事業と連携できる"}))]
pub struct ActForDepartment {
    pub held_on: Option<NaiveDate>,
    pub participants: Option<Vec<String>>,
    pub interest: Interest,
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

/// Asks a department to a hearing about a case (the desk). The first
/// request starts internal coordination (KPI 2).
#[utoipa::path(operation_id = "requestHearing", tag = "hearings", request_body = RequestHearing, security(("bearer" = [])),
    responses((status = 201, description = "Requested", body = Hearing, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk requests hearings", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/hearings")]
pub async fn request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<RequestHearing>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let agenda = bounded_text("agenda", &body.agenda, 1, 2000)?;
    let answer_due_on = due_date(&SetDueDate {
        due_on: Some(body.answer_due_on),
    })?;
    if body.proposed_dates.len() > 10 {
        return Err(ApiError::validation(
            "proposed_dates",
            "too_many",
            "at most 10 dates",
        ));
    }
    let row = conn
        .transaction(async |conn| {
            let proposal = lock_open_case(conn, *id).await?;
            active_department(conn, &proposal, body.department_id).await?;
            let new = NewHearing {
                id: Uuid::now_v7(),
                proposal_id: proposal.id,
                department_id: body.department_id,
                requested_by: caller.actor.id,
                proposed_dates: body.proposed_dates.clone(),
                agenda: agenda.clone(),
                answer_due_on,
            };
            let row =
                coordination::request_hearing(conn, &caller, &proposal, &new, Utc::now()).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/hearings/{}", row.id);
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .take(),
        row.version,
        Hearing::from(row),
    ))
}

/// The hearings of a case: all for the desk, its own for a department.
#[utoipa::path(operation_id = "listHearings", tag = "hearings", security(("bearer" = [])),
    responses((status = 200, description = "The hearings, oldest first", body = Vec<Hearing>),
        (status = 403, description = "Hearings are internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/hearings")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::ReadCoordination)?;
    let own = own_department(&caller.actor);
    let rows = db::of_proposal(&mut conn, *id, own).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Hearing::from).collect::<Vec<_>>()))
}

/// One hearing, with the ETag that answering it needs: for the desk and the
/// department asked (another department gets 404, as for a case it is not part of).
/// With `Accept: text/calendar` it is an iCalendar (RFC 5545) document for
/// the department's calendar: the day it was held, or else each proposed
/// day (tentative), and the answer's due date, as all-day events with
/// stable UIDs.
#[utoipa::path(operation_id = "getHearing", tag = "hearings", security(("bearer" = [])),
    responses((status = 200, description = "The hearing", headers(("ETag" = String)), content(
            (Hearing = "application/json"),
            (String = "text/calendar", example = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Zama City//Living Gate//JA\r\n…\r\nBEGIN:VEVENT\r\nUID:hearing-0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e60@living-gate\r\nDTSTAMP:20260522T080000Z\r\nDTSTART;VALUE=DATE:20260522\r\nDTEND;VALUE=DATE:20260523\r\nSUMMARY:ヒアリング [ZLG-2026-0007] 空き店舗を活用した多世代の居場所づくり\r\n…\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))),
        (status = 403, description = "Hearings are internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/hearings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let hearing = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    let case = visible(&mut conn, &caller.actor, hearing.proposal_id).await?;
    authorize(&caller.actor, Action::ReadCoordination)?;
    if own_department(&caller.actor).is_some_and(|own| own != hearing.department_id) {
        return Err(ApiError::NotFound);
    }
    if crate::desk::calendars::wants_calendar(&req) {
        let link = crate::notify::links::case(case.id);
        let events = calendar::hearing_events(&crate::desk::calendars::facts(
            &hearing,
            &case.reference,
            &case.title,
            &link,
        ));
        let name = format!("ヒアリング {}", case.reference);
        return Ok(crate::desk::calendars::response(
            &format!("hearing-{}", hearing.id),
            Some(format!("\"{}-{}-ics\"", hearing.version, case.version)),
            calendar::calendar(&name, &events),
        ));
    }
    Ok(with_etag(
        HttpResponse::Ok(),
        hearing.version,
        Hearing::from(hearing),
    ))
}

/// The department answers its hearing: when it was held, who took part, its interest, notes.
#[utoipa::path(operation_id = "answerHearing", tag = "hearings", request_body = ActForDepartment, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the hearing you read (`getHearing`)")),
    responses((status = 200, description = "Answered", body = Hearing, headers(("ETag" = String))),
        (status = 403, description = "Only the department asked answers", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/hearings/{id}")]
pub async fn answer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ActForDepartment>,
) -> ApiResult<HttpResponse> {
    let mut errors = ValidationErrors::new();
    let participants = body.participants.as_ref().map(|names| {
        names
            .iter()
            .filter_map(|p| errors.check(bounded_text("participants", p, 1, 100)))
            .collect::<Vec<_>>()
    });
    let notes = body
        .notes
        .as_deref()
        .and_then(|n| errors.check(bounded_text("notes", n, 0, 5000)));
    errors.into_result()?;
    let mut conn = pool::connection(&state.pool).await?;
    let hearing = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    check_department_item(
        &mut conn,
        &caller.actor,
        hearing.proposal_id,
        hearing.department_id,
    )
    .await?;
    let answer = HearingAnswer {
        status: Some(HearingStatus::Answered),
        held_on: body.held_on.map(Some),
        participants,
        interest: Some(body.interest),
        notes,
        answered_by: Some(caller.actor.id),
    };
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            let after = coordination::answer_hearing(conn, &caller, &before, &answer).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Hearing::from(row),
    ))
}

/// Sets, moves or clears the day a hearing's answer is due (the desk).
/// Once that day is over in Japan with the hearing unanswered, the
/// department asked and the coordinator (or the desk) get one
/// `due_date_passed` reminder; a new date re-arms it.
#[utoipa::path(operation_id = "setHearingDueDate", tag = "hearings", request_body = SetDueDate, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the hearing you read (`getHearing`)")),
    responses((status = 200, description = "The hearing, with its due date", body = Hearing, headers(("ETag" = String))),
        (status = 403, description = "Only the desk sets due dates", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed, or the hearing answered", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/hearings/{id}/due-date")]
pub async fn set_due_date(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<SetDueDate>,
) -> ApiResult<HttpResponse> {
    let due_on = due_date(&body)?;
    let mut conn = pool::connection(&state.pool).await?;
    let hearing = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    visible(&mut conn, &caller.actor, hearing.proposal_id).await?;
    if own_department(&caller.actor).is_some_and(|own| own != hearing.department_id) {
        return Err(ApiError::NotFound);
    }
    authorize(&caller.actor, Action::CoordinateCase)?;
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            lock_open_case(conn, before.proposal_id).await?;
            if before.answer_due_on == due_on {
                return Ok(before);
            }
            if before.status == HearingStatus::Answered && due_on.is_some() {
                return Err(ApiError::Conflict {
                    detail: "the hearing is answered".into(),
                    extra: None,
                });
            }
            let after = db::set_answer_due(conn, before.id, due_on).await?;
            let changed = FeedEvent::case(
                after.proposal_id,
                EventKind::DueDateChanged,
                Visibility::Internal,
            )
            .for_department(after.department_id)
            .subject(after.id);
            record::updated(conn, &caller, "hearing", &before, &after, changed).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Hearing::from(row),
    ))
}
