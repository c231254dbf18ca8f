//! TOTP as a second factor of password logins, and the requirement for
//! administrators.

use crate::harness::{json, problem, TestApp, Who, PASSWORD};
use living_gate_api::auth::totp;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn seed_of(enrolment: &Value) -> Vec<u8> {
    let uri = enrolment["otpauth_uri"].as_str().expect("uri");
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    data_encoding::BASE32_NOPAD
        .decode(enrolment["secret"].as_str().expect("secret").as_bytes())
        .expect("base32")
}

fn step_now() -> i64 {
    totp::step_of(chrono::Utc::now().timestamp())
}

async fn login(app: &TestApp, email: &str, code: Option<&str>) -> reqwest::Response {
    let mut body = json!({"email": email, "password": PASSWORD});
    if let Some(code) = code {
        body["totp"] = json!(code);
    }
    app.post("/v1/auth/login", Who::Anonymous, &body).await
}

#[tokio::test]
async fn a_confirmed_totp_is_required_at_login_and_a_code_is_not_accepted_twice() {
    let app = TestApp::spawn().await;
    let email = app.fixtures.account(Who::Desk).email.clone();
    let enrolment = json(
        app.post("/v1/auth/totp", Who::Desk, &json!({"password": PASSWORD}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let seed = seed_of(&enrolment);
    // Not confirmed yet: the password alone still signs in.
    json(login(&app, &email, None).await, StatusCode::OK).await;
    let wrong = app
        .post(
            "/v1/auth/totp/confirmation",
            Who::Desk,
            &json!({"password": PASSWORD, "code": "12345x"}),
        )
        .await;
    assert_eq!(
        problem(wrong, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"],
        "invalid_totp"
    );
    let step = step_now();
    let code = totp::code_for_step(&seed, step);
    let confirmed = app
        .post(
            "/v1/auth/totp/confirmation",
            Who::Desk,
            &json!({"password": PASSWORD, "code": code}),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);
    // A confirmed seed is not replaced.
    problem(
        app.post("/v1/auth/totp", Who::Desk, &json!({"password": PASSWORD}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;

    let body = problem(login(&app, &email, None).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "totp_required", "{body}");
    let body = problem(
        login(&app, &email, Some("12345x")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(body["code"], "invalid_totp");
    // The code used to confirm cannot sign in (same step: replayed).
    let body = problem(
        login(&app, &email, Some(&code)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(body["code"], "invalid_totp");
    // The next step's code (one step of drift) signs in, once.
    let next = totp::code_for_step(&seed, step + 1);
    json(login(&app, &email, Some(&next)).await, StatusCode::OK).await;
    let body = problem(
        login(&app, &email, Some(&next)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(body["code"], "invalid_totp");
    // Two steps ahead is out of the window.
    let far = totp::code_for_step(&seed, step_now() + 3);
    let body = problem(
        login(&app, &email, Some(&far)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(body["code"], "invalid_totp");
}

#[tokio::test]
async fn the_seed_is_sealed_at_rest() {
    use diesel::sql_types::Bytea;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Bytea)]
        seed_sealed: Vec<u8>,
    }
    let app = TestApp::spawn().await;
    let enrolment = json(
        app.post(
            "/v1/auth/totp",
            Who::Department,
            &json!({"password": PASSWORD}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let seed = seed_of(&enrolment);
    let mut conn = app.owner_conn().await;
    let row: Row = diesel::sql_query("SELECT seed_sealed FROM totp_credentials")
        .get_result(&mut conn)
        .await
        .expect("row");
    assert!(!row
        .seed_sealed
        .windows(seed.len())
        .any(|w| w == seed.as_slice()));
    let user = app.fixtures.account(Who::Department).id;
    let opened = app
        .state
        .sealing
        .open(&format!("totp-seed:{user}"), &row.seed_sealed)
        .expect("opens for its account");
    assert_eq!(opened, seed);
}

#[tokio::test]
async fn admins_can_be_required_to_use_totp_and_enrol_without_a_session() {
    let app = TestApp::builder()
        .configure(|c| c.auth.require_totp_for_admins = true)
        .spawn()
        .await;
    let email = app.fixtures.account(Who::Admin).email.clone();
    let body = problem(login(&app, &email, None).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "totp_enrolment_required", "{body}");
    assert!(body["detail"]
        .as_str()
        .expect("detail")
        .contains("/v1/auth/totp"));
    // Others are not concerned.
    json(
        login(&app, &app.fixtures.account(Who::Desk).email.clone(), None).await,
        StatusCode::OK,
    )
    .await;
    // A wrong password enrols nothing.
    problem(
        app.post(
            "/v1/auth/totp",
            Who::Anonymous,
            &json!({"email": email, "password": "not the password"}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let enrolment = json(
        app.post(
            "/v1/auth/totp",
            Who::Anonymous,
            &json!({"email": email, "password": PASSWORD}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let seed = seed_of(&enrolment);
    let step = step_now();
    let confirmed = app
        .post(
            "/v1/auth/totp/confirmation",
            Who::Anonymous,
            &json!({"email": email, "password": PASSWORD, "code": totp::code_for_step(&seed, step)}),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);
    let next = totp::code_for_step(&seed, step + 1);
    json(login(&app, &email, Some(&next)).await, StatusCode::OK).await;
}
