//! HTTP conventions clients expect: compressed responses, conditional
//! reads (`If-None-Match` → 304), `/docs` → `/docs/`, the headers CORS
//! exposes, and the login limit's `RateLimit` fields.

use crate::directory::{create, entry};
use crate::harness::{problem, TestApp, Who, PASSWORD};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use std::io::Read;

fn header<'r>(response: &'r Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The body of `response`, decoded as its `Content-Encoding` says.
async fn decoded(response: Response) -> Vec<u8> {
    let encoding = header(&response, "content-encoding").map(str::to_owned);
    let bytes = response.bytes().await.expect("body");
    let mut out = Vec::new();
    match encoding.as_deref() {
        None => out.extend_from_slice(&bytes),
        Some("gzip") => {
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .expect("gzip");
        }
        Some("br") => {
            brotli::Decompressor::new(&bytes[..], 4096)
                .read_to_end(&mut out)
                .expect("brotli");
        }
        Some(other) => panic!("unexpected encoding {other}"),
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn responses_are_compressed_as_negotiated_and_decode_to_the_same_json() {
    let app = TestApp::builder().demo_directory().spawn().await;
    for path in [
        "/v1/resources/map",
        "/v1/resources?limit=100",
        "/v1/proposals",
    ] {
        let plain = app.get(path, Who::Desk).await;
        assert_eq!(plain.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&plain, "content-encoding"), None, "{path}: identity");
        let plain_bytes = plain.bytes().await.expect("body");
        let expected: Value = serde_json::from_slice(&plain_bytes).expect("json");
        for (accept, encoding) in [("gzip", "gzip"), ("br", "br"), ("br;q=0.5, gzip", "gzip")] {
            let response = app
                .request(Method::GET, path, Who::Desk)
                .header("accept-encoding", accept)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(
                header(&response, "content-encoding"),
                Some(encoding),
                "{path} {accept}"
            );
            assert!(
                header(&response, "vary")
                    .is_some_and(|v| v.to_lowercase().contains("accept-encoding")),
                "{path}: Vary"
            );
            assert!(header(&response, "x-request-id").is_some());
            let body = decoded(response).await;
            let decoded_json: Value = serde_json::from_slice(&body).expect("json");
            assert_eq!(decoded_json, expected, "{path} {accept}");
        }
    }
    // The map of the demo directory shrinks a lot.
    let map = app
        .get("/v1/resources/map", Who::Desk)
        .await
        .bytes()
        .await
        .expect("body");
    let compressed = app
        .request(Method::GET, "/v1/resources/map", Who::Desk)
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("request")
        .bytes()
        .await
        .expect("body");
    assert!(
        compressed.len() * 2 < map.len(),
        "{} vs {}",
        compressed.len(),
        map.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn compressed_problems_still_carry_their_request_id_and_instance() {
    let app = TestApp::spawn().await;
    let response = app
        .request(
            Method::GET,
            "/v1/proposals/00000000-0000-0000-0000-000000000000",
            Who::Desk,
        )
        .header("accept-encoding", "gzip")
        .header("x-request-id", "compressed-problem-1")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        header(&response, "content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        header(&response, "x-request-id"),
        Some("compressed-problem-1")
    );
    let body: Value = serde_json::from_slice(&decoded(response).await).expect("json");
    assert_eq!(body["request_id"], "compressed-problem-1");
    assert_eq!(
        body["instance"],
        "/v1/proposals/00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(body["status"], 404);
}

/// A GET with `If-None-Match: value`.
async fn get_if_none_match(app: &TestApp, path: &str, who: Who, value: &str) -> Response {
    app.request(Method::GET, path, who)
        .header("if-none-match", value)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("request")
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_that_send_an_etag_answer_304_to_a_matching_if_none_match() {
    let app = TestApp::spawn().await;
    let case = app.case().create().await;
    let resource = create(&app, &entry(&app, "座間こども食堂", json!({}))).await;
    let user = app.fixtures.account(Who::Department).id;
    let reads = [
        (format!("/v1/proposals/{}", case.id), Who::Desk),
        (
            format!("/v1/departments/{}", app.fixtures.shimin_kyodo),
            Who::Admin,
        ),
        (format!("/v1/users/{user}"), Who::Admin),
        (
            format!("/v1/resources/{}", resource["id"].as_str().expect("id")),
            Who::Anonymous,
        ),
        ("/v1/kpis/targets".to_owned(), Who::Analyst),
        ("/v1/kpis/targets?format=csv".to_owned(), Who::Analyst),
    ];
    for (path, who) in reads {
        let etag = app.etag(&path, who).await;
        let weak = format!("W/{etag}");
        let list = format!("\"999999\", {etag}, \"other\"");
        for value in [etag.as_str(), weak.as_str(), list.as_str(), "*"] {
            let response = get_if_none_match(&app, &path, who, value).await;
            assert_eq!(
                response.status(),
                StatusCode::NOT_MODIFIED,
                "{path} If-None-Match: {value}"
            );
            assert_eq!(header(&response, "etag"), Some(etag.as_str()), "{path}");
            assert_eq!(header(&response, "content-encoding"), None, "{path}");
            assert!(header(&response, "x-request-id").is_some(), "{path}");
            assert!(
                response.bytes().await.expect("body").is_empty(),
                "{path}: no body"
            );
        }
        // A stale tag reads the resource.
        let stale = get_if_none_match(&app, &path, who, "\"999999\", W/\"0\"").await;
        assert_eq!(stale.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&stale, "etag"), Some(etag.as_str()));
        assert!(!decoded(stale).await.is_empty());
    }
    // A change makes the tag stale: the targets list after a new year.
    let before = app.etag("/v1/kpis/targets", Who::Analyst).await;
    let created = app
        .put(
            "/v1/kpis/targets/2027",
            Who::Desk,
            &json!({"trips_started": 2}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let after = get_if_none_match(&app, "/v1/kpis/targets", Who::Analyst, &before).await;
    assert_eq!(after.status(), StatusCode::OK);
    assert_ne!(header(&after, "etag"), Some(before.as_str()));
    // If-None-Match never bypasses authorization.
    let path = format!("/v1/proposals/{}", case.id);
    let etag = app.etag(&path, Who::Desk).await;
    assert_eq!(
        get_if_none_match(&app, &path, Who::Anonymous, &etag)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_if_none_match(&app, &path, Who::OtherPartner, &etag)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn docs_redirects_to_the_swagger_ui_and_cors_exposes_the_download_name() {
    let app = TestApp::builder()
        .configure(|config| config.cors_origins = vec!["https://app.zama.example.jp".into()])
        .spawn()
        .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let docs = client
        .get(format!("{}/docs", app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(docs.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(header(&docs, "location"), Some("/docs/"));
    let ui = client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(header(&ui, "content-type").is_some_and(|v| v.starts_with("text/html")));

    let response = app
        .request(Method::GET, "/v1/kpis/targets?format=csv", Who::Analyst)
        .header("origin", "https://app.zama.example.jp")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, "content-disposition").is_some());
    let exposed: Vec<String> = header(&response, "access-control-expose-headers")
        .expect("exposed headers")
        .split(',')
        .map(|h| h.trim().to_lowercase())
        .collect();
    for name in [
        "content-disposition",
        "etag",
        "location",
        "retry-after",
        "ratelimit",
        "ratelimit-policy",
    ] {
        assert!(exposed.iter().any(|h| h == name), "{name} in {exposed:?}");
    }
    // A browser may send If-None-Match cross-origin.
    let preflight = app
        .request(Method::OPTIONS, "/v1/kpis/targets", Who::Anonymous)
        .header("origin", "https://app.zama.example.jp")
        .header("access-control-request-method", "GET")
        .header(
            "access-control-request-headers",
            "authorization, if-none-match",
        )
        .send()
        .await
        .expect("request");
    assert!(header(&preflight, "access-control-allow-headers")
        .is_some_and(|v| v.to_lowercase().contains("if-none-match")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_login_limit_sends_ratelimit_fields_and_retry_after() {
    let app = TestApp::builder()
        .configure(|config| {
            config.auth.login_max_failures_per_email = 2;
            config.auth.login_max_attempts_per_address = 5;
            config.auth.login_window_secs = 600;
        })
        .spawn()
        .await;
    let email = app.fixtures.account(Who::Desk).email.clone();
    let policy = "\"address\";q=5;w=600, \"email\";q=2;w=600";
    let remaining = |response: &Response| -> Vec<(String, i64, i64)> {
        let value = header(response, "ratelimit").expect("RateLimit");
        value
            .split(',')
            .map(|item| {
                let mut parts = item.trim().split(';');
                let name = parts.next().expect("name").trim_matches('"').to_owned();
                let mut r = -1;
                let mut t = -1;
                for part in parts {
                    match part.split_once('=') {
                        Some(("r", v)) => r = v.parse().expect("r"),
                        Some(("t", v)) => t = v.parse().expect("t"),
                        _ => panic!("unexpected parameter {part} in {value}"),
                    }
                }
                (name, r, t)
            })
            .collect()
    };

    let ok = app.login(&email, PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(header(&ok, "ratelimit-policy"), Some(policy));
    let state = remaining(&ok);
    assert_eq!(state[0].0, "address");
    assert_eq!(state[0].1, 4);
    assert!((1..=600).contains(&state[0].2));
    assert_eq!((state[1].0.as_str(), state[1].1), ("email", 2));

    let failed = app.login(&email, "wrong wrong wrong").await;
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(&failed, "ratelimit-policy"), Some(policy));
    let state = remaining(&failed);
    assert_eq!((state[0].1, state[1].1), (3, 1));
    assert!(header(&failed, "retry-after").is_none());
    problem(failed, StatusCode::UNAUTHORIZED).await;

    assert_eq!(
        app.login(&email, "wrong again").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let limited = app.login(&email, PASSWORD).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let state = remaining(&limited);
    assert_eq!((state[1].0.as_str(), state[1].1), ("email", 0));
    let retry_after: i64 = header(&limited, "retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=600).contains(&retry_after));
    assert_eq!(state[1].2, retry_after, "t is when the window restarts");
    problem(limited, StatusCode::TOO_MANY_REQUESTS).await;

    // The address limit: five attempts in all, the sixth is refused.
    let other = app.fixtures.account(Who::Admin).email.clone();
    assert_eq!(app.login(&other, PASSWORD).await.status(), StatusCode::OK);
    let refused = app.login(&other, PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        header(&refused, "ratelimit-policy"),
        Some("\"address\";q=5;w=600")
    );
    assert_eq!(remaining(&refused)[0].1, 0);
    assert!(header(&refused, "retry-after").is_some());

    // The client-credentials grant counts in the same address bucket and
    // answers with the same fields.
    let token = app
        .post(
            "/v1/auth/token",
            Who::Anonymous,
            &json!({"grant_type": "client_credentials", "client_id": "bi", "client_secret": "x"}),
        )
        .await;
    assert_eq!(token.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        header(&token, "ratelimit-policy"),
        Some("\"address\";q=5;w=600")
    );
    assert_eq!(remaining(&token)[0].1, 0);
    assert!(header(&token, "retry-after").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_credentials_grant_sends_ratelimit_fields() {
    let app = TestApp::builder()
        .configure(|config| config.auth.login_max_attempts_per_address = 3)
        .spawn()
        .await;
    let body = json!({"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "wrong"});
    for left in [2, 1, 0] {
        let refused = app.post("/v1/auth/token", Who::Anonymous, &body).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        let policy = header(&refused, "ratelimit-policy").expect("RateLimit-Policy");
        assert!(policy.starts_with("\"address\";q=3;w="), "{policy}");
        let current = header(&refused, "ratelimit").expect("RateLimit");
        assert!(
            current.starts_with(&format!("\"address\";r={left};t=")),
            "{current}"
        );
    }
    let limited = app.post("/v1/auth/token", Who::Anonymous, &body).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(header(&limited, "retry-after").is_some());
}
