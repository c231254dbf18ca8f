//! Ownership (issue 14): every city reads and searches every entry, only
//! the owning city's desk changes it; the others suggest corrections, which
//! the owning desk accepts (through the entry's update, with its If-Match)
//! or rejects.

use super::cities::{self, AYASE, EBINA};
use super::{create, entry};
use crate::harness::{etag_of, json, problem, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn another_citys_desk_reads_gets_403_on_edits_and_suggests_which_the_owner_decides() {
    let app = TestApp::spawn().await;
    let created = create(
        &app,
        &entry(
            &app,
            "ざま居場所ネット",
            json!({"opening_hours": "火〜土 10:00-17:00", "phone": "046-000-0000"}),
        ),
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/resources/{id}");
    let ayase_desk = cities::desk(&app, AYASE).await;
    let ebina_department = cities::department(&app, EBINA, "福祉総務課").await;
    // It reads and searches it: the point of the shared directory.
    let read = ayase_desk.get(&app, &path).await;
    let etag = etag_of(&read);
    json(read, StatusCode::OK).await;
    let found = json(
        ayase_desk.get(&app, "/v1/resources?q=居場所").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["items"][0]["id"], id.as_str());
    // But it does not change it, nor create or import into Zama.
    let change = json!({"opening_hours": "火〜日 10:00-18:00"});
    problem(
        ayase_desk.patch(&app, &path, &etag, &change).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        ayase_desk
            .post(&app, "/v1/resources", &entry(&app, "代理登録", json!({})))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let import = ayase_desk
        .request(&app, Method::POST, "/v1/resources/import")
        .header("content-type", "text/csv")
        .body("external_key,name,legal_form,municipality\r\nayase-into-zama,代理登録,任意団体,座間市\r\n")
        .send()
        .await
        .expect("import");
    let report = problem(import, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(report["report"]["problems"][0]["code"], "not_owner");
    // Nor does Zama's desk move its entry into Ayase's hands.
    let ayase = cities::municipality(&app, AYASE).await;
    problem(
        app.patch(&path, Who::Desk, &etag, &json!({"municipality_id": ayase}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // It suggests; so does a department of Ebina; partners may not.
    let suggestions = format!("{path}/suggestions");
    let suggested = json(
        ayase_desk
            .post(
                &app,
                &suggestions,
                &json!({"changes": change, "note": "電話で確認しました"}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(suggested["status"], "pending");
    assert_eq!(suggested["suggested_by"], ayase_desk.id.to_string());
    let other = json(
        ebina_department
            .post(
                &app,
                &suggestions,
                &json!({"changes": {"phone": "046-000-9999"}, "note": "番号が変わった"}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    problem(
        app.post(
            &suggestions,
            Who::Partner,
            &json!({"changes": change, "note": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // A suggestion is checked as the PATCH it would be.
    for bad in [
        json!({"changes": {"phone": "call me"}, "note": "x"}),
        json!({"changes": {"no_such_field": 1}, "note": "x"}),
        json!({"changes": {}, "note": "x"}),
        json!({"changes": change, "note": ""}),
    ] {
        problem(
            ayase_desk.post(&app, &suggestions, &bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // The owner's desk lists them; nobody else.
    problem(
        ayase_desk.get(&app, &suggestions).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let listed = json(app.get(&suggestions, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    let pending = json(
        app.get(&format!("{suggestions}?status=pending"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pending["items"].as_array().map(Vec::len), Some(2));

    // Accepting: the owning desk only, with the entry's current ETag.
    let accept = format!(
        "{suggestions}/{}/accept",
        suggested["id"].as_str().expect("id")
    );
    let post = |who: Who, path: String, etag: Option<String>| {
        let app = &app;
        async move {
            let mut request = app
                .request(Method::POST, &path, who)
                .json(&json!({"note": "反映しました"}));
            if let Some(etag) = etag {
                request = request.header("If-Match", etag);
            }
            request.send().await.expect("request")
        }
    };
    problem(
        ayase_desk
            .request(&app, Method::POST, &accept)
            .header("If-Match", &etag)
            .send()
            .await
            .expect("accept"),
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        post(Who::Desk, accept.clone(), None).await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    problem(
        post(Who::Desk, accept.clone(), Some("\"999\"".into())).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let accepted = post(Who::Desk, accept.clone(), Some(etag.clone())).await;
    let new_etag = etag_of(&accepted);
    assert_ne!(new_etag, etag);
    let accepted = json(accepted, StatusCode::OK).await;
    assert_eq!(accepted["opening_hours"], "火〜日 10:00-18:00");
    problem(
        post(Who::Desk, accept.clone(), Some(new_etag.clone())).await,
        StatusCode::CONFLICT,
    )
    .await;

    // Rejecting changes nothing.
    let reject = format!("{suggestions}/{}/reject", other["id"].as_str().expect("id"));
    problem(
        ayase_desk
            .request(&app, Method::POST, &reject)
            .send()
            .await
            .expect("reject"),
        StatusCode::FORBIDDEN,
    )
    .await;
    let rejected = json(post(Who::Desk, reject.clone(), None).await, StatusCode::OK).await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["decision_note"], "反映しました");
    let after = app.get(&path, Who::Desk).await;
    assert_eq!(etag_of(&after), new_etag);
    assert_eq!(json(after, StatusCode::OK).await["phone"], "046-000-0000");
    let decided = json(app.get(&suggestions, Who::Desk).await, StatusCode::OK).await;
    let statuses: Vec<&str> = decided["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, vec!["accepted", "rejected"]);
}
