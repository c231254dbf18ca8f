//! The workflow's unit tests: the fixtures here, the tests by concern.

use super::*;
use chrono::TimeZone;

mod consequences;
mod doors;
mod table;

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
    analyst: Actor,
}

impl World {
    /// Every caller, named for assertion messages.
    fn everyone(&self) -> [(&'static str, &Actor); 7] {
        [
            ("desk", &self.desk),
            ("proposer", &self.proposer),
            ("other partner", &self.other_partner),
            ("lead department", &self.lead),
            ("support department", &self.support),
            ("admin", &self.admin),
            ("analyst", &self.analyst),
        ]
    }
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
            entered: StepTimes::default(),
            coordination_started_at: None,
        },
        desk: actor(Role::Desk, None, None),
        proposer: actor(Role::Partner, Some(org), None),
        other_partner: actor(Role::Partner, Some(Uuid::now_v7()), None),
        lead: actor(Role::Department, None, Some(lead_department)),
        support: actor(Role::Department, None, Some(Uuid::now_v7())),
        admin: actor(Role::Admin, None, None),
        analyst: actor(Role::Analyst, None, None),
    }
}

/// A world in which `rule` applies: its `from` status, and for a resume
/// the marker of the step it resumes to.
fn world_for(rule: &Rule) -> World {
    let mut w = world(rule.from);
    if rule.from == OnHold {
        w.case.held_from = Some(rule.to);
    }
    w
}

/// The caller who makes `rule`'s move in `w`, and its name in `everyone`.
fn mover_of<'w>(w: &'w World, rule: &Rule) -> (&'static str, &'w Actor) {
    match rule.mover {
        Mover::Desk => ("desk", &w.desk),
        Mover::Proposer => ("proposer", &w.proposer),
        Mover::LeadDepartment => ("lead department", &w.lead),
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 10, 0, 30, 0)
        .single()
        .expect("a valid time")
}

/// A transition, checked only for legality.
fn check_move(
    actor: &Actor,
    case: &CaseFacts,
    to: Status,
    reason: Option<&str>,
) -> Result<(), MoveError> {
    plan_move(actor, case, to, reason, Via::Transition, now()).map(drop)
}

/// A decision, checked only for legality.
fn check_decision(
    actor: &Actor,
    case: &CaseFacts,
    to: Status,
    reason: Option<&str>,
) -> Result<(), MoveError> {
    plan_move(actor, case, to, reason, Via::Decision, now()).map(drop)
}

/// Plans a move through the door it belongs to, with a reason.
fn plan(actor: &Actor, case: &CaseFacts, to: Status, at: DateTime<Utc>) -> MovePlan {
    plan_move(actor, case, to, Some("理由"), Via::of(to), at)
        .unwrap_or_else(|e| panic!("{} → {to}: {e:?}", case.status))
}

/// The case as it stands once `actor` moved it to `to` at `at`.
fn moved(actor: &Actor, case: &mut CaseFacts, to: Status, at: DateTime<Utc>) -> MovePlan {
    let plan = plan(actor, case, to, at);
    plan.apply_to(case);
    plan
}

/// Moves the case when only where it ends matters.
fn walk(actor: &Actor, case: &mut CaseFacts, to: Status, at: DateTime<Utc>) {
    plan(actor, case, to, at).apply_to(case);
}
