//! The one redaction, walked through every output: for each hideable field
//! (`HideableField::ALL`, so a new field is walked too) an entry that hides
//! only that field (the address hides the position with it), read through
//! every output as the public, as staff without need-to-know and as the
//! owning desk. The public never gets the hidden values, anywhere in the
//! body, and gets every other field; ungranted staff neither get the hidden
//! values; the owning desk gets everything. The staff-only fields likewise.

use super::{create, entry};
use crate::harness::{TestApp, Who};
use living_gate_domain::directory::HideableField;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

const PUBLIC: [Who; 4] = [Who::Anonymous, Who::Partner, Who::Analyst, Who::Admin];
/// Staff of the owning city without a confidential-access grant.
const UNGRANTED: [Who; 2] = [Who::Department, Who::OtherDepartment];
/// The owning city's desk.
const STAFF: [Who; 1] = [Who::Desk];

/// Every way the directory leaves the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// `GET /v1/resources/{id}`.
    Entry,
    /// `GET /v1/resources`.
    List,
    /// `GET /v1/resources?near=…`.
    Near,
    /// `GET /v1/resources/map` (GeoJSON).
    Map,
    /// `GET /v1/resources/export?format=hsds`.
    Hsds,
    /// `GET /v1/resources/export?format=csv`.
    Csv,
}

const OUTPUTS: [Output; 6] = [
    Output::Entry,
    Output::List,
    Output::Near,
    Output::Map,
    Output::Hsds,
    Output::Csv,
];

/// One stored value of a field: `part` names it (`street`, `latitude`…),
/// `location` is the index of its location, if it belongs to one.
#[derive(Debug, Clone)]
struct Stored {
    part: &'static str,
    location: Option<usize>,
    text: String,
}

impl Output {
    /// Whether this output renders `value` at all (the map shows a place's
    /// label and position only; the CSV has the first location, no label).
    fn carries(self, value: &Stored) -> bool {
        match self {
            Output::Entry | Output::List | Output::Near | Output::Hsds => true,
            Output::Map => matches!(value.part, "label" | "latitude" | "longitude"),
            Output::Csv => value.part != "label" && value.location.is_none_or(|i| i == 0),
        }
    }

    /// Which staff-only fields it renders.
    fn staff_only(self) -> &'static [&'static str] {
        match self {
            Output::Entry | Output::List | Output::Near => &[
                "external_key",
                "partner_organization_id",
                "last_verified_by",
            ],
            Output::Csv => &["external_key"],
            Output::Map | Output::Hsds => &[],
        }
    }

    /// Whether the public gets no trace of an entry whose position is hidden.
    fn leaves_out_hidden_positions(self) -> bool {
        matches!(self, Output::Near | Output::Map)
    }
}

