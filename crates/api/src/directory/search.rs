//! `GET /v1/resources`: searching the directory (text, topic, form, cities,
//! radius), paged by cursor.

use crate::auth::MaybeCaller;
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use living_gate_db::directory::resource_search::{self as search, Order, SearchCursor};
use living_gate_db::directory::resources::{self as db};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::directory::entry_view::{accept_language, reader_of, HiddenReads, Resource};
use crate::directory::filters::{unknown_filter_term, ResourceFilterParams};
use living_gate_domain::directory::details::negotiate;

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
/// public gets public entries and public fields only, staff every entry;
/// hidden fields only the owning city's desk and those it granted (each
/// such read audited). With `near`, only entries whose position the caller
/// may see (a hidden or coarse position is never found by searching around it).
#[utoipa::path(operation_id = "searchResources", tag = "directory", params(ResourceFilterParams, ResourcePageParams,
        ("Accept-Language" = Option<String>, Header, description = "`en` or `ja-easy` (やさしい日本語) for translated names and descriptions where an entry has them; each item's `language` says which it got")),
    security((), ("bearer" = [])),
    responses((status = 200, description = "A page of entries", body = ResourcePage, headers(("Vary" = String)))))]
#[get("/resources")]
pub async fn list(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    caller: MaybeCaller,
    filter: web::Query<ResourceFilterParams>,
    page: web::Query<ResourcePageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = crate::http::read_routing::directory_read(&state, &caller).await?;
    let reader = reader_of(&mut conn, &caller).await?;
    let filter = filter.filter(&reader)?;
    let limit = page.limit.unwrap_or(crate::http::pagination::DEFAULT_LIMIT);
    if !(1..=crate::http::pagination::MAX_LIMIT).contains(&limit) {
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
    let coarse = db::coarse_positions(&mut conn, &ids).await?;
    let details = living_gate_db::directory::details::of(&mut conn, &ids).await?;
    let wanted = accept_language(&request);
    let mut reads = HiddenReads::default();
    let items = rows
        .into_iter()
        .map(|r| {
            let entry = Resource::view(
                r.resource,
                &locations,
                &details,
                &reader,
                r.distance_m,
                &coarse,
                &mut reads,
            );
            let shown = negotiate(wanted.as_deref(), &entry.translated_into());
            entry.localized(shown)
        })
        .collect();
    crate::record::audit_hidden_reads(
        &mut conn,
        caller.0.as_ref().map(|c| c as _),
        &reads.0,
        "searchResources",
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::VARY,
            "Accept-Language, Accept-Encoding",
        ))
        .json(ResourcePage { items, next_cursor }))
}
