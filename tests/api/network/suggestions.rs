//! Suggested network partners: ranked by topic, form, served city and past
//! involvement, every point explained.

use super::{answer, entry, proposed};
use crate::harness::{json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn by_name<'a>(ranked: &'a Value, name: &str) -> Option<&'a Value> {
    ranked
        .as_array()
        .expect("list")
        .iter()
        .find(|s| s["name"] == name)
}

#[tokio::test(flavor = "multi_thread")]
async fn entries_are_ranked_by_topic_form_city_and_past_involvement_with_every_point_explained() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    // A topic under the one asked (family → single_parent) and a form; serves Zama.
    let single_parents = entry(
        &app,
        "ひとり親サロン",
        json!({"topics": ["single_parent"], "forms": ["place_to_belong"]}),
    )
    .await;
    // The same topic, Ayase's and not serving Zama (the directory is the four cities').
    let ebina = json(app.post("/v1/resources", Who::AyaseDesk, &json!({"name": "海老名ひとり親の会", "legal_form": "npo",
        "municipality_id": f.ayase, "serves_municipality_ids": [f.ayase, f.ebina], "topics": ["single_parent"]})).await,
        StatusCode::CREATED).await["id"].as_str().expect("id").to_owned();
    // Nothing asked, but an earlier TRIP of Zama supports it.
    let veteran = entry(&app, "NPO法人さがみ福祉会", json!({"topics": ["elderly"]})).await;
    // Introduced by the veteran (a referral with a past partner).
    let introduced = entry(
        &app,
        "見守りボランティアの会",
        json!({"topics": ["elderly"]}),
    )
    .await;
    let edit = format!("/v1/resources/{veteran}");
    let etag = app.etag(&edit, Who::Desk).await;
    json(
        app.patch(
            &edit,
            Who::Desk,
            &etag,
            &json!({"introduced_ids": [introduced]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Unrelated: left out.
    entry(&app, "囲碁クラブ", json!({"topics": ["disability"]})).await;

    let mut earlier = app.case().to(Status::Matching).await;
    let agreed = proposed(&app, &earlier.id, &veteran).await;
    json(
        answer(&app, &agreed, "accept", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    earlier.to(Status::Adopted).await;

    let case = app.case().to(Status::Matching).await;
    let path = format!(
        "/v1/proposals/{}/network-match-suggestions?topics=family&forms=place_to_belong",
        case.id
    );
    let ranked = json(app.get(&path, Who::Desk).await, StatusCode::OK).await;
    let names: Vec<&str> = ranked
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    // Ties by name: 海 (U+6D77) before 見 (U+898B).
    assert_eq!(
        names,
        [
            "ひとり親サロン",
            "NPO法人さがみ福祉会",
            "海老名ひとり親の会",
            "見守りボランティアの会"
        ],
        "{ranked}"
    );

    let first = by_name(&ranked, "ひとり親サロン").expect("ranked");
    assert_eq!(first["resource_id"], single_parents);
    assert_eq!(first["score"], 7);
    assert_eq!(
        first["reasons"],
        json!([
            "topics [single_parent] → 3 points",
            "forms [place_to_belong] → 2 points",
            "serves the case's city → 2 points"
        ])
    );
    let veteran_row = by_name(&ranked, "NPO法人さがみ福祉会").expect("ranked");
    assert_eq!(veteran_row["score"], 6, "{veteran_row}");
    assert_eq!(
        veteran_row["reasons"],
        json!([
            format!("supported by the TRIP of {} → 4 points", earlier.reference),
            "serves the case's city → 2 points"
        ])
    );
    let referral = by_name(&ranked, "見守りボランティアの会").expect("ranked");
    assert_eq!(
        referral["reasons"],
        json!([
            "introduced by NPO法人さがみ福祉会, a past partner of the city → 1 point",
            "serves the case's city → 2 points"
        ])
    );
    let far = by_name(&ranked, "海老名ひとり親の会").expect("ranked");
    assert_eq!(
        (far["resource_id"].as_str(), far["score"].as_u64()),
        (Some(ebina.as_str()), Some(3))
    );

    // An entry already proposed on the case is not suggested again; `limit` cuts.
    proposed(&app, &case.id, &single_parents).await;
    let ranked = json(
        app.get(&format!("{path}&limit=1"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ranked.as_array().map(Vec::len), Some(1));
    assert_eq!(ranked[0]["name"], "NPO法人さがみ福祉会");

    // Without topics or forms: past involvement only.
    let plain = json(
        app.get(
            &format!("/v1/proposals/{}/network-match-suggestions", case.id),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(by_name(&plain, "海老名ひとり親の会").is_none(), "{plain}");
    assert!(by_name(&plain, "NPO法人さがみ福祉会").is_some(), "{plain}");

    // Unknown or malformed codes, too many, a limit out of range: 422.
    let base = format!("/v1/proposals/{}/network-match-suggestions", case.id);
    for query in [
        "?topics=no_such_topic",
        "?forms=family",
        "?topics=BAD!",
        "?limit=0",
        "?limit=51",
        "?topics=a1,a2,a3,a4,a5,a6,a7,a8,a9,b1,b2",
        "?limit=99999999999",
    ] {
        let response = app.get(&format!("{base}{query}"), Who::Desk).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}"
        );
    }
    // The desk's only; another city's case 404.
    for who in [Who::Department, Who::Partner, Who::Analyst, Who::Admin] {
        problem(app.get(&base, who).await, StatusCode::FORBIDDEN).await;
    }
    for who in [Who::OtherDepartment, Who::AyaseDesk, Who::AyaseDepartment] {
        problem(app.get(&base, who).await, StatusCode::NOT_FOUND).await;
    }
}
