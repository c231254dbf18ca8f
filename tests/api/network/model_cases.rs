//! The model case: a TRIP marked with its lessons, listed, and the
//! template that prefills a new case's logic model.

use crate::harness::{etag_of, json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn lessons() -> Value {
    json!({"what_worked": "地域福祉課と市民協働課が初回から同席した",
        "what_to_repeat": "NPOとの顔合わせを2週間以内に行う", "what_to_avoid": "指標を後から決めること"})
}

async fn put(
    app: &TestApp,
    trip: &str,
    who: Who,
    if_match: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .request(Method::PUT, &format!("/v1/trips/{trip}/model-case"), who)
        .json(body);
    if let Some(etag) = if_match {
        request = request.header("If-Match", etag);
    }
    request.send().await.expect("request")
}

async fn listed(app: &TestApp, who: Who) -> Vec<String> {
    let page = json(app.get("/v1/model-cases", who).await, StatusCode::OK).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["trip_id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trip_is_marked_as_a_model_case_revised_under_if_match_and_listed_for_staff() {
    let app = TestApp::spawn().await;
    let case = app.case().to(Status::Adopted).await;
    let trip = case.trip_id();
    let path = format!("/v1/trips/{trip}/model-case");
    problem(app.get(&path, Who::Desk).await, StatusCode::NOT_FOUND).await;
    // An If-Match before it exists is 412; no lesson, or one too long, 422.
    problem(
        put(&app, &trip, Who::Desk, Some("\"1\""), &lessons()).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    for body in [
        json!({}),
        json!({"what_worked": "  "}),
        json!({"what_to_avoid": "x".repeat(4001)}),
        json!({"what_worked": "\u{0}"}),
        json!({"what_worked": 3}),
        json!({"lessons": "x"}),
    ] {
        problem(
            put(&app, &trip, Who::Desk, None, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // Only the desk and the lead department mark it.
    for who in [Who::Partner, Who::Analyst, Who::Admin, Who::PlatformAdmin] {
        problem(
            put(&app, &trip, who, None, &lessons()).await,
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
            put(&app, &trip, who, None, &lessons()).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let marked = put(&app, &trip, Who::Department, None, &lessons()).await;
    let etag = etag_of(&marked);
    let marked = json(marked, StatusCode::CREATED).await;
    assert_eq!(
        (marked["trip_id"].as_str(), marked["reference"].as_str()),
        (Some(trip.as_str()), Some(case.reference.as_str()))
    );
    assert_eq!(marked["what_to_avoid"], "指標を後から決めること");

    // Revising needs the ETag read: 428 without, 412 stale.
    let revised = json!({"what_worked": "関係課の同席", "what_to_repeat": "", "what_to_avoid": ""});
    problem(
        put(&app, &trip, Who::Desk, None, &revised).await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    problem(
        put(&app, &trip, Who::Desk, Some("\"7\""), &revised).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let after = json(
        put(&app, &trip, Who::Desk, Some(&etag), &revised).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            after["what_worked"].as_str(),
            after["what_to_avoid"].as_str()
        ),
        (Some("関係課の同席"), Some(""))
    );
    problem(
        put(&app, &trip, Who::Desk, Some(&etag), &revised).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;

    // Read by the desk and the lead department; internal to staff.
    for who in [Who::Desk, Who::Department] {
        let read = app.get(&path, who).await;
        assert_eq!(etag_of(&read), "\"2\"");
        assert_eq!(
            json(read, StatusCode::OK).await["what_worked"],
            "関係課の同席"
        );
    }
    problem(app.get(&path, Who::Partner).await, StatusCode::FORBIDDEN).await;
    for who in [Who::OtherDepartment, Who::AyaseDesk] {
        problem(app.get(&path, who).await, StatusCode::NOT_FOUND).await;
    }

    // The list: the desk's city, the TRIPs a department leads.
    assert_eq!(listed(&app, Who::Desk).await, vec![trip.clone()]);
    assert_eq!(listed(&app, Who::Department).await, vec![trip.clone()]);
    for who in [Who::OtherDepartment, Who::AyaseDesk, Who::AyaseDepartment] {
        assert!(listed(&app, who).await.is_empty(), "{who:?}");
    }
    for who in [Who::Partner, Who::Analyst, Who::Admin] {
        problem(app.get("/v1/model-cases", who).await, StatusCode::FORBIDDEN).await;
    }
    problem(
        app.get("/v1/model-cases?limit=0", Who::Desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_cases_logic_model_is_prefilled_from_a_model_case_as_a_draft_without_measurements() {
    let app = TestApp::spawn().await;
    let model = app.case().to(Status::Adopted).await;
    let trip = model.trip_id();
    let template = model.logic_model.clone().expect("a shared model");
    let template_indicator = template["indicators"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    json(
        app.post(
            &format!("/v1/trips/{trip}/measurements"),
            Who::Department,
            &json!({"indicator_id": template_indicator, "value": 6, "measured_on": super::today()}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    let next = app
        .case()
        .title("駅北の空き家で多世代食堂")
        .to(Status::LogicModel)
        .await;
    let path = format!("/v1/proposals/{}/logic-model/prefill", next.id);
    // Not yet a model case: 422; an unknown TRIP too.
    let refused = problem(
        app.post(&path, Who::Desk, &json!({"template_trip_id": trip}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        refused["errors"][0]["code"], "not_a_model_case",
        "{refused}"
    );
    let refused = problem(
        app.post(
            &path,
            Who::Desk,
            &json!({"template_trip_id": uuid::Uuid::now_v7()}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        refused["errors"][0]["code"], "unknown_reference",
        "{refused}"
    );
    json(
        put(&app, &trip, Who::Desk, None, &lessons()).await,
        StatusCode::CREATED,
    )
    .await;

    let copied = json(
        app.post(&path, Who::Desk, &json!({"template_trip_id": trip}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(copied["status"], "draft");
    assert_eq!(copied["version"], 1);
    for column in [
        "inputs",
        "activities",
        "outputs",
        "short_term_outcomes",
        "mid_term_outcomes",
        "impact",
    ] {
        assert_eq!(copied[column], template[column], "{column}");
    }
    let indicator = &copied["indicators"][0];
    assert_eq!(
        (indicator["name"].as_str(), indicator["target"].as_f64()),
        (Some("開催回数"), Some(24.0))
    );
    assert_ne!(
        indicator["id"].as_str(),
        Some(template_indicator.as_str()),
        "the new case's own indicator"
    );
    // A draft: the proposer does not see it; the model case keeps its own.
    problem(
        app.get(
            &format!("/v1/proposals/{}/logic-model", next.id),
            Who::Partner,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let kept = json(
        app.get(
            &format!("/v1/proposals/{}/logic-model", model.id),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(kept["indicators"][0]["id"], template_indicator.as_str());
    // Prefilling again is one more version (same name, same indicator of this case).
    let again = json(
        app.post(&path, Who::Desk, &json!({"template_trip_id": trip}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (
            again["version"].as_i64(),
            again["indicators"][0]["id"].as_str()
        ),
        (Some(2), indicator["id"].as_str())
    );

    // The desk only; another city's desk neither sees the case nor uses Zama's model case.
    for who in [Who::Department, Who::Partner, Who::Analyst, Who::Admin] {
        problem(
            app.post(&path, who, &json!({"template_trip_id": trip}))
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    for who in [Who::OtherDepartment, Who::AyaseDesk] {
        problem(
            app.post(&path, who, &json!({"template_trip_id": trip}))
                .await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let ayase_case = json(app.post("/v1/proposals", Who::AyaseDesk, &json!({"kind": "consultation", "title": "綾瀬の相談",
        "summary": "概要", "themes": ["other"], "channel": "phone", "organization_id": app.fixtures.partner_org})).await,
        StatusCode::CREATED).await;
    let refused = problem(
        app.post(
            &format!(
                "/v1/proposals/{}/logic-model/prefill",
                ayase_case["id"].as_str().expect("id")
            ),
            Who::AyaseDesk,
            &json!({"template_trip_id": trip}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "unknown_reference");
    // Hostile bodies; a closed case.
    for body in [
        json!({}),
        json!({"template_trip_id": "x"}),
        json!({"template_trip_id": trip, "more": 1}),
    ] {
        problem(
            app.post(&path, Who::Desk, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    problem(
        app.post(
            &format!("/v1/proposals/{}/logic-model/prefill", model.id),
            Who::Desk,
            &json!({"template_trip_id": trip}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
}
