//! Subscribing: the secret shown once and sealed at rest, refused callback
//! URLs (SSRF), filters the owner may not name, who may see whose.

use super::subscribe;
use crate::harness::{etag_of, json, problem, Receiver, TestApp, Who};
use diesel::sql_types::{Bytea, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::json;

#[derive(QueryableByName)]
struct Sealed {
    #[diesel(sql_type = Bytea)]
    secret_sealed: Vec<u8>,
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secret_is_shown_once_and_stored_sealed() {
    let app = TestApp::builder()
        .configure(|c| {
            c.webhooks.allow_http = true;
            c.webhooks.allowed_networks = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .spawn()
        .await;
    let receiver = Receiver::start().await;
    let (created, secret) = subscribe(&app, Who::Department, &receiver, json!({})).await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["state"], "active");
    let read = json(
        app.get(&format!("/v1/webhook-subscriptions/{id}"), Who::Department)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(read.get("secret").is_none(), "shown again: {read}");
    let listed = json(
        app.get("/v1/webhook-subscriptions", Who::Department).await,
        StatusCode::OK,
    )
    .await;
    assert!(!listed.to_string().contains(&secret));
    // At rest: neither the secret nor its key bytes are in the row.
    let mut conn = app.conn().await;
    let row: Sealed =
        diesel::sql_query("SELECT secret_sealed FROM webhook_subscriptions WHERE id = $1")
            .bind::<SqlUuid, _>(id.parse::<uuid::Uuid>().unwrap())
            .get_result(&mut conn)
            .await
            .unwrap();
    assert!(!row
        .secret_sealed
        .windows(secret.len())
        .any(|w| w == secret.as_bytes()));
    let opened = app
        .state
        .sealing
        .open(&format!("webhook-secret:{id}"), &row.secret_sealed)
        .unwrap();
    assert_eq!(opened, secret.as_bytes());
    // Rotating shows a new one, once.
    let rotated = json(
        app.post(
            &format!("/v1/webhook-subscriptions/{id}/secret-rotations"),
            Who::Department,
            &json!({"overlap_seconds": 60}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert!(rotated["previous_secret_expires_at"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_and_plain_http_callbacks_are_refused_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    for (url, code) in [
        ("http://8.8.8.8/hook", "https_required"),
        ("https://127.0.0.1/hook", "forbidden_address"),
        ("https://localhost/hook", "forbidden_address"),
        ("https://[::1]/hook", "forbidden_address"),
        (
            "https://169.254.169.254/latest/meta-data",
            "forbidden_address",
        ),
        ("https://10.1.2.3/hook", "forbidden_address"),
        ("https://192.168.0.10/hook", "forbidden_address"),
        ("https://[::ffff:127.0.0.1]/hook", "forbidden_address"),
        ("https://user:pass@8.8.8.8/hook", "credentials_in_url"),
        ("ftp://8.8.8.8/hook", "invalid_url"),
        ("not a url", "invalid_url"),
        ("https://no-such-host.invalid/hook", "unresolvable"),
    ] {
        let response = app
            .post(
                "/v1/webhook-subscriptions",
                Who::Desk,
                &json!({"callback_url": url}),
            )
            .await;
        let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], "callback_url", "{url}: {body}");
        assert_eq!(body["errors"][0]["code"], code, "{url}: {body}");
    }
    let listed = json(
        app.get("/v1/webhook-subscriptions", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"], json!([]));
    // A PATCH to an internal address is refused too, and changes nothing.
    let created = json(
        app.post(
            "/v1/webhook-subscriptions",
            Who::Desk,
            &json!({"callback_url": "https://8.8.8.8/hook"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!(
        "/v1/webhook-subscriptions/{}",
        created["id"].as_str().unwrap()
    );
    let etag = app.etag(&path, Who::Desk).await;
    let refused = app
        .patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"callback_url": "https://127.0.0.1/x"}),
        )
        .await;
    problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let read = json(app.get(&path, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(read["callback_url"], "https://8.8.8.8/hook");
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_must_name_what_the_owner_sees_and_others_cannot_reach_a_subscription() {
    let app = TestApp::spawn().await;
    let case = app.case().title("非公開案件").create().await;
    // The department is not involved in the case: it may not filter on it.
    let refused = app
        .post(
            "/v1/webhook-subscriptions",
            Who::Department,
            &json!({"callback_url": "https://8.8.8.8/hook", "proposal_id": case.id}),
        )
        .await;
    let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "proposal_id");
    // Ayase's department is not a Zama desk's to filter on.
    let refused = app
        .post(
            "/v1/webhook-subscriptions",
            Who::Desk,
            &json!({"callback_url": "https://8.8.8.8/hook", "department_id": app.fixtures.account(Who::AyaseDepartment).department_id}),
        )
        .await;
    problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let created = app
        .post(
            "/v1/webhook-subscriptions",
            Who::Desk,
            &json!({"callback_url": "https://8.8.8.8/hook", "proposal_id": case.id, "kinds": ["status_changed", "status_changed"]}),
        )
        .await;
    let etag = etag_of(&created);
    let created = json(created, StatusCode::CREATED).await;
    assert_eq!(created["kinds"], json!(["status_changed"]));
    let path = format!(
        "/v1/webhook-subscriptions/{}",
        created["id"].as_str().unwrap()
    );
    for who in [
        Who::AyaseDesk,
        Who::Department,
        Who::Partner,
        Who::AyaseDepartment,
    ] {
        let response = app.get(&path, who).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{who:?}");
        let listed = json(
            app.get("/v1/webhook-subscriptions", who).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(listed["items"], json!([]), "{who:?}");
    }
    // Zama's admin manages it (pauses it), without case content.
    let paused = app
        .patch(&path, Who::Admin, &etag, &json!({"state": "paused"}))
        .await;
    let paused = json(paused, StatusCode::OK).await;
    assert_eq!(paused["state"], "paused");
    // A stale If-Match, and `failing`, are refused.
    let stale = app
        .patch(&path, Who::Desk, &etag, &json!({"state": "active"}))
        .await;
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let etag = app.etag(&path, Who::Desk).await;
    let failing = app
        .patch(&path, Who::Desk, &etag, &json!({"state": "failing"}))
        .await;
    problem(failing, StatusCode::UNPROCESSABLE_ENTITY).await;
    // A replay beyond the feed's end is refused.
    let replay = app
        .post(
            &format!("{path}/replays"),
            Who::Desk,
            &json!({"from_position": 1_000_000}),
        )
        .await;
    problem(replay, StatusCode::UNPROCESSABLE_ENTITY).await;
    // Analysts and the platform admin have no feed to subscribe to.
    for who in [Who::Analyst, Who::PlatformAdmin, Who::Admin] {
        let response = app
            .post(
                "/v1/webhook-subscriptions",
                who,
                &json!({"callback_url": "https://8.8.8.8/hook"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{who:?}");
    }
}
