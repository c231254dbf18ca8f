//! Introductions of residents to directory entries by support workers
//! (seed 002): the day, the worker's city, the entry, the topics, the
//! channel and the outcome if known. Never the resident: the body has no
//! field for a name or free text, and unknown fields are refused (422).

use crate::auth::Caller;
use crate::directory::entry_view;
use crate::http::body::Json;
use crate::http::etag::{with_etag, IfMatch};
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::directory::taxonomy;
use living_gate_db::platform::referrals::{
    self as db, Direction, ListFilter, NewReferral, ReferralChanges,
};
use living_gate_db::{pool, AsyncPgConnection, Page};
use living_gate_domain::directory::{DirectoryView, Vocabulary};
use living_gate_domain::platform::referral::{self, ReferralChannel, ReferralOutcome};
use living_gate_domain::{authorize, Action, Actor, Role};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"resource_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "referred_on": "2026-11-20",
    "topics": ["hikikomori"], "channel": "accompanied"}))]
pub struct CreateReferral {
    /// The directory entry the resident was introduced to.
    pub resource_id: Uuid,
    /// The day of the introduction (not after today in Japan).
    pub referred_on: NaiveDate,
    /// What the consultation was about: topic codes
    /// (`GET /v1/taxonomy-terms?vocabulary=topic`), 1 to 10.
    #[schema(min_items = 1, max_items = 10)]
    pub topics: Vec<String>,
    pub channel: ReferralChannel,
    /// Default `unknown`.
    pub outcome: Option<ReferralOutcome>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "using"}))]
pub struct UpdateReferral {
    pub referred_on: Option<NaiveDate>,
    #[schema(min_items = 1, max_items = 10)]
    pub topics: Option<Vec<String>>,
    pub channel: Option<ReferralChannel>,
    pub outcome: Option<ReferralOutcome>,
}

/// An introduction as a caller sees it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9fb1",
    "from_municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03", "department_id": null,
    "recorded_by": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e21",
    "resource_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "resource_name": "えびな若者の居場所",
    "to_municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e04", "referred_on": "2026-11-20", "fiscal_year": 2026,
    "topics": ["hikikomori"], "channel": "accompanied", "outcome": "unknown", "version": 1,
    "created_at": "2026-11-20T06:00:00Z", "updated_at": "2026-11-20T06:00:00Z"}))]
