//! One delivery attempt: the signed POST of a message to a subscription's
//! callback, and what came back (status, latency, a short excerpt).

use crate::auth::sealing::SealingKeys;
use crate::startup::webhook_config::WebhookConfig;
use crate::webhooks::callback;
use crate::webhooks::message::{self, CloudEvent};
use crate::webhooks::subscriptions::secret_context;
use chrono::{DateTime, Utc};
use living_gate_db::webhooks::Subscription;
use std::time::Instant;

/// What a receiver's body or an error may leave in the log.
const EXCERPT: usize = 200;

/// The outcome of one attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub status_code: Option<i32>,
    /// A 2xx came back.
    pub delivered: bool,
    /// The error, or the start of the receiver's body.
    pub detail: String,
}

/// The secrets that sign a subscription's messages now: the current one,
/// and the previous one until its overlap ends.
pub fn secrets(sealing: &SealingKeys, s: &Subscription) -> Result<Vec<String>, String> {
    let context = secret_context(s.id);
    let open = |sealed: &[u8]| {
        sealing
            .open(&context, sealed)
            .map_err(|e| e.to_string())
            .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
    };
    let mut secrets = vec![open(&s.secret_sealed)?];
    if let (Some(previous), Some(until)) = (&s.previous_secret_sealed, s.previous_secret_expires_at)
    {
        if until > Utc::now() {
            secrets.push(open(previous)?);
        }
    }
    Ok(secrets)
}

fn excerpt(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    clean.chars().take(EXCERPT).collect()
}

/// The error and its causes, one line.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".into();
    }
    let mut text = if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// POSTs `event` to `url`, signed with `secrets`; never longer than the
/// configured timeout.
pub async fn post(
    client: &reqwest::Client,
    config: &WebhookConfig,
    url: &str,
    secrets: &[String],
    event: &CloudEvent,
) -> Attempt {
    let started_at = Utc::now();
    let clock = Instant::now();
    let outcome = async {
        let url = callback::parse(url, config).map_err(|r| r.message)?;
        callback::check_literal(&url, config).map_err(|r| r.message)?;
        let body = serde_json::to_vec(event).map_err(|e| e.to_string())?;
        let id = event.id.to_string();
        let timestamp = started_at.timestamp();
        let response = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, message::CONTENT_TYPE)
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                message::signature(secrets, &id, timestamp, &body),
            )
            .body(body)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let status = response.status();
        // Only the start of the body is read, and kept.
        let mut response = response;
        let mut head = Vec::new();
        while head.len() < EXCERPT * 4 {
            match tokio::time::timeout(config.timeout, response.chunk()).await {
                Ok(Ok(Some(chunk))) => head.extend_from_slice(&chunk),
                _ => break,
            }
        }
        Ok::<_, String>((status, String::from_utf8_lossy(&head).into_owned()))
    }
    .await;
    let duration_ms = i32::try_from(clock.elapsed().as_millis()).unwrap_or(i32::MAX);
    match outcome {
        Ok((status, body)) => Attempt {
            started_at,
            duration_ms,
            status_code: Some(i32::from(status.as_u16())),
            delivered: status.is_success(),
            detail: excerpt(&body),
        },
        Err(error) => Attempt {
            started_at,
            duration_ms,
            status_code: None,
            delivered: false,
            detail: excerpt(&error),
        },
    }
}
