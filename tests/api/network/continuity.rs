//! Continuity: follow-ons of a TRIP (and back), and an organization's
//! whole history with the city.

use super::{answer, entry, proposed};
use crate::harness::{json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_trip_links_the_cases_that_followed_from_it_and_they_link_back() {
    let app = TestApp::spawn().await;
    let origin = app.case().to(Status::Adopted).await;
    let trip = origin.trip_id();
    let path = format!("/v1/trips/{trip}/follow-ons");
    let mut next = app.case().title("居場所を拠点にした見守り").create().await;
    let linked = json(
        app.post(
            &path,
            Who::Desk,
            &json!({"proposal_id": next.id, "note": "利用者の声から"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (linked["reference"].as_str(), linked["trip_title"].as_str()),
        (Some(next.reference.as_str()), origin["title"].as_str())
    );
    assert!(linked["follow_on_trip_id"].is_null());
    // Once; never the TRIP's own case, never an unknown or another city's case.
    problem(
        app.post(&path, Who::Desk, &json!({"proposal_id": next.id}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    for id in [origin.id.clone(), uuid::Uuid::now_v7().to_string()] {
        problem(
            app.post(&path, Who::Desk, &json!({"proposal_id": id}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    for body in [
        json!({}),
        json!({"proposal_id": next.id, "note": "x".repeat(2001)}),
    ] {
        problem(
            app.post(&path, Who::Desk, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    for who in [Who::Department, Who::Partner, Who::Analyst] {
        problem(
            app.post(&path, who, &json!({"proposal_id": next.id})).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    for who in [Who::OtherDepartment, Who::AyaseDesk] {
        problem(
            app.post(&path, who, &json!({"proposal_id": next.id})).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }

    // The follow-on is adopted: its own TRIP is named.
    next.to(Status::Adopted).await;
    let listed = json(app.get(&path, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(
        listed[0]["follow_on_trip_id"],
        next.trip_id().as_str(),
        "{listed}"
    );
    assert_eq!(listed[0]["status"], "adopted");
    let back = json(
        app.get(
            &format!("/v1/proposals/{}/follows-from", next.id),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(back[0]["trip_id"], trip.as_str());
    // The lead department reads what it may see; the proposer gets neither.
    assert_eq!(
        json(app.get(&path, Who::Department).await, StatusCode::OK)
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    problem(app.get(&path, Who::Partner).await, StatusCode::FORBIDDEN).await;
    problem(
        app.get(
            &format!("/v1/proposals/{}/follows-from", next.id),
            Who::Partner,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(app.get(&path, Who::AyaseDesk).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_department_sees_only_the_follow_ons_it_may_see() {
    let app = TestApp::spawn().await;
    let trip = app.case().to(Status::Adopted).await.trip_id();
    // A fresh case no department is involved in yet.
    let next = app.case().create().await;
    json(
        app.post(
            &format!("/v1/trips/{trip}/follow-ons"),
            Who::Desk,
            &json!({"proposal_id": next.id}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let desk = json(
        app.get(&format!("/v1/trips/{trip}/follow-ons"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(desk.as_array().map(Vec::len), Some(1));
    let department = json(
        app.get(&format!("/v1/trips/{trip}/follow-ons"), Who::Department)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(department, json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organizations_page_lists_its_whole_history_with_the_city_in_time_order() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let org = f.partner_org;
    // Its own directory entry (an NPO that also proposes), matched on another case.
    let own_entry = entry(
        &app,
        "さがみテックの地域活動",
        json!({"partner_organization_id": org}),
    )
    .await;
    let mut case = app.case().to(Status::Matching).await;
    let matched = proposed(&app, &case.id, &own_entry).await;
    json(
        answer(&app, &matched, "accept", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    case.to(Status::Adopted).await;

    let path = format!("/v1/organizations/{org}/history");
    let history = json(app.get(&path, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(history["truncated"], false);
    let items = history["items"].as_array().expect("items");
    let kinds: Vec<&str> = items
        .iter()
        .map(|i| i["kind"].as_str().expect("kind"))
        .collect();
    for kind in [
        "directory_entry",
        "case_received",
        "hearing",
        "department_match",
        "network_match",
        "trip_created",
        "supported_by_trip",
        "case_closed",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let times: Vec<&str> = items
        .iter()
        .map(|i| i["at"].as_str().expect("at"))
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by_key(|t| chrono::DateTime::parse_from_rfc3339(t).expect("time"));
    assert_eq!(times, sorted, "in time order");
    assert!(items
        .iter()
        .any(|i| i["kind"] == "case_received" && i["reference"] == case.reference.as_str()));
    let limited = json(
        app.get(&format!("{path}?limit=2"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            limited["items"].as_array().map(Vec::len),
            limited["truncated"].as_bool()
        ),
        (Some(2), Some(true))
    );

    // Another city's desk sees its own city's history only: nothing of Zama's cases.
    let ayase = json(app.get(&path, Who::AyaseDesk).await, StatusCode::OK).await;
    assert!(
        ayase["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["kind"] == "directory_entry"),
        "{ayase}"
    );
    assert!(!ayase.to_string().contains(&case.id));
    for who in [
        Who::Department,
        Who::Partner,
        Who::Analyst,
        Who::Admin,
        Who::PlatformAdmin,
    ] {
        problem(app.get(&path, who).await, StatusCode::FORBIDDEN).await;
    }
    problem(
        app.get(
            &format!("/v1/organizations/{}/history", uuid::Uuid::now_v7()),
            Who::Desk,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(&format!("{path}?limit=0"), Who::Desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_desk_keeps_its_citys_programmes_and_links_cases_to_them() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let salon = json(
        app.post(
            "/v1/programmes",
            Who::Desk,
            &json!({"name": "ざま地域サロン事業",
        "description": "通いの場の運営支援", "department_id": f.chiiki_fukushi}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let salon = salon["id"].as_str().expect("id").to_owned();
    // Names are unique per city; another city's department, hostile bodies: refused.
    problem(
        app.post(
            "/v1/programmes",
            Who::Desk,
            &json!({"name": "ざま地域サロン事業"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    for body in [
        json!({"name": ""}),
        json!({"name": "x".repeat(201)}),
        json!({"name": "a\u{0}"}),
        json!({"name": "見守り", "department_id": f.ayase_department}),
        json!({"name": "見守り", "x": 1}),
    ] {
        problem(
            app.post("/v1/programmes", Who::Desk, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    for who in [Who::Department, Who::Partner, Who::Analyst, Who::Admin] {
        problem(
            app.post("/v1/programmes", who, &json!({"name": "見守り"}))
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let ayase = json(
        app.post(
            "/v1/programmes",
            Who::AyaseDesk,
            &json!({"name": "ざま地域サロン事業"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // Each city lists its own.
    let listed = json(
        app.get("/v1/programmes", Who::Department).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["items"][0]["id"], salon.as_str());
    let theirs = json(
        app.get("/v1/programmes", Who::AyaseDepartment).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs["items"][0]["id"], ayase["id"]);

    let case = app.case().to(Status::Hearing).await;
    let path = format!("/v1/proposals/{}/programmes", case.id);
    let linked = json(
        app.put(&path, Who::Desk, &json!({"programme_ids": [salon, salon]}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(linked["programmes"].as_array().map(Vec::len), Some(1));
    assert_eq!(linked["programmes"][0]["name"], "ざま地域サロン事業");
    for ids in [json!([ayase["id"]]), json!([uuid::Uuid::now_v7()])] {
        problem(
            app.put(&path, Who::Desk, &json!({"programme_ids": ids}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let read = json(app.get(&path, Who::Department).await, StatusCode::OK).await;
    assert_eq!(read["programmes"][0]["id"], salon.as_str());
    problem(app.get(&path, Who::Partner).await, StatusCode::FORBIDDEN).await;
    problem(
        app.put(&path, Who::Department, &json!({"programme_ids": []}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    for who in [Who::OtherDepartment, Who::AyaseDesk] {
        problem(app.get(&path, who).await, StatusCode::NOT_FOUND).await;
        problem(
            app.put(&path, who, &json!({"programme_ids": []})).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let cleared = json(
        app.put(&path, Who::Desk, &json!({"programme_ids": []}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cleared["programmes"], json!([]));
    let declined = app.case().to(Status::Declined).await;
    problem(
        app.put(
            &format!("/v1/proposals/{}/programmes", declined.id),
            Who::Desk,
            &json!({"programme_ids": [salon]}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
}