pub struct Referral {
    pub id: Uuid,
    /// The worker's city.
    pub from_municipality_id: Uuid,
    /// The worker's department, when a department recorded it.
    pub department_id: Option<Uuid>,
    /// The worker's account: shown to the worker's city only (null for the
    /// entry's city and the platform admin).
    pub recorded_by: Option<Uuid>,
    pub resource_id: Uuid,
    pub resource_name: String,
    /// The entry's city when the introduction was recorded.
    pub to_municipality_id: Uuid,
    pub referred_on: NaiveDate,
    /// April–March, of `referred_on`.
    pub fiscal_year: i32,
    pub topics: Vec<String>,
    pub channel: ReferralChannel,
    pub outcome: ReferralOutcome,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

async fn view(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: db::Referral,
) -> ApiResult<Referral> {
    let name = living_gate_db::directory::resources::find(conn, row.resource_id)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    Ok(shown(actor, row, name))
}

fn shown(actor: &Actor, row: db::Referral, resource_name: String) -> Referral {
    let own_city = actor.municipality_id == Some(row.municipality_id);
    Referral {
        id: row.id,
        from_municipality_id: row.municipality_id,
        department_id: row.department_id,
        recorded_by: own_city.then_some(row.recorded_by),
        resource_id: row.resource_id,
        resource_name,
        to_municipality_id: row.to_municipality_id,
        referred_on: row.referred_on,
        fiscal_year: living_gate_domain::fiscal::fiscal_year_of_date(row.referred_on),
        topics: row.topics,
        channel: row.channel,
        outcome: row.outcome,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The topics, checked: 1 to 10, each a term of the `topic` vocabulary.
async fn topics(conn: &mut AsyncPgConnection, given: &[String]) -> ApiResult<Vec<String>> {
    let topics = referral::check_topics("topics", given)?;
    if let Some(unknown) = taxonomy::unknown_codes(conn, Vocabulary::Topic, &topics)
        .await?
        .first()
    {
        return Err(ApiError::validation(
            "topics",
            "unknown_code",
            format!("no topic term with code {unknown}"),
        ));
    }
    Ok(topics)
}

fn feed(kind: EventKind, row: &db::Referral) -> FeedEvent {
    FeedEvent::desk(kind)
        .subject(row.id)
        .in_municipality(Some(row.municipality_id))
}

/// Records that a resident was introduced to a directory entry (a support
/// worker: the desk or a department of any city). Nothing about the
/// resident is stored.
#[utoipa::path(operation_id = "createReferral", tag = "platform", request_body = CreateReferral, security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = Referral, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only a city's desk and departments record introductions", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/referrals")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateReferral>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::RecordReferral)?;
    let municipality_id = caller.actor.municipality_id.ok_or(ApiError::NotFound)?;
    referral::check_date("referred_on", body.referred_on, Utc::now())?;
    let mut conn = pool::connection(&state.pool).await?;
    // Staff see every entry, staff-only ones too; an unknown id is 422 (a
    // field of the body), not 404 (the path).
    let entry = entry_view::visible(&mut conn, DirectoryView::Staff, body.resource_id)
        .await
        .map_err(|_| ApiError::validation("resource_id", "unknown", "no such directory entry"))?;
    let topics = topics(&mut conn, &body.topics).await?;
    let new = NewReferral {
        id: Uuid::now_v7(),
        municipality_id,
        department_id: match caller.actor.role {
            Role::Department => caller.actor.department_id,
            _ => None,
        },
        recorded_by: caller.actor.id,
        resource_id: entry.id,
        to_municipality_id: entry.municipality_id,
        referred_on: body.referred_on,
        topics,
        channel: body.channel,
        outcome: body.outcome.unwrap_or(ReferralOutcome::Unknown),
    };
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(conn, &new).await?;
            let event = feed(EventKind::ReferralRecorded, &row);
            record::created(conn, &caller, "referral", &row, event).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let version = row.version;
    let location = format!("/v1/referrals/{}", row.id);
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, location));
    Ok(with_etag(
        created,
        version,
        shown(&caller.actor, row, entry.name),
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ReferralDirection)]
pub enum ListDirection {
    /// Recorded by the caller's city or to its entries.
    #[default]
    Any,
    /// Recorded by the caller's city.
    From,
    /// To entries of the caller's city, recorded by any city.
    To,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralListParams {
    /// `from` (the caller's city recorded them), `to` (to its entries) or
    /// `any` (default). The platform admin sees every city's with `any`.
    pub direction: Option<ListDirection>,
    /// The entry introduced to.
    pub resource_id: Option<Uuid>,
    /// The fiscal year of the day introduced.
    #[param(minimum = 2000, maximum = 2200)]
    pub fiscal_year: Option<i32>,
}

/// Introductions recorded by the caller's city or to its entries, oldest
/// first (staff; the platform admin every city's).
#[utoipa::path(operation_id = "listReferrals", tag = "platform", params(PageParams, ReferralListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of introductions", body = Paginated<Referral>),
        (status = 403, description = "Introductions are for the cities' staff", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/referrals")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<ReferralListParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadReferrals)?;
    let page: Page = params.page()?;
    let direction = match (
        filter.direction.unwrap_or_default(),
        caller.actor.municipality_id,
    ) {
        (ListDirection::Any, _) => Direction::Any,
        (ListDirection::From, Some(m)) => Direction::From(m),
        (ListDirection::To, Some(m)) => Direction::To(m),
        (_, None) => {
            return Err(ApiError::validation(
                "direction",
                "no_city",
                "`from` and `to` are of the caller's city; an account of no city lists `any`",
            ))
        }
    };
    let fiscal_year = crate::http::bounds::check_optional_year("fiscal_year", filter.fiscal_year)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(
        &mut conn,
        direction,
        &ListFilter {
            resource_id: filter.resource_id,
            fiscal_year,
        },
        page,
    )
    .await?;
    let (rows, next) = page.finish(rows, |r| r.id);
    // The entries' names in one query, not one per row.
    let ids: Vec<Uuid> = rows.iter().map(|r| r.resource_id).collect();
    let names: HashMap<Uuid, String> =
        living_gate_db::directory::resources::find_many(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
    let items: Vec<Referral> = rows
        .into_iter()
        .map(|row| {
            let name = names.get(&row.resource_id).cloned().unwrap_or_default();
            shown(&caller.actor, row, name)
        })
        .collect();
    Ok(HttpResponse::Ok().json(Paginated::new(items, next)))
}

/// One introduction (staff of the worker's city or of the entry's city).
#[utoipa::path(operation_id = "getReferral", tag = "platform", security(("bearer" = [])),
    responses((status = 200, description = "The introduction", body = Referral, headers(("ETag" = String))),
        (status = 403, description = "Introductions are for the cities' staff", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/referrals/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadReferrals)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        view(&mut conn, &caller.actor, row).await?,
    ))
}

/// Corrects an introduction or records its outcome (the desk of the
/// worker's city, or the department that recorded it). `If-Match` required.
#[utoipa::path(operation_id = "updateReferral", tag = "platform", request_body = UpdateReferral, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Referral, headers(("ETag" = String))),
        (status = 403, description = "Only the worker's city (its desk, or the department that recorded it) corrects an introduction", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/referrals/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateReferral>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadReferrals)?;
    let mut conn = pool::connection(&state.pool).await?;
    let found = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    authorize(
        &caller.actor,
        Action::UpdateReferral {
            municipality_id: found.municipality_id,
            department_id: found.department_id,
        },
    )?;
    if let Some(on) = body.referred_on {
        referral::check_date("referred_on", on, Utc::now())?;
    }
    let changes = ReferralChanges {
        referred_on: body.referred_on,
        topics: match &body.topics {
            Some(given) => Some(topics(&mut conn, given).await?),
            None => None,
        },
        channel: body.channel,
        outcome: body.outcome,
    };
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            let after = db::update(conn, before.id, &changes).await?;
            let event = feed(EventKind::ReferralUpdated, &after);
            record::updated(conn, &caller, "referral", &before, &after, event).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        view(&mut conn, &caller.actor, row).await?,
    ))
}
