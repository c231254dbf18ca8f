//! `GET/PUT /v1/me/notification-preferences`: the mail kinds a signed-in
//! account may receive, whether each is on, and its mail language.
//! Mandatory kinds (codes, resets, invitations) cannot be switched: 422.

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use diesel_async::AsyncConnection;
use living_gate_db::notify::preferences as db;
use living_gate_db::pool;
use living_gate_domain::notify::{Language, MailKind};
use living_gate_domain::{Actor, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One kind of mail and whether the account receives it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindChoice {
    pub kind: MailKind,
    pub enabled: bool,
}

/// An account's notification settings.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"language": "ja", "kinds": [{"kind": "status_changed", "enabled": true}]}))]
pub struct NotificationPreferences {
    pub language: Language,
    /// The kinds the account's role may receive, each on or off.
    pub kinds: Vec<KindChoice>,
}

/// New settings: the language, and the kinds to switch (others unchanged).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"language": "en", "kinds": [{"kind": "status_changed", "enabled": false}]}))]
pub struct SetNotificationPreferences {
    pub language: Language,
    #[serde(default)]
    #[schema(max_items = 16)]
    pub kinds: Vec<KindChoice>,
}

/// The kinds a role's accounts may receive (and so switch).
fn kinds_for(role: Role) -> &'static [MailKind] {
    use MailKind::*;
    match role {
        Role::Partner => &[StatusChanged, MessageShared],
        Role::Department => &[
            HearingRequested,
            MatchProposed,
            DecisionAwaited,
            DueDatePassed,
        ],
        Role::Desk => &[
            IntakeConfirmed,
            HearingAnswered,
            MatchAccepted,
            MatchDeclined,
            Decided,
            AttachmentQuarantined,
            DeliveryFailed,
            WebhookFailing,
            CoordinatorAssigned,
            DueDatePassed,
        ],
        _ => &[],
    }
}

/// Service accounts receive no mail and have no settings.
fn account(caller: &Caller) -> ApiResult<&Actor> {
    if caller.actor.is_service_account {
        return Err(ApiError::Forbidden);
    }
    Ok(&caller.actor)
}

async fn current(
    conn: &mut living_gate_db::AsyncPgConnection,
    actor: &Actor,
) -> ApiResult<NotificationPreferences> {
    let choices = db::choices(conn, actor.id).await?;
    let language = db::language(conn, actor.id).await?;
    let kinds = kinds_for(actor.role)
        .iter()
        .map(|kind| KindChoice {
            kind: *kind,
            enabled: choices
                .iter()
                .find(|(k, _)| k == kind)
                .map(|(_, on)| *on)
                .unwrap_or(true),
        })
        .collect();
    Ok(NotificationPreferences { language, kinds })
}

/// The caller's notification settings.
#[utoipa::path(operation_id = "getNotificationPreferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "The caller's settings", body = NotificationPreferences),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Service accounts receive no mail", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/me/notification-preferences")]
pub async fn get(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let actor = account(&caller)?;
    let mut conn = pool::connection(&state.pool).await?;
    Ok(HttpResponse::Ok().json(current(&mut conn, actor).await?))
}

/// Sets the caller's mail language and switches kinds on or off.
#[utoipa::path(operation_id = "setNotificationPreferences", tag = "notifications", request_body = SetNotificationPreferences, security(("bearer" = [])),
    responses((status = 200, description = "The settings now", body = NotificationPreferences),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Service accounts receive no mail", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A kind that cannot be switched off, that the caller never receives, or named twice", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/me/notification-preferences")]
pub async fn set(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<SetNotificationPreferences>,
) -> ApiResult<HttpResponse> {
    let actor = account(&caller)?.clone();
    let body = body.into_inner();
    let mut errors = ValidationErrors::new();
    let allowed = kinds_for(actor.role);
    for (i, choice) in body.kinds.iter().enumerate() {
        let field = format!("kinds[{i}].kind");
        if !choice.kind.optional() {
            errors.add(&field, "mandatory", "this kind of mail always goes");
        } else if !allowed.contains(&choice.kind) {
            errors.add(
                &field,
                "not_received",
                "the caller's role never receives this kind",
            );
        } else if body.kinds[..i].iter().any(|c| c.kind == choice.kind) {
            errors.add(&field, "duplicate", "named twice");
        }
    }
    errors.into_result()?;
    let choices: Vec<(MailKind, bool)> = body.kinds.iter().map(|c| (c.kind, c.enabled)).collect();
    let mut conn = pool::connection(&state.pool).await?;
    let after = conn
        .transaction(async |conn| {
            let before = current(conn, &actor).await?;
            db::set(conn, actor.id, body.language, &choices).await?;
            let after = current(conn, &actor).await?;
            record::write(
                conn,
                &caller,
                Change {
                    action: "notification_preferences.update".into(),
                    target_type: "notification_preferences",
                    target_id: actor.id.to_string(),
                    changes: serde_json::json!({
                        "language": {"before": before.language.as_str(), "after": after.language.as_str()},
                        "kinds": choices.iter().map(|(k, on)| serde_json::json!({"kind": k.as_str(), "enabled": on})).collect::<Vec<_>>(),
                    }),
                    event: FeedEvent::desk(EventKind::UserUpdated)
                        .subject(actor.id)
                        .in_municipality(actor.municipality_id),
                },
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(after))
}
