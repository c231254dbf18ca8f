//! The regional resource directory (`/v1/resources`): entries, their search,
//! and the per-field visibility that keeps a DV shelter's address inside the
//! city's staff.
//!
//! Who sees what is [`DirectoryView`]: desk and department callers see every
//! entry and field; everybody else (anonymous, partners, analysts, admins)
//! sees `public` entries only, with hidden fields as `null`.

use crate::audit;
use crate::auth::{Caller, MaybeCaller};
use crate::etag::IfMatch;
use crate::problem::{ApiError, ApiResult};
use crate::routes::municipalities::with_etag;
use crate::routes::resource_input::{parse_create, parse_update, CreateResource, UpdateResource};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::events::{self, NewEvent};
use living_gate_db::resource_search::{self as search, Near, Order, SearchCursor, SearchFilter};
use living_gate_db::resources::{self as db, Location, ResourceContent};
use living_gate_db::{pool, AsyncPgConnection, Versioned};
use living_gate_domain::directory::{
    parse_near, DirectoryView, EntryVisibility, HideableField, LegalForm, ParticipationIntent,
};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A place of an entry. For the public, the address parts (and the label)
/// are `null` when the address is hidden, latitude and longitude when the
/// position is hidden: never rounded, never approximate.
#[derive(Serialize, ToSchema, Clone)]
pub struct LocationView {
    pub label: Option<String>,
    pub postal_code: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "external_key": "zama-2026-014",
    "name": "NPO法人ざま居場所ネット", "name_kana": "ざまいばしょねっと", "other_names": ["居場所ネット"],
    "legal_form": "npo", "description": "ひきこもりの若者と家族のための居場所と就労支援",
    "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02",
    "serves_municipality_ids": ["0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02"],
    "topics": ["hikikomori"], "forms": ["place_to_belong", "employment_support"],
    "locations": [{"label": null, "postal_code": "252-0021", "prefecture": "神奈川県", "city": "座間市",
        "street": "緑ケ丘一丁目2番3号", "latitude": 35.4886, "longitude": 139.4075}],
    "phone": "046-000-0000", "email": "info@ibasho.example.jp", "website": "https://ibasho.example.jp",
    "contact_person": null, "opening_hours": "火〜土 10:00-17:00", "target_ages": "15〜39歳",
    "languages": ["ja"], "participation_intent": "yes", "partner_organization_id": null,
    "visibility": "public", "hidden_fields": ["contact_person"],
    "last_verified_at": "2026-10-01T00:00:00Z", "last_verified_by": null,
    "created_at": "2026-10-01T00:00:00Z", "updated_at": "2026-10-01T00:00:00Z"
}))]
pub struct Resource {
    pub id: Uuid,
    /// Staff only (`null` for the public).
    pub external_key: Option<String>,
    pub name: String,
    pub name_kana: Option<String>,
    pub other_names: Vec<String>,
    pub legal_form: LegalForm,
    pub description: String,
    /// Where it is.
    pub municipality_id: Uuid,
    /// Whom it serves.
    pub serves_municipality_ids: Vec<Uuid>,
    pub topics: Vec<String>,
    pub forms: Vec<String>,
    pub locations: Vec<LocationView>,
    /// `null` for the public when hidden.
    pub phone: Option<String>,
    /// `null` for the public when hidden.
    pub email: Option<String>,
    pub website: Option<String>,
    /// `null` for the public when hidden.
    pub contact_person: Option<String>,
    pub opening_hours: Option<String>,
    pub target_ages: Option<String>,
    pub languages: Vec<String>,
    pub participation_intent: ParticipationIntent,
    /// Staff only.
    pub partner_organization_id: Option<Uuid>,
    pub visibility: EntryVisibility,
    /// Which fields the public does not get.
    pub hidden_fields: Vec<HideableField>,
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Staff only.
    pub last_verified_by: Option<Uuid>,
    /// In a `near=` search: metres to the nearest location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn location_view(l: &Location, hidden: &[String], view: DirectoryView) -> LocationView {
    let address = view.shows(hidden, HideableField::Address);
    let position = view.shows(hidden, HideableField::Position);
    let keep = |v: &Option<String>, shown: bool| if shown { v.clone() } else { None };
    LocationView {
        label: keep(&l.label, address),
        postal_code: keep(&l.postal_code, address),
        prefecture: keep(&l.prefecture, address),
        city: keep(&l.city, address),
        street: keep(&l.street, address),
        latitude: if position { l.latitude } else { None },
        longitude: if position { l.longitude } else { None },
    }
}

