//! Partner organizations: the desk and admins register and change them,
//! staff read them, a partner reads only its own; the desk invites their people.

use crate::admin::accounts::{self, Invitation, InviteRequest, Invitee};
use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::etag::IfMatch;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::pool;
use living_gate_db::reference::organizations::{
    self as db, NewOrganization, OrganizationChanges, OrganizationFilter,
};
use living_gate_domain::access::policy::{organization_scope, OrganizationScope};
use living_gate_domain::identity::{
    corporate_number, postal_code, website, OrganizationKind, OrganizationStatus,
};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e20", "name": "さがみテック株式会社", "name_kana": "さがみてっく",
    "kind": "company", "corporate_number": "7000012050002", "postal_code": "252-8566",
    "address": "神奈川県座間市緑ケ丘一丁目1番1号", "website": "https://sagami-tech.example.jp", "status": "active",
    "created_at": "2026-05-01T00:00:00+00:00", "updated_at": "2026-05-01T00:00:00+00:00"
}))]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub name_kana: Option<String>,
    pub kind: OrganizationKind,
    /// 法人番号 (13 digits), where the body has one.
    pub corporate_number: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    pub status: OrganizationStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<db::Organization> for Organization {
    fn from(o: db::Organization) -> Self {
        Organization {
            id: o.id,
            name: o.name,
            name_kana: o.name_kana,
            kind: o.kind,
            corporate_number: o.corporate_number,
            postal_code: o.postal_code,
            address: o.address,
            website: o.website,
            status: o.status,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationListParams {
    pub kind: Option<OrganizationKind>,
    pub status: Option<OrganizationStatus>,
    /// Substring of the name or its kana (case-insensitive).
    #[param(max_length = 100)]
    pub q: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "さがみテック株式会社", "name_kana": "さがみてっく", "kind": "company",
    "corporate_number": "7000012050002", "postal_code": "252-8566", "address": "神奈川県座間市緑ケ丘一丁目1番1号",
    "website": "https://sagami-tech.example.jp"}))]
pub struct CreateOrganization {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name_kana: Option<String>,
    pub kind: OrganizationKind,
    #[schema(pattern = "^[0-9]{13}$")]
    pub corporate_number: Option<String>,
    #[schema(pattern = "^[0-9]{3}-[0-9]{4}$")]
    pub postal_code: Option<String>,
    #[schema(min_length = 1, max_length = 300)]
    pub address: Option<String>,
    #[schema(max_length = 2000)]
    pub website: Option<String>,
}

/// Fields to change; `null` clears an optional field, an absent field is kept.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"website": "https://www.sagami-tech.example.jp", "address": null}))]
pub struct UpdateOrganization {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub name_kana: Option<Option<String>>,
    pub kind: Option<OrganizationKind>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{13}$")]
    pub corporate_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{3}-[0-9]{4}$")]
    pub postal_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 300)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub website: Option<Option<String>>,
    pub status: Option<OrganizationStatus>,
}

type Parser = fn(&str, &str) -> Result<String, ValidationErrors>;

fn optional(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<&str>,
    parse: Parser,
) -> Option<String> {
    value.and_then(|v| errors.check(parse(field, v)))
}

fn kana(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    bounded_text(field, raw, 1, 200)
}

fn address(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    bounded_text(field, raw, 1, 300)
}

/// Lists the organizations visible to the caller (a partner sees only its own).
#[utoipa::path(operation_id = "listOrganizations", tag = "organizations", params(PageParams, OrganizationListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of organizations", body = Paginated<Organization>),
        (status = 403, description = "Analysts see aggregates only", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/organizations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<OrganizationListParams>,
) -> ApiResult<HttpResponse> {
    let scope = organization_scope(&caller.actor)?;
    let page = params.page()?;
    let q = filter
        .q
        .as_deref()
        .map(|q| bounded_text("q", q, 1, 100))
        .transpose()?;
    let filter = OrganizationFilter {
        only: match scope {
            OrganizationScope::All => None,
            OrganizationScope::Only(id) => Some(id),
        },
        kind: filter.kind,
        status: filter.status,
        q,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let (rows, next) = page.finish(db::list(&mut conn, &filter, page).await?, |o| o.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(Organization::from).collect(),
        next,
    )))
}

