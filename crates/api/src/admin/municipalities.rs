//! Municipalities: reference data every signed-in caller reads; admins change it.

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
use living_gate_db::reference::municipalities::{self as db, MunicipalityChanges, NewMunicipality};
use living_gate_domain::fiscal::{default_reference_prefix, reference_prefix};
use living_gate_domain::identity::{municipality_code, RecordStatus};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "code": "142166", "name": "座間市", "name_kana": "ざまし",
    "name_en": "Zama", "reference_prefix": "ZLG", "status": "active", "created_at": "2026-04-01T00:00:00+00:00", "updated_at": "2026-04-01T00:00:00+00:00"
}))]
pub struct Municipality {
    pub id: Uuid,
    /// 全国地方公共団体コード (6 digits with check digit).
    pub code: String,
    pub name: String,
    pub name_kana: String,
    pub name_en: String,
    /// The prefix of the city's case references (`ZLG-2026-0001`).
    pub reference_prefix: String,
    pub status: RecordStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<db::Municipality> for Municipality {
    fn from(m: db::Municipality) -> Self {
        Municipality {
            id: m.id,
            code: m.code,
            name: m.name,
            name_kana: m.name_kana,
            name_en: m.name_en,
            reference_prefix: m.reference_prefix,
            status: m.status,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "142131", "name": "大和市", "name_kana": "やまとし", "name_en": "Yamato"}))]
pub struct CreateMunicipality {
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name_kana: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name_en: String,
    /// The prefix of the city's case references: 2 to 8 upper-case letters
    /// or digits, starting with a letter, unique. Defaults to the four
    /// cities' own (ZLG, AYS, YMT, EBN), `M<code>` for any other.
    #[schema(pattern = "^[A-Z][A-Z0-9]{1,7}$")]
    pub reference_prefix: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "disabled"}))]
pub struct UpdateMunicipality {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub name_kana: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub name_en: Option<String>,
    pub status: Option<RecordStatus>,
}

/// Lists municipalities, ordered by id (creation order).
#[utoipa::path(operation_id = "listMunicipalities", tag = "reference data", params(PageParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of municipalities", body = Paginated<Municipality>)))]
#[get("/municipalities")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadReferenceData)?;
    let page = params.page()?;
    let mut conn = pool::connection(&state.pool).await?;
    let (rows, next) = page.finish(db::list(&mut conn, page).await?, |m| m.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(Municipality::from).collect(),
        next,
    )))
}

/// One municipality, with its `ETag`.
#[utoipa::path(operation_id = "getMunicipality", tag = "reference data", security(("bearer" = [])),
    responses((status = 200, description = "The municipality", body = Municipality, headers(("ETag" = String)))))]
#[get("/municipalities/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadReferenceData)?;
    let mut conn = pool::connection(&state.pool).await?;
    let row = db::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Municipality::from(row),
    ))
}

/// Registers a municipality (platform admin).
#[utoipa::path(operation_id = "createMunicipality", tag = "reference data", request_body = CreateMunicipality, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Municipality, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not the platform admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code or the reference prefix is taken", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
#[post("/municipalities")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateMunicipality>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageMunicipalities)?;
    let mut errors = ValidationErrors::new();
    let code = errors.check(municipality_code("code", &body.code));
    let name = errors.check(bounded_text("name", &body.name, 1, 100));
    let name_kana = errors.check(bounded_text("name_kana", &body.name_kana, 1, 100));
    let name_en = errors.check(bounded_text("name_en", &body.name_en, 1, 100));
    let prefix = match &body.reference_prefix {
        Some(prefix) => errors.check(reference_prefix("reference_prefix", prefix)),
        None => code.as_deref().map(default_reference_prefix),
    };
    errors.into_result()?;
    let (Some(code), Some(name), Some(name_kana), Some(name_en), Some(reference_prefix)) =
        (code, name, name_kana, name_en, prefix)
    else {
        return Err(ApiError::internal("validation passed without values"));
    };
    let new = NewMunicipality {
        id: Uuid::now_v7(),
        code,
        name,
        name_kana,
        name_en,
        reference_prefix,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(conn, &new).await?;
            record::created(
                conn,
                &caller,
                "municipality",
                &row,
                FeedEvent::desk(EventKind::MunicipalityCreated).subject(row.id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/municipalities/{}", row.id);
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .take(),
        row.version,
        Municipality::from(row),
    ))
}

/// Changes a municipality (platform admin). Disable instead of deleting: history refers to it.
#[utoipa::path(operation_id = "updateMunicipality", tag = "reference data", request_body = UpdateMunicipality, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses(
        (status = 200, description = "Updated", body = Municipality, headers(("ETag" = String))),
        (status = 403, description = "Not the platform admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
#[patch("/municipalities/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateMunicipality>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageMunicipalities)?;
    let mut errors = ValidationErrors::new();
    let changes = MunicipalityChanges {
        name: body
            .name
            .as_deref()
            .and_then(|v| errors.check(bounded_text("name", v, 1, 100))),
        name_kana: body
            .name_kana
            .as_deref()
            .and_then(|v| errors.check(bounded_text("name_kana", v, 1, 100))),
        name_en: body
            .name_en
            .as_deref()
            .and_then(|v| errors.check(bounded_text("name_en", v, 1, 100))),
        status: body.status,
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
                "municipality",
                &before,
                &after,
                FeedEvent::desk(EventKind::MunicipalityUpdated).subject(after.id),
            )
            .await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Municipality::from(row),
    ))
}
