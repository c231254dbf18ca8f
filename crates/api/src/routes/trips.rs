//! Step 6 and after: the lead department's decision, and the TRIP
//! (共創プロジェクト) an adoption creates, with its indicator measurements.

use crate::audit;
use crate::auth::Caller;
use crate::etag::IfMatch;
use crate::pagination::{PageParams, Paginated};
use crate::problem::{ApiError, ApiResult};
use crate::routes::municipalities::with_etag;
use crate::routes::proposals::{apply_move, visible, Proposal};
use crate::state::AppState;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::proposals::{self as proposals_db};
use living_gate_db::trips::{self as db, Measurement, NewTrip, TripChanges, TripScope};
use living_gate_db::{logic_models, pool, AsyncPgConnection};
use living_gate_domain::names::bounded_text;
use living_gate_domain::policy::{case_scope, CaseScope};
use living_gate_domain::workflow::Status;
use living_gate_domain::{authorize, Action, Actor, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Adopted,
    NotAdopted,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "adopted", "reason": "既存事業と一体で進められ、効果が見込める",
    "note_for_proposer": "共創プロジェクト（TRIP）として進めます"}))]
pub struct DecisionRequest {
    pub outcome: Outcome,
    /// Internal reason of the decision.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// What the proposer is told (required for `not_adopted`).
    #[schema(max_length = 2000)]
    pub note_for_proposer: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Decision {
    pub proposal: Proposal,
    /// The TRIP created by an adoption.
    pub trip: Option<Trip>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TripStatus {
    Planning,
    Active,
    Completed,
    Discontinued,
}

impl TripStatus {
    fn as_str(self) -> &'static str {
        match self {
            TripStatus::Planning => "planning",
            TripStatus::Active => "active",
            TripStatus::Completed => "completed",
            TripStatus::Discontinued => "discontinued",
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e90", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
    "title": "空き店舗を活用した多世代の居場所づくり", "lead_department_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e03",
    "partner_organization_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e20"], "supports_community_activity": true,
    "status": "active", "starts_on": "2026-07-01", "ends_on": null,
    "created_at": "2026-06-20T02:00:00Z", "updated_at": "2026-07-01T00:00:00Z"}))]
