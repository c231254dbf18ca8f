//! The endpoints: preferences (mandatory kinds are 422, another role's
//! kinds too), the delivery log (bodies withheld from admins for case
//! mails and from everybody for secrets, another city's message 404) and
//! the retry (only a dead one, 409 otherwise; the worker sends it again).

use super::{drain, worker_to};
use crate::harness::{dead_outbox_message, json, problem, SmtpSink, TestApp, Who};
use reqwest::StatusCode;
use serde_json::json;

const PREFS: &str = "/v1/me/notification-preferences";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_switch_optional_kinds_only_and_set_the_language() {
    let app = TestApp::spawn().await;
    let before = json(app.get(PREFS, Who::Partner).await, StatusCode::OK).await;
    assert_eq!(
        before,
        json!({"language": "ja", "kinds": [
            {"kind": "status_changed", "enabled": true},
            {"kind": "message_shared", "enabled": true}]})
    );
    for (kinds, code) in [
        (
            json!([{"kind": "password_reset", "enabled": false}]),
            "mandatory",
        ),
        (
            json!([{"kind": "hearing_requested", "enabled": false}]),
            "not_received",
        ),
        (
            json!([{"kind": "status_changed", "enabled": false}, {"kind": "status_changed", "enabled": true}]),
            "duplicate",
        ),
    ] {
        let refused = app
            .put(
                PREFS,
                Who::Partner,
                &json!({"language": "en", "kinds": kinds}),
            )
            .await;
        let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["code"], code, "{body}");
    }
    let unchanged = json(app.get(PREFS, Who::Partner).await, StatusCode::OK).await;
    assert_eq!(unchanged, before, "a refused request changes nothing");
    for hostile in [
        json!({"language": "fr"}),
        json!({"language": "ja", "kinds": [{"kind": "no_such_kind", "enabled": false}]}),
        json!({"language": "ja", "extra": 1}),
    ] {
        let status = app.put(PREFS, Who::Partner, &hostile).await.status();
        assert!(status.is_client_error(), "{hostile}: {status}");
    }
    let after = json(
        app.put(
            PREFS,
            Who::Partner,
            &json!({"language": "en", "kinds": [{"kind": "status_changed", "enabled": false}]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["language"], "en");
    assert_eq!(
        after["kinds"][0],
        json!({"kind": "status_changed", "enabled": false})
    );
    // The choice holds: the move reaches nobody, the message in English.
    let sink = SmtpSink::start();
    let worker = worker_to(&app.pool, &sink, "3");
    let mut case = app.case().create().await;
    case.move_as(Who::Desk, json!({"to": "organizing"})).await;
    json(
        app.post(
            &format!("/v1/proposals/{}/messages", case.id),
            Who::Desk,
            &json!({"visibility": "shared", "body": "ご連絡"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    drain(&worker).await;
    let partner = app.fixtures.account(Who::Partner).email.clone();
    let to_partner: Vec<String> = sink
        .received()
        .iter()
        .filter(|m| m.recipients.contains(&partner))
        .map(|m| m.subject())
        .collect();
    assert_eq!(
        to_partner,
        [format!("[{}] New message on your proposal", case.reference)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_delivery_log_shows_the_city_its_messages_and_withholds_bodies() {
    let app = TestApp::spawn().await;
    let dead = dead_outbox_message(&app).await;
    let path = format!("/v1/outbox-messages/{dead}");
    let desk = json(app.get(&path, Who::Desk).await, StatusCode::OK).await;
    assert_eq!(desk["state"], "dead");
    assert_eq!(desk["body_text"], "本文");
    assert_eq!(desk["attempts_log"], json!([]));
    // A case mail's body is case content: not the admin's.
    execute_case_link(&app, dead).await;
    let admin = json(app.get(&path, Who::Admin).await, StatusCode::OK).await;
    assert_eq!(admin["body_text"], serde_json::Value::Null, "{admin}");
    assert_eq!(
        app.get(&path, Who::AyaseDesk).await.status(),
        StatusCode::NOT_FOUND
    );
    let listed = json(
        app.get("/v1/outbox-messages?state=dead&limit=1", Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"][0]["id"], dead.to_string());
    let ayase = json(
        app.get("/v1/outbox-messages", Who::AyaseDesk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ayase["items"], json!([]), "another city's log");
    for bad in ["?state=lost", "?kind=nothing", "?limit=0", "?cursor=%00"] {
        let status = app
            .get(&format!("/v1/outbox-messages{bad}"), Who::Desk)
            .await
            .status();
        assert!(status.is_client_error(), "{bad}: {status}");
    }
}

async fn execute_case_link(app: &TestApp, id: uuid::Uuid) {
    let case = app.case().create().await;
    super::execute(
        &app.pool,
        &format!(
            "UPDATE outbox_messages SET proposal_id = '{}' WHERE id = '{id}'",
            case.id
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_message_retried_by_the_desk_is_sent_again() {
    let app = TestApp::spawn().await;
    let dead = dead_outbox_message(&app).await;
    let retry = format!("/v1/outbox-messages/{dead}/retry");
    assert_eq!(
        app.post(&retry, Who::AyaseDesk, &json!({})).await.status(),
        StatusCode::NOT_FOUND
    );
    let queued = json(
        app.post(&retry, Who::Desk, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (queued["state"].clone(), queued["attempts"].clone()),
        (json!("pending"), json!(0))
    );
    problem(
        app.post(&retry, Who::Desk, &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let sink = SmtpSink::start();
    drain(&worker_to(&app.pool, &sink, "3")).await;
    let received = sink.received();
    assert_eq!(received.len(), 1);
    let shown = json(
        app.get(&format!("/v1/outbox-messages/{dead}"), Who::Desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(shown["state"], "sent");
    assert_eq!(shown["message_id"], received[0].message_id());
    assert_eq!(shown["attempts_log"][0]["outcome"], "sent");
    assert!(shown["attempts_log"][0]["detail"]
        .as_str()
        .unwrap_or("")
        .starts_with("250"));
    let unknown = format!("/v1/outbox-messages/{}/retry", uuid::Uuid::now_v7());
    problem(
        app.post(&unknown, Who::Desk, &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
