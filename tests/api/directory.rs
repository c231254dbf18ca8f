//! The regional resource directory: entries, per-field visibility, search,
//! map, figures, referrals, and that a hidden position never leaves the API.

use crate::harness::{json, problem, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The DV shelter's secret street address and position.
pub const SHELTER_STREET: &str = "相武台秘密町九丁目8番7号";
pub const SHELTER_LAT: f64 = 35.47123;
pub const SHELTER_LNG: f64 = 139.40456;

pub async fn create(app: &TestApp, body: &Value) -> Value {
    json(
        app.post("/v1/resources", Who::Desk, body).await,
        StatusCode::CREATED,
    )
    .await
}

/// An entry of Zama with sensible defaults, overridden by `extra`.
pub fn entry(app: &TestApp, name: &str, extra: Value) -> Value {
    let mut body = json!({
        "name": name, "legal_form": "npo", "municipality_id": app.fixtures.zama,
        "description": "", "topics": [], "forms": [],
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

/// A public DV consultation office that hides its address, position,
/// phone and contact person, and a staff-only shelter.
pub async fn dv_entries(app: &TestApp) -> (Value, Value) {
    let office = create(
        app,
        &entry(app, "DV相談室かながわ", json!({
            "legal_form": "public_agency", "topics": ["dv"], "forms": ["consultation"],
            "description": "配偶者からの暴力に関する相談",
            "locations": [{"label": "相談室", "postal_code": "252-0011", "prefecture": "神奈川県", "city": "座間市",
                           "street": SHELTER_STREET, "latitude": SHELTER_LAT, "longitude": SHELTER_LNG}],
            "phone": "046-999-0001", "contact_person": "秘密 花子", "email": "soudan@dv.example.jp",
            "hidden_fields": ["address", "position", "phone", "contact_person", "email"],
        })),
    )
    .await;
    let shelter = create(
        app,
        &entry(app, "緊急一時保護シェルター", json!({
            "legal_form": "social_welfare_corporation", "topics": ["dv"], "forms": ["safe_place"],
            "visibility": "staff_only",
            "locations": [{"street": SHELTER_STREET, "latitude": SHELTER_LAT + 0.0001, "longitude": SHELTER_LNG}],
            "hidden_fields": ["address", "position", "phone", "email", "contact_person"],
        })),
    )
    .await;
    (office, shelter)
}

async fn ids(app: &TestApp, path: &str, who: Who) -> Vec<String> {
    let body = json(app.get(path, who).await, StatusCode::OK).await;
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}

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
        assert_eq!(got["phone"], "046-999-0001");
        assert_eq!(got["locations"][0]["street"], SHELTER_STREET);
        assert_eq!(got["locations"][0]["latitude"], SHELTER_LAT);
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
    // Staff find both by position, nearest first.
    let staff = json(
        app.get(
            &format!("/v1/resources?near={SHELTER_LAT},{SHELTER_LNG}&radius_km=1"),
            Who::Department,
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
async fn japanese_search_finds_two_character_words_kana_and_width_variants() {
    let app = TestApp::spawn().await;
    create(
        &app,
        &entry(
            &app,
            "ワークサポートざま",
            json!({"name_kana": "ワークサポートザマ",
        "description": "若者の就労支援と職場体験", "forms": ["employment_support"]}),
        ),
    )
    .await;
    create(
        &app,
        &entry(
            &app,
            "ＤＶ被害者支援の会",
            json!({"name_kana": "でぃーぶいひがいしゃしえんのかい",
        "legal_form": "voluntary_group", "topics": ["dv"]}),
        ),
    )
    .await;
    create(
        &app,
        &entry(
            &app,
            "えびな居場所カフェ",
            json!({"municipality_id": app.fixtures.ebina,
        "description": "100%手作りの食事_誰でも歓迎", "forms": ["place_to_belong"]}),
        ),
    )
    .await;
    let search = async |q: &str| {
        let path = format!("/v1/resources?q={}", urlencode(q));
        ids(&app, &path, Who::Anonymous).await
    };
    assert_eq!(search("就労").await, vec!["ワークサポートざま"]);
    assert_eq!(search("DV").await, vec!["ＤＶ被害者支援の会"]);
    assert_eq!(search("dv").await, vec!["ＤＶ被害者支援の会"]);
    // Katakana query, hiragana kana and vice versa; half-width katakana.
    assert_eq!(search("ヒガイシャ").await, vec!["ＤＶ被害者支援の会"]);
    assert_eq!(search("さぽーと").await, vec!["ワークサポートざま"]);
    assert_eq!(search("ｻﾎﾟｰﾄ").await, vec!["ワークサポートざま"]);
    // Several words: all must occur.
    assert_eq!(search("支援 就労").await, vec!["ワークサポートざま"]);
    assert!(search("就労 ＤＶ").await.is_empty());
    // One character, and SQL/LIKE metacharacters, mean themselves.
    assert_eq!(search("食").await, vec!["えびな居場所カフェ"]);
    assert_eq!(search("100%").await, vec!["えびな居場所カフェ"]);
    assert_eq!(search("_誰").await, vec!["えびな居場所カフェ"]);
    assert!(search("%").await.len() == 1);
    assert!(search("' OR 1=1 --").await.is_empty());
    assert!(search("\\").await.is_empty());
    // Relevance: a name match before a description match.
    create(
        &app,
        &entry(&app, "支援センターざま", json!({"description": "相談"})),
    )
    .await;
    assert_eq!(
        search("支援").await,
        vec![
            "支援センターざま",
            "ＤＶ被害者支援の会",
            "ワークサポートざま"
        ]
    );
}

pub fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_combine_and_topics_include_descendants() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    create(
        &app,
        &entry(
            &app,
            "ひとり親の会",
            json!({"topics": ["single_parent"], "forms": ["consultation"],
        "serves_municipality_ids": [f.zama, f.ebina], "participation_intent": "yes",
        "locations": [{"latitude": 35.4886, "longitude": 139.4075}]}),
        ),
    )
    .await;
    create(&app, &entry(&app, "高齢者サロン", json!({"topics": ["elderly"], "forms": ["place_to_belong"],
        "participation_intent": "maybe", "locations": [{"latitude": 35.4500, "longitude": 139.3900}]}))).await;
    create(
        &app,
        &entry(
            &app,
            "海老名ひきこもり相談",
            json!({"topics": ["hikikomori"], "forms": ["consultation"],
        "municipality_id": f.ebina, "participation_intent": "yes",
        "locations": [{"latitude": 35.4464, "longitude": 139.3908}]}),
        ),
    )
    .await;
    let get =
        async |query: &str| ids(&app, &format!("/v1/resources?{query}"), Who::Anonymous).await;
    assert_eq!(
        get("topic=family").await,
        vec!["ひとり親の会", "海老名ひきこもり相談"]
    );
    assert_eq!(get("topic=hikikomori").await, vec!["海老名ひきこもり相談"]);
    assert_eq!(
        get("form=consultation&intent=yes").await,
        vec!["ひとり親の会", "海老名ひきこもり相談"]
    );
    assert_eq!(
        get(&format!("serves={}", f.ebina)).await,
        vec!["ひとり親の会", "海老名ひきこもり相談"]
    );
    assert_eq!(
        get(&format!("serves={}&topic=family&q=相談", f.ebina)).await,
        vec!["海老名ひきこもり相談"]
    );
    assert_eq!(get("intent=maybe").await, vec!["高齢者サロン"]);
    // Nearest first from Ebina station; the radius cuts.
    assert_eq!(
        get("near=35.4464,139.3908&radius_km=10").await,
        vec!["海老名ひきこもり相談", "高齢者サロン", "ひとり親の会"]
    );
    assert_eq!(
        get("near=35.4464,139.3908&radius_km=1").await,
        vec!["海老名ひきこもり相談", "高齢者サロン"]
    );
    // With a topic, the entries are narrowed first and their distance looked up after.
    assert_eq!(
        get("near=35.4464,139.3908&radius_km=10&topic=family").await,
        vec!["海老名ひきこもり相談", "ひとり親の会"]
    );
    assert_eq!(
        get("near=35.4464,139.3908&radius_km=1&topic=family").await,
        vec!["海老名ひきこもり相談"]
    );
    // Cursor pagination walks the same order.
    let first = json(
        app.get(
            "/v1/resources?near=35.4464,139.3908&radius_km=10&limit=2",
            Who::Anonymous,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = json(
        app.get(
            &format!("/v1/resources?near=35.4464,139.3908&radius_km=10&limit=2&cursor={cursor}"),
            Who::Anonymous,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(second["items"][0]["name"], "ひとり親の会");
    assert!(second["next_cursor"].is_null());
    // Invalid parameters are 422.
    for bad in [
        "topic=nope",
        "near=abc",
        "near=91,0",
        "radius_km=3",
        "near=35,139&radius_km=100",
        "sort=distance",
        "limit=0",
        "cursor=xyz",
        "intent=perhaps",
    ] {
        problem(
            app.get(&format!("/v1/resources?{bad}"), Who::Anonymous)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // Figures: the topic hierarchy counts descendants in `total`.
    let stats = json(
        app.get("/v1/resources/stats", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stats["total"], 3);
    let family = stats["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .find(|t| t["code"] == "family")
        .expect("family");
    assert_eq!(
        (family["count"].as_i64(), family["total"].as_i64()),
        (Some(0), Some(2))
    );
    let forms = &stats["forms"];
    assert_eq!(forms[0], json!({"key": "consultation", "count": 2}));
    assert_eq!(
        stats["participation_intents"][0],
        json!({"key": "yes", "count": 2})
    );
    let served = stats["served_municipalities"].as_array().expect("served");
    assert!(served.contains(&json!({"key": f.ebina.to_string(), "count": 2})));
    // The map of one city.
    let map = json(
        app.get(
            &format!("/v1/resources/map?municipality_id={}", f.ebina),
            Who::Anonymous,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(map["type"], "FeatureCollection");
    assert_eq!(
        map["features"][0]["geometry"],
        json!({"type": "Point", "coordinates": [139.3908, 35.4464]})
    );
    assert_eq!(map["features"].as_array().expect("features").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_are_the_desks_audited_versioned_and_in_the_change_feed() {
    let app = TestApp::spawn().await;
    let body = entry(
        &app,
        "ざま傾聴ボランティア",
        json!({"forms": ["volunteer_roles"], "phone": "046-111-2222"}),
    );
    problem(
        app.post("/v1/resources", Who::Anonymous, &body).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for who in [Who::Department, Who::Partner, Who::Analyst, Who::Admin] {
        problem(
            app.post("/v1/resources", who, &body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let created = create(&app, &body).await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/v1/resources/{id}");
    // If-Match is required and must be current.
    let change = json!({"participation_intent": "yes", "hidden_fields": ["phone"], "last_verified_at": "2026-11-01T00:00:00Z"});
    let no_etag = app
        .request(Method::PATCH, &path, Who::Desk)
        .json(&change)
        .send()
        .await
        .expect("patch");
    problem(no_etag, StatusCode::PRECONDITION_REQUIRED).await;
    problem(
        app.patch(&path, Who::Desk, "\"7\"", &change).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    problem(
        app.patch(&path, Who::Department, "\"1\"", &change).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let updated = json(
        app.patch(&path, Who::Desk, "\"1\"", &change).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["participation_intent"], "yes");
    assert_eq!(
        updated["last_verified_by"],
        app.fixtures.account(Who::Desk).id.to_string()
    );
    problem(
        app.patch(&path, Who::Desk, "\"1\"", &change).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let public = json(app.get(&path, Who::Anonymous).await, StatusCode::OK).await;
    assert!(public["phone"].is_null());
    // Audit: creation and the change, with before/after.
    let audit = json(
        app.get(
            &format!("/v1/audit?target_type=resource&target_id={id}"),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, vec!["resource.update", "resource.create"]);
    assert_eq!(
        audit["items"][0]["changes"]["participation_intent"],
        json!({"before": "unknown", "after": "yes"})
    );
    // The change feed: staff see both events, partners none of them.
    for who in [Who::Desk, Who::Department, Who::OtherDepartment] {
        let feed = json(app.get("/v1/events", who).await, StatusCode::OK).await;
        let kinds: Vec<(&str, &str)> = feed["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| !e["resource_id"].is_null())
            .map(|e| {
                (
                    e["kind"].as_str().expect("kind"),
                    e["resource_id"].as_str().expect("id"),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            vec![("resource_created", id), ("resource_updated", id)],
            "{who:?}"
        );
    }
    let feed = json(app.get("/v1/events", Who::Partner).await, StatusCode::OK).await;
    assert!(feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|e| e["resource_id"].is_null()));
    // Taxonomy terms: the desk adds, everybody reads, filters include the new child.
    let term = json!({"vocabulary": "topic", "code": "school_refusal", "parent_code": "children", "label_ja": "不登校", "label_en": "School refusal"});
    problem(
        app.post("/v1/taxonomy-terms", Who::Department, &term).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let added = json(
        app.post("/v1/taxonomy-terms", Who::Desk, &term).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(added["parent_code"], "children");
    problem(
        app.post("/v1/taxonomy-terms", Who::Desk, &term).await,
        StatusCode::CONFLICT,
    )
    .await;
    let change = json!({"topics": ["school_refusal"]});
    json(
        app.patch(&path, Who::Desk, "\"2\"", &change).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        ids(&app, "/v1/resources?topic=children", Who::Anonymous).await,
        vec!["ざま傾聴ボランティア"]
    );
    let terms = json(
        app.get("/v1/taxonomy-terms?vocabulary=topic", Who::Anonymous)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(terms["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|t| t["code"] == "dv" && t["parent_code"] == "family"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_entries_are_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let malformed = app
        .request(Method::POST, "/v1/resources", Who::Desk)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("post");
    problem(malformed, StatusCode::BAD_REQUEST).await;
    let unknown_field = entry(&app, "x", json!({"secret": 1}));
    problem(
        app.post("/v1/resources", Who::Desk, &unknown_field).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let wrong_type = entry(&app, "x", json!({"topics": "dv"}));
    problem(
        app.post("/v1/resources", Who::Desk, &wrong_type).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let bad = entry(
        &app,
        " ",
        json!({
            "topics": ["dv", "nope"], "forms": ["dv"], "phone": "call me", "email": "not-an-email",
            "languages": ["japanese"], "locations": [{"latitude": 95.0, "longitude": 139.0}, {"latitude": 35.0}],
            "serves_municipality_ids": ["01900000-0000-7000-8000-000000000000"],
            "introduced_ids": ["01900000-0000-7000-8000-000000000001"],
        }),
    );
    let refused = problem(
        app.post("/v1/resources", Who::Desk, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    for field in [
        "name",
        "topics",
        "forms",
        "phone",
        "email",
        "languages[0]",
        "locations[0].latitude",
        "locations[1].latitude",
        "serves_municipality_ids[0]",
        "introduced_ids",
    ] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
    // Japanese text and SQL metacharacters are stored as they are.
    let odd = create(
        &app,
        &entry(
            &app,
            "ロバート'); DROP TABLE resources;--",
            json!({"description": "100%_\\"}),
        ),
    )
    .await;
    let got = json(
        app.get(
            &format!("/v1/resources/{}", odd["id"].as_str().expect("id")),
            Who::Anonymous,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(got["name"], "ロバート'); DROP TABLE resources;--");
    assert_eq!(got["description"], "100%_\\");
    // A self-referral is refused; an unknown id is 404 for everybody.
    let id = odd["id"].as_str().expect("id");
    let change = json!({"introduced_ids": [id]});
    problem(
        app.patch(&format!("/v1/resources/{id}"), Who::Desk, "\"1\"", &change)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        app.get(
            "/v1/resources/01900000-0000-7000-8000-000000000000",
            Who::Desk,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/v1/resources/not-a-uuid", Who::Anonymous).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

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

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_directory_loads_once_and_keeps_its_shelter_inside() {
    let app = TestApp::builder().demo_directory().spawn().await;
    // A second load changes nothing.
    app.load_demo_directory().await;
    let staff = json(
        app.get("/v1/resources?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(staff["items"].as_array().map(Vec::len), Some(7));
    let public = app
        .get("/v1/resources/export?format=hsds", Who::Anonymous)
        .await
        .text()
        .await
        .expect("body");
    assert!(!public.contains("かながわ女性の家") && !public.contains("35.479"));
    let map = json(
        app.get("/v1/resources/map", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(map["features"].as_array().map(Vec::len), Some(6));
    let stats = json(
        app.get("/v1/resources/stats", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stats["total"], 6);
    // Seed 002's survey: 157 distributed, 63 answered.
    let surveys = json(app.get("/v1/surveys", Who::Desk).await, StatusCode::OK).await;
    let survey_id = surveys["items"][0]["id"]
        .as_str()
        .expect("a survey")
        .to_owned();
    assert_eq!(surveys["items"].as_array().map(Vec::len), Some(1));
    let report = json(
        app.get(&format!("/v1/surveys/{survey_id}"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (report["distributed"].clone(), report["answered"].clone()),
        (json!(157), json!(63))
    );
    let channels: i64 = report["by_channel"]
        .as_array()
        .expect("channels")
        .iter()
        .map(|c| c["answered"].as_i64().expect("answered"))
        .sum();
    assert_eq!(channels, 63);
    assert_eq!(report["by_municipality"].as_array().map(Vec::len), Some(4));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_map_shows_a_point_without_the_label_of_a_hidden_address() {
    let app = TestApp::spawn().await;
    let created = create(
        &app,
        &entry(&app, "こども食堂ひだまり", json!({
            "legal_form": "childrens_cafeteria", "topics": ["child_rearing"],
            "locations": [{"label": "ひだまり荘 1階", "street": "相模が丘1-2-3", "latitude": 35.4901, "longitude": 139.4102}],
            "hidden_fields": ["address"],
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
    assert_eq!(point["geometry"]["coordinates"], json!([139.4102, 35.4901]));
    assert!(point["properties"]["label"].is_null(), "{point}");
    assert!(!public.to_string().contains("ひだまり荘"));
    let staff = json(
        app.get("/v1/resources/map", Who::Department).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(feature(&staff)["properties"]["label"], "ひだまり荘 1階");
}

/// A position `distance_m` from (`lat`, `lng`) on the bearing `bearing` (radians).
fn destination(lat: f64, lng: f64, distance_m: f64, bearing: f64) -> (f64, f64) {
    let d = distance_m / 6_371_009.0;
    let (phi, lambda) = (lat.to_radians(), lng.to_radians());
    let phi2 = (phi.sin() * d.cos() + phi.cos() * d.sin() * bearing.cos()).asin();
    let lambda2 =
        lambda + (bearing.sin() * d.sin() * phi.cos()).atan2(d.cos() - phi.sin() * phi2.sin());
    (phi2.to_degrees(), lambda2.to_degrees())
}

#[actix_web::test]
async fn the_cells_a_radius_search_asks_for_hold_every_position_inside_the_circle() {
    use diesel::sql_types::{Array, Bool, Double, Text};
    use diesel_async::RunQueryDsl;
    use living_gate_db::resource_search::Near;

    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = Bool)]
        found: bool,
    }
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let mut checked = 0;
    // Centres on cell corners and edges too (35.49 and 139.40 are corners of every level).
    for (lat, lng) in [
        (35.4887, 139.4077),
        (35.49, 139.40),
        (35.5, 139.4581),
        (35.4464, 139.0),
    ] {
        for radius_m in [
            100.0, 450.0, 1_000.0, 2_000.0, 3_000.0, 5_000.0, 20_000.0, 50_000.0,
        ] {
            let near = Near {
                latitude: lat,
                longitude: lng,
                radius_m,
            };
            let cells = near.cell_tokens();
            assert!(
                (1..=64).contains(&cells.len()),
                "{radius_m} m: {} cells",
                cells.len()
            );
            for step in 0..16 {
                let bearing = f64::from(step) * std::f64::consts::PI / 8.0;
                for fraction in [0.0, 0.5, 0.999] {
                    let (plat, plng) = destination(lat, lng, radius_m * fraction, bearing);
                    let row: Found =
                        diesel::sql_query("SELECT living_gate_grid_cells($1, $2) && $3 AS found")
                            .bind::<Double, _>(plat)
                            .bind::<Double, _>(plng)
                            .bind::<Array<Text>, _>(&cells)
                            .get_result(&mut conn)
                            .await
                            .expect("cells");
                    assert!(
                        row.found,
                        "({plat}, {plng}) is {radius_m} × {fraction} m from ({lat}, {lng})"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 4 * 8 * 16 * 3);
}

#[actix_web::test]
async fn searches_follow_changes_of_position_visibility_topics_and_text() {
    let app = TestApp::spawn().await;
    let created = create(
        &app,
        &entry(
            &app,
            "みどりの食堂",
            json!({
        "topics": ["child_rearing"], "forms": ["food_support"], "description": "子ども食堂",
        "locations": [{"latitude": 35.4887, "longitude": 139.4077}]}),
        ),
    )
    .await;
    let path = format!("/v1/resources/{}", created["id"].as_str().expect("id"));
    let near_station = "near=35.4887,139.4077&radius_km=0.5";
    let near_ebina = "near=35.4464,139.3908&radius_km=0.5";
    let found = async |query: &str, who: Who| {
        !ids(&app, &format!("/v1/resources?{query}"), who)
            .await
            .is_empty()
    };
    assert!(found(near_station, Who::Anonymous).await);
    assert!(
        found("q=食&topic=family", Who::Anonymous).await,
        "one character, a topic's ancestor"
    );
    assert!(!found(near_ebina, Who::Desk).await);

    // Hiding the position takes it out of the public's radius searches only.
    json(
        app.patch(
            &path,
            Who::Desk,
            "\"1\"",
            &json!({"hidden_fields": ["position"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(!found(near_station, Who::Anonymous).await);
    assert!(found(near_station, Who::Desk).await);
    assert!(
        found("q=食", Who::Anonymous).await,
        "still listed without near"
    );

    // Moving it moves it for every search; new topics and text count at once.
    json(
        app.patch(
            &path,
            Who::Desk,
            "\"2\"",
            &json!({
        "hidden_fields": [], "locations": [{"latitude": 35.4464, "longitude": 139.3908}],
        "topics": ["elderly"], "description": "配食サービス"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(!found(near_station, Who::Desk).await);
    assert!(found(near_ebina, Who::Anonymous).await);
    assert!(!found("topic=family", Who::Anonymous).await);
    assert!(found("topic=elderly&q=配食", Who::Anonymous).await);
    assert!(!found("q=子ども", Who::Anonymous).await);

    // Staff-only: gone for the public, with and without near.
    json(
        app.patch(
            &path,
            Who::Desk,
            "\"3\"",
            &json!({"visibility": "staff_only"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(!found(near_ebina, Who::Anonymous).await);
    assert!(!found("q=配食", Who::Anonymous).await);
    assert!(found(near_ebina, Who::Department).await);
}

#[actix_web::test]
async fn pages_by_distance_are_the_nearest_in_order_inside_and_outside_half_the_radius() {
    let app = TestApp::spawn().await;
    let (lat, lng) = (35.4887, 139.4077);
    // Half the radius (1 km) holds four entries, the full circle six; one is outside.
    for metres in [1_900.0, 100.0, 900.0, 2_100.0, 300.0, 1_400.0, 600.0] {
        let (plat, plng) = destination(lat, lng, metres, 1.0);
        create(
            &app,
            &entry(
                &app,
                &format!("{metres} m"),
                json!({
            "locations": [{"latitude": plat, "longitude": plng}]}),
            ),
        )
        .await;
    }
    let mut names = Vec::new();
    let mut pages = 0;
    let mut path = format!("/v1/resources?near={lat},{lng}&radius_km=2&limit=2");
    loop {
        let body = json(app.get(&path, Who::Anonymous).await, StatusCode::OK).await;
        let items = body["items"].as_array().expect("items");
        let distances: Vec<f64> = items
            .iter()
            .map(|i| i["distance_m"].as_f64().expect("distance"))
            .collect();
        assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
        names.extend(
            items
                .iter()
                .map(|i| i["name"].as_str().expect("name").to_owned()),
        );
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/v1/resources?near={lat},{lng}&radius_km=2&limit=2&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(
        names,
        ["100 m", "300 m", "600 m", "900 m", "1400 m", "1900 m"]
    );
    assert_eq!(pages, 3);
}
