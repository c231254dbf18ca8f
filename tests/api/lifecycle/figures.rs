//! The figures do not move: `GET /v1/kpis` (a city's, every city's, as
//! CSV), the timeseries and every BI view of the `kpi` schema return
//! exactly the same before and after closed cases are anonymized and a
//! person is.

use super::support::{age, closed_case, exec, mark, run};
use crate::harness::{json, TestApp, Who};
use diesel::sql_types::{Jsonb, Text};
use diesel_async::RunQueryDsl;
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct Rows {
    #[diesel(sql_type = Jsonb)]
    rows: Value,
}

/// Every figure a reader can reach, by where it was read.
async fn figures(app: &TestApp) -> Vec<(String, String)> {
    let fy = living_gate_domain::fiscal::fiscal_year(chrono::Utc::now());
    let mut out = Vec::new();
    for (who, path) in [
        (Who::Desk, format!("/v1/kpis?fiscal_year={fy}")),
        (Who::PlatformAdmin, format!("/v1/kpis?fiscal_year={fy}")),
        (
            Who::Analyst,
            format!("/v1/kpis?fiscal_year={fy}&format=csv"),
        ),
        (
            Who::Desk,
            format!(
                "/v1/kpis/timeseries?metric=proposals_received&from={}-04&to={}-03",
                fy - 7,
                fy + 1
            ),
        ),
        (
            Who::Desk,
            format!(
                "/v1/kpis/timeseries?metric=adoption_rate_of_decided&from={}-04&to={}-03",
                fy - 7,
                fy + 1
            ),
        ),
        (
            Who::Desk,
            format!(
                "/v1/kpis/timeseries?metric=hearings_held&bucket=fiscal_year&from={}-04&to={}-03",
                fy - 7,
                fy + 1
            ),
        ),
        (
            Who::Desk,
            format!(
                "/v1/kpis/timeseries?metric=receipt_to_decision_median_days&from={}-04&to={}-03",
                fy - 7,
                fy + 1
            ),
        ),
    ] {
        let response = app.get(&path, who).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let mut body = response.text().await.expect("body");
        if let Ok(mut value) = serde_json::from_str::<Value>(&body) {
            // When it was read is not a figure.
            if let Some(object) = value.as_object_mut() {
                object.remove("generated_at");
                object.remove("as_of");
            }
            body = value.to_string();
        }
        out.push((path, body));
    }
    let mut conn = app.owner_conn().await;
    let views: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.views WHERE table_schema = 'kpi' ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .expect("views");
    assert!(views.len() >= 5, "the BI views");
    for view in views {
        let rows: Rows = diesel::sql_query(format!(
            "SELECT coalesce(jsonb_agg(to_jsonb(v) ORDER BY to_jsonb(v)::text), '[]') AS rows FROM kpi.\"{}\" v",
            view.name
        ))
        .get_result(&mut conn)
        .await
        .expect("view");
        out.push((format!("kpi.{}", view.name), rows.rows.to_string()));
    }
    for table in ["kpi_facts", "kpi_histograms", "kpi_year_histograms"] {
        let rows: Rows = diesel::sql_query(format!(
            "SELECT coalesce(jsonb_agg(to_jsonb(t) - 'updated_at' - 'created_at' ORDER BY to_jsonb(t)::text), '[]') AS rows FROM {table} t"
        ))
        .get_result(&mut conn)
        .await
        .expect("facts");
        out.push((table.to_owned(), rows.rows.to_string()));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_figures_are_the_same_before_and_after_anonymizing() {
    let app = TestApp::spawn().await;
    // Closed six years ago: declined (messages, a hearing), withdrawn,
    // adopted with its TRIP over, not adopted; and one still open.
    closed_case(&app, &mark(), 6).await;
    let mut withdrawn = app.case().to(Status::Organizing).await;
    withdrawn.to(Status::Withdrawn).await;
    age(&app, &withdrawn.id, 6).await;
    let adopted = app.case().to(Status::Adopted).await;
    exec(
        &app,
        &format!(
            "UPDATE trips SET status = 'completed' WHERE id = '{}'",
            adopted.trip_id()
        ),
    )
    .await;
    age(&app, &adopted.id, 6).await;
    let not_adopted = app.case().to(Status::NotAdopted).await;
    age(&app, &not_adopted.id, 6).await;
    let recent = closed_case(&app, &mark(), 0).await;
    let open = app.case().to(Status::Matching).await;

    let before = figures(&app).await;
    let ran = run(&app, false).await;
    assert_eq!(ran["counts"]["closed_case_personal_data"], 4, "{ran}");
    let after_cases = figures(&app).await;
    for ((what, was), (_, is)) in before.iter().zip(&after_cases) {
        assert_eq!(was, is, "{what} changed when closed cases were anonymized");
    }
    assert_eq!(before.len(), after_cases.len());

    // The partner (contact of every case) once its last open case closes,
    // and a department's member who answered the hearings.
    let mut open = open;
    open.to(Status::Withdrawn).await;
    let before = figures(&app).await;
    for who in [Who::Partner, Who::Department] {
        json(
            app.post(
                &format!("/v1/users/{}/anonymization", app.fixtures.account(who).id),
                Who::PlatformAdmin,
                &json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    let after_people = figures(&app).await;
    for ((what, was), (_, is)) in before.iter().zip(&after_people) {
        assert_eq!(was, is, "{what} changed when people were anonymized");
    }
    let _ = recent;
}
