//! Showing the results: the partner's consent, the desk's publication, the
//! anonymous list of published TRIPs (public fields only), withdrawal, and
//! the public KPI figures equal to the desk's report.

use super::put;
use crate::harness::{etag_of, json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn public_trips(app: &TestApp, query: &str) -> Vec<Value> {
    json(
        app.get(&format!("/v1/public/trips{query}"), Who::Anonymous)
            .await,
        StatusCode::OK,
    )
    .await["items"]
        .as_array()
        .expect("items")
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trip_is_public_only_with_consent_and_shows_public_fields_only() {
    let app = TestApp::spawn().await;
    let case = app
        .case()
        .title("多世代の居場所づくり")
        .to(Status::Adopted)
        .await;
    let trip = case.trip_id();
    let unpublished = app
        .case()
        .title("別の取り組み")
        .to(Status::Adopted)
        .await
        .trip_id();
    let consent = format!("/v1/trips/{trip}/publication-consent");
    let publication = format!("/v1/trips/{trip}/publication");
    let body = json!({"published": true, "summary": "駅前で月2回の交流会を続けています。"});

    // Nothing recorded: not published, and the desk cannot publish yet.
    let state = json(app.get(&publication, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(state["consented"], false);
    problem(
        put(&app, &publication, Who::Desk, Some("*"), &body).await,
        StatusCode::CONFLICT,
    )
    .await;
    // Only the TRIP's partner consents.
    for (who, status) in [
        (Who::Desk, StatusCode::FORBIDDEN),
        (Who::Department, StatusCode::FORBIDDEN),
        (Who::OtherPartner, StatusCode::NOT_FOUND),
        (Who::AyaseDesk, StatusCode::NOT_FOUND),
        (Who::Anonymous, StatusCode::UNAUTHORIZED),
    ] {
        problem(
            put(&app, &consent, who, None, &json!({"consented": true})).await,
            status,
        )
        .await;
    }
    let consented = put(
        &app,
        &consent,
        Who::Partner,
        None,
        &json!({"consented": true}),
    )
    .await;
    let consent_etag = etag_of(&consented);
    let consented = json(consented, StatusCode::OK).await;
    assert_eq!(consented["consented"], true);
    assert_eq!(consented["published"], false);
    // Once recorded, If-Match is required.
    problem(
        put(
            &app,
            &consent,
            Who::Partner,
            None,
            &json!({"consented": true}),
        )
        .await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    assert!(
        public_trips(&app, "").await.is_empty(),
        "consent alone publishes nothing"
    );

    // The desk publishes, with a public summary; the partner may not.
    problem(
        put(&app, &publication, Who::Partner, Some("*"), &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        put(
            &app,
            &publication,
            Who::Desk,
            Some("*"),
            &json!({"published": true}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        put(&app, &publication, Who::Desk, Some("\"999\""), &body).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let published = put(&app, &publication, Who::Desk, Some(&consent_etag), &body).await;
    let published_etag = etag_of(&published);
    assert_eq!(json(published, StatusCode::OK).await["published"], true);

    let listed = public_trips(&app, "").await;
    assert_eq!(listed.len(), 1, "only the published TRIP: {listed:?}");
    let item = &listed[0];
    assert_eq!(item["id"], json!(trip));
    assert_ne!(item["id"], json!(unpublished));
    assert_eq!(item["title"], "多世代の居場所づくり");
    assert_eq!(item["summary"], "駅前で月2回の交流会を続けています。");
    assert_eq!(item["department"], "市民協働課");
    assert_eq!(item["city"], "座間市");
    let mut fields: Vec<&str> = item
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "city",
            "department",
            "id",
            "municipality_id",
            "published_at",
            "starts_on",
            "status",
            "summary",
            "title"
        ],
        "public fields only"
    );
    let text = item.to_string();
    for private in [
        case.id.as_str(),
        case.reference.as_str(),
        &app.fixtures.account(Who::Partner).email,
        &app.fixtures.account(Who::Partner).id.to_string(),
        &app.fixtures.partner_org.to_string(),
    ] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    // One city's, or another's (none).
    assert_eq!(
        public_trips(&app, &format!("?municipality_id={}", app.fixtures.zama))
            .await
            .len(),
        1
    );
    assert!(
        public_trips(&app, &format!("?municipality_id={}", app.fixtures.ayase))
            .await
            .is_empty()
    );

    // Withdrawing consent unpublishes it.
    let withdrawn = json(
        put(
            &app,
            &consent,
            Who::Partner,
            Some(&published_etag),
            &json!({"consented": false}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(withdrawn["consented"], false);
    assert_eq!(withdrawn["published"], false);
    assert!(public_trips(&app, "").await.is_empty());
    problem(
        put(&app, &publication, Who::Desk, Some("*"), &body).await,
        StatusCode::CONFLICT,
    )
    .await;
    // The partner saw it all in its feed.
    let events = json(
        app.get(&format!("/v1/proposals/{}/events", case.id), Who::Partner)
            .await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<String> = events["items"]
        .as_array()
        .or_else(|| events.as_array())
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(kinds.contains(&"trip_publication_consent_changed".to_owned()));
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "trip_publication_changed")
            .count(),
        2,
        "published, then unpublished by the withdrawal: {kinds:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_kpis_are_the_desks_figures_of_the_year() {
    let app = TestApp::spawn().await;
    app.case().to(Status::Adopted).await;
    app.case().to(Status::NotAdopted).await;
    app.case().create().await;
    let year = living_gate_domain::fiscal::fiscal_year(chrono::Utc::now());
    let internal = json(
        app.get(&format!("/v1/kpis?fiscal_year={year}"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    let public = json(
        app.get(
            &format!("/v1/public/kpis?fiscal_year={year}"),
            Who::Anonymous,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(public["fiscal_year"], year);
    let zama = public["cities"]
        .as_array()
        .expect("cities")
        .iter()
        .find(|c| c["municipality_id"] == json!(app.fixtures.zama))
        .expect("Zama")
        .clone();
    assert_eq!(
        zama["proposals_received"],
        internal["proposals_received"]["total"]
    );
    assert_eq!(zama["proposals_received"], 3);
    assert_eq!(
        zama["conversion_rate"],
        internal["conversion"]["rate_of_decided"]
    );
    assert_eq!(zama["conversion_rate"], 0.5);
    assert_eq!(
        zama["conversion_rate_of_received"],
        internal["conversion"]["rate_of_received"]
    );
    assert_eq!(zama["trips_created"], internal["trips_started"]["count"]);
    assert_eq!(zama["trips_created"], 1);
    assert_eq!(
        zama["community_activities_supported"],
        internal["community_supports"]["count"]
    );
    let ayase = public["cities"]
        .as_array()
        .expect("cities")
        .iter()
        .find(|c| c["municipality_id"] == json!(app.fixtures.ayase))
        .expect("Ayase")
        .clone();
    assert_eq!(ayase["proposals_received"], 0);
    let one = json(
        app.get(
            &format!(
                "/v1/public/kpis?fiscal_year={year}&municipality_id={}",
                app.fixtures.zama
            ),
            Who::Anonymous,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["cities"].as_array().expect("cities").len(), 1);
    problem(
        app.get("/v1/public/kpis?fiscal_year=99999", Who::Anonymous)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}
