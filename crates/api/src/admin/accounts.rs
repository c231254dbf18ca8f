//! What the account handlers share: the user as the API shows it, and
//! issuing an invitation (the only way an account is created through the API).

use crate::auth::{secrets, Caller};
use crate::http::problem::ApiResult;
use crate::record::{self, Change, EventKind, FeedEvent};
use chrono::{DateTime, Utc};
use living_gate_db::accounts::invitations::{self as db, NewInvitation};
use living_gate_db::accounts::users::{self as users_db, NewUser};
use living_gate_db::audit::diff;
use living_gate_db::AsyncPgConnection;
use living_gate_domain::identity::UserStatus;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{Email, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e11", "email": "suzuki@sagami-tech.example.jp", "display_name": "鈴木 一郎",
    "role": "partner", "status": "active", "municipality_id": null, "department_id": null,
    "organization_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e20", "last_login_at": null,
    "created_at": "2026-11-27T09:00:00+00:00", "updated_at": "2026-11-27T09:05:00+00:00"
}))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub status: UserStatus,
    pub municipality_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<users_db::User> for User {
    fn from(u: users_db::User) -> Self {
        User {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            status: u.status,
            municipality_id: u.municipality_id,
            department_id: u.department_id,
            organization_id: u.organization_id,
            last_login_at: u.last_login_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

pub const VALID_DAYS: i64 = 7;

/// Who to invite.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "suzuki@sagami-tech.example.jp", "display_name": "鈴木 一郎"}))]
pub struct InviteRequest {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
}

/// The invitation: hand `token` to the person (once; it is stored hashed).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "invitation_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10", "user_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e11",
    "email": "suzuki@sagami-tech.example.jp", "role": "partner",
    "token": "mI1m0c8WkZr4x0bq0sQyq0nR7v9Yx2lJm2W1oG0d3xA", "expires_at": "2026-12-04T09:00:00+00:00"
}))]
pub struct Invitation {
    pub invitation_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    /// One-time secret for `POST /v1/invitations/{token}/accept`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// The account an invitation creates.
pub struct Invitee {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub municipality_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
}

/// Parses the e-mail and display name every invitation carries.
pub fn parse_contact(email: &str, display_name: &str) -> Result<(Email, String), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let email = errors.check(Email::parse("email", email));
    let display_name = errors.check(bounded_text("display_name", display_name, 1, 100));
    match (email, display_name) {
        (Some(email), Some(display_name)) if errors.is_empty() => Ok((email, display_name)),
        _ => Err(errors),
    }
}

/// Creates the invited user and the invitation, in the caller's transaction.
pub async fn invite(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    invitee: Invitee,
) -> ApiResult<Invitation> {
    let user = users_db::insert(
        conn,
        &NewUser {
            id: Uuid::now_v7(),
            email: invitee.email.into_string(),
            display_name: invitee.display_name,
            role: invitee.role,
            municipality_id: invitee.municipality_id,
            department_id: invitee.department_id,
            organization_id: invitee.organization_id,
            status: UserStatus::Invited,
            password_hash: None,
        },
    )
    .await?;
    issue(conn, caller, user).await
}

/// Issues the one-time invitation of an account that is `invited` (just
/// created, or created by a public intake): the token (stored hashed,
/// valid 7 days), the audit row and the `user_invited` event.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    user: users_db::User,
) -> ApiResult<Invitation> {
    let token = secrets::random_token();
    let invitation = db::insert(
        conn,
        &NewInvitation {
            id: Uuid::now_v7(),
            token_hash: secrets::token_hash(&token),
            user_id: user.id,
            invited_by: (!caller.actor.is_service_account).then_some(caller.actor.id),
            expires_at: Utc::now() + chrono::Duration::days(VALID_DAYS),
        },
    )
    .await?;
    record::write(
        conn,
        caller,
        Change {
            action: "user.invite".into(),
            target_type: "user",
            target_id: user.id.to_string(),
            changes: diff(None, &user),
            event: FeedEvent::desk(EventKind::UserInvited)
                .subject(user.id)
                .in_municipality(user.municipality_id),
        },
    )
    .await?;
    Ok(Invitation {
        invitation_id: invitation.id,
        user_id: user.id,
        email: user.email,
        role: user.role,
        token,
        expires_at: invitation.expires_at,
    })
}
