//! Events of the platform (seed 002, FY2024: an exhibition with 3,198
//! visitors, a symposium with 126, workshops with about 60 including
//! clients of support services) and their reach per fiscal year × kind.

use crate::directory::cities;
use crate::harness::{etag_of, json, problem, TestApp, Who};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn stored(app: &TestApp) -> i64 {
    use living_gate_db::schema::platform_events;
    let mut conn = app.owner_conn().await;
    platform_events::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count")
}

fn event(app: &TestApp, kind: &str, on: &str, attendance: i32) -> Value {
    json!({"kind": kind, "title": format!("FY2024 {kind}"), "starts_on": on, "ends_on": on,
           "venue_municipality_id": app.fixtures.zama, "attendance": attendance})
}

async fn reach(app: &TestApp, year: i32) -> Value {
    json(
        app.get(&format!("/v1/event-reach?fiscal_year={year}"), Who::Analyst)
            .await,
        StatusCode::OK,
    )
    .await
}

fn row<'a>(reach: &'a Value, kind: &str) -> &'a Value {
    reach["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["kind"] == kind)
        .expect(kind)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fy2024_events_are_recorded_and_their_reach_counted_by_kind() {
    let app = TestApp::spawn().await;
    let ayase = app.fixtures.ayase;
    let exhibition = json(
        app.post(
            "/v1/platform-events",
            Who::Desk,
            &json!({"kind": "exhibition", "title": "孤独・孤立を考えるパネル展", "starts_on": "2024-11-01",
                    "ends_on": "2024-11-14", "venue_municipality_id": app.fixtures.zama,
                    "organizer_municipality_ids": [app.fixtures.zama, ayase, ayase],
                    "other_organizers": ["神奈川県"], "attendance": 3198}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(exhibition["fiscal_year"], 2024);
    assert_eq!(
        exhibition["organizer_municipality_ids"],
        json!([app.fixtures.zama, ayase])
    );
    assert_eq!(exhibition["felt_it_share"], Value::Null);
    // Ayase organized it too: its desk may record the symposium it hosts
    // and may correct the exhibition.
    json(
        app.post(
            "/v1/platform-events",
            Who::AyaseDesk,
            &json!({"kind": "symposium", "title": "シンポジウム", "starts_on": "2025-02-15", "ends_on": "2025-02-15",
                    "venue_municipality_id": ayase, "attendance": 126}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // A workshop: recorded before it is held, its counts after.
    let response = app
        .post(
            "/v1/platform-events",
            Who::Desk,
            &event(&app, "workshop", "2024-12-07", 0),
        )
        .await;
    assert_eq!(etag_of(&response), "\"1\"");
    let workshop = json(response, StatusCode::CREATED).await;
    let path = format!(
        "/v1/platform-events/{}",
        workshop["id"].as_str().expect("id")
    );
    let counts = json!({"attendance": 60, "clients_of_support": 12, "questionnaire_responses": 48, "felt_it": 39});
    let bare = app
        .request(Method::PATCH, &path, Who::Desk)
        .json(&counts)
        .send()
        .await
        .expect("patch");
    problem(bare, StatusCode::PRECONDITION_REQUIRED).await;
    problem(
        app.patch(&path, Who::Desk, "\"5\"", &counts).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    problem(
        app.patch(&path, Who::AyaseDesk, "\"1\"", &counts).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.patch(&path, Who::Department, "\"1\"", &counts).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let response = app.patch(&path, Who::Desk, "\"1\"", &counts).await;
    assert_eq!(etag_of(&response), "\"2\"");
    let updated = json(response, StatusCode::OK).await;
    assert_eq!(updated["felt_it_share"], 0.8125);
    // A part may not outgrow the stored whole.
    let shrink = problem(
        app.patch(&path, Who::Desk, "\"2\"", &json!({"attendance": 10}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = shrink["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(
        fields,
        vec!["clients_of_support", "questionnaire_responses"]
    );
    problem(
        app.patch(&path, Who::Desk, "\"2\"", &json!({"ends_on": "2024-12-06"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Every city's staff reads every event (shared like the directory).
    let read = json(app.get(&path, Who::AyaseDepartment).await, StatusCode::OK).await;
    assert_eq!(read["attendance"], 60);
    let listed = json(
        app.get(
            "/v1/platform-events?fiscal_year=2024&kind=workshop",
            Who::AyaseDesk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);

    // The reach of FY2024 (the symposium in February 2025 is FY2024 too).
    let r = reach(&app, 2024).await;
    assert_eq!(row(&r, "exhibition")["attendance"], 3198);
    assert_eq!(row(&r, "symposium")["attendance"], 126);
    let w = row(&r, "workshop");
    assert_eq!(
        (
            &w["events"],
            &w["attendance"],
            &w["clients_of_support"],
            &w["felt_it_share"]
        ),
        (&json!(1), &json!(60), &json!(12), &json!(0.8125))
    );
    assert_eq!(row(&r, "study_session")["events"], 0);
    assert_eq!(r["total"]["events"], 3);
    assert_eq!(r["total"]["attendance"], 3384);
    assert_eq!(reach(&app, 2025).await["total"]["events"], 0);
    problem(
        app.get("/v1/event-reach?fiscal_year=2024", Who::Department)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // CSV for Excel, one row per kind and the total.
    let csv = app
        .request(
            Method::GET,
            "/v1/event-reach?fiscal_year=2024&format=csv",
            Who::Analyst,
        )
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.expect("body");
    assert!(
        text.starts_with("\u{feff}\"fiscal_year\",\"kind\""),
        "{text}"
    );
    assert!(
        text.contains("\"2024\",\"exhibition\",\"1\",\"3198\",\"0\",\"0\",\"0\",\"\"\r\n"),
        "{text}"
    );
    assert!(
        text.contains("\"2024\",\"workshop\",\"1\",\"60\",\"12\",\"48\",\"39\",\"0.8125\"\r\n"),
        "{text}"
    );
    assert_eq!(text.trim_end().split("\r\n").count(), 6, "{text}");

    // BI tools read the view, as the BI role.
    let mut owner = app.owner_conn().await;
    let sql = "SELECT * FROM kpi.event_reach WHERE fiscal_year = 2024 AND kind = 'workshop' \
               AND attendance = 60 AND clients_of_support = 12 AND felt_it = 39";
    assert_eq!(crate::kpis::as_bi_role(&mut owner, sql).await, Ok(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_beyond_their_wholes_and_other_cities_events_are_refused() {
    let app = TestApp::spawn().await;
    let ebina = cities::desk(&app, cities::EBINA).await;
    let with = |field: &str, value: Value| {
        let mut body = event(&app, "workshop", "2024-12-07", 60);
        body[field] = value;
        body
    };
    let cases: Vec<(Value, StatusCode)> = vec![
        (
            with("clients_of_support", json!(61)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("questionnaire_responses", json!(61)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (with("felt_it", json!(1)), StatusCode::UNPROCESSABLE_ENTITY),
        (
            with("attendance", json!(-1)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("attendance", json!(1_000_001)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("attendance", json!(3_000_000_000_i64)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("kind", json!("concert")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("ends_on", json!("2024-12-06")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("starts_on", json!("1999-12-07")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (with("title", json!("")), StatusCode::UNPROCESSABLE_ENTITY),
        (
            with("organizer_resource_ids", json!([uuid::Uuid::now_v7()])),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("participants", json!(["山田"])),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Neither the venue nor an organizer: Zama's desk may not record it.
        (
            with("venue_municipality_id", json!(ebina.municipality_id)),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (body, expected) in cases {
        problem(
            app.post("/v1/platform-events", Who::Desk, &body).await,
            expected,
        )
        .await;
    }
    // An unknown venue, given by the platform admin (who may record any).
    problem(
        app.post(
            "/v1/platform-events",
            Who::PlatformAdmin,
            &with("venue_municipality_id", json!(uuid::Uuid::now_v7())),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    for who in [Who::Department, Who::Analyst, Who::Admin, Who::Partner] {
        problem(
            app.post("/v1/platform-events", who, &with("title", json!("x")))
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_eq!(stored(&app).await, 0);

    // Ebina's event: Zama's desk reads it, may not correct it.
    let created = json(
        ebina
            .post(
                &app,
                "/v1/platform-events",
                &with("venue_municipality_id", json!(ebina.municipality_id)),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!(
        "/v1/platform-events/{}",
        created["id"].as_str().expect("id")
    );
    json(app.get(&path, Who::Desk).await, StatusCode::OK).await;
    problem(
        app.patch(&path, Who::Desk, "\"1\"", &json!({"attendance": 70}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        ebina
            .patch(&app, &path, "\"1\"", &json!({"felt_it": 1}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        app.get(
            &format!("/v1/platform-events/{}", uuid::Uuid::now_v7()),
            Who::Desk,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(stored(&app).await, 1);
}
