//! Files of the public intake over HTTP: after confirmation, with the
//! submission's token, scanned by a real clamd; refused without a scanner,
//! before confirmation, with a wrong token, past the file limit.

use crate::attachments::{upload, PDF};
use crate::harness::mail::{confirmed_submission, intake_submission};
use crate::harness::{json, problem, Clamd, TestApp, Who, EICAR};
use living_gate_api::desk::intake::attachments::MAX_PUBLIC_FILES;
use living_gate_api::startup::config::ClamdAddress;
use reqwest::{Method, Response, StatusCode};

async fn send(app: &TestApp, id: &str, token: Option<&str>, content: &[u8]) -> Response {
    let mut request = app
        .request(
            Method::POST,
            &format!("/v1/intake-submissions/{id}/attachments?file_name=企画書.pdf"),
            Who::Anonymous,
        )
        .header("content-type", "application/pdf")
        .body(content.to_vec());
    if let Some(token) = token {
        request = request.header("Submission-Token", token);
    }
    request.send().await.expect("upload")
}

async fn files_of(app: &TestApp, case: &str) -> Vec<serde_json::Value> {
    json(
        app.get(&format!("/v1/proposals/{case}/attachments"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await
    .as_array()
    .expect("files")
    .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_uploads_after_confirmation_scanned_and_the_desk_reads_it() {
    let clamd = Clamd::start().await;
    let app = TestApp::builder()
        .configure(|c| c.attachments.clamd = Some(ClamdAddress::Unix(clamd.socket.clone())))
        .spawn()
        .await;
    let (id, token, case) = confirmed_submission(&app, "kikaku@sagami-giken.example.jp").await;

    // No token, a wrong token: 404, nothing stored.
    problem(send(&app, &id, None, PDF).await, StatusCode::NOT_FOUND).await;
    problem(
        send(&app, &id, Some("wrong"), PDF).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(files_of(&app, &case).await.is_empty());

    let file = json(
        send(&app, &id, Some(&token), PDF).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(file["source"], "public");
    assert_eq!(file["visibility"], "shared");
    assert_eq!(file["scan_status"], "clean");
    assert_eq!(file["downloadable"], true);
    assert_eq!(file["file_name"], "企画書.pdf");
    let download = app
        .get(
            &format!(
                "/v1/attachments/{}/content",
                file["id"].as_str().expect("id")
            ),
            Who::Desk,
        )
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), PDF);

    // EICAR: kept, quarantined, never handed out; the desk's feed says so.
    let infected = json(
        send(&app, &id, Some(&token), EICAR).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(infected["quarantined"], true);
    let infected_id = infected["id"].as_str().expect("id");
    problem(
        app.get(&format!("/v1/attachments/{infected_id}/content"), Who::Desk)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let feed = json(
        app.get("/v1/events?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        feed["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| { e["subject_id"] == infected_id && e["kind"] == "attachment_quarantined" }),
        "{feed}"
    );
    // And the desk is mailed.
    let mut conn = app.conn().await;
    use diesel_async::RunQueryDsl;
    let told: Vec<Count> = diesel::sql_query(
        "SELECT count(*) AS count FROM outbox_messages WHERE kind = 'attachment_quarantined'",
    )
    .load(&mut conn)
    .await
    .expect("count");
    assert!(told[0].count >= 1, "the desk is told of the quarantine");

    // The file limit of the form.
    for _ in 2..MAX_PUBLIC_FILES {
        json(
            send(&app, &id, Some(&token), PDF).await,
            StatusCode::CREATED,
        )
        .await;
    }
    assert_eq!(files_of(&app, &case).await.len(), MAX_PUBLIC_FILES);
    problem(
        send(&app, &id, Some(&token), PDF).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(files_of(&app, &case).await.len(), MAX_PUBLIC_FILES);
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_scanner_or_before_confirmation_the_form_uploads_nothing() {
    let app = TestApp::spawn().await;
    // Before confirmation: the case does not exist yet.
    let (id, token, _code) = intake_submission(&app, "early@sagami-giken.example.jp").await;
    let early = problem(
        send(&app, &id, Some(&token), PDF).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        early["detail"]
            .as_str()
            .expect("detail")
            .contains("confirm"),
        "{early}"
    );

    // Confirmed, but no scanner is configured: refused, nothing stored.
    let (id, token, case) = confirmed_submission(&app, "refused@sagami-giken.example.jp").await;
    let refused = problem(
        send(&app, &id, Some(&token), PDF).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .expect("detail")
            .contains("no virus scanner"),
        "{refused}"
    );
    assert!(files_of(&app, &case).await.is_empty());
    // Signed-in callers are not the form: a bearer token does not stand in.
    let as_partner = upload(
        &app,
        &format!("/v1/intake-submissions/{id}/attachments?file_name=a.pdf"),
        Who::Partner,
        "application/pdf",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(as_partner.status(), StatusCode::NOT_FOUND);
}
