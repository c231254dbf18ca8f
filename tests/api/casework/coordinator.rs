//! The coordinator (担当者) of a case: set, changed and cleared by the desk
//! under the case's If-Match, an active desk user of the case's city,
//! mailed when assigned, shown to staff and filterable in the list.

use super::{account, etag, mails, put, second_desk_user};
use crate::harness::{etag_of, json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::identity::UserStatus;
use living_gate_domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn events(app: &TestApp, id: &str, who: Who) -> Vec<String> {
    let events = json(
        app.get(&format!("/v1/proposals/{id}/events"), who).await,
        StatusCode::OK,
    )
    .await;
    events["items"]
        .as_array()
        .or_else(|| events.as_array())
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_desk_assigns_changes_and_clears_the_coordinator_who_is_mailed() {
    let app = TestApp::spawn().await;
    let mut case = app.case().title("居場所づくり").create().await;
    case.request_hearing(Who::Department).await;
    let path = format!("/v1/proposals/{}", case.id);
    let coordinator_path = format!("{path}/coordinator");
    let sato = second_desk_user(&app).await;
    let desk = app.fixtures.account(Who::Desk).id;

    let read = etag(&app, &path).await;
    // Without If-Match: 428; with a stale one (below): 412.
    problem(
        put(
            &app,
            &coordinator_path,
            Who::Desk,
            None,
            &json!({"coordinator_id": sato}),
        )
        .await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    let assigned = put(
        &app,
        &coordinator_path,
        Who::Desk,
        Some(&read),
        &json!({"coordinator_id": sato}),
    )
    .await;
    let new_etag = etag_of(&assigned);
    assert_ne!(
        new_etag, read,
        "the assignment is a new version of the case"
    );
    let assigned = json(assigned, StatusCode::OK).await;
    assert_eq!(assigned["coordinator_id"], json!(sato));
    problem(
        put(
            &app,
            &coordinator_path,
            Who::Desk,
            Some(&read),
            &json!({"coordinator_id": desk}),
        )
        .await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;

    // Sato is told, in Japanese, with the reference.
    let told = mails(&app, "coordinator_assigned", &case.id).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, sato.to_string());
    assert!(told[0].1.contains(&case.reference) && told[0].1.contains("担当者"));

    // Shown to staff, not to the proposer; in the desk's events only.
    let shown = json(app.get(&path, Who::Department).await, StatusCode::OK).await;
    assert_eq!(
        shown["coordinator_id"],
        json!(sato),
        "staff of the case see it"
    );
    let partner = json(app.get(&path, Who::Partner).await, StatusCode::OK).await;
    assert!(partner["coordinator_id"].is_null(), "internal");
    assert!(events(&app, &case.id, Who::Desk)
        .await
        .contains(&"coordinator_changed".to_owned()));
    assert!(!events(&app, &case.id, Who::Partner)
        .await
        .contains(&"coordinator_changed".to_owned()));

    // The list filters by coordinator: an id, or `me`.
    let by_id = json(
        app.get(&format!("/v1/proposals?coordinator={sato}"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&by_id), [case.id.clone()]);
    let mine = json(
        app.get("/v1/proposals?coordinator=me", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        ids(&mine).is_empty(),
        "the fixture desk coordinates nothing yet"
    );
    problem(
        app.get("/v1/proposals?coordinator=somebody", Who::Desk)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // The desk takes it over itself: no mail to itself.
    let changed = json(
        put(
            &app,
            &coordinator_path,
            Who::Desk,
            Some(&new_etag),
            &json!({"coordinator_id": desk}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["coordinator_id"], json!(desk));
    assert_eq!(mails(&app, "coordinator_assigned", &case.id).await.len(), 1);
    let mine = json(
        app.get("/v1/proposals?coordinator=me", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&mine), [case.id.clone()]);

    // Cleared with null; the field is required.
    problem(
        put(&app, &coordinator_path, Who::Desk, Some("*"), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let cleared = json(
        put(
            &app,
            &coordinator_path,
            Who::Desk,
            Some("*"),
            &json!({"coordinator_id": null}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(cleared["coordinator_id"].is_null());
    let mine = json(
        app.get("/v1/proposals?coordinator=me", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert!(ids(&mine).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_is_an_active_desk_user_of_the_cases_city_set_by_its_desk() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let mut case = app.case().create().await;
    case.request_hearing(Who::Department).await;
    let path = format!("/v1/proposals/{}/coordinator", case.id);
    let invited = account(&app, Role::Desk, UserStatus::Invited, f.zama, None).await;
    let not_desk = [
        f.account(Who::Department).id,
        f.account(Who::Partner).id,
        f.account(Who::AyaseDesk).id,
        invited,
        uuid::Uuid::now_v7(),
    ];
    for user in not_desk {
        let refused = problem(
            put(
                &app,
                &path,
                Who::Desk,
                Some("*"),
                &json!({"coordinator_id": user}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(refused["errors"][0]["field"], "coordinator_id", "{user}");
    }
    let body = json!({"coordinator_id": f.account(Who::Desk).id});
    for (who, status) in [
        (Who::Department, StatusCode::FORBIDDEN),
        (Who::Partner, StatusCode::FORBIDDEN),
        (Who::OtherDepartment, StatusCode::NOT_FOUND),
        (Who::AyaseDesk, StatusCode::NOT_FOUND),
        (Who::Analyst, StatusCode::FORBIDDEN),
        (Who::Anonymous, StatusCode::UNAUTHORIZED),
    ] {
        problem(put(&app, &path, who, Some("*"), &body).await, status).await;
    }
    // Ayase's desk gets 404 for Zama's case even naming its own desk user.
    let ayase_own = json!({"coordinator_id": f.account(Who::AyaseDesk).id});
    problem(
        put(&app, &path, Who::AyaseDesk, Some("*"), &ayase_own).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // A closed case has no new coordinator.
    let declined = app.case().to(Status::Declined).await;
    problem(
        put(
            &app,
            &format!("/v1/proposals/{}/coordinator", declined.id),
            Who::Desk,
            Some("*"),
            &body,
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    // Hostile bodies: 422, never 5xx.
    for hostile in [
        json!({"coordinator_id": "not-a-uuid"}),
        json!({"coordinator_id": 12}),
        json!({"coordinator_id": null, "extra": 1}),
        json!([]),
    ] {
        let response = put(&app, &path, Who::Desk, Some("*"), &hostile).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{hostile}"
        );
    }
}
