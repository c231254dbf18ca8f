//! A boundary that never answers 500 to bad input: NUL in any string of
//! any operation of the document (body, query, path) is 422; date-derived
//! filters are bounded as the document says; what actix's parser refuses
//! never reaches ERROR; authentication comes before `If-Match`.

use crate::harness::{openapi_document, problem, TestApp, Who, MAX_YEAR, MIN_YEAR};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The operations of the document: method, path template and operation.
fn operations(document: &Value) -> Vec<(Method, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if let Ok(method) = method.to_uppercase().parse::<Method>() {
                found.push((method, path.clone(), operation.clone()));
            }
        }
    }
    found
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            resolve(document, &document["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// A body of the operation's JSON schema: its example, else its string
/// properties set to "x".
fn example_body(document: &Value, operation: &Value) -> Option<Value> {
    let content = &operation["requestBody"]["content"]["application/json"];
    if content.is_null() {
        return None;
    }
    if !content["example"].is_null() {
        return Some(content["example"].clone());
    }
    let schema = resolve(document, &content["schema"]);
    if !schema["example"].is_null() {
        return Some(schema["example"].clone());
    }
    let mut body = serde_json::Map::new();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let property = resolve(document, property);
        if property["type"] == "string" || property["type"] == json!(["string", "null"]) {
            body.insert(name.clone(), json!("x"));
        }
    }
    Some(Value::Object(body))
}

/// Every variant of `body` with one string leaf carrying a NUL.
fn with_nul_in_each_string(body: &Value) -> Vec<Value> {
    fn walk(value: &Value, at: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
        match value {
            Value::String(_) => out.push(at.clone()),
            Value::Array(items) => items.iter().enumerate().for_each(|(i, item)| {
                at.push(PathStep::Index(i));
                walk(item, at, out);
                at.pop();
            }),
            Value::Object(members) => members.iter().for_each(|(name, member)| {
                at.push(PathStep::Key(name.clone()));
                walk(member, at, out);
                at.pop();
            }),
            _ => {}
        }
    }
    let mut leaves = Vec::new();
    walk(body, &mut Vec::new(), &mut leaves);
    leaves
        .into_iter()
        .map(|leaf| {
            let mut variant = body.clone();
            let mut target = &mut variant;
            for step in &leaf {
                target = match step {
                    PathStep::Index(i) => &mut target[*i],
                    PathStep::Key(k) => &mut target[k.as_str()],
                };
            }
            *target = json!(format!("{}\u{0}", target.as_str().unwrap_or_default()));
            variant
        })
        .collect()
}

#[derive(Clone)]
enum PathStep {
    Index(usize),
    Key(String),
}

/// A caller who may call the operation, where one role obviously may.
fn caller_for(path: &str, operation: &Value) -> Who {
    // Public operations declare one empty security requirement.
    let secured = operation["security"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|requirement| requirement.as_object().is_some_and(|r| !r.is_empty()));
    if !secured {
        return Who::Anonymous;
    }
    let admin_rooms = [
        "/v1/users",
        "/v1/municipalities",
        "/v1/departments",
        "/v1/service-accounts",
        "/v1/audit",
        "/v1/taxonomy",
    ];
    if admin_rooms.iter().any(|room| path.starts_with(room)) {
        Who::Admin
    } else {
        Who::Desk
    }
}

/// The path with every parameter filled: UUIDs, numbers, or `text`.
fn fill(path: &str, operation: &Value, text: &str) -> String {
    let mut filled = path.to_owned();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] != "path" {
            continue;
        }
        let name = parameter["name"].as_str().expect("name");
        let schema = &parameter["schema"];
        let value = if schema["format"] == "uuid" {
            "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01".to_owned()
        } else if schema["type"] == "integer" {
            "2026".to_owned()
        } else {
            text.to_owned()
        };
        filled = filled.replace(&format!("{{{name}}}"), &value);
    }
    filled
}

fn string_parameters<'a>(operation: &'a Value, place: &str) -> Vec<&'a str> {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == place)
        .filter(|p| p["schema"]["format"] != "uuid" && p["schema"]["type"] != "integer")
        .filter_map(|p| p["name"].as_str())
        .collect()
}

async fn assert_refused(response: reqwest::Response, what: &str) -> Value {
    let status = response.status();
    assert!(!status.is_server_error(), "{what}: {status}");
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        body["errors"]
            .as_array()
            .is_some_and(|errors| !errors.is_empty()),
        "{what}: {body}"
    );
    body
}

