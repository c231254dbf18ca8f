//! Surveys of the directory's organizations: distributed and answered, by
//! channel and city, and answers that update their entries.

use super::{create, entry};
use crate::harness::{json, problem, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Seed 002's survey as data: distributed vs answered by channel and city,
/// and an answer updates its entry.
#[tokio::test(flavor = "multi_thread")]
async fn a_survey_reports_distributed_and_answered_and_answers_update_entries() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let campaign = json!({"title": "孤独・孤立対策 地域資源調査", "starts_on": "2026-06-01", "ends_on": "2026-07-31"});
    problem(
        app.post("/v1/surveys", Who::Department, &campaign).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let survey = json(
        app.post("/v1/surveys", Who::Desk, &campaign).await,
        StatusCode::CREATED,
    )
    .await;
    let sid = survey["id"].as_str().expect("id").to_owned();
    let a = create(&app, &entry(&app, "座間の会", json!({}))).await;
    let b = create(
        &app,
        &entry(&app, "海老名の会", json!({"municipality_id": f.ebina})),
    )
    .await;
    let add = async |body: Value| {
        json(
            app.post(&format!("/v1/surveys/{sid}/recipients"), Who::Desk, &body)
                .await,
            StatusCode::CREATED,
        )
        .await
    };
    let ra =
        add(json!({"resource_id": a["id"], "channel": "email", "sent_on": "2026-06-02"})).await;
    add(json!({"resource_id": b["id"], "channel": "post", "sent_on": "2026-06-02"})).await;
    let rp = add(json!({"prospective_name": "未登録の子ども食堂", "municipality_id": f.ebina, "channel": "hand", "sent_on": "2026-06-03"})).await;
    add(json!({"prospective_name": "FAXの会", "municipality_id": f.zama, "channel": "fax", "sent_on": "2026-06-03"})).await;
    // The same entry twice is a conflict; neither entry nor name is a 422.
    problem(
        app.post(
            &format!("/v1/surveys/{sid}/recipients"),
            Who::Desk,
            &json!({"resource_id": a["id"], "channel": "fax", "sent_on": "2026-06-04"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        app.post(
            &format!("/v1/surveys/{sid}/recipients"),
            Who::Desk,
            &json!({"channel": "fax", "sent_on": "2026-06-04"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let answer = json!({"answered_on": "2026-06-20", "participation_intent": "yes", "introduced_ids": [b["id"]]});
    let path = format!(
        "/v1/surveys/{sid}/recipients/{}/answer",
        ra["id"].as_str().expect("id")
    );
    json(app.post(&path, Who::Desk, &answer).await, StatusCode::OK).await;
    let path = format!(
        "/v1/surveys/{sid}/recipients/{}/answer",
        rp["id"].as_str().expect("id")
    );
    json(
        app.post(&path, Who::Desk, &json!({"answered_on": "2026-06-21"}))
            .await,
        StatusCode::OK,
    )
    .await;
    for who in [Who::Desk, Who::Department] {
        let report = json(
            app.get(&format!("/v1/surveys/{sid}"), who).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (report["distributed"].as_i64(), report["answered"].as_i64()),
            (Some(4), Some(2))
        );
        let channel = |c: &str| {
            report["by_channel"]
                .as_array()
                .expect("channels")
                .iter()
                .find(|t| t["key"] == c)
                .cloned()
        };
        assert_eq!(
            channel("email"),
            Some(json!({"key": "email", "distributed": 1, "answered": 1}))
        );
        assert_eq!(
            channel("fax"),
            Some(json!({"key": "fax", "distributed": 1, "answered": 0}))
        );
        let cities = report["by_municipality"].as_array().expect("cities");
        assert!(
            cities.contains(&json!({"key": f.ebina.to_string(), "distributed": 2, "answered": 1})),
            "{cities:?}"
        );
        let list = json(
            app.get(&format!("/v1/surveys/{sid}/recipients"), who).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(4));
    }
    for who in [Who::Partner, Who::Analyst, Who::Admin] {
        problem(
            app.get(&format!("/v1/surveys/{sid}"), who).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    problem(
        app.get(&format!("/v1/surveys/{sid}"), Who::Anonymous).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // The answer reached the entry: intent, verification, referral; and the feed.
    let entry_a = json(
        app.get(
            &format!("/v1/resources/{}", a["id"].as_str().expect("id")),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(entry_a["participation_intent"], "yes");
    assert_eq!(entry_a["last_verified_at"], "2026-06-20T00:00:00Z");
    let referrals = json(
        app.get(
            &format!("/v1/resources/{}/referrals", b["id"].as_str().expect("id")),
            Who::Anonymous,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(referrals["introduced_by"][0]["name"], "座間の会");
    let feed = json(app.get("/v1/events", Who::Desk).await, StatusCode::OK).await;
    assert!(feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|e| e["kind"] == "survey_answered" && e["resource_id"] == a["id"]));
}

/// Seed 002's content: the forms of activity, つながり / 孤独・孤立, ideas,
/// organizations introduced by name and the intent, counted beside the
/// response rate; illegal content is refused and changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn answers_hold_their_content_and_the_campaign_counts_who_works_on_kodoku_koritsu() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let survey = json(
        app.post(
            "/v1/surveys",
            Who::Desk,
            &json!({"title": "地域資源調査", "starts_on": "2026-06-01", "ends_on": "2026-07-31"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let sid = survey["id"].as_str().expect("id").to_owned();
    let add = async |body: Value| {
        json(
            app.post(&format!("/v1/surveys/{sid}/recipients"), Who::Desk, &body)
                .await,
            StatusCode::CREATED,
        )
        .await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let zama = add(json!({"prospective_name": "座間の居場所", "municipality_id": f.zama, "channel": "email", "sent_on": "2026-06-02"})).await;
    let ebina = add(json!({"prospective_name": "海老名の食堂", "municipality_id": f.ebina, "channel": "post", "sent_on": "2026-06-02"})).await;
    let ayase = add(json!({"prospective_name": "綾瀬の会", "municipality_id": f.ayase, "channel": "hand", "sent_on": "2026-06-02"})).await;
    add(json!({"prospective_name": "未回答の会", "municipality_id": f.zama, "channel": "fax", "sent_on": "2026-06-02"})).await;
    let answer = |rid: &str| format!("/v1/surveys/{sid}/recipients/{rid}/answer");

    // Illegal content: 422, and the recipient stays unanswered.
    for bad in [
        json!({"answered_on": "2026-06-20", "works_on": "everything"}),
        json!({"answered_on": "2026-06-20", "activities": ["no_such_form"]}),
        json!({"answered_on": "2026-06-20", "ideas": [""]}),
        json!({"answered_on": "2026-06-20", "ideas": ["あ".repeat(1001)]}),
        json!({"answered_on": "2026-06-20", "introduced_names": (0..51).map(|i| format!("会{i}")).collect::<Vec<_>>()}),
        json!({"answered_on": "2026-06-20", "respondent_name": "山田"}),
    ] {
        problem(
            app.post(&answer(&zama), Who::Desk, &bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    problem(
        app.post(
            &answer(&zama),
            Who::Department,
            &json!({"answered_on": "2026-06-20"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let unanswered = json(
        app.get(&format!("/v1/surveys/{sid}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unanswered["answered"], 0);
    assert_eq!(unanswered["response_rate"], 0.0);

    let recorded = json(
        app.post(
            &answer(&zama),
            Who::Desk,
            &json!({"answered_on": "2026-06-20", "works_on": "both", "participation_intent": "yes",
                    "activities": ["place_to_belong", "outreach", "place_to_belong"],
                    "ideas": ["多世代が集まれる食堂"], "introduced_names": ["ざま子ども食堂"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        recorded["activities"],
        json!(["place_to_belong", "outreach"])
    );
    assert_eq!(recorded["works_on"], "both");
    assert_eq!(recorded["participation_intent"], "yes");
    assert_eq!(recorded["introduced_names"], json!(["ざま子ども食堂"]));
    json(
        app.post(
            &answer(&ebina),
            Who::Desk,
            &json!({"answered_on": "2026-06-21", "works_on": "kodoku_koritsu", "activities": ["place_to_belong"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    json(
        app.post(
            &answer(&ayase),
            Who::Desk,
            &json!({"answered_on": "2026-06-22", "works_on": "tsunagari", "activities": ["outreach"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    let report = json(
        app.get(&format!("/v1/surveys/{sid}"), Who::Department)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (report["distributed"].as_i64(), report["answered"].as_i64()),
        (Some(4), Some(3))
    );
    assert_eq!(report["response_rate"], 0.75);
    let content = &report["content"];
    assert_eq!(content["kodoku_koritsu"], 2, "{content}");
    let tally = |list: &Value, key: &str| {
        list.as_array()
            .expect("tallies")
            .iter()
            .find(|t| t["key"] == key)
            .map(|t| t["answered"].clone())
    };
    assert_eq!(tally(&content["works_on"], "tsunagari"), Some(json!(1)));
    assert_eq!(tally(&content["works_on"], "both"), Some(json!(1)));
    let by_city = &content["kodoku_koritsu_by_municipality"];
    assert_eq!(tally(by_city, &f.zama.to_string()), Some(json!(1)));
    assert_eq!(tally(by_city, &f.ebina.to_string()), Some(json!(1)));
    assert_eq!(tally(by_city, &f.ayase.to_string()), None, "{by_city}");
    let by_form = &content["kodoku_koritsu_by_form"];
    assert_eq!(tally(by_form, "place_to_belong"), Some(json!(2)));
    assert_eq!(tally(by_form, "outreach"), Some(json!(1)), "{by_form}");
}

/// An organization the survey reached that is not in the directory
/// becomes an entry in one step, by the desk of its city, and the
/// recipient points at it; every refusal changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_prospective_recipient_becomes_an_entry_in_one_step() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let campaign =
        json!({"title": "見込み団体の調査", "starts_on": "2026-06-01", "ends_on": "2026-07-31"});
    let survey = json(
        app.post("/v1/surveys", Who::Desk, &campaign).await,
        StatusCode::CREATED,
    )
    .await;
    let sid = survey["id"].as_str().expect("id").to_owned();
    let recipient = json(
        app.post(
            &format!("/v1/surveys/{sid}/recipients"),
            Who::Desk,
            &json!({"prospective_name": "さがみの居場所", "municipality_id": f.zama,
                "channel": "post", "sent_on": "2026-06-02"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let rid = recipient["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/surveys/{sid}/recipients/{rid}/entry");
    let body = json!({"name": "さがみの居場所", "legal_form": "voluntary_group",
        "municipality_id": f.zama, "topics": ["loneliness"]});
    let names = async || {
        let found = json(
            app.get("/v1/resources?q=さがみの居場所", Who::Desk).await,
            StatusCode::OK,
        )
        .await;
        found["items"].as_array().expect("items").len()
    };
    let linked = async || {
        let list = json(
            app.get(&format!("/v1/surveys/{sid}/recipients"), Who::Desk)
                .await,
            StatusCode::OK,
        )
        .await;
        list["items"][0]["resource_id"].clone()
    };

    // Refusals: nobody but Zama's desk, not into another city, not for an
    // unknown recipient, not with an invalid body.
    for who in [Who::Anonymous, Who::Department, Who::AyaseDesk, Who::Admin] {
        let status = app.post(&path, who, &body).await.status();
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
            "{who:?}: {status}"
        );
    }
    let ayase = json!({"name": "さがみの居場所", "legal_form": "voluntary_group", "municipality_id": f.ayase});
    problem(
        app.post(&path, Who::AyaseDesk, &ayase).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let unknown = format!(
        "/v1/surveys/{sid}/recipients/{}/entry",
        uuid::Uuid::now_v7()
    );
    problem(
        app.post(&unknown, Who::Desk, &body).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let bad = json!({"name": "", "legal_form": "voluntary_group", "municipality_id": f.zama});
    problem(
        app.post(&path, Who::Desk, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(names().await, 0);
    assert!(linked().await.is_null());

    // The desk completes and publishes it.
    let response = app.post(&path, Who::Desk, &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned();
    assert!(response.headers().contains_key("etag"));
    let entry = json(response, StatusCode::CREATED).await;
    let id = entry["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("/v1/resources/{id}"));
    assert_eq!(entry["name"], "さがみの居場所");
    assert_eq!(linked().await, json!(id));
    let public = json(app.get(&location, Who::Anonymous).await, StatusCode::OK).await;
    assert_eq!(public["topics"], json!(["loneliness"]));
    for (target_type, target_id, action) in [
        ("resource", id.as_str(), "resource.create"),
        ("survey_recipient", rid.as_str(), "survey_recipient.update"),
    ] {
        let audit = json(
            app.get(
                &format!("/v1/audit?target_type={target_type}&target_id={target_id}"),
                Who::Admin,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert!(audit.to_string().contains(action), "{audit}");
    }
    let feed = json(app.get("/v1/events", Who::Desk).await, StatusCode::OK).await;
    assert!(feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|e| e["kind"] == "survey_recipient_entered"));

    // Once: the recipient is an entry now.
    problem(
        app.post(&path, Who::Desk, &body).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(names().await, 1);
}
