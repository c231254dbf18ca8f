//! Issue 20, part 2: public directory and KPI reads from a real streaming
//! replica ([`ReplicaPair`]). The replica's replay is paused to make its
//! answers recognisable: what a paused replica serves lacks the latest
//! write, what the primary serves has it.

use crate::harness::{json, ReplicaPair, TestApp, Who};
use living_gate_db::reads::{ReplicaSettings, Route};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const POSITION: &str = "living-gate-position";

/// The app and the pair under it (dropped in this order: the app's
/// database on the primary goes first).
struct Replicated {
    app: TestApp,
    pair: ReplicaPair,
}

async fn replicated(max_lag: Duration, poll_interval: Duration) -> Replicated {
    let pair = ReplicaPair::start().await;
    let db = pair.database().await;
    let replica_url = pair.replica_url(&db);
    let app = TestApp::builder()
        .database(db)
        .read_replica(
            replica_url,
            ReplicaSettings {
                max_lag,
                poll_interval,
            },
        )
        .spawn()
        .await;
    pair.wait_caught_up().await;
    let replicated = Replicated { app, pair };
    replicated.route_becomes(Route::Replica).await;
    replicated
}

impl Replicated {
    /// Waits until reads that need nothing go to `route`.
    async fn route_becomes(&self, route: Route) {
        let started = Instant::now();
        while self.app.state.reads.route(None) != route {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "reads never went to {route:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A new public entry of Zama, created by the desk; the position the
    /// response gave.
    async fn entry(&self, name: &str) -> String {
        let body =
            json!({"name": name, "legal_form": "npo", "municipality_id": self.app.fixtures.zama});
        let response = self.app.post("/v1/resources", Who::Desk, &body).await;
        let position = response
            .headers()
            .get(POSITION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .expect("a write answers its position");
        json(response, StatusCode::CREATED).await;
        position
    }
}

/// The names an anonymous search for `q` finds on `base`, sending
/// `position` if given.
async fn search(app: &TestApp, base: &str, q: &str, position: Option<&str>) -> Vec<String> {
    let mut request = app
        .client
        .get(format!("{base}/v1/resources"))
        .query(&[("q", q)]);
    if let Some(position) = position {
        request = request.header(POSITION, position);
    }
    let page = json(request.send().await.expect("request"), StatusCode::OK).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Polls an anonymous search until it finds `name`.
async fn eventually_found(app: &TestApp, q: &str, name: &str) {
    let started = Instant::now();
    while search(app, &app.base, q, None).await != [name] {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name} was never found"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_searches_are_answered_by_the_replica() {
    let r = replicated(Duration::from_secs(60), Duration::from_millis(100)).await;
    let app = &r.app;
    r.entry("みどり食堂").await;
    r.pair.wait_caught_up().await;
    assert_eq!(search(app, &app.base, "みどり", None).await, ["みどり食堂"]);

    r.pair.pause_replay().await;
    r.entry("あおぞら食堂").await;
    // Within the bound: the paused replica answers, without the new entry.
    assert_eq!(app.state.reads.route(None), Route::Replica);
    assert!(search(app, &app.base, "あおぞら", None).await.is_empty());
    let stats = json(
        app.get("/v1/resources/stats", Who::Anonymous).await,
        StatusCode::OK,
    )
    .await;
    assert!(stats.is_object());
    // Staff read on the primary (their reads may audit hidden fields).
    let staff = json(
        app.get(
            "/v1/resources?q=%E3%81%82%E3%81%8A%E3%81%9E%E3%82%89",
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(staff["items"][0]["name"], "あおぞら食堂");

    r.pair.resume_replay().await;
    eventually_found(app, "あおぞら", "あおぞら食堂").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_reads_its_writes_while_the_replica_is_paused() {
    let r = replicated(Duration::from_secs(60), Duration::from_millis(100)).await;
    let app = &r.app;
    let kpis = format!(
        "/v1/kpis?fiscal_year=2027&municipality={}",
        app.fixtures.zama
    );
    let target_seen_by = async |who: Who| -> Value {
        let report = json(app.get(&kpis, who).await, StatusCode::OK).await;
        report["trips_started"]["target"].clone()
    };
    assert_eq!(target_seen_by(Who::Desk).await, Value::Null);
    r.pair.pause_replay().await;

    // The desk's KPI target: the desk's next report has it (the primary
    // answers, the replica has not replayed the write); the analyst, who
    // wrote nothing, is answered by the replica.
    let set = app
        .request(Method::PUT, "/v1/kpis/targets/2027", Who::Desk)
        .json(&json!({"trips_started": 7}))
        .send()
        .await
        .expect("request");
    assert!(set.headers().contains_key(POSITION));
    json(set, StatusCode::CREATED).await;
    assert_eq!(target_seen_by(Who::Desk).await, json!(7));
    assert_eq!(target_seen_by(Who::Analyst).await, Value::Null);

    // Behind a load balancer: another instance knows nothing of the
    // desk's write, but honours the position its client sends back.
    let other = app.spawn_instance().await;
    let position = r.entry("ひだまり食堂").await;
    let started = Instant::now();
    while other.reads.route(None) != Route::Replica {
        assert!(started.elapsed() < Duration::from_secs(20), "never up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(search(app, &other.base, "ひだまり", None).await.is_empty());
    assert_eq!(
        search(app, &other.base, "ひだまり", Some(&position)).await,
        ["ひだまり食堂"]
    );
    // A header that is not a position is ignored, not an error.
    for hostile in ["yesterday", "FFFFFFFFF/0", "1/2/3", ""] {
        assert!(search(app, &other.base, "ひだまり", Some(hostile))
            .await
            .is_empty());
    }

    r.pair.resume_replay().await;
    let started = Instant::now();
    while target_seen_by(Who::Analyst).await != json!(7) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never replayed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_lagging_past_the_bound_is_not_read() {
    let r = replicated(Duration::from_millis(300), Duration::from_millis(50)).await;
    let app = &r.app;
    r.pair.pause_replay().await;
    r.entry("こもれび食堂").await;
    // The primary is ahead of the paused replica for longer than 300 ms.
    r.route_becomes(Route::Primary).await;
    assert_eq!(
        search(app, &app.base, "こもれび", None).await,
        ["こもれび食堂"]
    );
    let public = app.get("/v1/public/kpis", Who::Anonymous).await;
    assert_eq!(public.status(), StatusCode::OK);

    r.pair.resume_replay().await;
    r.pair.wait_caught_up().await;
    r.route_becomes(Route::Replica).await;
    assert_eq!(
        search(app, &app.base, "こもれび", None).await,
        ["こもれび食堂"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_survive_a_replica_that_goes_away_and_use_it_again_when_it_is_back() {
    let r = replicated(Duration::from_secs(60), Duration::from_millis(100)).await;
    let app = &r.app;
    r.entry("ささえあい食堂").await;
    r.pair.wait_caught_up().await;
    assert_eq!(
        search(app, &app.base, "ささえあい", None).await,
        ["ささえあい食堂"]
    );

    // Stopped hard: the very next reads fall back to the primary (before
    // the monitor notices), and so do those after it.
    r.pair.stop_replica();
    assert_eq!(
        search(app, &app.base, "ささえあい", None).await,
        ["ささえあい食堂"]
    );
    for path in [
        "/v1/resources/stats",
        "/v1/resources/map",
        "/v1/public/kpis",
    ] {
        let response = app.get(path, Who::Anonymous).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    r.route_becomes(Route::Primary).await;
    r.entry("ひまわり食堂").await;
    assert_eq!(
        search(app, &app.base, "ひまわり", None).await,
        ["ひまわり食堂"]
    );

    // Back (and caught up): used again, as a paused replay shows.
    r.pair.start_replica().await;
    r.route_becomes(Route::Replica).await;
    r.pair.pause_replay().await;
    r.entry("つばさ食堂").await;
    assert!(search(app, &app.base, "つばさ", None).await.is_empty());
    r.pair.resume_replay().await;
    eventually_found(app, "つばさ", "つばさ食堂").await;
}
