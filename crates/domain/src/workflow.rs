//! The desk's six-step workflow (seed 000, 業務フロー) as a table of moves.
//!
//! ```text
//! received → organizing → hearing → matching → logic_model → awaiting_decision → adopted | not_adopted
//! ```
//! plus `declined` (desk, before `awaiting_decision`), `withdrawn` (the
//! proposer, before a decision), `on_hold` and back (desk), and one step
//! back with a reason (desk). Final states are final. The decision belongs
//! to the lead department only: the desk coordinates, it does not decide.

use crate::{Actor, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
            Status::Adopted | Status::NotAdopted | Status::Declined | Status::Withdrawn
        )
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

use Guard::{HeldFrom, None as Free, ReadyForDecision};
use Mover::{Desk, LeadDepartment, Proposer};
use Status::*;

/// Every legal move. Anything not here is refused.
const RULES: &[Rule] = &[
    // Forward, steps 1–5, by the desk.
    rule(Received, Organizing, Desk, false, Free),
    rule(Organizing, Hearing, Desk, false, Free),
    rule(Hearing, Matching, Desk, false, Free),
    rule(Matching, LogicModel, Desk, false, Free),
    rule(LogicModel, AwaitingDecision, Desk, false, ReadyForDecision),
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
    // Step 6: the lead department decides, with a reason.
    rule(AwaitingDecision, Adopted, LeadDepartment, true, Free),
    rule(AwaitingDecision, NotAdopted, LeadDepartment, true, Free),
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

/// The moves `actor` can make on `case` now (guards included).
pub fn allowed_moves(actor: &Actor, case: &CaseFacts) -> Vec<Status> {
    RULES
        .iter()
        .filter(|r| {
            r.from == case.status
                && mover_fits(r.mover, actor, case)
                && guard_holds(r.guard, r.to, case)
        })
        .map(|r| r.to)
        .collect()
}

/// Checks a move. `Ok` means the caller may move `case` to `to` with this reason.
pub fn check_move(
    actor: &Actor,
    case: &CaseFacts,
    to: Status,
    reason: Option<&str>,
) -> Result<(), MoveError> {
    let rule = RULES
        .iter()
        .find(|r| r.from == case.status && r.to == to && mover_fits(r.mover, actor, case));
    let Some(rule) = rule else {
        return Err(MoveError::NotAllowed {
            from: case.status,
            to,
            allowed: allowed_moves(actor, case),
        });
    };
    if !guard_holds(rule.guard, to, case) {
        return Err(match rule.guard {
            Guard::ReadyForDecision => MoveError::NotReadyForDecision,
            _ => MoveError::NotAllowed {
                from: case.status,
                to,
                allowed: allowed_moves(actor, case),
            },
        });
    }
    if rule.reason_required && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(MoveError::ReasonRequired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, organization: Option<Uuid>, department: Option<Uuid>) -> Actor {
        Actor {
            id: Uuid::now_v7(),
            role,
            municipality_id: None,
            department_id: department,
            organization_id: organization,
            is_service_account: false,
        }
    }

    struct World {
        case: CaseFacts,
        desk: Actor,
        proposer: Actor,
        other_partner: Actor,
        lead: Actor,
        support: Actor,
        admin: Actor,
    }

    fn world(status: Status) -> World {
        let org = Uuid::now_v7();
        let lead_department = Uuid::now_v7();
        World {
            case: CaseFacts {
                status,
                held_from: None,
                organization_id: org,
                lead_department_id: Some(lead_department),
                has_shared_logic_model: true,
            },
            desk: actor(Role::Desk, None, None),
            proposer: actor(Role::Partner, Some(org), None),
            other_partner: actor(Role::Partner, Some(Uuid::now_v7()), None),
            lead: actor(Role::Department, None, Some(lead_department)),
            support: actor(Role::Department, None, Some(Uuid::now_v7())),
            admin: actor(Role::Admin, None, None),
        }
    }

    #[test]
    fn the_desk_walks_steps_one_to_five_forward() {
        for pair in STEPS.windows(2) {
            let w = world(pair[0]);
            assert_eq!(
                check_move(&w.desk, &w.case, pair[1], None),
                Ok(()),
                "{} → {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn nobody_but_the_desk_moves_steps() {
        for pair in STEPS.windows(2) {
            let w = world(pair[0]);
            for who in [&w.proposer, &w.other_partner, &w.lead, &w.support, &w.admin] {
                assert!(
                    check_move(who, &w.case, pair[1], Some("because")).is_err(),
                    "{:?} {} → {}",
                    who.role,
                    pair[0],
                    pair[1]
                );
            }
        }
    }

    #[test]
    fn only_the_lead_department_decides() {
        let w = world(AwaitingDecision);
        for outcome in [Adopted, NotAdopted] {
            assert_eq!(
                check_move(&w.lead, &w.case, outcome, Some("予算と効果が見込める")),
                Ok(())
            );
            assert_eq!(
                check_move(&w.lead, &w.case, outcome, None),
                Err(MoveError::ReasonRequired)
            );
            for who in [&w.desk, &w.support, &w.proposer, &w.admin] {
                assert!(
                    matches!(
                        check_move(who, &w.case, outcome, Some("x")),
                        Err(MoveError::NotAllowed { .. })
                    ),
                    "{:?}",
                    who.role
                );
            }
        }
        // Not before the decision step, even for the lead department.
        let early = world(LogicModel);
        assert!(check_move(&early.lead, &early.case, Adopted, Some("x")).is_err());
    }

    #[test]
    fn the_decision_step_needs_a_lead_match_and_a_shared_logic_model() {
        let mut w = world(LogicModel);
        w.case.has_shared_logic_model = false;
        assert_eq!(
            check_move(&w.desk, &w.case, AwaitingDecision, None),
            Err(MoveError::NotReadyForDecision)
        );
        assert!(!allowed_moves(&w.desk, &w.case).contains(&AwaitingDecision));
        w.case.has_shared_logic_model = true;
        w.case.lead_department_id = None;
        assert_eq!(
            check_move(&w.desk, &w.case, AwaitingDecision, None),
            Err(MoveError::NotReadyForDecision)
        );
    }

    #[test]
    fn final_states_are_final() {
        for status in Status::ALL.into_iter().filter(|s| s.is_final()) {
            let w = world(status);
            for who in [&w.desk, &w.proposer, &w.lead, &w.admin] {
                assert!(
                    allowed_moves(who, &w.case).is_empty(),
                    "{status} {:?}",
                    who.role
                );
                for to in Status::ALL {
                    assert!(check_move(who, &w.case, to, Some("x")).is_err());
                }
            }
        }
    }

    #[test]
    fn the_proposer_withdraws_before_a_decision_and_only_its_own_case() {
        for status in [
            Received,
            Organizing,
            Hearing,
            Matching,
            LogicModel,
            AwaitingDecision,
            OnHold,
        ] {
            let w = world(status);
            assert_eq!(
                check_move(&w.proposer, &w.case, Withdrawn, None),
                Ok(()),
                "{status}"
            );
            assert!(check_move(&w.other_partner, &w.case, Withdrawn, None).is_err());
            assert!(
                check_move(&w.desk, &w.case, Withdrawn, None).is_err(),
                "the desk declines, it does not withdraw"
            );
        }
    }

    #[test]
    fn the_desk_declines_with_a_reason_before_the_decision_step() {
        for status in [Received, Organizing, Hearing, Matching, LogicModel] {
            let w = world(status);
            assert_eq!(
                check_move(&w.desk, &w.case, Declined, None),
                Err(MoveError::ReasonRequired)
            );
            assert_eq!(
                check_move(
                    &w.desk,
                    &w.case,
                    Declined,
                    Some("市の優先課題との整合が低い")
                ),
                Ok(())
            );
        }
        let w = world(AwaitingDecision);
        assert!(check_move(&w.desk, &w.case, Declined, Some("x")).is_err());
    }

    #[test]
    fn one_step_back_needs_a_reason_and_two_steps_are_refused() {
        let w = world(Matching);
        assert_eq!(
            check_move(&w.desk, &w.case, Hearing, None),
            Err(MoveError::ReasonRequired)
        );
        assert_eq!(
            check_move(&w.desk, &w.case, Hearing, Some("追加ヒアリング")),
            Ok(())
        );
        assert!(check_move(&w.desk, &w.case, Organizing, Some("x")).is_err());
        assert!(
            check_move(&w.desk, &w.case, AwaitingDecision, None).is_err(),
            "no skipping forward"
        );
    }

    #[test]
    fn hold_resumes_only_to_the_step_it_left() {
        let mut w = world(OnHold);
        w.case.held_from = Some(Hearing);
        assert_eq!(allowed_moves(&w.desk, &w.case), vec![Hearing]);
        assert_eq!(check_move(&w.desk, &w.case, Hearing, None), Ok(()));
        assert!(check_move(&w.desk, &w.case, Matching, None).is_err());
        let w = world(Matching);
        assert_eq!(
            check_move(&w.desk, &w.case, OnHold, None),
            Err(MoveError::ReasonRequired)
        );
    }

    #[test]
    fn refusals_list_what_the_caller_may_do_instead() {
        let w = world(Organizing);
        match check_move(&w.desk, &w.case, Adopted, Some("x")) {
            Err(MoveError::NotAllowed { allowed, .. }) => {
                assert_eq!(allowed, vec![Hearing, Received, Declined, OnHold])
            }
            other => panic!("expected NotAllowed, got {other:?}"),
        }
        match check_move(&w.proposer, &w.case, Hearing, None) {
            Err(MoveError::NotAllowed { allowed, .. }) => assert_eq!(allowed, vec![Withdrawn]),
            other => panic!("expected NotAllowed, got {other:?}"),
        }
    }
}
