//! The desk's six-step workflow (seed 000, 業務フロー) as a table of moves,
//! and the plan of what a move sets.
//!
//! ```text
//! received → organizing → hearing → matching → logic_model → awaiting_decision → adopted | not_adopted | open_procurement
//! ```
//! plus `declined` (desk, before `awaiting_decision`), `withdrawn` (the
//! proposer, before a decision), `on_hold` and back (desk), and one step
//! back with a reason (desk). Final states are final. The decision belongs
//! to the lead department only: the desk coordinates, it does not decide.
//!
//! # Two doors
//! A move comes through one of two doors ([`Via`]). The decision
//! (`adopted`, `not_adopted`) comes only through [`Via::Decision`], whose
//! applier creates the TRIP in the same transaction; every other move comes
//! only through [`Via::Transition`]. A decision sent as a transition is
//! refused with [`MoveError::DecisionOnly`] whoever sends it, so no case can
//! end `adopted` without its TRIP.
//!
//! # One plan, one applier
//! [`plan_move`] is the only way to get a [`MovePlan`]: it says whether the
//! move is legal and, if it is, everything the move sets (the new status,
//! the hold marker, the first-entry time of the step, the start of internal
//! coordination, `closed_at`). The caller's applier writes exactly that, for
//! transitions, the decision and the demo data alike; see [`MovePlan`].

use crate::{Actor, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod plan;
#[cfg(test)]
mod tests;

pub use plan::{HoldChange, MovePlan, StepTimes};

/// Where a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Step 1, 企業等提案受付.
    Received,
    /// Step 2, 内容整理.
    Organizing,
    /// Step 3, 関係課ヒアリング.
    Hearing,
    /// Step 4, マッチング・調整.
    Matching,
    /// Step 5, 試行ロジックモデル作成.
    LogicModel,
    /// Step 6, 案件化判断: waiting for the lead department.
    AwaitingDecision,
    /// Final: the lead department adopted it (a TRIP follows).
    Adopted,
    /// Final: the lead department decided not to proceed.
    NotAdopted,
    /// Final: the lead department decided the idea is to be carried out
    /// through open, competitive procurement (公募・競争による実施) instead of
    /// with the proposer; no TRIP follows.
    OpenProcurement,
    /// Final: the desk declined it, with a reason for the proposer.
    Declined,
    /// Final: the proposer withdrew it.
    Withdrawn,
    /// Paused by the desk; resumes to the step it left.
    OnHold,
}

pub const STEPS: [Status; 6] = [
    Status::Received,
    Status::Organizing,
    Status::Hearing,
    Status::Matching,
    Status::LogicModel,
    Status::AwaitingDecision,
];

crate::code::codes!(Status {
    Received => "received",
    Organizing => "organizing",
    Hearing => "hearing",
    Matching => "matching",
    LogicModel => "logic_model",
    AwaitingDecision => "awaiting_decision",
    Adopted => "adopted",
    NotAdopted => "not_adopted",
    OpenProcurement => "open_procurement",
    Declined => "declined",
    Withdrawn => "withdrawn",
    OnHold => "on_hold",
});

impl Status {
    /// The status named exactly `raw`.
    pub fn parse(raw: &str) -> Option<Status> {
        crate::code::Code::from_code(raw)
    }

    /// The step number (1–6) of a step status.
    pub fn step(self) -> Option<u8> {
        STEPS
            .iter()
            .position(|s| *s == self)
            .and_then(|i| u8::try_from(i + 1).ok())
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Adopted
                | Status::NotAdopted
                | Status::OpenProcurement
                | Status::Declined
                | Status::Withdrawn
        )
    }

    /// The outcomes of the step-6 decision: reachable through
    /// [`Via::Decision`] only.
    pub const DECISIONS: [Status; 3] =
        [Status::Adopted, Status::NotAdopted, Status::OpenProcurement];

    /// True for `adopted`, `not_adopted` and `open_procurement`, the
    /// outcomes of the decision.
    pub fn is_decision(self) -> bool {
        Status::DECISIONS.contains(&self)
    }
}

/// The door a move comes through. Each door makes its own moves only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Via {
    /// `POST /v1/proposals/{id}/transitions`: every move except the decision.
    Transition,
    /// `POST /v1/proposals/{id}/decision`: `adopted` or `not_adopted` only,
    /// by the lead department, whose applier creates the TRIP with it.
    Decision,
}

impl Via {
    /// The door through which a move to `to` must come.
    pub fn of(to: Status) -> Via {
        if to.is_decision() {
            Via::Decision
        } else {
            Via::Transition
        }
    }
}

