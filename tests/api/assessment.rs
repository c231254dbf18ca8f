//! Step 2, 内容整理: the desk's structured assessment of a case.

use crate::harness::{etag_of, json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A valid assessment naming two seeded ざま未来プラン policy areas.
pub fn valid_body() -> Value {
    json!({
        "policy_fit": {"rating": 4, "note": "居場所づくりの重点施策に合致", "policy_areas": ["hito", "kyoso"]},
        "feasibility": {"rating": 3, "note": "物件所有者との調整が必要"},
        "cost_effectiveness": {"rating": 5, "note": "既存事業と一体で低コスト"}
    })
}

async fn put(
    app: &TestApp,
    id: &str,
    who: Who,
    if_match: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .request(Method::PUT, &format!("/v1/proposals/{id}/assessment"), who)
        .json(body);
    if let Some(etag) = if_match {
        request = request.header("If-Match", etag);
    }
    request.send().await.expect("request")
}

async fn events_of(app: &TestApp, id: &str, who: Who) -> Vec<String> {
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
async fn the_desk_records_and_revises_an_assessment_that_stays_internal() {
    let app = TestApp::spawn().await;
    let mut case = app.case().title("居場所づくり").create().await;
    case.request_hearing(Who::Department).await;
    let id = case.id.clone();

    // Not assessed yet.
    problem(
        app.get(&format!("/v1/proposals/{id}/assessment"), Who::Desk)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // If-Match on something that does not exist yet.
    problem(
        put(&app, &id, Who::Desk, Some("\"1\""), &valid_body()).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;

    let created = put(&app, &id, Who::Desk, None, &valid_body()).await;
    let etag = etag_of(&created);
    let body = json(created, StatusCode::CREATED).await;
    assert_eq!(body["policy_fit"]["policy_areas"], json!(["hito", "kyoso"]));
    assert_eq!(body["feasibility"]["rating"], 3);
    assert_eq!(
        body["cost_effectiveness"]["note"],
        "既存事業と一体で低コスト"
    );

    // Once it exists: If-Match is required, and a stale one is refused, changing nothing.
    problem(
        put(&app, &id, Who::Desk, None, &valid_body()).await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    let mut revised = valid_body();
    revised["feasibility"] = json!({"rating": 2, "note": "用地の確保が難しい"});
    let ok = put(&app, &id, Who::Desk, Some(&etag), &revised).await;
    let new_etag = etag_of(&ok);
    assert_ne!(new_etag, etag);
    assert_eq!(json(ok, StatusCode::OK).await["feasibility"]["rating"], 2);
    problem(
        put(&app, &id, Who::Desk, Some(&etag), &valid_body()).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;

    // The department heard on the case reads it; the proposer and other departments do not.
    let read = app
        .get(&format!("/v1/proposals/{id}/assessment"), Who::Department)
        .await;
    assert_eq!(etag_of(&read), new_etag);
    assert_eq!(
        json(read, StatusCode::OK).await["feasibility"]["note"],
        "用地の確保が難しい"
    );
    problem(
        app.get(&format!("/v1/proposals/{id}/assessment"), Who::Partner)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.get(
            &format!("/v1/proposals/{id}/assessment"),
            Who::OtherDepartment,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        put(&app, &id, Who::Department, Some(&new_etag), &valid_body()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        put(&app, &id, Who::Partner, Some(&new_etag), &valid_body()).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Another city's desk cannot see the case at all.
    problem(
        app.get(&format!("/v1/proposals/{id}/assessment"), Who::AyaseDesk)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        put(&app, &id, Who::AyaseDesk, Some(&new_etag), &valid_body()).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The feed event is internal: the desk sees two, the proposer none.
    let desk = events_of(&app, &id, Who::Desk).await;
    assert_eq!(
        desk.iter().filter(|k| *k == "assessment_recorded").count(),
        2,
        "{desk:?}"
    );
    let partner = events_of(&app, &id, Who::Partner).await;
    assert!(
        !partner.iter().any(|k| k == "assessment_recorded"),
        "{partner:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_ratings_notes_and_unknown_policy_areas_are_422_and_change_nothing() {
    let app = TestApp::spawn().await;
    let id = app.case().title("居場所づくり").create().await.id;
    let bad: Vec<(Value, &str)> = vec![
        (json!({"policy_fit": {"rating": 0}}), "policy_fit.rating"),
        (json!({"feasibility": {"rating": 6}}), "feasibility.rating"),
        (
            json!({"cost_effectiveness": {"rating": 40000}}),
            "cost_effectiveness.rating",
        ),
        (
            json!({"cost_effectiveness": {"rating": -1}}),
            "cost_effectiveness.rating",
        ),
        (
            json!({"feasibility": {"rating": 3, "note": "あ".repeat(2001)}}),
            "feasibility.note",
        ),
        (
            json!({"policy_fit": {"rating": 3, "policy_areas": ["no_such_area"]}}),
            "policy_fit.policy_areas",
        ),
        // A code of another vocabulary is not a policy area.
        (
            json!({"policy_fit": {"rating": 3, "policy_areas": ["elderly"]}}),
            "policy_fit.policy_areas",
        ),
        (
            json!({"policy_fit": {"rating": 3, "policy_areas": (0..11).map(|i| format!("a{i}")).collect::<Vec<_>>()}}),
            "policy_fit.policy_areas",
        ),
    ];
    for (change, field) in bad {
        let mut body = valid_body();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let refused = problem(
            put(&app, &id, Who::Desk, None, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(refused.to_string().contains(field), "{field}: {refused}");
    }
    // Hostile bodies: unknown fields, wrong types, no body.
    for body in [
        json!({"policy_fit": {"rating": 3}, "feasibility": {"rating": 3}, "cost_effectiveness": {"rating": 3}, "extra": 1}),
        json!({"policy_fit": {"rating": "five"}, "feasibility": {"rating": 3}, "cost_effectiveness": {"rating": 3}}),
        json!({"policy_fit": {"rating": 1e300}, "feasibility": {"rating": 3}, "cost_effectiveness": {"rating": 3}}),
        json!({"feasibility": {"rating": 3}}),
        json!([]),
    ] {
        let status = put(&app, &id, Who::Desk, None, &body).await.status();
        assert!(status.is_client_error(), "{body}: {status}");
    }
    problem(
        app.get(&format!("/v1/proposals/{id}/assessment"), Who::Desk)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Notes may be empty; a policy area the desk adds to the vocabulary is accepted.
    let term = json!({"vocabulary": "policy_area", "code": "anzen", "label_ja": "安全・安心", "label_en": "Safety"});
    json(
        app.post("/v1/taxonomy-terms", Who::Desk, &term).await,
        StatusCode::CREATED,
    )
    .await;
    let body = json!({"policy_fit": {"rating": 1, "policy_areas": ["anzen", "anzen"]},
        "feasibility": {"rating": 5}, "cost_effectiveness": {"rating": 1, "note": ""}});
    let created = json(
        put(&app, &id, Who::Desk, None, &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["policy_fit"]["policy_areas"], json!(["anzen"]));
    assert_eq!(created["feasibility"]["note"], "");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vocabulary_is_seeded_and_a_closed_case_is_not_assessed() {
    let app = TestApp::spawn().await;
    let terms = json(
        app.get("/v1/taxonomy-terms?vocabulary=policy_area", Who::Anonymous)
            .await,
        StatusCode::OK,
    )
    .await;
    let codes: Vec<&str> = terms["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["code"].as_str())
        .collect();
    for code in ["hito", "machi", "mirai", "kyoso", "mokuhyo"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    assert!(terms["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|t| t["vocabulary"] == "policy_area"));

    let closed = app.case().title("辞退").to(Status::Adopted).await;
    problem(
        put(&app, &closed.id, Who::Desk, None, &valid_body()).await,
        StatusCode::CONFLICT,
    )
    .await;
}
