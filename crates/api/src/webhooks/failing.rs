//! Telling a city's desk that one of its webhook subscriptions stopped.

use chrono::SecondsFormat;
use living_gate_db::notify::recipients;
use living_gate_db::outbox::{self, Origin};
use living_gate_db::webhooks::Subscription;
use living_gate_db::{AsyncPgConnection, DbResult};
use living_gate_domain::notify::webhook_mail::{self, FailingWebhook};
use living_gate_domain::notify::{Mail, MailKind};
use living_gate_domain::Email;

/// Queues the desk's mail (in the caller's transaction). A partner's
/// subscription has no city and no desk: its owner sees the state and the
/// log; the feed event records it either way.
pub async fn tell_desk(
    conn: &mut AsyncPgConnection,
    subscription: &Subscription,
    last_error: &str,
    api: &str,
) -> DbResult<()> {
    let Some(city) = subscription.municipality_id else {
        return Ok(());
    };
    let since = subscription
        .failing_since
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default();
    let link = format!("{api}/v1/webhook-subscriptions/{}", subscription.id);
    let failing = FailingWebhook {
        description: &subscription.description,
        callback_url: &subscription.callback_url,
        failing_since: &since,
        last_error,
        link: &link,
    };
    for desk in recipients::desk_of(conn, city, MailKind::WebhookFailing).await? {
        let Ok(to) = Email::parse("email", &desk.email) else {
            continue;
        };
        let (subject, body) = webhook_mail::render(desk.language, &failing);
        let mail = Mail {
            kind: MailKind::WebhookFailing,
            to,
            language: desk.language,
            subject,
            body,
        };
        let origin = Origin {
            municipality_id: Some(city),
            recipient_user_id: Some(desk.user_id),
            event_position: None,
            proposal_id: None,
        };
        outbox::enqueue(conn, mail, origin).await?;
    }
    Ok(())
}
