//! Which Living Gate account an ID token signs in. Staff: the account
//! linked to (provider, subject), or, when one of the provider's group
//! mappings matches, an account created now in the provider's city. Never
//! by e-mail alone. Partners (GビズID-like): the userinfo endpoint gives the
//! corporate number; the organization holding it must be confirmed by the
//! desk (active); the person's account in it is linked, or created.
//! Disabled in Living Gate is refused whatever the provider says.

use super::client::Metadata;
use super::flow::refuse;
use crate::http::problem::{ApiError, ApiResult};
use crate::http::request_context::RequestMeta;
use crate::record::{self, Background, EventKind, FeedEvent};
use crate::state::AppState;
use diesel_async::AsyncConnection;
use living_gate_db::accounts::sign_in::{links, IdentityProvider};
use living_gate_db::accounts::users::{self, NewUser, User, UserChanges};
use living_gate_db::reference::organizations;
use living_gate_db::{pool, AsyncPgConnection};
use living_gate_domain::access::row_scope::row_scope;
use living_gate_domain::identity::{OrganizationStatus, UserStatus};
use living_gate_domain::intake::corporate_number::CorporateNumber;
use living_gate_domain::signin::{mapped_role, ClaimMapping, GroupMapping, ProviderAudience};
use living_gate_domain::{Email, Role};
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub struct SignedIn {
    pub user: User,
    pub link_id: Uuid,
}

