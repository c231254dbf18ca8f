//! Virus scanning through a real clamd (its own, with an EICAR-only
//! signature database): EICAR is quarantined and never handed out, with an
//! `attachment_quarantined` event for the desk; a clean file is `clean`;
//! clamd down leaves `error`. Public uploads are refused without a scanner
//! and withheld unless scanned clean.

use super::{upload, PDF};
use crate::harness::{json, problem, Clamd, TestApp, Who, EICAR, EICAR_SIGNATURE};
use living_gate_api::desk::attachments::{store, upload as received};
use living_gate_api::record::Background;
use living_gate_api::startup::config::ClamdAddress;
use living_gate_domain::{Actor, Role};
use reqwest::StatusCode;
use serde_json::Value;
use std::path::PathBuf;

async fn app_with_clamd(socket: PathBuf) -> TestApp {
    TestApp::builder()
        .configure(|c| c.attachments.clamd = Some(ClamdAddress::Unix(socket)))
        .spawn()
        .await
}

async fn kinds_in_feed(app: &TestApp, who: Who, subject: &str) -> Vec<String> {
    let feed = json(app.get("/v1/events?limit=200", who).await, StatusCode::OK).await;
    feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["subject_id"] == subject)
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn eicar_is_quarantined_and_never_handed_out() {
    let clamd = Clamd::start().await;
    let app = app_with_clamd(clamd.socket.clone()).await;
    let mut case = app.case().create().await;
    case.request_hearing(Who::Department).await;
    let path = format!("/v1/proposals/{}/attachments?file_name=eicar.com", case.id);
    let file = json(
        upload(
            &app,
            &path,
            Who::Partner,
            "application/octet-stream",
            EICAR.to_vec(),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(file["scan_status"], "infected");
    assert_eq!(file["scan_verdict"], EICAR_SIGNATURE);
    assert_eq!(file["quarantined"], true);
    assert_eq!(file["downloadable"], false);
    assert!(file["scanned_at"].is_string());
    let id = file["id"].as_str().expect("id");
    for who in [Who::Desk, Who::Partner] {
        let refused = problem(
            app.get(&format!("/v1/attachments/{id}/content"), who).await,
            StatusCode::CONFLICT,
        )
        .await;
        assert!(
            refused["detail"]
                .as_str()
                .expect("detail")
                .contains(EICAR_SIGNATURE),
            "{refused}"
        );
    }
    assert_eq!(
        kinds_in_feed(&app, Who::Desk, id).await,
        vec!["attachment_quarantined"]
    );
    assert_eq!(
        kinds_in_feed(&app, Who::Department, id).await,
        vec!["attachment_quarantined"]
    );
    assert!(
        kinds_in_feed(&app, Who::Partner, id).await.is_empty(),
        "internal"
    );
    let stored: Value = json(
        app.get(&format!("/v1/attachments/{id}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["quarantined"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clean_file_is_scanned_clean_and_handed_out() {
    let clamd = Clamd::start().await;
    let app = app_with_clamd(clamd.socket.clone()).await;
    let case = app.case().create().await;
    let path = format!("/v1/proposals/{}/attachments?file_name=plan.pdf", case.id);
    let file = json(
        upload(&app, &path, Who::Partner, "application/pdf", PDF.to_vec()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(file["scan_status"], "clean");
    assert_eq!(file["scan_verdict"], Value::Null);
    assert_eq!(file["quarantined"], false);
    let id = file["id"].as_str().expect("id");
    let download = app
        .get(&format!("/v1/attachments/{id}/content"), Who::Desk)
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), PDF);
    assert_eq!(
        kinds_in_feed(&app, Who::Partner, id).await,
        vec!["attachment_added"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_clamd_down_a_staff_file_is_stored_as_error_and_still_handed_out() {
    let dir = tempfile::tempdir().expect("dir");
    let app = app_with_clamd(dir.path().join("no-clamd.sock")).await;
    let case = app.case().create().await;
    let path = format!("/v1/proposals/{}/attachments?file_name=memo.txt", case.id);
    let file = json(
        upload(&app, &path, Who::Desk, "text/plain", b"memo".to_vec()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(file["scan_status"], "error");
    assert!(
        file["scan_verdict"]
            .as_str()
            .expect("verdict")
            .contains("unreachable"),
        "{file}"
    );
    assert_eq!(file["downloadable"], true);
    let id = file["id"].as_str().expect("id");
    assert_eq!(
        app.get(&format!("/v1/attachments/{id}/content"), Who::Desk)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_over_clamds_stream_max_length_is_a_scanner_error_never_clean() {
    let clamd = Clamd::start_with_stream_max("1K").await;
    let app = app_with_clamd(clamd.socket.clone()).await;
    let case = app.case().create().await;
    let path = format!("/v1/proposals/{}/attachments?file_name=big.txt", case.id);
    let file = json(
        upload(
            &app,
            &path,
            Who::Partner,
            "text/plain",
            vec![b'a'; 200 * 1024],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(file["scan_status"], "error", "{file}");
    assert!(
        file["scan_verdict"]
            .as_str()
            .expect("verdict")
            .contains("size limit"),
        "{file}"
    );
}

/// The intake's anonymous proposer, as the intake would write for it.
fn intake_author(app: &TestApp) -> Background {
    let partner = app.fixtures.account(Who::Partner);
    Background::new(Actor {
        id: partner.id,
        role: Role::Partner,
        municipality_id: None,
        department_id: None,
        organization_id: partner.organization_id,
        is_service_account: false,
    })
}

fn public_file(content: &[u8]) -> received::Received {
    received::Received {
        file_name: "public.bin".into(),
        declared_type: "application/octet-stream".into(),
        detected_type: None,
        sha256: super::sha256(content),
        content: content.to_vec(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn public_uploads_are_refused_without_a_scanner_and_withheld_unless_clean() {
    let app = TestApp::spawn().await;
    let case = app.case().create().await;
    let case_id: uuid::Uuid = case.id.parse().expect("uuid");
    let author = intake_author(&app);
    let mut conn = app.conn().await;
    let refused = store::store_public(&app.state, &mut conn, &author, case_id, public_file(b"x"))
        .await
        .expect_err("no scanner");
    assert!(
        refused
            .to_string()
            .contains("no virus scanner is configured"),
        "{refused}"
    );
    let response = actix_web::ResponseError::error_response(&refused);
    assert_eq!(response.status().as_u16(), 409);

    // clamd down: stored as `error`, not handed out.
    let dir = tempfile::tempdir().expect("dir");
    let down =
        app.state
            .clone()
            .with_attachments(living_gate_api::startup::config::AttachmentConfig {
                clamd: Some(ClamdAddress::Unix(dir.path().join("none.sock"))),
                ..Default::default()
            });
    let row = store::store_public(&down, &mut conn, &author, case_id, public_file(b"y"))
        .await
        .expect("stored");
    assert_eq!(row.scan_status.as_str(), "error");
    assert_eq!(row.uploaded_by, None);
    let withheld = problem(
        app.get(&format!("/v1/attachments/{}/content", row.id), Who::Desk)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        withheld["detail"]
            .as_str()
            .expect("detail")
            .contains("public"),
        "{withheld}"
    );

    // With clamd: clean, handed out; EICAR quarantined.
    let clamd = Clamd::start().await;
    let scanning =
        app.state
            .clone()
            .with_attachments(living_gate_api::startup::config::AttachmentConfig {
                clamd: Some(ClamdAddress::Unix(clamd.socket.clone())),
                ..Default::default()
            });
    let clean = store::store_public(&scanning, &mut conn, &author, case_id, public_file(PDF))
        .await
        .expect("stored");
    assert_eq!(clean.scan_status.as_str(), "clean");
    assert_eq!(clean.source.as_str(), "public");
    let download = app
        .get(
            &format!("/v1/attachments/{}/content", clean.id),
            Who::Partner,
        )
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    let infected = store::store_public(&scanning, &mut conn, &author, case_id, public_file(EICAR))
        .await
        .expect("stored");
    assert!(infected.quarantined);
}
