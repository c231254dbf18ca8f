//! The one function that moves a case, for transitions, the decision and
//! the demo data alike: the domain plans the move, this applies it with its
//! audit row and event in the caller's transaction.

use crate::auth::Caller;
use crate::desk::cases::event;
use crate::http::problem::{ApiError, ApiResult};
use crate::record;
use chrono::{DateTime, Utc};
use living_gate_db::events::{self};
use living_gate_db::proposals::{self as db, StatusChange};
use living_gate_db::AsyncPgConnection;
use living_gate_domain::feed::{EventKind, Visibility};
use living_gate_domain::workflow::{self, CaseFacts, MoveError, Status};

/// Checks and applies a move on a locked case, with its audit row and
/// event, inside the caller's transaction.
pub async fn apply_move(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    before: &db::Proposal,
    to: Status,
    reason: Option<String>,
    note: Option<String>,
) -> ApiResult<db::Proposal> {
    let from = before.status;
    let facts = CaseFacts {
        status: from,
        held_from: before.held_from,
        organization_id: before.organization_id,
        lead_department_id: before.lead_department_id,
        has_shared_logic_model: before.has_shared_logic_model,
    };
    workflow::check_move(&caller.actor, &facts, to, reason.as_deref())
        .map_err(|e| move_error(e, from))?;
    let after = db::change_status(conn, before.id, &status_change(before, to, Utc::now())).await?;
    record::updated(conn, caller, "proposal", before, &after).await?;
    let mut moved = event(
        caller,
        after.id,
        EventKind::StatusChanged,
        Visibility::Shared,
    );
    moved.from_status = Some(from);
    moved.to_status = Some(to);
    moved.reason = reason;
    moved.note_for_proposer = note;
    events::append(conn, moved).await?;
    Ok(after)
}

fn move_error(error: MoveError, current: Status) -> ApiError {
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
    }
}

/// The columns a move sets: the status, the hold marker, and the first
/// entry time of the step (and of internal coordination, and of closing).
fn status_change(before: &db::Proposal, to: Status, now: DateTime<Utc>) -> StatusChange {
    let first = |at: Option<DateTime<Utc>>| if at.is_none() { Some(now) } else { None };
    let from = before.status;
    StatusChange {
        status: Some(to),
        held_from: match (from, to) {
            (_, Status::OnHold) => Some(Some(from)),
            (Status::OnHold, _) => Some(None),
            _ => None,
        },
        coordination_started_at: if to == Status::Hearing {
            first(before.coordination_started_at)
        } else {
            None
        },
        organizing_at: if to == Status::Organizing {
            first(before.organizing_at)
        } else {
            None
        },
        hearing_at: if to == Status::Hearing {
            first(before.hearing_at)
        } else {
            None
        },
        matching_at: if to == Status::Matching {
            first(before.matching_at)
        } else {
            None
        },
        logic_model_at: if to == Status::LogicModel {
            first(before.logic_model_at)
        } else {
            None
        },
        awaiting_decision_at: if to == Status::AwaitingDecision {
            first(before.awaiting_decision_at)
        } else {
            None
        },
        closed_at: if to.is_final() { Some(now) } else { None },
    }
}
