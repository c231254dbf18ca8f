//! Issue 14 A: cases belong to a city. References per city, departments of
//! the case's city only, the audit log and KPIs per city. (The
//! authorization matrix proves that another city's desk and department see
//! nothing of a case through any endpoint.)

use crate::harness::{json, problem, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn submission(title: String, municipality: uuid::Uuid) -> Value {
    json!({"kind": "consultation", "title": title, "summary": "s", "themes": ["other"],
        "channel": "web", "municipality_id": municipality})
}

#[tokio::test(flavor = "multi_thread")]
async fn references_are_gap_free_per_city_when_two_cities_create_interleaved() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let creates = (0..40).map(|i| {
        let city = if i % 2 == 0 { f.zama } else { f.ayase };
        app.request(Method::POST, "/v1/proposals", Who::Partner)
            .json(&submission(format!("交互{i}"), city))
            .send()
    });
    let mut zama = Vec::new();
    let mut ayase = Vec::new();
    for response in futures_util::future::join_all(creates).await {
        let body = json(response.expect("request"), StatusCode::CREATED).await;
        let reference = body["reference"].as_str().expect("reference");
        let number: u32 = reference
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("number");
        match &reference[..4] {
            "ZLG-" => zama.push(number),
            "AYS-" => ayase.push(number),
            other => panic!("unexpected prefix {other}"),
        }
        let expected = if reference.starts_with("ZLG-") {
            f.zama
        } else {
            f.ayase
        };
        assert_eq!(body["municipality_id"], json!(expected));
    }
    zama.sort_unstable();
    ayase.sort_unstable();
    assert_eq!(zama, (1..=20).collect::<Vec<u32>>());
    assert_eq!(ayase, (1..=20).collect::<Vec<u32>>());
    // The desk registers its own city's cases only; a partner must name one.
    let own = app
        .post(
            "/v1/proposals",
            Who::AyaseDesk,
            &json!({"kind": "consultation", "title": "窓口登録", "summary": "s", "themes": ["other"],
                "channel": "phone", "organization_id": f.partner_org}),
        )
        .await;
    let own = json(own, StatusCode::CREATED).await;
    assert!(own["reference"].as_str().expect("ref").starts_with("AYS-"));
    let other = app
        .post(
            "/v1/proposals",
            Who::AyaseDesk,
            &json!({"kind": "consultation", "title": "他市", "summary": "s", "themes": ["other"],
                "channel": "phone", "organization_id": f.partner_org, "municipality_id": f.zama}),
        )
        .await;
    let other = problem(other, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(other["errors"][0]["field"], "municipality_id");
    let unnamed = app
        .post(
            "/v1/proposals",
            Who::Partner,
            &json!({"kind": "consultation", "title": "市の指定なし", "summary": "s", "themes": ["other"], "channel": "web"}),
        )
        .await;
    let unnamed = problem(unnamed, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(unnamed["errors"][0]["field"], "municipality_id");
    // The partner sees its organization's cases in both cities.
    let mine = json(
        app.get("/v1/proposals?limit=200", Who::Partner).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(41));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_department_of_another_city_is_neither_heard_nor_matched() {
    let app = TestApp::spawn().await;
    let case = app.case().title("座間の案件").create().await;
    let ayase = app.fixtures.ayase_department;
    for (path, body) in [
        (
            format!("/v1/proposals/{}/hearings", case.id),
            json!({"department_id": ayase, "agenda": "確認"}),
        ),
        (
            format!("/v1/proposals/{}/matches", case.id),
            json!({"department_id": ayase, "role": "support"}),
        ),
    ] {
        let refused = problem(
            app.post(&path, Who::Desk, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(refused["errors"][0]["field"], "department_id");
        assert_eq!(refused["errors"][0]["code"], "other_municipality");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_is_a_citys_and_admins_read_no_case_content() {
    let app = TestApp::spawn().await;
    let case = app.case().title("監査される題名").create().await;
    let entries = |who: Who| {
        let app = &app;
        let id = case.id.clone();
        async move {
            let page = json(
                app.get(&format!("/v1/audit?target_id={id}"), who).await,
                StatusCode::OK,
            )
            .await;
            page["items"].as_array().expect("items").clone()
        }
    };
    let desk = entries(Who::Desk).await;
    assert_eq!(desk.len(), 1);
    assert_eq!(desk[0]["changes"]["title"]["after"], "監査される題名");
    for admin in [Who::Admin, Who::PlatformAdmin] {
        let seen = entries(admin).await;
        assert_eq!(seen.len(), 1, "{admin:?}");
        let text = seen[0]["changes"].to_string();
        assert!(!text.contains("監査される題名"), "{admin:?}: {text}");
        assert_eq!(seen[0]["changes"]["redacted"], true);
    }
    assert!(entries(Who::AyaseDesk).await.is_empty());
    let all = json(
        app.get("/v1/audit?limit=200", Who::AyaseDesk).await,
        StatusCode::OK,
    )
    .await;
    assert!(!all.to_string().contains(&case.id));
}

#[tokio::test(flavor = "multi_thread")]
async fn kpis_are_per_city_and_bi_reads_one_city_or_all() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    for (title, city) in [("座間1", f.zama), ("座間2", f.zama), ("綾瀬1", f.ayase)] {
        let created = app
            .post(
                "/v1/proposals",
                Who::Partner,
                &submission(title.into(), city),
            )
            .await;
        json(created, StatusCode::CREATED).await;
    }
    let received = |report: &Value| report["proposals_received"]["total"].clone();
    let zama = json(app.get("/v1/kpis", Who::Desk).await, StatusCode::OK).await;
    let ayase = json(app.get("/v1/kpis", Who::AyaseDesk).await, StatusCode::OK).await;
    let all = json(app.get("/v1/kpis", Who::Analyst).await, StatusCode::OK).await;
    let one = json(
        app.get(&format!("/v1/kpis?municipality={}", f.ayase), Who::Analyst)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(received(&zama), 2);
    assert_eq!(received(&ayase), 1);
    assert_eq!(received(&all), 3);
    assert_eq!(received(&one), 1);
    // The desk reads its own city only.
    problem(
        app.get(&format!("/v1/kpis?municipality={}", f.zama), Who::AyaseDesk)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