#[tokio::test]
async fn every_operation_refuses_nul_in_every_string_and_never_answers_5xx() {
    let app = TestApp::spawn().await;
    let document = serde_json::to_value(openapi_document()).expect("document");
    let (mut sent, mut as_invalid_character) = (0, 0);
    for (method, path, operation) in operations(&document) {
        let who = caller_for(&path, &operation);
        let target = fill(&path, &operation, "x");
        for body in example_body(&document, &operation)
            .iter()
            .flat_map(with_nul_in_each_string)
        {
            let what = format!("{method} {path} body {body}");
            let response = app
                .request(method.clone(), &target, who)
                .json(&body)
                .send()
                .await
                .expect("request");
            let refusal = assert_refused(response, &what).await;
            if refusal["errors"][0]["code"] == "invalid_character" {
                as_invalid_character += 1;
            }
            sent += 1;
        }
        for name in string_parameters(&operation, "query") {
            let what = format!("{method} {path}?{name}=%00");
            let response = app
                .request(method.clone(), &format!("{target}?{name}=a%00"), who)
                .send()
                .await
                .expect("request");
            let body = assert_refused(response, &what).await;
            assert_eq!(body["errors"][0]["code"], "invalid_character", "{what}");
            assert_eq!(body["errors"][0]["field"], name, "{what}");
            sent += 1;
        }
        if !string_parameters(&operation, "path").is_empty() {
            let what = format!("{method} {path} with %00 in the path");
            let response = app
                .request(method.clone(), &fill(&path, &operation, "a%00"), who)
                .send()
                .await
                .expect("request");
            let body = assert_refused(response, &what).await;
            assert_eq!(body["errors"][0]["code"], "invalid_character", "{what}");
            sent += 1;
        }
    }
    eprintln!("{sent} requests; {as_invalid_character} bodies refused as invalid_character");
    assert!(
        sent > 100,
        "only {sent} requests: the walk found too little"
    );
    assert!(
        as_invalid_character > 50,
        "{as_invalid_character}: most NULs should be named as such"
    );
}

