//! A support worker in one city introduces a resident to an entry of
//! another (seed 002). The record holds the introduction, never the
//! resident; the figures count from-city × to-city × topic per fiscal year.

use crate::directory::cities::{self, Staff};
use crate::directory::entry;
use crate::harness::{etag_of, json, problem, TestApp, Who};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use living_gate_domain::fiscal;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const YAMATO: &str = "142131";

fn today() -> chrono::NaiveDate {
    fiscal::date_in_japan(Utc::now())
}

/// An entry of Ebina, by Ebina's desk.
async fn ebina_entry(app: &TestApp, ebina: &Staff) -> Value {
    let mut body = entry(
        app,
        "えびな若者の居場所",
        json!({"topics": ["hikikomori", "children"]}),
    );
    body["municipality_id"] = json!(ebina.municipality_id);
    json(
        ebina.post(app, "/v1/resources", &body).await,
        StatusCode::CREATED,
    )
    .await
}

fn body(resource_id: &Value) -> Value {
    json!({"resource_id": resource_id, "referred_on": today(), "topics": ["hikikomori", "loneliness"],
           "channel": "accompanied"})
}

async fn figures(app: &TestApp, who: Who, year: i32) -> Value {
    json(
        app.get(&format!("/v1/referral-figures?fiscal_year={year}"), who)
            .await,
        StatusCode::OK,
    )
    .await
}

/// The row of `from` → `to` for `topic` (`None`: each introduction once).
fn cell<'a>(figures: &'a Value, from: &str, to: &str, topic: Option<&str>) -> Option<&'a Value> {
    figures["rows"].as_array().expect("rows").iter().find(|r| {
        r["from_municipality"]["code"] == from
            && r["to_municipality"]["code"] == to
            && r["topic"].as_str() == topic
    })
}