/// Who may make a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mover {
    Desk,
    /// A partner user of the case's organization.
    Proposer,
    /// A department user of the case's lead department.
    LeadDepartment,
}

/// What must hold besides the mover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guard {
    None,
    /// An accepted lead-department match and a shared logic model.
    ReadyForDecision,
    /// Only back to the step the case was put on hold from.
    HeldFrom,
}

/// One allowed move.
struct Rule {
    from: Status,
    to: Status,
    mover: Mover,
    reason_required: bool,
    guard: Guard,
}

const fn rule(from: Status, to: Status, mover: Mover, reason_required: bool, guard: Guard) -> Rule {
    Rule {
        from,
        to,
        mover,
        reason_required,
        guard,
    }
}

use Guard::{HeldFrom, None as Free, ReadyForDecision as Ready};
use Mover::{Desk, LeadDepartment, Proposer};
use Status::*;

/// Every legal move. Anything not here is refused.
const RULES: &[Rule] = &[
    // Forward, steps 1–5, by the desk.
    rule(Received, Organizing, Desk, false, Free),
    rule(Organizing, Hearing, Desk, false, Free),
    rule(Hearing, Matching, Desk, false, Free),
    rule(Matching, LogicModel, Desk, false, Free),
    rule(LogicModel, AwaitingDecision, Desk, false, Ready),
    // One step back, by the desk, with a reason.
    rule(Organizing, Received, Desk, true, Free),
    rule(Hearing, Organizing, Desk, true, Free),
    rule(Matching, Hearing, Desk, true, Free),
    rule(LogicModel, Matching, Desk, true, Free),
    rule(AwaitingDecision, LogicModel, Desk, true, Free),
    // Declined by the desk before the decision step, with a reason for the proposer.
    rule(Received, Declined, Desk, true, Free),
    rule(Organizing, Declined, Desk, true, Free),
    rule(Hearing, Declined, Desk, true, Free),
    rule(Matching, Declined, Desk, true, Free),
    rule(LogicModel, Declined, Desk, true, Free),
    // Withdrawn by the proposer at any time before a decision.
    rule(Received, Withdrawn, Proposer, false, Free),
    rule(Organizing, Withdrawn, Proposer, false, Free),
    rule(Hearing, Withdrawn, Proposer, false, Free),
    rule(Matching, Withdrawn, Proposer, false, Free),
    rule(LogicModel, Withdrawn, Proposer, false, Free),
    rule(AwaitingDecision, Withdrawn, Proposer, false, Free),
    rule(OnHold, Withdrawn, Proposer, false, Free),
    // On hold and back, by the desk.
    rule(Received, OnHold, Desk, true, Free),
    rule(Organizing, OnHold, Desk, true, Free),
    rule(Hearing, OnHold, Desk, true, Free),
    rule(Matching, OnHold, Desk, true, Free),
    rule(LogicModel, OnHold, Desk, true, Free),
    rule(AwaitingDecision, OnHold, Desk, true, Free),
    rule(OnHold, Received, Desk, false, HeldFrom),
    rule(OnHold, Organizing, Desk, false, HeldFrom),
    rule(OnHold, Hearing, Desk, false, HeldFrom),
    rule(OnHold, Matching, Desk, false, HeldFrom),
    rule(OnHold, LogicModel, Desk, false, HeldFrom),
    rule(OnHold, AwaitingDecision, Desk, false, HeldFrom),
    // Step 6: the lead department decides, with a reason, through the
    // decision only (`Via::of`), while the case is still ready for it.
    rule(AwaitingDecision, Adopted, LeadDepartment, true, Ready),
    rule(AwaitingDecision, NotAdopted, LeadDepartment, true, Ready),
    rule(
        AwaitingDecision,
        OpenProcurement,
        LeadDepartment,
        true,
        Ready,
    ),
];

