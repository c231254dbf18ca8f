//! Due dates of a hearing's answer and of the decision, and the one
//! reminder (`due_date_passed`) each gets once its day is over in Japan.
//! The reminder run is called with the instant it runs at, so the tests
//! put it before and after midnight in Tokyo.

use super::{etag, mails, put, second_desk_user};
use crate::harness::{etag_of, json, problem, TestApp, Who};
use chrono::{DateTime, Utc};
use living_gate_api::notify::reminders::run_once;
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::json;

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("instant")
        .with_timezone(&Utc)
}

async fn run(app: &TestApp, now: &str) -> usize {
    let mut conn = app.conn().await;
    run_once(&mut conn, at(now)).await.expect("reminder run")
}

/// The users a `due_date_passed` mail of the case went to, sorted.
async fn reminded(app: &TestApp, case: &str) -> Vec<String> {
    mails(app, "due_date_passed", case)
        .await
        .into_iter()
        .map(|(user, _)| user)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hearing_past_its_due_date_is_reminded_of_once_per_due_date() {
    let app = TestApp::spawn().await;
    let mut case = app.case().title("居場所づくり").create().await;
    let hearing = case.request_hearing(Who::Department).await;
    let answered = case.request_hearing(Who::OtherDepartment).await;
    let path = format!("/v1/hearings/{hearing}");
    let read = etag(&app, &path).await;
    let set = put(
        &app,
        &format!("{path}/due-date"),
        Who::Desk,
        Some(&read),
        &json!({"due_on": "2026-06-10"}),
    )
    .await;
    let set_etag = etag_of(&set);
    let set = json(set, StatusCode::OK).await;
    assert_eq!(set["answer_due_on"], "2026-06-10");
    // The department sees its due date.
    let seen = json(app.get(&path, Who::Department).await, StatusCode::OK).await;
    assert_eq!(seen["answer_due_on"], "2026-06-10");
    // The other department's hearing is due too, but gets answered.
    json(
        put(
            &app,
            &format!("/v1/hearings/{answered}/due-date"),
            Who::Desk,
            Some("*"),
            &json!({"due_on": "2026-06-10"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    case.answer_hearing(Who::OtherDepartment).await;

    // 23:59:59 in Tokyo on the due date: not passed.
    assert_eq!(run(&app, "2026-06-10T14:59:59Z").await, 0);
    assert!(reminded(&app, &case.id).await.is_empty());
    // Midnight in Tokyo: the department asked and (no coordinator) the desk.
    assert!(run(&app, "2026-06-10T15:00:00Z").await >= 2);
    let mut expected = vec![
        app.fixtures.account(Who::Department).id.to_string(),
        app.fixtures.account(Who::Desk).id.to_string(),
    ];
    expected.sort();
    assert_eq!(reminded(&app, &case.id).await, expected);
    let subjects = mails(&app, "due_date_passed", &case.id).await;
    assert!(subjects
        .iter()
        .all(|(_, s)| s.contains(&case.reference) && s.contains("回答期限")));
    // Once: later runs send nothing more, and nothing for the answered one.
    assert_eq!(run(&app, "2026-06-11T03:00:00Z").await, 0);
    assert_eq!(run(&app, "2026-07-01T03:00:00Z").await, 0);
    assert_eq!(reminded(&app, &case.id).await.len(), 2);

    // A new due date re-arms it; the old ETag is stale.
    problem(
        put(
            &app,
            &format!("{path}/due-date"),
            Who::Desk,
            Some(&read),
            &json!({"due_on": "2026-06-20"}),
        )
        .await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    json(
        put(
            &app,
            &format!("{path}/due-date"),
            Who::Desk,
            Some(&set_etag),
            &json!({"due_on": "2026-06-20"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(run(&app, "2026-06-20T12:00:00Z").await, 0, "not yet passed");
    assert_eq!(run(&app, "2026-06-21T00:00:00Z").await, 2);
    assert_eq!(reminded(&app, &case.id).await.len(), 4);

    // Answered, it is reminded of no more even with a new date.
    case.answer_hearing(Who::Department).await;
    problem(
        put(
            &app,
            &format!("{path}/due-date"),
            Who::Desk,
            Some("*"),
            &json!({"due_on": "2026-06-25"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(run(&app, "2026-08-01T00:00:00Z").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_decision_past_its_due_date_reminds_the_lead_department_and_the_coordinator() {
    let app = TestApp::spawn().await;
    let case = app.case().to(Status::AwaitingDecision).await;
    let path = format!("/v1/proposals/{}", case.id);
    let sato = second_desk_user(&app).await;
    json(
        put(
            &app,
            &format!("{path}/coordinator"),
            Who::Desk,
            Some(&etag(&app, &path).await),
            &json!({"coordinator_id": sato}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let due = json(
        put(
            &app,
            &format!("{path}/decision-due-date"),
            Who::Desk,
            Some(&etag(&app, &path).await),
            &json!({"due_on": "2026-06-10"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(due["decision_due_on"], "2026-06-10");
    let partner = json(app.get(&path, Who::Partner).await, StatusCode::OK).await;
    assert!(partner["decision_due_on"].is_null(), "internal");
    // A decided case with a passed due date is reminded of nothing.
    let decided = app.case().to(Status::Adopted).await;
    json(
        put(
            &app,
            &format!("/v1/proposals/{}/decision-due-date", decided.id),
            Who::Desk,
            Some("*"),
            &json!({"due_on": "2026-06-10"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    assert_eq!(run(&app, "2026-06-10T14:00:00Z").await, 0);
    assert_eq!(run(&app, "2026-06-10T15:00:00Z").await, 2);
    let mut expected = vec![
        app.fixtures.account(Who::Department).id.to_string(),
        sato.to_string(),
    ];
    expected.sort();
    assert_eq!(
        reminded(&app, &case.id).await,
        expected,
        "the lead and the coordinator, not the desk"
    );
    assert!(mails(&app, "due_date_passed", &case.id)
        .await
        .iter()
        .all(|(_, s)| s.contains("案件化判断の期限")));
    assert_eq!(run(&app, "2026-06-12T15:00:00Z").await, 0, "once");
    // Cleared: nothing is due.
    json(
        put(
            &app,
            &format!("{path}/decision-due-date"),
            Who::Desk,
            Some("*"),
            &json!({"due_on": null}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(run(&app, "2026-09-01T00:00:00Z").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_at_once_remind_once() {
    let app = TestApp::spawn().await;
    let mut case = app.case().create().await;
    let hearing = case.request_hearing(Who::Department).await;
    json(
        put(
            &app,
            &format!("/v1/hearings/{hearing}/due-date"),
            Who::Desk,
            Some("*"),
            &json!({"due_on": "2026-06-10"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let (a, b) = tokio::join!(
        run(&app, "2026-06-11T00:00:00Z"),
        run(&app, "2026-06-11T00:00:00Z")
    );
    assert_eq!(a + b, 2, "{a} + {b}");
    assert_eq!(reminded(&app, &case.id).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn due_dates_are_the_desks_and_refuse_what_cannot_be_a_day() {
    let app = TestApp::spawn().await;
    let mut case = app.case().create().await;
    let hearing = case.request_hearing(Who::Department).await;
    let other = case.request_hearing(Who::OtherDepartment).await;
    let decision = format!("/v1/proposals/{}/decision-due-date", case.id);
    let hearing_due = format!("/v1/hearings/{hearing}/due-date");
    let body = json!({"due_on": "2026-07-31"});
    for (who, status) in [
        (Who::Department, StatusCode::FORBIDDEN),
        (Who::Partner, StatusCode::FORBIDDEN),
        (Who::AyaseDesk, StatusCode::NOT_FOUND),
        (Who::AyaseDepartment, StatusCode::NOT_FOUND),
        (Who::OtherPartner, StatusCode::NOT_FOUND),
        (Who::Admin, StatusCode::FORBIDDEN),
    ] {
        problem(put(&app, &decision, who, Some("*"), &body).await, status).await;
        problem(put(&app, &hearing_due, who, Some("*"), &body).await, status).await;
    }
    // Another department's hearing is not this department's business.
    problem(
        put(
            &app,
            &format!("/v1/hearings/{other}/due-date"),
            Who::Department,
            Some("*"),
            &body,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        put(&app, &hearing_due, Who::Desk, None, &body).await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    for hostile in [
        json!({}),
        json!({"due_on": "2026-02-30"}),
        json!({"due_on": "1899-12-31"}),
        json!({"due_on": "+99999-01-01"}),
        json!({"due_on": "2026-07-31\u{0}"}),
        json!({"due_on": 20260731}),
    ] {
        for path in [&decision, &hearing_due] {
            let response = put(&app, path, Who::Desk, Some("*"), &hostile).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {hostile}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_desk_hears_when_the_coordinator_is_no_longer_active() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn().await;
    let mut case = app.case().create().await;
    let hearing = case.request_hearing(Who::Department).await;
    let sato = second_desk_user(&app).await;
    let path = format!("/v1/proposals/{}", case.id);
    json(
        put(
            &app,
            &format!("{path}/coordinator"),
            Who::Desk,
            Some(&etag(&app, &path).await),
            &json!({"coordinator_id": sato}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    json(
        put(
            &app,
            &format!("/v1/hearings/{hearing}/due-date"),
            Who::Desk,
            Some("*"),
            &json!({"due_on": "2026-06-10"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    diesel::sql_query(format!(
        "UPDATE users SET status = 'disabled' WHERE id = '{sato}'"
    ))
    .execute(&mut app.conn().await)
    .await
    .expect("disable");
    assert_eq!(run(&app, "2026-06-11T00:00:00Z").await, 2);
    let mut expected = vec![
        app.fixtures.account(Who::Department).id.to_string(),
        app.fixtures.account(Who::Desk).id.to_string(),
    ];
    expected.sort();
    assert_eq!(reminded(&app, &case.id).await, expected);
}
