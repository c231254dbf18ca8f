//! KPIs: figures of a small fixture whose expected values are worked out by
//! hand below (not by the code under test), exactness right after a write,
//! time series, targets, CSV, and the `kpi` schema for BI tools.

use crate::harness::{json, problem, TestApp, Who};
use diesel::sql_types::{Array, Date, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::workflow::Status;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

fn at(rfc3339: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("timestamp")
        .with_timezone(&chrono::Utc)
}

/// One case of Zama, inserted as the workflow would have left it.
struct Case {
    reference: &'static str,
    fiscal_year: i32,
    kind: &'static str,
    channel: &'static str,
    themes: &'static [&'static str],
    status: &'static str,
    first_contact: &'static str,
    received: &'static str,
    coordination: Option<&'static str>,
    steps: [Option<&'static str>; 5],
    closed: Option<&'static str>,
}

async fn insert_case(conn: &mut AsyncPgConnection, app: &TestApp, case: &Case) -> Uuid {
    let id = Uuid::now_v7();
    let ts = |s: Option<&str>| s.map(at);
    diesel::sql_query(
        "INSERT INTO proposals (id, reference, fiscal_year, kind, title, summary, themes, channel, organization_id, \
           created_by, status, held_from, first_contact_at, received_at, coordination_started_at, organizing_at, \
           hearing_at, matching_at, logic_model_at, awaiting_decision_at, closed_at, municipality_id) \
         VALUES ($1, $2, $3, $4, '多世代の居場所づくり', '概要', $5, $6, $7, $8, $9, \
           CASE WHEN $9 = 'on_hold' THEN 'organizing' END, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(case.reference)
    .bind::<Integer, _>(case.fiscal_year)
    .bind::<Text, _>(case.kind)
    .bind::<Array<Text>, _>(case.themes.iter().map(|t| t.to_string()).collect::<Vec<_>>())
    .bind::<Text, _>(case.channel)
    .bind::<SqlUuid, _>(app.fixtures.partner_org)
    .bind::<SqlUuid, _>(app.fixtures.account(Who::Desk).id)
    .bind::<Text, _>(case.status)
    .bind::<Timestamptz, _>(at(case.first_contact))
    .bind::<Timestamptz, _>(at(case.received))
    .bind::<Nullable<Timestamptz>, _>(ts(case.coordination))
    .bind::<Nullable<Timestamptz>, _>(ts(case.steps[0]))
    .bind::<Nullable<Timestamptz>, _>(ts(case.steps[1]))
    .bind::<Nullable<Timestamptz>, _>(ts(case.steps[2]))
    .bind::<Nullable<Timestamptz>, _>(ts(case.steps[3]))
    .bind::<Nullable<Timestamptz>, _>(ts(case.steps[4]))
    .bind::<Nullable<Timestamptz>, _>(ts(case.closed))
    .bind::<SqlUuid, _>(app.fixtures.zama)
    .execute(conn)
    .await
    .expect("insert case");
    id
}

/// The fixture, all times in Japan time (+09:00):
///
/// | case | FY | kind, channel, themes | outcome | first contact → coordination | step entries |
/// |---|---|---|---|---|---|
/// | A | 2026 | proposal, web, community_support | adopted 05-01 | 04-01 09:00 → 04-03 09:00 = 48 h | received 04-02 09:00, organizing +1 h, hearing 04-03 09:00, matching 04-10, logic_model 04-17, awaiting 04-24 |
/// | B | 2026 | consultation, phone, local_strengths + other | not_adopted 05-12 | 04-10 09:00 → 04-14 09:00 = 96 h | received 04-10 09:00, organizing 04-11, hearing 04-14, matching 04-21, logic_model 04-28, awaiting 05-05 |
/// | C | 2026 | proposal, web, community_support | declined 05-09 | — | received 05-02 09:00, organizing 05-02 21:00 |
/// | D | 2026 | proposal, visit, no theme | withdrawn 05-20 | 05-10 09:00 → 05-13 09:00 = 72 h | received 05-10 09:00, organizing 05-11, hearing 05-13 |
/// | G | 2026 | proposal, referral, local_strengths | on hold (open) | — (waiting) | received 06-01 09:00, organizing 06-02 |
/// | E | 2026 | proposal, email, other | received (open) | — (waiting) | received 2027-03-31 23:59 JST |
/// | F | 2027 | proposal, web, other | received (open) | — | received 2027-03-31T15:30:00Z = 04-01 00:30 JST |
async fn fixture(app: &TestApp) -> Uuid {
    let mut conn = app.conn().await;
    let cases = [
        Case {
            reference: "ZLG-2026-0001",
            fiscal_year: 2026,
            kind: "proposal",
            channel: "web",
            themes: &["community_support"],
            status: "adopted",
            first_contact: "2026-04-01T09:00:00+09:00",
            received: "2026-04-02T09:00:00+09:00",
            coordination: Some("2026-04-03T09:00:00+09:00"),
            steps: [
                Some("2026-04-02T10:00:00+09:00"),
                Some("2026-04-03T09:00:00+09:00"),
                Some("2026-04-10T09:00:00+09:00"),
                Some("2026-04-17T09:00:00+09:00"),
                Some("2026-04-24T09:00:00+09:00"),
            ],
            closed: Some("2026-05-01T09:00:00+09:00"),
        },
        Case {
            reference: "ZLG-2026-0002",
            fiscal_year: 2026,
            kind: "consultation",
            channel: "phone",
            themes: &["local_strengths", "other"],
            status: "not_adopted",
            first_contact: "2026-04-10T09:00:00+09:00",
            received: "2026-04-10T09:00:00+09:00",
            coordination: Some("2026-04-14T09:00:00+09:00"),
            steps: [
                Some("2026-04-11T09:00:00+09:00"),
                Some("2026-04-14T09:00:00+09:00"),
                Some("2026-04-21T09:00:00+09:00"),
                Some("2026-04-28T09:00:00+09:00"),
                Some("2026-05-05T09:00:00+09:00"),
            ],
            closed: Some("2026-05-12T09:00:00+09:00"),
        },
        Case {
            reference: "ZLG-2026-0003",
            fiscal_year: 2026,
            kind: "proposal",
            channel: "web",
            themes: &["community_support"],
            status: "declined",
            first_contact: "2026-05-01T09:00:00+09:00",
            received: "2026-05-02T09:00:00+09:00",
            coordination: None,
            steps: [Some("2026-05-02T21:00:00+09:00"), None, None, None, None],
            closed: Some("2026-05-09T09:00:00+09:00"),
        },
        Case {
            reference: "ZLG-2026-0004",
            fiscal_year: 2026,
            kind: "proposal",
            channel: "visit",
            themes: &[],
            status: "withdrawn",
            first_contact: "2026-05-10T09:00:00+09:00",
            received: "2026-05-10T09:00:00+09:00",
            coordination: Some("2026-05-13T09:00:00+09:00"),
            steps: [
                Some("2026-05-11T09:00:00+09:00"),
                Some("2026-05-13T09:00:00+09:00"),
                None,
                None,
                None,
            ],
            closed: Some("2026-05-20T09:00:00+09:00"),
        },
        Case {
            reference: "ZLG-2026-0005",
            fiscal_year: 2026,
            kind: "proposal",
            channel: "referral",
            themes: &["local_strengths"],
            status: "on_hold",
            first_contact: "2026-06-01T09:00:00+09:00",
            received: "2026-06-01T09:00:00+09:00",
            coordination: None,
            steps: [Some("2026-06-02T09:00:00+09:00"), None, None, None, None],
            closed: None,
        },
        Case {
            reference: "ZLG-2026-0006",
            fiscal_year: 2026,
            kind: "proposal",
            channel: "email",
            themes: &["other"],
            status: "received",
            first_contact: "2027-03-30T00:00:00Z",
            received: "2027-03-31T14:59:00Z",
            coordination: None,
            steps: [None; 5],
            closed: None,
        },
        Case {
            reference: "ZLG-2027-0001",
            fiscal_year: 2027,
            kind: "proposal",
            channel: "web",
            themes: &["other"],
            status: "received",
            first_contact: "2027-03-31T15:30:00Z",
            received: "2027-03-31T15:30:00Z",
            coordination: None,
            steps: [None; 5],
            closed: None,
        },
    ];
    let mut ids = Vec::new();
    for case in &cases {
        ids.push(insert_case(&mut conn, app, case).await);
    }
    let (a, b) = (ids[0], ids[1]);
    let f = &app.fixtures;
    let desk = f.account(Who::Desk).id;
    // A TRIP from A, started 2026-07-01, supporting community activity.
    let trip = Uuid::now_v7();
    diesel::sql_query(
        "INSERT INTO trips (id, proposal_id, title, lead_department_id, supports_community_activity, status, starts_on) \
         VALUES ($1, $2, '駅前の居場所', $3, true, 'active', '2026-07-01')",
    )
    .bind::<SqlUuid, _>(trip)
    .bind::<SqlUuid, _>(a)
    .bind::<SqlUuid, _>(f.shimin_kyodo)
    .execute(&mut conn)
    .await
    .expect("trip");
    // Hearings: one held in FY2026, one only requested, one held in FY2027.
    for (case, status, held_on) in [
        (a, "answered", Some("2026-04-05")),
        (b, "requested", None),
        (b, "answered", Some("2027-04-02")),
    ] {
        diesel::sql_query(
            "INSERT INTO hearings (id, proposal_id, department_id, requested_by, agenda, status, held_on) \
             VALUES ($1, $2, $3, $4, '確認', $5, $6::date)",
        )
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<SqlUuid, _>(case)
        .bind::<SqlUuid, _>(f.shimin_kyodo)
        .bind::<SqlUuid, _>(desk)
        .bind::<Text, _>(status)
        .bind::<Nullable<Text>, _>(held_on)
        .execute(&mut conn)
        .await
        .expect("hearing");
    }
    // Matches: A's lead accepted, B's proposed; both made in April 2026.
    for (case, status, made) in [
        (a, "accepted", "2026-04-12T09:00:00+09:00"),
        (b, "proposed", "2026-04-22T09:00:00+09:00"),
    ] {
        diesel::sql_query(
            "INSERT INTO matches (id, proposal_id, department_id, role, status, proposed_by, created_at) \
             VALUES ($1, $2, $3, 'lead', $4, $5, $6)",
        )
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<SqlUuid, _>(case)
        .bind::<SqlUuid, _>(f.shimin_kyodo)
        .bind::<Text, _>(status)
        .bind::<SqlUuid, _>(desk)
        .bind::<Timestamptz, _>(at(made))
        .execute(&mut conn)
        .await
        .expect("match");
    }
    // A's shared logic model: 交流会の開催回数, baseline 0, target 24;
    // measured 6, then 12 within FY2026, then 20 in FY2027.
    let indicator = Uuid::now_v7();
    let content = json!({"inputs": [], "activities": [], "outputs": ["交流会"], "short_term_outcomes": [],
        "mid_term_outcomes": [], "impact": [], "indicators": [{"id": indicator, "name": "交流会の開催回数",
        "unit": "回", "baseline": 0.0, "target": 24.0, "target_date": null, "applies_to": "outputs"}]});
    diesel::sql_query(
        "INSERT INTO logic_models (proposal_id, version, status, content, created_by) VALUES ($1, 1, 'shared', $2::jsonb, $3)",
    )
    .bind::<SqlUuid, _>(a)
    .bind::<Text, _>(content.to_string())
    .bind::<SqlUuid, _>(desk)
    .execute(&mut conn)
    .await
    .expect("logic model");
    for (value, on) in [(6, "2026-08-01"), (12, "2026-10-01"), (20, "2027-05-01")] {
        diesel::sql_query(
            "INSERT INTO trip_measurements (id, trip_id, indicator_id, value, measured_on, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<SqlUuid, _>(trip)
        .bind::<SqlUuid, _>(indicator)
        .bind::<diesel::sql_types::Double, _>(f64::from(value))
        .bind::<Date, _>(chrono::NaiveDate::parse_from_str(on, "%Y-%m-%d").expect("date"))
        .bind::<SqlUuid, _>(desk)
        .execute(&mut conn)
        .await
        .expect("measurement");
    }
    trip
}

fn find<'a>(list: &'a Value, field: &str, value: &str) -> &'a Value {
    list.as_array()
        .expect("array")
        .iter()
        .find(|item| item[field] == value)
        .unwrap_or_else(|| panic!("no {field} = {value} in {list}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn fiscal_year_figures_match_the_hand_computed_fixture() {
    let app = TestApp::spawn().await;
    let trip = fixture(&app).await;
    // The TRIP supports two directory organizations (named twice: counted once).
    let mut supported = Vec::new();
    for name in ["ざま子ども食堂ひだまり", "居場所カフェ さがみ"] {
        let created = app
            .post(
                "/v1/resources",
                Who::Desk,
                &json!({"name": name, "legal_form": "voluntary_group", "municipality_id": app.fixtures.zama}),
            )
            .await;
        supported.push(json(created, StatusCode::CREATED).await["id"].clone());
    }
    supported.push(supported[0].clone());
    let set = app
        .request(
            Method::PUT,
            &format!("/v1/trips/{trip}/supported-resources"),
            Who::Department,
        )
        .json(&json!({"resource_ids": supported}))
        .send()
        .await
        .expect("request");
    assert_eq!(set.status(), StatusCode::OK);
    // The fixture's cases are Zama's: its figures, against its targets.
    let r = json(
        app.get(
            &format!(
                "/v1/kpis?fiscal_year=2026&municipality={}",
                app.fixtures.zama
            ),
            Who::Analyst,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // The four cities together: the same counts (no other city has a case),
    // and no target (targets are a city's).
    let all = json(
        app.get("/v1/kpis?fiscal_year=2026", Who::Analyst).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["trips_started"]["count"], 1);
    assert_eq!(all["trips_started"]["target"], Value::Null);
    assert_eq!(all["conversion"], r["conversion"]);
    assert_eq!(r["fiscal_year"], 2026);
    assert_eq!(r["label_ja"], "令和8年度");
    assert_eq!(r["starts_on"], "2026-04-01");
    assert_eq!(r["ends_on"], "2027-03-31");

    // 1. Received: A B C D G E (F received 2027-03-31T15:30Z is FY2027).
    let received = &r["proposals_received"];
    assert_eq!(received["total"], 6);
    assert!(received["definition"]
        .as_str()
        .expect("definition")
        .contains("receipt time"));
    assert_eq!(find(&received["by_kind"], "key", "proposal")["count"], 5);
    assert_eq!(
        find(&received["by_kind"], "key", "consultation")["count"],
        1
    );
    assert_eq!(find(&received["by_channel"], "key", "web")["count"], 2);
    assert_eq!(find(&received["by_channel"], "key", "referral")["count"], 1);
    assert_eq!(
        find(&received["by_theme"], "key", "community_support")["count"],
        2
    );
    assert_eq!(
        find(&received["by_theme"], "key", "local_strengths")["count"],
        2
    );
    assert_eq!(find(&received["by_theme"], "key", "other")["count"], 2);

    // 2. First contact → coordination: 48 h, 72 h, 96 h = 2, 3, 4 days.
    // Median 3.0; p90 at rank 1.8 = 72 + 0.8 × 24 h = 91.2 h = 3.8 days.
    let lead = &r["coordination_lead_time"];
    assert_eq!(lead["count"], 3);
    assert_eq!(lead["mean_days"], 3.0);
    assert_eq!(lead["median_days"], 3.0);
    assert_eq!(lead["p90_days"], 3.8);
    assert_eq!(lead["max_days"], 4.0);
    // Waiting: G (on hold) and E (received); C was declined, F is FY2027.
    assert_eq!(lead["waiting"]["count"], 2);
    let oldest: Vec<&str> = lead["waiting"]["oldest"]
        .as_array()
        .expect("oldest")
        .iter()
        .map(|c| c["reference"].as_str().expect("reference"))
        .collect();
    assert_eq!(oldest, ["ZLG-2026-0005", "ZLG-2026-0006"]);

    // 3. Conversion: adopted A; decided A B C; withdrawn D and open E G
    // count only as received.
    let c = &r["conversion"];
    assert_eq!(
        (
            c["adopted"].clone(),
            c["received"].clone(),
            c["decided"].clone()
        ),
        (json!(1), json!(6), json!(3))
    );
    assert_eq!(c["rate_of_received"], 0.1667);
    assert_eq!(c["rate_of_decided"], 0.3333);

    // 4 and 5. One TRIP started 2026-07-01 against the seeded target of 1.
    assert_eq!(r["trips_started"]["count"], 1);
    assert_eq!(r["trips_started"]["target"], 1);
    assert_eq!(r["trips_started"]["met"], true);
    assert_eq!(r["trips_started"]["progress"], 1.0);
    assert_eq!(r["community_supports"]["count"], 1);
    assert_eq!(r["community_supports"]["target"], Value::Null);
    assert_eq!(r["community_supports"]["supported_resources"], 2);

    // Funnel: received 6, organizing A B C D G, hearing A B D, then A B.
    let funnel: Vec<(String, i64)> = r["funnel"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["step"].as_str().expect("step").to_owned(),
                s["cases"].as_i64().expect("cases"),
            )
        })
        .collect();
    let expected: Vec<(String, i64)> = [
        ("received", 6),
        ("organizing", 5),
        ("hearing", 3),
        ("matching", 2),
        ("logic_model", 2),
        ("awaiting_decision", 2),
        ("adopted", 1),
    ]
    .iter()
    .map(|(s, n)| (s.to_string(), *n))
    .collect();
    assert_eq!(funnel, expected);

    // Step durations. received: 1, 12, 24, 24, 24 h → median 1.0 day,
    // mean 17 h = 0.71. organizing: A 23 h, B 72 h, D 48 h → median 2.0,
    // p90 48 + 0.8 × 24 = 67.2 h = 2.8. awaiting_decision: 168 h twice.
    let steps = &r["step_durations"]["steps"];
    let received_step = find(steps, "step", "received");
    assert_eq!(received_step["count"], 5);
    assert_eq!(received_step["median_days"], 1.0);
    assert_eq!(received_step["mean_days"], 0.71);
    let organizing = find(steps, "step", "organizing");
    assert_eq!(organizing["count"], 3);
    assert_eq!(organizing["median_days"], 2.0);
    assert_eq!(organizing["p90_days"], 2.8);
    assert_eq!(find(steps, "step", "hearing")["count"], 2);
    assert_eq!(find(steps, "step", "awaiting_decision")["median_days"], 7.0);
    // Receipt → decision: C 168 h, A 696 h, B 768 h → median 29.0 days,
    // p90 696 + 0.8 × 72 = 753.6 h = 31.4 days, max 32.0.
    let path = &r["step_durations"]["receipt_to_decision"];
    assert_eq!(path["count"], 3);
    assert_eq!(path["median_days"], 29.0);
    assert_eq!(path["p90_days"], 31.4);
    assert_eq!(path["max_days"], 32.0);

    assert_eq!(r["hearings_held"]["count"], 1);
    assert_eq!(r["matches"]["made"], 2);
    assert_eq!(r["matches"]["accepted"], 1);

    // Indicator: latest within FY2026 is 12 of 24 (the 20 is FY2027).
    let items = r["indicators"]["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["trip_id"], trip.to_string());
    assert_eq!(items[0]["latest_value"], 12.0);
    assert_eq!(items[0]["measured_on"], "2026-10-01");
    assert_eq!(items[0]["progress"], 0.5);

    // Twelve months, April to March, the empty ones zero.
    let months = r["months"].as_array().expect("months");
    assert_eq!(months.len(), 12);
    let by_month: Vec<(String, i64)> = months
        .iter()
        .map(|m| {
            (
                m["month"].as_str().expect("month").to_owned(),
                m["proposals_received"].as_i64().expect("n"),
            )
        })
        .collect();
    assert_eq!(by_month[0], ("2026-04".to_owned(), 2));
    assert_eq!(by_month[1], ("2026-05".to_owned(), 2));
    assert_eq!(by_month[2], ("2026-06".to_owned(), 1));
    assert!(by_month[3..11].iter().all(|(_, n)| *n == 0), "{by_month:?}");
    assert_eq!(by_month[11], ("2027-03".to_owned(), 1));
    assert_eq!(months[0]["coordination_median_days"], 3.0);
    assert_eq!(months[0]["decided"], 2);
    assert_eq!(months[0]["adopted"], 1);
    assert_eq!(months[0]["matches_made"], 2);
    assert_eq!(months[3]["trips_started"], 1);
    assert_eq!(months[3]["coordination_median_days"], Value::Null);

    // FY2027 holds F only.
    let next = json(
        app.get("/v1/kpis?fiscal_year=2027", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(next["proposals_received"]["total"], 1);
    assert_eq!(next["hearings_held"]["count"], 1);
    assert_eq!(next["months"][0]["proposals_received"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_has_a_bom_and_one_row_per_figure_with_counts_beside_rates() {
    let app = TestApp::spawn().await;
    let trip = fixture(&app).await;
    let response = app
        .request(Method::GET, "/v1/kpis?fiscal_year=2026", Who::Analyst)
        .header("Accept", "text/csv")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let body = response.text().await.expect("body");
    assert!(body.starts_with("\u{feff}\"period\",\"metric\",\"key\",\"label\",\"value\",\"numerator\",\"denominator\",\"unit\",\"definition\"\r\n"));
    assert!(body.contains(
        "\"FY2026\",\"conversion\",\"rate_of_decided\",\"\",\"0.3333\",\"1\",\"3\",\"ratio\","
    ));
    assert!(
        body.contains("\"FY2026\",\"proposals_received\",\"all\",\"\",\"6\",\"\",\"\",\"cases\",")
    );
    assert!(body.contains("\"2026-09\",\"proposals_received\",\"all\",\"\",\"0\","));
    // The indicator's row names the TRIP and the indicator in Japanese, beside their ids.
    let report: Value = app
        .get("/v1/kpis?fiscal_year=2026", Who::Analyst)
        .await
        .json()
        .await
        .expect("report");
    let title = report["indicators"]["items"][0]["trip_title"]
        .as_str()
        .expect("trip title");
    assert!(!title.is_empty());
    let indicator_row = body
        .split("\r\n")
        .find(|line| line.contains("\"indicator_progress\""))
        .expect("an indicator row");
    assert!(
        indicator_row.starts_with(&format!("\"FY2026\",\"indicator_progress\",\"{trip}:"))
            && indicator_row.contains(&format!("\"{title}：交流会の開催回数\",\"0.5\"")),
        "{indicator_row}"
    );
    // The same through ?format=csv; targets and series answer CSV too.
    let by_format = app
        .get("/v1/kpis?fiscal_year=2026&format=csv", Who::Desk)
        .await;
    assert!(by_format
        .text()
        .await
        .expect("body")
        .starts_with('\u{feff}'));
    for path in [
        "/v1/kpis/targets",
        "/v1/kpis/timeseries?metric=adopted&from=2026-04&to=2026-06",
    ] {
        let response = app
            .request(Method::GET, path, Who::Admin)
            .header("Accept", "text/csv")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.expect("body");
        assert!(text.starts_with('\u{feff}'), "{path}");
        assert_eq!(
            text.matches("\r\n").count(),
            if path.contains("timeseries") { 4 } else { 2 },
            "{path}: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_figure_read_right_after_a_write_includes_it() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now();
    let fy = living_gate_domain::fiscal::fiscal_year(now);
    let read = |who| {
        let app = &app;
        async move {
            json(
                app.get(&format!("/v1/kpis?fiscal_year={fy}"), who).await,
                StatusCode::OK,
            )
            .await
        }
    };
    let before = read(Who::Desk).await;
    assert_eq!(before["proposals_received"]["total"], 0);
    let mut created = app
        .case()
        .title("子ども食堂への食材提供")
        .with(json!({"summary": "概要"}))
        .create()
        .await;
    let after = read(Who::Analyst).await;
    assert_eq!(after["proposals_received"]["total"], 1);
    assert_eq!(after["coordination_lead_time"]["waiting"]["count"], 1);
    assert_eq!(
        after["coordination_lead_time"]["waiting"]["oldest"][0]["reference"],
        created["reference"]
    );
    // Withdrawn: still received, no longer waiting, not decided.
    created.to(Status::Withdrawn).await;
    let withdrawn = read(Who::Admin).await;
    assert_eq!(withdrawn["proposals_received"]["total"], 1);
    assert_eq!(withdrawn["coordination_lead_time"]["waiting"]["count"], 0);
    assert_eq!(withdrawn["conversion"]["decided"], 0);
    assert_eq!(withdrawn["conversion"]["rate_of_decided"], Value::Null);
    assert_eq!(withdrawn["conversion"]["rate_of_received"], 0.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn time_series_fill_empty_buckets_and_show_the_counts_of_rates() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let get = |query: &'static str| {
        let app = &app;
        async move {
            json(
                app.get(&format!("/v1/kpis/timeseries?{query}"), Who::Analyst)
                    .await,
                StatusCode::OK,
            )
            .await
        }
    };
    let months = get("metric=proposals_received&from=2026-04&to=2027-04").await;
    let values: Vec<f64> = months["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["value"].as_f64().expect("value"))
        .collect();
    assert_eq!(values, [2., 2., 1., 0., 0., 0., 0., 0., 0., 0., 0., 1., 1.]);
    assert_eq!(months["points"][12]["period"], "2027-04");
    assert_eq!(months["unit"], "cases");

    let years =
        get("metric=adoption_rate_of_decided&from=2026-04-15&to=2027-04&bucket=fiscal_year").await;
    assert_eq!(years["points"][0]["period"], "FY2026");
    assert_eq!(years["points"][0]["value"], 0.3333);
    assert_eq!(years["points"][0]["numerator"], 1);
    assert_eq!(years["points"][0]["denominator"], 3);
    assert_eq!(years["points"][1]["period"], "FY2027");
    assert_eq!(years["points"][1]["value"], Value::Null);
    assert_eq!(years["points"][1]["denominator"], 0);

    let median = get("metric=coordination_median_days&from=2026-04&to=2026-06").await;
    let medians: Vec<Value> = median["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["value"].clone())
        .collect();
    assert_eq!(medians, [json!(3.0), json!(3.0), Value::Null]);

    for (query, field) in [
        ("metric=adopted&from=2027-01&to=2026-01", "from"),
        ("metric=adopted&from=2001-01&to=2026-01", "to"),
        ("metric=adopted&from=2026-13", "from"),
        ("metric=adopted&from=1999-04", "from"),
        ("metric=nonsense", "query"),
        ("metric=adopted&unknown=1", "query"),
        ("metric=adopted&from='%3BDROP%20TABLE%20proposals--", "from"),
    ] {
        let body = problem(
            app.get(&format!("/v1/kpis/timeseries?{query}"), Who::Desk)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
    let wrong_year = problem(
        app.get("/v1/kpis?fiscal_year=abc", Who::Desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(wrong_year["errors"][0]["field"], "query");
    let out_of_range = problem(
        app.get("/v1/kpis?fiscal_year=1999", Who::Desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(out_of_range["errors"][0]["field"], "fiscal_year");
}

#[tokio::test(flavor = "multi_thread")]
async fn targets_are_created_then_replaced_with_if_match_and_audited() {
    let app = TestApp::spawn().await;
    let listed = json(
        app.get("/v1/kpis/targets", Who::Analyst).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"][0]["fiscal_year"], 2026);
    assert_eq!(listed["items"][0]["trips_started"], 1);

    let put = |etag: Option<&'static str>, body: Value| {
        let app = &app;
        async move {
            let mut request = app
                .request(Method::PUT, "/v1/kpis/targets/2027", Who::Desk)
                .json(&body);
            if let Some(etag) = etag {
                request = request.header("If-Match", etag);
            }
            request.send().await.expect("request")
        }
    };
    let stale_create = put(Some("\"1\""), json!({"trips_started": 2})).await;
    assert_eq!(stale_create.status(), StatusCode::PRECONDITION_FAILED);
    let created = put(None, json!({"trips_started": 2, "community_supports": 1})).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["etag"], "\"1\"");
    assert_eq!(
        put(None, json!({"trips_started": 3})).await.status(),
        StatusCode::PRECONDITION_REQUIRED
    );
    assert_eq!(
        put(Some("\"7\""), json!({"trips_started": 3}))
            .await
            .status(),
        StatusCode::PRECONDITION_FAILED
    );
    for (body, field) in [
        (json!({"trips_started": -1}), "trips_started"),
        (
            json!({"trips_started": 1, "community_supports": 100001}),
            "community_supports",
        ),
        // Shape errors name the body, and in the message what was wrong.
        (json!({"trips_started": "many"}), "many"),
        (json!({"trips_started": 1, "budget": 5}), "budget"),
    ] {
        let body = problem(
            put(Some("\"1\""), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let error = &body["errors"][0];
        assert!(
            error["field"] == field || error["message"].as_str().is_some_and(|m| m.contains(field)),
            "{body}"
        );
    }
    let replaced = json(
        put(
            Some("\"1\""),
            json!({"trips_started": 3, "proposals_received": 40}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(replaced["trips_started"], 3);
    assert_eq!(replaced["community_supports"], Value::Null);
    assert_eq!(replaced["version"], 2);
    let report = json(
        app.get("/v1/kpis?fiscal_year=2027", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["trips_started"]["target"], 3);
    assert_eq!(report["proposals_received"]["target"], 40);
    assert_eq!(report["proposals_received"]["progress"], 0.0);
    assert_eq!(report["trips_started"]["met"], false);
    assert_eq!(report["trips_started"]["progress"], 0.0);

    let bad_year = app
        .request(Method::PUT, "/v1/kpis/targets/1999", Who::Admin)
        .json(&json!({"trips_started": 1}))
        .send()
        .await
        .expect("request");
    assert_eq!(
        problem(bad_year, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"],
        "fiscal_year"
    );

    let audit = json(
        app.get("/v1/audit?target_type=kpi_target", Who::Admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["target_id"] == "2027")
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions.len(), 2, "{audit}");
    assert!(actions.contains(&"kpi_target.create") && actions.contains(&"kpi_target.update"));
}

/// Runs `sql` as the BI role (for this transaction only).
pub async fn as_bi_role(conn: &mut AsyncPgConnection, sql: &str) -> Result<usize, String> {
    let sql = sql.to_owned();
    let result = conn
        .transaction::<usize, diesel::result::Error, _>(async move |conn| {
            diesel::sql_query("SET LOCAL ROLE living_gate_bi")
                .execute(conn)
                .await?;
            let n = diesel::sql_query(&sql).execute(conn).await?;
            Ok(n)
        })
        .await;
    result.map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bi_role_reads_the_kpi_views_and_no_base_table() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let mut conn = app.owner_conn().await;
    for view in [
        "cases",
        "funnel",
        "step_durations",
        "trips",
        "measurements",
        "hearings",
        "matches",
        "targets",
    ] {
        let rows = as_bi_role(&mut conn, &format!("SELECT * FROM kpi.{view}")).await;
        assert!(rows.as_ref().is_ok_and(|n| *n > 0), "kpi.{view}: {rows:?}");
    }
    let readable = as_bi_role(&mut conn, "SELECT * FROM kpi.trip_supported_resources").await;
    assert!(readable.is_ok(), "{readable:?}");
    for table in [
        "proposals",
        "users",
        "organizations",
        "messages",
        "hearings",
        "kpi_facts",
        "kpi_histograms",
        "kpi_targets",
        "resources",
        "resource_locations",
        "audit_log",
        "refresh_tokens",
    ] {
        let denied = as_bi_role(&mut conn, &format!("SELECT 1 FROM public.{table} LIMIT 1")).await;
        assert!(
            denied
                .as_ref()
                .is_err_and(|e| e.contains("permission denied")),
            "{table}: {denied:?}"
        );
    }
    let denied = as_bi_role(&mut conn, "UPDATE kpi.targets SET trips_started = 9").await;
    assert!(denied.is_err_and(|e| e.contains("permission denied")));

    // The views agree with the API on the fixture (same hour-based definition).
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        step: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        cases: i64,
        #[diesel(sql_type = diesel::sql_types::Double)]
        median_days: f64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT step, cases, median_days FROM kpi.step_durations WHERE fiscal_year = 2026 ORDER BY step_order",
    )
    .load(&mut conn)
    .await
    .expect("durations");
    let coordination = rows
        .iter()
        .find(|r| r.step == "first_contact_to_coordination")
        .expect("row");
    assert_eq!((coordination.cases, coordination.median_days), (3, 3.0));
    let decision = rows
        .iter()
        .find(|r| r.step == "receipt_to_decision")
        .expect("row");
    assert_eq!((decision.cases, decision.median_days), (3, 29.0));

    // No personal data: no names, addresses, free text or user ids in any view.
    #[derive(diesel::QueryableByName)]
    struct Column {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name || '.' || column_name AS name FROM information_schema.columns WHERE table_schema = 'kpi'",
    )
    .load(&mut conn)
    .await
    .expect("columns");
    let personal = [
        "email",
        "display_name",
        "summary",
        "body",
        "notes",
        "participants",
        "reason",
        "note_for_proposer",
        "created_by",
        "recorded_by",
        "contact_user_id",
        "organization_id",
        "note",
        "updated_by",
    ];
    let leaked: Vec<&str> = columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| personal.iter().any(|p| name.ends_with(&format!(".{p}"))))
        .collect();
    assert!(
        leaked.is_empty(),
        "personal columns in kpi views: {leaked:?}"
    );
}

/// A counter row under a name the domain does not know (a trigger that
/// disagrees with `kpi::FactMetric` or `kpi::Measure`) fails the report
/// instead of being skipped or counted under something else; the body says
/// nothing about it.
#[tokio::test(flavor = "multi_thread")]
async fn a_counter_under_an_unknown_name_fails_the_report() {
    let app = TestApp::spawn().await;
    let report = "/v1/kpis?fiscal_year=2026";
    json(app.get(report, Who::Analyst).await, StatusCode::OK).await;
    let mut conn = app.conn().await;
    for (insert, remove) in [
        (
            "INSERT INTO kpi_facts (municipality_id, fiscal_year, month, metric, key, n) \
             SELECT id, 2026, '2026-04-01', 'hearings_planned', 'all', 1 FROM municipalities WHERE code = '142166'",
            "DELETE FROM kpi_facts WHERE metric = 'hearings_planned'",
        ),
        (
            "INSERT INTO kpi_year_histograms (municipality_id, fiscal_year, measure, counts) \
             SELECT id, 2026, 'first_contact_to_hearing', '{0,1}' FROM municipalities WHERE code = '142166'",
            "DELETE FROM kpi_year_histograms WHERE measure = 'first_contact_to_hearing'",
        ),
    ] {
        diesel::sql_query(insert)
            .execute(&mut conn)
            .await
            .expect(insert);
        let body = problem(
            app.get(report, Who::Analyst).await,
            StatusCode::INTERNAL_SERVER_ERROR,
        )
        .await
        .to_string();
        assert!(
            !body.contains("hearings_planned") && !body.contains("first_contact_to_hearing"),
            "{body}"
        );
        diesel::sql_query(remove)
            .execute(&mut conn)
            .await
            .expect(remove);
        json(app.get(report, Who::Analyst).await, StatusCode::OK).await;
    }
}
