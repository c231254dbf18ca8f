//! Identity providers as data (issue 17): the platform admin registers any
//! (GビズID-like ones included), a city's admin its own city's IdP for its
//! staff; claim and group mappings are part of the configuration, and every
//! change is audited. Admins link an account to a provider's subject.

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::etag::{with_etag, IfMatch};
use crate::http::pagination::Paginated;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::sign_in::{
    links, providers as db, IdentityLink, IdentityProvider, IdentityProviderChanges,
    NewIdentityProvider,
};
use living_gate_db::accounts::users;
use living_gate_db::reference::departments;
use living_gate_db::{pool, AsyncPgConnection};
use living_gate_domain::identity::RecordStatus;
use living_gate_domain::names::bounded_text;
use living_gate_domain::signin::{provisionable, ClaimMapping, GroupMapping, ProviderAudience};
use living_gate_domain::{authorize, Action, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A provider as its admins see it (never the client secret).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e70", "slug": "zama-entra", "display_name": "座間市職員 (Entra ID)",
    "audience": "staff", "issuer": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
    "client_id": "6f1c…", "has_client_secret": true, "scopes": "openid profile email",
    "redirect_uri": "https://living-gate.example.jp/sign-in/callback", "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01",
    "claim_mapping": {"groups": "groups", "email": "email", "name": "name", "corporate_number": "corporate_number", "account_type": "account_type"},
    "group_mappings": [{"group": "LG-Desk", "role": "desk", "department_id": null}],
    "status": "active", "version": 1, "created_at": "2026-12-02T09:00:00+00:00", "updated_at": "2026-12-02T09:00:00+00:00"}))]
pub struct IdentityProviderView {
    pub id: Uuid,
    pub slug: String,
    pub display_name: String,
    pub audience: ProviderAudience,
    pub issuer: String,
    pub client_id: String,
    pub has_client_secret: bool,
    pub scopes: String,
    pub redirect_uri: String,
    pub municipality_id: Option<Uuid>,
    pub claim_mapping: ClaimMapping,
    pub group_mappings: Vec<GroupMapping>,
    pub status: RecordStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<IdentityProvider> for IdentityProviderView {
    fn from(p: IdentityProvider) -> Self {
        IdentityProviderView {
            id: p.id,
            slug: p.slug,
            display_name: p.display_name,
            audience: p.audience,
            issuer: p.issuer,
            client_id: p.client_id,
            has_client_secret: p.client_secret_sealed.is_some(),
            scopes: p.scopes,
            redirect_uri: p.redirect_uri,
            municipality_id: p.municipality_id,
            claim_mapping: serde_json::from_value(p.claim_mapping).unwrap_or_default(),
            group_mappings: serde_json::from_value(p.group_mappings).unwrap_or_default(),
            status: p.status,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slug": "zama-entra", "display_name": "座間市職員 (Entra ID)", "audience": "staff",
    "issuer": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0", "client_id": "6f1c…", "client_secret": "…",
    "scopes": "openid profile email", "redirect_uri": "https://living-gate.example.jp/sign-in/callback",
    "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01",
    "group_mappings": [{"group": "LG-Desk", "role": "desk", "department_id": null}]}))]
pub struct CreateIdentityProvider {
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,62}$")]
    pub slug: String,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    pub audience: ProviderAudience,
    /// The issuer identifier; `{issuer}/.well-known/openid-configuration`
    /// must answer with exactly this `issuer`. https (http only for a
    /// provider on this machine).
    #[schema(min_length = 1, max_length = 500)]
    pub issuer: String,
    #[schema(min_length = 1, max_length = 255)]
    pub client_id: String,
    /// Sealed at rest, never shown again.
    #[schema(min_length = 1, max_length = 500)]
    pub client_secret: Option<String>,
    /// Space-separated; must include `openid` (default `openid profile email`).
    #[schema(max_length = 500)]
    pub scopes: Option<String>,
    /// The front end's callback page, as registered at the provider.
    #[schema(min_length = 1, max_length = 500)]
    pub redirect_uri: String,
    /// Required for `staff` (the city whose staff sign in), absent for `partner`.
    pub municipality_id: Option<Uuid>,
    pub claim_mapping: Option<ClaimMapping>,
    #[schema(max_items = 50)]
    pub group_mappings: Option<Vec<GroupMapping>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"group_mappings": [{"group": "LG-Desk", "role": "desk", "department_id": null}], "status": "active"}))]