/// What the rules need to know about a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub status: Status,
    /// The step an `on_hold` case left.
    pub held_from: Option<Status>,
    pub organization_id: Uuid,
    /// The department of the accepted lead match, once there is one.
    pub lead_department_id: Option<Uuid>,
    pub has_shared_logic_model: bool,
    /// When the case first entered each of steps 2–6 (`None`: never yet).
    /// The plan sets an entry time only the first time, so it needs the
    /// ones already set; read them from the row locked for the move.
    pub entered: StepTimes,
    /// When internal coordination started (KPI 2): the first hearing
    /// request or the first move to `hearing`, whichever came first.
    pub coordination_started_at: Option<DateTime<Utc>>,
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    /// Not a legal move for this caller now; carries the moves that are.
    #[error("{from} → {to} is not a move you can make now")]
    NotAllowed {
        from: Status,
        to: Status,
        allowed: Vec<Status>,
    },
    /// Legal, but needs a reason.
    #[error("this move needs a reason")]
    ReasonRequired,
    /// The decision step needs an accepted lead match and a shared logic model.
    #[error("awaiting_decision needs an accepted lead-department match and a shared logic model")]
    NotReadyForDecision,
    /// `adopted` and `not_adopted` were sent as a transition: they are
    /// recorded through the decision only, which creates the TRIP with them.
    /// `can_decide` tells whether this caller could record the decision now
    /// (so the answer can point to it); the refusal is the same either way.
    #[error("{to} is recorded through the decision, not as a transition")]
    DecisionOnly { to: Status, can_decide: bool },
}

fn mover_fits(mover: Mover, actor: &Actor, case: &CaseFacts) -> bool {
    match mover {
        Mover::Desk => actor.role == Role::Desk,
        Mover::Proposer => {
            actor.role == Role::Partner && actor.organization_id == Some(case.organization_id)
        }
        Mover::LeadDepartment => {
            actor.role == Role::Department
                && actor.department_id.is_some()
                && actor.department_id == case.lead_department_id
        }
    }
}

fn guard_holds(guard: Guard, to: Status, case: &CaseFacts) -> bool {
    match guard {
        Guard::None => true,
        Guard::ReadyForDecision => case.lead_department_id.is_some() && case.has_shared_logic_model,
        Guard::HeldFrom => case.held_from == Some(to),
    }
}

/// The legal moves for `actor` on `case`, for either door.
fn rules_for<'a>(
    actor: &'a Actor,
    case: &'a CaseFacts,
    via: Via,
) -> impl Iterator<Item = &'static Rule> + 'a {
    RULES.iter().filter(move |r| {
        r.from == case.status && Via::of(r.to) == via && mover_fits(r.mover, actor, case)
    })
}

/// The moves `actor` can make on `case` now through `via` (guards
/// included), in the order of the table. For [`Via::Transition`] it never
/// contains `adopted` or `not_adopted`.
pub fn allowed_moves(actor: &Actor, case: &CaseFacts, via: Via) -> Vec<Status> {
    rules_for(actor, case, via)
        .filter(|r| guard_holds(r.guard, r.to, case))
        .map(|r| r.to)
        .collect()
}

/// Whether `actor` could record the step-6 decision on `case` now: the
/// lead department, the case awaiting a decision and still ready for it.
pub fn can_decide(actor: &Actor, case: &CaseFacts) -> bool {
    !allowed_moves(actor, case, Via::Decision).is_empty()
}

/// Plans the move of `case` to `to` by `actor` through `via`, at `now`.
///
/// `Ok` means the move is legal and the plan is everything it sets; the
/// caller applies the plan as it is (see [`MovePlan`]). The refusals, in the
/// order they are checked:
/// - [`MoveError::DecisionOnly`]: a decision outcome sent as a transition,
///   whoever sends it and whatever the status;
/// - [`MoveError::NotAllowed`]: no move from here to `to` through `via` for
///   this caller, or a resume to another step than the one left; `allowed`
///   lists what this caller can do through `via` now;
/// - [`MoveError::NotReadyForDecision`]: `awaiting_decision`, or the
///   decision itself, without an accepted lead match and a shared logic model;
/// - [`MoveError::ReasonRequired`]: the move needs a non-blank reason.
pub fn plan_move(
    actor: &Actor,
    case: &CaseFacts,
    to: Status,
    reason: Option<&str>,
    via: Via,
    now: DateTime<Utc>,
) -> Result<MovePlan, MoveError> {
    if via == Via::Transition && to.is_decision() {
        return Err(MoveError::DecisionOnly {
            to,
            can_decide: can_decide(actor, case),
        });
    }
    let not_allowed = || MoveError::NotAllowed {
        from: case.status,
        to,
        allowed: allowed_moves(actor, case, via),
    };
    let rule = rules_for(actor, case, via)
        .find(|r| r.to == to)
        .ok_or_else(not_allowed)?;
    if !guard_holds(rule.guard, to, case) {
        return Err(match rule.guard {
            Guard::ReadyForDecision => MoveError::NotReadyForDecision,
            Guard::None | Guard::HeldFrom => not_allowed(),
        });
    }
    if rule.reason_required && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(MoveError::ReasonRequired);
    }
    Ok(MovePlan::new(case, to, now))
}
