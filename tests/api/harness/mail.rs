//! Reading what the app put in the outbox (the mails of issue 15), and
//! driving the public intake to the point where a code is waiting.

use super::{json, TestApp, Who};
use diesel::sql_types::Text;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[derive(Debug, QueryableByName)]
pub struct Queued {
    #[diesel(sql_type = Text)]
    pub recipient_address: String,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = Text)]
    pub body_text: String,
}

/// The mails of `kind` to `address`, oldest first.
pub async fn mails(app: &TestApp, kind: &str, address: &str) -> Vec<Queued> {
    let mut conn = app.owner_conn().await;
    diesel::sql_query(
        "SELECT recipient_address, subject, body_text FROM outbox_messages
         WHERE kind = $1 AND recipient_address = $2 ORDER BY created_at, id",
    )
    .bind::<Text, _>(kind)
    .bind::<Text, _>(address)
    .load(&mut conn)
    .await
    .expect("outbox")
}

/// The six digits after `確認コード: ` in the latest intake code mail to `address`.
pub async fn intake_code(app: &TestApp, address: &str) -> String {
    let mail = mails(app, "intake_code", address)
        .await
        .pop()
        .expect("a code mail");
    let (_, rest) = mail
        .body_text
        .split_once("確認コード: ")
        .expect("code line");
    rest.chars().take(6).collect()
}

/// A valid intake form from `email`.
pub fn intake_form(email: &str) -> Value {
    json!({
        "organization": {"name": "株式会社さがみ技研", "kind": "company", "corporate_number": "7000012050002"},
        "contact": {"name": "相模 花子", "email": email},
        "proposal": {"kind": "proposal", "title": "空き店舗を活用した多世代の居場所づくり",
            "summary": "駅前の空き店舗で交流の場を開く。", "themes": ["community_support"]},
        "terms_version": living_gate_domain::intake::current_terms().version,
        "declarations": {"no_religious_purpose": true, "no_political_purpose": true,
            "no_election_purpose": true, "no_organized_crime_ties": true}
    })
}

/// Submits a valid form to Zama from `email`; returns the submission's id
/// and token and the mailed code.
pub async fn intake_submission(app: &TestApp, email: &str) -> (String, String, String) {
    let response = app
        .post(
            "/v1/municipalities/142166/intake-submissions",
            Who::Anonymous,
            &intake_form(email),
        )
        .await;
    let body = json(response, StatusCode::ACCEPTED).await;
    let code = intake_code(app, email).await;
    (
        body["id"].as_str().expect("id").to_owned(),
        body["submission_token"].as_str().expect("token").to_owned(),
        code,
    )
}

/// A fresh password reset token of account `user_id`, valid 30 minutes
/// (written as the app writes it, without the mail).
pub async fn reset_token_for(app: &TestApp, user_id: uuid::Uuid) -> String {
    use diesel::sql_types::{Bytea, Uuid as SqlUuid};
    let token = living_gate_api::auth::secrets::random_token();
    let mut conn = app.owner_conn().await;
    diesel::sql_query(
        "INSERT INTO password_reset_tokens (id, user_id, token_hash, expires_at)
         VALUES (gen_random_uuid(), $1, $2, now() + interval '30 minutes')",
    )
    .bind::<SqlUuid, _>(user_id)
    .bind::<Bytea, _>(living_gate_api::auth::secrets::token_hash(&token))
    .execute(&mut conn)
    .await
    .expect("reset token");
    token
}

/// Submits and confirms an intake from `email`; returns the submission's id
/// and token and the new case's id.
pub async fn confirmed_submission(app: &TestApp, email: &str) -> (String, String, String) {
    let (id, token, code) = intake_submission(app, email).await;
    let response = app
        .post(
            &format!("/v1/intake-submissions/{id}/confirmation"),
            Who::Anonymous,
            &json!({"submission_token": token, "code": code}),
        )
        .await;
    let case = json(response, StatusCode::CREATED).await["proposal_id"]
        .as_str()
        .expect("proposal id")
        .to_owned();
    (id, token, case)
}

/// Submits and confirms an intake from `email`; returns the new case's id.
pub async fn intake_case(app: &TestApp, email: &str) -> String {
    confirmed_submission(app, email).await.2
}
