//! Creating, reading and changing one directory entry (`/v1/resources/{id}`).

use crate::auth::{Caller, MaybeCaller};
use crate::directory::editing::{apply_update, authorize_edit, create_entry, Created};
use crate::directory::input::{parse_create, CreateResource, UpdateResource};
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::etag::IfMatch;
use crate::http::problem::ApiResult;
use crate::record;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::AsyncConnection;
use living_gate_db::directory::details as details_db;
use living_gate_db::directory::resources as db;
use living_gate_db::pool;
use living_gate_domain::directory::details::negotiate;
use living_gate_domain::directory::Reader;
use uuid::Uuid;

use crate::directory::entry_view::{
    accept_language, reader_of, view_of, visible, HiddenReads, Resource,
};

/// Creates a directory entry (the desk of the city where it is: its owner).
#[utoipa::path(operation_id = "createResource", tag = "directory", request_body = CreateResource, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Resource, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk of the entry's city creates it", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The external key is taken", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, e.g. an exact position with a hidden address (`inconsistent_position_publication`)", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/resources")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateResource>,
) -> ApiResult<HttpResponse> {
    authorize_edit(&caller, body.municipality_id)?;
    let mut conn = pool::connection(&state.pool).await?;
    let new = parse_create(&mut conn, &body, caller.actor.id).await?;
    let id = Uuid::now_v7();
    let created = conn
        .transaction(async |conn| create_entry(conn, &caller, id, new).await)
        .await?;
    Ok(created_response(&caller, created))
}

/// 201 with `Location` and `ETag`: the owning desk wrote it, so it sees
/// what it wrote (audited as the write).
pub(crate) fn created_response(caller: &Caller, created: Created) -> HttpResponse {
    let Created {
        row,
        locations,
        coarse,
        details,
    } = created;
    let reader = Reader::of(Some(&caller.actor), &[]);
    with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/resources/{}", row.id)))
            .take(),
        row.version,
        Resource::view(
            row,
            &locations,
            &details,
            &reader,
            None,
            &coarse,
            &mut HiddenReads::default(),
        ),
    )
}

/// One entry with its `ETag`; no token needed. Staff-only entries are 404
/// for the public; hidden fields are `null` (a coarse position rounded)
/// except for the owning city's desk and those it granted confidential
/// access, whose read is audited. `Accept-Language: en` or `ja-easy`
/// (やさしい日本語) picks a translated name and description where there is
/// one (`Content-Language` says which; `ja` is as written).
#[utoipa::path(operation_id = "getResource", tag = "directory", security((), ("bearer" = [])),
    params(("Accept-Language" = Option<String>, Header, description = "`en` or `ja-easy` (やさしい日本語); falls back to the original (`ja`)")),
    responses((status = 200, description = "The entry", body = Resource, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String)))))]
#[get("/resources/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let view = view_of(&caller);
    let mut conn = pool::connection(&state.pool).await?;
    let reader = reader_of(&mut conn, &caller).await?;
    let row = visible(&mut conn, view, *id).await?;
    let locations = db::locations(&mut conn, &[row.id]).await?;
    let coarse = db::coarse_positions(&mut conn, &[row.id]).await?;
    let details = details_db::of(&mut conn, &[row.id]).await?;
    let version = row.version;
    let mut reads = HiddenReads::default();
    let entry = Resource::view(
        row, &locations, &details, &reader, None, &coarse, &mut reads,
    );
    let shown = negotiate(
        accept_language(&request).as_deref(),
        &entry.translated_into(),
    );
    let entry = entry.localized(shown);
    record::audit_hidden_reads(
        &mut conn,
        caller.0.as_ref().map(|c| c as _),
        &reads.0,
        "getResource",
    )
    .await?;
    Ok(with_etag(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_LANGUAGE, shown.tag()))
            .insert_header((header::VARY, "Accept-Language, Accept-Encoding"))
            .take(),
        version,
        entry,
    ))
}

/// Changes an entry (the owning city's desk; another city's desk gets 403
/// and may suggest the change instead). `locations`, `introduced_ids` and
/// lists replace the old ones.
#[utoipa::path(operation_id = "updateResource", tag = "directory", request_body = UpdateResource, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Resource, headers(("ETag" = String))),
        (status = 403, description = "Only the desk of the entry's city changes it", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The external key is taken", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, e.g. an exact position with a hidden address (`inconsistent_position_publication`)", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/resources/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateResource>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let updated = conn
        .transaction(async |conn| apply_update(conn, &caller, *id, &if_match, &body).await)
        .await?;
    let version = updated.row.version;
    let reader = Reader::of(Some(&caller.actor), &[]);
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        Resource::view(
            updated.row,
            &updated.locations,
            &updated.details,
            &reader,
            None,
            &updated.coarse,
            &mut HiddenReads::default(),
        ),
    ))
}
