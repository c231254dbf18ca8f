//! Per-field visibility: what the public and each role see of an entry,
//! and that a hidden position cannot be found, triangulated or mapped.

use super::{create, dv_entries, entry, ids, SHELTER_LAT, SHELTER_LNG, SHELTER_STREET};
use crate::harness::{json, problem, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn the_public_gets_public_entries_with_hidden_fields_as_null_and_staff_everything() {
    let app = TestApp::spawn().await;
    let (office, shelter) = dv_entries(&app).await;
    let office_id = office["id"].as_str().expect("id");
    let shelter_id = shelter["id"].as_str().expect("id");
    for who in [Who::Anonymous, Who::Partner, Who::Analyst, Who::Admin] {
        let got = json(
            app.get(&format!("/v1/resources/{office_id}"), who).await,
            StatusCode::OK,
        )
        .await;
        assert!(
            got["phone"].is_null() && got["email"].is_null() && got["contact_person"].is_null(),
            "{who:?}: {got}"
        );
        assert!(
            got["locations"][0]["street"].is_null() && got["locations"][0]["latitude"].is_null(),
            "{who:?}: {got}"
        );
        assert!(
            got["locations"][0]["label"].is_null() && got["external_key"].is_null(),
            "{who:?}"
        );
        assert_eq!(
            got["hidden_fields"],
            json!(["address", "position", "phone", "email", "contact_person"])
        );
        problem(
            app.get(&format!("/v1/resources/{shelter_id}"), who).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        let names = ids(&app, "/v1/resources", who).await;
        assert_eq!(names, vec!["DV相談室かながわ"], "{who:?}");
    }
    for who in [Who::Desk, Who::Department, Who::OtherDepartment] {
        let got = json(
            app.get(&format!("/v1/resources/{office_id}"), who).await,
            StatusCode::OK,
        )
        .await;
        if who == Who::Desk {
            // The owning city's desk: need-to-know.
            assert_eq!(got["phone"], "046-999-0001");
            assert_eq!(got["locations"][0]["street"], SHELTER_STREET);
            assert_eq!(got["locations"][0]["latitude"], SHELTER_LAT);
        } else {
            // Staff without a grant: staff-only entries, not hidden fields.
            assert!(got["phone"].is_null(), "{who:?}: {got}");
            assert!(got["locations"][0]["street"].is_null(), "{who:?}");
            assert!(got["locations"][0]["latitude"].is_null(), "{who:?}");
        }
        json(
            app.get(&format!("/v1/resources/{shelter_id}"), who).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(ids(&app, "/v1/resources", who).await.len(), 2, "{who:?}");
    }
}

/// Triangulation: wherever and however widely the public searches around
/// the hidden position, the entries that hide it never appear (nor
/// disappear, nor move in the order), and no output carries the position or
/// the street.
#[tokio::test(flavor = "multi_thread")]
async fn a_hidden_position_cannot_be_found_or_triangulated_by_the_public() {
    let app = TestApp::spawn().await;
    let (office, shelter) = dv_entries(&app).await;
    let office_id = office["id"].as_str().expect("id").to_owned();
    let shelter_id = shelter["id"].as_str().expect("id").to_owned();
    // A public neighbour with a public position, 300 m away, that introduced the office.
    let neighbour = create(
        &app,
        &entry(&app, "ざま子ども食堂", json!({
            "legal_form": "childrens_cafeteria", "topics": ["child_rearing"], "forms": ["food_support"],
            "locations": [{"street": "相武台一丁目1番1号", "latitude": SHELTER_LAT + 0.0019, "longitude": SHELTER_LNG + 0.0023}],
            "introduced_ids": [office_id, shelter_id],
        })),
    )
    .await;
    let neighbour_id = neighbour["id"].as_str().expect("id").to_owned();
    let lat_text = format!("{SHELTER_LAT}");
    let lng_text = format!("{SHELTER_LNG}");
    let secrets = [
        SHELTER_STREET,
        lat_text.as_str(),
        lng_text.as_str(),
        "046-999-0001",
        "秘密 花子",
        "緊急一時保護シェルター",
    ];
    let assert_clean = |what: &str, body: &str| {
        for secret in secrets {
            assert!(!body.contains(secret), "{what} leaks {secret}: {body}");
        }
    };
    let mut searches = Vec::new();
    for (dlat, dlng) in [
        (0.0, 0.0),
        (0.001, 0.0),
        (-0.002, 0.001),
        (0.0, -0.003),
        (0.01, 0.01),
    ] {
        for radius in ["0.1", "0.2", "0.5", "1", "5", "50"] {
            searches.push(format!(
                "/v1/resources?near={},{}&radius_km={radius}",
                SHELTER_LAT + dlat,
                SHELTER_LNG + dlng
            ));
        }
    }
    searches.push(format!(
        "/v1/resources?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=1&q=DV"
    ));
    searches.push(format!(
        "/v1/resources?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=1&topic=dv"
    ));
    searches.push(format!(
        "/v1/resources?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=5&sort=relevance&q=相談"
    ));
    for who in [Who::Anonymous, Who::Partner, Who::Analyst, Who::Admin] {
        for search in &searches {
            let response = app.get(search, who).await;
            assert_eq!(response.status(), StatusCode::OK, "{search}");
            let body = response.text().await.expect("body");
            assert_clean(search, &body);
            let parsed: Value = serde_json::from_str(&body).expect("json");
            for item in parsed["items"].as_array().expect("items") {
                assert_eq!(
                    item["id"],
                    neighbour_id.as_str(),
                    "{who:?} {search}: {item}"
                );
            }
        }
        for path in [
            "/v1/resources".to_owned(),
            "/v1/resources?q=DV".to_owned(),
            format!("/v1/resources/{office_id}"),
            format!("/v1/resources/{neighbour_id}/referrals"),
            format!("/v1/resources/{office_id}/referrals"),
            "/v1/resources/map".to_owned(),
            format!("/v1/resources/map?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=1"),
            "/v1/resources/stats".to_owned(),
            format!("/v1/resources/stats?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=0.1"),
            format!("/v1/resources/{shelter_id}"),
            format!("/v1/resources/{shelter_id}/referrals"),
            "/v1/resources?near=91,0".to_owned(),
        ] {
            let body = app.get(&path, who).await.text().await.expect("body");
            assert_clean(&path, &body);
        }
        // The map has the neighbour only.
        let map = json(app.get("/v1/resources/map", who).await, StatusCode::OK).await;
        let features = map["features"].as_array().expect("features");
        assert_eq!(features.len(), 1, "{map}");
        assert_eq!(features[0]["id"], neighbour_id.as_str());
        // The figures count the office (public entry) but not the staff-only shelter,
        // whether or not one searches near it.
        let stats = json(app.get("/v1/resources/stats", who).await, StatusCode::OK).await;
        assert_eq!(stats["total"], 2);
        let near = format!("/v1/resources/stats?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=0.1");
        assert_eq!(
            json(app.get(&near, who).await, StatusCode::OK).await["total"],
            0
        );
        // Referrals: the neighbour introduced the office and the shelter; the public sees the office only.
        let referrals = json(
            app.get(&format!("/v1/resources/{neighbour_id}/referrals"), who)
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(referrals["introduced"].as_array().expect("list").len(), 1);
        assert_eq!(referrals["introduced"][0]["id"], office_id.as_str());
    }
    // The owning desk finds both by position, nearest first.
    let staff = json(
        app.get(
            &format!("/v1/resources?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=1"),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = staff["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        vec![
            "DV相談室かながわ",
            "緊急一時保護シェルター",
            "ざま子ども食堂"
        ]
    );
    assert!(staff["items"][0]["distance_m"].as_f64().expect("distance") < 1.0);
    let map = json(
        app.get("/v1/resources/map", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(map["features"].as_array().expect("features").len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_map_shows_a_point_without_the_label_of_a_hidden_address() {
    let app = TestApp::spawn().await;
    let created = create(
        &app,
        &entry(&app, "こども食堂ひだまり", json!({
            "legal_form": "childrens_cafeteria", "topics": ["child_rearing"],
            "locations": [{"label": "ひだまり荘 1階", "street": "相模が丘1-2-3", "latitude": 35.4901, "longitude": 139.4102}],
            "hidden_fields": ["address"], "position_publication": "coarse",
        })),
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let feature = |body: &Value| {
        body["features"]
            .as_array()
            .expect("features")
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .expect("the entry's point is on the map")
    };
    let public = json(
        app.get("/v1/resources/map", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    let point = feature(&public);
    // A hidden address hides the position; this entry publishes it coarse.
    assert_eq!(point["geometry"]["coordinates"], json!([139.41, 35.49]));
    assert!(point["properties"]["label"].is_null(), "{point}");
    assert!(!public.to_string().contains("ひだまり荘"));
    let ungranted = json(
        app.get("/v1/resources/map", Who::Department).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        feature(&ungranted)["geometry"]["coordinates"],
        json!([139.41, 35.49])
    );
    assert!(feature(&ungranted)["properties"]["label"].is_null());
    let owner = json(
        app.get("/v1/resources/map", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(feature(&owner)["properties"]["label"], "ひだまり荘 1階");
    assert_eq!(
        feature(&owner)["geometry"]["coordinates"],
        json!([139.4102, 35.4901])
    );
}
