//! The TRIP (共創プロジェクト) as the API shows it, and who may see one.

use crate::http::problem::{ApiError, ApiResult};
use chrono::{DateTime, NaiveDate, Utc};
use living_gate_db::desk::trips::{self as db, TripScope};
use living_gate_db::AsyncPgConnection;
use living_gate_domain::access::policy::{case_scope, CaseScope};
use living_gate_domain::desk::trip::TripStatus;
use living_gate_domain::Actor;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

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
    pub status: TripStatus,
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

pub async fn with_partners(conn: &mut AsyncPgConnection, trip: db::Trip) -> ApiResult<Trip> {
    let partners = db::partners(conn, trip.id).await?;
    Ok(Trip::from_row(trip, partners))
}

/// The TRIP, if the caller may see it (404 otherwise).
pub(crate) async fn visible_trip(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<db::Trip> {
    db::find_visible(conn, id, trip_scope(actor)?)
        .await?
        .ok_or(ApiError::NotFound)
}

pub fn trip_scope(actor: &Actor) -> ApiResult<TripScope> {
    Ok(match case_scope(actor)? {
        CaseScope::Municipality(id) => TripScope::Municipality(id),
        CaseScope::Organization(id) => TripScope::Organization(id),
        CaseScope::Department { department_id, .. } => TripScope::Department(department_id),
    })
}
