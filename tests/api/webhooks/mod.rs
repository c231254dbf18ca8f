//! Webhooks (issue 16): subscriptions over HTTP, and deliveries to a real
//! receiver verified by the Standard Webhooks reference library.

mod delivery;
mod subscriptions;

use crate::harness::{json, Receiver, TestApp, WebhookWorker, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// An app whose callbacks may reach 127.0.0.1 over http (the receiver),
/// with a fast-retrying worker running; dropping the guard stops it.
pub async fn app_with_worker(
    change: impl FnOnce(&mut living_gate_api::startup::webhook_config::WebhookConfig),
) -> (TestApp, tokio::sync::watch::Sender<bool>) {
    let app = TestApp::builder()
        .configure(|c| {
            c.webhooks.allow_http = true;
            c.webhooks.allowed_networks = vec!["127.0.0.1/32".parse().unwrap()];
            c.webhooks.poll_interval = Duration::from_millis(50);
            c.webhooks.backoff_base = Duration::from_millis(100);
            c.webhooks.timeout = Duration::from_millis(1500);
            c.webhooks.connect_timeout = Duration::from_millis(500);
            change(&mut c.webhooks);
        })
        .spawn()
        .await;
    let stop = start_worker(&app);
    (app, stop)
}

/// Starts a webhook worker over the app's state.
pub fn start_worker(app: &TestApp) -> tokio::sync::watch::Sender<bool> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(WebhookWorker::new(app.state.clone()).unwrap().run(stopped));
    stop
}

/// Subscribes `who` to `receiver`; returns the subscription and its secret.
pub async fn subscribe(
    app: &TestApp,
    who: Who,
    receiver: &Receiver,
    extra: Value,
) -> (Value, String) {
    let mut body = json!({"callback_url": receiver.url});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let created = json(
        app.post("/v1/webhook-subscriptions", who, &body).await,
        StatusCode::CREATED,
    )
    .await;
    let secret = created["secret"]
        .as_str()
        .expect("the secret, once")
        .to_owned();
    (created, secret)
}

/// The CloudEvents `type`s of deliveries.
pub fn types(deliveries: &[crate::harness::Delivered]) -> Vec<String> {
    deliveries
        .iter()
        .map(|d| d.event()["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}
