//! Creating, reading and changing one directory entry (`/v1/resources/{id}`).

use crate::auth::{Caller, MaybeCaller};
use crate::directory::input::{parse_create, parse_update, CreateResource, UpdateResource};
use crate::http::body::Json;
use crate::http::etag::with_etag;
use crate::http::etag::IfMatch;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use diesel_async::AsyncConnection;
use living_gate_db::directory::resources::{self as db, Location, ResourceContent};
use living_gate_db::{pool, Versioned};
use living_gate_domain::directory::DirectoryView;
use living_gate_domain::{authorize, Action};
use serde::Serialize;
use uuid::Uuid;

use crate::directory::entry_view::{view_of, visible, Resource};

/// What the audit log records of an entry: its row, its locations and referrals.
#[derive(Serialize)]
struct Audited<'a> {
    #[serde(flatten)]
    row: &'a db::Resource,
    locations: Vec<&'a Location>,
    introduced_ids: &'a [Uuid],
}

impl Versioned for Audited<'_> {
    fn id(&self) -> Uuid {
        self.row.id
    }
    fn version(&self) -> i64 {
        self.row.version
    }
}

fn audited<'a>(
    row: &'a db::Resource,
    locations: &'a [Location],
    introduced: &'a [Uuid],
) -> Audited<'a> {
    Audited {
        row,
        locations: locations
            .iter()
            .filter(|l| l.resource_id == row.id)
            .collect(),
        introduced_ids: introduced,
    }
}

/// Creates a directory entry (desk).
#[utoipa::path(operation_id = "createResource", tag = "directory", request_body = CreateResource, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Resource, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk manages the directory", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The external key is taken", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/resources")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateResource>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageDirectory)?;
    let mut conn = pool::connection(&state.pool).await?;
    let new = parse_create(&mut conn, &body, caller.actor.id).await?;
    let id = Uuid::now_v7();
    let locations: Vec<Location> = new
        .locations
        .into_iter()
        .map(|l| Location {
            resource_id: id,
            ..l
        })
        .collect();
    let row = conn
        .transaction(async |conn| {
            let row = db::insert(conn, id, &new.content).await?;
            db::replace_locations(conn, &[id], &locations).await?;
            db::set_introduced(conn, id, &new.introduced).await?;
            record::created(
                conn,
                &caller,
                "resource",
                &audited(&row, &locations, &new.introduced),
                FeedEvent::entry(id, EventKind::ResourceCreated),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/resources/{id}")))
            .take(),
        version,
        Resource::view(row, &locations, DirectoryView::Staff, None),
    ))
}

/// One entry with its `ETag`; no token needed. Staff-only entries are 404
/// for the public, and hidden fields are `null`.
#[utoipa::path(operation_id = "getResource", tag = "directory", security((), ("bearer" = [])),
    responses((status = 200, description = "The entry", body = Resource, headers(("ETag" = String)))))]
#[get("/resources/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let view = view_of(&caller);
    let mut conn = pool::connection(&state.pool).await?;
    let row = visible(&mut conn, view, *id).await?;
    let locations = db::locations(&mut conn, &[row.id]).await?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        Resource::view(row, &locations, view, None),
    ))
}

/// Changes an entry (desk). `locations`, `introduced_ids` and lists replace the old ones.
#[utoipa::path(operation_id = "updateResource", tag = "directory", request_body = UpdateResource, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Resource, headers(("ETag" = String))),
        (status = 403, description = "Only the desk manages the directory", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The external key is taken", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/resources/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateResource>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageDirectory)?;
    if body
        .introduced_ids
        .as_ref()
        .is_some_and(|ids| ids.contains(&id))
    {
        return Err(ApiError::validation(
            "introduced_ids",
            "self_reference",
            "an entry cannot introduce itself",
        ));
    }
    let mut conn = pool::connection(&state.pool).await?;
    let (row, locations) = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            let before_locations = db::locations(conn, &[before.id]).await?;
            let before_introduced = db::introduced(conn, before.id).await?;
            let change =
                parse_update(conn, &ResourceContent::of(&before), &body, caller.actor.id).await?;
            let mut after = db::replace(conn, before.id, &change.content).await?;
            let locations = match change.locations {
                Some(locations) => {
                    let locations: Vec<Location> = locations
                        .into_iter()
                        .map(|l| Location {
                            resource_id: before.id,
                            ..l
                        })
                        .collect();
                    db::replace_locations(conn, &[before.id], &locations).await?;
                    locations
                }
                None => before_locations.clone(),
            };
            let introduced = match change.introduced {
                Some(ids) => {
                    db::set_introduced(conn, before.id, &ids).await?;
                    ids
                }
                None => before_introduced.clone(),
            };
            if after == before {
                after = db::touch(conn, before.id).await?;
            }
            record::updated(
                conn,
                &caller,
                "resource",
                &audited(&before, &before_locations, &before_introduced),
                &audited(&after, &locations, &introduced),
                FeedEvent::entry(before.id, EventKind::ResourceUpdated),
            )
            .await?;
            Ok::<_, ApiError>((after, locations))
        })
        .await?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        Resource::view(row, &locations, DirectoryView::Staff, None),
    ))
}
