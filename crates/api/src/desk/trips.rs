//! After step 6: the TRIPs adoptions create, their indicator measurements,
//! and the directory organizations they support.

use crate::auth::Caller;
use crate::desk::trip_view::{trip_scope, visible_trip, with_partners, Trip};
use crate::http::body::Json;
use crate::http::etag::{with_etag, IfMatch};
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, patch, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::trips::{self as db, Measurement, TripChanges};
use living_gate_db::{desk::logic_models, desk::trip_resources, directory::resources, pool};
use living_gate_domain::desk::logic_model::check_measured_on;
use living_gate_domain::desk::trip::TripStatus;
use living_gate_domain::fiscal;
use living_gate_domain::names::bounded_text;
use living_gate_domain::validation::dedup;
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TripListParams {
    pub status: Option<TripStatus>,
}

/// The TRIPs the caller may see: all for the desk, those it leads for a
/// department, those its organization takes part in for a partner.
#[utoipa::path(operation_id = "listTrips", tag = "trips", params(PageParams, TripListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of TRIPs", body = Paginated<Trip>),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/trips")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<TripListParams>,
) -> ApiResult<HttpResponse> {
    let scope = trip_scope(&caller.actor)?;
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(&mut conn, scope, filter.status, page).await?;
    let (rows, next) = page.finish(rows, |t| t.id);
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(with_partners(&mut conn, row).await?);
    }
    Ok(HttpResponse::Ok().json(Paginated::new(items, next)))
}

/// One TRIP, with its `ETag`.
#[utoipa::path(operation_id = "getTrip", tag = "trips", security(("bearer" = [])),
    responses((status = 200, description = "The TRIP", body = Trip, headers(("ETag" = String))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
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
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
}

/// Updates a TRIP (the desk, the lead department).
#[utoipa::path(operation_id = "updateTrip", tag = "trips", request_body = UpdateTrip, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Trip, headers(("ETag" = String))),
        (status = 403, description = "Only the desk and the lead department update a TRIP", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/trips/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateTrip>,
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
        status: body.status,
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
            let updated = FeedEvent::case(
                after.proposal_id,
                EventKind::TripUpdated,
                Visibility::Shared,
            )
            .subject(after.id);
            record::updated(conn, &caller, "trip", &before, &after, updated).await?;
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

/// Records a measurement of one of the logic model's indicators (the desk, the lead department),
/// dated no later than today in Japan and not before the TRIP starts (its
/// `starts_on`, or the day it was created when it has none).
#[utoipa::path(operation_id = "recordTripMeasurement", tag = "trips", request_body = RecordMeasurement, security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = MeasurementView),
        (status = 403, description = "Only the desk and the lead department record measurements", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/trips/{id}/measurements")]
pub async fn measure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<RecordMeasurement>,
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
    let starts = trip
        .starts_on
        .unwrap_or_else(|| fiscal::date_in_japan(trip.created_at));
    check_measured_on(body.measured_on, starts, fiscal::date_in_japan(Utc::now()))?;
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
            let recorded =
                FeedEvent::case(trip.proposal_id, EventKind::MeasurementRecorded, Visibility::Shared)
                    .subject(trip.id);
            record::write(
                conn,
                &caller,
                Change {
                    action: "trip.measurement".into(),
                    target_type: "trip",
                    target_id: trip.id.to_string(),
                    changes: serde_json::json!({ "indicator_id": row.indicator_id, "value": row.value, "measured_on": row.measured_on }),
                    event: recorded,
                },
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(MeasurementView::from(row)))
}

/// The measurements of a TRIP, by date.
#[utoipa::path(operation_id = "listTripMeasurements", tag = "trips", security(("bearer" = [])),
    responses((status = 200, description = "The measurements", body = Vec<MeasurementView>),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"resource_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01"]}))]
pub struct SupportedResources {
    /// Directory entries; replaces the list. At most 100.
    pub resource_ids: Vec<Uuid>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"trip_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e90", "resource_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01"]}))]
pub struct TripResources {
    pub trip_id: Uuid,
    pub resource_ids: Vec<Uuid>,
}

/// Sets the directory organizations a TRIP supports (the desk, the lead department).
#[utoipa::path(operation_id = "replaceTripSupportedResources", tag = "trips", request_body = SupportedResources, security(("bearer" = [])),
    responses((status = 200, description = "The supported organizations", body = TripResources),
        (status = 403, description = "Only the desk and the lead department change a TRIP", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/trips/{id}/supported-resources")]
pub async fn replace(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<SupportedResources>,
) -> ApiResult<HttpResponse> {
    if body.resource_ids.len() > 100 {
        return Err(ApiError::validation(
            "resource_ids",
            "too_many",
            "at most 100 entries",
        ));
    }
    let ids = dedup(&body.resource_ids);
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    authorize(
        &caller.actor,
        Action::UpdateTrip {
            lead_department_id: trip.lead_department_id,
        },
    )?;
    if resources::existing(&mut conn, &ids).await?.len() != ids.len() {
        return Err(ApiError::validation(
            "resource_ids",
            "unknown_reference",
            "no such directory entry",
        ));
    }
    let after = conn
        .transaction(async |conn| {
            let before = trip_resources::list(conn, trip.id).await?;
            trip_resources::replace(conn, trip.id, &ids).await?;
            let after = trip_resources::list(conn, trip.id).await?;
            let replaced = FeedEvent::case(
                trip.proposal_id,
                EventKind::TripSupportedResourcesReplaced,
                Visibility::Internal,
            )
            .subject(trip.id);
            record::write(
                conn,
                &caller,
                Change {
                    action: "trip.supported_resources".into(),
                    target_type: "trip",
                    target_id: trip.id.to_string(),
                    changes: serde_json::json!({"resource_ids": {"before": before, "after": after}}),
                    event: replaced,
                },
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TripResources {
        trip_id: trip.id,
        resource_ids: after,
    }))
}
