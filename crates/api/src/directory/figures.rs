//! The directory as a map (GeoJSON), as figures (counts for charts), and as
//! a referral graph. The same visibility as the search: hidden positions are
//! left out of the map, staff-only entries out of everything public. The map
//! renders the domain's redaction of each entry, like the other outputs.

use crate::auth::MaybeCaller;
use crate::directory::entry_view::{
    publication_of, reader_of, stored_entry, view_of, visible, HiddenReads,
};
use crate::directory::filters::{unknown_filter_term, ResourceFilterParams};
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use living_gate_db::directory::resource_search as search;
use living_gate_db::directory::resources as db;
use living_gate_db::{directory::taxonomy, pool};
use living_gate_domain::directory::{redact, Place, Reader};
use living_gate_domain::directory::{EntryVisibility, LegalForm, ParticipationIntent, Vocabulary};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::collections::HashSet;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapParams {
    /// At most this many points, 1 to 10000 (default 2000); `truncated` tells whether more matched.
    #[param(minimum = 1, maximum = 10000, example = 2000)]
    pub limit: Option<u32>,
}

/// A GeoJSON FeatureCollection (RFC 7946): one Point feature per location,
/// `[longitude, latitude]`, properties `id`, `name`, `legal_form`,
/// `municipality_id`, `topics`, `forms`, `participation_intent`, `label`
/// (`null` when the address is hidden). `truncated` is a foreign member.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"type": "FeatureCollection", "truncated": false, "features": [
    {"type": "Feature", "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01",
     "geometry": {"type": "Point", "coordinates": [139.4075, 35.4886]},
     "properties": {"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "name": "NPO法人ざま居場所ネット", "legal_form": "npo",
        "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "topics": ["hikikomori"], "forms": ["place_to_belong"],
        "participation_intent": "yes", "label": null}}]}))]
pub struct FeatureCollection {
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<Feature>,
    pub truncated: bool,
}

/// One location of an entry.
#[derive(Serialize, ToSchema)]
pub struct Feature {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    /// The entry's id (an entry with several locations has several features).
    pub id: Uuid,
    pub geometry: PointGeometry,
    pub properties: FeatureProperties,
}

#[derive(Serialize, ToSchema)]
pub struct PointGeometry {
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: &'static str,
    /// `[longitude, latitude]` (WGS 84).
    #[schema(example = json!([139.4075, 35.4886]))]
    pub coordinates: [f64; 2],
}

#[derive(Serialize, ToSchema)]
pub struct FeatureProperties {
    pub id: Uuid,
    pub name: String,
    pub legal_form: LegalForm,
    pub municipality_id: Uuid,
    pub topics: Vec<String>,
    pub forms: Vec<String>,
    pub participation_intent: ParticipationIntent,
    /// The location's label; `null` when the address is hidden from the caller.
    pub label: Option<String>,
}

/// The visible entries on a map (GeoJSON for Leaflet or MapLibre), with the
/// search filters; no token needed. Hidden positions are left out, coarse
/// ones rounded to a 0.01° cell, except for the owning city's desk and those
/// it granted (each such read audited).
#[utoipa::path(operation_id = "getResourceMap", tag = "directory", params(ResourceFilterParams, MapParams), security((), ("bearer" = [])),
    responses((status = 200, description = "A FeatureCollection", body = FeatureCollection, content_type = "application/geo+json")))]
#[get("/resources/map")]
pub async fn map(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    filter: web::Query<ResourceFilterParams>,
    params: web::Query<MapParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = crate::http::read_routing::directory_read(&state, &caller).await?;
    let reader = reader_of(&mut conn, &caller).await?;
    let filter = filter.filter(&reader)?;
    let limit = params.limit.unwrap_or(2000);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::validation(
            "limit",
            "out_of_range",
            "must be between 1 and 10000",
        ));
    }
    if let Some(unknown) = unknown_filter_term(&mut conn, &filter).await? {
        return Err(unknown);
    }
    let mut points = search::map(&mut conn, &filter, i64::from(limit) + 1).await?;
    let truncated = points.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    points.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let ids: Vec<Uuid> = points.iter().map(|p| p.resource.id).collect();
    let coarse = db::coarse_positions(&mut conn, &ids).await?;
    let mut reads = HiddenReads::default();
    let features = features(points, &reader, &coarse, &mut reads);
    crate::record::audit_hidden_reads(
        &mut conn,
        caller.0.as_ref().map(|c| c as _),
        &reads.0,
        "getResourceMap",
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .json(FeatureCollection {
            kind: "FeatureCollection",
            features,
            truncated,
        }))
}

