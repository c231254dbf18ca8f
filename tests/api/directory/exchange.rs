//! The directory's import (CSV in UTF-8 or Shift_JIS, dry runs,
//! all-or-nothing, idempotent by key) and exports (HSDS 3.0, CSV).

use super::{dv_entries, SHELTER_LAT, SHELTER_STREET};
use crate::harness::{json, problem, TestApp, Who};
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

const HEADER: &str = "外部キー,名称,ふりがな,法人格,所在市,対象地域,テーマ,活動形態,活動内容,郵便番号,都道府県,市区町村,町名番地,緯度,経度,電話番号,メールアドレス,担当者,対応言語,参画意向,公開,非公開項目";

fn rows() -> String {
    [
        HEADER,
        "zama-001,ざま子ども食堂,ざまこどもしょくどう,こども食堂,座間市,座間市;海老名市,子育て;孤独・孤立,食の支援;居場所づくり,毎月第2土曜日に開催,252-0021,神奈川県,座間市,緑ケ丘一丁目1番1号,35.4886,139.4075,046-111-0001,info@kodomo.example.jp,佐藤 一郎,ja;vi,あり,公開,担当者",
        "ayase-002,あやせ就労サポート,あやせしゅうろうさぽーと,NPO法人,座間市,全域,ひきこもり,就労支援,若者の就労体験,,,,,,,0467-00-0002,,,ja,検討中,公開,",
        "\"yamato-003\",\"やまと見守りネット, 本部\",,社会福祉法人,座間市,大和市,高齢,アウトリーチ,\"見守り訪問\n(月2回)\",242-0001,神奈川県,大和市,下鶴間1番地,35.4870,139.4610,,,,,なし,非公開,住所;位置",
    ]
    .join("\r\n")
        + "\r\n"
}

async fn import(app: &TestApp, body: Vec<u8>, query: &str) -> Response {
    app.request(
        Method::POST,
        &format!("/v1/resources/import{query}"),
        Who::Desk,
    )
    .header("content-type", "text/csv")
    .body(body)
    .send()
    .await
    .expect("import")
}

