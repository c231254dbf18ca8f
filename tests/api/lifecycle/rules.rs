//! The rules' ages: the platform admin sets the defaults, a city's admin
//! its city's own, under If-Match; a run applies each city's.

use super::support::{count, exec, run};
use crate::harness::{etag_of, json, problem, TestApp, Who};
use diesel::sql_types::{Integer, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

const RULE: &str = "/v1/retention-rules/closed_case_personal_data";

fn find<'a>(list: &'a Value, kind: &str) -> &'a Value {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {list}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_citys_admin_sets_its_own_age_and_the_platform_admin_the_default() {
    let app = TestApp::spawn().await;
    let listed = json(
        app.get("/v1/retention-rules", Who::PlatformAdmin).await,
        StatusCode::OK,
    )
    .await;
    let closed = find(&listed, "closed_case_personal_data");
    assert_eq!(closed["days"], 1825, "{closed}");
    assert_eq!(closed["default_days"], 1825);
    assert!(closed["municipality_days"].is_null());

    // Zama's admin: no own age yet (ETag "0"), then ten years.
    let read = app.get(RULE, Who::Admin).await;
    assert_eq!(etag_of(&read), "\"0\"");
    let set = app
        .patch(RULE, Who::Admin, "\"0\"", &json!({"days": 3650}))
        .await;
    assert_eq!(etag_of(&set), "\"1\"");
    let set = json(set, StatusCode::OK).await;
    assert_eq!(set["days"], 3650, "{set}");
    assert_eq!(set["default_days"], 1825);
    assert_eq!(set["municipality_days"], 3650);
    // Stale and missing If-Match.
    let stale = app
        .patch(RULE, Who::Admin, "\"0\"", &json!({"days": 10}))
        .await;
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let missing = app
        .request(Method::PATCH, RULE, Who::Admin)
        .json(&json!({"days": 10}))
        .send()
        .await
        .expect("request");
    problem(missing, StatusCode::PRECONDITION_REQUIRED).await;
    // The default did not move; the platform admin sees it alone.
    let platform = json(app.get(RULE, Who::PlatformAdmin).await, StatusCode::OK).await;
    assert_eq!(platform["days"], 1825, "{platform}");
    assert!(platform["municipality_days"].is_null());
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM retention_rule_overrides WHERE municipality_id = '{}' \
                 AND kind = 'closed_case_personal_data' AND days = 3650",
                app.fixtures.zama
            )
        )
        .await,
        1
    );

    // The platform admin's default.
    let etag = app.etag(RULE, Who::PlatformAdmin).await;
    assert_eq!(etag, "\"1\"");
    let default = json(
        app.patch(RULE, Who::PlatformAdmin, &etag, &json!({"days": 2555}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(default["days"], 2555);
    assert_eq!(default["version"], 2);
    // Zama still keeps its own.
    let zama = json(app.get(RULE, Who::Admin).await, StatusCode::OK).await;
    assert_eq!(zama["days"], 3650);
    assert_eq!(zama["default_days"], 2555);

    // `null`: Zama back to the default.
    let back = json(
        app.patch(RULE, Who::Admin, "\"1\"", &json!({"days": null}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(back["days"], 2555, "{back}");
    assert!(back["municipality_days"].is_null());
    assert_eq!(back["version"], 0);

    // Audited, and in the desk's feed: Zama's edits for Zama's desk.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'retention_rule.update' \
             AND target_id = 'closed_case_personal_data'"
        )
        .await,
        3
    );
    let feed = json(
        app.get("/v1/events?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    let edits = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == "retention_rule_updated")
        .count();
    assert_eq!(edits, 3, "{feed}");
    let ayase = json(
        app.get("/v1/events?limit=200", Who::AyaseDesk).await,
        StatusCode::OK,
    )
    .await;
    let seen = ayase["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == "retention_rule_updated")
        .count();
    assert_eq!(seen, 1, "Ayase sees the platform's default only: {ayase}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_ages_unknown_rules_and_other_callers_are_refused() {
    let app = TestApp::spawn().await;
    for body in [
        json!({"days": -1}),
        json!({"days": 36501}),
        json!({"days": 1e20}),
        json!({"days": 3.5}),
        json!({"days": "10"}),
        json!({}),
        json!([]),
        json!({"days": 10, "extra": true}),
    ] {
        let response = app.patch(RULE, Who::Admin, "\"0\"", &body).await;
        problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    for raw in [
        r#"{"days": 99999999999999999999}"#,
        r#"{"days": 1e400}"#,
        r#"{"days": "\u0000"}"#,
        "not json",
    ] {
        let response = app
            .request(Method::PATCH, RULE, Who::Admin)
            .header("If-Match", "\"0\"")
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .expect("request");
        let status = response.status();
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{raw}: {status}"
        );
        problem(response, status).await;
    }
    // The default needs a number.
    let response = app
        .patch(RULE, Who::PlatformAdmin, "\"1\"", &json!({"days": null}))
        .await;
    problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let response = app
        .patch(
            "/v1/retention-rules/everything",
            Who::Admin,
            "\"0\"",
            &json!({"days": 10}),
        )
        .await;
    problem(response, StatusCode::NOT_FOUND).await;
    problem(
        app.get("/v1/retention-rules/everything", Who::PlatformAdmin)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for who in [
        Who::Desk,
        Who::Department,
        Who::Partner,
        Who::Analyst,
        Who::AyaseDesk,
    ] {
        let response = app.patch(RULE, who, "\"0\"", &json!({"days": 10})).await;
        problem(response, StatusCode::FORBIDDEN).await;
        problem(
            app.get("/v1/retention-rules", who).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let response = app
        .request(Method::PATCH, RULE, Who::Anonymous)
        .json(&json!({"days": 10}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Nothing was written.
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM retention_rule_overrides").await,
        0
    );
}

/// An unconfirmed intake of `municipality`, `days` old.
async fn intake(app: &TestApp, municipality: Uuid, days: i32) -> Uuid {
    let id = Uuid::now_v7();
    let mut conn = app.owner_conn().await;
    diesel::sql_query(
        "INSERT INTO intake_submissions (id, municipality_id, token_hash, code_hash, status, email, form, \
           terms_version, terms_acknowledged_at, declarations, expires_at, created_at) \
         VALUES ($1, $2, decode(md5($1::text), 'hex'), '\\x00', 'awaiting_confirmation', 'someone@example.jp', '{}', '1', now(), '{}', \
           now() - make_interval(days => $3) + interval '1 hour', now() - make_interval(days => $3))",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(municipality)
    .bind::<Integer, _>(days)
    .execute(&mut conn)
    .await
    .expect("intake");
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_applies_each_citys_own_age() {
    let app = TestApp::spawn().await;
    let (zama, ayase) = (app.fixtures.zama, app.fixtures.ayase);
    // Zama keeps unconfirmed intakes ten days; Ayase has the default (3).
    json(
        app.patch(
            "/v1/retention-rules/unconfirmed_intake",
            Who::Admin,
            "\"0\"",
            &json!({"days": 10}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let zama_young = intake(&app, zama, 5).await;
    let zama_old = intake(&app, zama, 11).await;
    let ayase_old = intake(&app, ayase, 5).await;
    let dry = run(&app, true).await;
    assert_eq!(dry["counts"]["unconfirmed_intake"], 2, "{dry}");
    let ran = run(&app, false).await;
    assert_eq!(ran["counts"]["unconfirmed_intake"], 2, "{ran}");
    let exists =
        |id: Uuid| format!("SELECT count(*) AS n FROM intake_submissions WHERE id = '{id}'");
    assert_eq!(count(&app, &exists(zama_young)).await, 1);
    assert_eq!(count(&app, &exists(zama_old)).await, 0);
    assert_eq!(count(&app, &exists(ayase_old)).await, 0);
    // A city's 0 turns the rule off for it alone.
    exec(
        &app,
        &format!("UPDATE retention_rule_overrides SET days = 0 WHERE municipality_id = '{zama}'"),
    )
    .await;
    let zama_ancient = intake(&app, zama, 400).await;
    let ayase_again = intake(&app, ayase, 4).await;
    let ran = run(&app, false).await;
    assert_eq!(ran["counts"]["unconfirmed_intake"], 1, "{ran}");
    assert_eq!(count(&app, &exists(zama_ancient)).await, 1);
    assert_eq!(count(&app, &exists(ayase_again)).await, 0);
}