/// One feature per place that has a position after the redaction (a coarse
/// one rounded). Points come ordered by entry: the consecutive points of an
/// entry are its places on the map (the SQL already left out the hidden
/// positions the caller may not see).
fn features(
    points: Vec<search::MapPoint>,
    reader: &Reader,
    coarse: &HashSet<Uuid>,
    reads: &mut HiddenReads,
) -> Vec<Feature> {
    let mut features = Vec::with_capacity(points.len());
    let mut points = points.into_iter().peekable();
    while let Some(first) = points.next() {
        let id = first.resource.id;
        let mut places = vec![place(&first)];
        while let Some(next) = points.next_if(|p| p.resource.id == id) {
            places.push(place(&next));
        }
        let publication = publication_of(&first.resource, coarse);
        let entry = reads.note(redact(
            stored_entry(
                first.resource,
                places,
                Default::default(),
                None,
                publication,
            ),
            reader,
        ));
        for place in &entry.locations {
            let (Some(latitude), Some(longitude)) = (place.latitude, place.longitude) else {
                continue;
            };
            features.push(Feature {
                kind: "Feature",
                id: entry.id,
                geometry: PointGeometry {
                    kind: "Point",
                    coordinates: [longitude, latitude],
                },
                properties: FeatureProperties {
                    id: entry.id,
                    name: entry.name.clone(),
                    legal_form: entry.legal_form,
                    municipality_id: entry.municipality_id,
                    topics: entry.topics.clone(),
                    forms: entry.forms.clone(),
                    participation_intent: entry.participation_intent,
                    label: place.label.clone(),
                },
            });
        }
    }
    features
}

fn place(p: &search::MapPoint) -> Place {
    Place {
        id: p.location_id,
        label: p.label.clone(),
        postal_code: p.postal_code.clone(),
        prefecture: p.prefecture.clone(),
        city: p.city.clone(),
        street: p.street.clone(),
        latitude: Some(p.latitude),
        longitude: Some(p.longitude),
    }
}

/// A node of the topic hierarchy, shaped for a sunburst chart.
#[derive(Serialize, ToSchema)]
#[schema(no_recursion)]
pub struct TopicNode {
    pub code: String,
    pub label_ja: String,
    pub label_en: String,
    /// Entries tagged with exactly this term.
    pub count: i64,
    /// Entries tagged with this term or a descendant (each counted once).
    pub total: i64,
    pub children: Vec<TopicNode>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = DirectoryKeyCount)]
pub struct KeyCount {
    /// A code (form, legal form, intent) or a municipality id.
    pub key: String,
    pub count: i64,
}

/// Counts of the visible entries matching the filters. An entry with
/// several topics or forms counts once under each.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"total": 63,
    "topics": [{"code": "family", "label_ja": "家庭", "label_en": "Family", "count": 3, "total": 21,
        "children": [{"code": "dv", "label_ja": "DV", "label_en": "Domestic violence", "count": 4, "total": 4, "children": []}]}],
    "forms": [{"key": "place_to_belong", "count": 25}],
    "municipalities": [{"key": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "count": 30}],
    "served_municipalities": [{"key": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "count": 41}],
    "legal_forms": [{"key": "npo", "count": 22}], "participation_intents": [{"key": "yes", "count": 18}]}))]
pub struct Stats {
    pub total: i64,
    /// The topic hierarchy, roots first.
    pub topics: Vec<TopicNode>,
    pub forms: Vec<KeyCount>,
    /// By the municipality where the entries are.
    pub municipalities: Vec<KeyCount>,
    /// By the municipalities the entries serve.
    pub served_municipalities: Vec<KeyCount>,
    pub legal_forms: Vec<KeyCount>,
    pub participation_intents: Vec<KeyCount>,
}

/// Figures of the directory for charts (a sunburst of topics; bars by form,
/// city, legal form, participation intent); no token needed.
#[utoipa::path(operation_id = "getResourceStats", tag = "directory", params(ResourceFilterParams), security((), ("bearer" = [])),
    responses((status = 200, description = "The figures", body = Stats)))]
