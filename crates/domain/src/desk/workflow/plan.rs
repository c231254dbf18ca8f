//! What a legal move sets: the consequences of a move, decided here once so
//! that every caller (transitions, the decision, the demo data) writes the
//! same thing.
//!
//! The first-entry rule ("a step's entry time is set the first time the case
//! enters it, never again") is decided from the times already set, which
//! [`CaseFacts::entered`] carries, rather than left to a `COALESCE` in the
//! update. That keeps the whole rule here and unit-tested; it makes the plan
//! the exact list of values written, so the applier is a plain mapping with
//! no rule of its own, the audit row and the event can say what changed, and
//! the demo data can replay a history with past times; and it stays true if
//! the step times move to a table of step entries (insert a row when
//! [`MovePlan::first_entered`] is `Some`). It is race-free because the
//! applier reads the facts from the row it has locked for the move
//! (`SELECT … FOR UPDATE`) in the same transaction.

use super::{CaseFacts, Status};
use chrono::{DateTime, Utc};

/// When a case first entered each step that records it: steps 2–6.
/// (Step 1's time is the case's `received_at`, set when it is created; no
/// move sets it.) `None`: the case has not entered that step yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepTimes {
    pub organizing: Option<DateTime<Utc>>,
    pub hearing: Option<DateTime<Utc>>,
    pub matching: Option<DateTime<Utc>>,
    pub logic_model: Option<DateTime<Utc>>,
    pub awaiting_decision: Option<DateTime<Utc>>,
}

impl StepTimes {
    /// The steps whose first entry is recorded, in order.
    pub const RECORDED: [Status; 5] = [
        Status::Organizing,
        Status::Hearing,
        Status::Matching,
        Status::LogicModel,
        Status::AwaitingDecision,
    ];

    /// When the case first entered `step`; `None` if it has not, or if
    /// `step` is not one of [`StepTimes::RECORDED`].
    pub fn get(&self, step: Status) -> Option<DateTime<Utc>> {
        self.slot(step).copied().flatten()
    }

    fn slot(&self, step: Status) -> Option<&Option<DateTime<Utc>>> {
        match step {
            Status::Organizing => Some(&self.organizing),
            Status::Hearing => Some(&self.hearing),
            Status::Matching => Some(&self.matching),
            Status::LogicModel => Some(&self.logic_model),
            Status::AwaitingDecision => Some(&self.awaiting_decision),
            _ => None,
        }
    }

    fn slot_mut(&mut self, step: Status) -> Option<&mut Option<DateTime<Utc>>> {
        match step {
            Status::Organizing => Some(&mut self.organizing),
            Status::Hearing => Some(&mut self.hearing),
            Status::Matching => Some(&mut self.matching),
            Status::LogicModel => Some(&mut self.logic_model),
            Status::AwaitingDecision => Some(&mut self.awaiting_decision),
            _ => None,
        }
    }
}

/// What a move does to the hold marker (`held_from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldChange {
    /// Leave it as it is (the move neither enters nor leaves `on_hold`).
    Keep,
    /// Entering `on_hold`: remember the step left, the only one to resume to.
    Set(Status),
    /// Leaving `on_hold` (resumed or withdrawn): clear it.
    Clear,
}

/// Everything a legal move sets. Only [`plan_move`](super::plan_move) makes
/// one, so a plan that exists is legal for the facts it was planned from.
///
/// Apply it as it is, inside the transaction that locked the case, with the
/// audit row and the event of the move; a field that is `None` is left
/// untouched (never written as `NULL`), except the hold marker, which
/// [`HoldChange`] spells out. With the current columns:
///
/// ```text
/// StatusChange {
///     status: Some(plan.to()),
///     held_from: match plan.hold() {
///         HoldChange::Keep => None,
///         HoldChange::Set(step) => Some(Some(step)),
///         HoldChange::Clear => Some(None),
///     },
///     coordination_started_at: plan.coordination_started_at(),
///     organizing_at: plan.first_entered(Status::Organizing),
///     hearing_at: plan.first_entered(Status::Hearing),
///     matching_at: plan.first_entered(Status::Matching),
///     logic_model_at: plan.first_entered(Status::LogicModel),
///     awaiting_decision_at: plan.first_entered(Status::AwaitingDecision),
///     closed_at: plan.closed_at(),
/// }
/// ```
/// and, when [`MovePlan::creates_trip`], the TRIP in the same transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a plan does nothing until it is applied"]
pub struct MovePlan {
    from: Status,
    to: Status,
    hold: HoldChange,
    step_entered_at: Option<DateTime<Utc>>,
    coordination_started_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

impl MovePlan {
    /// The consequences of the (already checked) move of `case` to `to`.
    pub(super) fn new(case: &CaseFacts, to: Status, now: DateTime<Utc>) -> MovePlan {
        let from = case.status;
        let hold = if to == Status::OnHold {
            HoldChange::Set(from)
        } else if from == Status::OnHold {
            HoldChange::Clear
        } else {
            HoldChange::Keep
        };
        let first_entry = matches!(case.entered.slot(to), Some(None));
        let starts_coordination = to == Status::Hearing && case.coordination_started_at.is_none();
        MovePlan {
            from,
            to,
            hold,
            step_entered_at: first_entry.then_some(now),
            coordination_started_at: starts_coordination.then_some(now),
            closed_at: to.is_final().then_some(now),
        }
    }

    /// The status the case leaves (for the event's `from_status`).
    pub fn from(&self) -> Status {
        self.from
    }

    /// The new status.
    pub fn to(&self) -> Status {
        self.to
    }

    /// What happens to the hold marker.
    pub fn hold(&self) -> HoldChange {
        self.hold
    }

    /// The time to record as the case's first entry into `to`, if this move
    /// is that first entry (only for [`StepTimes::RECORDED`] steps).
    pub fn step_entered_at(&self) -> Option<DateTime<Utc>> {
        self.step_entered_at
    }

    /// The first-entry time to write for `step`: `Some` only for the step
    /// this move enters, and only the first time. One call per column.
    pub fn first_entered(&self, step: Status) -> Option<DateTime<Utc>> {
        self.step_entered_at.filter(|_| step == self.to)
    }

    /// Set when this move starts internal coordination (KPI 2): the first
    /// entry into `hearing` of a case whose coordination had not started.
    pub fn coordination_started_at(&self) -> Option<DateTime<Utc>> {
        self.coordination_started_at
    }

    /// Set when the move is final (`adopted`, `not_adopted`, `declined`,
    /// `withdrawn`).
    pub fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.closed_at
    }

    /// True for `adopted`: the applier creates the case's TRIP in the same
    /// transaction (only the decision can plan this move).
    pub fn creates_trip(&self) -> bool {
        self.to == Status::Adopted
    }

    /// The facts of `case` once this plan is applied: what the applier's
    /// write leaves in the row, for replaying several moves in memory (the
    /// demo data, tests).
    pub fn apply_to(&self, case: &mut CaseFacts) {
        case.status = self.to;
        match self.hold {
            HoldChange::Keep => {}
            HoldChange::Set(step) => case.held_from = Some(step),
            HoldChange::Clear => case.held_from = None,
        }
        if let (Some(at), Some(slot)) = (self.step_entered_at, case.entered.slot_mut(self.to)) {
            *slot = Some(at);
        }
        if let Some(at) = self.coordination_started_at {
            case.coordination_started_at = Some(at);
        }
    }
}
