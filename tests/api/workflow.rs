//! The desk workflow, part 1: from receipt through hearings to matching,
//! what each role sees on the way, illegal moves, concurrency, the feed.

use crate::harness::{json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::fiscal::fiscal_year;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

fn statuses(timeline: &Value) -> Vec<String> {
    timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_case_goes_from_receipt_through_hearings_to_matching() {
    let app = TestApp::spawn().await;
    let f = app.fixtures.clone();
    let created = app
        .case()
        .title("空き店舗を活用した多世代の居場所づくり")
        .create()
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let fy = fiscal_year(chrono::Utc::now());
    assert_eq!(created["reference"], format!("ZLG-{fy}-0001"));
    assert_eq!(created["status"], "received");
    assert_eq!(created["organization_id"], f.partner_org.to_string());
    assert_eq!(
        created["contact_user_id"],
        f.account(Who::Partner).id.to_string()
    );
    assert_eq!(created["sdg_goals"], json!([3, 11]));
    assert_eq!(created["coordination_started_at"], Value::Null);

    // Nobody outside the case can see it, not even that it exists.
    for who in [Who::OtherPartner, Who::Department, Who::OtherDepartment] {
        problem(
            app.get(&format!("/v1/proposals/{id}"), who).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }

    // Step 2: the desk organises the content.
    let organizing = app
        .transition(
            &id,
            Who::Desk,
            json!({"to": "organizing", "note_for_proposer": "内容を確認しています"}),
        )
        .await;
    assert_eq!(
        json(organizing, StatusCode::OK).await["status"],
        "organizing"
    );
    let etag_now = app.etag(&format!("/v1/proposals/{id}"), Who::Desk).await;
    let organised = app
        .patch(
            &format!("/v1/proposals/{id}"),
            Who::Desk,
            &etag_now,
            &json!({"themes": ["community_support", "local_strengths"]}),
        )
        .await;
    assert_eq!(
        json(organised, StatusCode::OK).await["themes"],
        json!(["community_support", "local_strengths"])
    );

    // The desk asks the proposer a question, and notes something internal.
    let shared = app
        .post(
            &format!("/v1/proposals/{id}/messages"),
            Who::Desk,
            &json!({"visibility": "shared", "body": "想定利用者数を教えてください"}),
        )
        .await;
    json(shared, StatusCode::CREATED).await;
    let internal = app
        .post(
            &format!("/v1/proposals/{id}/messages"),
            Who::Desk,
            &json!({"visibility": "internal", "body": "地域福祉課のサロン事業と重なる"}),
        )
        .await;
    json(internal, StatusCode::CREATED).await;
    let answer = app
        .post(
            &format!("/v1/proposals/{id}/messages"),
            Who::Partner,
            &json!({"visibility": "shared", "body": "月2回、各30名程度です"}),
        )
        .await;
    json(answer, StatusCode::CREATED).await;
    let partner_internal = app
        .post(
            &format!("/v1/proposals/{id}/messages"),
            Who::Partner,
            &json!({"visibility": "internal", "body": "x"}),
        )
        .await;
    problem(partner_internal, StatusCode::FORBIDDEN).await;

    // Step 3: hearings with two departments; the first request starts internal coordination.
    for department in [f.shimin_kyodo, f.chiiki_fukushi] {
        let hearing = app
            .post(&format!("/v1/proposals/{id}/hearings"), Who::Desk, &json!({"department_id": department, "proposed_dates": ["2026-12-01"], "agenda": "既存事業との重なり"}))
            .await;
        json(hearing, StatusCode::CREATED).await;
    }
    let case = json(
        app.get(&format!("/v1/proposals/{id}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    let coordination = case["coordination_started_at"]
        .as_str()
        .expect("coordination started")
        .to_owned();
    let hearing_step = app
        .transition(
            &id,
            Who::Desk,
            json!({"to": "hearing", "reason": "関係課2課にヒアリング"}),
        )
        .await;
    let hearing_step = json(hearing_step, StatusCode::OK).await;
    assert_eq!(
        hearing_step["coordination_started_at"],
        coordination.as_str(),
        "the first hearing request counts, not the later move"
    );
    assert!(hearing_step["step_entered_at"]["hearing"].is_string());

    // Each department sees the case and only its own hearing, and answers it.
    let hearings = json(
        app.get(&format!("/v1/proposals/{id}/hearings"), Who::Department)
            .await,
        StatusCode::OK,
    )
    .await;
    let own = hearings.as_array().expect("hearings");
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["department_id"], f.shimin_kyodo.to_string());
    let hearing_id = own[0]["id"].as_str().expect("id");
    let desk_answering = app
        .patch(
            &format!("/v1/hearings/{hearing_id}"),
            Who::Desk,
            "*",
            &json!({"interest": "interested"}),
        )
        .await;
    problem(desk_answering, StatusCode::FORBIDDEN).await;
    let other_answering = app
        .patch(
            &format!("/v1/hearings/{hearing_id}"),
            Who::OtherDepartment,
            "*",
            &json!({"interest": "interested"}),
        )
        .await;
    problem(other_answering, StatusCode::NOT_FOUND).await;
    let answered = app
        .patch(&format!("/v1/hearings/{hearing_id}"), Who::Department, "\"1\"", &json!({"held_on": "2026-12-01", "participants": ["市民協働課 主査"], "interest": "interested", "notes": "サロン事業と連携できる"}))
        .await;
    let answered = json(answered, StatusCode::OK).await;
    assert_eq!(
        (answered["status"].as_str(), answered["interest"].as_str()),
        (Some("answered"), Some("interested"))
    );
    assert_eq!(
        json(
            app.get(&format!("/v1/proposals/{id}/hearings"), Who::Desk)
                .await,
            StatusCode::OK
        )
        .await
        .as_array()
        .map(Vec::len),
        Some(2)
    );
    problem(
        app.get(&format!("/v1/proposals/{id}/hearings"), Who::Partner)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Step 4.
    let matching = app
        .transition(
            &id,
            Who::Desk,
            json!({"to": "matching", "note_for_proposer": "担当課と調整しています"}),
        )
        .await;
    assert_eq!(json(matching, StatusCode::OK).await["status"], "matching");

    // What each role sees of the timeline.
    let desk = json(
        app.get(&format!("/v1/proposals/{id}/events"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        statuses(&desk),
        vec![
            "created",
            "status_changed",
            "proposal_updated",
            "message_posted",
            "message_posted",
            "message_posted",
            "hearing_requested",
            "hearing_requested",
            "status_changed",
            "hearing_answered",
            "status_changed"
        ]
    );
    assert_eq!(desk["items"][8]["reason"], "関係課2課にヒアリング");
    let partner = json(
        app.get(&format!("/v1/proposals/{id}/events"), Who::Partner)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        statuses(&partner),
        vec![
            "created",
            "status_changed",
            "proposal_updated",
            "message_posted",
            "message_posted",
            "status_changed",
            "status_changed"
        ]
    );
    let partner_text = partner.to_string();
    assert!(
        !partner_text.contains("関係課2課にヒアリング"),
        "internal reasons never reach the proposer"
    );
    assert!(partner["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|e| e.get("reason").is_none()));
    assert_eq!(
        partner["items"][6]["note_for_proposer"],
        "担当課と調整しています"
    );
    let department = json(
        app.get(&format!("/v1/proposals/{id}/events"), Who::Department)
            .await,
        StatusCode::OK,
    )
    .await;
    let department_hearings: Vec<&Value> = department["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["department_id"].is_string())
        .collect();
    assert!(
        department_hearings
            .iter()
            .all(|e| e["department_id"] == f.shimin_kyodo.to_string()),
        "only its own hearing events"
    );
    assert_eq!(department_hearings.len(), 2, "its request and its answer");

    // Messages: the proposer reads shared ones only.
    let partner_messages = json(
        app.get(&format!("/v1/proposals/{id}/messages"), Who::Partner)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(partner_messages["items"].as_array().map(Vec::len), Some(2));
    assert!(!partner_messages.to_string().contains("サロン事業と重なる"));
    let desk_messages = json(
        app.get(&format!("/v1/proposals/{id}/messages"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(desk_messages["items"].as_array().map(Vec::len), Some(3));

    // Lists follow the same scopes.
    let listed = async |who: Who| {
        json(app.get("/v1/proposals", who).await, StatusCode::OK).await["items"]
            .as_array()
            .map(Vec::len)
    };
    assert_eq!(listed(Who::Desk).await, Some(1));
    assert_eq!(listed(Who::Partner).await, Some(1));
    assert_eq!(listed(Who::Department).await, Some(1));
    assert_eq!(listed(Who::OtherPartner).await, Some(0));
    problem(
        app.get("/v1/proposals", Who::Admin).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The feed: the partner's integration sees the shared events, in order.
    let feed = json(app.get("/v1/events", Who::Partner).await, StatusCode::OK).await;
    assert_eq!(statuses(&feed), statuses(&partner));
    let again = json(
        app.get(
            &format!(
                "/v1/events?cursor={}",
                feed["next_cursor"].as_str().expect("cursor")
            ),
            Who::Partner,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        again["next_cursor"], feed["next_cursor"],
        "an empty poll keeps the cursor"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn illegal_moves_are_409_with_the_moves_allowed_now() {
    let app = TestApp::spawn().await;
    let id = app.case().title("試験").create().await.id;
    let by_partner = app
        .transition(&id, Who::Partner, json!({"to": "organizing"}))
        .await;
    let body = problem(by_partner, StatusCode::CONFLICT).await;
    assert_eq!(body["current_status"], "received");
    assert_eq!(body["allowed_moves"], json!(["withdrawn"]));
    let skipping = app
        .transition(&id, Who::Desk, json!({"to": "matching"}))
        .await;
    let body = problem(skipping, StatusCode::CONFLICT).await;
    assert_eq!(
        body["allowed_moves"],
        json!(["organizing", "declined", "on_hold"])
    );
    // The desk cannot decide, whatever it sends.
    for outcome in ["adopted", "not_adopted"] {
        let deciding = app
            .transition(
                &id,
                Who::Desk,
                json!({"to": outcome, "reason": "x", "note_for_proposer": "x"}),
            )
            .await;
        problem(deciding, StatusCode::CONFLICT).await;
    }
    // Declining needs a reason and a note for the proposer.
    let bare = app
        .transition(
            &id,
            Who::Desk,
            json!({"to": "declined", "reason": "市の優先課題との整合が低い"}),
        )
        .await;
    assert_eq!(
        problem(bare, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"],
        "note_for_proposer"
    );
    let declined = app.transition(&id, Who::Desk, json!({"to": "declined", "reason": "優先度が低い", "note_for_proposer": "今回は見送らせてください"})).await;
    let declined = json(declined, StatusCode::OK).await;
    assert!(declined["closed_at"].is_string());
    // Final is final, for everyone.
    for (who, to) in [
        (Who::Desk, "received"),
        (Who::Partner, "withdrawn"),
        (Who::Desk, "on_hold"),
    ] {
        let body = problem(
            app.transition(&id, who, json!({"to": to, "reason": "x"}))
                .await,
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(body["allowed_moves"], json!([]));
    }
    let patch = app
        .patch(
            &format!("/v1/proposals/{id}"),
            Who::Desk,
            "*",
            &json!({"title": "変更"}),
        )
        .await;
    problem(patch, StatusCode::CONFLICT).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hold_resumes_to_the_step_it_left_and_the_proposer_can_withdraw() {
    let app = TestApp::spawn().await;
    let id = app.case().title("保留試験").to(Status::Organizing).await.id;
    problem(
        app.transition(&id, Who::Desk, json!({"to": "on_hold"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let held = json(
        app.transition(
            &id,
            Who::Desk,
            json!({"to": "on_hold", "reason": "提案者の社内調整待ち"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (held["status"].as_str(), held["held_from"].as_str()),
        (Some("on_hold"), Some("organizing"))
    );
    let wrong = problem(
        app.transition(&id, Who::Desk, json!({"to": "hearing"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(wrong["allowed_moves"], json!(["organizing"]));
    let resumed = json(
        app.transition(&id, Who::Desk, json!({"to": "organizing"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (resumed["status"].as_str(), resumed["held_from"].as_str()),
        (Some("organizing"), None)
    );
    problem(
        app.transition(&id, Who::OtherPartner, json!({"to": "withdrawn"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let withdrawn = json(
        app.transition(&id, Who::Partner, json!({"to": "withdrawn"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(withdrawn["status"], "withdrawn");
}

#[tokio::test(flavor = "multi_thread")]
async fn moves_need_a_current_if_match_and_concurrent_moves_have_one_winner() {
    let app = TestApp::spawn().await;
    let id = app.case().title("競合試験").create().await.id;
    let path = format!("/v1/proposals/{id}/transitions");
    let missing = app
        .request(Method::POST, &path, Who::Desk)
        .json(&json!({"to": "organizing"}))
        .send()
        .await
        .expect("request");
    problem(missing, StatusCode::PRECONDITION_REQUIRED).await;
    let etag = app.etag(&format!("/v1/proposals/{id}"), Who::Desk).await;
    let attempts = (0..6).map(|_| {
        app.request(Method::POST, &path, Who::Desk)
            .header("If-Match", etag.clone())
            .json(&json!({"to": "organizing"}))
            .send()
    });
    let results = futures_util::future::join_all(attempts).await;
    let codes: Vec<u16> = results
        .into_iter()
        .map(|r| r.expect("request").status().as_u16())
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 412).count(), 5, "{codes:?}");
    let timeline = json(
        app.get(&format!("/v1/proposals/{id}/events"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        statuses(&timeline),
        vec!["created", "status_changed"],
        "one move recorded"
    );
    let stale = app
        .request(Method::POST, &path, Who::Desk)
        .header("If-Match", etag)
        .json(&json!({"to": "hearing"}))
        .send()
        .await
        .expect("request");
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reference_numbers_stay_gap_free_under_50_concurrent_creates() {
    let app = TestApp::spawn().await;
    let creates = (0..50).map(|i| {
        app.request(Method::POST, "/v1/proposals", Who::Partner)
            .json(&json!({"kind": "consultation", "title": format!("同時{i}"), "summary": "s", "themes": ["other"], "channel": "web", "municipality_id": app.fixtures.zama}))
            .send()
    });
    let responses = futures_util::future::join_all(creates).await;
    let mut numbers = Vec::new();
    for response in responses {
        let body = json(response.expect("request"), StatusCode::CREATED).await;
        let reference = body["reference"].as_str().expect("reference").to_owned();
        numbers.push(
            reference
                .rsplit('-')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .expect("number"),
        );
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=50).collect::<Vec<u32>>());
    // A create that fails validation does not consume a number.
    let bad = app.post("/v1/proposals", Who::Partner, &json!({"kind": "proposal", "title": "", "summary": "s", "themes": ["other"], "channel": "web", "municipality_id": app.fixtures.zama})).await;
    problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let next = app.case().title("次").create().await;
    assert!(next["reference"]
        .as_str()
        .expect("reference")
        .ends_with("-0051"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_create_with_the_same_idempotency_key_makes_one_proposal() {
    let app = TestApp::spawn().await;
    let send = || {
        app.request(Method::POST, "/v1/proposals", Who::Partner)
            .header("Idempotency-Key", "form-submit-7")
            .json(&json!({"kind": "proposal", "title": "二重送信", "summary": "s", "themes": ["other"], "channel": "web", "municipality_id": app.fixtures.zama}))
            .send()
    };
    let first = json(send().await.expect("request"), StatusCode::CREATED).await;
    let second = json(send().await.expect("request"), StatusCode::CREATED).await;
    assert_eq!(first["reference"], second["reference"]);
    let list = json(app.get("/v1/proposals", Who::Desk).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_skips_nothing_while_writers_commit_concurrently() {
    let app = TestApp::spawn().await;
    let id = app.case().title("フィード試験").create().await.id;
    let writers = (0..40).map(|i| {
        app.request(
            Method::POST,
            &format!("/v1/proposals/{id}/messages"),
            Who::Desk,
        )
        .json(&json!({"visibility": "shared", "body": format!("メッセージ{i}")}))
        .send()
    });
    let reader = async {
        let mut seen: Vec<i64> = Vec::new();
        let mut cursor: Option<String> = None;
        // Poll while the writers run, until every event has been seen.
        while seen.len() < 41 {
            let path = match &cursor {
                Some(c) => format!("/v1/events?limit=7&cursor={c}"),
                None => "/v1/events?limit=7".to_owned(),
            };
            let page = json(app.get(&path, Who::Partner).await, StatusCode::OK).await;
            seen.extend(
                page["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|e| e["position"].as_i64().expect("position")),
            );
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            tokio::task::yield_now().await;
        }
        seen
    };
    let (written, seen) = tokio::join!(futures_util::future::join_all(writers), reader);
    assert!(written
        .into_iter()
        .all(|r| r.expect("request").status() == StatusCode::CREATED));
    let all = json(
        app.get("/v1/events?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    let every: Vec<i64> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["position"].as_i64().expect("position"))
        .collect();
    assert_eq!(
        seen, every,
        "the polling reader saw every event, once, in order"
    );
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn japanese_text_round_trips_and_is_searchable() {
    let app = TestApp::spawn().await;
    app.case()
        .title("空き店舗を活用した多世代の居場所づくり")
        .create()
        .await;
    app.case()
        .title("就労支援とDVシェルターの連携")
        .create()
        .await;
    app.case().title("100%_再生エネルギー").create().await;
    let search = |q: &'static str| {
        app.request(Method::GET, "/v1/proposals", Who::Desk)
            .query(&[("q", q)])
            .send()
    };
    let titles = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["title"].as_str().expect("title").to_owned())
            .collect()
    };
    assert_eq!(
        titles(json(search("居場所").await.expect("search"), StatusCode::OK).await),
        vec!["空き店舗を活用した多世代の居場所づくり"]
    );
    assert_eq!(
        titles(json(search("就労").await.expect("search"), StatusCode::OK).await),
        vec!["就労支援とDVシェルターの連携"]
    );
    assert_eq!(
        titles(json(search("dv").await.expect("search"), StatusCode::OK).await),
        vec!["就労支援とDVシェルターの連携"]
    );
    assert_eq!(
        titles(json(search("%_").await.expect("search"), StatusCode::OK).await),
        vec!["100%_再生エネルギー"]
    );
    assert_eq!(
        titles(
            json(
                search("'; DROP TABLE proposals; --").await.expect("search"),
                StatusCode::OK
            )
            .await
        ),
        Vec::<String>::new()
    );
    let filtered = json(
        app.get(
            "/v1/proposals?theme=community_support&sdg_goal=11",
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(filtered["items"].as_array().map(Vec::len), Some(3));
    problem(
        app.get("/v1/proposals?sdg_goal=18", Who::Desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_desk_records_an_earlier_first_contact() {
    let app = TestApp::spawn().await;
    let f = app.fixtures.clone();
    let body = |at: &str| json!({"kind": "consultation", "title": "電話相談", "summary": "s", "themes": ["other"], "channel": "phone", "organization_id": f.partner_org, "first_contact_at": at});
    let earlier = json(
        app.post(
            "/v1/proposals",
            Who::Desk,
            &body("2026-04-01T09:00:00+09:00"),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(earlier["first_contact_at"], "2026-04-01T00:00:00Z");
    problem(
        app.post("/v1/proposals", Who::Desk, &body("2999-01-01T00:00:00Z"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        app.post(
            "/v1/proposals",
            Who::Partner,
            &body("2026-04-01T09:00:00+09:00"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let missing_org = app.post("/v1/proposals", Who::Desk, &json!({"kind": "proposal", "title": "t", "summary": "s", "themes": ["other"], "channel": "visit"})).await;
    assert_eq!(
        problem(missing_org, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"],
        "organization_id"
    );
}
