//! The one function that moves a case, for transitions, the decision and
//! the demo data alike: the domain plans the move
//! ([`workflow::plan_move`]: legal or not, and everything it sets), this
//! applies the plan to the locked case, creates the TRIP an adoption
//! brings, and records the audit rows and events, in the caller's
//! transaction.

use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Author, EventKind, FeedEvent, Visibility};
use chrono::{DateTime, Utc};
use living_gate_db::desk::proposals::{self as db, StatusChange};
use living_gate_db::desk::trips::{self, NewTrip, Trip};
use living_gate_db::AsyncPgConnection;
use living_gate_domain::desk::proposal::Theme;
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::desk::workflow::{
    self, CaseFacts, HoldChange, MoveError, MovePlan, StepTimes, Via,
};
use uuid::Uuid;

/// A move asked for: where to, through which door, and what is said.
pub struct MoveRequest {
    pub to: Status,
    pub via: Via,
    /// Internal reason; never shown to the proposer.
    pub reason: Option<String>,
    pub note_for_proposer: Option<String>,
}

/// What a move did.
pub struct Moved {
    pub case: db::Proposal,
    /// The TRIP an adoption created.
    pub trip: Option<Trip>,
}

/// What the workflow needs to know of a locked case.
fn facts(case: &db::Proposal) -> CaseFacts {
    CaseFacts {
        status: case.status,
        held_from: case.held_from,
        organization_id: case.organization_id,
        lead_department_id: case.lead_department_id,
        has_shared_logic_model: case.has_shared_logic_model,
        entered: StepTimes {
            organizing: case.organizing_at,
            hearing: case.hearing_at,
            matching: case.matching_at,
            logic_model: case.logic_model_at,
            awaiting_decision: case.awaiting_decision_at,
        },
        coordination_started_at: case.coordination_started_at,
    }
}

/// Plans and applies a move on a case locked by the caller's transaction
/// (`FOR UPDATE`), at `now`.
pub async fn move_case(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    before: &db::Proposal,
    request: MoveRequest,
    now: DateTime<Utc>,
) -> ApiResult<Moved> {
    let facts = facts(before);
    let plan = workflow::plan_move(
        author.actor(),
        &facts,
        request.to,
        request.reason.as_deref(),
        request.via,
        now,
    )
    .map_err(|e| move_error(e, before))?;
    let after = db::change_status(conn, before.id, &status_change(&plan)).await?;
    let mut moved = FeedEvent::case(after.id, EventKind::StatusChanged, Visibility::Shared);
    moved.from_status = Some(plan.from());
    moved.to_status = Some(plan.to());
    moved.reason = request.reason;
    moved.note_for_proposer = request.note_for_proposer;
    record::updated(conn, author, "proposal", before, &after, moved).await?;
    let trip = if plan.creates_trip() {
        Some(create_trip(conn, author, &after).await?)
    } else {
        None
    };
    Ok(Moved { case: after, trip })
}

/// The TRIP of an adopted case, led by its lead department, with the
/// proposer as partner and the network partners that agreed in step 4 as
/// its supported organizations.
async fn create_trip(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    case: &db::Proposal,
) -> ApiResult<Trip> {
    let lead = case
        .lead_department_id
        .ok_or_else(|| ApiError::internal("adopted without a lead department"))?;
    let trip = trips::insert(
        conn,
        &NewTrip {
            id: Uuid::now_v7(),
            proposal_id: case.id,
            title: case.title.clone(),
            lead_department_id: lead,
            supports_community_activity: case.themes.contains(&Theme::CommunitySupport),
        },
    )
    .await?;
    trips::add_partner(conn, trip.id, case.organization_id).await?;
    let created =
        FeedEvent::case(case.id, EventKind::TripCreated, Visibility::Shared).subject(trip.id);
    record::created(conn, author, "trip", &trip, created).await?;
    crate::desk::network::carry::into_trip(conn, author, &trip).await?;
    Ok(trip)
}

/// The columns a plan sets, and nothing the plan does not say.
fn status_change(plan: &MovePlan) -> StatusChange {
    StatusChange {
        status: Some(plan.to()),
        held_from: match plan.hold() {
            HoldChange::Keep => None,
            HoldChange::Set(step) => Some(Some(step)),
            HoldChange::Clear => Some(None),
        },
        coordination_started_at: plan.coordination_started_at(),
        organizing_at: plan.first_entered(Status::Organizing),
        hearing_at: plan.first_entered(Status::Hearing),
        matching_at: plan.first_entered(Status::Matching),
        logic_model_at: plan.first_entered(Status::LogicModel),
        awaiting_decision_at: plan.first_entered(Status::AwaitingDecision),
        closed_at: plan.closed_at(),
    }
}

fn move_error(error: MoveError, case: &db::Proposal) -> ApiError {
    let current = case.status;
    match error {
        MoveError::ReasonRequired => {
            ApiError::validation("reason", "required", "this move needs a reason")
        }
        MoveError::NotAllowed { ref allowed, .. } => ApiError::Conflict {
            detail: error.to_string(),
            extra: Some(serde_json::json!({ "current_status": current, "allowed_moves": allowed })),
        },
        MoveError::NotReadyForDecision => ApiError::Conflict {
            detail: error.to_string(),
            extra: Some(serde_json::json!({ "current_status": current })),
        },
        MoveError::DecisionOnly { can_decide, .. } => ApiError::Conflict {
            detail: format!(
                "{error}: POST /v1/proposals/{}/decision records it{}",
                case.id,
                if can_decide {
                    ""
                } else {
                    " (the lead department, once the case awaits its decision)"
                }
            ),
            extra: Some(serde_json::json!({
                "current_status": current,
                "decision": format!("/v1/proposals/{}/decision", case.id),
                "can_decide": can_decide,
            })),
        },
    }
}
