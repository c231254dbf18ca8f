//! The desk settles an intake's pending organization: candidates, match or
//! accept, and the contact's invitation by mail.

use crate::harness::mail::{intake_case, mails};
use crate::harness::{json, problem, TestApp, Who, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

fn path(case: &str) -> String {
    format!("/v1/proposals/{case}/intake-organization")
}

#[tokio::test(flavor = "multi_thread")]
async fn accepting_activates_the_organization_and_the_invited_contact_can_sign_in() {
    let app = TestApp::spawn().await;
    let email = "hanako@sagami-giken.example.jp";
    let case = intake_case(&app, email).await;
    let view = json(app.get(&path(&case), Who::Desk).await, StatusCode::OK).await;
    assert_eq!(view["organization_status"], "pending");
    assert_eq!(view["declared_corporate_number"], "7000012050002");
    // Only the desk settles; another city's desk does not see the case.
    for who in [Who::Department, Who::Partner, Who::Analyst] {
        assert_eq!(
            app.post(&path(&case), who, &json!({})).await.status(),
            StatusCode::FORBIDDEN,
            "{who:?}"
        );
    }
    assert_eq!(
        app.post(&path(&case), Who::AyaseDesk, &json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let settled = json(
        app.post(&path(&case), Who::Desk, &json!({"organization_id": null}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(settled["organization_status"], "active");
    let org = json(
        app.get(
            &format!(
                "/v1/organizations/{}",
                settled["organization_id"].as_str().expect("id")
            ),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(org["corporate_number"], "7000012050002");
    problem(
        app.post(&path(&case), Who::Desk, &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;

    let mail = mails(&app, "partner_invitation", email)
        .await
        .pop()
        .expect("invitation mail");
    let (_, rest) = mail.body_text.split_once("/invitations/").expect("link");
    let token: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let accepted = app
        .post(
            &format!("/v1/invitations/{token}/accept"),
            Who::Anonymous,
            &json!({"password": PASSWORD, "display_name": "相模 花子"}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    json(app.login(email, PASSWORD).await, StatusCode::OK).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn matching_moves_the_case_and_contact_to_the_existing_organization() {
    let app = TestApp::spawn().await;
    let existing = json(
        app.post(
            "/v1/organizations",
            Who::Desk,
            &json!({"name": "さがみ技研", "kind": "company", "corporate_number": "7000012050002"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let existing_id = existing["id"].as_str().expect("id").to_owned();
    let case = intake_case(&app, "taro@sagami-giken.example.jp").await;
    let view = json(app.get(&path(&case), Who::Desk).await, StatusCode::OK).await;
    let candidates = view["candidates"].as_array().expect("candidates");
    assert_eq!(candidates[0]["id"], existing_id.as_str());
    assert_eq!(candidates[0]["reason"], "corporate_number");
    let pending = view["organization_id"]
        .as_str()
        .expect("pending")
        .to_owned();

    // Not an organization: 422, nothing changes.
    let bad = problem(
        app.post(
            &path(&case),
            Who::Desk,
            &json!({"organization_id": pending}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(bad["errors"][0]["code"], "unknown_reference");

    json(
        app.post(
            &path(&case),
            Who::Desk,
            &json!({"organization_id": existing_id}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let moved = json(
        app.get(&format!("/v1/proposals/{case}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["organization_id"], existing_id.as_str());
    let old = json(
        app.get(&format!("/v1/organizations/{pending}"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(old["status"], "disabled");
    assert_eq!(
        mails(&app, "partner_invitation", "taro@sagami-giken.example.jp")
            .await
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_case_not_from_the_intake_has_no_intake_organization() {
    let app = TestApp::spawn().await;
    let case = app.case().create().await;
    assert_eq!(
        app.get(&path(&case.id), Who::Desk).await.status(),
        StatusCode::NOT_FOUND
    );
}
