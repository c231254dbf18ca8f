//! Case management basics (issue 18): the coordinator (担当者), due dates
//! and their reminders, hearings as iCalendar, the case list as CSV.

mod calendar;
mod coordinator;
mod csv_list;
mod due_dates;
mod publication;

use crate::harness::{etag_of, json, TestApp, Who};
use living_gate_db::accounts::users::{self, NewUser};
use living_gate_domain::identity::UserStatus;
use living_gate_domain::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;
use uuid::Uuid;

/// A new account of `role` in `municipality` (a department's: of `department`).
pub async fn account(
    app: &TestApp,
    role: Role,
    status: UserStatus,
    municipality_id: Uuid,
    department_id: Option<Uuid>,
) -> Uuid {
    let mut conn = app.conn().await;
    let id = Uuid::now_v7();
    users::insert(
        &mut conn,
        &NewUser {
            id,
            email: format!("casework-{id}@zama.example.jp"),
            display_name: "佐藤 担当".into(),
            role,
            municipality_id: Some(municipality_id),
            department_id,
            organization_id: None,
            status,
            password_hash: Some("not a usable hash".into()),
        },
    )
    .await
    .expect("user");
    id
}

/// An active desk user of Zama besides the fixture's.
pub async fn second_desk_user(app: &TestApp) -> Uuid {
    account(app, Role::Desk, UserStatus::Active, app.fixtures.zama, None).await
}

/// PUT `body` to `path` as `who` with `If-Match` (if any).
pub async fn put(
    app: &TestApp,
    path: &str,
    who: Who,
    if_match: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = app.request(Method::PUT, path, who).json(body);
    if let Some(etag) = if_match {
        request = request.header("If-Match", etag);
    }
    request.send().await.expect("request")
}

/// The current ETag of `path` as the desk reads it.
pub async fn etag(app: &TestApp, path: &str) -> String {
    let response = app.get(path, Who::Desk).await;
    assert_eq!(response.status(), StatusCode::OK);
    etag_of(&response)
}

/// The outbox messages of `kind` about case `proposal_id`, as Zama's desk
/// reads the delivery log: (recipient user id, subject).
pub async fn mails(app: &TestApp, kind: &str, proposal_id: &str) -> Vec<(String, String)> {
    let listed = json(
        app.get(
            &format!("/v1/outbox-messages?kind={kind}&proposal_id={proposal_id}&limit=200"),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mut out: Vec<(String, String)> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| {
            (
                m["recipient_user_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                m["subject"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}