/// The test entry that hides `field` only, with its stored values.
struct Hiding {
    field: HideableField,
    /// What it hides: the field, and the position with an address.
    hides: Vec<HideableField>,
    id: String,
    name: String,
    values: Vec<(HideableField, Stored)>,
    staff_only: Vec<(&'static str, String)>,
}

/// The values an entry stores for each hideable field; `i` makes them
/// unique to the entry. Exhaustive: a new field needs values here.
fn values_of(field: HideableField, i: usize) -> Vec<Stored> {
    let at = |part, location, text: String| Stored {
        part,
        location,
        text,
    };
    match field {
        HideableField::Address => (0..2)
            .flat_map(|l| {
                [
                    at("label", Some(l), format!("秘匿ラベル{i}の{l}")),
                    at("postal_code", Some(l), format!("999-{i}{l}07")),
                    at("prefecture", Some(l), format!("秘匿県{i}の{l}")),
                    at("city", Some(l), format!("秘匿市{i}の{l}")),
                    at("street", Some(l), format!("秘匿町{i}丁目{l}番")),
                ]
            })
            .collect(),
        HideableField::Position => (0..2)
            .flat_map(|l| {
                [
                    at("latitude", Some(l), format!("35.46{i}{l}2873")),
                    at("longitude", Some(l), format!("139.41{i}{l}1729")),
                ]
            })
            .collect(),
        HideableField::Phone => vec![at("phone", None, format!("046-77{i}-000{i}"))],
        HideableField::Email => vec![at(
            "email",
            None,
            format!("himitsu{i}@redaction.example.jp"),
        )],
        HideableField::ContactPerson => vec![at("contact_person", None, format!("秘匿 太郎{i}"))],
    }
}

async fn create_hiding(app: &TestApp, field: HideableField, i: usize) -> Hiding {
    let values: Vec<(HideableField, Stored)> = HideableField::ALL
        .into_iter()
        .flat_map(|f| values_of(f, i).into_iter().map(move |v| (f, v)))
        .collect();
    let value = |part: &str, location: Option<usize>| {
        values
            .iter()
            .find(|(_, v)| v.part == part && v.location == location)
            .map(|(_, v)| v.text.clone())
            .expect("a value of every part")
    };
    let number = |part: &str, l: usize| -> f64 { value(part, Some(l)).parse().expect("a number") };
    let locations: Vec<Value> = (0..2)
        .map(|l| {
            json!({"label": value("label", Some(l)), "postal_code": value("postal_code", Some(l)),
                   "prefecture": value("prefecture", Some(l)), "city": value("city", Some(l)),
                   "street": value("street", Some(l)),
                   "latitude": number("latitude", l), "longitude": number("longitude", l)})
        })
        .collect();
    let name = format!("秘匿検査{i}");
    let external_key = format!("redaction-key-{i}");
    let created = create(
        app,
        &entry(
            app,
            &name,
            json!({
                "external_key": external_key, "locations": locations,
                "phone": value("phone", None), "email": value("email", None),
                "contact_person": value("contact_person", None),
                "partner_organization_id": app.fixtures.partner_org,
                "last_verified_at": "2026-10-01T00:00:00Z",
                "hidden_fields": [field.as_str()],
            }),
        ),
    )
    .await;
    let hides = if field == HideableField::Address {
        vec![HideableField::Address, HideableField::Position]
    } else {
        vec![field]
    };
    assert_eq!(
        created["hidden_fields"],
        json!(hides.iter().map(|f| f.as_str()).collect::<Vec<_>>())
    );
    let staff_only = vec![
        ("external_key", external_key),
        (
            "partner_organization_id",
            app.fixtures.partner_org.to_string(),
        ),
        (
            "last_verified_by",
            app.fixtures.account(Who::Desk).id.to_string(),
        ),
    ];
    Hiding {
        field,
        hides,
        id: created["id"].as_str().expect("id").to_owned(),
        name,
        values,
        staff_only,
    }
}

/// The whole body of one output, and the part of it about each entry (by id).
async fn read(
    app: &TestApp,
    output: Output,
    who: Who,
    entries: &[Hiding],
) -> (String, HashMap<String, String>) {
    let get = |path: String| async move {
        let response = app.get(&path, who).await;
        assert_eq!(response.status(), StatusCode::OK, "{who:?} {path}");
        response.text().await.expect("body")
    };
    let by_id = |body: &str, list: &str| -> HashMap<String, String> {
        let parsed: Value = serde_json::from_str(body).expect("json");
        let mut parts: HashMap<String, Vec<Value>> = HashMap::new();
        for item in parsed[list].as_array().expect("a list") {
            parts
                .entry(item["id"].as_str().expect("id").to_owned())
                .or_default()
                .push(item.clone());
        }
        parts
            .into_iter()
            .map(|(id, items)| (id, Value::Array(items).to_string()))
            .collect()
    };
    match output {
        Output::Entry => {
            let mut whole = String::new();
            let mut parts = HashMap::new();
            for e in entries {
                let body = get(format!("/v1/resources/{}", e.id)).await;
                whole.push_str(&body);
                parts.insert(e.id.clone(), body);
            }
            (whole, parts)
        }
        Output::List => {
            let body = get("/v1/resources?limit=200".to_owned()).await;
            let parts = by_id(&body, "items");
            (body, parts)
        }
        Output::Near => {
            // Around the first location of the first entry (which shows its position).
            let at = |part: &str| {
                entries[0]
                    .values
                    .iter()
                    .find(|(_, v)| v.part == part && v.location == Some(0))
                    .map(|(_, v)| v.text.clone())
                    .expect("a position")
            };
            let body = get(format!(
                "/v1/resources?near={},{}&radius_km=5&limit=200",
                at("latitude"),
                at("longitude")
            ))
            .await;
            let parts = by_id(&body, "items");
            (body, parts)
        }
        Output::Map => {
            let body = get("/v1/resources/map".to_owned()).await;
            let parts = by_id(&body, "features");
            (body, parts)
        }
        Output::Hsds => {
            let body = get("/v1/resources/export?format=hsds".to_owned()).await;
            let parts = by_id(&body, "contents");
            (body, parts)
        }
        Output::Csv => {
            let body = get("/v1/resources/export?format=csv".to_owned()).await;
            let mut reader =
                csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
            let mut parts = HashMap::new();
            for record in reader.records() {
                let record = record.expect("a CSV record");
                let name = record.get(1).expect("a name column");
                if let Some(e) = entries.iter().find(|e| e.name == name) {
                    let row: Vec<&str> = record.iter().collect();
                    parts.insert(e.id.clone(), row.join("\u{1f}"));
                }
            }
            (body, parts)
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_hideable_field_is_redacted_in_every_output_for_the_public_only() {
    let app = TestApp::spawn().await;
    let mut entries = Vec::new();
    for (i, field) in HideableField::ALL.into_iter().enumerate() {
        entries.push(create_hiding(&app, field, i).await);
    }
    let mut checked = 0;
    for output in OUTPUTS {
        for who in UNGRANTED {
            let (body, parts) = read(&app, output, who, &entries).await;
            for e in &entries {
                let what = format!("{output:?} as {who:?}, entry hiding {:?}", e.field);
                for (_, v) in e.values.iter().filter(|(f, _)| e.hides.contains(f)) {
                    assert!(!body.contains(&v.text), "{what}: leaks {v:?}\n{body}");
                    checked += 1;
                }
                let part = parts.get(&e.id);
                if e.hides.contains(&HideableField::Position)
                    && output.leaves_out_hidden_positions()
                {
                    assert!(part.is_none(), "{what}: the entry is there\n{body}");
                    continue;
                }
                let part = part.unwrap_or_else(|| panic!("{what}: the entry is missing\n{body}"));
                for (f, v) in &e.values {
                    if !e.hides.contains(f) && output.carries(v) {
                        assert!(part.contains(&v.text), "{what}: {v:?} is missing\n{part}");
                    }
                }
            }
        }
        for who in PUBLIC {
            let (body, parts) = read(&app, output, who, &entries).await;
            for e in &entries {
                let what = format!("{output:?} as {who:?}, entry hiding {:?}", e.field);
                // Nowhere in the body: neither the hidden field nor a staff-only one.
                for (_, v) in e.values.iter().filter(|(f, _)| e.hides.contains(f)) {
                    assert!(!body.contains(&v.text), "{what}: leaks {v:?}\n{body}");
                    checked += 1;
                }
                for (name, v) in &e.staff_only {
                    assert!(!body.contains(v), "{what}: leaks {name} {v}\n{body}");
                }
                let part = parts.get(&e.id);
                if e.hides.contains(&HideableField::Position)
                    && output.leaves_out_hidden_positions()
                {
                    assert!(part.is_none(), "{what}: the entry is there\n{body}");
                    continue;
                }
                // Everything else is there.
                let part = part.unwrap_or_else(|| panic!("{what}: the entry is missing\n{body}"));
                for (f, v) in &e.values {
                    if !e.hides.contains(f) && output.carries(v) {
                        assert!(part.contains(&v.text), "{what}: {v:?} is missing\n{part}");
                    }
                }
                if output == Output::Near {
                    assert!(part.contains("distance_m"), "{what}: no distance\n{part}");
                }
            }
        }
        for who in STAFF {
            let (_, parts) = read(&app, output, who, &entries).await;
            for e in &entries {
                let what = format!("{output:?} as {who:?}, entry hiding {:?}", e.field);
                let part = parts
                    .get(&e.id)
                    .unwrap_or_else(|| panic!("{what}: the entry is missing"));
                for (_, v) in &e.values {
                    if output.carries(v) {
                        assert!(part.contains(&v.text), "{what}: {v:?} is missing\n{part}");
                        checked += 1;
                    }
                }
                for (name, v) in &e.staff_only {
                    if output.staff_only().contains(name) {
                        assert!(part.contains(v), "{what}: {name} is missing\n{part}");
                    }
                }
                if output == Output::Near {
                    assert!(part.contains("distance_m"), "{what}: no distance\n{part}");
                }
            }
        }
    }
    // Not vacuous: every field's values were looked for, in every output.
    let per_walk: usize = HideableField::ALL
        .into_iter()
        .map(|f| values_of(f, 0).len())
        .sum();
    assert!(checked > per_walk * OUTPUTS.len(), "{checked}");
}
