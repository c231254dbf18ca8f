//! Self-service password reset: the same answer for known and unknown
//! addresses, a one-time token of 30 minutes, refresh tokens revoked, audited.

use crate::harness::mail::mails;
use crate::harness::{json, problem, TestApp, Who, PASSWORD};
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "相模川の朝焼けは 2026 年も綺麗";

async fn ask(app: &TestApp, email: &str) -> (StatusCode, Value) {
    let response = app
        .post(
            "/v1/auth/password-reset",
            Who::Anonymous,
            &json!({"email": email}),
        )
        .await;
    let status = response.status();
    (status, response.json().await.expect("json"))
}

fn token_of(body: &str) -> String {
    let (_, rest) = body.split_once("token=").expect("link");
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn reset(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post(
        "/v1/auth/password-reset/confirmation",
        Who::Anonymous,
        &json!({"token": token, "password": password}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn known_and_unknown_addresses_get_the_same_answer_and_only_the_known_a_mail() {
    let app = TestApp::spawn().await;
    let known = app.fixtures.account(Who::Desk).email.clone();
    let (known_status, known_body) = ask(&app, &known).await;
    let (unknown_status, unknown_body) = ask(&app, "nobody@zama.example.jp").await;
    assert_eq!(known_status, StatusCode::ACCEPTED);
    assert_eq!((known_status, known_body), (unknown_status, unknown_body));
    assert_eq!(mails(&app, "password_reset", &known).await.len(), 1);
    assert!(mails(&app, "password_reset", "nobody@zama.example.jp")
        .await
        .is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_sets_the_password_once_revokes_refresh_tokens_and_is_audited() {
    let app = TestApp::spawn().await;
    let account = app.fixtures.account(Who::Partner).clone();
    let pair = json(app.login(&account.email, PASSWORD).await, StatusCode::OK).await;
    ask(&app, &account.email).await;
    let mail = mails(&app, "password_reset", &account.email)
        .await
        .pop()
        .expect("mail");
    assert!(mail
        .body_text
        .contains("http://localhost:8080/password-reset?token="));
    let token = token_of(&mail.body_text);

    // The policy still applies, and a refused password spends nothing.
    let weak = problem(
        reset(&app, &token, "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(weak["errors"][0]["field"], "password");
    assert_eq!(
        reset(&app, &token, NEW_PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
    // Single use.
    let again = problem(
        reset(&app, &token, NEW_PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(again["errors"][0]["code"], "invalid_token");

    assert_eq!(
        app.login(&account.email, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    json(
        app.login(&account.email, NEW_PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    let refresh = app
        .post(
            "/v1/auth/refresh",
            Who::Anonymous,
            &json!({"refresh_token": pair["refresh_token"]}),
        )
        .await;
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.owner_conn().await;
    let audited: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM audit_log WHERE action = 'auth.password_reset' AND target_id = $1",
    )
    .bind::<diesel::sql_types::Text, _>(account.id.to_string())
    .get_result(&mut conn)
    .await
    .expect("audit");
    assert_eq!(audited.n, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_or_unknown_token_is_refused() {
    let app = TestApp::spawn().await;
    let account = app.fixtures.account(Who::Department).clone();
    ask(&app, &account.email).await;
    let token = token_of(
        &mails(&app, "password_reset", &account.email)
            .await
            .pop()
            .expect("mail")
            .body_text,
    );
    let mut conn = app.owner_conn().await;
    diesel::sql_query("UPDATE password_reset_tokens SET expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .expect("expire");
    for token in [token.as_str(), "made-up"] {
        let body = problem(
            reset(&app, token, NEW_PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(body["errors"][0]["code"], "invalid_token");
    }
    json(app.login(&account.email, PASSWORD).await, StatusCode::OK).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_per_email_are_rate_limited() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        assert_eq!(
            ask(&app, "limited@example.jp").await.0,
            StatusCode::ACCEPTED
        );
    }
    let response = app
        .post(
            "/v1/auth/password-reset",
            Who::Anonymous,
            &json!({"email": "limited@example.jp"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}