fn text<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A claim that is a string or a number, as text (GビズID sends codes).
fn code(claims: &Map<String, Value>, name: &str) -> Option<String> {
    match claims.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn groups(claims: &Map<String, Value>, name: &str) -> Vec<String> {
    match claims.get(name) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// The account for these verified claims, or a refusal (audited).
pub async fn resolve(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    provider: &IdentityProvider,
    metadata: &Metadata,
    claims: &Map<String, Value>,
    access_token: Option<&str>,
) -> ApiResult<SignedIn> {
    let subject = text(claims, "sub").unwrap_or_default().to_owned();
    let mapping: ClaimMapping =
        serde_json::from_value(provider.claim_mapping.clone()).unwrap_or_default();
    let linked = links::find(conn, provider.id, &subject).await?;
    let signed_in = match (linked, provider.audience) {
        (Some(link), _) => match users::find(conn, link.user_id).await? {
            Some(user) => SignedIn {
                user,
                link_id: link.id,
            },
            None => return Err(ApiError::internal("a link to no account")),
        },
        (None, ProviderAudience::Staff) => {
            provision_staff(conn, meta, provider, &mapping, claims, &subject).await?
        }
        (None, ProviderAudience::Partner) => {
            let Some(access_token) = access_token else {
                return Err(ApiError::BadGateway(
                    "the token response has no access_token for userinfo".into(),
                ));
            };
            let userinfo = state
                .oidc
                .userinfo(metadata, access_token)
                .await
                .map_err(|e| ApiError::BadGateway(e.to_string()))?;
            // Core §5.3.2: the userinfo `sub` must be the ID token's.
            if text(&userinfo, "sub") != Some(subject.as_str()) {
                return Err(ApiError::BadGateway(
                    "the userinfo subject is not the ID token's".into(),
                ));
            }
            link_partner(conn, meta, provider, &mapping, &userinfo, &subject).await?
        }
    };
    let signed_in = activate_invited(conn, meta, signed_in).await?;
    check_account(conn, meta, provider, &signed_in.user).await?;
    links::record_use(conn, signed_in.link_id).await?;
    Ok(signed_in)
}

/// An account an admin invited and linked becomes active at its first
/// sign-in through the provider (as accepting the invitation would).
async fn activate_invited(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    signed_in: SignedIn,
) -> ApiResult<SignedIn> {
    if signed_in.user.status != UserStatus::Invited {
        return Ok(signed_in);
    }
    let before = signed_in.user;
    conn.transaction(async |conn| {
        let after = users::update(
            conn,
            before.id,
            &UserChanges {
                status: Some(UserStatus::Active),
                ..UserChanges::default()
            },
        )
        .await?;
        pool::scope_transaction(conn, &row_scope(Some(&after.actor()))).await?;
        let author = Background {
            actor: after.actor(),
            meta: meta.clone(),
        };
        record::updated(
            conn,
            &author,
            "user",
            &before,
            &after,
            FeedEvent::desk(EventKind::UserUpdated)
                .subject(after.id)
                .in_municipality(after.municipality_id),
        )
        .await?;
        Ok::<_, ApiError>(SignedIn {
            user: after,
            link_id: signed_in.link_id,
        })
    })
    .await
}

/// Disabled wins over the provider; a staff provider signs in only its
/// city's staff, a partner provider only partners.
async fn check_account(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    provider: &IdentityProvider,
    user: &User,
) -> ApiResult<()> {
    if user.status != UserStatus::Active {
        return Err(refuse(
            conn,
            meta,
            provider,
            "account_disabled",
            user.status.as_str(),
            "the Living Gate account is not active",
        )
        .await);
    }
    let fits = match provider.audience {
        ProviderAudience::Staff => {
            user.role != Role::Partner && user.municipality_id == provider.municipality_id
        }
        ProviderAudience::Partner => user.role == Role::Partner,
    };
    if !fits {
        return Err(refuse(
            conn,
            meta,
            provider,
            "not_linked",
            "account of another audience or city",
            "this account does not sign in with this provider",
        )
        .await);
    }
    Ok(())
}

async fn provision_staff(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    provider: &IdentityProvider,
    mapping: &ClaimMapping,
    claims: &Map<String, Value>,
    subject: &str,
) -> ApiResult<SignedIn> {
    let mappings: Vec<GroupMapping> =
        serde_json::from_value(provider.group_mappings.clone()).unwrap_or_default();
    let member_of = groups(claims, &mapping.groups);
    let Some(mapped) = mapped_role(&mappings, &member_of).cloned() else {
        return Err(refuse(
            conn,
            meta,
            provider,
            "not_linked",
            "no link and no mapped group",
            "no Living Gate account is linked to this identity; ask your administrator",
        )
        .await);
    };
    let email = text(claims, &mapping.email).and_then(|e| Email::parse("email", e).ok());
    let Some(email) = email else {
        return Err(refuse(
            conn,
            meta,
            provider,
            "not_linked",
            "mapped group but no valid e-mail claim",
            "the identity provider sent no e-mail address to create the account with",
        )
        .await);
    };
    if users::find_by_email(conn, email.as_str()).await?.is_some() {
        return Err(refuse(
            conn,
            meta,
            provider,
            "email_in_use",
            "an account with this e-mail exists but is not linked",
            "an account with this e-mail address exists; ask your administrator to link it",
        )
        .await);
    }
    let display_name = text(claims, &mapping.name)
        .map(|n| n.chars().take(100).collect::<String>())
        .unwrap_or_else(|| email.as_str().to_owned());
    let new = NewUser {
        id: Uuid::now_v7(),
        email: email.as_str().to_owned(),
        display_name,
        role: mapped.role,
        municipality_id: provider.municipality_id,
        department_id: if mapped.role == Role::Department {
            mapped.department_id
        } else {
            None
        },
        organization_id: None,
        status: UserStatus::Active,
        password_hash: None,
    };
    create_linked(
        conn,
        meta,
        provider,
        new,
        subject,
        json!({ "group": mapped.group }),
    )
    .await
}

async fn link_partner(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    provider: &IdentityProvider,
    mapping: &ClaimMapping,
    userinfo: &Map<String, Value>,
    subject: &str,
) -> ApiResult<SignedIn> {
    let number = code(userinfo, &mapping.corporate_number)
        .and_then(|n| CorporateNumber::parse("corporate_number", &n).ok());
    let Some(number) = number else {
        return Err(refuse(
            conn,
            meta,
            provider,
            "corporate_number_missing",
            "no valid corporate number in userinfo",
            "the identity provider names no corporate number; groups without one sign in with e-mail and password",
        )
        .await);
    };
    let organization = organizations::find_by_corporate_number(conn, number.as_str())
        .await?
        .filter(|o| o.status == OrganizationStatus::Active);
    let Some(organization) = organization else {
        return Err(refuse(
            conn,
            meta,
            provider,
            "organization_not_confirmed",
            number.as_str(),
            "no organization with this corporate number has been confirmed by the desk yet",
        )
        .await);
    };
    let account_type = code(userinfo, &mapping.account_type);
    let email = text(userinfo, &mapping.email).and_then(|e| Email::parse("email", e).ok());
    let Some(email) = email else {
        return Err(refuse(
            conn,
            meta,
            provider,
            "not_linked",
            "no e-mail in userinfo to create the account with",
            "the identity provider sent no e-mail address; ask the desk to invite you",
        )
        .await);
    };
    // The provider proved membership of the organization; an account of
    // that same organization with this address is the person's.
    if let Some(existing) = users::find_by_email(conn, email.as_str()).await? {
        if existing.organization_id != Some(organization.id) || existing.role != Role::Partner {
            return Err(refuse(
                conn,
                meta,
                provider,
                "email_in_use",
                "the e-mail belongs to an account outside the organization",
                "an account with this e-mail address exists elsewhere; ask the desk",
            )
            .await);
        }
        return link_existing(
            conn,
            meta,
            provider,
            existing,
            subject,
            json!({
                "corporate_number": number.as_str(), "account_type": account_type,
            }),
        )
        .await;
    }
    let display_name = text(userinfo, &mapping.name)
        .map(|n| n.chars().take(100).collect::<String>())
        .unwrap_or_else(|| organization.name.clone());
    let new = NewUser {
        id: Uuid::now_v7(),
        email: email.as_str().to_owned(),
        display_name,
        role: Role::Partner,
        municipality_id: None,
        department_id: None,
        organization_id: Some(organization.id),
        status: UserStatus::Active,
        password_hash: None,
    };
    create_linked(
        conn,
        meta,
        provider,
        new,
        subject,
        json!({
            "corporate_number": number.as_str(), "account_type": account_type,
        }),
    )
    .await
}

/// The account, created and linked in one transaction, audited as written
/// by the account itself (`user.create` with `user_provisioned`).
async fn create_linked(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    provider: &IdentityProvider,
    new: NewUser,
    subject: &str,
    why: Value,
) -> ApiResult<SignedIn> {
    let provider_id = provider.id;
    let municipality = provider.municipality_id;
    conn.transaction(async |conn| {
        let user = users::insert(conn, &new).await?;
        let link = links::insert(conn, provider_id, subject, user.id).await?;
        // Written as the account itself, in its row scope.
        pool::scope_transaction(conn, &row_scope(Some(&user.actor()))).await?;
        let author = Background {
            actor: user.actor(),
            meta: meta.clone(),
        };
        let mut change = record::Change::created(
            "user",
            &user,
            FeedEvent::desk(EventKind::UserProvisioned)
                .subject(user.id)
                .in_municipality(municipality),
        );
        if let Value::Object(changes) = &mut change.changes {
            changes.insert(
                "via".into(),
                json!({ "provider_id": provider_id, "claims": why }),
            );
        }
        record::write(conn, &author, change).await?;
        Ok::<_, ApiError>(SignedIn {
            user,
            link_id: link.id,
        })
    })
    .await
}

async fn link_existing(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    provider: &IdentityProvider,
    user: User,
    subject: &str,
    why: Value,
) -> ApiResult<SignedIn> {
    let provider_id = provider.id;
    conn.transaction(async |conn| {
        let link = links::insert(conn, provider_id, subject, user.id).await?;
        // Written as the account itself, in its row scope.
        pool::scope_transaction(conn, &row_scope(Some(&user.actor()))).await?;
        let author = Background {
            actor: user.actor(),
            meta: meta.clone(),
        };
        let mut change = record::Change::created(
            "identity_link",
            &link,
            FeedEvent::desk(EventKind::IdentityLinked).subject(user.id),
        );
        if let Value::Object(changes) = &mut change.changes {
            changes.insert("via".into(), why);
        }
        record::write(conn, &author, change).await?;
        Ok::<_, ApiError>(SignedIn {
            user,
            link_id: link.id,
        })
    })
    .await
}
