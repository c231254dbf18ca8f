//! Upload and download: bytes, hash and detected type round-trip; the size
//! limit; hostile file names; empty bodies.

use super::{sha256, upload, PDF};
use crate::harness::{json, problem, TestApp, Who};
use reqwest::StatusCode;
use serde_json::Value;

async fn files_of(app: &TestApp, case: &str) -> Vec<Value> {
    let list = json(
        app.get(&format!("/v1/proposals/{case}/attachments"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    list.as_array().expect("a list").clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pdf_round_trips_with_its_hash_and_detected_type() {
    let app = TestApp::spawn().await;
    let case = app.case().create().await;
    let path = format!("/v1/proposals/{}/attachments?file_name=企画書.pdf", case.id);
    let response = upload(&app, &path, Who::Partner, "application/pdf", PDF.to_vec()).await;
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let file = json(response, StatusCode::CREATED).await;
    assert_eq!(file["file_name"], "企画書.pdf");
    assert_eq!(file["sha256"], sha256(PDF));
    assert_eq!(file["size_bytes"], PDF.len());
    assert_eq!(file["detected_type"], "application/pdf");
    assert_eq!(file["declared_type"], "application/pdf");
    assert_eq!(file["source"], "partner");
    assert_eq!(file["visibility"], "shared", "a partner's files are shared");
    assert_eq!(file["scan_status"], "not_scanned");
    assert_eq!(file["downloadable"], true);
    assert_eq!(
        location,
        format!("/v1/attachments/{}", file["id"].as_str().expect("id"))
    );

    let meta = json(app.get(&location, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(meta, file);
    let download = app.get(&format!("{location}/content"), Who::Desk).await;
    assert_eq!(download.status(), StatusCode::OK);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let disposition = headers["content-disposition"].to_str().expect("ascii");
    assert!(disposition.starts_with("attachment; "), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''%E4%BC%81%E7%94%BB%E6%9B%B8.pdf"),
        "{disposition}"
    );
    let etag = headers["etag"].to_str().expect("etag").to_owned();
    assert_eq!(etag, format!("\"sha256-{}\"", sha256(PDF)));
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), PDF);

    let again = app
        .request(
            reqwest::Method::GET,
            &format!("{location}/content"),
            Who::Partner,
        )
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("conditional");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(files_of(&app, &case.id).await, vec![file]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_over_the_limit_is_413_and_nothing_is_stored() {
    let app = TestApp::builder()
        .configure(|c| c.attachments.max_bytes = 1024)
        .spawn()
        .await;
    let case = app.case().create().await;
    let path = format!("/v1/proposals/{}/attachments?file_name=big.bin", case.id);
    let refused = problem(
        upload(
            &app,
            &path,
            Who::Desk,
            "application/octet-stream",
            vec![1; 1025],
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .expect("detail")
            .contains("1024 bytes"),
        "{refused}"
    );
    // Through the idempotency middleware, which reads the body first.
    let keyed = app
        .request(reqwest::Method::POST, &path, Who::Desk)
        .header("idempotency-key", "big-file-1")
        .header("content-type", "application/octet-stream")
        .body(vec![1; 5000])
        .send()
        .await
        .expect("upload");
    problem(keyed, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(files_of(&app, &case.id).await.is_empty(), "nothing stored");
    let exact = upload(
        &app,
        &path,
        Who::Desk,
        "application/octet-stream",
        vec![1; 1024],
    )
    .await;
    assert_eq!(json(exact, StatusCode::CREATED).await["size_bytes"], 1024);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_with_an_idempotency_key_is_stored_once() {
    let app = TestApp::spawn().await;
    let case = app.case().create().await;
    let path = format!("/v1/proposals/{}/attachments?file_name=a.txt", case.id);
    let send = || {
        app.request(reqwest::Method::POST, &path, Who::Partner)
            .header("idempotency-key", "upload-once")
            .header("content-type", "text/plain")
            .body("same bytes")
            .send()
    };
    let first = json(send().await.expect("first"), StatusCode::CREATED).await;
    let replay = send().await.expect("replay");
    assert_eq!(replay.headers()["idempotency-replayed"], "true");
    assert_eq!(json(replay, StatusCode::CREATED).await["id"], first["id"]);
    assert_eq!(files_of(&app, &case.id).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_file_names_are_sanitized_or_refused() {
    let app = TestApp::spawn().await;
    let case = app.case().create().await;
    let base = format!("/v1/proposals/{}/attachments", case.id);
    let long = "企".repeat(300) + ".pdf";
    for (raw, kept) in [
        ("../../etc/passwd", "passwd".to_owned()),
        ("..\\..\\windows\\win.ini", "win.ini".to_owned()),
        ("a%0D%0Ab%07c%1B.txt", "abc.txt".to_owned()),
        ("%E2%80%AEfdp.exe", "fdp.exe".to_owned()),
        (long.as_str(), "企".repeat(83) + ".pdf"),
    ] {
        let path = format!("{base}?file_name={raw}");
        let file = json(
            upload(&app, &path, Who::Desk, "text/plain", b"x".to_vec()).await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(file["file_name"], kept.as_str(), "from {raw}");
    }
    for raw in ["..%2F", "%20", "%0A%0D", ""] {
        let path = format!("{base}?file_name={raw}");
        problem(
            upload(&app, &path, Who::Desk, "text/plain", b"x".to_vec()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let too_long = format!("{base}?file_name={}", "a".repeat(1100));
    problem(
        upload(&app, &too_long, Who::Desk, "text/plain", b"x".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let no_name = problem(
        upload(&app, &base, Who::Desk, "text/plain", b"x".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(no_name["errors"][0]["field"], "query", "{no_name}");
    assert_eq!(files_of(&app, &case.id).await.len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_body_or_a_bad_content_type_stores_nothing() {
    let app = TestApp::spawn().await;
    let case = app.case().create().await;
    let path = format!("/v1/proposals/{}/attachments?file_name=empty.txt", case.id);
    let empty = problem(
        upload(&app, &path, Who::Desk, "text/plain", Vec::new()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(empty["errors"][0]["code"], "empty", "{empty}");
    problem(
        upload(&app, &path, Who::Desk, "not a type", b"x".to_vec()).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    let closed = app
        .case()
        .to(living_gate_domain::desk::workflow::Status::Adopted)
        .await;
    problem(
        upload(
            &app,
            &format!("/v1/proposals/{}/attachments?file_name=late.txt", closed.id),
            Who::Desk,
            "text/plain",
            b"late".to_vec(),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(files_of(&app, &case.id).await.is_empty());
}
