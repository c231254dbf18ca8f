//! Liaison meetings of the four cities (seed 002: 支援調整会議 monthly,
//! 担当者レベルの連携会議): recorded by the desk of a city that took part
//! (or the platform admin), read by the staff of the cities that took part.
//! Another city's meeting is 404 (row-level security).

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::platform::follow_up_view::{self, FollowUp, GiveFollowUp};
use crate::platform::participation::{cities, entries, takes_part};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::platform::meetings::{self as db, follow_ups, MeetingFilter, NewMeeting};
use living_gate_db::{pool, Page};
use living_gate_domain::names::bounded_text;
use living_gate_domain::platform::meeting::{
    self, MeetingKind, MAX_AGENDA, MAX_ITEMS, MAX_ITEM_TEXT,
};
use living_gate_domain::platform::referral;
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "support_coordination", "title": "第8回 支援調整会議", "held_on": "2026-11-10",
    "municipality_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01", "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e04"],
    "organizations": ["座間市社会福祉協議会"], "agenda": "ひきこもり支援の市域を越えた連携",
    "decisions": ["次回は海老名市で開催"],
    "follow_ups": [{"description": "海老名市の居場所一覧を共有する", "owner_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e21", "due_on": "2026-12-10"}]}))]
pub struct CreateMeeting {
    pub kind: MeetingKind,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// The day it was held (not after today in Japan).
    pub held_on: NaiveDate,
    /// The cities that took part: who reads the record. The desk's own
    /// city must be among them.
    #[schema(min_items = 1, max_items = 50)]
    pub municipality_ids: Vec<Uuid>,
    /// Directory entries that took part.
    #[schema(max_items = 50)]
    #[serde(default)]
    pub resource_ids: Vec<Uuid>,
    /// Other organizations that took part, by name.
    #[schema(max_items = 50)]
    #[serde(default)]
    pub organizations: Vec<String>,
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub agenda: String,
    /// What the meeting decided, one item each.
    #[schema(max_items = 50)]
    #[serde(default)]
    pub decisions: Vec<String>,
    /// Who does what by when.
    #[schema(max_items = 50)]
    #[serde(default)]
    pub follow_ups: Vec<GiveFollowUp>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9fb1", "kind": "support_coordination",
    "title": "第8回 支援調整会議", "held_on": "2026-11-10", "fiscal_year": 2026,
    "municipality_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01"], "resource_ids": [],
    "organizations": ["座間市社会福祉協議会"], "agenda": "ひきこもり支援の市域を越えた連携",
    "decisions": ["次回は海老名市で開催"], "follow_ups": [], "recorded_by": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e21",
    "version": 1, "created_at": "2026-11-10T06:00:00Z", "updated_at": "2026-11-10T06:00:00Z"}))]