async fn stored(app: &TestApp) -> i64 {
    use living_gate_db::schema::referrals;
    let mut conn = app.owner_conn().await;
    referrals::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_in_yamato_introduces_a_resident_to_an_ebina_entry_and_the_figures_show_it() {
    let app = TestApp::spawn().await;
    let ebina = cities::desk(&app, cities::EBINA).await;
    let yamato = cities::department(&app, YAMATO, "生活援護課").await;
    let place = ebina_entry(&app, &ebina).await;
    let year = fiscal::fiscal_year(Utc::now());

    let response = yamato
        .post(&app, "/v1/referrals", &body(&place["id"]))
        .await;
    let etag = etag_of(&response);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let created = json(response, StatusCode::CREATED).await;
    assert_eq!(
        location,
        format!("/v1/referrals/{}", created["id"].as_str().expect("id"))
    );
    assert_eq!(etag, "\"1\"");
    assert_eq!(
        created["from_municipality_id"],
        json!(yamato.municipality_id)
    );
    assert_eq!(created["to_municipality_id"], json!(ebina.municipality_id));
    assert_eq!(created["recorded_by"], json!(yamato.id));
    assert!(created["department_id"].is_string(), "{created}");
    assert_eq!(created["resource_name"], "えびな若者の居場所");
    assert_eq!(created["outcome"], "unknown");
    assert_eq!(created["fiscal_year"], year);

    // The platform's figures: one introduction from Yamato to Ebina, on two topics.
    for reader in [Who::Analyst, Who::Desk, Who::PlatformAdmin] {
        let f = figures(&app, reader, year).await;
        assert_eq!(
            (f["total"].as_i64(), f["cross_border"].as_i64()),
            (Some(1), Some(1)),
            "{f}"
        );
        let once = cell(&f, YAMATO, cities::EBINA, None).expect("the from × to row");
        assert_eq!(once["referrals"], 1);
        assert_eq!(once["cross_border"], true);
        assert_eq!(once["by_outcome"]["unknown"], 1);
        for topic in ["hikikomori", "loneliness"] {
            assert_eq!(
                cell(&f, YAMATO, cities::EBINA, Some(topic)).expect(topic)["referrals"],
                1
            );
        }
        assert_eq!(
            cell(&f, YAMATO, cities::EBINA, Some("loneliness")).expect("row")["topic_label"],
            "孤独・孤立"
        );
        assert!(
            cell(&f, YAMATO, cities::EBINA, Some("children")).is_none(),
            "the entry's topics are not the introduction's"
        );
        assert_eq!(f["rows"].as_array().expect("rows").len(), 3, "{f}");
    }
    // Another year has nothing.
    assert_eq!(figures(&app, Who::Analyst, year - 1).await["total"], 0);

    // CSV for Excel: BOM, header, the city codes.
    let csv = app
        .request(
            Method::GET,
            &format!("/v1/referral-figures?fiscal_year={year}"),
            Who::Analyst,
        )
        .header("accept", "text/csv")
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.expect("body");
    assert!(
        text.starts_with("\u{feff}\"fiscal_year\",\"from_code\""),
        "{text}"
    );
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[1].contains("\"142131\"")
            && lines[1].contains("\"142158\"")
            && lines[1].contains("\"true\",\"1\""),
        "{text}"
    );

    // The worker's disclosure export (開示請求) lists it: it names them.
    let export = json(
        app.post(
            &format!("/v1/users/{}/disclosures", yamato.id),
            Who::PlatformAdmin,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let referrals = export["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["name"] == "referrals")
        .expect("a referrals section");
    assert_eq!(referrals["records"][0]["id"], created["id"], "{referrals}");

    // BI tools read the same counts in the view, as the BI role.
    let mut owner = app.owner_conn().await;
    let sql = format!(
        "SELECT * FROM kpi.referrals WHERE fiscal_year = {year} AND from_municipality_code = '{YAMATO}' \
         AND to_municipality_code = '{}' AND topic IS NULL AND referrals = 1",
        cities::EBINA
    );
    assert_eq!(crate::kpis::as_bi_role(&mut owner, &sql).await, Ok(1));
    let topics =
        format!("SELECT * FROM kpi.referrals WHERE fiscal_year = {year} AND topic IS NOT NULL");
    assert_eq!(crate::kpis::as_bi_role(&mut owner, &topics).await, Ok(2));

    // Both cities see the record; the worker's account only its own city.
    let id = created["id"].as_str().expect("id");
    let seen_by_ebina = json(
        ebina.get(&app, &format!("/v1/referrals/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen_by_ebina["recorded_by"], Value::Null);
    let to_ebina = json(
        ebina.get(&app, "/v1/referrals?direction=to").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(to_ebina["items"].as_array().expect("items").len(), 1);
    let from_ebina = json(
        ebina.get(&app, "/v1/referrals?direction=from").await,
        StatusCode::OK,
    )
    .await;
    assert!(from_ebina["items"].as_array().expect("items").is_empty());
    let from_yamato = json(
        yamato.get(&app, "/v1/referrals?direction=from").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(from_yamato["items"][0]["id"], id);
    let filtered = json(
        yamato
            .get(
                &app,
                &format!(
                    "/v1/referrals?resource_id={}&fiscal_year={}",
                    place["id"].as_str().expect("id"),
                    year - 1
                ),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        filtered["items"].as_array().expect("items").is_empty(),
        "{filtered}"
    );
    // Zama is neither: it neither lists nor reads it.
    let zama = json(app.get("/v1/referrals", Who::Desk).await, StatusCode::OK).await;
    assert!(
        zama["items"].as_array().expect("items").is_empty(),
        "{zama}"
    );
    problem(
        app.get(&format!("/v1/referrals/{id}"), Who::Desk).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The platform admin reads every city's; `from` needs a city.
    let all = json(
        app.get("/v1/referrals", Who::PlatformAdmin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["items"].as_array().expect("items").len(), 1);
    problem(
        app.get("/v1/referrals?direction=from", Who::PlatformAdmin)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_recording_city_corrects_an_introduction_under_if_match_and_the_figures_follow() {
    let app = TestApp::spawn().await;
    let ebina = cities::desk(&app, cities::EBINA).await;
    let yamato_desk = cities::desk(&app, YAMATO).await;
    let recorder = cities::department(&app, YAMATO, "生活援護課").await;
    let other_department = cities::department(&app, YAMATO, "高齢介護課").await;
    let place = ebina_entry(&app, &ebina).await;
    let created = json(
        recorder
            .post(&app, "/v1/referrals", &body(&place["id"]))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/v1/referrals/{}", created["id"].as_str().expect("id"));
    let change = json!({"outcome": "using"});

    // Without If-Match 428, a stale one 412.
    let bare = recorder
        .request(&app, Method::PATCH, &path)
        .json(&change)
        .send()
        .await
        .expect("patch");
    problem(bare, StatusCode::PRECONDITION_REQUIRED).await;
    problem(
        recorder.patch(&app, &path, "\"7\"", &change).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    // The entry's city sees it but may not change it; another of the
    // worker's city's departments neither; Zama does not see it at all.
    problem(
        ebina.patch(&app, &path, "\"1\"", &change).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        other_department.patch(&app, &path, "\"1\"", &change).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.patch(&path, Who::Desk, "\"1\"", &change).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.patch(&path, Who::PlatformAdmin, "\"1\"", &change).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let response = recorder.patch(&app, &path, "\"1\"", &change).await;
    assert_eq!(etag_of(&response), "\"2\"");
    assert_eq!(json(response, StatusCode::OK).await["outcome"], "using");
    let year = fiscal::fiscal_year(Utc::now());
    let f = figures(&app, Who::Analyst, year).await;
    let once = cell(&f, YAMATO, cities::EBINA, None).expect("row");
    assert_eq!(
        once["by_outcome"],
        json!({"unknown": 0, "contacted": 0, "using": 1, "not_used": 0})
    );

    // The city's desk corrects the day into the previous fiscal year: the
    // counts move with it.
    let last_year = fiscal::fiscal_year_start(year).date_naive() - Duration::days(10);
    let moved = yamato_desk
        .patch(
            &app,
            &path,
            "\"2\"",
            &json!({"referred_on": last_year, "topics": ["dv"]}),
        )
        .await;
    let moved = json(moved, StatusCode::OK).await;
    assert_eq!(moved["fiscal_year"], year - 1);
    assert_eq!(figures(&app, Who::Analyst, year).await["total"], 0);
    let before = figures(&app, Who::Analyst, year - 1).await;
    assert_eq!(before["total"], 1);
    assert_eq!(
        cell(&before, YAMATO, cities::EBINA, Some("dv")).expect("dv")["referrals"],
        1
    );
    assert!(cell(&before, YAMATO, cities::EBINA, Some("hikikomori")).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_about_the_resident_is_accepted_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let ebina = cities::desk(&app, cities::EBINA).await;
    let place = ebina_entry(&app, &ebina).await;
    let good = body(&place["id"]);
    let with = |key: &str, value: Value| {
        let mut b = good.clone();
        b[key] = value;
        b
    };
    let tomorrow = today() + Duration::days(1);
    let cases = [
        (
            "a resident's name",
            with("resident_name", json!("座間 太郎")),
        ),
        ("a note", with("note", json!("本人の連絡先 090-…"))),
        ("no topics", with("topics", json!([]))),
        ("an unknown topic", with("topics", json!(["no_such_topic"]))),
        ("a NUL in a topic", with("topics", json!(["dv\u{0}"]))),
        (
            "eleven topics",
            with(
                "topics",
                json!((0..11).map(|i| format!("t{i}")).collect::<Vec<_>>()),
            ),
        ),
        ("tomorrow", with("referred_on", json!(tomorrow))),
        ("year 1999", with("referred_on", json!("1999-12-31"))),
        (
            "an unknown entry",
            with("resource_id", json!(uuid::Uuid::now_v7())),
        ),
        (
            "an unknown channel",
            with("channel", json!("carrier_pigeon")),
        ),
        ("a number for a date", with("referred_on", json!(20261201))),
    ];
    for (what, bad) in cases {
        let response = app.post("/v1/referrals", Who::Desk, &bad).await;
        problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(stored(&app).await, 0, "{what} stored something");
    }
    let year = fiscal::fiscal_year(Utc::now());
    assert_eq!(figures(&app, Who::Analyst, year).await["total"], 0);
    // Figures of an impossible year are 422, not 500.
    problem(
        app.get("/v1/referral-figures?fiscal_year=99999", Who::Analyst)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        app.get("/v1/referrals?fiscal_year=-5", Who::Desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // A correction is checked the same way, and a bad one changes nothing.
    let response = app.post("/v1/referrals", Who::Desk, &good).await;
    let etag = etag_of(&response);
    let path = format!(
        "/v1/referrals/{}",
        json(response, StatusCode::CREATED).await["id"]
            .as_str()
            .expect("id")
    );
    for bad in [
        json!({"referred_on": tomorrow}),
        json!({"topics": []}),
        json!({"resident_age": 17}),
    ] {
        problem(
            app.patch(&path, Who::Desk, &etag, &bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    assert_eq!(app.etag(&path, Who::Desk).await, etag, "nothing changed");
}
