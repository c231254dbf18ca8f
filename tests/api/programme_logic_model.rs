//! The desk's own logic model (issue 18): seed 000's model served per
//! fiscal year with figures the system computes from the KPIs, the city's
//! own version with figures the desk records, CSV for the annual report.

use crate::harness::{etag_of, json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::fiscal::fiscal_year;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn figures(model: &Value) -> Vec<(String, Option<f64>)> {
    ["outputs", "short_term_outcomes", "mid_term_outcomes"]
        .iter()
        .flat_map(|column| model[column].as_array().cloned().unwrap_or_default())
        .filter(|item| item["figure"]["source"] == "computed")
        .map(|item| {
            (
                item["figure"]["metric"]
                    .as_str()
                    .expect("metric")
                    .to_owned(),
                item["figure"]["value"].as_f64(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn seed_000s_model_is_served_with_the_years_figures_from_the_kpis() {
    let app = TestApp::spawn().await;
    let year = fiscal_year(chrono::Utc::now());
    app.case().to(Status::Adopted).await;
    app.case().to(Status::LogicModel).await;
    app.case().create().await;
    let path = format!("/v1/kpis/programme-logic-model?fiscal_year={year}");
    let model = json(app.get(&path, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(
        (model["saved"].as_bool(), model["version"].as_i64()),
        (Some(false), Some(0))
    );
    assert_eq!(model["municipality_id"], json!(app.fixtures.zama));
    assert_eq!(model["causal_chain"][0], "窓口の明示");
    assert_eq!(model["causal_chain"][6], "地域価値の向上");
    assert_eq!(model["activities"][4], "市民活動・NPO等との連携支援");

    // Every computed figure is the KPI report's, for the same city and year.
    let kpis = json(
        app.get(&format!("/v1/kpis?fiscal_year={year}"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    let funnel = |step: &str| {
        kpis["funnel"]["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|s| s["step"] == step)
            .and_then(|s| s["cases"].as_f64())
    };
    let expected = vec![
        ("proposals_received".to_owned(), Some(3.0)),
        ("cases_coordinated".to_owned(), funnel("hearing")),
        ("matches_made".to_owned(), kpis["matches"]["made"].as_f64()),
        ("cases_formed".to_owned(), Some(2.0)),
        (
            "days_to_coordination".to_owned(),
            kpis["coordination_lead_time"]["median_days"].as_f64(),
        ),
        ("trips_created".to_owned(), Some(1.0)),
        (
            "community_supports".to_owned(),
            kpis["community_supports"]["count"].as_f64(),
        ),
    ];
    assert_eq!(figures(&model), expected);
    assert_eq!(funnel("logic_model"), Some(2.0));
    assert_eq!(
        funnel("hearing"),
        Some(2.0),
        "two cases reached the hearings"
    );

    // As CSV for the annual report: one row per item, the figures filled in.
    let csv = app.get(&format!("{path}&format=csv"), Who::Analyst).await;
    assert_eq!(
        csv.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an analyst names the city"
    );
    let csv = app
        .get(
            &format!("{path}&format=csv&municipality={}", app.fixtures.zama),
            Who::Analyst,
        )
        .await
        .text()
        .await
        .expect("csv");
    assert!(csv.starts_with("\u{feff}\"fiscal_year\",\"column\",\"position\",\"text\",\"source\",\"metric\",\"value\",\"unit\",\"note\"\r\n"));
    assert!(csv.contains(&format!("\"{year}\",\"outputs\",\"1\",\"提案受付件数の増加\",\"computed\",\"proposals_received\",\"3\",\"cases\",\"\"\r\n")), "{csv}");
    assert!(
        csv.contains(&format!("\"{year}\",\"causal_chain\",\"1\",\"窓口の明示\"")),
        "{csv}"
    );
}

#[actix_web::test]
async fn a_city_saves_its_own_model_with_recorded_figures() {
    let app = TestApp::spawn().await;
    let year = fiscal_year(chrono::Utc::now());
    let get = format!("/v1/kpis/programme-logic-model?fiscal_year={year}");
    let put = format!("/v1/kpis/programme-logic-model/{year}");
    let mut model = json(app.get(&get, Who::Desk).await, StatusCode::OK).await;
    // Start from what GET serves: keep the sources, record the survey's figure.
    for column in ["outputs", "short_term_outcomes", "mid_term_outcomes"] {
        for item in model[column].as_array_mut().expect("items") {
            let figure = item["figure"].take();
            item["figure"] = match figure["source"].as_str() {
                Some("computed") => json!({"source": "computed", "metric": figure["metric"]}),
                _ => Value::Null,
            };
        }
    }
    model["mid_term_outcomes"][2]["figure"] = json!({"source": "recorded", "value": 4.2, "unit": "点（5点満点）",
        "as_of": "2026-11-30", "note": "連携先・庁内アンケート（回答23件）"});
    let body = json!({
        "inputs": model["inputs"], "activities": model["activities"], "outputs": model["outputs"],
        "short_term_outcomes": model["short_term_outcomes"], "mid_term_outcomes": model["mid_term_outcomes"],
        "impact": model["impact"], "causal_chain": model["causal_chain"],
    });
    let created = app.put(&put, Who::Desk, &body).await;
    let etag = etag_of(&created);
    let created = json(created, StatusCode::CREATED).await;
    assert_eq!(
        (created["saved"].as_bool(), created["version"].as_i64()),
        (Some(true), Some(1))
    );
    let trust = &created["mid_term_outcomes"][2];
    assert_eq!(trust["text"], "官民連携に対する企業・庁内双方の信頼性向上");
    assert_eq!(
        trust["figure"],
        json!({"source": "recorded", "metric": null, "value": 4.2, "unit": "点（5点満点）",
            "definition": "連携先・庁内アンケート（回答23件）", "as_of": "2026-11-30"})
    );

    // Replacing needs the version read: 428 without, 412 when stale.
    problem(
        app.put(&put, Who::Desk, &body).await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    let mut changed = body.clone();
    changed["causal_chain"] = json!(["窓口の明示", "地域価値の向上"]);
    let replaced = app
        .request(Method::PUT, &put, Who::Admin)
        .header("If-Match", &etag)
        .json(&changed)
        .send()
        .await
        .expect("request");
    assert_eq!(json(replaced, StatusCode::OK).await["version"], 2);
    let stale = app
        .request(Method::PUT, &put, Who::Desk)
        .header("If-Match", &etag)
        .json(&body)
        .send()
        .await
        .expect("request");
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let read = app.get(&get, Who::Desk).await;
    assert_eq!(etag_of(&read), "\"2\"");
    let read = json(read, StatusCode::OK).await;
    assert_eq!(
        read["causal_chain"],
        json!(["窓口の明示", "地域価値の向上"])
    );

    // Another city's desk sees its own (seed 000's), never Zama's; Zama's is 403 to it.
    let ayase = json(app.get(&get, Who::AyaseDesk).await, StatusCode::OK).await;
    assert_eq!(
        (ayase["saved"].as_bool(), ayase["municipality_id"].clone()),
        (Some(false), json!(app.fixtures.ayase))
    );
    problem(
        app.get(
            &format!("{get}&municipality={}", app.fixtures.zama),
            Who::AyaseDesk,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let analyst = json(
        app.get(
            &format!("{get}&municipality={}", app.fixtures.zama),
            Who::Analyst,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(analyst["version"], 2);
}

#[actix_web::test]
async fn a_bad_model_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let put = "/v1/kpis/programme-logic-model/2026";
    for (body, status) in [
        (
            json!({"outputs": [{"text": "x", "figure": {"source": "computed", "metric": "happiness"}}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"outputs": [{"text": "x", "figure": {"source": "guessed", "value": 1}}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"outputs": [{"text": "x", "figure": {"source": "recorded", "value": 1, "unit": ""}}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"inputs": ["x".repeat(501)]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"causal_chain": vec!["x"; 51]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"colour": "blue"}), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let refused = app.put(put, Who::Desk, &body).await;
        assert_eq!(refused.status(), status, "{body}");
        problem(refused, status).await;
    }
    problem(
        app.put("/v1/kpis/programme-logic-model/1999", Who::Desk, &json!({}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let model = json(
        app.get("/v1/kpis/programme-logic-model?fiscal_year=2026", Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(model["saved"], false);
}
