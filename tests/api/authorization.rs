//! The authorization matrix: for every operation of the generated OpenAPI
//! document and every kind of caller, the status it must get. An operation
//! without a row fails the test, so no endpoint ships unreviewed.

use crate::helpers::{json, TestApp, Who, PASSWORD};
use living_gate_api::openapi;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// Expected statuses in the order of [`Who::ALL`]:
/// anonymous, desk, department, other department, partner, other partner, analyst, admin.
type Row = (&'static str, [u16; 8]);

const ALL_200: [u16; 8] = [200; 8];
const SIGNED_IN_200: [u16; 8] = [401, 200, 200, 200, 200, 200, 200, 200];
const ADMIN_ONLY_200: [u16; 8] = [401, 403, 403, 403, 403, 403, 403, 200];
const ADMIN_ONLY_201: [u16; 8] = [401, 403, 403, 403, 403, 403, 403, 201];

const MATRIX: &[Row] = &[
    ("GET /healthz", ALL_200),
    ("GET /readyz", ALL_200),
    ("GET /.well-known/jwks.json", ALL_200),
    ("POST /v1/auth/login", ALL_200),
    ("POST /v1/auth/refresh", ALL_200),
    (
        "POST /v1/auth/logout",
        [401, 204, 204, 204, 204, 204, 204, 204],
    ),
    ("POST /v1/auth/token", ALL_200),
    ("GET /v1/me", SIGNED_IN_200),
    ("GET /v1/municipalities", SIGNED_IN_200),
    ("POST /v1/municipalities", ADMIN_ONLY_201),
    ("GET /v1/municipalities/{id}", SIGNED_IN_200),
    ("PATCH /v1/municipalities/{id}", ADMIN_ONLY_200),
    ("GET /v1/departments", SIGNED_IN_200),
    ("POST /v1/departments", ADMIN_ONLY_201),
    ("GET /v1/departments/{id}", SIGNED_IN_200),
    ("PATCH /v1/departments/{id}", ADMIN_ONLY_200),
    ("POST /v1/departments/{id}/invitations", ADMIN_ONLY_201),
    // The partner's own organization is the target; analysts see aggregates only.
    (
        "GET /v1/organizations",
        [401, 200, 200, 200, 200, 200, 403, 200],
    ),
    (
        "POST /v1/organizations",
        [401, 201, 403, 403, 403, 403, 403, 201],
    ),
    (
        "GET /v1/organizations/{id}",
        [401, 200, 200, 200, 200, 404, 403, 200],
    ),
    (
        "PATCH /v1/organizations/{id}",
        [401, 200, 403, 403, 403, 404, 403, 200],
    ),
    (
        "POST /v1/organizations/{id}/invitations",
        [401, 201, 403, 403, 403, 404, 403, 201],
    ),
    ("POST /v1/invitations/{token}/accept", ALL_200),
    ("GET /v1/users", ADMIN_ONLY_200),
    ("POST /v1/users", ADMIN_ONLY_201),
    ("GET /v1/users/{id}", ADMIN_ONLY_200),
    ("PATCH /v1/users/{id}", ADMIN_ONLY_200),
    ("GET /v1/service-accounts", ADMIN_ONLY_200),
    ("POST /v1/service-accounts", ADMIN_ONLY_201),
    ("PATCH /v1/service-accounts/{id}", ADMIN_ONLY_200),
    ("GET /v1/audit", [401, 200, 403, 403, 403, 403, 403, 200]),
];

static SEQUENCE: AtomicU32 = AtomicU32::new(0);

fn next() -> u32 {
    SEQUENCE.fetch_add(1, Ordering::Relaxed)
}

/// A fresh valid municipality code (check digit included) for each create.
fn municipality_code() -> String {
    let base = format!("{:05}", 50_000 + next());
    let digits: Vec<u32> = base.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits.iter().zip([6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
    format!("{base}{}", (11 - sum % 11) % 10)
}

struct Context {
    service_client_id: String,
    service_secret: String,
    service_account_id: String,
}

async fn context(app: &TestApp) -> Context {
    let created = app
        .post(
            "/v1/service-accounts",
            Who::Admin,
            &json!({"name": "matrix BI"}),
        )
        .await;
    let created = json(created, StatusCode::CREATED).await;
    Context {
        service_client_id: created["client_id"].as_str().expect("client id").to_owned(),
        service_secret: created["client_secret"]
            .as_str()
            .expect("secret")
            .to_owned(),
        service_account_id: created["id"].as_str().expect("id").to_owned(),
    }
}

/// Sends a valid request for `operation` as `who`; returns the status.
async fn call(app: &TestApp, ctx: &Context, operation: &str, who: Who) -> u16 {
    let f = &app.fixtures;
    let n = next();
    let (method, template) = operation.split_once(' ').expect("METHOD /path");
    let user_target = f.account(Who::Analyst).id.to_string();
    let path = template
        .replace(
            "{id}",
            &match template {
                t if t.starts_with("/v1/municipalities") => f.ebina.to_string(),
                t if t.starts_with("/v1/departments") => f.chiiki_fukushi.to_string(),
                t if t.starts_with("/v1/organizations") => f.partner_org.to_string(),
                t if t.starts_with("/v1/users") => user_target.clone(),
                t if t.starts_with("/v1/service-accounts") => ctx.service_account_id.clone(),
                _ => String::new(),
            },
        )
        .replace(
            "{token}",
            &if template.contains("{token}") {
                invitation_token(app).await
            } else {
                String::new()
            },
        );
    let body: Option<Value> = match operation {
        "POST /v1/auth/login" => {
            Some(json!({"email": f.account(Who::Desk).email, "password": PASSWORD}))
        }
        "POST /v1/auth/refresh" => Some(json!({"refresh_token": refresh_token(app).await})),
        "POST /v1/auth/logout" => Some(json!({})),
        "POST /v1/auth/token" => Some(
            json!({"grant_type": "client_credentials", "client_id": ctx.service_client_id, "client_secret": ctx.service_secret}),
        ),
        "POST /v1/municipalities" => Some(
            json!({"code": municipality_code(), "name": "テスト市", "name_kana": "てすとし", "name_en": "Test"}),
        ),
        "PATCH /v1/municipalities/{id}" => Some(json!({"name_kana": "えびなし"})),
        "POST /v1/departments" => Some(
            json!({"municipality_id": f.zama, "code": format!("matrix-{n}"), "name": "試験課", "name_en": "Test Division"}),
        ),
        "PATCH /v1/departments/{id}" => Some(json!({"name_en": "Community Welfare Division"})),
        "POST /v1/departments/{id}/invitations" | "POST /v1/organizations/{id}/invitations" => {
            Some(
                json!({"email": format!("invitee{n}@test.example.jp"), "display_name": "招待 太郎"}),
            )
        }
        "POST /v1/organizations" => {
            Some(json!({"name": format!("マトリクス{n}株式会社"), "kind": "company"}))
        }
        "PATCH /v1/organizations/{id}" => Some(json!({"website": "https://test.example.jp"})),
        "POST /v1/invitations/{token}/accept" => {
            Some(json!({"password": PASSWORD, "display_name": "受諾 花子"}))
        }
        "POST /v1/users" => Some(
            json!({"email": format!("user{n}@test.example.jp"), "display_name": "新規", "role": "analyst"}),
        ),
        "PATCH /v1/users/{id}" => Some(json!({"display_name": "分析 さくら"})),
        "POST /v1/service-accounts" => Some(json!({"name": format!("BI {n}")})),
        "PATCH /v1/service-accounts/{id}" => Some(json!({"name": "matrix BI"})),
        _ => None,
    };
    let method: Method = method.parse().expect("method");
    let mut request = app.request(method.clone(), &path, who);
    if method == Method::PATCH {
        request = request.header("If-Match", "*");
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request").status().as_u16()
}

async fn invitation_token(app: &TestApp) -> String {
    let n = next();
    let path = format!("/v1/organizations/{}/invitations", app.fixtures.partner_org);
    let body = json!({"email": format!("accept{n}@test.example.jp"), "display_name": "x"});
    let created = json(app.post(&path, Who::Desk, &body).await, StatusCode::CREATED).await;
    created["token"].as_str().expect("token").to_owned()
}

async fn refresh_token(app: &TestApp) -> String {
    let response = app
        .login(&app.fixtures.account(Who::Partner).email, PASSWORD)
        .await;
    json(response, StatusCode::OK).await["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned()
}

fn documented_operations() -> Vec<String> {
    let doc: Value =
        serde_json::from_str(&openapi::document().to_json().expect("json")).expect("json");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations
}

#[test]
fn every_documented_operation_has_a_row_and_every_row_an_operation() {
    let documented = documented_operations();
    let missing: Vec<&String> = documented
        .iter()
        .filter(|op| !MATRIX.iter().any(|(row, _)| row == op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without an authorization row: {missing:?}"
    );
    let stale: Vec<&str> = MATRIX
        .iter()
        .map(|(op, _)| *op)
        .filter(|op| !documented.iter().any(|d| d == op))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for operations that do not exist: {stale:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_caller_gets_the_expected_status_from_every_operation() {
    let app = TestApp::spawn().await;
    let ctx = context(&app).await;
    let mut mismatches = Vec::new();
    for (operation, expected) in MATRIX {
        for (who, expected) in Who::ALL.iter().zip(expected) {
            let got = call(&app, &ctx, operation, *who).await;
            if got != *expected {
                mismatches.push(format!(
                    "{operation} as {who:?}: expected {expected}, got {got}"
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "authorization mismatches:\n{}",
        mismatches.join("\n")
    );
}
