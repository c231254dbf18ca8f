//! Operations: health, readiness, request ids, and problem+json for every
//! error the framework itself produces.

use crate::harness::{json, problem, DeadDatabase, TestApp, Who, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn healthz_and_readyz_answer_200() {
    let app = TestApp::spawn().await;
    assert_eq!(
        json(app.get("/healthz", Who::Anonymous).await, StatusCode::OK).await,
        json!({"status": "ok"})
    );
    assert_eq!(
        json(app.get("/readyz", Who::Anonymous).await, StatusCode::OK).await,
        json!({"status": "ok", "details": {"backups": {
            // The test app keeps no backups and its server archives no WAL.
            "status": "off", "last_base_backup_age_seconds": null, "wal_archive_failing": false
        }}})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn readyz_is_503_problem_when_the_database_is_unreachable() {
    // The app's pool points at a port where nothing listens.
    let app = TestApp::builder()
        .dead_database(DeadDatabase::ServerDown)
        .spawn()
        .await;
    let response = app.get("/readyz", Who::Anonymous).await;
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
    let live = app.get("/healthz", Who::Anonymous).await;
    assert_eq!(
        live.status(),
        StatusCode::OK,
        "liveness does not depend on the database"
    );
}

/// crates.io's unhealthy-database test: the app served, then its database
/// went away. Readiness and every database-backed endpoint answer 503
/// problem+json with `Retry-After`, and no cause reaches the client.
#[tokio::test(flavor = "multi_thread")]
async fn database_backed_endpoints_are_503_problems_once_the_database_is_gone() {
    let app = TestApp::builder()
        .dead_database(DeadDatabase::Dropped)
        .spawn()
        .await;
    let calls = [
        (Method::GET, "/readyz", Who::Anonymous, None),
        (Method::GET, "/v1/proposals", Who::Desk, None),
        (Method::GET, "/v1/me", Who::Partner, None),
        (Method::GET, "/v1/resources", Who::Anonymous, None),
        (
            Method::POST,
            "/v1/organizations",
            Who::Desk,
            Some(json!({"name": "届かない株式会社", "kind": "company"})),
        ),
        (
            Method::POST,
            "/v1/auth/login",
            Who::Anonymous,
            Some(json!({"email": app.fixtures.account(Who::Desk).email, "password": PASSWORD})),
        ),
    ];
    for (method, path, who, body) in calls {
        let mut request = app.request(method.clone(), path, who);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("5"),
            "{method} {path}"
        );
        let body = problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
        let text = body.to_string();
        assert!(
            !text.contains(&app.db.name) && !text.contains("does not exist"),
            "{method} {path}: {text}"
        );
    }
    assert_eq!(
        app.get("/healthz", Who::Anonymous).await.status(),
        StatusCode::OK,
        "liveness does not depend on the database"
    );
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
        .request(Method::DELETE, "/v1/municipalities", Who::PlatformAdmin)
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
        .request(
            Method::PUT,
            &format!("/v1/municipalities/{id}"),
            Who::PlatformAdmin,
        )
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
    let app = TestApp::builder()
        .configure(|config| config.cors_origins = vec!["https://app.zama.example.jp".into()])
        .spawn()
        .await;
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
