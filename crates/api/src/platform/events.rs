//! Events of the platform that raise awareness (seed 002): exhibitions,
//! workshops, symposiums, study sessions, with their days, venue city,
//! organizers, attendance, participants who are clients of support
//! services and the questionnaire's result. Counts of people, never a
//! person. Shared like the directory: every city's staff reads every event;
//! the desk of the venue city or of an organizing city (or the platform
//! admin) records and corrects one.

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::etag::{with_etag, IfMatch};
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::platform::participation::{cities, entries, takes_part};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::platform::events::{
    self as db, EventFilter, NewPlatformEvent, PlatformEventChanges,
};
use living_gate_db::{pool, Page};
use living_gate_domain::names::bounded_text;
use living_gate_domain::platform::event::{self, PlatformEventKind, Reach};
use living_gate_domain::platform::meeting;
use living_gate_domain::{authorize, Action, Actor};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "workshop", "title": "居場所づくりワークショップ", "starts_on": "2024-12-07", "ends_on": "2024-12-07",
    "venue_municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01",
    "organizer_municipality_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01", "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02"],
    "attendance": 60, "clients_of_support": 12, "questionnaire_responses": 48, "felt_it": 39}))]
pub struct CreatePlatformEvent {
    pub kind: PlatformEventKind,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    pub starts_on: NaiveDate,
    /// Not before `starts_on`.
    pub ends_on: NaiveDate,
    /// The city where it took place.
    pub venue_municipality_id: Uuid,
    /// The cities that organized it.
    #[schema(max_items = 50)]
    #[serde(default)]
    pub organizer_municipality_ids: Vec<Uuid>,
    /// Directory entries that organized it.
    #[schema(max_items = 50)]
    #[serde(default)]
    pub organizer_resource_ids: Vec<Uuid>,
    /// Other organizers by name (a university, a company).
    #[schema(max_items = 50)]
    #[serde(default)]
    pub other_organizers: Vec<String>,
    /// People who came; 0 until known.
    #[schema(minimum = 0, maximum = 1000000)]
    #[serde(default)]
    pub attendance: i32,
    /// Of them, clients of support services (≤ attendance).
    #[schema(minimum = 0, maximum = 1000000)]
    #[serde(default)]
    pub clients_of_support: i32,
    /// Questionnaires returned (≤ attendance).
    #[schema(minimum = 0, maximum = 1000000)]
    #[serde(default)]
    pub questionnaire_responses: i32,
    /// Of them, answering that they felt it (「身近に感じた」, ≤ questionnaire_responses).
    #[schema(minimum = 0, maximum = 1000000)]
    #[serde(default)]
    pub felt_it: i32,
}

/// A correction, typically the attendance and questionnaire after the
/// event. The venue and organizing cities (who may write) stay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"attendance": 3198}))]
pub struct UpdatePlatformEvent {
    pub kind: Option<PlatformEventKind>,
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    #[schema(max_items = 50)]
    pub organizer_resource_ids: Option<Vec<Uuid>>,
    #[schema(max_items = 50)]
    pub other_organizers: Option<Vec<String>>,
    #[schema(minimum = 0, maximum = 1000000)]
    pub attendance: Option<i32>,
    #[schema(minimum = 0, maximum = 1000000)]
    pub clients_of_support: Option<i32>,
    #[schema(minimum = 0, maximum = 1000000)]
    pub questionnaire_responses: Option<i32>,
    #[schema(minimum = 0, maximum = 1000000)]
    pub felt_it: Option<i32>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9fd1", "kind": "workshop", "title": "居場所づくりワークショップ",
    "starts_on": "2024-12-07", "ends_on": "2024-12-07", "fiscal_year": 2024,
    "venue_municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01",
    "organizer_municipality_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01"], "organizer_resource_ids": [],
    "other_organizers": [], "attendance": 60, "clients_of_support": 12, "questionnaire_responses": 48,
    "felt_it": 39, "felt_it_share": 0.8125, "recorded_by": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e21", "version": 1,
    "created_at": "2024-12-08T06:00:00Z", "updated_at": "2024-12-08T06:00:00Z"}))]