async fn names(app: &TestApp, who: Who) -> Vec<String> {
    let body = json(
        app.get("/v1/resources?limit=200", who).await,
        StatusCode::OK,
    )
    .await;
    let mut names: Vec<String> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn shift_jis_and_utf8_imports_are_idempotent_by_key_and_fill_the_feed() {
    let app = TestApp::spawn().await;
    let text = rows();
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    let dry = json(
        import(&app, sjis.to_vec(), "?dry_run=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(dry["encoding"], "shift_jis");
    assert_eq!(
        (dry["rows"].as_u64(), dry["created"].as_u64()),
        (Some(3), Some(3)),
        "{dry}"
    );
    assert!(
        names(&app, Who::Desk).await.is_empty(),
        "a dry run writes nothing"
    );
    let done = json(import(&app, sjis.to_vec(), "").await, StatusCode::OK).await;
    assert_eq!(
        (
            done["created"].as_u64(),
            done["problems"].as_array().map(Vec::len)
        ),
        (Some(3), Some(0))
    );
    assert_eq!(
        names(&app, Who::Desk).await,
        vec![
            "あやせ就労サポート",
            "ざま子ども食堂",
            "やまと見守りネット, 本部"
        ]
    );
    // The staff-only row stays inside.
    assert_eq!(
        names(&app, Who::Anonymous).await,
        vec!["あやせ就労サポート", "ざま子ども食堂"]
    );
    // The same file again, now as UTF-8 with a BOM: nothing changes.
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let again = json(import(&app, bom, "").await, StatusCode::OK).await;
    assert_eq!(again["encoding"], "utf8");
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3))
    );
    // One changed row updates its entry only.
    let changed = text.replace("毎月第2土曜日に開催", "毎月第2・第4土曜日に開催");
    let third = json(import(&app, changed.into_bytes(), "").await, StatusCode::OK).await;
    assert_eq!(
        (
            third["created"].as_u64(),
            third["updated"].as_u64(),
            third["unchanged"].as_u64()
        ),
        (Some(0), Some(1), Some(2))
    );
    let found = json(
        app.get("/v1/resources?q=第4土曜", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    let entry = &found["items"][0];
    assert_eq!(
        entry["topics"],
        serde_json::json!(["child_rearing", "loneliness"])
    );
    assert_eq!(
        entry["forms"],
        serde_json::json!(["food_support", "place_to_belong"])
    );
    assert_eq!(
        entry["serves_municipality_ids"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(entry["languages"], serde_json::json!(["ja", "vi"]));
    assert_eq!(entry["participation_intent"], "yes");
    assert!(entry["contact_person"].is_null(), "hidden from the public");
    assert_eq!(entry["locations"][0]["street"], "緑ケ丘一丁目1番1号");
    let everywhere = json(
        app.get("/v1/resources?q=就労", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        everywhere["items"][0]["serves_municipality_ids"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    // Every write is in the feed (4) and the audit log (4).
    let feed = json(
        app.get("/v1/events?limit=200", Who::Department).await,
        StatusCode::OK,
    )
    .await;
    let imported = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == "resource_imported")
        .count();
    assert_eq!(imported, 4);
    let audit = json(
        app.get("/v1/audit?action=resource.import&limit=200", Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(4));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_with_problems_is_reported_by_row_and_column_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let text = format!(
        "{}\r\nebina-009,,,宗教法人,横浜市,,子供,,,12345,,,,95,139,call me,x@,,japanese,たぶん,秘密,電話番号;趣味\r\nzama-001,重複,,NPO法人,座間市,,,,,,,,,,,,,,,,,\r\n",
        rows().trim_end()
    );
    let dry = json(
        import(&app, text.clone().into_bytes(), "?dry_run=true").await,
        StatusCode::OK,
    )
    .await;
    let problems: Vec<(u64, String)> = dry["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().expect("row"),
                p["column"].as_str().expect("column").to_owned(),
            )
        })
        .collect();
    for column in [
        "name",
        "legal_form",
        "municipality",
        "topics",
        "postal_code",
        "latitude",
        "phone",
        "email",
        "languages",
        "participation_intent",
        "visibility",
        "hidden_fields",
    ] {
        assert!(
            problems.contains(&(5, column.to_owned())),
            "{column} of row 5 missing: {problems:?}"
        );
    }
    assert!(
        problems.contains(&(6, "external_key".to_owned())),
        "duplicate key: {problems:?}"
    );
    assert!(
        problems.iter().all(|(row, _)| *row >= 5),
        "rows 2-4 are good: {problems:?}"
    );
    let refused = problem(
        import(&app, text.into_bytes(), "").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(!refused["report"]["problems"]
        .as_array()
        .expect("report")
        .is_empty());
    assert!(names(&app, Who::Desk).await.is_empty(), "all or nothing");
    // Unknown columns, a missing required column, a wrong content type; and only the desk imports.
    let bad_header = json(
        import(&app, "名称,好きな色\r\nx,赤\r\n".into(), "?dry_run=true").await,
        StatusCode::OK,
    )
    .await;
    let columns: Vec<&str> = bad_header["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["column"].as_str().expect("column"))
        .collect();
    assert!(
        columns.contains(&"好きな色")
            && columns.contains(&"external_key")
            && columns.contains(&"municipality"),
        "{columns:?}"
    );
    let json_body = app
        .post("/v1/resources/import", Who::Desk, &serde_json::json!({}))
        .await;
    problem(json_body, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let as_department = app
        .request(Method::POST, "/v1/resources/import", Who::Department)
        .header("content-type", "text/csv")
        .body(rows())
        .send()
        .await
        .expect("import");
    problem(as_department, StatusCode::FORBIDDEN).await;
    let invalid_utf8 = json(
        import(&app, vec![0x82, 0xA0, 0xFF, 0xFF], "?encoding=utf8").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(invalid_utf8["errors"][0]["code"], "encoding");
}

pub(super) fn hsds_validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/hsds-3.0/organization.json"
    );
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("json");
    jsonschema::validator_for(&schema).expect("a valid schema")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hsds_export_is_valid_hsds_3_and_public_fields_only_for_the_public() {
    let app = TestApp::spawn().await;
    json(import(&app, rows().into_bytes(), "").await, StatusCode::OK).await;
    let (office, shelter) = dv_entries(&app).await;
    let validator = hsds_validator();
    // The validator does catch a broken organization.
    assert!(!validator.is_valid(&serde_json::json!({"id": "x", "name": 3})));
    for (who, expected) in [
        (Who::Anonymous, 3),
        (Who::Analyst, 3),
        (Who::Desk, 5),
        (Who::Department, 5),
    ] {
        let response = app.get("/v1/resources/export?format=hsds", who).await;
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.expect("body");
        let body: Value = serde_json::from_str(&text).expect("json");
        let contents = body["contents"].as_array().expect("contents");
        assert_eq!(contents.len(), expected, "{who:?}");
        assert_eq!(body["total_items"], expected);
        for organization in contents {
            let errors: Vec<String> = validator
                .iter_errors(organization)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{who:?}: {errors:?}\n{organization}");
        }
        let has = |secret: &str| text.contains(secret);
        if expected == 3 {
            for secret in [
                SHELTER_STREET,
                &SHELTER_LAT.to_string(),
                "046-999-0001",
                "秘密 花子",
                "緊急一時保護シェルター",
                "やまと見守りネット",
                "佐藤 一郎",
                shelter["id"].as_str().expect("id"),
            ] {
                assert!(!has(secret), "{who:?} export leaks {secret}");
            }
        } else if who == Who::Desk {
            // The owning desk: need-to-know.
            assert!(has(SHELTER_STREET) && has("佐藤 一郎") && has("緊急一時保護シェルター"));
        } else {
            // Staff without a grant: staff-only entries, no hidden values.
            assert!(has("緊急一時保護シェルター"), "{who:?}");
            assert!(!has(SHELTER_STREET) && !has("佐藤 一郎"), "{who:?}");
        }
        let zama = contents
            .iter()
            .find(|o| o["name"] == "ざま子ども食堂")
            .expect("zama");
        assert_eq!(zama["x_participation_intent"], "yes");
        assert_eq!(
            zama["x_serves_municipalities"].as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(
            zama["services"][0]["attributes"].as_array().map(Vec::len),
            Some(4)
        );
        assert_eq!(
            zama["locations"][0]["addresses"][0]["postal_code"],
            "252-0021"
        );
        let office_out = contents
            .iter()
            .find(|o| o["id"] == office["id"])
            .expect("office");
        assert_eq!(
            office_out["locations"][0].get("latitude").is_some(),
            who == Who::Desk
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_export_opens_in_excel_hides_for_the_public_and_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    json(import(&app, rows().into_bytes(), "").await, StatusCode::OK).await;
    dv_entries(&app).await;
    let public = app
        .get("/v1/resources/export?format=csv", Who::Anonymous)
        .await;
    assert!(public.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/csv"));
    let bytes = public.bytes().await.expect("body");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM for Excel");
    let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
    assert!(text.contains("ざま子ども食堂") && text.contains("DV相談室かながわ"));
    for secret in [
        SHELTER_STREET,
        "046-999-0001",
        "佐藤 一郎",
        "緊急一時保護シェルター",
        "やまと見守りネット",
        "zama-001",
    ] {
        assert!(!text.contains(secret), "public CSV leaks {secret}");
    }
    assert_eq!(
        text.lines().count(),
        4,
        "header and three public entries: {text}"
    );
    // The desk's export of the imported entries imports back as unchanged.
    let staff = app
        .get("/v1/resources/export?format=csv&q=ざま", Who::Desk)
        .await
        .bytes()
        .await
        .expect("body");
    let staff_text = String::from_utf8(staff.to_vec()).expect("utf-8");
    assert!(staff_text.contains("zama-001") && staff_text.contains("佐藤 一郎"));
    let back = json(
        import(&app, staff.to_vec(), "?dry_run=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            back["unchanged"].as_u64(),
            back["problems"].as_array().map(Vec::len)
        ),
        (Some(1), Some(0)),
        "{back}"
    );
}
