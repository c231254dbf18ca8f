//! Issue 18, part 1: matching a case with the city's network (directory
//! entries as partners beside the departments), the model case, and
//! continuity (follow-ons, an organization's history).

mod continuity;
mod matches;
mod model_cases;
mod suggestions;

use crate::harness::{json, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A directory entry of Zama (`fields` replace the defaults); its id.
pub async fn entry(app: &TestApp, name: &str, fields: Value) -> String {
    let mut body = json!({"name": name, "legal_form": "npo", "municipality_id": app.fixtures.zama});
    for (field, value) in fields.as_object().expect("fields") {
        body[field] = value.clone();
    }
    let created = json(
        app.post("/v1/resources", Who::Desk, &body).await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

/// The desk proposes `resource` on the case; the response.
pub async fn propose(app: &TestApp, case: &str, resource: &str, who: Who) -> reqwest::Response {
    app.post(
        &format!("/v1/proposals/{case}/network-matches"),
        who,
        &json!({"resource_id": resource, "note": "地域の居場所づくりの経験"}),
    )
    .await
}

/// A proposed network match that must succeed; its id.
pub async fn proposed(app: &TestApp, case: &str, resource: &str) -> String {
    let created = json(
        propose(app, case, resource, Who::Desk).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["status"], "proposed", "{created}");
    created["id"].as_str().expect("id").to_owned()
}

pub fn today() -> String {
    living_gate_domain::fiscal::date_in_japan(chrono::Utc::now()).to_string()
}

/// `verb` (accept or decline) a network match as `who` with a valid answer.
pub async fn answer(app: &TestApp, id: &str, verb: &str, who: Who) -> reqwest::Response {
    app.post(
        &format!("/v1/network-matches/{id}/{verb}"),
        who,
        &json!({"answered_on": today(), "via": "phone", "note": "代表が電話で回答"}),
    )
    .await
}
