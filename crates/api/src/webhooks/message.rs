//! One webhook message: a CloudEvents 1.0 event in structured JSON mode,
//! signed per the Standard Webhooks specification (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "id.timestamp.body">`), so receivers verify it with the spec's
//! reference libraries. Thin: what changed, its URL and the feed position;
//! the receiver fetches the rest with its own credentials.

use crate::desk::feed::encode_event_cursor;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use living_gate_db::desk::events::Event;
use living_gate_domain::desk::feed::{EventKind, Visibility};
use living_gate_domain::webhooks::message::{self, About};
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;
use uuid::Uuid;

/// The media type of a structured-mode CloudEvent.
pub const CONTENT_TYPE: &str = "application/cloudevents+json";
/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes, base64.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// A webhook message as receivers get it (CloudEvents 1.0, structured).
#[derive(Debug, Serialize, ToSchema)]
pub struct CloudEvent {
    #[schema(example = "1.0")]
    pub specversion: &'static str,
    /// The feed event's id: the same on every attempt (and the `webhook-id`
    /// header), so receivers drop duplicates by it.
    pub id: Uuid,
    #[schema(example = "https://api.living-gate.example.jp/v1/events")]
    pub source: String,
    #[serde(rename = "type")]
    #[schema(example = "jp.zama.livinggate.proposal.status_changed")]
    pub event_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "proposals/0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01")]
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    #[schema(example = "application/json")]
    pub datacontenttype: &'static str,
    pub data: EventData,
}

/// What a message tells: only ids and URLs the subscription's owner may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventData {
    /// The feed position (`null` for a ping).
    pub position: Option<i64>,
    /// The feed event's kind (`null` for a ping).
    pub kind: Option<EventKind>,
    pub visibility: Option<Visibility>,
    pub proposal_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
    /// The hearing, message, account … the event is about.
    pub subject_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    /// The resource to fetch, with the receiver's own credentials.
    pub resource_url: Option<String>,
    /// The feed from just before this event: `GET` it to catch up.
    pub events_url: String,
}

fn source(api: &str) -> String {
    format!("{api}/v1/events")
}

/// The message announcing feed event `event`.
pub fn for_event(event: &Event, api: &str) -> CloudEvent {
    let about = About::of(event.proposal_id, event.resource_id, event.subject_id);
    let resource_url = match about {
        About::Case(id) => Some(format!("{api}/v1/proposals/{id}")),
        About::Entry(id) => Some(format!("{api}/v1/resources/{id}")),
        About::Desk(_) => None,
    };
    CloudEvent {
        specversion: "1.0",
        id: event.id,
        source: source(api),
        event_type: message::event_type(event.kind, about),
        subject: message::subject(about),
        time: event.occurred_at,
        datacontenttype: "application/json",
        data: EventData {
            position: Some(event.position),
            kind: Some(event.kind),
            visibility: Some(event.visibility),
            proposal_id: event.proposal_id,
            resource_id: event.resource_id,
            subject_id: event.subject_id,
            department_id: event.department_id,
            resource_url,
            events_url: format!(
                "{api}/v1/events?cursor={}",
                encode_event_cursor(event.position - 1)
            ),
        },
    }
}

/// A ping: proves the URL, the signature and the receiver's answer.
pub fn ping(subscription_id: Uuid, api: &str, cursor: i64) -> CloudEvent {
    CloudEvent {
        specversion: "1.0",
        id: Uuid::now_v7(),
        source: source(api),
        event_type: message::PING_TYPE.to_owned(),
        subject: Some(format!("webhook-subscriptions/{subscription_id}")),
        time: Utc::now(),
        datacontenttype: "application/json",
        data: EventData {
            position: None,
            kind: None,
            visibility: None,
            proposal_id: None,
            resource_id: None,
            subject_id: Some(subscription_id),
            department_id: None,
            resource_url: Some(format!("{api}/v1/webhook-subscriptions/{subscription_id}")),
            events_url: format!("{api}/v1/events?cursor={}", encode_event_cursor(cursor)),
        },
    }
}

/// The Standard Webhooks signature of `body` with every secret given
/// (`v1,<sig>` each, space-separated: during a rotation both verify).
pub fn signature(secrets: &[String], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|secret| {
            let key = STANDARD
                .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
                .ok()?;
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body);
            Some(format!(
                "v1,{}",
                STANDARD.encode(mac.finalize().into_bytes())
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_the_reference_libraries_example() {
        // The test vector of the Standard Webhooks reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned();
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        let one = signature(std::slice::from_ref(&secret), id, 1_614_265_330, body);
        assert_eq!(one, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let two = signature(&[secret, new_secret()], id, 1_614_265_330, body);
        assert_eq!(two.split(' ').count(), 2);
        assert!(two.starts_with(&one));
    }

    #[test]
    fn secrets_have_the_standard_form() {
        let secret = new_secret();
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        assert_eq!(key.len(), 32);
    }
}
