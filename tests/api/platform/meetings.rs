//! Liaison meetings of the cities (seed 002: 支援調整会議, 担当者レベルの
//! 連携会議): recorded with their decisions and follow-ups, read by the
//! cities that took part only; follow-ups listed by owner and marked done
//! under If-Match.

use crate::directory::cities;
use crate::harness::{etag_of, json, problem, TestApp, Who};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use living_gate_domain::fiscal;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn today() -> chrono::NaiveDate {
    fiscal::date_in_japan(Utc::now())
}

async fn stored(app: &TestApp) -> (i64, i64) {
    use living_gate_db::schema::{liaison_meetings, meeting_follow_ups};
    let mut conn = app.owner_conn().await;
    let meetings = liaison_meetings::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    let follow_ups = meeting_follow_ups::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    (meetings, follow_ups)
}

fn ids(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn zama_and_ebina_record_a_meeting_with_follow_ups_that_their_owners_mark_done() {
    let app = TestApp::spawn().await;
    let ebina = cities::desk(&app, cities::EBINA).await;
    let zama = app.fixtures.zama;
    let owner = app.fixtures.account(Who::Department).id;
    let body = json!({
    "kind": "support_coordination", "title": "第8回 支援調整会議", "held_on": today(),
    "municipality_ids": [zama, ebina.municipality_id, zama],
    "organizations": ["座間市社会福祉協議会"], "agenda": "ひきこもり支援の市域を越えた連携",
    "decisions": ["次回は海老名市で開催", "居場所の一覧を共有する"],
    "follow_ups": [
        {"description": "座間市の居場所一覧を共有する", "owner_id": owner, "due_on": today() + Duration::days(30)},
        {"description": "会場を手配する", "owner_id": ebina.id, "due_on": today() + Duration::days(20)}
    ]});
    let response = app.post("/v1/liaison-meetings", Who::Desk, &body).await;
    assert_eq!(etag_of(&response), "\"1\"");
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let created = json(response, StatusCode::CREATED).await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("/v1/liaison-meetings/{id}"));
    // Each city once; the follow-ups by due date.
    assert_eq!(
        created["municipality_ids"],
        json!([zama, ebina.municipality_id])
    );
    assert_eq!(created["decisions"][1], "居場所の一覧を共有する");
    assert_eq!(created["fiscal_year"], fiscal::fiscal_year(Utc::now()));
    let follow_ups = created["follow_ups"].as_array().expect("follow-ups");
    assert_eq!(follow_ups.len(), 2, "{created}");
    assert!(follow_ups.iter().all(|f| f["status"] == "open"));

    // Both cities read it; Ayase, which did not take part, does not see it.
    let read = json(ebina.get(&app, &location).await, StatusCode::OK).await;
    assert_eq!(read["follow_ups"][0]["owner_id"], json!(ebina.id));
    assert_eq!(read["follow_ups"][1]["owner_id"], json!(owner));
    json(app.get(&location, Who::Department).await, StatusCode::OK).await;
    problem(
        app.get(&location, Who::AyaseDesk).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let ayase_list = json(
        app.get("/v1/liaison-meetings", Who::AyaseDesk).await,
        StatusCode::OK,
    )
    .await;
    assert!(!ids(&ayase_list).contains(&id.as_str()), "{ayase_list}");
    let zama_list = json(
        app.get("/v1/liaison-meetings?kind=support_coordination", Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&zama_list), vec![id.as_str()]);
    let other_kind = json(
        app.get("/v1/liaison-meetings?kind=staff_liaison", Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(ids(&other_kind).is_empty());
    let hidden = json(
        app.get(
            &format!("/v1/follow-ups?meeting_id={id}"),
            Who::AyaseDepartment,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(hidden["items"], json!([]));

    // The owner lists its own.
    let mine = json(
        app.get("/v1/follow-ups?owner=me&status=open", Who::Department)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["items"].as_array().expect("items").len(), 1, "{mine}");
    let follow_up = mine["items"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(mine["items"][0]["owner_municipality_id"], json!(zama));
    let by_id = json(
        ebina
            .get(&app, &format!("/v1/follow-ups?owner={}", ebina.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_id["items"][0]["description"], "会場を手配する");
    problem(
        app.get("/v1/follow-ups?owner=someone", Who::Desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // Done: If-Match required, a stale one refused, only the owner, a desk
    // of a city that took part or the platform admin.
    let done = format!("/v1/follow-ups/{follow_up}/done");
    let bare = app
        .request(Method::POST, &done, Who::Department)
        .send()
        .await
        .expect("post");
    problem(bare, StatusCode::PRECONDITION_REQUIRED).await;
    let with = |who: Who, etag: &'static str| {
        app.request(Method::POST, &done, who)
            .header("If-Match", etag)
            .send()
    };
    problem(
        with(Who::Department, "\"7\"").await.expect("post"),
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    problem(
        with(Who::OtherDepartment, "\"1\"").await.expect("post"),
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        with(Who::AyaseDesk, "\"1\"").await.expect("post"),
        StatusCode::NOT_FOUND,
    )
    .await;
    let response = with(Who::Department, "\"1\"").await.expect("post");
    assert_eq!(etag_of(&response), "\"2\"");
    let marked = json(response, StatusCode::OK).await;
    assert_eq!(marked["status"], "done");
    assert_eq!(marked["done_by"], json!(owner));
    assert!(marked["done_at"].is_string());
    problem(
        with(Who::Department, "\"2\"").await.expect("post"),
        StatusCode::CONFLICT,
    )
    .await;
    let open = json(
        app.get("/v1/follow-ups?owner=me&status=open", Who::Department)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(open["items"], json!([]));
    let finished = json(
        app.get("/v1/follow-ups?owner=me&status=done", Who::Department)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&finished), vec![follow_up.as_str()]);

    // A follow-up added later, by the other city's desk.
    let added = ebina
        .post(
            &app,
            &format!("/v1/liaison-meetings/{id}/follow-ups"),
            &json!({"description": "次回の議題を集める", "owner_id": ebina.id, "due_on": today()}),
        )
        .await;
    let added = json(added, StatusCode::CREATED).await;
    assert_eq!(added["meeting_id"], json!(id));
    let read = json(app.get(&location, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(read["follow_ups"].as_array().expect("follow-ups").len(), 3);
    assert_eq!(stored(&app).await, (1, 3));
}

#[tokio::test(flavor = "multi_thread")]
async fn illegal_meetings_and_follow_ups_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    let zama = app.fixtures.zama;
    let owner = app.fixtures.account(Who::Department).id;
    let ayase_owner = app.fixtures.account(Who::AyaseDesk).id;
    let partner = app.fixtures.account(Who::Partner).id;
    let valid = || {
        json!({"kind": "staff_liaison", "title": "連携会議", "held_on": today(),
               "municipality_ids": [zama],
               "follow_ups": [{"description": "共有する", "owner_id": owner, "due_on": today()}]})
    };
    let with = |field: &str, value: Value| {
        let mut body = valid();
        body[field] = value;
        body
    };
    let follow_up = |f: Value| with("follow_ups", json!([f]));
    let cases: Vec<(Value, Who, StatusCode)> = vec![
        // Ayase's desk records no meeting Ayase did not take part in.
        (valid(), Who::AyaseDesk, StatusCode::FORBIDDEN),
        (valid(), Who::Department, StatusCode::FORBIDDEN),
        (valid(), Who::Analyst, StatusCode::FORBIDDEN),
        (
            with("kind", json!("party")),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("title", json!("  ")),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("held_on", json!(today() + Duration::days(2))),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("held_on", json!("1999-12-31")),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("municipality_ids", json!([])),
            Who::PlatformAdmin,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("municipality_ids", json!([zama, uuid::Uuid::now_v7()])),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("resource_ids", json!([uuid::Uuid::now_v7()])),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("decisions", json!(["ok", ""])),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("agenda", json!("あ".repeat(4001))),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // A note that could name a resident has no field.
        (
            with("resident_name", json!("山田")),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            with("agenda", json!("a\u{0}b")),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Owners: staff of a city that took part, due not before the day.
        (
            follow_up(json!({"description": "共有", "owner_id": ayase_owner, "due_on": today()})),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            follow_up(json!({"description": "共有", "owner_id": partner, "due_on": today()})),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            follow_up(
                json!({"description": "共有", "owner_id": uuid::Uuid::now_v7(), "due_on": today()}),
            ),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            follow_up(
                json!({"description": "共有", "owner_id": owner, "due_on": today() - Duration::days(1)}),
            ),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            follow_up(json!({"description": "", "owner_id": owner, "due_on": today()})),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            follow_up(
                json!({"description": "共有", "owner_id": owner, "due_on": today(), "status": "done"}),
            ),
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, who, expected) in cases {
        let response = app.post("/v1/liaison-meetings", who, &body).await;
        let got = problem(response, expected).await;
        if expected == StatusCode::UNPROCESSABLE_ENTITY {
            assert!(
                got["errors"].as_array().is_some_and(|e| !e.is_empty()),
                "{got}"
            );
        }
    }
    assert_eq!(stored(&app).await, (0, 0));
    let owner_error = problem(
        app.post(
            "/v1/liaison-meetings",
            Who::Desk,
            &follow_up(json!({"description": "共有", "owner_id": ayase_owner, "due_on": today()})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(owner_error["errors"][0]["field"], "follow_ups[0].owner_id");
    assert_eq!(owner_error["errors"][0]["code"], "not_taking_part");

    // A meeting of Zama: Ayase's desk adds nothing to it (it does not see it).
    let created = json(
        app.post("/v1/liaison-meetings", Who::Desk, &valid()).await,
        StatusCode::CREATED,
    )
    .await;
    let add = format!(
        "/v1/liaison-meetings/{}/follow-ups",
        created["id"].as_str().expect("id")
    );
    let give = json!({"description": "共有", "owner_id": ayase_owner, "due_on": today()});
    problem(
        app.post(&add, Who::AyaseDesk, &give).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.post(&add, Who::Department, &give).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post(&add, Who::Desk, &give).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        app.post(
            &format!("/v1/liaison-meetings/{}/follow-ups", uuid::Uuid::now_v7()),
            Who::Desk,
            &give,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(stored(&app).await, (1, 1));
}