pub struct Trip {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub title: String,
    pub lead_department_id: Uuid,
    pub partner_organization_ids: Vec<Uuid>,
    /// KPI 5: a company's partnership supporting community activity.
    pub supports_community_activity: bool,
    /// `planning`, `active`, `completed` or `discontinued`.
    pub status: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Trip {
    fn from_row(t: db::Trip, partner_organization_ids: Vec<Uuid>) -> Trip {
        Trip {
            id: t.id,
            proposal_id: t.proposal_id,
            title: t.title,
            lead_department_id: t.lead_department_id,
            partner_organization_ids,
            supports_community_activity: t.supports_community_activity,
            status: t.status,
            starts_on: t.starts_on,
            ends_on: t.ends_on,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

async fn with_partners(conn: &mut AsyncPgConnection, trip: db::Trip) -> ApiResult<Trip> {
    let partners = db::partners(conn, trip.id).await?;
    Ok(Trip::from_row(trip, partners))
}

/// The TRIP, if the caller may see it (404 otherwise).
pub(crate) async fn visible_trip(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<db::Trip> {
    db::find_visible(conn, id, scope(actor)?)
        .await?
        .ok_or(ApiError::NotFound)
}

fn scope(actor: &Actor) -> ApiResult<TripScope> {
    Ok(match case_scope(actor)? {
        CaseScope::All => TripScope::All,
        CaseScope::Organization(id) => TripScope::Organization(id),
        CaseScope::Department(id) => TripScope::Department(id),
    })
}

/// Records the step-6 decision: only a user of the case's lead department
/// can, whatever anyone else sends. `adopted` creates the TRIP in the same
/// transaction.
#[utoipa::path(tag = "trips", request_body = DecisionRequest, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the case you read")),
    responses((status = 200, description = "Decided", body = Decision),
        (status = 403, description = "Admins and analysts get no case content", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not the lead department, not awaiting a decision, or already decided", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since you read it", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<DecisionRequest>,
) -> ApiResult<HttpResponse> {
    let mut errors = ValidationErrors::new();
    let reason = errors.check(bounded_text("reason", &body.reason, 1, 2000));
    let note = body
        .note_for_proposer
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .and_then(|n| errors.check(bounded_text("note_for_proposer", n, 1, 2000)));
    if body.outcome == Outcome::NotAdopted && note.is_none() {
        errors.add("note_for_proposer", "required", "tell the proposer why");
    }
    errors.into_result()?;
    let to = if body.outcome == Outcome::Adopted {
        Status::Adopted
    } else {
        Status::NotAdopted
    };
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let (proposal, trip) = conn
        .transaction(async |conn| {
            let before = if_match.current(proposals_db::find_for_update(conn, *id).await?)?;
            let after =
                apply_move(conn, &caller, &before, to, reason.clone(), note.clone()).await?;
            if to != Status::Adopted {
                return Ok::<_, ApiError>((after, None));
            }
            let lead = after
                .lead_department_id
                .ok_or_else(|| ApiError::Internal("adopted without a lead department".into()))?;
            let trip = db::insert(
                conn,
                &NewTrip {
                    id: Uuid::now_v7(),
                    proposal_id: after.id,
                    title: after.title.clone(),
                    lead_department_id: lead,
                    supports_community_activity: after
                        .themes
                        .iter()
                        .any(|t| t == "community_support"),
                },
            )
            .await?;
            db::add_partner(conn, trip.id, after.organization_id).await?;
            audit::created(conn, &caller, "trip", &trip).await?;
            let trip = with_partners(conn, trip).await?;
            Ok((after, Some(trip)))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Decision {
        proposal: Proposal::from(proposal),
        trip,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TripListParams {
    pub status: Option<TripStatus>,
}

/// The TRIPs the caller may see: all for the desk, those it leads for a
/// department, those its organization takes part in for a partner.
#[utoipa::path(tag = "trips", params(PageParams, TripListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of TRIPs", body = Paginated<Trip>),
        (status = 403, description = "Admins and analysts get no case content", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[get("/trips")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<TripListParams>,
) -> ApiResult<HttpResponse> {
    let scope = scope(&caller.actor)?;
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(
        &mut conn,
        scope,
        filter.status.map(TripStatus::as_str),
        page,
    )
    .await?;
    let (rows, next) = page.finish(rows, |t| t.id);
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(with_partners(&mut conn, row).await?);
    }
    Ok(HttpResponse::Ok().json(Paginated::new(items, next)))
}

/// One TRIP, with its `ETag`.
#[utoipa::path(tag = "trips", security(("bearer" = [])),
    responses((status = 200, description = "The TRIP", body = Trip, headers(("ETag" = String))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[get("/trips/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let row = visible_trip(&mut conn, &caller.actor, *id).await?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        with_partners(&mut conn, row).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "active", "starts_on": "2026-07-01"}))]
pub struct UpdateTrip {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub supports_community_activity: Option<bool>,
    pub status: Option<TripStatus>,
    #[serde(default, deserialize_with = "crate::double_option::deserialize")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::double_option::deserialize")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
}

/// Updates a TRIP (the desk, the lead department).
#[utoipa::path(tag = "trips", request_body = UpdateTrip, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Trip, headers(("ETag" = String))),
        (status = 403, description = "Only the desk and the lead department update a TRIP", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[patch("/trips/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateTrip>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let found = visible_trip(&mut conn, &caller.actor, *id).await?;
    authorize(
        &caller.actor,
        Action::UpdateTrip {
            lead_department_id: found.lead_department_id,
        },
    )?;
    let changes = TripChanges {
        title: body
            .title
            .as_deref()
            .map(|t| bounded_text("title", t, 1, 200))
            .transpose()?,
        supports_community_activity: body.supports_community_activity,
        status: body.status.map(|s| s.as_str().to_owned()),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
    };
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            let starts = changes.starts_on.unwrap_or(before.starts_on);
            let ends = changes.ends_on.unwrap_or(before.ends_on);
            if let (Some(starts), Some(ends)) = (starts, ends) {
                if starts > ends {
                    return Err(ApiError::validation(
                        "ends_on",
                        "before_start",
                        "must not be before starts_on",
                    ));
                }
            }
            let after = db::update(conn, before.id, &changes).await?;
            audit::updated(conn, &caller, "trip", &before, &after).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        with_partners(&mut conn, row).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"indicator_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9ea0", "value": 6, "measured_on": "2026-09-30", "note": "上半期"}))]
pub struct RecordMeasurement {
    /// An indicator of the case's latest shared logic model.
    pub indicator_id: Uuid,
    pub value: f64,
    pub measured_on: NaiveDate,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeasurementView {
    pub id: Uuid,
    pub trip_id: Uuid,
    pub indicator_id: Uuid,
    pub value: f64,
    pub measured_on: NaiveDate,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

impl From<Measurement> for MeasurementView {
    fn from(m: Measurement) -> Self {
        MeasurementView {
            id: m.id,
            trip_id: m.trip_id,
            indicator_id: m.indicator_id,
            value: m.value,
            measured_on: m.measured_on,
            note: m.note,
            created_at: m.created_at,
        }
    }
}

/// Records a measurement of one of the logic model's indicators (the desk, the lead department).
#[utoipa::path(tag = "trips", request_body = RecordMeasurement, security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = MeasurementView),
        (status = 403, description = "Only the desk and the lead department record measurements", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[post("/trips/{id}/measurements")]
pub async fn measure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<RecordMeasurement>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    authorize(
        &caller.actor,
        Action::UpdateTrip {
            lead_department_id: trip.lead_department_id,
        },
    )?;
    if !body.value.is_finite() {
        return Err(ApiError::validation(
            "value",
            "not_a_number",
            "must be a finite number",
        ));
    }
    let note = if body.note.trim().is_empty() {
        String::new()
    } else {
        bounded_text("note", &body.note, 1, 2000)?
    };
    let model = logic_models::find(&mut conn, trip.proposal_id, None, true).await?;
    let known = model
        .and_then(|m| m.content.get("indicators").cloned())
        .and_then(|i| i.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .any(|i| {
            i.get("id").and_then(|v| v.as_str()) == Some(body.indicator_id.to_string().as_str())
        });
    if !known {
        return Err(ApiError::validation(
            "indicator_id",
            "unknown_reference",
            "not an indicator of the case's shared logic model",
        ));
    }
    let row = conn
        .transaction(async |conn| {
            let row = db::add_measurement(conn, &Measurement {
                id: Uuid::now_v7(),
                trip_id: trip.id,
                indicator_id: body.indicator_id,
                value: body.value,
                measured_on: body.measured_on,
                note: note.clone(),
                recorded_by: caller.actor.id,
                created_at: Utc::now(),
            })
            .await?;
            audit::record(conn, Some(&caller.actor), &caller.meta, audit::Event {
                action: "trip.measurement",
                target_type: "trip",
                target_id: Some(trip.id.to_string()),
                changes: serde_json::json!({ "indicator_id": row.indicator_id, "value": row.value, "measured_on": row.measured_on }),
            })
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(MeasurementView::from(row)))
}

/// The measurements of a TRIP, by date.
#[utoipa::path(tag = "trips", security(("bearer" = [])),
    responses((status = 200, description = "The measurements", body = Vec<MeasurementView>),
        (status = 403, description = "Admins and analysts get no case content", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[get("/trips/{id}/measurements")]
pub async fn measurements(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    let rows = db::measurements(&mut conn, trip.id).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(MeasurementView::from)
            .collect::<Vec<_>>(),
    ))
}
