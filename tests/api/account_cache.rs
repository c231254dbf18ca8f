//! The account cache (issue 20): two instances on one database, a change
//! through one refused by the other within a second; an instance that lost
//! its listening connection reads the database until it has subscribed
//! again, and caches again afterwards.

use crate::harness::{etag_of, Instance, TestApp, Who};
use diesel_async::RunQueryDsl;
use living_gate_api::auth::account_cache::CacheState;
use living_gate_api::state::AppState;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// The status of `GET /v1/me` on `base` with `token`.
async fn me(client: &reqwest::Client, base: &str, token: &str) -> StatusCode {
    client
        .get(format!("{base}/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
}

/// Waits (up to `deadline`) until `done` holds for the cache's state.
async fn until(
    state: &AppState,
    deadline: Duration,
    done: impl Fn(CacheState) -> bool,
) -> CacheState {
    let start = Instant::now();
    loop {
        let now = state.accounts.state();
        if done(now) || start.elapsed() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Polls `GET /v1/me` on `instance` until it answers 401; how long it took.
async fn refused_within(
    app: &TestApp,
    instance: &Instance,
    token: &str,
    deadline: Duration,
) -> Duration {
    let start = Instant::now();
    loop {
        let status = me(&app.client, &instance.base, token).await;
        if status == StatusCode::UNAUTHORIZED {
            return start.elapsed();
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            start.elapsed() < deadline,
            "the other instance still accepts the token after {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Both instances listening, and `token` accepted (and so cached) by `instance`.
async fn cached_on(app: &TestApp, instance: &Instance, token: &str) {
    for state in [&app.state, &instance.state] {
        let now = until(state, Duration::from_secs(5), |s| s.listening).await;
        assert!(now.listening, "the instance subscribed");
    }
    let before = instance.state.accounts.state().entries;
    assert_eq!(me(&app.client, &instance.base, token).await, StatusCode::OK);
    assert_eq!(me(&app.client, &instance.base, token).await, StatusCode::OK);
    assert_eq!(
        instance.state.accounts.state().entries,
        before + 1,
        "the second instance cached the token"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_disabled_through_one_instance_is_refused_by_the_other_within_a_second() {
    let app = TestApp::spawn().await;
    let other = app.spawn_instance().await;
    let token = app.token(Who::Partner).expect("token");
    cached_on(&app, &other, &token).await;

    let id = app.fixtures.account(Who::Partner).id;
    let path = format!("/v1/users/{id}");
    let etag = etag_of(&app.get(&path, Who::PlatformAdmin).await);
    let disabled = app
        .patch(
            &path,
            Who::PlatformAdmin,
            &etag,
            &json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_eq!(
        me(&app.client, &app.base, &token).await,
        StatusCode::UNAUTHORIZED,
        "the instance that disabled the account refuses at once"
    );
    let took = refused_within(&app, &other, &token, Duration::from_secs(1)).await;
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(
        other.state.accounts.state().entries,
        0,
        "forgotten, not refused by age"
    );
    // Enabled again: accepted again (refusals are never cached).
    let etag = etag_of(&app.get(&path, Who::PlatformAdmin).await);
    let enabled = app
        .patch(
            &path,
            Who::PlatformAdmin,
            &etag,
            &json!({"status": "active"}),
        )
        .await;
    assert_eq!(enabled.status(), StatusCode::OK);
    let start = Instant::now();
    while me(&app.client, &other.base, &token).await != StatusCode::OK {
        assert!(start.elapsed() < Duration::from_secs(1), "accepted again");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_revoked_through_one_instance_is_refused_by_the_other_within_a_second() {
    let app = TestApp::spawn().await;
    let other = app.spawn_instance().await;
    let token = app.token(Who::Desk).expect("token");
    let kept = app
        .token(Who::Desk)
        .expect("another token of the same account");
    cached_on(&app, &other, &token).await;
    cached_on(&app, &other, &kept).await;

    let logout = app
        .client
        .post(format!("{}/v1/auth/logout", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("logout");
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        me(&app.client, &app.base, &token).await,
        StatusCode::UNAUTHORIZED
    );
    let took = refused_within(&app, &other, &token, Duration::from_secs(1)).await;
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(
        me(&app.client, &other.base, &kept).await,
        StatusCode::OK,
        "only the revoked token is refused"
    );
}

/// The listening backend of `state`'s instance, found by its application
/// name on the app's database (not the other instance's: each test has
/// its own database, so there are two here, one per instance).
async fn listeners(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.owner_conn().await;
    diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = $1",
    )
    .bind::<diesel::sql_types::Text, _>(living_gate_db::accounts::changes::APPLICATION_NAME)
    .get_result::<Count>(&mut conn)
    .await
    .expect("pg_stat_activity")
    .n
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_that_lost_its_listener_reads_the_database_until_it_listens_again() {
    let app = TestApp::spawn().await;
    let state = &app.state;
    let now = until(state, Duration::from_secs(5), |s| s.listening).await;
    assert!(now.listening);
    assert_eq!(listeners(&app).await, 1);
    let token = app.token(Who::Partner).expect("token");
    assert_eq!(me(&app.client, &app.base, &token).await, StatusCode::OK);
    assert_eq!(state.accounts.state().entries, 1, "cached");

    // Cut the listener: its backend terminated, as a restart or a network
    // cut would.
    let mut owner = app.owner_conn().await;
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = $1",
    )
    .bind::<diesel::sql_types::Text, _>(living_gate_db::accounts::changes::APPLICATION_NAME)
    .execute(&mut owner)
    .await
    .expect("terminate");
    let lost = until(state, Duration::from_secs(1), |s| s.losses == 1).await;
    assert_eq!(lost.losses, 1, "the loss is noticed within a second");
    assert!(!lost.listening);
    assert_eq!(lost.entries, 0, "emptied");

    // A change nobody hears (triggers off for this session): only reading
    // the database can see it.
    diesel::sql_query("SET session_replication_role = replica")
        .execute(&mut owner)
        .await
        .expect("no triggers");
    let id = app.fixtures.account(Who::Partner).id;
    diesel::sql_query("UPDATE users SET status = 'disabled' WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(&mut owner)
        .await
        .expect("disable");
    assert_eq!(
        me(&app.client, &app.base, &token).await,
        StatusCode::UNAUTHORIZED,
        "refused at once: the database was read"
    );
    let desk = app.token(Who::Desk).expect("token");
    assert_eq!(me(&app.client, &app.base, &desk).await, StatusCode::OK);
    let during = state.accounts.state();
    assert!(
        !during.listening,
        "still in the fallback (it waits a second to resubscribe)"
    );
    assert_eq!(during.entries, 0, "nothing cached while nobody listens");

    // Subscribed again: caching again, and a new listening backend.
    let back = until(state, Duration::from_secs(5), |s| s.subscriptions == 2).await;
    assert!(back.listening, "resubscribed");
    assert_eq!(listeners(&app).await, 1);
    assert_eq!(me(&app.client, &app.base, &desk).await, StatusCode::OK);
    assert_eq!(state.accounts.state().entries, 1, "caching again");
    // And changes are heard again (a notified change, this time).
    diesel::sql_query("SET session_replication_role = origin")
        .execute(&mut owner)
        .await
        .expect("triggers on");
    let desk_id = app.fixtures.account(Who::Desk).id;
    diesel::sql_query("UPDATE users SET status = 'disabled' WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(desk_id)
        .execute(&mut owner)
        .await
        .expect("disable");
    let start = Instant::now();
    while me(&app.client, &app.base, &desk).await != StatusCode::UNAUTHORIZED {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "heard within a second"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
