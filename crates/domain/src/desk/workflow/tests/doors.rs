//! The two doors: the decision only through `Via::Decision`, nothing else through it.

use super::*;

#[test]
fn via_names_the_door_of_each_status() {
    for to in Status::ALL {
        let expected = if matches!(to, Adopted | NotAdopted | OpenProcurement) {
            Via::Decision
        } else {
            Via::Transition
        };
        assert_eq!(Via::of(to), expected, "{to}");
        assert_eq!(to.is_decision(), expected == Via::Decision, "{to}");
    }
}

#[test]
fn a_decision_sent_as_a_transition_is_refused_for_every_caller_and_status() {
    for status in Status::ALL {
        let mut w = world(status);
        w.case.held_from = (status == OnHold).then_some(AwaitingDecision);
        for (name, who) in w.everyone() {
            let could = name == "lead department" && status == AwaitingDecision;
            for to in Status::DECISIONS {
                for reason in [None, Some("予算と効果が見込める")] {
                    assert_eq!(
                        check_move(who, &w.case, to, reason),
                        Err(MoveError::DecisionOnly {
                            to,
                            can_decide: could
                        }),
                        "{status} → {to} by {name}"
                    );
                }
            }
        }
    }
}

#[test]
fn decision_only_says_whether_the_caller_could_decide_now() {
    let mut w = world(AwaitingDecision);
    assert_eq!(
        check_move(&w.lead, &w.case, Adopted, Some("x")),
        Err(MoveError::DecisionOnly {
            to: Adopted,
            can_decide: true
        })
    );
    w.case.has_shared_logic_model = false;
    assert_eq!(
        check_move(&w.lead, &w.case, Adopted, Some("x")),
        Err(MoveError::DecisionOnly {
            to: Adopted,
            can_decide: false
        }),
        "not ready: it could not decide now"
    );
}

#[test]
fn only_the_lead_department_decides() {
    let w = world(AwaitingDecision);
    for outcome in Status::DECISIONS {
        assert_eq!(
            check_decision(&w.lead, &w.case, outcome, Some("予算と効果が見込める")),
            Ok(())
        );
        assert_eq!(
            check_decision(&w.lead, &w.case, outcome, None),
            Err(MoveError::ReasonRequired)
        );
        for (name, who) in w.everyone() {
            if name == "lead department" {
                continue;
            }
            assert_eq!(
                check_decision(who, &w.case, outcome, Some("x")),
                Err(MoveError::NotAllowed {
                    from: AwaitingDecision,
                    to: outcome,
                    allowed: vec![]
                }),
                "{name}"
            );
        }
    }
}

#[test]
fn the_decision_waits_for_the_decision_step() {
    for status in Status::ALL.into_iter().filter(|s| *s != AwaitingDecision) {
        let mut w = world(status);
        w.case.held_from = (status == OnHold).then_some(AwaitingDecision);
        for outcome in Status::DECISIONS {
            assert_eq!(
                check_decision(&w.lead, &w.case, outcome, Some("x")),
                Err(MoveError::NotAllowed {
                    from: status,
                    to: outcome,
                    allowed: vec![]
                }),
                "{status}"
            );
        }
        assert!(!can_decide(&w.lead, &w.case), "{status}");
    }
}

#[test]
fn the_decision_needs_the_case_still_ready() {
    let mut w = world(AwaitingDecision);
    w.case.has_shared_logic_model = false;
    for outcome in Status::DECISIONS {
        assert_eq!(
            check_decision(&w.lead, &w.case, outcome, Some("x")),
            Err(MoveError::NotReadyForDecision)
        );
    }
    assert!(allowed_moves(&w.lead, &w.case, Via::Decision).is_empty());
    assert!(!can_decide(&w.lead, &w.case));
}

#[test]
fn a_department_without_a_lead_match_never_decides() {
    let mut w = world(AwaitingDecision);
    w.case.lead_department_id = None;
    let nobody = actor(Role::Department, None, None);
    for who in [&w.lead, &w.support, &nobody] {
        assert!(!can_decide(who, &w.case));
        assert!(check_decision(who, &w.case, Adopted, Some("x")).is_err());
    }
}

#[test]
fn the_decision_door_makes_decisions_only() {
    let w = world(AwaitingDecision);
    for to in Status::ALL.into_iter().filter(|s| !s.is_decision()) {
        for (name, who) in w.everyone() {
            match check_decision(who, &w.case, to, Some("x")) {
                Err(MoveError::NotAllowed { allowed, .. }) => {
                    let expected = if name == "lead department" {
                        Status::DECISIONS.to_vec()
                    } else {
                        vec![]
                    };
                    assert_eq!(allowed, expected, "{to} by {name}");
                }
                other => panic!("{to} by {name} through the decision: {other:?}"),
            }
        }
    }
    assert_eq!(
        allowed_moves(&w.lead, &w.case, Via::Decision),
        vec![Adopted, NotAdopted, OpenProcurement]
    );
    assert!(can_decide(&w.lead, &w.case));
}

#[test]
fn a_transition_never_offers_a_decision() {
    for status in Status::ALL {
        for held_from in [None].into_iter().chain(STEPS.map(Some)) {
            let mut w = world(status);
            w.case.held_from = held_from;
            for (name, who) in w.everyone() {
                let allowed = allowed_moves(who, &w.case, Via::Transition);
                assert!(
                    !allowed.iter().any(|s| s.is_decision()),
                    "{status} {name}: {allowed:?}"
                );
                for to in Status::ALL {
                    if let Err(MoveError::NotAllowed { allowed, .. }) =
                        check_move(who, &w.case, to, Some("x"))
                    {
                        assert!(
                            !allowed.iter().any(|s| s.is_decision()),
                            "{status} → {to} {name}: {allowed:?}"
                        );
                    }
                }
            }
        }
    }
    // The lead department at the decision step: nothing to transition to.
    let w = world(AwaitingDecision);
    assert!(allowed_moves(&w.lead, &w.case, Via::Transition).is_empty());
}
