//! Text search (Japanese words, kana and width variants, metacharacters),
//! filters with the topic hierarchy, the figures and map they narrow, and
//! searches that follow every change of an entry.

use super::{create, entry, ids};
use crate::harness::{json, problem, TestApp, Who};
use reqwest::StatusCode;
use serde_json::json;

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

fn urlencode(raw: &str) -> String {
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

/// The relevance order is read a tier at a time (name starts with the
/// first word, name contains it, the rest), each tier in creation order:
/// pages walk exactly the order of sorting every match by (tier, id).
#[tokio::test(flavor = "multi_thread")]
async fn relevance_reads_a_tier_at_a_time_in_the_order_of_a_full_sort() {
    let app = TestApp::spawn().await;
    // Created against the order of the tiers: ids alone would order them backwards.
    for (name, extra) in [
        ("女性の相談室", json!({"description": "DV・虐待の相談"})),
        ("ざま女性DV窓口", json!({})),
        ("かながわDV相談", json!({})),
        ("ＤＶ被害者支援の会", json!({})),
        ("dvシェルター", json!({"visibility": "staff_only"})),
        (
            "DV相談ホットライン",
            json!({"name_kana": "でぃーぶいそうだん"}),
        ),
        ("居場所カフェ", json!({"description": "誰でも歓迎"})),
    ] {
        create(&app, &entry(&app, name, extra)).await;
    }
    let public = vec![
        "ＤＶ被害者支援の会",
        "DV相談ホットライン",
        "ざま女性DV窓口",
        "かながわDV相談",
        "女性の相談室",
    ];
    assert_eq!(
        ids(&app, "/v1/resources?q=DV", Who::Anonymous).await,
        public
    );
    let mut staff = public.clone();
    staff.insert(1, "dvシェルター");
    assert_eq!(ids(&app, "/v1/resources?q=dv", Who::Desk).await, staff);
    // One at a time, the cursor crossing from tier to tier.
    for who in [Who::Anonymous, Who::Desk] {
        let mut walked = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                None => "/v1/resources?q=DV&limit=1".to_owned(),
                Some(c) => format!("/v1/resources?q=DV&limit=1&cursor={c}"),
            };
            let page = json(app.get(&path, who).await, StatusCode::OK).await;
            walked.extend(
                page["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|i| i["name"].as_str().expect("name").to_owned()),
            );
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(walked.len() <= 10, "{walked:?}");
        }
        let expected = if who == Who::Desk { &staff } else { &public };
        assert_eq!(&walked, expected);
    }
    // A page of two ends inside a tier and the next one continues it.
    let first = json(
        app.get("/v1/resources?q=DV&limit=2", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    let cursor = first["next_cursor"].as_str().expect("cursor");
    assert_eq!(
        ids(
            &app,
            &format!("/v1/resources?q=DV&limit=3&cursor={cursor}"),
            Who::Anonymous
        )
        .await,
        public[2..].to_vec()
    );
    // With a second word, the tiers are those of the first.
    assert_eq!(
        ids(&app, "/v1/resources?q=DV%20相談", Who::Anonymous).await,
        vec!["DV相談ホットライン", "かながわDV相談", "女性の相談室"]
    );
}
