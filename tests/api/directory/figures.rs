//! The figures kept ahead (`resource_figures`, counted by the entries'
//! writes) stay equal to a recount from the entries themselves, for the
//! public and for staff, for every city and for all of them, through every
//! kind of write: create, edit (topics, forms, visibility, publish consent),
//! import, deletion.

use super::{cities, create, entry};
use crate::harness::{json, TestApp, Who};
use diesel::sql_types::BigInt;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use living_gate_db::directory::resource_search::{kept_stats, recount_stats, Count, SearchFilter};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(QueryableByName)]
struct Differences {
    #[diesel(sql_type = BigInt)]
    differences: i64,
}

fn sorted(counts: Vec<Count>) -> Vec<(String, String, i64)> {
    let mut list: Vec<_> = counts
        .into_iter()
        .filter(|c| c.count > 0)
        .map(|c| (c.dimension, c.key, c.count))
        .collect();
    list.sort();
    list
}

/// The kept counts equal the figures' recount (the query they replace), and
/// the table equals a recount of its rows from the entries.
async fn assert_kept_equal_recount(app: &TestApp, step: &str) {
    let mut conn = app.conn().await;
    let f = &app.fixtures;
    for staff in [false, true] {
        for city in [None, Some(f.zama), Some(f.ayase), Some(f.ebina)] {
            let filter = SearchFilter {
                staff,
                municipality_id: city,
                ..SearchFilter::default()
            };
            let kept = sorted(kept_stats(&mut conn, &filter).await.expect("kept"));
            let recounted = sorted(recount_stats(&mut conn, &filter).await.expect("recount"));
            assert_eq!(kept, recounted, "{step}: staff {staff}, city {city:?}");
        }
    }
    let differences: Differences = diesel::sql_query(
        "WITH recount AS (
           SELECT r.municipality_id, r.visibility = 'public' AS public, k.dimension, k.key, count(*) AS entries
           FROM resources r,
                living_gate_resource_figure_keys(r.municipality_id, r.legal_form, r.participation_intent, r.topics,
                                                 r.forms, r.serves_municipality_ids, r.search_tokens) k
           GROUP BY 1, 2, 3, 4),
         kept AS (SELECT municipality_id, public, dimension, key, entries FROM resource_figures WHERE entries <> 0)
         SELECT count(*) AS differences FROM (
           (SELECT * FROM recount EXCEPT SELECT * FROM kept) UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM recount)) d",
    )
    .get_result(&mut conn)
    .await
    .expect("differences");
    assert_eq!(differences.differences, 0, "{step}");
}

async fn patch(app: &TestApp, id: &str, body: Value) -> Value {
    let path = format!("/v1/resources/{id}");
    let etag = app.etag(&path, Who::Desk).await;
    json(
        app.patch(&path, Who::Desk, &etag, &body).await,
        StatusCode::OK,
    )
    .await
}

async fn import(app: &TestApp, csv: &str) {
    let response = app
        .request(Method::POST, "/v1/resources/import", Who::Desk)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("import");
    json(response, StatusCode::OK).await;
}

const HEADER: &str = "外部キー,名称,ふりがな,法人格,所在市,対象地域,テーマ,活動形態,活動内容,郵便番号,都道府県,市区町村,町名番地,緯度,経度,電話番号,メールアドレス,担当者,対応言語,参画意向,公開,非公開項目";

