//! Showing the results (issue 18): a TRIP is published with its partner's
//! consent. The partner gives or withdraws consent on its own TRIP
//! (withdrawing unpublishes); then the desk of the TRIP's city publishes
//! it with a public summary of its own, or unpublishes it. The public
//! reads published TRIPs at `GET /v1/public/trips` (`public_trips`).

use crate::auth::Caller;
use crate::desk::trip_view::visible_trip;
use crate::http::body::Json;
use crate::http::etag::{with_etag, OptionalIfMatch, Upsert};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::trip_publications::{self as db, Publication};
use living_gate_db::desk::trips::Trip;
use living_gate_db::{pool, AsyncPgConnection};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where a TRIP's publication stands.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"trip_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e80", "consented": true,
    "consented_at": "2026-09-01T01:00:00Z", "published": true, "published_at": "2026-09-02T01:00:00Z",
    "summary": "駅前の空き店舗で多世代の居場所を開き、月2回の交流会を続けています。"}))]
pub struct TripPublication {
    pub trip_id: Uuid,
    /// The partner consented to publication (and has not withdrawn it).
    pub consented: bool,
    pub consented_at: Option<DateTime<Utc>>,
    /// In the public list (`GET /v1/public/trips`).
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    /// The desk's public summary (empty until published once).
    pub summary: String,
}

fn shown(trip_id: Uuid, row: Option<&Publication>) -> TripPublication {
    TripPublication {
        trip_id,
        consented: row.is_some_and(|r| r.consented_at.is_some()),
        consented_at: row.and_then(|r| r.consented_at),
        published: row.is_some_and(|r| r.published_at.is_some()),
        published_at: row.and_then(|r| r.published_at),
        summary: row.map(|r| r.summary.clone()).unwrap_or_default(),
    }
}

fn respond(row: Publication) -> HttpResponse {
    with_etag(
        HttpResponse::Ok(),
        row.version,
        shown(row.trip_id, Some(&row)),
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"consented": true}))]
pub struct SetConsent {
    /// `true`: the partner consents to its TRIP being published; `false`
    /// withdraws consent and unpublishes it.
    pub consented: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"published": true, "summary": "駅前の空き店舗で多世代の居場所を開き、月2回の交流会を続けています。"}))]
pub struct SetPublished {
    /// `true`: in the public list (needs the partner's consent, else 409);
    /// `false`: out of it.
    pub published: bool,
    /// What the public reads about the TRIP besides its title, department,
    /// city, start and status: written for the public, without personal
    /// data (the case's own text is never shown). Required to publish.
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
}

/// The feed event of a publication change (shared: the partner sees it).
fn event(trip: &Trip, kind: EventKind) -> FeedEvent {
    FeedEvent::case(trip.proposal_id, kind, Visibility::Shared).subject(trip.id)
}

async fn record_change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    verb: &str,
    before: Option<&Publication>,
    after: &Publication,
    event: FeedEvent,
) -> ApiResult<()> {
    let change = record::Change {
        action: format!("trip_publication.{verb}"),
        target_type: "trip",
        target_id: after.trip_id.to_string(),
        changes: living_gate_db::audit::diff(before, after),
        event,
    };
    record::write(conn, caller, change).await?;
    Ok(())
}

/// Where the TRIP's publication stands, for whoever sees the TRIP; with an
/// `ETag` once anything was recorded (none before: the first `PUT` goes
/// without `If-Match`).
#[utoipa::path(operation_id = "getTripPublication", tag = "trips", security(("bearer" = [])),
    responses((status = 200, description = "The publication", body = TripPublication, headers(("ETag" = String))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/trips/{id}/publication")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    Ok(match db::find(&mut conn, trip.id).await? {
        Some(row) => respond(row),
        None => HttpResponse::Ok().json(shown(trip.id, None)),
    })
}

