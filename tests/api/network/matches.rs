//! Network matches: proposed by the desk in step 4, the organization's
//! answer recorded by the desk, carried into the TRIP on adoption.

use super::{answer, entry, propose, proposed, today};
use crate::harness::{json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn an_npo_accepted_in_step_4_is_on_the_trip_after_the_decision_and_a_declined_one_is_not() {
    let app = TestApp::spawn().await;
    let mut case = app.case().to(Status::Matching).await;
    let accepted = entry(&app, "NPO法人ざま子ども食堂ネット", json!({})).await;
    let declined = entry(
        &app,
        "相模が丘の見守り隊",
        json!({"legal_form": "voluntary_group"}),
    )
    .await;
    let yes = proposed(&app, &case.id, &accepted).await;
    let no = proposed(&app, &case.id, &declined).await;

    let answered = json(
        answer(&app, &yes, "accept", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answered["status"], "accepted");
    assert_eq!(answered["answered_on"], today());
    assert_eq!(answered["answered_via"], "phone");
    assert_eq!(answered["answer_note"], "代表が電話で回答");
    assert_eq!(answered["resource_name"], "NPO法人ざま子ども食堂ネット");
    assert!(answered["recorded_at"].is_string());
    let refused = app
        .post(
            &format!("/v1/network-matches/{no}/decline"),
            Who::Desk,
            &json!({"answered_on": today(), "via": "email"}),
        )
        .await;
    let refused = json(refused, StatusCode::OK).await;
    assert_eq!(
        (refused["status"].as_str(), refused["answer_note"].is_null()),
        (Some("declined"), true)
    );

    // The desk and the department involved read them; the proposer does not.
    let path = format!("/v1/proposals/{}/network-matches", case.id);
    for who in [Who::Desk, Who::Department] {
        let listed = json(app.get(&path, who).await, StatusCode::OK).await;
        let statuses: Vec<&str> = listed
            .as_array()
            .expect("list")
            .iter()
            .map(|m| m["status"].as_str().expect("status"))
            .collect();
        assert_eq!(statuses, ["accepted", "declined"], "{who:?}");
    }
    problem(app.get(&path, Who::Partner).await, StatusCode::FORBIDDEN).await;

    // Adoption carries the accepted partner into the TRIP, not the declined one.
    case.to(Status::Adopted).await;
    let trip = case.trip_id();
    let supported = format!("/v1/trips/{trip}/supported-resources");
    for who in [Who::Desk, Who::Department, Who::Partner] {
        let on_trip = json(app.get(&supported, who).await, StatusCode::OK).await;
        assert_eq!(
            on_trip["resource_ids"],
            json!([accepted]),
            "{who:?}: {on_trip}"
        );
        assert_eq!(
            on_trip["organizations"][0]["name"],
            "NPO法人ざま子ども食堂ネット"
        );
    }
    for who in [Who::OtherDepartment, Who::OtherPartner, Who::AyaseDesk] {
        problem(app.get(&supported, who).await, StatusCode::NOT_FOUND).await;
    }
    problem(
        app.get(&supported, Who::Analyst).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The feed: internal events for the desk and the department, none for the proposer.
    let kinds = |events: serde_json::Value| -> Vec<String> {
        events["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["kind"].as_str().expect("kind").to_owned())
            .collect()
    };
    let timeline = format!("/v1/proposals/{}/events", case.id);
    let desk = kinds(json(app.get(&timeline, Who::Desk).await, StatusCode::OK).await);
    for kind in [
        "network_match_proposed",
        "network_match_accepted",
        "network_match_declined",
        "trip_supported_resources_replaced",
    ] {
        assert!(desk.iter().any(|k| k == kind), "{kind} in {desk:?}");
    }
    let department = kinds(json(app.get(&timeline, Who::Department).await, StatusCode::OK).await);
    assert!(
        department.iter().any(|k| k == "network_match_accepted"),
        "{department:?}"
    );
    let partner = kinds(json(app.get(&timeline, Who::Partner).await, StatusCode::OK).await);
    assert!(
        !partner
            .iter()
            .any(|k| k.starts_with("network_match") || k == "trip_supported_resources_replaced"),
        "{partner:?}"
    );

    // After the decision nothing more is proposed or answered.
    let other = entry(&app, "遅れて来た会", json!({})).await;
    problem(
        propose(&app, &case.id, &other, Who::Desk).await,
        StatusCode::CONFLICT,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn network_partners_are_proposed_from_step_4_until_the_decision_once_per_entry() {
    let app = TestApp::spawn().await;
    let npo = entry(&app, "NPO法人ひだまり", json!({})).await;
    for status in [
        Status::Received,
        Status::Organizing,
        Status::Hearing,
        Status::OnHold,
    ] {
        let case = app.case().to(status).await;
        let refused = problem(
            propose(&app, &case.id, &npo, Who::Desk).await,
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(refused["current_status"], status.as_str(), "{refused}");
    }
    let declined = app.case().to(Status::Declined).await;
    problem(
        propose(&app, &declined.id, &npo, Who::Desk).await,
        StatusCode::CONFLICT,
    )
    .await;

    let mut case = app.case().to(Status::Matching).await;
    let first = proposed(&app, &case.id, &npo).await;
    // One open match per entry and case; once declined, it may be proposed again.
    problem(
        propose(&app, &case.id, &npo, Who::Desk).await,
        StatusCode::CONFLICT,
    )
    .await;
    json(
        answer(&app, &first, "decline", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    let again = proposed(&app, &case.id, &npo).await;
    // Still allowed while the logic model is written and the case awaits its decision.
    case.to(Status::AwaitingDecision).await;
    let late = entry(&app, "NPO法人あさがお", json!({})).await;
    proposed(&app, &case.id, &late).await;
    json(
        answer(&app, &again, "accept", Who::Desk).await,
        StatusCode::OK,
    )
    .await;

    // Unknown entries and hostile bodies are 422, whatever the step.
    let unknown = problem(
        propose(&app, &case.id, &uuid::Uuid::now_v7().to_string(), Who::Desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        unknown["errors"][0]["code"], "unknown_reference",
        "{unknown}"
    );
    let path = format!("/v1/proposals/{}/network-matches", case.id);
    for body in [
        json!({}),
        json!({"resource_id": "not-a-uuid"}),
        json!({"resource_id": npo, "note": "x".repeat(2001)}),
        json!({"resource_id": npo, "note": "nul\u{0}"}),
        json!({"resource_id": npo, "extra": true}),
    ] {
        problem(
            app.post(&path, Who::Desk, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // Only the desk proposes; others who see the case 403, the rest 404.
    for who in [Who::Department, Who::Partner] {
        problem(
            propose(&app, &case.id, &npo, who).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    for who in [
        Who::OtherDepartment,
        Who::OtherPartner,
        Who::AyaseDesk,
        Who::AyaseDepartment,
    ] {
        problem(
            propose(&app, &case.id, &npo, who).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        problem(app.get(&path, who).await, StatusCode::NOT_FOUND).await;
    }
    for who in [Who::Analyst, Who::Admin, Who::PlatformAdmin] {
        problem(
            propose(&app, &case.id, &npo, who).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    problem(
        propose(&app, &case.id, &npo, Who::Anonymous).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_desk_records_an_answer_once_with_its_day_and_how_it_was_agreed() {
    let app = TestApp::spawn().await;
    let case = app.case().to(Status::Matching).await;
    let npo = entry(&app, "NPO法人ひだまり", json!({})).await;
    let id = proposed(&app, &case.id, &npo).await;
    let path = format!("/v1/network-matches/{id}/accept");

    // Hostile and impossible answers: 422, nothing recorded.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2))
        .date_naive()
        .to_string();
    for (body, field) in [
        (
            json!({"answered_on": tomorrow, "via": "phone"}),
            "answered_on",
        ),
        (
            json!({"answered_on": "2020-01-01", "via": "phone"}),
            "answered_on",
        ),
    ] {
        let refused = problem(
            app.post(&path, Who::Desk, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(refused["errors"][0]["field"], field, "{refused}");
    }
    for body in [
        json!({"via": "phone"}),
        json!({"answered_on": today()}),
        json!({"answered_on": today(), "via": "carrier_pigeon"}),
        json!({"answered_on": "99999-01-01", "via": "phone"}),
        json!({"answered_on": today(), "via": "phone", "note": "x".repeat(2001)}),
        json!({"answered_on": today(), "via": "phone", "note": "\u{0}"}),
    ] {
        problem(
            app.post(&path, Who::Desk, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // The organization's contact is not a user: only the desk records its answer.
    for who in [
        Who::Department,
        Who::Partner,
        Who::Analyst,
        Who::Admin,
        Who::PlatformAdmin,
    ] {
        problem(
            answer(&app, &id, "accept", who).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    for who in [
        Who::OtherDepartment,
        Who::OtherPartner,
        Who::AyaseDesk,
        Who::AyaseDepartment,
    ] {
        problem(
            answer(&app, &id, "accept", who).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    problem(
        answer(&app, &uuid::Uuid::now_v7().to_string(), "accept", Who::Desk).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let accepted = app
        .post(
            &path,
            Who::Desk,
            &json!({"answered_on": today(), "via": "meeting", "note": "会議で合意"}),
        )
        .await;
    assert!(accepted.headers().contains_key("etag"));
    let accepted = json(accepted, StatusCode::OK).await;
    assert_eq!(
        (
            accepted["status"].as_str(),
            accepted["answered_via"].as_str()
        ),
        (Some("accepted"), Some("meeting"))
    );
    // Once answered, never again.
    for verb in ["accept", "decline"] {
        problem(
            answer(&app, &id, verb, Who::Desk).await,
            StatusCode::CONFLICT,
        )
        .await;
    }
    let listed = json(
        app.get(
            &format!("/v1/proposals/{}/network-matches", case.id),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed[0]["answer_note"], "会議で合意");
}
