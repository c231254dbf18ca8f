//! A TRIP continues into the next journey (次の旅へとつながっていく): the desk
//! links the cases that followed from it; the links read both ways, and a
//! follow-on case that was adopted names its TRIP. Internal to the city's
//! staff; a department sees the links whose other end it may see.

use crate::auth::Caller;
use crate::desk::cases::{scope, visible};
use crate::desk::trip_view::{trip_scope, visible_trip};
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::follow_ons::{self as db, Linked};
use living_gate_db::desk::{proposals, trips};
use living_gate_db::{pool, AsyncPgConnection};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Actor, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e60", "note": "居場所の利用者から生まれた見守りの提案"}))]
pub struct LinkFollowOn {
    /// A case of the same city that followed from the TRIP.
    pub proposal_id: Uuid,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"trip_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e90", "trip_proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
    "trip_title": "空き店舗を活用した多世代の居場所づくり", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e60",
    "reference": "ZLG-2027-0004", "title": "居場所を拠点にした見守り", "status": "adopted",
    "follow_on_trip_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e99", "note": "居場所の利用者から生まれた見守りの提案",
    "created_at": "2027-05-01T02:00:00Z"}))]
pub struct FollowOn {
    /// The TRIP it follows from, and that TRIP's case.
    pub trip_id: Uuid,
    pub trip_proposal_id: Uuid,
    pub trip_title: String,
    /// The follow-on case.
    pub proposal_id: Uuid,
    pub reference: String,
    pub title: String,
    pub status: Status,
    /// The follow-on case's own TRIP, once adopted.
    pub follow_on_trip_id: Option<Uuid>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

async fn views(conn: &mut AsyncPgConnection, links: Vec<Linked>) -> ApiResult<Vec<FollowOn>> {
    let ids: Vec<Uuid> = links.iter().map(|l| l.link.proposal_id).collect();
    let adopted = db::trips_of(conn, &ids).await?;
    Ok(links
        .into_iter()
        .map(|l| FollowOn {
            trip_id: l.link.trip_id,
            trip_proposal_id: l.trip_proposal_id,
            trip_title: l.trip_title,
            proposal_id: l.link.proposal_id,
            reference: l.reference,
            title: l.title,
            status: l.status,
            follow_on_trip_id: adopted
                .iter()
                .find(|(case, _)| *case == l.link.proposal_id)
                .map(|(_, trip)| *trip),
            note: l.link.note,
            created_at: l.link.created_at,
        })
        .collect())
}

/// Links a case as a follow-on of the TRIP (the desk).
#[utoipa::path(operation_id = "linkTripFollowOn", tag = "trips", request_body = LinkFollowOn, security(("bearer" = [])),
    responses((status = 201, description = "Linked", body = FollowOn),
        (status = 403, description = "Only the desk links follow-ons", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such TRIP visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is already a follow-on of this TRIP", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such case in the city, the TRIP's own case, or a note too long", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/trips/{id}/follow-ons")]
pub async fn link(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<LinkFollowOn>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let note = if body.note.trim().is_empty() {
        String::new()
    } else {
        bounded_text("note", &body.note, 1, 2000)?
    };
    let follow_on = proposals::find_visible(&mut conn, body.proposal_id, scope(&caller.actor)?)
        .await?
        .ok_or_else(|| {
            ApiError::validation(
                "proposal_id",
                "unknown_reference",
                "no such case in the TRIP's city",
            )
        })?;
    if follow_on.id == trip.proposal_id {
        return Err(ApiError::validation(
            "proposal_id",
            "same_case",
            "a TRIP does not follow from itself",
        ));
    }
    conn.transaction(async |conn| {
        let row = db::insert(conn, trip.id, follow_on.id, &note, caller.actor.id)
            .await?
            .ok_or_else(|| ApiError::Conflict {
                detail: "the case is already a follow-on of this TRIP".into(),
                extra: None,
            })?;
        let linked = FeedEvent::case(
            trip.proposal_id,
            EventKind::FollowOnLinked,
            Visibility::Internal,
        )
        .subject(row.proposal_id);
        record::write(
            conn,
            &caller,
            Change {
                action: "follow_on.create".into(),
                target_type: "trip",
                target_id: trip.id.to_string(),
                changes: serde_json::json!({"follow_on": {"after": {"proposal_id": row.proposal_id, "note": row.note}}}),
                event: linked,
            },
        )
        .await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    let links = db::of_trip(&mut conn, trip.id).await?;
    let view = views(&mut conn, links)
        .await?
        .into_iter()
        .find(|f| f.proposal_id == follow_on.id)
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Created().json(view))
}

/// Keeps the links whose other end a department may see (the desk sees all).
async fn seen_by(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    links: Vec<Linked>,
    other_end_is_case: bool,
) -> ApiResult<Vec<Linked>> {
    if actor.role != Role::Department {
        return Ok(links);
    }
    let mut kept = Vec::new();
    for linked in links {
        let visible = if other_end_is_case {
            proposals::find_visible(conn, linked.link.proposal_id, scope(actor)?)
                .await?
                .is_some()
        } else {
            trips::find_visible(conn, linked.link.trip_id, trip_scope(actor)?)
                .await?
                .is_some()
        };
        if visible {
            kept.push(linked);
        }
    }
    Ok(kept)
}

/// The cases that followed from the TRIP, oldest link first (the desk, the
/// lead department: the follow-on cases it may see).
#[utoipa::path(operation_id = "listTripFollowOns", tag = "trips", security(("bearer" = [])),
    responses((status = 200, description = "The follow-ons", body = Vec<FollowOn>),
        (status = 403, description = "Continuity is internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such TRIP visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/trips/{id}/follow-ons")]
pub async fn of_trip(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let trip = visible_trip(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::ReadCoordination)?;
    let links = db::of_trip(&mut conn, trip.id).await?;
    let links = seen_by(&mut conn, &caller.actor, links, true).await?;
    Ok(HttpResponse::Ok().json(views(&mut conn, links).await?))
}

/// The TRIPs a case follows on from (the desk, the departments involved:
/// the TRIPs they may see).
#[utoipa::path(operation_id = "listProposalOrigins", tag = "proposals", security(("bearer" = [])),
    responses((status = 200, description = "The TRIPs it follows from", body = Vec<FollowOn>),
        (status = 403, description = "Continuity is internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/follows-from")]
pub async fn follows_from(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let case = visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::ReadCoordination)?;
    let links = db::of_proposal(&mut conn, case.id).await?;
    let links = seen_by(&mut conn, &caller.actor, links, false).await?;
    Ok(HttpResponse::Ok().json(views(&mut conn, links).await?))
}
