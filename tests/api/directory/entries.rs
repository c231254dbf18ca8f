//! Entries: the desk's writes (audited, versioned, in the change feed, with
//! taxonomy terms), validation naming every field, and the demo directory.

use super::{create, entry, ids};
use crate::harness::{json, problem, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn writes_are_the_desks_audited_versioned_and_in_the_change_feed() {
    let app = TestApp::spawn().await;
    let body = entry(
        &app,
        "ざま傾聴ボランティア",
        json!({"forms": ["volunteer_roles"], "phone": "046-111-2222"}),
    );
    problem(
        app.post("/v1/resources", Who::Anonymous, &body).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for who in [Who::Department, Who::Partner, Who::Analyst, Who::Admin] {
        problem(
            app.post("/v1/resources", who, &body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let created = create(&app, &body).await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/v1/resources/{id}");
    // If-Match is required and must be current.
    let change = json!({"participation_intent": "yes", "hidden_fields": ["phone"], "last_verified_at": "2026-11-01T00:00:00Z"});
    let no_etag = app
        .request(Method::PATCH, &path, Who::Desk)
        .json(&change)
        .send()
        .await
        .expect("patch");
    problem(no_etag, StatusCode::PRECONDITION_REQUIRED).await;
    problem(
        app.patch(&path, Who::Desk, "\"7\"", &change).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    problem(
        app.patch(&path, Who::Department, "\"1\"", &change).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let updated = json(
        app.patch(&path, Who::Desk, "\"1\"", &change).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["participation_intent"], "yes");
    assert_eq!(
        updated["last_verified_by"],
        app.fixtures.account(Who::Desk).id.to_string()
    );
    problem(
        app.patch(&path, Who::Desk, "\"1\"", &change).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let public = json(app.get(&path, Who::Anonymous).await, StatusCode::OK).await;
    assert!(public["phone"].is_null());
    // Audit: creation and the change, with before/after.
    let audit = json(
        app.get(
            &format!("/v1/audit?target_type=resource&target_id={id}"),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, vec!["resource.update", "resource.create"]);
    assert_eq!(
        audit["items"][0]["changes"]["participation_intent"],
        json!({"before": "unknown", "after": "yes"})
    );
    // The change feed: staff see both events, partners none of them.
    for who in [Who::Desk, Who::Department, Who::OtherDepartment] {
        let feed = json(app.get("/v1/events", who).await, StatusCode::OK).await;
        let kinds: Vec<(&str, &str)> = feed["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| !e["resource_id"].is_null())
            .map(|e| {
                (
                    e["kind"].as_str().expect("kind"),
                    e["resource_id"].as_str().expect("id"),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            vec![("resource_created", id), ("resource_updated", id)],
            "{who:?}"
        );
    }
    let feed = json(app.get("/v1/events", Who::Partner).await, StatusCode::OK).await;
    assert!(feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|e| e["resource_id"].is_null()));
    // Taxonomy terms: the desk adds, everybody reads, filters include the new child.
    let term = json!({"vocabulary": "topic", "code": "school_refusal", "parent_code": "children", "label_ja": "不登校", "label_en": "School refusal"});
    problem(
        app.post("/v1/taxonomy-terms", Who::Department, &term).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let added = json(
        app.post("/v1/taxonomy-terms", Who::Desk, &term).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(added["parent_code"], "children");
    problem(
        app.post("/v1/taxonomy-terms", Who::Desk, &term).await,
        StatusCode::CONFLICT,
    )
    .await;
    let change = json!({"topics": ["school_refusal"]});
    json(
        app.patch(&path, Who::Desk, "\"2\"", &change).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        ids(&app, "/v1/resources?topic=children", Who::Anonymous).await,
        vec!["ざま傾聴ボランティア"]
    );
    let terms = json(
        app.get("/v1/taxonomy-terms?vocabulary=topic", Who::Anonymous)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(terms["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|t| t["code"] == "dv" && t["parent_code"] == "family"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_entries_are_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let malformed = app
        .request(Method::POST, "/v1/resources", Who::Desk)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("post");
    problem(malformed, StatusCode::BAD_REQUEST).await;
    let unknown_field = entry(&app, "x", json!({"secret": 1}));
    problem(
        app.post("/v1/resources", Who::Desk, &unknown_field).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let wrong_type = entry(&app, "x", json!({"topics": "dv"}));
    problem(
        app.post("/v1/resources", Who::Desk, &wrong_type).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let bad = entry(
        &app,
        " ",
        json!({
            "topics": ["dv", "nope"], "forms": ["dv"], "phone": "call me", "email": "not-an-email",
            "languages": ["japanese"], "locations": [{"latitude": 95.0, "longitude": 139.0}, {"latitude": 35.0}],
            "serves_municipality_ids": ["01900000-0000-7000-8000-000000000000"],
            "introduced_ids": ["01900000-0000-7000-8000-000000000001"],
        }),
    );
    let refused = problem(
        app.post("/v1/resources", Who::Desk, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    for field in [
        "name",
        "topics",
        "forms",
        "phone",
        "email",
        "languages[0]",
        "locations[0].latitude",
        "locations[1].latitude",
        "serves_municipality_ids[0]",
        "introduced_ids",
    ] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
    // Japanese text and SQL metacharacters are stored as they are.
    let odd = create(
        &app,
        &entry(
            &app,
            "ロバート'); DROP TABLE resources;--",
            json!({"description": "100%_\\"}),
        ),
    )
    .await;
    let got = json(
        app.get(
            &format!("/v1/resources/{}", odd["id"].as_str().expect("id")),
            Who::Anonymous,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(got["name"], "ロバート'); DROP TABLE resources;--");
    assert_eq!(got["description"], "100%_\\");
    // A self-referral is refused; an unknown id is 404 for everybody.
    let id = odd["id"].as_str().expect("id");
    let change = json!({"introduced_ids": [id]});
    problem(
        app.patch(&format!("/v1/resources/{id}"), Who::Desk, "\"1\"", &change)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        app.get(
            "/v1/resources/01900000-0000-7000-8000-000000000000",
            Who::Desk,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/v1/resources/not-a-uuid", Who::Anonymous).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_directory_loads_once_and_keeps_its_shelter_inside() {
    let app = TestApp::builder().demo_directory().spawn().await;
    // A second load changes nothing.
    app.load_demo_directory().await;
    let staff = json(
        app.get("/v1/resources?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(staff["items"].as_array().map(Vec::len), Some(7));
    let public = app
        .get("/v1/resources/export?format=hsds", Who::Anonymous)
        .await
        .text()
        .await
        .expect("body");
    assert!(!public.contains("かながわ女性の家") && !public.contains("35.479"));
    let map = json(
        app.get("/v1/resources/map", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(map["features"].as_array().map(Vec::len), Some(6));
    let stats = json(
        app.get("/v1/resources/stats", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stats["total"], 6);
    // Seed 002's survey: 157 distributed, 63 answered.
    let surveys = json(app.get("/v1/surveys", Who::Desk).await, StatusCode::OK).await;
    let survey_id = surveys["items"][0]["id"]
        .as_str()
        .expect("a survey")
        .to_owned();
    assert_eq!(surveys["items"].as_array().map(Vec::len), Some(1));
    let report = json(
        app.get(&format!("/v1/surveys/{survey_id}"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (report["distributed"].clone(), report["answered"].clone()),
        (json!(157), json!(63))
    );
    let channels: i64 = report["by_channel"]
        .as_array()
        .expect("channels")
        .iter()
        .map(|c| c["answered"].as_i64().expect("answered"))
        .sum();
    assert_eq!(channels, 63);
    assert_eq!(report["by_municipality"].as_array().map(Vec::len), Some(4));
}