/// The partner gives or withdraws its consent to publish its TRIP (a
/// partner user of the TRIP's organization). Withdrawing unpublishes.
#[utoipa::path(operation_id = "setTripPublicationConsent", tag = "trips", request_body = SetConsent, security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "The ETag of the publication you read; omit it only while nothing is recorded")),
    responses((status = 200, description = "The publication", body = TripPublication, headers(("ETag" = String))),
        (status = 403, description = "Only the TRIP's partner consents", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The publication changed since you read it (or nothing is recorded yet)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required once something is recorded", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/trips/{id}/publication-consent")]
pub async fn set_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: OptionalIfMatch,
    body: Json<SetConsent>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    if caller.actor.role != Role::Partner {
        return Err(ApiError::Forbidden);
    }
    let consent = body.consented.then(|| (caller.actor.id, Utc::now()));
    let row = conn
        .transaction(async |conn| {
            let before = db::find_for_update(conn, trip.id).await?;
            let before = match if_match.upsert(before, |b| b.version)? {
                Upsert::Replace(before) => Some(before),
                Upsert::Create => None,
            };
            let was_published = before.as_ref().is_some_and(|b| b.published_at.is_some());
            let after = db::set_consent(conn, trip.id, consent).await?;
            record_change(
                conn,
                &caller,
                "consent",
                before.as_ref(),
                &after,
                event(&trip, EventKind::TripPublicationConsentChanged),
            )
            .await?;
            if was_published && after.published_at.is_none() {
                // Withdrawn consent took it out of the public list.
                let unpublished = event(&trip, EventKind::TripPublicationChanged);
                record::write(
                    conn,
                    &caller,
                    record::Change {
                        action: "trip_publication.unpublish".to_owned(),
                        target_type: "trip",
                        target_id: trip.id.to_string(),
                        changes: serde_json::json!({"published": {"before": true, "after": false}}),
                        event: unpublished,
                    },
                )
                .await?;
            }
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(respond(row))
}

/// The desk of the TRIP's city publishes it, with its public summary, or
/// unpublishes it. Publishing needs the partner's consent (409 without).
#[utoipa::path(operation_id = "setTripPublication", tag = "trips", request_body = SetPublished, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the publication you read (`getTripPublication`)")),
    responses((status = 200, description = "The publication", body = TripPublication, headers(("ETag" = String))),
        (status = 403, description = "Only the desk publishes", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The partner has not consented (or, to unpublish, nothing was ever recorded)", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/trips/{id}/publication")]
pub async fn set_published(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: crate::http::etag::IfMatch,
    body: Json<SetPublished>,
) -> ApiResult<HttpResponse> {
    let summary = match (body.published, body.summary.as_deref()) {
        (true, None) => {
            return Err(ApiError::validation(
                "summary",
                "required",
                "write the public summary",
            ))
        }
        (true, Some(text)) => Some(bounded_text("summary", text, 1, 2000)?),
        (false, Some(text)) => Some(bounded_text("summary", text, 0, 2000)?),
        (false, None) => None,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let row = conn
        .transaction(async |conn| {
            let not_consented = || ApiError::Conflict {
                detail: "the partner has not consented to publication".into(),
                extra: None,
            };
            let before = db::find_for_update(conn, trip.id).await?;
            let before = match before {
                Some(before) => if_match.current(Some(before))?,
                None if body.published => return Err(not_consented()),
                None => {
                    return Err(ApiError::Conflict {
                        detail: "the TRIP is not published".into(),
                        extra: None,
                    })
                }
            };
            if body.published && before.consented_at.is_none() {
                return Err(not_consented());
            }
            let published = match (body.published, before.published_at) {
                (true, Some(at)) => Some((before.published_by.unwrap_or(caller.actor.id), at)),
                (true, None) => Some((caller.actor.id, Utc::now())),
                (false, _) => None,
            };
            let summary = summary.clone().unwrap_or_else(|| before.summary.clone());
            let after = db::set_published(conn, trip.id, published, &summary).await?;
            let verb = if body.published {
                "publish"
            } else {
                "unpublish"
            };
            record_change(
                conn,
                &caller,
                verb,
                Some(&before),
                &after,
                event(&trip, EventKind::TripPublicationChanged),
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(respond(row))
}