/// One organization, with its `ETag` (404 for a partner asking about another organization).
#[utoipa::path(operation_id = "getOrganization", tag = "organizations", security(("bearer" = [])),
    responses((status = 200, description = "The organization", body = Organization, headers(("ETag" = String))),
        (status = 403, description = "Analysts see aggregates only", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/organizations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(
        &caller.actor,
        Action::ReadOrganization {
            organization_id: *id,
        },
    )?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Organization::from(row),
    ))
}

/// Registers a partner organization (desk, admin).
#[utoipa::path(operation_id = "createOrganization", tag = "organizations", request_body = CreateOrganization, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Organization, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk and admins register organizations", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The corporate number is taken", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/organizations")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateOrganization>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::CreateOrganization)?;
    let mut errors = ValidationErrors::new();
    let name = errors.check(bounded_text("name", &body.name, 1, 200));
    let new = NewOrganization {
        id: Uuid::now_v7(),
        name: name.unwrap_or_default(),
        name_kana: optional(&mut errors, "name_kana", body.name_kana.as_deref(), kana),
        kind: body.kind,
        corporate_number: optional(
            &mut errors,
            "corporate_number",
            body.corporate_number.as_deref(),
            corporate_number,
        ),
        postal_code: optional(
            &mut errors,
            "postal_code",
            body.postal_code.as_deref(),
            postal_code,
        ),
        address: optional(&mut errors, "address", body.address.as_deref(), address),
        website: optional(&mut errors, "website", body.website.as_deref(), website),
    };
    errors.into_result()?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(conn, &new).await?;
            record::created(
                conn,
                &caller,
                "organization",
                &row,
                FeedEvent::desk(EventKind::OrganizationCreated).subject(row.id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/organizations/{}", row.id);
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .take(),
        row.version,
        Organization::from(row),
    ))
}

/// Changes an organization (desk, admin).
#[utoipa::path(operation_id = "updateOrganization", tag = "organizations", request_body = UpdateOrganization, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Organization, headers(("ETag" = String))),
        (status = 403, description = "Only the desk and admins change organizations", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The corporate number is taken", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/organizations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateOrganization>,
) -> ApiResult<HttpResponse> {
    authorize(
        &caller.actor,
        Action::UpdateOrganization {
            organization_id: *id,
        },
    )?;
    let mut errors = ValidationErrors::new();
    let mut clearable = |field: &str, value: &Option<Option<String>>, parse: Parser| {
        value
            .as_ref()
            .map(|inner| optional(&mut errors, field, inner.as_deref(), parse))
    };
    let changes = OrganizationChanges {
        name_kana: clearable("name_kana", &body.name_kana, kana),
        corporate_number: clearable("corporate_number", &body.corporate_number, corporate_number),
        postal_code: clearable("postal_code", &body.postal_code, postal_code),
        address: clearable("address", &body.address, address),
        website: clearable("website", &body.website, website),
        name: None,
        kind: body.kind,
        status: body.status,
    };
    let changes = OrganizationChanges {
        name: body
            .name
            .as_deref()
            .and_then(|v| errors.check(bounded_text("name", v, 1, 200))),
        ..changes
    };
    errors.into_result()?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            let after = db::update(conn, before.id, &changes).await?;
            record::updated(
                conn,
                &caller,
                "organization",
                &before,
                &after,
                FeedEvent::desk(EventKind::OrganizationUpdated).subject(after.id),
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Organization::from(row),
    ))
}

/// Invites a person of this organization as a `partner` user (desk, admin).
#[utoipa::path(operation_id = "inviteOrganizationUser", tag = "users", request_body = InviteRequest, security(("bearer" = [])),
    responses((status = 201, description = "Invited; hand over the token", body = Invitation),
        (status = 403, description = "Only the desk and admins invite", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail is taken", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/organizations/{id}/invitations")]
pub async fn invite(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<InviteRequest>,
) -> ApiResult<HttpResponse> {
    authorize(
        &caller.actor,
        Action::InviteToOrganization {
            organization_id: *id,
        },
    )?;
    let (email, display_name) = accounts::parse_contact(&body.email, &body.display_name)?;
    let mut conn = pool::connection(&state.pool).await?;
    let invitation = conn
        .transaction(async |conn| {
            let organization = db::find(conn, *id)
                .await?
                .filter(|o| o.status == OrganizationStatus::Active)
                .ok_or(ApiError::NotFound)?;
            let invitee = Invitee {
                email,
                display_name,
                role: Role::Partner,
                municipality_id: None,
                department_id: None,
                organization_id: Some(organization.id),
            };
            accounts::invite(conn, &caller, invitee).await
        })
        .await?;
    Ok(HttpResponse::Created().json(invitation))
}
