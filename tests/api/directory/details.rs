//! Issue 19: a directory people can act on — opening periods, exceptions,
//! accessibility, target groups, ages, cost, verification and consent,
//! translations by `Accept-Language`, all in JSON, HSDS and the open data.

use super::{create, dv_entries, entry, SHELTER_STREET};
use crate::harness::{json, problem, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// An entry with every new field filled in.
fn acting(app: &TestApp, name: &str) -> Value {
    entry(
        app,
        name,
        json!({
            "description": "ひきこもりの若者の居場所",
            "locations": [{"label": "本部", "postal_code": "252-0021", "prefecture": "神奈川県", "city": "座間市",
                "street": "緑ケ丘一丁目2番3号", "latitude": 35.4886, "longitude": 139.4075},
                {"label": "分室", "city": "座間市", "street": "相模が丘1-1"}],
            "languages": ["ja", "ja-easy", "jsl", "en"],
            "call_before_visiting": true, "by_appointment": true,
            "opening_periods": [
                {"weekday": "tue", "opens_at": "13:00", "closes_at": "17:00"},
                {"weekday": "tue", "opens_at": "10:00", "closes_at": "12:00"},
                {"weekday": "sat", "opens_at": "10:00", "closes_at": "15:00", "location_index": 1}],
            "opening_exceptions": [{"date": "2026-12-29", "note": "年末年始休業"},
                {"date": "2026-11-03", "opens_at": "10:00", "closes_at": "12:00"}],
            "accessibility": ["written_communication", "wheelchair_accessible"],
            "accessibility_note": "入口にスロープがあります",
            "target_groups": ["loneliness", "under_18"], "minimum_age": 15, "maximum_age": 39,
            "eligibility_note": "ご家族の相談も可", "cost": "fee", "cost_note": "1回300円",
            "translations": [
                {"language": "en", "name": "Zama Ibasho Net", "description": "A place to belong for young people"},
                {"language": "ja-easy", "name": "ざま いばしょ ねっと", "description": ""}],
        }),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_new_fields_round_trip_and_are_checked() {
    let app = TestApp::spawn().await;
    let created = create(&app, &acting(&app, "ざま居場所ネット")).await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/v1/resources/{id}");
    let public = json(app.get(&path, Who::Anonymous).await, StatusCode::OK).await;
    for entry in [&created, &public] {
        assert_eq!(entry["publish_consent"], "listed");
        assert_eq!(entry["call_before_visiting"], true);
        assert_eq!(entry["by_appointment"], true);
        // Sorted by location, weekday, time.
        let periods: Vec<&str> = entry["opening_periods"]
            .as_array()
            .expect("periods")
            .iter()
            .map(|p| p["opens_at"].as_str().expect("opens"))
            .collect();
        assert_eq!(periods, ["10:00", "13:00", "10:00"]);
        assert_eq!(entry["opening_periods"][2]["location_index"], 1);
        assert_eq!(entry["opening_exceptions"][0]["date"], "2026-11-03");
        assert_eq!(entry["opening_exceptions"][1]["note"], "年末年始休業");
        assert!(entry["opening_exceptions"][1].get("opens_at").is_none());
        // The vocabulary's order.
        assert_eq!(
            entry["accessibility"],
            json!(["wheelchair_accessible", "written_communication"])
        );
        assert_eq!(entry["target_groups"], json!(["under_18", "loneliness"]));
        assert_eq!(entry["minimum_age"], 15);
        assert_eq!(entry["maximum_age"], 39);
        assert_eq!(entry["cost"], "fee");
        assert_eq!(entry["cost_note"], "1回300円");
        assert_eq!(entry["languages"], json!(["ja", "ja-easy", "jsl", "en"]));
        assert_eq!(entry["translations"][0]["language"], "en");
        assert_eq!(entry["language"], "ja");
        assert_eq!(entry["name"], "ざま居場所ネット");
    }
    // PATCH changes one field and keeps the others; null clears.
    let etag = app.etag(&path, Who::Desk).await;
    let patched = json(
        app.patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"cost": "free", "cost_note": null, "call_before_visiting": false}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["cost"], "free");
    assert!(patched["cost_note"].is_null());
    assert_eq!(patched["call_before_visiting"], false);
    assert_eq!(patched["by_appointment"], true);
    assert_eq!(patched["opening_periods"].as_array().map(Vec::len), Some(3));
    let audit = json(
        app.get(
            &format!("/v1/audit?target_type=resource&target_id={id}"),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(audit.to_string().contains("cost_note"), "{audit}");
    // Invalid values: 422 naming the field, nothing written.
    let etag = app.etag(&path, Who::Desk).await;
    for (change, field, code) in [
        (
            json!({"opening_periods": [{"weekday": "mon", "opens_at": "10:00", "closes_at": "12:00"},
                {"weekday": "mon", "opens_at": "11:00", "closes_at": "13:00", "location_index": 0}]}),
            "opening_periods[1]",
            "overlapping_periods",
        ),
        (
            json!({"opening_periods": [{"weekday": "mon", "opens_at": "17:00", "closes_at": "09:00"}]}),
            "opening_periods[0].closes_at",
            "invalid_period",
        ),
        (
            json!({"opening_periods": [{"weekday": "mon", "opens_at": "9:00", "closes_at": "12:00"}]}),
            "opening_periods[0].opens_at",
            "invalid_time",
        ),
        (
            json!({"opening_periods": [{"weekday": "mon", "opens_at": "09:00", "closes_at": "12:00", "location_index": 5}]}),
            "opening_periods[0].location_index",
            "unknown_location",
        ),
        // Dropping the second location orphans the Saturday period.
        (
            json!({"locations": [{"city": "座間市"}]}),
            "opening_periods",
            "unknown_location",
        ),
        (
            json!({"opening_exceptions": [{"date": "2026-12-29"}, {"date": "2026-12-29"}]}),
            "opening_exceptions[1].date",
            "duplicate_date",
        ),
        (json!({"minimum_age": 40}), "maximum_age", "invalid_range"),
        (
            json!({"translations": [{"language": "en", "name": "A"}, {"language": "en", "name": "B"}]}),
            "translations[1].language",
            "duplicate_language",
        ),
        (
            json!({"translations": [{"language": "en", "name": " "}]}),
            "translations[0].name",
            "",
        ),
        (
            json!({"languages": ["sign language"]}),
            "languages[0]",
            "invalid_language",
        ),
    ] {
        let body = problem(
            app.patch(&path, Who::Desk, &etag, &change).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let errors = body["errors"].as_array().expect("errors");
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && (code.is_empty() || e["code"] == code)),
            "{change}: {body}"
        );
    }
    // Unknown codes are refused at the body's edge.
    for change in [
        json!({"accessibility": ["stairs"]}),
        json!({"target_groups": ["everyone"]}),
        json!({"cost": "cheap"}),
        json!({"opening_periods": [{"weekday": "monday", "opens_at": "10:00", "closes_at": "12:00"}]}),
        json!({"translations": [{"language": "fr", "name": "Zama"}]}),
        json!({"minimum_age": 70000}),
        json!({"publish_consent": "maybe"}),
    ] {
        problem(
            app.patch(&path, Who::Desk, &etag, &change).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // Nothing of it was written: the ETag still holds.
    assert_eq!(app.etag(&path, Who::Desk).await, etag);
}

async fn get_in(app: &TestApp, path: &str, language: &str) -> (Value, String, String) {
    let response = app
        .request(Method::GET, path, Who::Anonymous)
        .header("accept-language", language)
        .send()
        .await
        .expect("get");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_language, vary) = (header("content-language"), header("vary"));
    (json(response, StatusCode::OK).await, content_language, vary)
}

#[tokio::test(flavor = "multi_thread")]
async fn accept_language_chooses_a_translation_and_falls_back_to_the_original() {
    let app = TestApp::spawn().await;
    let translated = create(&app, &acting(&app, "ざま居場所ネット")).await;
    let plain = create(
        &app,
        &entry(&app, "傾聴の会", json!({"description": "お話を聴きます"})),
    )
    .await;
    let path = format!("/v1/resources/{}", translated["id"].as_str().expect("id"));
    let (en, language, vary) = get_in(&app, &path, "en-US,en;q=0.9,ja;q=0.5").await;
    assert_eq!(en["name"], "Zama Ibasho Net");
    assert_eq!(en["description"], "A place to belong for young people");
    assert_eq!(en["language"], "en");
    assert_eq!(language, "en");
    assert!(
        vary.to_ascii_lowercase().contains("accept-language"),
        "{vary}"
    );
    // やさしい日本語 without its own description keeps the original one.
    let (easy, language, _) = get_in(&app, &path, "ja-easy, en;q=0.5").await;
    assert_eq!(easy["name"], "ざま いばしょ ねっと");
    assert_eq!(easy["description"], "ひきこもりの若者の居場所");
    assert_eq!(language, "ja-easy");
    // No such translation: the next choice, else the original.
    let (fallback, language, _) = get_in(&app, &path, "vi, fr;q=0.8").await;
    assert_eq!(fallback["name"], "ざま居場所ネット");
    assert_eq!(language, "ja");
    let plain_path = format!("/v1/resources/{}", plain["id"].as_str().expect("id"));
    let (untranslated, language, _) = get_in(&app, &plain_path, "en").await;
    assert_eq!(untranslated["name"], "傾聴の会");
    assert_eq!(untranslated["language"], "ja");
    assert_eq!(language, "ja");
    // The list chooses per entry.
    let (list, _, vary) = get_in(&app, "/v1/resources", "en").await;
    assert!(
        vary.to_ascii_lowercase().contains("accept-language"),
        "{vary}"
    );
    let names: Vec<(&str, &str)> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["name"].as_str().expect("name"),
                i["language"].as_str().expect("language"),
            )
        })
        .collect();
    assert!(names.contains(&("Zama Ibasho Net", "en")), "{names:?}");
    assert!(names.contains(&("傾聴の会", "ja")), "{names:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_withdrawn_consent_hides_the_entry_from_the_public_and_every_export() {
    let app = TestApp::spawn().await;
    let created = create(&app, &acting(&app, "撤回した会")).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/resources/{id}");
    // A contradicting visibility is refused.
    let etag = app.etag(&path, Who::Desk).await;
    let inconsistent = problem(
        app.patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"publish_consent": "withdrawn", "visibility": "public"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        inconsistent["errors"][0]["code"],
        "inconsistent_publish_consent"
    );
    let withdrawn = json(
        app.patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"publish_consent": "withdrawn"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(withdrawn["publish_consent"], "withdrawn");
    assert_eq!(withdrawn["visibility"], "staff_only");
    // Gone for the public, everywhere.
    problem(app.get(&path, Who::Anonymous).await, StatusCode::NOT_FOUND).await;
    for (who, at) in [
        (Who::Anonymous, "/v1/resources"),
        (Who::Partner, "/v1/resources/export?format=hsds"),
        (Who::Anonymous, "/v1/resources/export?format=csv"),
        (Who::Anonymous, "/v1/open-data/142166/resources.csv"),
        // Staff keep it in their list, but no export carries it.
        (Who::Desk, "/v1/resources/export?format=hsds"),
        (Who::Department, "/v1/resources/export?format=csv"),
    ] {
        let text = app.get(at, who).await.text().await.expect("body");
        assert!(
            !text.contains("撤回した会") && !text.contains(&id),
            "{who:?} {at}"
        );
    }
    let staff = json(
        app.get("/v1/resources", Who::Department).await,
        StatusCode::OK,
    )
    .await;
    assert!(staff.to_string().contains("撤回した会"));
    // `visibility: public` alone cannot publish it again; consent can.
    let etag = app.etag(&path, Who::Desk).await;
    let refused = problem(
        app.patch(&path, Who::Desk, &etag, &json!({"visibility": "public"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "consent_withdrawn");
    // Still withdrawn after an unrelated change.
    let kept = json(
        app.patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"participation_intent": "no"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(kept["publish_consent"], "withdrawn");
    let etag = app.etag(&path, Who::Desk).await;
    let staff_only = json(
        app.patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"publish_consent": "staff_only"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(staff_only["visibility"], "staff_only");
    let etag = app.etag(&path, Who::Desk).await;
    let listed = json(
        app.patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"publish_consent": "listed"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["visibility"], "public");
    json(app.get(&path, Who::Anonymous).await, StatusCode::OK).await;
    // A visibility alone sets the consent it implies.
    let etag = app.etag(&path, Who::Desk).await;
    let hidden = json(
        app.patch(
            &path,
            Who::Desk,
            &etag,
            &json!({"visibility": "staff_only"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(hidden["publish_consent"], "staff_only");
}

#[tokio::test(flavor = "multi_thread")]
async fn entries_due_for_verification_and_recording_a_verification() {
    let app = TestApp::spawn().await;
    let never = create(&app, &entry(&app, "未確認の会", json!({}))).await;
    let old = create(
        &app,
        &entry(
            &app,
            "昔確認した会",
            json!({"last_verified_at": "2024-01-05T00:00:00Z"}),
        ),
    )
    .await;
    let fresh = create(&app, &entry(&app, "今確認する会", json!({}))).await;
    let ayase = create(
        &app,
        &entry(
            &app,
            "綾瀬の会",
            json!({"municipality_id": app.fixtures.ayase}),
        ),
    )
    .await;
    let path = format!("/v1/resources/{}", fresh["id"].as_str().expect("id"));
    let verifications = format!("{path}/verifications");
    let before = json(app.get(&path, Who::Desk).await, StatusCode::OK).await;
    let body = json!({"method": "phone"});
    // If-Match first-class: 428 without, 412 stale; another city's desk 403.
    let bare = app
        .request(Method::POST, &verifications, Who::Desk)
        .json(&body)
        .send()
        .await
        .expect("post");
    problem(bare, StatusCode::PRECONDITION_REQUIRED).await;
    let stale = app
        .request(Method::POST, &verifications, Who::Desk)
        .header("if-match", "\"99\"")
        .json(&body)
        .send()
        .await
        .expect("post");
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let etag = app.etag(&path, Who::Desk).await;
    for (who, expected) in [
        (Who::AyaseDesk, StatusCode::FORBIDDEN),
        (Who::Department, StatusCode::FORBIDDEN),
        (Who::Anonymous, StatusCode::UNAUTHORIZED),
    ] {
        let response = app
            .request(Method::POST, &verifications, who)
            .header("if-match", &etag)
            .json(&body)
            .send()
            .await
            .expect("post");
        problem(response, expected).await;
    }
    for bad in [
        json!({"method": "telepathy"}),
        json!({"method": "phone", "verified_at": "2999-01-01T00:00:00Z"}),
        json!({"method": "phone", "verified_at": "1999-12-31T00:00:00Z"}),
        json!({"method": "phone", "by": "someone"}),
    ] {
        let response = app
            .request(Method::POST, &verifications, Who::Desk)
            .header("if-match", &etag)
            .json(&bad)
            .send()
            .await
            .expect("post");
        problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let response = app
        .request(Method::POST, &verifications, Who::Desk)
        .header("if-match", &etag)
        .json(&json!({"method": "visit"}))
        .send()
        .await
        .expect("post");
    let new_etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    assert_ne!(new_etag, etag);
    let verified = json(response, StatusCode::OK).await;
    assert_eq!(verified["verification_method"], "visit");
    assert_eq!(
        verified["last_verified_by"],
        app.fixtures.account(Who::Desk).id.to_string()
    );
    assert!(verified["last_verified_at"].is_string());
    // A check is not a change of content.
    assert_eq!(verified["updated_at"], before["updated_at"]);
    // Audited and in the feed.
    let audit = json(
        app.get(
            &format!(
                "/v1/audit?target_type=resource&target_id={}",
                fresh["id"].as_str().expect("id")
            ),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(audit.to_string().contains("resource.verify"), "{audit}");
    let feed = json(app.get("/v1/events", Who::Department).await, StatusCode::OK).await;
    assert!(feed.to_string().contains("resource_verified"));
    // The due list: the desk's own city, never verified or too long ago.
    let due = |days: &str| format!("/v1/resources/due-for-verification?older_than_days={days}");
    let names = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let zama = names(&json(app.get(&due("365"), Who::Desk).await, StatusCode::OK).await);
    assert_eq!(zama, ["未確認の会", "昔確認した会"]);
    let _ = (never, old);
    let ayase_due = names(&json(app.get(&due("365"), Who::AyaseDesk).await, StatusCode::OK).await);
    assert!(
        ayase_due.contains(&"綾瀬の会".to_owned()) && !ayase_due.contains(&"未確認の会".to_owned())
    );
    let _ = ayase;
    // Default 365 days; pages follow the cursor.
    let first = json(
        app.get("/v1/resources/due-for-verification?limit=1", Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(names(&first), ["未確認の会"]);
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = json(
        app.get(
            &format!("/v1/resources/due-for-verification?limit=1&cursor={cursor}"),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(names(&second), ["昔確認した会"]);
    assert!(second["next_cursor"].is_null());
    for bad in ["0", "3651", "x"] {
        let response = app.get(&due(bad), Who::Desk).await;
        assert!(
            matches!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST
            ),
            "{bad}: {}",
            response.status()
        );
    }
    for who in [Who::Department, Who::Partner, Who::Admin, Who::Analyst] {
        problem(app.get(&due("365"), who).await, StatusCode::FORBIDDEN).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hsds_export_carries_the_new_parts_and_stays_valid() {
    let app = TestApp::spawn().await;
    let created = create(&app, &acting(&app, "ざま居場所ネット")).await;
    let validator = super::exchange::hsds_validator();
    let body = json(
        app.get("/v1/resources/export?format=hsds", Who::Anonymous)
            .await,
        StatusCode::OK,
    )
    .await;
    let organization = body["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .find(|o| o["id"] == created["id"])
        .expect("exported")
        .clone();
    let errors: Vec<String> = validator
        .iter_errors(&organization)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{organization}");
    let service = &organization["services"][0];
    let weekly: Vec<(&str, &str)> = service["schedules"]
        .as_array()
        .expect("schedules")
        .iter()
        .filter(|s| s["freq"] == "WEEKLY")
        .map(|s| {
            (
                s["byday"].as_str().expect("byday"),
                s["opens_at"].as_str().expect("opens"),
            )
        })
        .collect();
    assert_eq!(
        weekly,
        [
            ("TU", "10:00+09:00"),
            ("TU", "13:00+09:00"),
            ("SA", "10:00+09:00")
        ]
    );
    let saturday = service["schedules"]
        .as_array()
        .expect("schedules")
        .iter()
        .find(|s| s["byday"] == "SA")
        .expect("saturday");
    assert_eq!(saturday["location_id"], organization["locations"][1]["id"]);
    assert!(service["schedules"]
        .to_string()
        .contains("休業 (closed): 年末年始休業"));
    assert_eq!(service["minimum_age"], 15);
    assert_eq!(service["maximum_age"], 39);
    assert!(service["eligibility_description"]
        .as_str()
        .expect("eligibility")
        .contains("孤独・孤立"));
    assert_eq!(service["cost_options"][0]["amount_description"], "1回300円");
    assert_eq!(service["cost_options"][0]["currency"], "JPY");
    assert!(service["application_process"]
        .as_str()
        .expect("application")
        .contains("予約制"));
    let codes: Vec<&str> = service["languages"]
        .as_array()
        .expect("languages")
        .iter()
        .map(|l| l["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["ja", "ja-easy", "jsl", "en"]);
    assert_eq!(
        organization["locations"][0]["accessibility"][0]["description"],
        "車いす利用可"
    );
    assert_eq!(service["service_areas"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_open_data_csv_is_the_standard_layout_with_public_fields_only() {
    let app = TestApp::spawn().await;
    let (office, _shelter) = dv_entries(&app).await;
    create(&app, &acting(&app, "ざま居場所ネット")).await;
    create(
        &app,
        &entry(
            &app,
            "綾瀬の会",
            json!({"municipality_id": app.fixtures.ayase}),
        ),
    )
    .await;
    for who in [Who::Anonymous, Who::Desk] {
        let response = app.get("/v1/open-data/142166/resources.csv", who).await;
        assert_eq!(response.status(), StatusCode::OK);
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(header("content-type").starts_with("text/csv"));
        assert_eq!(
            header("link"),
            "<https://creativecommons.org/licenses/by/4.0/>; rel=\"license\""
        );
        let bytes = response.bytes().await.expect("body");
        assert_eq!(&bytes[..3], b"\xef\xbb\xbf", "UTF-8 BOM");
        let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
        let first_line = text.split("\r\n").next().expect("header");
        assert!(first_line.starts_with(
            "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,名称_英字,名称_通称,POIコード,"
        ));
        assert!(first_line.contains(",所在地_連結表記,"));
        assert!(first_line.ends_with(",URL,画像,画像_ライセンス,備考"));
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader.headers().expect("headers").clone();
        let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        // Zama's public entries only: the DV office and the new entry.
        assert_eq!(rows.len(), 2, "{who:?}: {text}");
        assert!(!text.contains("綾瀬の会") && !text.contains("緊急一時保護シェルター"));
        // As the public sees it, even for the desk: the hidden address and
        // position are blank.
        assert!(!text.contains(SHELTER_STREET) && !text.contains("046-999-0001"));
        let dv = rows
            .iter()
            .find(|r| r[column("ID")] == *office["id"].as_str().expect("id"))
            .expect("office row");
        for blank in ["所在地_連結表記", "緯度", "経度", "電話番号", "建物名等"]
        {
            assert_eq!(&dv[column(blank)], "", "{blank}");
        }
        assert_eq!(&dv[column("全国地方公共団体コード")], "142166");
        let ibasho = rows
            .iter()
            .find(|r| &r[column("名称")] == "ざま居場所ネット")
            .expect("row");
        assert_eq!(
            &ibasho[column("所在地_連結表記")],
            "神奈川県座間市緑ケ丘一丁目2番3号"
        );
        assert_eq!(&ibasho[column("名称_英字")], "Zama Ibasho Net");
        assert_eq!(&ibasho[column("利用可能曜日")], "火");
        assert_eq!(&ibasho[column("開始時間")], "10:00");
        assert_eq!(&ibasho[column("終了時間")], "17:00");
        assert!(ibasho[column("利用可能日時特記事項")].contains("予約制"));
        assert!(ibasho[column("バリアフリー情報")].contains("筆談対応"));
    }
    // Every city has its stable URL; an unknown code is 404 problem+json.
    let ayase = app
        .get("/v1/open-data/142182/resources.csv", Who::Anonymous)
        .await;
    assert!(ayase.text().await.expect("body").contains("綾瀬の会"));
    for unknown in ["999999", "14216", "abcdef"] {
        problem(
            app.get(
                &format!("/v1/open-data/{unknown}/resources.csv"),
                Who::Anonymous,
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
}