#[tokio::test(flavor = "multi_thread")]
async fn the_figures_kept_ahead_equal_a_recount_through_every_kind_of_write() {
    let app = TestApp::spawn().await;
    let f = app.fixtures.clone();
    assert_kept_equal_recount(&app, "empty").await;
    let office = create(
        &app,
        &entry(
            &app,
            "ざま相談室",
            json!({
            "topics": ["dv", "elderly"], "forms": ["consultation"], "participation_intent": "yes",
            "serves_municipality_ids": [f.zama, f.ebina]}),
        ),
    )
    .await;
    let shelter = create(
        &app,
        &entry(
            &app,
            "ざまシェルター",
            json!({
            "topics": ["hikikomori"], "forms": ["safe_place"], "visibility": "staff_only"}),
        ),
    )
    .await;
    let ebina = create(
        &app,
        &entry(&app, "えびな食堂", json!({
            "municipality_id": f.ebina, "legal_form": "childrens_cafeteria",
            "topics": ["child_rearing", "single_parent"], "forms": ["food_support", "place_to_belong"]})),
    )
    .await;
    assert_kept_equal_recount(&app, "created").await;
    let office_id = office["id"].as_str().expect("id");
    patch(
        &app,
        office_id,
        json!({"topics": ["single_parent", "dv"], "forms": ["outreach", "food_support"]}),
    )
    .await;
    assert_kept_equal_recount(&app, "topics and forms edited").await;
    patch(
        &app,
        shelter["id"].as_str().expect("id"),
        json!({"visibility": "public"}),
    )
    .await;
    assert_kept_equal_recount(&app, "made public").await;
    patch(
        &app,
        office_id,
        json!({"legal_form": "public_agency", "participation_intent": "maybe",
                                  "serves_municipality_ids": [f.zama]}),
    )
    .await;
    assert_kept_equal_recount(&app, "legal form, intent and served cities edited").await;
    // Publish consent withdrawn: out of the public figures, in the staff's.
    let zama_total = async |who: Who| {
        let path = format!("/v1/resources/stats?municipality_id={}", f.zama);
        json(app.get(&path, who).await, StatusCode::OK).await["total"].as_i64()
    };
    assert_eq!(
        (
            zama_total(Who::Anonymous).await,
            zama_total(Who::Desk).await
        ),
        (Some(2), Some(2))
    );
    patch(&app, office_id, json!({"publish_consent": "withdrawn"})).await;
    assert_kept_equal_recount(&app, "consent withdrawn").await;
    assert_eq!(
        (
            zama_total(Who::Anonymous).await,
            zama_total(Who::Desk).await
        ),
        (Some(1), Some(2))
    );
    patch(&app, office_id, json!({"publish_consent": "listed"})).await;
    assert_kept_equal_recount(&app, "consent given again").await;
    // Another city's desk edits its own entry.
    let ebina_desk = cities::desk_of(&app, f.ebina).await;
    let ebina_path = format!("/v1/resources/{}", ebina["id"].as_str().expect("id"));
    let etag = app.etag(&ebina_path, Who::Desk).await;
    let response = ebina_desk
        .patch(
            &app,
            &ebina_path,
            &etag,
            &json!({"topics": ["children"], "visibility": "staff_only"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_kept_equal_recount(&app, "another city's entry edited").await;
    // An import creates entries, then changes them (same keys).
    let rows = |topics: &str, public: &str| {
        [
            HEADER.to_owned(),
            format!("fig-001,ざま子ども食堂,,こども食堂,座間市,座間市;海老名市,{topics},食の支援,毎月,252-0021,神奈川県,座間市,緑ケ丘1番,35.4886,139.4075,,,,ja,あり,{public},"),
            "fig-002,ざま見守りネット,,社会福祉法人,座間市,大和市,高齢,アウトリーチ,見守り,,,,,,,,,,ja,なし,公開,".to_owned(),
            format!("fig-003,ざま傾聴の会,,NPO法人,座間市,全域,{topics},相談窓口,傾聴,,,,,,,,,,ja,検討中,{public},"),
        ]
        .join("\r\n")
            + "\r\n"
    };
    import(&app, &rows("子育て;孤独・孤立", "公開")).await;
    assert_kept_equal_recount(&app, "imported").await;
    import(&app, &rows("ひきこもり", "非公開")).await;
    assert_kept_equal_recount(&app, "imported again, changed").await;
    // Deleted (no endpoint deletes an entry: the owner does, e.g. a purge).
    let mut owner = app.owner_conn().await;
    let id: Uuid = shelter["id"].as_str().expect("id").parse().expect("uuid");
    for statement in [
        "DELETE FROM proposal_events WHERE resource_id = $1",
        "DELETE FROM resources WHERE id = $1",
    ] {
        diesel::sql_query(statement)
            .bind::<diesel::sql_types::Uuid, _>(id)
            .execute(&mut owner)
            .await
            .expect("delete");
    }
    assert_kept_equal_recount(&app, "deleted").await;
}