#[get("/resources/stats")]
pub async fn stats(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    filter: web::Query<ResourceFilterParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = crate::http::read_routing::directory_read(&state, &caller).await?;
    let reader = reader_of(&mut conn, &caller).await?;
    let filter = filter.filter(&reader)?;
    if let Some(unknown) = unknown_filter_term(&mut conn, &filter).await? {
        return Err(unknown);
    }
    let counts = search::stats(&mut conn, &filter).await?;
    let terms = taxonomy::list(&mut conn, Vocabulary::Topic).await?;
    let get = |dimension: &str, key: &str| {
        counts
            .iter()
            .find(|c| c.dimension == dimension && c.key == key)
            .map_or(0, |c| c.count)
    };
    let by = |dimension: &str| {
        let mut list: Vec<KeyCount> = counts
            .iter()
            .filter(|c| c.dimension == dimension)
            .map(|c| KeyCount {
                key: c.key.clone(),
                count: c.count,
            })
            .collect();
        list.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        list
    };
    fn node(
        term: &taxonomy::Term,
        terms: &[taxonomy::Term],
        get: &dyn Fn(&str, &str) -> i64,
        depth: usize,
    ) -> TopicNode {
        TopicNode {
            code: term.code.clone(),
            label_ja: term.label_ja.clone(),
            label_en: term.label_en.clone(),
            count: get("topic", &term.code),
            total: get("topic_total", &term.code),
            children: if depth > 8 {
                Vec::new()
            } else {
                terms
                    .iter()
                    .filter(|t| t.parent_id == Some(term.id))
                    .map(|t| node(t, terms, get, depth + 1))
                    .collect()
            },
        }
    }
    let topics = terms
        .iter()
        .filter(|t| t.parent_id.is_none())
        .map(|t| node(t, &terms, &get, 0))
        .collect();
    Ok(HttpResponse::Ok().json(Stats {
        total: get("total", ""),
        topics,
        forms: by("form"),
        municipalities: by("municipality"),
        served_municipalities: by("served_municipality"),
        legal_forms: by("legal_form"),
        participation_intents: by("intent"),
    }))
}

/// An entry at the other end of a referral.
#[derive(Serialize, ToSchema)]
pub struct ReferralEntry {
    pub id: Uuid,
    pub name: String,
    pub municipality_id: Uuid,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01",
    "introduced_by": [{"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f02", "name": "座間市社会福祉協議会", "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02"}],
    "introduced": []}))]
pub struct Referrals {
    pub id: Uuid,
    /// Entries that introduced this one (紹介元).
    pub introduced_by: Vec<ReferralEntry>,
    /// Entries this one introduced (紹介先).
    pub introduced: Vec<ReferralEntry>,
}

/// Who introduced this entry and whom it introduced; no token needed. The
/// public does not see staff-only entries at either end.
#[utoipa::path(operation_id = "getResourceReferrals", tag = "directory", security((), ("bearer" = [])),
    responses((status = 200, description = "The referral links", body = Referrals)))]
#[get("/resources/{id}/referrals")]
pub async fn referrals(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let view = view_of(&caller);
    let mut conn = pool::connection(&state.pool).await?;
    let entry = visible(&mut conn, view, *id).await?;
    let from = db::introduced_by(&mut conn, entry.id).await?;
    let to = db::introduced(&mut conn, entry.id).await?;
    let all: Vec<Uuid> = from.iter().chain(&to).copied().collect();
    let rows: HashMap<Uuid, db::Resource> = db::find_many(&mut conn, &all)
        .await?
        .into_iter()
        .filter(|r| view.is_staff() || r.visibility == EntryVisibility::Public)
        .map(|r| (r.id, r))
        .collect();
    let pick = |ids: &[Uuid]| {
        ids.iter()
            .filter_map(|id| rows.get(id))
            .map(|r| ReferralEntry {
                id: r.id,
                name: r.name.clone(),
                municipality_id: r.municipality_id,
            })
            .collect()
    };
    Ok(HttpResponse::Ok().json(Referrals {
        id: entry.id,
        introduced_by: pick(&from),
        introduced: pick(&to),
    }))
}
