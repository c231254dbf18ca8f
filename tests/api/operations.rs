//! Operations: health, readiness, request ids, and problem+json for every
//! error the framework itself produces.

use crate::helpers::{json, problem, test_config, TestApp, Who};
use living_gate_api::auth::keys::{generate_pem, KeySet};
use living_gate_api::http::app;
use living_gate_api::state::AppState;
use living_gate_db::{build_pool, PoolSettings};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn healthz_and_readyz_answer_200() {
    let app = TestApp::spawn().await;
    assert_eq!(
        json(app.get("/healthz", Who::Anonymous).await, StatusCode::OK).await,
        json!({"status": "ok"})
    );
    assert_eq!(
        json(app.get("/readyz", Who::Anonymous).await, StatusCode::OK).await,
        json!({"status": "ok"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn readyz_is_503_problem_when_the_database_is_unreachable() {
    // A pool pointing at a port where nothing listens.
    let settings = PoolSettings {
        wait_timeout: Duration::from_secs(2),
        create_timeout: Duration::from_secs(2),
        ..PoolSettings::default()
    };
    let pool = build_pool("postgres://postgres@127.0.0.1:9/nothing", &settings).expect("pool");
    let config = test_config();
    let state = AppState::new(
        pool,
        KeySet::from_pem(&generate_pem(), "test").expect("keys"),
        config.auth,
        living_gate_api::http::openapi::document(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = listener.local_addr().expect("addr").port();
    let server = actix_web::HttpServer::new(move || app::build(state.clone(), &[]))
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
    let handle = server.handle();
    tokio::spawn(server);
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let body = problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
    // The cause (connection refused, the address) stays in the log.
    let text = body.to_string();
    assert!(
        !text.contains("127.0.0.1:9") && !text.to_lowercase().contains("refused"),
        "{text}"
    );
    let live = client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        live.status(),
        StatusCode::OK,
        "liveness does not depend on the database"
    );
    handle.stop(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_are_404_problems() {
    let app = TestApp::spawn().await;
    let body = problem(
        app.get("/v1/no-such-thing", Who::Admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["instance"], "/v1/no-such-thing");
    problem(app.get("/", Who::Anonymous).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_methods_are_405_with_allow() {
    let app = TestApp::spawn().await;
    let response = app
        .request(Method::DELETE, "/v1/municipalities", Who::Admin)
        .send()
        .await
        .expect("request");
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET, POST")
    );
    problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    let id = app.fixtures.zama;
    let response = app
        .request(Method::PUT, &format!("/v1/municipalities/{id}"), Who::Admin)
        .send()
        .await
        .expect("request");
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET, PATCH")
    );
    problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_over_256_kib_are_413_and_change_nothing() {
    let app = TestApp::spawn().await;
    let count = async || {
        let list = json(
            app.get("/v1/organizations?limit=200", Who::Desk).await,
            StatusCode::OK,
        )
        .await;
        list["items"].as_array().map(Vec::len)
    };
    let before = count().await;
    let body = json!({"name": "x".repeat(300 * 1024), "kind": "company"});
    let response = app.post("/v1/organizations", Who::Desk, &body).await;
    problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(count().await, before, "nothing was created");
    // Just under the limit is accepted by the transport (and judged by validation).
    let body = json!({"name": "x".repeat(250 * 1024), "kind": "company"});
    let response = app.post("/v1/organizations", Who::Desk, &body).await;
    problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn non_json_bodies_are_415() {
    let app = TestApp::spawn().await;
    let response = app
        .request(Method::POST, "/v1/organizations", Who::Desk)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .expect("request");
    problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_400_and_wrong_types_or_unknown_fields_are_422() {
    let app = TestApp::spawn().await;
    let malformed = app
        .request(Method::POST, "/v1/organizations", Who::Desk)
        .header("content-type", "application/json")
        .body("{\"name\": \"x\",")
        .send()
        .await
        .expect("request");
    problem(malformed, StatusCode::BAD_REQUEST).await;
    let wrong_type = app
        .post(
            "/v1/organizations",
            Who::Desk,
            &json!({"name": 42, "kind": "company"}),
        )
        .await;
    let body = problem(wrong_type, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["code"], "invalid_field");
    let unknown = app
        .post(
            "/v1/organizations",
            Who::Desk,
            &json!({"name": "x", "kind": "company", "is_admin": true}),
        )
        .await;
    let body = problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is_admin")),
        "{body}"
    );
    let bad_enum = app
        .post(
            "/v1/organizations",
            Who::Desk,
            &json!({"name": "x", "kind": "cartel"}),
        )
        .await;
    problem(bad_enum, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let response = app
        .request(Method::GET, "/healthz", Who::Anonymous)
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .expect("request");
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-abc-123")
    );
    let generated = app.get("/healthz", Who::Anonymous).await;
    let id = generated
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("generated id");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    // A header that could forge log lines is replaced.
    let forged = app
        .request(Method::GET, "/healthz", Who::Anonymous)
        .header("x-request-id", "a b")
        .send()
        .await
        .expect("request");
    assert_ne!(
        forged
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("a b")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_allows_configured_origins_only() {
    let mut config = test_config();
    config.cors_origins = vec!["https://app.zama.example.jp".into()];
    let app = TestApp::spawn_with(config).await;
    let preflight = |origin: &'static str| {
        app.request(Method::OPTIONS, "/v1/me", Who::Anonymous)
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let allowed = preflight("https://app.zama.example.jp")
        .await
        .expect("request");
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://app.zama.example.jp")
    );
    let refused = preflight("https://evil.example").await.expect("request");
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_keys_replay_the_first_response_instead_of_creating_twice() {
    let app = TestApp::spawn().await;
    let send = |who: Who, key: &'static str, name: &'static str| {
        app.request(Method::POST, "/v1/organizations", who)
            .header("idempotency-key", key)
            .json(&json!({"name": name, "kind": "npo"}))
            .send()
    };
    let first = send(Who::Desk, "retry-1", "一度だけ作られるNPO")
        .await
        .expect("request");
    assert!(first.headers().get("idempotency-replayed").is_none());
    let first = json(first, StatusCode::CREATED).await;
    let again = send(Who::Desk, "retry-1", "一度だけ作られるNPO")
        .await
        .expect("request");
    assert_eq!(
        again
            .headers()
            .get("idempotency-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert!(again.headers().get("location").is_some() && again.headers().get("etag").is_some());
    assert_eq!(
        json(again, StatusCode::CREATED).await,
        first,
        "the same response, byte for byte"
    );
    let search = app
        .request(Method::GET, "/v1/organizations", Who::Desk)
        .query(&[("q", "一度だけ")])
        .send()
        .await
        .expect("search");
    assert_eq!(
        json(search, StatusCode::OK).await["items"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "created once"
    );
    // The same key with another body is a client bug.
    problem(
        send(Who::Desk, "retry-1", "別のNPO")
            .await
            .expect("request"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Keys belong to their caller: an admin's "retry-1" is a new request.
    let admins = json(
        send(Who::Admin, "retry-1", "管理者のNPO")
            .await
            .expect("request"),
        StatusCode::CREATED,
    )
    .await;
    assert_ne!(admins["id"], first["id"]);
}