pub struct PlatformEvent {
    pub id: Uuid,
    pub kind: PlatformEventKind,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// April–March, of `starts_on`.
    pub fiscal_year: i32,
    pub venue_municipality_id: Uuid,
    pub organizer_municipality_ids: Vec<Uuid>,
    pub organizer_resource_ids: Vec<Uuid>,
    pub other_organizers: Vec<String>,
    pub attendance: i32,
    pub clients_of_support: i32,
    pub questionnaire_responses: i32,
    pub felt_it: i32,
    /// `felt_it / questionnaire_responses`; null without responses.
    pub felt_it_share: Option<f64>,
    pub recorded_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<db::PlatformEvent> for PlatformEvent {
    fn from(row: db::PlatformEvent) -> Self {
        PlatformEvent {
            id: row.id,
            kind: row.kind,
            title: row.title,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            fiscal_year: living_gate_domain::fiscal::fiscal_year_of_date(row.starts_on),
            venue_municipality_id: row.venue_municipality_id,
            organizer_municipality_ids: row.organizer_municipality_ids,
            organizer_resource_ids: row.organizer_resource_ids,
            other_organizers: row.other_organizers,
            attendance: row.attendance,
            clients_of_support: row.clients_of_support,
            questionnaire_responses: row.questionnaire_responses,
            felt_it: row.felt_it,
            felt_it_share: event::share(row.felt_it.into(), row.questionnaire_responses.into()),
            recorded_by: row.recorded_by,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The venue city or an organizing city is the caller's.
fn city_takes_part(actor: &Actor, venue: Uuid, organizers: &[Uuid]) -> bool {
    takes_part(actor, organizers) || actor.municipality_id == Some(venue)
}

/// Records an event of the platform (the desk of the venue or an
/// organizing city; the platform admin).
#[utoipa::path(operation_id = "createPlatformEvent", tag = "platform", request_body = CreatePlatformEvent, security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = PlatformEvent, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only the desk of the venue or an organizing city (or the platform admin) records an event", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/platform-events")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreatePlatformEvent>,
) -> ApiResult<HttpResponse> {
    authorize(
        &caller.actor,
        Action::RecordPlatformWork {
            city_takes_part: city_takes_part(
                &caller.actor,
                body.venue_municipality_id,
                &body.organizer_municipality_ids,
            ),
        },
    )?;
    let title = bounded_text("title", &body.title, 1, 200)?;
    event::check_days(body.starts_on, body.ends_on)?;
    let reach = Reach {
        attendance: body.attendance,
        clients_of_support: body.clients_of_support,
        questionnaire_responses: body.questionnaire_responses,
        felt_it: body.felt_it,
    }
    .check()?;
    let other_organizers = meeting::check_texts("other_organizers", &body.other_organizers, 200)?;
    let mut conn = pool::connection(&state.pool).await?;
    let venue = cities(
        &mut conn,
        "venue_municipality_id",
        &[body.venue_municipality_id],
        true,
    )
    .await?;
    let organizer_municipality_ids = cities(
        &mut conn,
        "organizer_municipality_ids",
        &body.organizer_municipality_ids,
        false,
    )
    .await?;
    let organizer_resource_ids = entries(
        &mut conn,
        "organizer_resource_ids",
        &body.organizer_resource_ids,
    )
    .await?;
    let new = NewPlatformEvent {
        id: Uuid::now_v7(),
        kind: body.kind,
        title,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        venue_municipality_id: venue[0],
        organizer_municipality_ids,
        organizer_resource_ids,
        other_organizers,
        attendance: reach.attendance,
        clients_of_support: reach.clients_of_support,
        questionnaire_responses: reach.questionnaire_responses,
        felt_it: reach.felt_it,
        recorded_by: caller.actor.id,
    };
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(conn, &new).await?;
            let event = FeedEvent::desk(EventKind::PlatformEventRecorded).subject(row.id);
            record::created(conn, &caller, "platform_event", &row, event).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let version = row.version;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/v1/platform-events/{}", row.id)));
    Ok(with_etag(created, version, PlatformEvent::from(row)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
    pub kind: Option<PlatformEventKind>,
    /// The fiscal year of the first day.
    #[param(minimum = 2000, maximum = 2200)]
    pub fiscal_year: Option<i32>,
    pub venue_municipality_id: Option<Uuid>,
}

/// The platform's events, oldest recorded first (staff of every city; the
/// platform admin).
#[utoipa::path(operation_id = "listPlatformEvents", tag = "platform", params(PageParams, EventListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of events", body = Paginated<PlatformEvent>),
        (status = 403, description = "Events are for the cities' staff", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/platform-events")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<EventListParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadPlatformWork)?;
    let page: Page = params.page()?;
    let fiscal_year = crate::http::bounds::check_optional_year("fiscal_year", filter.fiscal_year)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(
        &mut conn,
        &EventFilter {
            kind: filter.kind,
            fiscal_year,
            venue_municipality_id: filter.venue_municipality_id,
        },
        page,
    )
    .await?;
    let (rows, next) = page.finish(rows, |r| r.id);
    let items: Vec<PlatformEvent> = rows.into_iter().map(PlatformEvent::from).collect();
    Ok(HttpResponse::Ok().json(Paginated::new(items, next)))
}

/// One event.
#[utoipa::path(operation_id = "getPlatformEvent", tag = "platform", security(("bearer" = [])),
    responses((status = 200, description = "The event", body = PlatformEvent, headers(("ETag" = String))),
        (status = 403, description = "Events are for the cities' staff", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/platform-events/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadPlatformWork)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        PlatformEvent::from(row),
    ))
}

/// Corrects an event or records its attendance and questionnaire (the
/// desk of the venue or an organizing city; the platform admin).
/// `If-Match` required.
#[utoipa::path(operation_id = "updatePlatformEvent", tag = "platform", request_body = UpdatePlatformEvent, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = PlatformEvent, headers(("ETag" = String))),
        (status = 403, description = "Only the desk of the venue or an organizing city (or the platform admin) corrects an event", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/platform-events/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdatePlatformEvent>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadPlatformWork)?;
    let mut conn = pool::connection(&state.pool).await?;
    let found = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    authorize(
        &caller.actor,
        Action::RecordPlatformWork {
            city_takes_part: city_takes_part(
                &caller.actor,
                found.venue_municipality_id,
                &found.organizer_municipality_ids,
            ),
        },
    )?;
    let title = body
        .title
        .as_deref()
        .map(|t| bounded_text("title", t, 1, 200))
        .transpose()?;
    let other_organizers = body
        .other_organizers
        .as_deref()
        .map(|o| meeting::check_texts("other_organizers", o, 200))
        .transpose()?;
    let organizer_resource_ids = match &body.organizer_resource_ids {
        Some(ids) => Some(entries(&mut conn, "organizer_resource_ids", ids).await?),
        None => None,
    };
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            // The whole, as it will be, is checked: a part may not outgrow
            // the stored whole either.
            event::check_days(
                body.starts_on.unwrap_or(before.starts_on),
                body.ends_on.unwrap_or(before.ends_on),
            )?;
            Reach {
                attendance: body.attendance.unwrap_or(before.attendance),
                clients_of_support: body.clients_of_support.unwrap_or(before.clients_of_support),
                questionnaire_responses: body
                    .questionnaire_responses
                    .unwrap_or(before.questionnaire_responses),
                felt_it: body.felt_it.unwrap_or(before.felt_it),
            }
            .check()?;
            let changes = PlatformEventChanges {
                kind: body.kind,
                title: title.clone(),
                starts_on: body.starts_on,
                ends_on: body.ends_on,
                organizer_resource_ids: organizer_resource_ids.clone(),
                other_organizers: other_organizers.clone(),
                attendance: body.attendance,
                clients_of_support: body.clients_of_support,
                questionnaire_responses: body.questionnaire_responses,
                felt_it: body.felt_it,
            };
            let after = db::update(conn, before.id, &changes).await?;
            let event = FeedEvent::desk(EventKind::PlatformEventUpdated).subject(after.id);
            record::updated(conn, &caller, "platform_event", &before, &after, event).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        PlatformEvent::from(row),
    ))
}