impl Resource {
    /// The entry as `view` may see it (the caller has checked the entry itself is visible).
    pub fn view(
        r: db::Resource,
        locations: &[Location],
        view: DirectoryView,
        distance_m: Option<f64>,
    ) -> Resource {
        let hidden = r.hidden_fields.clone();
        let shows = |field| view.shows(&hidden, field);
        let staff = view.is_staff();
        Resource {
            id: r.id,
            external_key: if staff { r.external_key } else { None },
            name: r.name,
            name_kana: r.name_kana,
            other_names: r.other_names,
            legal_form: LegalForm::parse(&r.legal_form).unwrap_or(LegalForm::Other),
            description: r.description,
            municipality_id: r.municipality_id,
            serves_municipality_ids: r.serves_municipality_ids,
            topics: r.topics,
            forms: r.forms,
            locations: locations
                .iter()
                .filter(|l| l.resource_id == r.id)
                .map(|l| location_view(l, &hidden, view))
                .collect(),
            phone: r.phone.filter(|_| shows(HideableField::Phone)),
            email: r.email.filter(|_| shows(HideableField::Email)),
            website: r.website,
            contact_person: r
                .contact_person
                .filter(|_| shows(HideableField::ContactPerson)),
            opening_hours: r.opening_hours,
            target_ages: r.target_ages,
            languages: r.languages,
            participation_intent: ParticipationIntent::parse(&r.participation_intent)
                .unwrap_or(ParticipationIntent::Unknown),
            partner_organization_id: if staff {
                r.partner_organization_id
            } else {
                None
            },
            visibility: if r.visibility == "staff_only" {
                EntryVisibility::StaffOnly
            } else {
                EntryVisibility::Public
            },
            hidden_fields: hidden
                .iter()
                .filter_map(|f| HideableField::parse(f))
                .collect(),
            last_verified_at: r.last_verified_at,
            last_verified_by: if staff { r.last_verified_by } else { None },
            distance_m: if staff || shows(HideableField::Position) {
                distance_m
            } else {
                None
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

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

/// A change-feed event about an entry (staff only).
pub fn resource_event(caller: &Caller, resource_id: Uuid, kind: &str) -> NewEvent {
    NewEvent {
        id: Uuid::now_v7(),
        resource_id: Some(resource_id),
        kind: kind.to_owned(),
        actor_id: Some(caller.actor.id),
        actor_role: Some(caller.actor.role.as_str().to_owned()),
        visibility: "internal".to_owned(),
        ..NewEvent::default()
    }
}

/// What the caller may see of the directory (staff or the public).
pub fn view_of(caller: &MaybeCaller) -> DirectoryView {
    DirectoryView::of(caller.0.as_ref().map(|c| &c.actor))
}

/// The entry if the caller may see it (404 otherwise, also for staff-only entries).
pub async fn visible(
    conn: &mut AsyncPgConnection,
    view: DirectoryView,
    id: Uuid,
) -> ApiResult<db::Resource> {
    db::find_visible(conn, id, view.is_staff())
        .await?
        .ok_or(ApiError::NotFound)
}

/// Creates a directory entry (desk).
#[utoipa::path(tag = "directory", request_body = CreateResource, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Resource, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk manages the directory", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The external key is taken", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[post("/resources")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateResource>,
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
            audit::created(
                conn,
                &caller,
                "resource",
                &audited(&row, &locations, &new.introduced),
            )
            .await?;
            events::append(conn, resource_event(&caller, id, "resource_created")).await?;
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
#[utoipa::path(tag = "directory", security((), ("bearer" = [])),
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
#[utoipa::path(tag = "directory", request_body = UpdateResource, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Resource, headers(("ETag" = String))),
        (status = 403, description = "Only the desk manages the directory", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The external key is taken", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[patch("/resources/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateResource>,
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
            audit::updated(
                conn,
                &caller,
                "resource",
                &audited(&before, &before_locations, &before_introduced),
                &audited(&after, &locations, &introduced),
            )
            .await?;
            events::append(conn, resource_event(&caller, before.id, "resource_updated")).await?;
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

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Name starts with the first word of `q`, then name contains it, then the rest.
    Relevance,
    /// Nearest first (needs `near`).
    Distance,
    /// Creation order.
    Created,
}

/// The filters of a directory search (combined with AND), shared by the
/// list, the map, the figures and the exports.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ResourceFilterParams {
    /// Words that must all occur in the name, kana, other names or description
    /// (substring; full-/half-width and katakana/hiragana are equivalent).
    /// Addresses and contacts are not searched.
    #[param(max_length = 100, example = "就労")]
    pub q: Option<String>,
    /// A topic code; entries with a descendant term match too.
    #[param(example = "family")]
    pub topic: Option<String>,
    /// A form code; entries with a descendant term match too.
    #[param(example = "place_to_belong")]
    pub form: Option<String>,
    /// A municipality the entry serves.
    pub serves: Option<Uuid>,
    /// The municipality where the entry is.
    pub municipality_id: Option<Uuid>,
    pub intent: Option<ParticipationIntent>,
    pub legal_form: Option<LegalForm>,
    /// `latitude,longitude`: only entries with a location within `radius_km`.
    /// For the public, only entries whose position is public.
    #[param(pattern = r"^-?[0-9.]+,\s*-?[0-9.]+$", example = "35.4886,139.4075")]
    pub near: Option<String>,
    /// Radius around `near`, 0.1 to 50 km (default 5).
    #[param(minimum = 0.1, maximum = 50, example = 3)]
    pub radius_km: Option<f64>,
}

impl ResourceFilterParams {
    /// The database filter for `view`; 422 on an invalid parameter.
    pub fn filter(&self, view: DirectoryView) -> ApiResult<SearchFilter> {
        let mut errors = ValidationErrors::new();
        let terms = match self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            None => Vec::new(),
            Some(q) => match errors.check(bounded_text("q", q, 1, 100)) {
                Some(q) => q
                    .split(char::is_whitespace)
                    .filter(|w| !w.is_empty())
                    .take(5)
                    .map(str::to_owned)
                    .collect(),
                None => Vec::new(),
            },
        };
        let near = match &self.near {
            None => {
                if self.radius_km.is_some() {
                    errors.add(
                        "radius_km",
                        "requires_near",
                        "give near=latitude,longitude too",
                    );
                }
                None
            }
            Some(raw) => {
                let radius_km = self.radius_km.unwrap_or(5.0);
                if !(0.1..=50.0).contains(&radius_km) {
                    errors.add("radius_km", "out_of_range", "must be between 0.1 and 50");
                }
                errors
                    .check(parse_near("near", raw))
                    .map(|(latitude, longitude)| Near {
                        latitude,
                        longitude,
                        radius_m: radius_km * 1000.0,
                    })
            }
        };
        let code = |errors: &mut ValidationErrors, field: &str, raw: &Option<String>| {
            raw.as_deref()
                .and_then(|v| errors.check(living_gate_domain::names::code(field, v)))
        };
        let topic = code(&mut errors, "topic", &self.topic);
        let form = code(&mut errors, "form", &self.form);
        errors.into_result()?;
        Ok(SearchFilter {
            staff: view.is_staff(),
            terms,
            topic,
            form,
            serves: self.serves,
            municipality_id: self.municipality_id,
            intent: self.intent.map(|i| i.as_str().to_owned()),
            legal_form: self.legal_form.map(|l| l.as_str().to_owned()),
            near,
        })
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResourcePageParams {
    /// Default: `distance` with `near`, else `relevance` with `q`, else `created`.
    pub sort: Option<SortOrder>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (valid with the same filters and sort).
    pub cursor: Option<String>,
}

/// A page of entries.
#[derive(Serialize, ToSchema)]
pub struct ResourcePage {
    pub items: Vec<Resource>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

fn encode_cursor(c: SearchCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("r:{:016x}:{}", c.key.to_bits(), c.id))
}

fn decode_cursor(raw: &str) -> ApiResult<SearchCursor> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let mut parts = s.splitn(3, ':');
            (parts.next()? == "r").then_some(())?;
            let key = f64::from_bits(u64::from_str_radix(parts.next()?, 16).ok()?);
            let id = parts.next()?.parse().ok()?;
            key.is_finite().then_some(SearchCursor { key, id })
        })
        .ok_or_else(|| {
            ApiError::validation(
                "cursor",
                "invalid_cursor",
                "is not a cursor returned by this API",
            )
        })
}

/// Searches the directory; no token needed. Filters combine with AND. The
/// public gets public entries and public fields only; with `near`, only
/// entries whose position is public (so a hidden position can never be
/// found by searching around it).
#[utoipa::path(tag = "directory", params(ResourceFilterParams, ResourcePageParams), security((), ("bearer" = [])),
    responses((status = 200, description = "A page of entries", body = ResourcePage)))]