pub struct UpdateIdentityProvider {
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    #[schema(min_length = 1, max_length = 255)]
    pub client_id: Option<String>,
    #[schema(min_length = 1, max_length = 500)]
    pub client_secret: Option<String>,
    #[schema(max_length = 500)]
    pub scopes: Option<String>,
    #[schema(min_length = 1, max_length = 500)]
    pub redirect_uri: Option<String>,
    pub claim_mapping: Option<ClaimMapping>,
    #[schema(max_items = 50)]
    pub group_mappings: Option<Vec<GroupMapping>>,
    pub status: Option<RecordStatus>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"provider_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e70", "subject": "a2f3c1d0-…"}))]
pub struct CreateIdentityLink {
    pub provider_id: Uuid,
    /// The provider's `sub` for this person.
    #[schema(min_length = 1, max_length = 255)]
    pub subject: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e71", "provider_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e70",
    "subject": "a2f3c1d0-…", "user_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10", "last_used_at": null, "created_at": "2026-12-02T09:00:00+00:00"}))]
pub struct IdentityLinkView {
    pub id: Uuid,
    pub provider_id: Uuid,
    pub subject: String,
    pub user_id: Uuid,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<IdentityLink> for IdentityLinkView {
    fn from(l: IdentityLink) -> Self {
        IdentityLinkView {
            id: l.id,
            provider_id: l.provider_id,
            subject: l.subject,
            user_id: l.user_id,
            last_used_at: l.last_used_at,
            created_at: l.created_at,
        }
    }
}

fn web_url(errors: &mut ValidationErrors, field: &str, raw: &str) -> Option<String> {
    let raw = raw.trim();
    let parsed = url::Url::parse(raw).ok().filter(|u| {
        let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        (u.scheme() == "https" || (u.scheme() == "http" && loopback))
            && u.fragment().is_none()
            && raw.len() <= 500
    });
    if parsed.is_none() {
        errors.add(
            field,
            "invalid_url",
            "must be an https URL without fragment (http only on this machine), at most 500 characters",
        );
    }
    parsed.map(|_| raw.to_owned())
}

fn scopes(errors: &mut ValidationErrors, raw: Option<&str>) -> Option<String> {
    let raw = raw.unwrap_or("openid profile email");
    let words: Vec<&str> = raw.split_whitespace().collect();
    let valid = words.contains(&"openid")
        && raw.len() <= 500
        && words.iter().all(|w| {
            w.bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        });
    if !valid {
        errors.add(
            "scopes",
            "invalid_scopes",
            "space-separated scopes including openid",
        );
        return None;
    }
    Some(words.join(" "))
}

fn claim_mapping(errors: &mut ValidationErrors, mapping: &ClaimMapping) {
    for (field, value) in [
        ("claim_mapping.groups", &mapping.groups),
        ("claim_mapping.email", &mapping.email),
        ("claim_mapping.name", &mapping.name),
        ("claim_mapping.corporate_number", &mapping.corporate_number),
        ("claim_mapping.account_type", &mapping.account_type),
    ] {
        errors.check(bounded_text(field, value, 1, 100));
    }
}

/// Group mappings: staff roles, a department of the provider's city for
/// `department` and none otherwise.
async fn check_mappings(
    conn: &mut AsyncPgConnection,
    errors: &mut ValidationErrors,
    mappings: &[GroupMapping],
    audience: ProviderAudience,
    municipality_id: Option<Uuid>,
) -> ApiResult<()> {
    if audience == ProviderAudience::Partner && !mappings.is_empty() {
        errors.add(
            "group_mappings",
            "not_for_partners",
            "a partner provider maps no groups",
        );
        return Ok(());
    }
    if mappings.len() > 50 {
        errors.add("group_mappings", "too_many", "at most 50 mappings");
        return Ok(());
    }
    for (i, mapping) in mappings.iter().enumerate() {
        let field = format!("group_mappings[{i}]");
        errors.check(bounded_text(
            &format!("{field}.group"),
            &mapping.group,
            1,
            255,
        ));
        if !provisionable(mapping.role) {
            errors.add(
                &format!("{field}.role"),
                "not_provisionable",
                "desk or department",
            );
            continue;
        }
        match (mapping.role, mapping.department_id) {
            (Role::Department, Some(id)) => {
                let found = departments::find(conn, id).await?;
                if found.is_none_or(|d| Some(d.municipality_id) != municipality_id) {
                    errors.add(
                        &format!("{field}.department_id"),
                        "unknown_department",
                        "a department of the provider's city",
                    );
                }
            }
            (Role::Department, None) => errors.add(
                &format!("{field}.department_id"),
                "required",
                "required for the department role",
            ),
            (_, Some(_)) => errors.add(
                &format!("{field}.department_id"),
                "not_allowed",
                "only for the department role",
            ),
            (_, None) => {}
        }
    }
    Ok(())
}

/// Lists identity providers (the platform admin all, a city's admin its city's).
#[utoipa::path(operation_id = "listIdentityProviders", tag = "identity providers", security(("bearer" = [])),
    responses((status = 200, description = "The providers, by slug (at most 200)", body = Paginated<IdentityProviderView>),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/identity-providers")]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let city = match caller.actor.role {
        Role::PlatformAdmin => None,
        _ => {
            authorize(
                &caller.actor,
                Action::ManageIdentityProviders {
                    municipality_id: caller.actor.municipality_id,
                },
            )?;
            caller.actor.municipality_id
        }
    };
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::list(&mut conn, false, city).await?;
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(IdentityProviderView::from).collect(),
        None,
    )))
}