pub struct Meeting {
    pub id: Uuid,
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: NaiveDate,
    /// April–March, of `held_on`.
    pub fiscal_year: i32,
    pub municipality_ids: Vec<Uuid>,
    pub resource_ids: Vec<Uuid>,
    pub organizations: Vec<String>,
    pub agenda: String,
    pub decisions: Vec<String>,
    /// By due date. In lists: empty (read one meeting, or `GET /v1/follow-ups?meeting_id=`).
    pub follow_ups: Vec<FollowUp>,
    pub recorded_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn shown(row: db::Meeting, follow_ups: Vec<FollowUp>) -> Meeting {
    Meeting {
        id: row.id,
        kind: row.kind,
        title: row.title,
        held_on: row.held_on,
        fiscal_year: living_gate_domain::fiscal::fiscal_year_of_date(row.held_on),
        municipality_ids: row.municipality_ids,
        resource_ids: row.resource_ids,
        organizations: row.organizations,
        agenda: row.agenda,
        decisions: row.decisions,
        follow_ups,
        recorded_by: row.recorded_by,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Records a liaison meeting with its decisions and follow-ups (the desk
/// of a city that took part; the platform admin).
#[utoipa::path(operation_id = "createLiaisonMeeting", tag = "platform", request_body = CreateMeeting, security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = Meeting, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only the desk of a city that took part (or the platform admin) records a meeting", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/liaison-meetings")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateMeeting>,
) -> ApiResult<HttpResponse> {
    authorize(
        &caller.actor,
        Action::RecordPlatformWork {
            city_takes_part: takes_part(&caller.actor, &body.municipality_ids),
        },
    )?;
    let title = bounded_text("title", &body.title, 1, 200)?;
    referral::check_date("held_on", body.held_on, Utc::now())?;
    let organizations = meeting::check_texts("organizations", &body.organizations, 200)?;
    let decisions = meeting::check_texts("decisions", &body.decisions, MAX_ITEM_TEXT)?;
    let agenda = if body.agenda.trim().is_empty() {
        String::new()
    } else {
        bounded_text("agenda", &body.agenda, 1, MAX_AGENDA)?
    };
    if body.follow_ups.len() > MAX_ITEMS {
        return Err(ApiError::validation(
            "follow_ups",
            "too_many",
            format!("at most {MAX_ITEMS} follow-ups"),
        ));
    }
    let mut conn = pool::connection(&state.pool).await?;
    let municipality_ids =
        cities(&mut conn, "municipality_ids", &body.municipality_ids, true).await?;
    let resource_ids = entries(&mut conn, "resource_ids", &body.resource_ids).await?;
    let id = Uuid::now_v7();
    let mut new_follow_ups = Vec::with_capacity(body.follow_ups.len());
    for (i, given) in body.follow_ups.iter().enumerate() {
        new_follow_ups.push(
            follow_up_view::checked(
                &mut conn,
                &format!("follow_ups[{i}]."),
                given,
                id,
                body.held_on,
                &municipality_ids,
            )
            .await?,
        );
    }
    let new = NewMeeting {
        id,
        kind: body.kind,
        title,
        held_on: body.held_on,
        municipality_ids,
        resource_ids,
        organizations,
        agenda,
        decisions,
        recorded_by: caller.actor.id,
    };
    let (row, follow_up_rows) = conn
        .transaction(async |conn| {
            let row = db::insert(conn, &new).await?;
            let event = FeedEvent::desk(EventKind::MeetingRecorded).subject(row.id);
            record::created(conn, &caller, "liaison_meeting", &row, event).await?;
            let mut added = Vec::with_capacity(new_follow_ups.len());
            for f in &new_follow_ups {
                let follow_up = follow_ups::insert(conn, f).await?;
                let event = FeedEvent::desk(EventKind::FollowUpAdded).subject(follow_up.id);
                record::created(conn, &caller, "follow_up", &follow_up, event).await?;
                added.push(follow_up);
            }
            Ok::<_, ApiError>((row, added))
        })
        .await?;
    let follow_ups = follow_up_view::shown(&mut conn, follow_up_rows).await?;
    let version = row.version;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/v1/liaison-meetings/{}", row.id)));
    Ok(with_etag(created, version, shown(row, follow_ups)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingListParams {
    pub kind: Option<MeetingKind>,
    /// The fiscal year of the day held.
    #[param(minimum = 2000, maximum = 2200)]
    pub fiscal_year: Option<i32>,
}

/// The meetings the caller's city took part in, oldest recorded first
/// (staff; the platform admin every meeting).
#[utoipa::path(operation_id = "listLiaisonMeetings", tag = "platform", params(PageParams, MeetingListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of meetings", body = Paginated<Meeting>),
        (status = 403, description = "Meetings are for the cities' staff", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/liaison-meetings")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<MeetingListParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadPlatformWork)?;
    let page: Page = params.page()?;
    let fiscal_year = crate::http::bounds::check_optional_year("fiscal_year", filter.fiscal_year)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(
        &mut conn,
        &MeetingFilter {
            kind: filter.kind,
            fiscal_year,
        },
        page,
    )
    .await?;
    let (rows, next) = page.finish(rows, |r| r.id);
    let items: Vec<Meeting> = rows.into_iter().map(|r| shown(r, Vec::new())).collect();
    Ok(HttpResponse::Ok().json(Paginated::new(items, next)))
}

/// One meeting with its follow-ups (staff of a city that took part).
#[utoipa::path(operation_id = "getLiaisonMeeting", tag = "platform", security(("bearer" = [])),
    responses((status = 200, description = "The meeting", body = Meeting, headers(("ETag" = String))),
        (status = 403, description = "Meetings are for the cities' staff", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/liaison-meetings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadPlatformWork)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    let follow_up_rows = db::follow_ups_of(&mut conn, row.id).await?;
    let follow_ups = follow_up_view::shown(&mut conn, follow_up_rows).await?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        shown(row, follow_ups),
    ))
}

/// Adds a follow-up to a meeting (the desk of a city that took part; the
/// platform admin).
#[utoipa::path(operation_id = "addMeetingFollowUp", tag = "platform", request_body = GiveFollowUp, security(("bearer" = [])),
    responses((status = 201, description = "Added", body = FollowUp, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only the desk of a city that took part (or the platform admin) adds a follow-up", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/liaison-meetings/{id}/follow-ups")]
pub async fn add_follow_up(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<GiveFollowUp>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadPlatformWork)?;
    let mut conn = pool::connection(&state.pool).await?;
    let found = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    authorize(
        &caller.actor,
        Action::RecordPlatformWork {
            city_takes_part: takes_part(&caller.actor, &found.municipality_ids),
        },
    )?;
    let new = follow_up_view::checked(
        &mut conn,
        "",
        &body,
        found.id,
        found.held_on,
        &found.municipality_ids,
    )
    .await?;
    let row = conn
        .transaction(async |conn| {
            let row = follow_ups::insert(conn, &new).await?;
            let event = FeedEvent::desk(EventKind::FollowUpAdded).subject(row.id);
            record::created(conn, &caller, "follow_up", &row, event).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let version = row.version;
    let location = format!("/v1/follow-ups/{}", row.id);
    let shown = follow_up_view::shown(&mut conn, vec![row]).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, location));
    Ok(with_etag(created, version, shown.into_iter().next()))
}