#[get("/resources")]
pub async fn list(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    filter: web::Query<ResourceFilterParams>,
    page: web::Query<ResourcePageParams>,
) -> ApiResult<HttpResponse> {
    let view = view_of(&caller);
    let filter = filter.filter(view)?;
    let limit = page.limit.unwrap_or(crate::pagination::DEFAULT_LIMIT);
    if !(1..=crate::pagination::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation(
            "limit",
            "out_of_range",
            "must be between 1 and 200",
        ));
    }
    let order = match page.sort {
        Some(SortOrder::Distance) if filter.near.is_none() => {
            return Err(ApiError::validation(
                "sort",
                "requires_near",
                "sort=distance needs near=",
            ))
        }
        Some(SortOrder::Distance) => Order::Distance,
        Some(SortOrder::Relevance) => Order::Relevance,
        Some(SortOrder::Created) => Order::Id,
        None if filter.near.is_some() => Order::Distance,
        None if !filter.terms.is_empty() => Order::Relevance,
        None => Order::Id,
    };
    let after = page.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut conn = pool::connection(&state.pool).await?;
    if let Some(unknown) = unknown_filter_term(&mut conn, &filter).await? {
        return Err(unknown);
    }
    let limit = i64::from(limit);
    let mut rows = search::search(&mut conn, &filter, order, after, limit).await?;
    let next_cursor = if rows.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        rows.last().map(|r| {
            encode_cursor(SearchCursor {
                key: r.sort_key,
                id: r.resource.id,
            })
        })
    } else {
        None
    };
    let ids: Vec<Uuid> = rows.iter().map(|r| r.resource.id).collect();
    let locations = db::locations(&mut conn, &ids).await?;
    let items = rows
        .into_iter()
        .map(|r| Resource::view(r.resource, &locations, view, r.distance_m))
        .collect();
    Ok(HttpResponse::Ok().json(ResourcePage { items, next_cursor }))
}

/// 422 when a `topic` or `form` filter names no term.
pub async fn unknown_filter_term(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
) -> ApiResult<Option<ApiError>> {
    for (field, vocabulary, code) in [
        ("topic", "topic", &filter.topic),
        ("form", "form", &filter.form),
    ] {
        if let Some(code) = code {
            if living_gate_db::taxonomy::find_by_code(conn, vocabulary, code)
                .await?
                .is_none()
            {
                return Ok(Some(ApiError::validation(
                    field,
                    "unknown_term",
                    "no such term",
                )));
            }
        }
    }
    Ok(None)
}

/// Groups locations by entry id.
pub fn by_entry(locations: Vec<Location>) -> HashMap<Uuid, Vec<Location>> {
    let mut map: HashMap<Uuid, Vec<Location>> = HashMap::new();
    for l in locations {
        map.entry(l.resource_id).or_default().push(l);
    }
    map
}
