//! What a legal move sets: hold marker, first-entry times, coordination, closing.

use super::*;

use chrono::Duration;

#[test]
fn the_plan_names_the_move() {
    let w = world(Hearing);
    let plan = plan(&w.desk, &w.case, Matching, now());
    assert_eq!((plan.from(), plan.to()), (Hearing, Matching));
}

#[test]
fn on_hold_remembers_the_step_left_and_leaving_it_clears_the_marker() {
    for step in STEPS {
        let mut w = world(step);
        let held = moved(&w.desk, &mut w.case, OnHold, now());
        assert_eq!(held.hold(), HoldChange::Set(step), "{step}");
        assert_eq!(w.case.held_from, Some(step));
        let resumed = moved(&w.desk, &mut w.case, step, now());
        assert_eq!(resumed.hold(), HoldChange::Clear, "{step}");
        assert_eq!((w.case.status, w.case.held_from), (step, None));
    }
    let mut w = world(OnHold);
    w.case.held_from = Some(Matching);
    let withdrawn = plan(&w.proposer, &w.case, Withdrawn, now());
    assert_eq!(withdrawn.hold(), HoldChange::Clear);
}

#[test]
fn other_moves_keep_the_hold_marker() {
    for rule in RULES.iter().filter(|r| r.from != OnHold && r.to != OnHold) {
        let w = world_for(rule);
        let (_, who) = mover_of(&w, rule);
        assert_eq!(
            plan(who, &w.case, rule.to, now()).hold(),
            HoldChange::Keep,
            "{} → {}",
            rule.from,
            rule.to
        );
    }
}

#[test]
fn each_step_records_its_first_entry() {
    for pair in STEPS.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let w = world(from);
        let plan = plan(&w.desk, &w.case, to, now());
        assert_eq!(plan.step_entered_at(), Some(now()), "{to}");
        for step in StepTimes::RECORDED {
            let expected = (step == to).then_some(now());
            assert_eq!(plan.first_entered(step), expected, "{from} → {to}: {step}");
        }
    }
}

#[test]
fn a_step_entered_before_keeps_its_first_entry_time() {
    let start = now();
    let day = |n: i64| start + Duration::days(n);
    let w = world(Received);
    let desk = &w.desk;
    let mut case = w.case.clone();
    for (n, to) in (1..).zip([Organizing, Hearing, Matching, LogicModel, AwaitingDecision]) {
        walk(desk, &mut case, to, day(n));
    }
    let first = case.entered;
    assert_eq!(
        StepTimes::RECORDED.map(|s| first.get(s)),
        [1, 2, 3, 4, 5].map(|n| Some(day(n)))
    );
    // Two steps back and forward again, then on hold and resumed: no
    // entry time moves.
    for to in [LogicModel, Matching, LogicModel, AwaitingDecision] {
        let plan = moved(desk, &mut case, to, day(10));
        assert_eq!(plan.step_entered_at(), None, "{to} again");
        assert_eq!(plan.first_entered(to), None, "{to} again");
    }
    walk(desk, &mut case, OnHold, day(11));
    let resumed = moved(desk, &mut case, AwaitingDecision, day(12));
    assert_eq!(resumed.step_entered_at(), None);
    assert_eq!(case.entered, first);
}

#[test]
fn receipt_hold_and_final_states_record_no_step_entry() {
    let w = world(Organizing);
    for to in [Received, OnHold, Declined] {
        let plan = plan(&w.desk, &w.case, to, now());
        assert_eq!(plan.step_entered_at(), None, "{to}");
        assert!(StepTimes::RECORDED
            .iter()
            .all(|s| plan.first_entered(*s).is_none()));
    }
    assert_eq!(
        plan(&w.proposer, &w.case, Withdrawn, now()).step_entered_at(),
        None
    );
    let w = world(AwaitingDecision);
    for outcome in Status::DECISIONS {
        assert_eq!(
            plan(&w.lead, &w.case, outcome, now()).step_entered_at(),
            None
        );
    }
    assert_eq!(StepTimes::default().get(Received), None);
}

#[test]
fn coordination_starts_on_the_first_entry_into_hearing_only() {
    let mut w = world(Organizing);
    let first = moved(&w.desk, &mut w.case, Hearing, now());
    assert_eq!(first.coordination_started_at(), Some(now()));
    assert_eq!(w.case.coordination_started_at, Some(now()));
    let later = now() + Duration::days(3);
    walk(&w.desk, &mut w.case, Organizing, later);
    let again = moved(&w.desk, &mut w.case, Hearing, later);
    assert_eq!(again.coordination_started_at(), None);
    assert_eq!(w.case.coordination_started_at, Some(now()));
}

#[test]
fn a_hearing_request_before_the_step_keeps_its_coordination_start() {
    let mut w = world(Organizing);
    let requested = now() - Duration::days(2);
    w.case.coordination_started_at = Some(requested);
    let plan = moved(&w.desk, &mut w.case, Hearing, now());
    assert_eq!(plan.coordination_started_at(), None);
    assert_eq!(
        plan.first_entered(Hearing),
        Some(now()),
        "the step is still new"
    );
    assert_eq!(w.case.coordination_started_at, Some(requested));
}

#[test]
fn no_other_move_starts_coordination() {
    for rule in RULES.iter().filter(|r| r.to != Hearing) {
        let w = world_for(rule);
        let (_, who) = mover_of(&w, rule);
        assert_eq!(
            plan(who, &w.case, rule.to, now()).coordination_started_at(),
            None,
            "{} → {}",
            rule.from,
            rule.to
        );
    }
}

#[test]
fn every_final_move_closes_the_case_and_no_other_does() {
    for rule in RULES {
        let w = world_for(rule);
        let (_, who) = mover_of(&w, rule);
        let plan = plan(who, &w.case, rule.to, now());
        assert_eq!(
            plan.closed_at(),
            rule.to.is_final().then_some(now()),
            "{} → {}",
            rule.from,
            rule.to
        );
        assert_eq!(plan.creates_trip(), rule.to == Adopted);
    }
    // Each final state is reached by at least one rule.
    for status in Status::ALL.into_iter().filter(|s| s.is_final()) {
        assert!(RULES.iter().any(|r| r.to == status), "{status}");
    }
}

#[test]
fn applying_a_plan_leaves_the_facts_the_row_will_have() {
    let mut w = world(Received);
    let before = w.case.clone();
    let plan = moved(&w.desk, &mut w.case, Organizing, now());
    assert_eq!(
        w.case,
        CaseFacts {
            status: Organizing,
            entered: StepTimes {
                organizing: Some(now()),
                ..StepTimes::default()
            },
            ..before
        }
    );
    assert_eq!(plan.closed_at(), None);
}
