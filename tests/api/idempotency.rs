//! `Idempotency-Key` beyond the happy path (the replay itself is in
//! operations.rs and workflow.rs): authentication comes before any replay,
//! and a crash mid-request leaves every key either committed with its
//! effect (replayed) or absent (run afresh), never stuck.

use crate::harness::{json, problem, ServedBinary, TestApp, Who};
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A submission; a partner names the city (`None`: the desk's own).
fn proposal(municipality: Option<uuid::Uuid>, title: &str) -> Value {
    json!({"kind": "proposal", "title": title, "summary": "s", "themes": ["other"], "channel": "web",
        "municipality_id": municipality})
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_replays_nothing_to_a_logged_out_token() {
    let app = TestApp::spawn().await;
    let token = app.token(Who::Desk).expect("token");
    let send = || {
        app.client
            .post(format!("{}/v1/organizations", app.base))
            .bearer_auth(&token)
            .header("idempotency-key", "after-logout")
            .json(&json!({"name": "ログアウト後のNPO", "kind": "npo"}))
            .send()
    };
    json(send().await.expect("request"), StatusCode::CREATED).await;
    let logout = app
        .client
        .post(format!("{}/v1/auth/logout", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("logout");
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let again = send().await.expect("request");
    assert!(again.headers().get("idempotency-replayed").is_none());
    problem(again, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_replays_nothing_to_a_disabled_account() {
    let app = TestApp::spawn().await;
    let send = || {
        app.request(Method::POST, "/v1/proposals", Who::Partner)
            .header("idempotency-key", "before-disable")
            .json(&proposal(Some(app.fixtures.zama), "無効化の前"))
            .send()
    };
    json(send().await.expect("request"), StatusCode::CREATED).await;
    let mut conn = app.conn().await;
    diesel::sql_query("UPDATE users SET status = 'disabled' WHERE id = $1")
        .bind::<SqlUuid, _>(app.fixtures.account(Who::Partner).id)
        .execute(&mut conn)
        .await
        .expect("disable");
    let again = send().await.expect("request");
    assert!(again.headers().get("idempotency-replayed").is_none());
    problem(again, StatusCode::UNAUTHORIZED).await;
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The real binary, SIGKILLed while 12 idempotent creates are inside their
/// transaction (a test-only delay holds each between the handler's work and
/// the commit), then restarted on the same database: every key retried with
/// the same body is either replayed (the 4 that had finished) or created
/// now (the 12 that were in flight), never 409, and there is exactly one
/// case per key.
#[tokio::test(flavor = "multi_thread")]
async fn idempotency_survives_a_kill_9_mid_request() {
    const DELAY: &str = "LIVING_GATE_TEST_IDEMPOTENCY_COMMIT_DELAY_MS";
    let mut served = ServedBinary::spawn_with(&[(DELAY, "3000")]).await;
    let mut conn = AsyncPgConnection::establish(&served.db.url)
        .await
        .expect("connect");
    diesel::sql_query(
        "INSERT INTO municipalities (id, code, name, name_kana, name_en, reference_prefix, status, version, created_at, updated_at) \
         VALUES (gen_random_uuid(), '142166', '座間市', 'ざまし', 'Zama', 'ZLG', 'active', 1, now(), now())",
    )
    .execute(&mut conn)
    .await
    .expect("a municipality");
    served.run(
        &[
            "user",
            "create",
            "--email",
            "desk@crash.example",
            "--role",
            "desk",
            "--display-name",
            "窓口",
            "--password-stdin",
        ],
        "Crash-test-passw0rd!\n",
    );
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{}/v1/auth/login", served.base))
        .json(&json!({"email": "desk@crash.example", "password": "Crash-test-passw0rd!"}))
        .send()
        .await
        .expect("login");
    let token = json(login, StatusCode::OK).await["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let organization = json(
        client
            .post(format!("{}/v1/organizations", served.base))
            .bearer_auth(&token)
            .json(&json!({"name": "クラッシュ試験NPO", "kind": "npo"}))
            .send()
            .await
            .expect("organization"),
        StatusCode::CREATED,
    )
    .await["id"]
        .clone();
    let body = |i: usize| {
        let mut body = proposal(None, &format!("クラッシュ{i}"));
        body["organization_id"] = organization.clone();
        body
    };
    let create = |base: String, i: usize| {
        client
            .post(format!("{base}/v1/proposals"))
            .bearer_auth(&token)
            .header("idempotency-key", format!("crash-{i}"))
            .json(&body(i))
            .send()
    };

    // Four that finish (committed) before the crash …
    let finished = futures_util::future::join_all((0..4).map(|i| create(served.base.clone(), i)))
        .await
        .into_iter()
        .map(|r| r.expect("request"));
    let mut committed = Vec::new();
    for response in finished {
        committed.push(json(response, StatusCode::CREATED).await["id"].clone());
    }
    // … and twelve in flight when it comes.
    let base = served.base.clone();
    let in_flight = futures_util::future::join_all((4..16).map(|i| create(base.clone(), i)));
    let killed_at = Instant::now();
    let crash = async {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        served.kill_and_restart(&[]);
    };
    let (in_flight, ()) = tokio::join!(in_flight, crash);
    for response in in_flight {
        assert!(response.is_err(), "the server died before answering");
    }
    let restarted_in = killed_at.elapsed();

    let retried =
        futures_util::future::join_all((0..16).map(|i| create(served.base.clone(), i))).await;
    for (i, response) in retried.into_iter().enumerate() {
        let response = response.expect("request");
        let replayed = response.headers().get("idempotency-replayed").is_some();
        let status = response.status();
        let created = json(response, StatusCode::CREATED).await;
        if i < 4 {
            assert!(replayed, "key {i} committed before the crash: replayed");
            assert_eq!(created["id"], committed[i], "key {i}: the same case");
        } else {
            assert!(!replayed, "key {i} was in flight: run afresh ({status})");
        }
    }
    let cases: Vec<Count> = diesel::sql_query("SELECT count(*) AS n FROM proposals")
        .load(&mut conn)
        .await
        .expect("count");
    assert_eq!(cases[0].n, 16, "one case per key, none lost, none twice");
    let keys: Vec<Count> =
        diesel::sql_query("SELECT count(*) AS n FROM idempotency_keys WHERE status_code = 201")
            .load(&mut conn)
            .await
            .expect("count");
    assert_eq!(keys[0].n, 16, "every key committed with its response");
    assert!(restarted_in < Duration::from_secs(60));
}
