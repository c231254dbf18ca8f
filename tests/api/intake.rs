//! The public intake over HTTP: submit, read the code from the outbox,
//! confirm, get the reference; and everything that must not register a case.

use crate::harness::mail::{intake_code, intake_form, intake_submission, mails};
use crate::harness::{json, problem, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SUBMIT: &str = "/v1/municipalities/142166/intake-submissions";

async fn confirm(app: &TestApp, id: &str, token: &str, code: &str) -> reqwest::Response {
    app.post(
        &format!("/v1/intake-submissions/{id}/confirmation"),
        Who::Anonymous,
        &json!({"submission_token": token, "code": code}),
    )
    .await
}

async fn desk_case_count(app: &TestApp) -> usize {
    let list = json(
        app.get("/v1/proposals?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    list["items"].as_array().expect("items").len()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_company_never_in_touch_submits_confirms_and_gets_its_reference_by_mail() {
    let app = TestApp::spawn().await;
    let terms = json(
        app.get("/v1/intake/terms", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert!(terms["text_ja"]
        .as_str()
        .expect("ja")
        .contains("最終的な実施判断は各所管課"));
    let before = desk_case_count(&app).await;
    let email = "hanako@sagami-giken.example.jp";
    let (id, token, code) = intake_submission(&app, email).await;
    let code_mail = mails(&app, "intake_code", email).await.pop().expect("mail");
    assert_eq!(code_mail.recipient_address, email);
    assert!(code_mail.subject.contains(&code));
    // Nothing in the desk's list before confirmation.
    assert_eq!(desk_case_count(&app).await, before);

    let done = json(confirm(&app, &id, &token, &code).await, StatusCode::CREATED).await;
    let reference = done["reference"].as_str().expect("reference").to_owned();
    assert!(reference.starts_with("ZLG-"), "{reference}");
    assert_eq!(done["status"], "received");
    assert_eq!(desk_case_count(&app).await, before + 1);

    let case = json(
        app.get(
            &format!(
                "/v1/proposals/{}",
                done["proposal_id"].as_str().expect("id")
            ),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(case["channel"], "web");
    assert_eq!(case["status"], "received");
    let org = json(
        app.get(
            &format!(
                "/v1/organizations/{}",
                case["organization_id"].as_str().expect("org")
            ),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(org["status"], "pending");
    assert_eq!(org["name"], "株式会社さがみ技研");

    let receipt = mails(&app, "intake_received", email)
        .await
        .pop()
        .expect("receipt");
    assert!(receipt.subject.contains(&reference));
    assert!(receipt
        .body_text
        .contains(&format!("受付番号: {reference}")));

    // A replay answers the same case and registers nothing more.
    let again = json(confirm(&app, &id, &token, &code).await, StatusCode::OK).await;
    assert_eq!(again["reference"], reference.as_str());
    assert_eq!(desk_case_count(&app).await, before + 1);
    // The invited contact cannot log in.
    let login = app.login(email, "anything at all 12345").await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_codes_void_the_submission_and_wrong_tokens_find_nothing() {
    let app = TestApp::spawn().await;
    let (id, token, code) = intake_submission(&app, "wrong@example.jp").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let other = confirm(&app, &id, "not-the-token", &code).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    for _ in 0..living_gate_domain::intake::MAX_CODE_ATTEMPTS {
        let body = problem(
            confirm(&app, &id, &token, wrong).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(body["errors"][0]["code"], "wrong_code");
    }
    // Void now: even the right code is refused.
    problem(
        confirm(&app, &id, &token, &code).await,
        StatusCode::CONFLICT,
    )
    .await;
    let before = desk_case_count(&app).await;
    assert_eq!(desk_case_count(&app).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_submission_cannot_be_confirmed() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn().await;
    let (id, token, code) = intake_submission(&app, "late@example.jp").await;
    let mut conn = app.owner_conn().await;
    diesel::sql_query("UPDATE intake_submissions SET expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .expect("expire");
    let body = problem(
        confirm(&app, &id, &token, &code).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(body["detail"].as_str().expect("detail").contains("expired"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_honeypot_answers_as_success_and_stores_and_sends_nothing() {
    let app = TestApp::spawn().await;
    let mut form = intake_form("bot@example.jp");
    form["website"] = json!("https://spam.example");
    let body = json(
        app.post(SUBMIT, Who::Anonymous, &form).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(body["status"], "awaiting_confirmation");
    assert!(body["submission_token"].as_str().is_some());
    assert!(mails(&app, "intake_code", "bot@example.jp")
        .await
        .is_empty());
    let answer = confirm(
        &app,
        body["id"].as_str().expect("id"),
        body["submission_token"].as_str().expect("t"),
        "123456",
    )
    .await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
}

fn codes(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_corporate_numbers_missing_declarations_and_hostile_bodies_are_422_and_store_nothing() {
    let app = TestApp::spawn().await;
    let mut form = intake_form("bad@example.jp");
    form["organization"]["corporate_number"] = json!("8000012050002");
    form["declarations"]["no_organized_crime_ties"] = json!(false);
    form["declarations"]
        .as_object_mut()
        .expect("d")
        .remove("no_election_purpose");
    form["terms_version"] = json!("2020-01-01");
    form["proposal"]["title"] = json!(" ");
    let body = problem(
        app.post(SUBMIT, Who::Anonymous, &form).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let found = codes(&body);
    for expected in [
        ("organization.corporate_number", "check_digit"),
        ("declarations.no_election_purpose", "declaration_required"),
        (
            "declarations.no_organized_crime_ties",
            "declaration_required",
        ),
        ("terms_version", "outdated_terms"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {found:?}"
        );
    }
    assert!(
        found.iter().any(|(f, _)| f == "proposal.title"),
        "{found:?}"
    );
    assert!(mails(&app, "intake_code", "bad@example.jp")
        .await
        .is_empty());
    // NUL, unknown fields, an unknown city.
    let mut nul = intake_form("bad@example.jp");
    nul["proposal"]["title"] = json!("居場所\u{0}づくり");
    let body = problem(
        app.post(SUBMIT, Who::Anonymous, &nul).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "invalid_character");
    let mut extra = intake_form("bad@example.jp");
    extra["admin"] = json!(true);
    assert_eq!(
        app.post(SUBMIT, Who::Anonymous, &extra).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let unknown = app
        .post(
            "/v1/municipalities/999999/intake-submissions",
            Who::Anonymous,
            &intake_form("bad@example.jp"),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn submissions_per_email_are_limited_across_two_instances() {
    let app = TestApp::spawn().await;
    let other = app.spawn_instance().await;
    let email = "often@example.jp";
    let max = living_gate_domain::intake::MAX_SUBMISSIONS_PER_EMAIL;
    for i in 0..max {
        let base = if i % 2 == 0 { &app.base } else { &other.base };
        let response = app
            .client
            .post(format!("{base}{SUBMIT}"))
            .json(&intake_form(email))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::ACCEPTED, "submission {i}");
    }
    let response = app
        .client
        .post(format!("{}{SUBMIT}", other.base))
        .json(&intake_form(email))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert!(response.headers().contains_key("ratelimit"));
    assert_eq!(mails(&app, "intake_code", email).await.len(), max as usize);
    // Another address of the same client is not limited by that bucket.
    let (_, _, code) = intake_submission(&app, "someone-else@example.jp").await;
    assert_eq!(code.len(), 6);
    let _ = intake_code(&app, "someone-else@example.jp").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_contact_hears_of_its_case_before_the_desk_invites_it() {
    let app = TestApp::spawn().await;
    let email = "kekka@sagami-giken.example.jp";
    let case = crate::harness::mail::intake_case(&app, email).await;
    let moved = app
        .transition(
            &case,
            Who::Desk,
            json!({"to": "organizing", "reason": "庁内メモ: 予算要確認", "note_for_proposer": "内容を整理しています。"}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let told = mails(&app, "status_changed", email).await;
    assert_eq!(told.len(), 1, "the invited contact is told of the move");
    assert!(told[0].body_text.contains("内容を整理しています。"));
    assert!(
        !told[0].body_text.contains("予算要確認"),
        "never the internal reason"
    );
}
