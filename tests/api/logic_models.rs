//! Logic models that hold up (issue 18): an indicator keeps its identity
//! across versions, the exports carry the indicators, the diff names
//! indicator changes field by field, and measurements are dated between the
//! TRIP's start and today in Japan.

use crate::harness::{json, logic_model, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::fiscal::date_in_japan;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn with_indicators(indicators: Value) -> Value {
    let mut model = logic_model("shared", "月2回の交流会");
    model["indicators"] = indicators;
    model
}

fn ids(model: &Value) -> Vec<String> {
    model["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

#[actix_web::test]
async fn an_indicator_keeps_its_id_across_versions_and_the_diff_names_each_field() {
    let app = TestApp::spawn().await;
    let mut case = app.case().to(Status::LogicModel).await;
    let count = json!({"name": "開催回数", "unit": "回", "baseline": 0, "target": 24, "applies_to": "outputs"});
    let people = json!({"name": "参加者数", "unit": "人", "target": 300, "applies_to": "short_term_outcomes"});
    let v1 = case
        .save_logic_model(&with_indicators(json!([count, people])))
        .await;
    let [count_id, people_id] = <[String; 2]>::try_from(ids(&v1)).expect("two ids");

    // Re-sent without ids (as a form would): matched by name, not renumbered.
    let mut count_v2 = count.clone();
    count_v2["target"] = json!(36);
    count_v2["unit"] = json!("件");
    let v2 = case
        .save_logic_model(&with_indicators(json!([people, count_v2])))
        .await;
    assert_eq!(ids(&v2), vec![people_id.clone(), count_id.clone()]);

    // Renamed by id: still the same indicator; a new one without an id gets a new id.
    let mut renamed = count_v2.clone();
    renamed["id"] = json!(count_id);
    renamed["name"] = json!("交流会の開催回数");
    let satisfaction =
        json!({"name": "満足度", "unit": "%", "target": 80, "applies_to": "mid_term_outcomes"});
    let v3 = case
        .save_logic_model(&with_indicators(json!([renamed, satisfaction])))
        .await;
    let v3_ids = ids(&v3);
    assert_eq!(v3_ids[0], count_id);
    assert!(![&count_id, &people_id].contains(&&v3_ids[1]));

    let diff = |from: i64, to: i64| {
        let app = &app;
        let id = case.id.clone();
        async move {
            json(
                app.get(
                    &format!("/v1/proposals/{id}/logic-model/diff?from={from}&to={to}"),
                    Who::Desk,
                )
                .await,
                StatusCode::OK,
            )
            .await
        }
    };
    let one_two = diff(1, 2).await;
    assert_eq!(one_two["indicators_added"], json!([]));
    assert_eq!(one_two["indicators_removed"], json!([]));
    assert_eq!(
        one_two["indicators_changed"],
        json!([{"id": count_id, "name": "開催回数", "fields": [
            {"field": "unit", "from": "回", "to": "件"},
            {"field": "target", "from": 24.0, "to": 36.0}]}])
    );
    let two_three = diff(2, 3).await;
    assert_eq!(two_three["indicators_removed"][0]["id"], json!(people_id));
    assert_eq!(two_three["indicators_added"][0]["name"], "満足度");
    assert_eq!(
        two_three["indicators_changed"],
        json!([{"id": count_id, "name": "交流会の開催回数", "fields": [
            {"field": "name", "from": "開催回数", "to": "交流会の開催回数"}]}])
    );

    // Ids are the server's: an invented one, a repeated id or a repeated name is refused, nothing saved.
    let mut twin = renamed.clone();
    twin["name"] = json!("別名");
    for (indicators, field, code) in [
        (
            json!([{"id": uuid::Uuid::now_v7(), "name": "x", "unit": "回", "target": 1, "applies_to": "outputs"}]),
            "indicators[0].id",
            "unknown_reference",
        ),
        (json!([renamed, twin]), "indicators[1].id", "duplicate"),
        (json!([count, count]), "indicators[1].name", "duplicate"),
    ] {
        let refused = problem(
            app.put(
                &format!("/v1/proposals/{}/logic-model", case.id),
                Who::Desk,
                &with_indicators(indicators),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(refused["errors"][0]["field"], field, "{refused}");
        assert_eq!(refused["errors"][0]["code"], code, "{refused}");
    }
    let versions = json(
        app.get(
            &format!("/v1/proposals/{}/logic-model/versions", case.id),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(versions.as_array().map(Vec::len), Some(3));
}

#[actix_web::test]
async fn the_exports_carry_the_indicators() {
    let app = TestApp::spawn().await;
    let case = app.case().to(Status::Adopted).await;
    let indicator = &case.logic_model.as_ref().expect("shared")["indicators"][0];
    let id = indicator["id"].as_str().expect("id");
    let csv = app
        .get(
            &format!("/v1/proposals/{}/logic-model?format=csv", case.id),
            Who::Partner,
        )
        .await
        .text()
        .await
        .expect("csv");
    let tail = format!(
        "\r\n\"指標\",\"単位\",\"基準値\",\"目標値\",\"目標期日\",\"対象の列\",\"指標ID\"\r\n\"開催回数\",\"回\",\"0\",\"24\",\"\",\"直接成果\",\"{id}\"\r\n"
    );
    assert!(csv.ends_with(&tail), "{csv}");
    let markdown = app
        .get(
            &format!("/v1/proposals/{}/logic-model?format=markdown", case.id),
            Who::Partner,
        )
        .await
        .text()
        .await
        .expect("markdown");
    assert!(
        markdown.ends_with(&format!(
            "\n### 指標\n\n| 指標 | 単位 | 基準値 | 目標値 | 目標期日 | 対象の列 | 指標ID |\n| --- | --- | --- | --- | --- | --- | --- |\n| 開催回数 | 回 | 0 | 24 |  | 直接成果 | {id} |\n"
        )),
        "{markdown}"
    );
}

#[actix_web::test]
async fn a_measurement_is_dated_between_the_trip_start_and_today_in_japan() {
    let app = TestApp::spawn().await;
    let case = app.case().to(Status::Adopted).await;
    let trip = case.trip_id();
    let indicator = case.logic_model.as_ref().expect("shared")["indicators"][0]["id"].clone();
    let today = date_in_japan(chrono::Utc::now());
    let measure = |on: chrono::NaiveDate| {
        let app = &app;
        let (trip, indicator) = (trip.clone(), indicator.clone());
        async move {
            app.post(
                &format!("/v1/trips/{trip}/measurements"),
                Who::Department,
                &json!({"indicator_id": indicator, "value": 5, "measured_on": on}),
            )
            .await
        }
    };
    // No starts_on: the TRIP starts the day it was created, today.
    let yesterday = today.pred_opt().expect("a day");
    let tomorrow = today.succ_opt().expect("a day");
    for (on, code) in [(tomorrow, "in_the_future"), (yesterday, "before_start")] {
        let refused = problem(measure(on).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["errors"][0]["field"], "measured_on");
        assert_eq!(refused["errors"][0]["code"], code, "{refused}");
    }
    // With a start date set, the day it starts and today are accepted.
    let starts = today - chrono::Days::new(30);
    json(
        app.patch(
            &format!("/v1/trips/{trip}"),
            Who::Department,
            "*",
            &json!({"starts_on": starts}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    problem(
        measure(starts.pred_opt().expect("a day")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    json(measure(starts).await, StatusCode::CREATED).await;
    json(measure(today).await, StatusCode::CREATED).await;
    let recorded = json(
        app.get(&format!("/v1/trips/{trip}/measurements"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    let dates: Vec<&str> = recorded
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["measured_on"].as_str())
        .collect();
    assert_eq!(dates, vec![starts.to_string(), today.to_string()]);
}