#[tokio::test]
async fn the_known_nuls_are_invalid_characters_of_their_field() {
    let app = TestApp::spawn().await;
    let response = app.login("desk\u{0}@zama.example", "password").await;
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["code"], "invalid_character");
    assert_eq!(body["errors"][0]["field"], "email");

    let form = app
        .client
        .post(format!("{}/v1/auth/token", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=a%00&client_secret=s")
        .send()
        .await
        .expect("request");
    let body = problem(form, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "client_id");
    assert_eq!(body["errors"][0]["code"], "invalid_character");

    let audit = app.get("/v1/audit?action=%00", Who::Admin).await;
    let body = problem(audit, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "action");
    assert_eq!(body["errors"][0]["code"], "invalid_character");

    let nested = app
        .post(
            "/v1/proposals",
            Who::Partner,
            &json!({"kind": "proposal", "title": "t", "summary": "s", "themes": ["community_support"],
                    "policy_areas": ["ok", "a\u{0}"], "channel": "web"}),
        )
        .await;
    let body = problem(nested, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "policy_areas[1]");

    // Text that merely looks like an escape is fine.
    let fine = app.get("/v1/audit?action=%2500", Who::Admin).await;
    assert_eq!(fine.status(), StatusCode::OK);
}

#[tokio::test]
async fn date_derived_filters_are_bounded_as_documented() {
    let app = TestApp::spawn().await;
    let document = serde_json::to_value(openapi_document()).expect("document");
    for (path, name) in [
        ("/v1/proposals", "fiscal_year"),
        ("/v1/kpis", "fiscal_year"),
    ] {
        let parameter = document["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == name)
            .expect("documented")
            .clone();
        assert_eq!(parameter["schema"]["minimum"], MIN_YEAR, "{path} {name}");
        assert_eq!(parameter["schema"]["maximum"], MAX_YEAR, "{path} {name}");
    }
    let refused = [
        ("/v1/proposals?fiscal_year=300000", Who::Desk),
        ("/v1/proposals?fiscal_year=-5", Who::Desk),
        ("/v1/proposals?fiscal_year=1999", Who::Desk),
        ("/v1/proposals?fiscal_year=2201", Who::Desk),
        ("/v1/proposals?fiscal_year=99999999999", Who::Desk),
        (
            "/v1/proposals?received_from=9999-01-01T00:00:00Z",
            Who::Desk,
        ),
        ("/v1/proposals?received_to=0001-01-01T00:00:00Z", Who::Desk),
        (
            "/v1/proposals?received_from=%2B200000-01-01T00:00:00Z",
            Who::Desk,
        ),
        (
            "/v1/proposals?received_to=-200000-01-01T00:00:00Z",
            Who::Desk,
        ),
        ("/v1/audit?from=9999-12-31T00:00:00Z", Who::Admin),
        ("/v1/audit?to=0001-01-01T00:00:00Z", Who::Admin),
        ("/v1/audit?from=%2B262000-01-01T00:00:00Z", Who::Admin),
        ("/v1/kpis?fiscal_year=300000", Who::Desk),
        ("/v1/kpis?fiscal_year=-1", Who::Desk),
        (
            "/v1/kpis/timeseries?metric=proposals_received&from=300000-01",
            Who::Desk,
        ),
        (
            "/v1/kpis/timeseries?metric=proposals_received&to=1999-12",
            Who::Desk,
        ),
        (
            "/v1/kpis/timeseries?metric=proposals_received&from=-4000-01-01",
            Who::Desk,
        ),
    ];
    for (path, who) in refused {
        let response = app.get(path, who).await;
        assert!(!response.status().is_server_error(), "{path}");
        problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let target = app
        .put(
            "/v1/kpis/targets/300000",
            Who::Desk,
            &json!({"trips_started": 1}),
        )
        .await;
    problem(target, StatusCode::UNPROCESSABLE_ENTITY).await;
    for path in [
        format!("/v1/proposals?fiscal_year={MIN_YEAR}"),
        format!("/v1/proposals?fiscal_year={MAX_YEAR}"),
        "/v1/proposals?received_from=1900-01-01T00:00:00Z&received_to=2200-12-31T23:59:59Z".into(),
    ] {
        assert_eq!(
            app.get(&path, Who::Desk).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let audit = app
        .get("/v1/audit?from=1970-01-01T00:00:00Z", Who::Admin)
        .await;
    assert_eq!(audit.status(), StatusCode::OK);
}

/// Sends raw bytes and returns the status line and the rest.
async fn raw(app: &TestApp, request: &[u8]) -> (u16, String) {
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(request).await.expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

#[tokio::test]
async fn what_the_parser_refuses_is_a_client_error() {
    let app = TestApp::spawn().await;
    // Over the API's limit, within actix's: 414 problem+json.
    let long = format!("/v1/proposals?q={}", "a".repeat(9 * 1024));
    problem(app.get(&long, Who::Desk).await, StatusCode::URI_TOO_LONG).await;
    // Over actix's 128 KiB head: 431 from actix itself, before any app code.
    let huge = format!("/v1/proposals?q={}", "a".repeat(140 * 1024));
    let request = format!("GET {huge} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let (status, _) = raw(&app, request.as_bytes()).await;
    assert_eq!(status, 431);

    // Bytes that are not text in headers the API reads: problem+json.
    let token = app.token(Who::Desk).expect("token");
    let bad = reqwest::header::HeaderValue::from_bytes(b"\xff\xfe").expect("obs-text");
    let response = app
        .client
        .get(format!("{}/v1/me", app.base))
        .header("authorization", bad.clone())
        .send()
        .await
        .expect("request");
    problem(response, StatusCode::UNAUTHORIZED).await;
    let response = app
        .client
        .patch(format!(
            "{}/v1/users/0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01",
            app.base
        ))
        .bearer_auth(&token)
        .header("if-match", bad.clone())
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert!(!response.status().is_server_error());
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let response = app
        .client
        .post(format!("{}/v1/proposals", app.base))
        .bearer_auth(&token)
        .header("content-type", bad.clone())
        .body("{}")
        .send()
        .await
        .expect("request");
    problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    // A control character in a header: actix answers 400 with no body.
    let (status, _) = raw(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test: a\x01b\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 400);

    // Bad percent-encoding in the path: problem+json.
    for path in [
        "/v1/users/%zz",
        "/v1/users/%ff%fe",
        "/v1/invitations/%ff%fe/accept",
        "/v1/invitations/%/accept",
    ] {
        let response = app
            .request(Method::GET, path, Who::Admin)
            .send()
            .await
            .expect("request");
        let status = response.status();
        assert!(status.is_client_error(), "{path}: {status}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_bad_token_is_401_whatever_if_match_says() {
    let app = TestApp::spawn().await;
    let document = serde_json::to_value(openapi_document()).expect("document");
    let mut checked = 0;
    for (method, path, operation) in operations(&document) {
        let takes_if_match = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["in"] == "header" && p["name"] == "If-Match");
        if !takes_if_match {
            continue;
        }
        let target = fill(&path, &operation, "x");
        let body = example_body(&document, &operation).unwrap_or_else(|| json!({}));
        for if_match in [Some("\"999\""), Some("garbage"), None] {
            for idempotency_key in [None, Some("k-1")] {
                let mut request = app
                    .client
                    .request(method.clone(), format!("{}{target}", app.base))
                    .header("authorization", "Bearer not.a.token")
                    .json(&body);
                if let Some(tag) = if_match {
                    request = request.header("if-match", tag);
                }
                if let Some(key) = idempotency_key {
                    request = request.header("idempotency-key", key);
                }
                let response = request.send().await.expect("request");
                assert_eq!(
                    response.status(),
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} If-Match {if_match:?} Idempotency-Key {idempotency_key:?}"
                );
                problem(response, StatusCode::UNAUTHORIZED).await;
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} operations take If-Match");
}