/// Registers an identity provider.
#[utoipa::path(operation_id = "createIdentityProvider", tag = "identity providers", request_body = CreateIdentityProvider, security(("bearer" = [])),
    responses((status = 201, description = "Registered", body = IdentityProviderView, headers(("ETag" = String))),
        (status = 403, description = "Not the platform admin, nor the admin of the provider's city", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/identity-providers")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateIdentityProvider>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    authorize(
        &caller.actor,
        Action::ManageIdentityProviders {
            municipality_id: body.municipality_id,
        },
    )?;
    let mut errors = ValidationErrors::new();
    let slug_ok = body.slug.len() <= 63
        && body
            .slug
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_lowercase() || b.is_ascii_digit() || (b == b'-' && i > 0))
        && !body.slug.is_empty();
    if !slug_ok {
        errors.add(
            "slug",
            "invalid_slug",
            "lower-case letters, digits and hyphens",
        );
    }
    let display_name = errors.check(bounded_text("display_name", &body.display_name, 1, 100));
    let issuer = web_url(&mut errors, "issuer", &body.issuer);
    let redirect_uri = web_url(&mut errors, "redirect_uri", &body.redirect_uri);
    let client_id = errors.check(bounded_text("client_id", &body.client_id, 1, 255));
    if let Some(secret) = &body.client_secret {
        errors.check(bounded_text("client_secret", secret, 1, 500));
    }
    let scopes = scopes(&mut errors, body.scopes.as_deref());
    let mapping = body.claim_mapping.clone().unwrap_or_default();
    claim_mapping(&mut errors, &mapping);
    match (body.audience, body.municipality_id) {
        (ProviderAudience::Staff, None) => errors.add(
            "municipality_id",
            "required",
            "required for a staff provider",
        ),
        (ProviderAudience::Partner, Some(_)) => errors.add(
            "municipality_id",
            "not_allowed",
            "a partner provider belongs to no city",
        ),
        _ => {}
    }
    let mappings = body.group_mappings.clone().unwrap_or_default();
    let mut conn = pool::connection(&state.pool).await?;
    check_mappings(
        &mut conn,
        &mut errors,
        &mappings,
        body.audience,
        body.municipality_id,
    )
    .await?;
    errors.into_result()?;
    let (Some(display_name), Some(issuer), Some(redirect_uri), Some(client_id), Some(scopes)) =
        (display_name, issuer, redirect_uri, client_id, scopes)
    else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let id = Uuid::now_v7();
    let new = NewIdentityProvider {
        id,
        slug: body.slug,
        display_name,
        audience: body.audience,
        issuer,
        client_id,
        client_secret_sealed: body
            .client_secret
            .as_deref()
            .map(|s| {
                state
                    .sealing
                    .seal(&format!("idp-client-secret:{id}"), s.as_bytes())
            })
            .transpose()
            .map_err(ApiError::internal)?,
        scopes,
        redirect_uri,
        municipality_id: body.municipality_id,
        claim_mapping: serde_json::to_value(&mapping).map_err(ApiError::internal)?,
        group_mappings: serde_json::to_value(&mappings).map_err(ApiError::internal)?,
    };
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(conn, &new).await?;
            record::created(
                conn,
                &caller,
                "identity_provider",
                &row,
                FeedEvent::desk(EventKind::IdentityProviderCreated)
                    .subject(row.id)
                    .in_municipality(row.municipality_id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Created(),
        row.version,
        IdentityProviderView::from(row),
    ))
}

