//! Deliveries to a real receiver: signed as the Standard Webhooks reference
//! library verifies, thin, only what the owner may see, retried after
//! errors and timeouts in feed order, caught up after an outage, given up
//! after too long (the desk told), refused at delivery time for internal
//! addresses, pinged, replayed, rotated.

use super::{app_with_worker, subscribe, types};
use crate::harness::{
    json, verify_with_reference_library, Delivered, Receiver, TestApp, WebhookWorker, Who,
};
use diesel::sql_types::BigInt;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn delivered_of(deliveries: &[Delivered], event_type: &str) -> Vec<Delivered> {
    deliveries
        .iter()
        .filter(|d| (200..300).contains(&d.status) && d.event()["type"] == event_type)
        .cloned()
        .collect()
}

/// At least `n` distinct messages of `event_type` acknowledged (a message
/// answered too late is received twice).
fn has(event_type: &'static str, n: usize) -> impl Fn(&[Delivered]) -> bool {
    move |d| {
        let ids: std::collections::BTreeSet<String> = delivered_of(d, event_type)
            .iter()
            .map(|d| d.header("webhook-id").to_owned())
            .collect();
        ids.len() >= n
    }
}

async fn message(app: &TestApp, case_id: &str, visibility: &str, body: &str) {
    json(
        app.post(
            &format!("/v1/proposals/{case_id}/messages"),
            Who::Desk,
            &json!({"visibility": visibility, "body": body}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
}

/// Waits until the delivery log has an entry for which `found` holds.
async fn wait_for_log(app: &TestApp, id: &str, found: impl Fn(&Value) -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let entries = log(app, Who::Desk, id).await;
        if entries.iter().any(&found) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not in the log: {entries:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn log(app: &TestApp, who: Who, id: &str) -> Vec<Value> {
    let page = json(
        app.get(
            &format!("/v1/webhook-subscriptions/{id}/deliveries?limit=200"),
            who,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_department_gets_signed_thin_events_of_its_cases_that_the_reference_library_verifies() {
    let (app, _worker) = app_with_worker(|_| {}).await;
    let receiver = Receiver::start().await;
    let (_, secret) = subscribe(&app, Who::Department, &receiver, json!({})).await;
    let mut case = app.case().title("見守り事業の提案").create().await;
    case.request_hearing(Who::Department).await;
    message(&app, &case.id, "shared", "ヒアリングの日程を調整します").await;
    let got = receiver
        .wait_until(WAIT, |d| {
            has("jp.zama.livinggate.proposal.hearing_requested", 1)(d)
                && has("jp.zama.livinggate.proposal.message_posted", 1)(d)
        })
        .await;
    // Every delivery verifies with the reference library; an altered body,
    // an altered id or another secret do not.
    let verdicts = verify_with_reference_library(&secret, &got);
    assert!(verdicts.iter().all(|v| v == "ok"), "{verdicts:?}");
    let mut altered = got[0].clone();
    altered.body = altered.body.replace("proposals/", "proposalz/");
    let mut other_id = got[0].clone();
    other_id
        .headers
        .insert("webhook-id".into(), uuid::Uuid::now_v7().to_string());
    let other_secret = living_gate_api::webhooks::message::new_secret();
    let refused = verify_with_reference_library(&secret, &[altered, other_id]);
    assert!(
        refused.iter().all(|v| v.starts_with("refused")),
        "{refused:?}"
    );
    assert!(verify_with_reference_library(&other_secret, &got[..1])[0].starts_with("refused"));
    // CloudEvents 1.0, structured: the id is the webhook-id, the subject and
    // the URL name the case, the body carries no case content.
    let hearing = &delivered_of(&got, "jp.zama.livinggate.proposal.hearing_requested")[0];
    let event = hearing.event();
    assert_eq!(
        hearing.header("content-type"),
        "application/cloudevents+json"
    );
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["id"], hearing.header("webhook-id"));
    assert_eq!(event["subject"], format!("proposals/{}", case.id));
    assert!(event["time"].is_string() && event["source"].as_str().unwrap().ends_with("/v1/events"));
    assert!(event["data"]["position"].as_i64().unwrap() > 0);
    let url = event["data"]["resource_url"].as_str().unwrap();
    assert!(
        url.ends_with(&format!("/v1/proposals/{}", case.id)),
        "{url}"
    );
    assert!(
        !hearing.body.contains("見守り") && !hearing.body.contains("\"reason\""),
        "{}",
        hearing.body
    );
    // The receiver re-fetches with its own credentials.
    let path = url
        .split_once("/v1/")
        .map(|(_, p)| format!("/v1/{p}"))
        .unwrap();
    assert_eq!(
        app.get(&path, Who::Department).await.status(),
        StatusCode::OK
    );
    // The desk's own records are not the department's: none were sent.
    assert!(
        types(&got)
            .iter()
            .all(|t| !t.starts_with("jp.zama.livinggate.desk.")),
        "{:?}",
        types(&got)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partner_subscription_never_gets_internal_events() {
    let (app, _worker) = app_with_worker(|_| {}).await;
    let receiver = Receiver::start().await;
    subscribe(&app, Who::Partner, &receiver, json!({})).await;
    let mut case = app.case().title("パートナーの提案").create().await;
    message(&app, &case.id, "internal", "庁内だけのメモ").await;
    case.request_hearing(Who::Department).await;
    message(&app, &case.id, "shared", "ご提案ありがとうございます").await;
    let got = receiver
        .wait_until(WAIT, has("jp.zama.livinggate.proposal.message_posted", 1))
        .await;
    // The shared message came after the internal one and the hearing in the
    // feed: those were looked at first and not sent.
    let posted = delivered_of(&got, "jp.zama.livinggate.proposal.message_posted");
    assert_eq!(posted.len(), 1, "{:?}", types(&got));
    assert!(
        got.iter()
            .all(|d| d.event()["data"]["visibility"] == "shared"),
        "{:?}",
        types(&got)
    );
    assert!(!types(&got).iter().any(|t| t.ends_with("hearing_requested")));
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_and_timeouts_are_retried_in_feed_order_and_an_outage_loses_nothing() {
    let (app, _worker) = app_with_worker(|_| {}).await;
    let receiver = Receiver::start().await;
    let case = app.case().title("順序の確認").create().await;
    let (created, secret) = subscribe(
        &app,
        Who::Desk,
        &receiver,
        json!({"proposal_id": case.id, "kinds": ["message_posted"]}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    // 500s first.
    receiver.respond_with(500);
    for n in 1..=3 {
        message(&app, &case.id, "internal", &format!("メモ{n}")).await;
    }
    receiver.wait_until(WAIT, |d| d.len() >= 3).await;
    // Then answers that come too late (the timeout is 1.5 s).
    receiver.respond_with(200);
    receiver.delay(Duration::from_secs(3));
    wait_for_log(&app, &id, |e| e["detail"] == "timed out").await;
    // Then down: connections refused.
    receiver.down().await;
    receiver.delay(Duration::ZERO);
    for n in 4..=5 {
        message(&app, &case.id, "internal", &format!("メモ{n}")).await;
    }
    wait_for_log(&app, &id, |e| {
        e["status_code"].is_null()
            && e["detail"]
                .as_str()
                .unwrap()
                .starts_with("could not connect")
    })
    .await;
    // Back: everything arrives, each message once acknowledged, in order.
    receiver.up().await;
    receiver.respond_with(204);
    let got = receiver
        .wait_until(WAIT, has("jp.zama.livinggate.proposal.message_posted", 5))
        .await;
    let acknowledged = delivered_of(&got, "jp.zama.livinggate.proposal.message_posted");
    let positions: Vec<i64> = acknowledged
        .iter()
        .map(|d| d.event()["data"]["position"].as_i64().unwrap())
        .collect();
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "{positions:?}");
    // Attempts never went back in the feed: each try is of the oldest
    // event not yet acknowledged.
    let all: Vec<i64> = got
        .iter()
        .map(|d| d.event()["data"]["position"].as_i64().unwrap())
        .collect();
    assert!(all.windows(2).all(|w| w[0] <= w[1]), "{all:?}");
    // The positions are exactly the case's message events in the feed.
    let feed = json(
        app.get(
            &format!("/v1/proposals/{}/events?limit=200", case.id),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let expected: Vec<i64> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "message_posted")
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    assert_eq!(sorted, expected);
    // A retried message keeps its webhook-id, and still verifies.
    let first_id = got[0].header("webhook-id").to_owned();
    assert!(
        got.iter()
            .filter(|d| d.header("webhook-id") == first_id)
            .count()
            >= 2
    );
    assert!(verify_with_reference_library(&secret, &got)
        .iter()
        .all(|v| v == "ok"));
    // The delivery log: the 500s, the timeout, the refusals, the successes;
    // excerpts cut short.
    let entries = log(&app, Who::Desk, &id).await;
    assert!(entries
        .iter()
        .any(|e| e["status_code"] == 500 && e["outcome"] == "failed"));
    assert!(
        entries.iter().any(|e| e["detail"] == "timed out"),
        "{entries:#?}"
    );
    assert!(
        entries
            .iter()
            .filter(|e| e["outcome"] == "delivered")
            .count()
            >= 5
    );
    assert!(entries
        .iter()
        .all(|e| e["detail"].as_str().unwrap().chars().count() <= 200));
    let first_attempts: Vec<i64> = entries
        .iter()
        .rev()
        .filter(|e| e["message_id"] == first_id.as_str())
        .map(|e| e["attempt"].as_i64().unwrap())
        .collect();
    assert_eq!(first_attempts[..3], [1, 2, 3], "{first_attempts:?}");
    let subscription = json(
        app.get(&format!("/v1/webhook-subscriptions/{id}"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(subscription["failures"], 0);
    assert_eq!(subscription["state"], "active");
    let mut conn = app.conn().await;
    let stored: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM webhook_deliveries WHERE length(detail) > 300",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(stored.count, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_down_too_long_turns_failing_and_the_desk_is_told() {
    let (app, _worker) = app_with_worker(|c| c.give_up_after = Duration::from_secs(1)).await;
    let receiver = Receiver::start().await;
    receiver.respond_with(503);
    let (created, _) = subscribe(
        &app,
        Who::Department,
        &receiver,
        json!({"description": "福祉課システム"}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/webhook-subscriptions/{id}");
    let mut case = app.case().title("長い障害").create().await;
    case.request_hearing(Who::Department).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let failing = loop {
        let read = json(app.get(&path, Who::Department).await, StatusCode::OK).await;
        if read["state"] == "failing" {
            break read;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never failing: {read}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(failing["failures"].as_i64().unwrap() >= 1);
    // Failing: nothing more is tried.
    let tried = receiver.received().len();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.received().len(), tried);
    // The desk is told: a mail in the outbox, and the feed event.
    let mut conn = app.conn().await;
    let mails: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM outbox_messages WHERE kind = 'webhook_failing' AND body_text LIKE '%福祉課システム%'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert!(mails.count >= 1);
    let feed = json(
        app.get("/v1/events?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert!(feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "webhook_subscription_failing" && e["subject_id"] == id.as_str()));
    // Fixed and resumed: the event that failed arrives; nothing was lost.
    receiver.respond_with(204);
    let etag = app.etag(&path, Who::Department).await;
    json(
        app.patch(&path, Who::Department, &etag, &json!({"state": "active"}))
            .await,
        StatusCode::OK,
    )
    .await;
    receiver
        .wait_until(
            WAIT,
            has("jp.zama.livinggate.proposal.hearing_requested", 1),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_internal_address_is_refused_again_at_delivery_time() {
    // The subscription was accepted while 127.0.0.1 was allow-listed; the
    // worker now runs without that allowance (as after a configuration change
    // or a DNS answer that changed): nothing reaches the receiver.
    let app = TestApp::builder()
        .configure(|c| {
            c.webhooks.allow_http = true;
            c.webhooks.allowed_networks = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .spawn()
        .await;
    let receiver = Receiver::start().await;
    let (created, _) = subscribe(&app, Who::Desk, &receiver, json!({})).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let mut strict = (*app.state.webhooks).clone();
    strict.allowed_networks.clear();
    strict.poll_interval = Duration::from_millis(50);
    strict.backoff_base = Duration::from_millis(100);
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(
        WebhookWorker::new(app.state.clone().with_webhooks(strict))
            .unwrap()
            .run(stopped),
    );
    app.case().title("内部アドレス").create().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let entries = log(&app, Who::Desk, &id).await;
        if let Some(e) = <[Value]>::first(&entries) {
            assert_eq!(e["outcome"], "failed");
            assert!(e["detail"].as_str().unwrap().contains("loopback"), "{e}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "nothing logged");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(receiver.received().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ping_a_replay_and_a_rotation_reach_the_receiver_verified() {
    let (app, _worker) = app_with_worker(|_| {}).await;
    let receiver = Receiver::start().await;
    let case = app.case().title("再送の確認").create().await;
    let (created, old_secret) = subscribe(
        &app,
        Who::Desk,
        &receiver,
        json!({"proposal_id": case.id, "kinds": ["message_posted"]}),
    )
    .await;
    let path = format!(
        "/v1/webhook-subscriptions/{}",
        created["id"].as_str().unwrap()
    );
    // A ping answers with the attempt and is verifiable.
    let ping = json(
        app.post(&format!("{path}/pings"), Who::Desk, &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ping["outcome"], "delivered");
    assert_eq!(ping["status_code"], 204);
    let got = receiver.wait_until(WAIT, |d| !d.is_empty()).await;
    assert_eq!(got[0].event()["type"], "jp.zama.livinggate.webhook.ping");
    assert_eq!(
        verify_with_reference_library(&old_secret, &got[..1]),
        ["ok"]
    );
    message(&app, &case.id, "internal", "一通目").await;
    let got = receiver
        .wait_until(WAIT, has("jp.zama.livinggate.proposal.message_posted", 1))
        .await;
    let first = delivered_of(&got, "jp.zama.livinggate.proposal.message_posted")[0].clone();
    let position = first.event()["data"]["position"].as_i64().unwrap();
    // A replay from that position sends it again, same id.
    json(
        app.post(
            &format!("{path}/replays"),
            Who::Desk,
            &json!({"from_position": position}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let got = receiver
        .wait_until(WAIT, |d| {
            delivered_of(d, "jp.zama.livinggate.proposal.message_posted").len() >= 2
        })
        .await;
    let again = delivered_of(&got, "jp.zama.livinggate.proposal.message_posted");
    assert_eq!(again[1].header("webhook-id"), first.header("webhook-id"));
    // Rotated with an overlap: both secrets verify the next message.
    let rotated = json(
        app.post(
            &format!("{path}/secret-rotations"),
            Who::Desk,
            &json!({"overlap_seconds": 3600}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    message(&app, &case.id, "internal", "二通目").await;
    let got = receiver
        .wait_until(WAIT, has("jp.zama.livinggate.proposal.message_posted", 2))
        .await;
    let third = delivered_of(&got, "jp.zama.livinggate.proposal.message_posted")
        .pop()
        .unwrap();
    assert_eq!(third.header("webhook-signature").split(' ').count(), 2);
    assert_eq!(
        verify_with_reference_library(&old_secret, std::slice::from_ref(&third)),
        ["ok"]
    );
    assert_eq!(
        verify_with_reference_library(&new_secret, std::slice::from_ref(&third)),
        ["ok"]
    );
    // Rotated with no overlap: the old secret no longer verifies.
    let rotated = json(
        app.post(
            &format!("{path}/secret-rotations"),
            Who::Desk,
            &json!({"overlap_seconds": 0}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let newest = rotated["secret"].as_str().unwrap().to_owned();
    message(&app, &case.id, "internal", "三通目").await;
    let got = receiver
        .wait_until(WAIT, has("jp.zama.livinggate.proposal.message_posted", 3))
        .await;
    let fourth = delivered_of(&got, "jp.zama.livinggate.proposal.message_posted")
        .pop()
        .unwrap();
    assert_eq!(fourth.header("webhook-signature").split(' ').count(), 1);
    assert!(
        verify_with_reference_library(&new_secret, std::slice::from_ref(&fourth))[0]
            .starts_with("refused")
    );
    assert_eq!(
        verify_with_reference_library(&newest, std::slice::from_ref(&fourth)),
        ["ok"]
    );
}
