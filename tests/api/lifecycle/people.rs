//! One person anonymized: refused while an open case names them as its
//! contact; then their e-mail, name and ways to sign in are gone from every
//! table, the account kept (disabled) under its id.

use super::support::{columns_containing, count};
use crate::harness::{json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::json;

fn path(id: impl std::fmt::Display) -> String {
    format!("/v1/users/{id}/anonymization")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contact_of_an_open_case_is_refused_and_then_anonymized() {
    let app = TestApp::spawn().await;
    let partner = app.fixtures.account(Who::Partner).clone();
    let mut case = app.case().to(Status::Organizing).await;
    let refused = problem(
        app.post(&path(partner.id), Who::PlatformAdmin, &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .expect("detail")
            .contains(&case.reference),
        "{refused}"
    );
    assert!(!columns_containing(&app, &partner.email).await.is_empty());
    // A partner belongs to no city: a city's admin may not.
    problem(
        app.post(&path(partner.id), Who::Admin, &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    case.to(Status::Withdrawn).await;
    let done = json(
        app.post(&path(partner.id), Who::PlatformAdmin, &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["user_id"], partner.id.to_string(), "{done}");
    assert!(done["counts"]["audit_log"].is_i64(), "{done}");
    assert!(done["counts"]["refresh_tokens"].is_i64(), "{done}");
    // The e-mail is nowhere any more; the account stays, disabled.
    assert_eq!(
        columns_containing(&app, &partner.email).await,
        Vec::<String>::new()
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM users WHERE id = '{}' AND status = 'disabled' \
                 AND password_hash IS NULL AND display_name = '[anonymized]' AND anonymized_at IS NOT NULL \
                 AND email = 'anonymized-{}@invalid'",
                partner.id, partner.id
            )
        )
        .await,
        1
    );
    // Its case still names it by id; its token no longer works.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM proposals WHERE id = '{}' AND created_by = '{}'",
                case.id, partner.id
            )
        )
        .await,
        1
    );
    assert_eq!(
        app.get("/v1/me", Who::Partner).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Audited with counts only, in the desk's feed.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM audit_log WHERE action = 'user.anonymize' AND target_id = '{}'",
                partner.id
            )
        )
        .await,
        1
    );
    // Twice: 409.
    problem(
        app.post(&path(partner.id), Who::PlatformAdmin, &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_citys_admin_anonymizes_its_staff_only_and_never_itself() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let department = f.account(Who::OtherDepartment).clone();
    let ayase = f.account(Who::AyaseDepartment).clone();
    // Another city's person: 404; oneself: 409; not an admin: 403.
    problem(
        app.post(&path(ayase.id), Who::Admin, &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.post(&path(f.account(Who::Admin).id), Who::Admin, &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        app.post(&path(uuid::Uuid::now_v7()), Who::Admin, &json!({}))
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
        problem(
            app.post(&path(department.id), who, &json!({})).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_eq!(
        app.post(&path(department.id), Who::Anonymous, &json!({}))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM users WHERE anonymized_at IS NOT NULL"
        )
        .await,
        0
    );
    // A subscription of theirs stops delivering.
    let subscription = json(
        app.post(
            "/v1/webhook-subscriptions",
            Who::OtherDepartment,
            &json!({"callback_url": "https://8.8.8.8/living-gate"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let done = json(
        app.post(&path(department.id), Who::Admin, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["counts"]["webhook_subscriptions"], 1, "{done}");
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM webhook_subscriptions WHERE id = '{}' AND state = 'paused'",
                subscription["id"].as_str().expect("id")
            )
        )
        .await,
        1
    );
    assert_eq!(
        columns_containing(&app, &department.email).await,
        Vec::<String>::new()
    );
    let feed = json(
        app.get("/v1/events?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        feed["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["kind"] == "user_anonymized" && e["subject_id"] == department.id.to_string()),
        "{feed}"
    );
}