/// Changes a provider: its mappings, client, scopes, or disables it.
#[utoipa::path(operation_id = "updateIdentityProvider", tag = "identity providers", request_body = UpdateIdentityProvider, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = IdentityProviderView, headers(("ETag" = String))),
        (status = 403, description = "Not allowed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/identity-providers/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateIdentityProvider>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let id = id.into_inner();
    let mut conn = pool::connection(&state.pool).await?;
    let current = db::find(&mut conn, id).await?.ok_or(ApiError::NotFound)?;
    authorize(
        &caller.actor,
        Action::ManageIdentityProviders {
            municipality_id: current.municipality_id,
        },
    )?;
    let mut errors = ValidationErrors::new();
    let display_name = body
        .display_name
        .as_deref()
        .and_then(|v| errors.check(bounded_text("display_name", v, 1, 100)));
    let client_id = body
        .client_id
        .as_deref()
        .and_then(|v| errors.check(bounded_text("client_id", v, 1, 255)));
    if let Some(secret) = &body.client_secret {
        errors.check(bounded_text("client_secret", secret, 1, 500));
    }
    let redirect_uri = body
        .redirect_uri
        .as_deref()
        .and_then(|v| web_url(&mut errors, "redirect_uri", v));
    let new_scopes = match body.scopes.as_deref() {
        Some(raw) => scopes(&mut errors, Some(raw)),
        None => None,
    };
    if let Some(mapping) = &body.claim_mapping {
        claim_mapping(&mut errors, mapping);
    }
    if let Some(mappings) = &body.group_mappings {
        check_mappings(
            &mut conn,
            &mut errors,
            mappings,
            current.audience,
            current.municipality_id,
        )
        .await?;
    }
    errors.into_result()?;
    let changes = IdentityProviderChanges {
        display_name,
        client_id,
        client_secret_sealed: body
            .client_secret
            .as_deref()
            .map(|s| {
                state
                    .sealing
                    .seal(&format!("idp-client-secret:{id}"), s.as_bytes())
                    .map(Some)
            })
            .transpose()
            .map_err(ApiError::internal)?,
        scopes: new_scopes,
        redirect_uri,
        claim_mapping: body
            .claim_mapping
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(ApiError::internal)?,
        group_mappings: body
            .group_mappings
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(ApiError::internal)?,
        status: body.status,
    };
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, id).await?)?;
            let after = db::update(conn, before.id, &changes).await?;
            record::updated(
                conn,
                &caller,
                "identity_provider",
                &before,
                &after,
                FeedEvent::desk(EventKind::IdentityProviderUpdated)
                    .subject(after.id)
                    .in_municipality(after.municipality_id),
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        IdentityProviderView::from(row),
    ))
}

/// Links an account to a provider's subject: from then on that person signs
/// in with the provider (staff: a provider of the account's city).
#[utoipa::path(operation_id = "createIdentityLink", tag = "identity providers", request_body = CreateIdentityLink, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account")),
    responses((status = 201, description = "Linked", body = IdentityLinkView),
        (status = 403, description = "Not allowed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account (or not yours to see)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The subject is linked already", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body, or a provider that does not sign in this account", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/users/{id}/identity-links")]
pub async fn link(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CreateIdentityLink>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let subject = bounded_text("subject", &body.subject, 1, 255)?;
    let mut conn = pool::connection(&state.pool).await?;
    let user = users::find(&mut conn, *id).await?;
    authorize(
        &caller.actor,
        Action::ManageAccount {
            municipality_id: user.as_ref().and_then(|u| u.municipality_id),
        },
    )?;
    let user = user.ok_or(ApiError::NotFound)?;
    let provider = db::find(&mut conn, body.provider_id).await?;
    let fits = provider.as_ref().is_some_and(|p| match p.audience {
        ProviderAudience::Staff => {
            user.role != Role::Partner && user.municipality_id == p.municipality_id
        }
        ProviderAudience::Partner => user.role == Role::Partner,
    });
    if !fits {
        return Err(ApiError::validation(
            "provider_id",
            "unsuitable_provider",
            "a provider that signs in this account (staff: of its city; partners: a partner provider)",
        ));
    }
    let row = conn
        .transaction(async |conn| {
            let row = links::insert(conn, body.provider_id, &subject, user.id).await?;
            record::created(
                conn,
                &caller,
                "identity_link",
                &row,
                FeedEvent::desk(EventKind::IdentityLinked)
                    .subject(user.id)
                    .in_municipality(user.municipality_id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(IdentityLinkView::from(row)))
}
