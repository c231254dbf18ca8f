//! The regional resource directory, by concern: entries and their writes
//! (`entries`), per-field visibility and the hidden position (`visibility`),
//! text search and filters (`search`), searches by distance (`near`),
//! surveys (`surveys`), CSV import with the HSDS and CSV exports
//! (`exchange`), the figures kept ahead by every write (`figures`), the
//! one redaction walked through every output (`redaction`), who owns an entry and suggests corrections (`ownership`),
//! and need-to-know for hidden fields (`need_to_know`). The shared entries
//! and helpers are here; `cities` has the other cities' staff.

use crate::harness::{json, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub mod cities;
mod details;
mod entries;
mod exchange;
mod figures;
mod near;
mod need_to_know;
mod ownership;
mod redaction;
mod search;
mod surveys;
mod visibility;

/// The DV shelter's secret street address and position.
pub const SHELTER_STREET: &str = "相武台秘密町九丁目8番7号";
pub const SHELTER_LAT: f64 = 35.47123;
pub const SHELTER_LNG: f64 = 139.40456;

/// Creates an entry as the desk of its city, its owner (Zama's is `Who::Desk`).
pub async fn create(app: &TestApp, body: &Value) -> Value {
    let city = body["municipality_id"]
        .as_str()
        .and_then(|s| s.parse::<uuid::Uuid>().ok())
        .expect("municipality_id");
    let response = if city == app.fixtures.zama {
        app.post("/v1/resources", Who::Desk, body).await
    } else {
        cities::desk_of(app, city)
            .await
            .post(app, "/v1/resources", body)
            .await
    };
    json(response, StatusCode::CREATED).await
}

/// An entry of Zama with sensible defaults, overridden by `extra`.
pub fn entry(app: &TestApp, name: &str, extra: Value) -> Value {
    let mut body = json!({
        "name": name, "legal_form": "npo", "municipality_id": app.fixtures.zama,
        "description": "", "topics": [], "forms": [],
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

/// A public DV consultation office that hides its address, position,
/// phone and contact person, and a staff-only shelter.
pub async fn dv_entries(app: &TestApp) -> (Value, Value) {
    let office = create(
        app,
        &entry(app, "DV相談室かながわ", json!({
            "legal_form": "public_agency", "topics": ["dv"], "forms": ["consultation"],
            "description": "配偶者からの暴力に関する相談",
            "locations": [{"label": "相談室", "postal_code": "252-0011", "prefecture": "神奈川県", "city": "座間市",
                           "street": SHELTER_STREET, "latitude": SHELTER_LAT, "longitude": SHELTER_LNG}],
            "phone": "046-999-0001", "contact_person": "秘密 花子", "email": "soudan@dv.example.jp",
            "hidden_fields": ["address", "position", "phone", "contact_person", "email"],
        })),
    )
    .await;
    let shelter = create(
        app,
        &entry(app, "緊急一時保護シェルター", json!({
            "legal_form": "social_welfare_corporation", "topics": ["dv"], "forms": ["safe_place"],
            "visibility": "staff_only",
            "locations": [{"street": SHELTER_STREET, "latitude": SHELTER_LAT + 0.0001, "longitude": SHELTER_LNG}],
            "hidden_fields": ["address", "position", "phone", "email", "contact_person"],
        })),
    )
    .await;
    (office, shelter)
}

pub async fn ids(app: &TestApp, path: &str, who: Who) -> Vec<String> {
    let body = json(app.get(path, who).await, StatusCode::OK).await;
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}
