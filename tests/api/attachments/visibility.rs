//! Who sees which file: as what it hangs off. A proposer never gets an
//! internal file; another department never gets a hearing's minutes;
//! another city gets 404; analysts and admins 403.

use super::upload;
use crate::harness::{json, logic_model, problem, TestApp, Who};
use reqwest::StatusCode;
use serde_json::Value;

async fn id_of(response: reqwest::Response) -> String {
    let file: Value = json(response, StatusCode::CREATED).await;
    file["id"].as_str().expect("id").to_owned()
}

async fn status(app: &TestApp, path: &str, who: Who) -> StatusCode {
    app.get(path, who).await.status()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proposer_never_gets_an_internal_file_of_its_case() {
    let app = TestApp::spawn().await;
    let mut case = app.case().create().await;
    case.request_hearing(Who::Department).await;
    let base = format!("/v1/proposals/{}/attachments", case.id);
    let internal = id_of(
        upload(
            &app,
            &format!("{base}?file_name=memo.txt"),
            Who::Desk,
            "text/plain",
            b"internal".to_vec(),
        )
        .await,
    )
    .await;
    let shared = id_of(
        upload(
            &app,
            &format!("{base}?file_name=note.txt&visibility=shared"),
            Who::Desk,
            "text/plain",
            b"shared".to_vec(),
        )
        .await,
    )
    .await;
    let partner_list = json(app.get(&base, Who::Partner).await, StatusCode::OK).await;
    let ids: Vec<&str> = partner_list
        .as_array()
        .expect("list")
        .iter()
        .map(|f| f["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, vec![shared.as_str()]);
    let desk_list = json(app.get(&base, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(desk_list.as_array().expect("list").len(), 2);
    assert_eq!(desk_list[0]["visibility"], "internal");
    for path in [
        format!("/v1/attachments/{internal}"),
        format!("/v1/attachments/{internal}/content"),
    ] {
        assert_eq!(
            status(&app, &path, Who::Partner).await,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            status(&app, &path, Who::Department).await,
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            status(&app, &path, Who::OtherPartner).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(&app, &path, Who::OtherDepartment).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(&app, &path, Who::AyaseDesk).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(&app, &path, Who::Analyst).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(status(&app, &path, Who::Admin).await, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        status(
            &app,
            &format!("/v1/attachments/{shared}/content"),
            Who::Partner
        )
        .await,
        StatusCode::OK
    );
    // A partner cannot make its file internal.
    problem(
        upload(
            &app,
            &format!("{base}?file_name=x.txt&visibility=internal"),
            Who::Partner,
            "text/plain",
            b"x".to_vec(),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Another city's desk cannot attach to the case.
    problem(
        upload(
            &app,
            &format!("{base}?file_name=x.txt"),
            Who::AyaseDesk,
            "text/plain",
            b"x".to_vec(),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hearings_minutes_are_the_desks_and_that_departments_only() {
    let app = TestApp::spawn().await;
    let mut case = app.case().create().await;
    let hearing = case.request_hearing(Who::Department).await;
    let other_hearing = case.request_hearing(Who::OtherDepartment).await;
    let base = format!("/v1/hearings/{hearing}/attachments");
    let minutes = id_of(
        upload(
            &app,
            &format!("{base}?file_name=議事録.txt"),
            Who::Department,
            "text/plain",
            "議事録".into(),
        )
        .await,
    )
    .await;
    let file = json(
        app.get(&format!("/v1/attachments/{minutes}"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(file["attached_to"], "hearing");
    assert_eq!(file["hearing_id"], hearing.as_str());
    assert_eq!(file["visibility"], "internal");
    for path in [
        base.clone(),
        format!("/v1/attachments/{minutes}"),
        format!("/v1/attachments/{minutes}/content"),
    ] {
        assert_eq!(
            status(&app, &path, Who::Desk).await,
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            status(&app, &path, Who::Department).await,
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            status(&app, &path, Who::OtherDepartment).await,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            status(&app, &path, Who::Partner).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            status(&app, &path, Who::AyaseDepartment).await,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            status(&app, &path, Who::Analyst).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // The department cannot attach to another department's hearing, nor share minutes.
    problem(
        upload(
            &app,
            &format!("/v1/hearings/{other_hearing}/attachments?file_name=x.txt"),
            Who::Department,
            "text/plain",
            b"x".to_vec(),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let shared = problem(
        upload(
            &app,
            &format!("{base}?file_name=x.txt&visibility=shared"),
            Who::Desk,
            "text/plain",
            b"x".to_vec(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(shared["errors"][0]["field"], "visibility");
    // The minutes are not among the case's own files.
    let case_files = json(
        app.get(&format!("/v1/proposals/{}/attachments", case.id), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(case_files, serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_logic_models_files_follow_its_version() {
    let app = TestApp::spawn().await;
    let mut case = app.case().create().await;
    case.request_hearing(Who::Department).await;
    case.save_logic_model(&logic_model("draft", "交流会")).await;
    case.save_logic_model(&logic_model("shared", "交流会"))
        .await;
    let draft = format!(
        "/v1/proposals/{}/logic-model/versions/1/attachments",
        case.id
    );
    let shared = format!(
        "/v1/proposals/{}/logic-model/versions/2/attachments",
        case.id
    );
    let on_draft = json(
        upload(
            &app,
            &format!("{draft}?file_name=案.txt"),
            Who::Desk,
            "text/plain",
            b"draft".to_vec(),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(on_draft["visibility"], "internal");
    assert_eq!(on_draft["logic_model_version"], 1);
    problem(
        upload(
            &app,
            &format!("{draft}?file_name=x.txt&visibility=shared"),
            Who::Desk,
            "text/plain",
            b"x".to_vec(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let on_shared = json(
        upload(
            &app,
            &format!("{shared}?file_name=図.txt"),
            Who::Desk,
            "text/plain",
            b"shared".to_vec(),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(on_shared["visibility"], "shared");
    assert_eq!(
        status(&app, &draft, Who::Partner).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(&app, &draft, Who::Department).await,
        StatusCode::NOT_FOUND
    );
    let seen = json(app.get(&shared, Who::Partner).await, StatusCode::OK).await;
    assert_eq!(seen[0]["id"], on_shared["id"]);
    let id = on_draft["id"].as_str().expect("id");
    assert_eq!(
        status(&app, &format!("/v1/attachments/{id}"), Who::Partner).await,
        StatusCode::NOT_FOUND
    );
    problem(
        upload(
            &app,
            &format!("{shared}?file_name=x.txt"),
            Who::Department,
            "text/plain",
            b"x".to_vec(),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        upload(
            &app,
            &format!(
                "/v1/proposals/{}/logic-model/versions/9/attachments?file_name=x.txt",
                case.id
            ),
            Who::Desk,
            "text/plain",
            b"x".to_vec(),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
