//! The table of moves, rule by rule, and its guards.

use super::*;

#[test]
fn every_rule_of_the_table_is_open_to_its_mover_and_to_nobody_else() {
    for rule in RULES {
        let w = world_for(rule);
        let (mover, _) = mover_of(&w, rule);
        let via = Via::of(rule.to);
        let label = format!("{} → {} by {mover}", rule.from, rule.to);
        for (name, who) in w.everyone() {
            let with_reason = plan_move(who, &w.case, rule.to, Some("理由"), via, now());
            if name == mover {
                let plan = with_reason.unwrap_or_else(|e| panic!("{label}: {e:?}"));
                assert_eq!((plan.from(), plan.to()), (rule.from, rule.to), "{label}");
                assert!(
                    allowed_moves(who, &w.case, via).contains(&rule.to),
                    "{label}"
                );
                let bare = plan_move(who, &w.case, rule.to, None, via, now());
                if rule.reason_required {
                    assert_eq!(bare, Err(MoveError::ReasonRequired), "{label}");
                } else {
                    assert!(bare.is_ok(), "{label} needs no reason");
                }
            } else {
                assert!(with_reason.is_err(), "{label} refused to {name}");
            }
        }
    }
}

#[test]
fn nothing_outside_the_table_is_ever_planned() {
    for from in Status::ALL {
        for held_from in [None].into_iter().chain(STEPS.map(Some)) {
            let mut w = world(from);
            w.case.held_from = held_from;
            for (name, who) in w.everyone() {
                for to in Status::ALL {
                    for via in [Via::Transition, Via::Decision] {
                        if plan_move(who, &w.case, to, Some("理由"), via, now()).is_ok() {
                            assert!(
                                RULES.iter().any(|r| r.from == from
                                    && r.to == to
                                    && mover_fits(r.mover, who, &w.case)),
                                "{from} → {to} by {name} via {via:?} is not in the table"
                            );
                            assert_eq!(via, Via::of(to), "{from} → {to} through the wrong door");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn a_blank_reason_is_no_reason() {
    let w = world(Matching);
    assert_eq!(
        check_move(&w.desk, &w.case, Hearing, Some("  \n")),
        Err(MoveError::ReasonRequired)
    );
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
        for who in [
            &w.proposer,
            &w.other_partner,
            &w.lead,
            &w.support,
            &w.admin,
            &w.analyst,
        ] {
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
fn final_states_are_final() {
    for status in Status::ALL.into_iter().filter(|s| s.is_final()) {
        let w = world(status);
        for (name, who) in w.everyone() {
            for via in [Via::Transition, Via::Decision] {
                assert!(
                    allowed_moves(who, &w.case, via).is_empty(),
                    "{status} {name}"
                );
                for to in Status::ALL {
                    assert!(plan_move(who, &w.case, to, Some("x"), via, now()).is_err());
                }
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

// Guards.

#[test]
fn the_decision_step_needs_a_lead_match_and_a_shared_logic_model() {
    let mut w = world(LogicModel);
    w.case.has_shared_logic_model = false;
    assert_eq!(
        check_move(&w.desk, &w.case, AwaitingDecision, None),
        Err(MoveError::NotReadyForDecision)
    );
    assert!(!allowed_moves(&w.desk, &w.case, Via::Transition).contains(&AwaitingDecision));
    w.case.has_shared_logic_model = true;
    w.case.lead_department_id = None;
    assert_eq!(
        check_move(&w.desk, &w.case, AwaitingDecision, None),
        Err(MoveError::NotReadyForDecision)
    );
    w.case.lead_department_id = Some(Uuid::now_v7());
    assert_eq!(check_move(&w.desk, &w.case, AwaitingDecision, None), Ok(()));
}

#[test]
fn resuming_from_hold_needs_a_held_step_to_resume_to() {
    let w = world(OnHold);
    assert_eq!(
        allowed_moves(&w.desk, &w.case, Via::Transition),
        Vec::<Status>::new(),
        "no marker, no resume"
    );
    for step in STEPS {
        assert!(matches!(
            check_move(&w.desk, &w.case, step, None),
            Err(MoveError::NotAllowed { .. })
        ));
    }
}

#[test]
fn hold_resumes_only_to_the_step_it_left() {
    for left in STEPS {
        let mut w = world(OnHold);
        w.case.held_from = Some(left);
        assert_eq!(allowed_moves(&w.desk, &w.case, Via::Transition), vec![left]);
        assert_eq!(check_move(&w.desk, &w.case, left, None), Ok(()));
        for other in STEPS.into_iter().filter(|s| *s != left) {
            match check_move(&w.desk, &w.case, other, None) {
                Err(MoveError::NotAllowed { allowed, .. }) => assert_eq!(allowed, vec![left]),
                result => panic!("resume {left} → {other}: {result:?}"),
            }
        }
    }
    let w = world(Matching);
    assert_eq!(
        check_move(&w.desk, &w.case, OnHold, None),
        Err(MoveError::ReasonRequired)
    );
}

#[test]
fn refusals_list_what_the_caller_may_do_instead() {
    let w = world(Organizing);
    match check_move(&w.desk, &w.case, Matching, Some("x")) {
        Err(MoveError::NotAllowed { from, to, allowed }) => {
            assert_eq!((from, to), (Organizing, Matching));
            assert_eq!(allowed, vec![Hearing, Received, Declined, OnHold])
        }
        other => panic!("expected NotAllowed, got {other:?}"),
    }
    match check_move(&w.proposer, &w.case, Hearing, None) {
        Err(MoveError::NotAllowed { allowed, .. }) => assert_eq!(allowed, vec![Withdrawn]),
        other => panic!("expected NotAllowed, got {other:?}"),
    }
}

// Open procurement (公募・競争による実施).

#[test]
fn open_procurement_is_the_lead_departments_decision_from_awaiting_decision_only() {
    let w = world(AwaitingDecision);
    for (name, who) in w.everyone() {
        let planned = plan_move(
            who,
            &w.case,
            OpenProcurement,
            Some("理由"),
            Via::Decision,
            now(),
        );
        assert_eq!(planned.is_ok(), name == "lead department", "{name}");
        assert!(matches!(
            check_move(who, &w.case, OpenProcurement, Some("理由")),
            Err(MoveError::DecisionOnly { .. })
        ));
    }
    assert_eq!(
        check_decision(&w.lead, &w.case, OpenProcurement, None),
        Err(MoveError::ReasonRequired)
    );
    for from in Status::ALL.into_iter().filter(|s| *s != AwaitingDecision) {
        let mut w = world(from);
        w.case.held_from = (from == OnHold).then_some(AwaitingDecision);
        assert!(
            check_decision(&w.lead, &w.case, OpenProcurement, Some("理由")).is_err(),
            "{from}"
        );
    }
}

#[test]
fn open_procurement_needs_a_ready_case_closes_it_and_creates_no_trip() {
    let mut w = world(AwaitingDecision);
    w.case.has_shared_logic_model = false;
    assert_eq!(
        check_decision(&w.lead, &w.case, OpenProcurement, Some("理由")),
        Err(MoveError::NotReadyForDecision)
    );
    w.case.has_shared_logic_model = true;
    let plan = plan_move(
        &w.lead,
        &w.case,
        OpenProcurement,
        Some("理由"),
        Via::Decision,
        now(),
    )
    .expect("the lead department decides");
    assert!(!plan.creates_trip());
    assert_eq!(plan.closed_at(), Some(now()));
    assert!(OpenProcurement.is_final() && OpenProcurement.is_decision());
    assert_eq!(OpenProcurement.step(), None);
}
