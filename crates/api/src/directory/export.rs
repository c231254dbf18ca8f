//! `GET /v1/resources/export`: the directory as Open Referral HSDS 3.0 JSON
//! (for other cities' and national systems) or as CSV for Excel (UTF-8 with
//! BOM, the import's columns). Public callers get public entries and public
//! fields only, exactly as in the search: both formats render the domain's
//! redaction of each entry ([`Redacted`]) and decide nothing themselves.
//!
//! HSDS extension fields (HSDS allows extra fields where no term fits), on
//! each organization: `x_legal_form` (our code), `x_municipality`
//! (`{id, code, name}` where it is), `x_serves_municipalities` (the same,
//! for each city served), `x_participation_intent` (`yes`, `maybe`, `no`,
//! `unknown`), `x_introduced_organization_ids` (referrals: the ids of the
//! exported organizations it introduced), `x_visibility`.

use crate::auth::MaybeCaller;
use crate::directory::entry_view::{
    by_entry, place, publication_of, reader_of, stored_entry, HiddenReads,
};
use crate::directory::filters::{unknown_filter_term, ResourceFilterParams};
use crate::http::problem::ApiResult;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use living_gate_db::directory::resource_search::{self as search, Order, SearchCursor};
use living_gate_db::directory::resources as db;
use living_gate_db::{directory::taxonomy, reference::municipalities, AsyncPgConnection, Page};
use living_gate_domain::directory::details::{Cost, TargetGroup};
use living_gate_domain::directory::import::Column;
use living_gate_domain::directory::{redact, Place, Reader, Redacted, Vocabulary};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Open Referral HSDS 3.0: a page of organizations with their services,
    /// locations, contacts, phones and taxonomy attributes.
    #[default]
    Hsds,
    /// CSV (UTF-8 with BOM) with the import's columns.
    Csv,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    pub format: Option<ExportFormat>,
}

/// Every matching entry, in creation order.
pub async fn load_all(
    conn: &mut AsyncPgConnection,
    filter: &search::SearchFilter,
) -> ApiResult<Vec<db::Resource>> {
    let mut all = Vec::new();
    let mut after: Option<SearchCursor> = None;
    loop {
        let rows = search::search(conn, filter, Order::Id, after, 5000).await?;
        let more = rows.len() > 5000;
        for row in rows.into_iter().take(5000) {
            after = Some(SearchCursor {
                key: row.sort_key,
                id: row.resource.id,
            });
            all.push(row.resource);
        }
        if !more {
            return Ok(all);
        }
    }
}

/// The entries with their locations and details, as `reader` may see
/// them; those whose consent was withdrawn are left out.
pub async fn redacted(
    conn: &mut AsyncPgConnection,
    rows: Vec<db::Resource>,
    reader: &Reader,
    reads: &mut HiddenReads,
) -> ApiResult<Vec<Redacted>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut all = Vec::new();
    for chunk in ids.chunks(10_000) {
        all.extend(db::locations(conn, chunk).await?);
    }
    let mut locations = by_entry(all);
    let coarse = db::coarse_positions(conn, &ids).await?;
    let mut details = living_gate_db::directory::details::of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let details = details.remove(&r.id).unwrap_or_default();
            // A withdrawn consent keeps the entry out of every export, staff's too.
            (!details.consent_withdrawn).then_some((r, details))
        })
        .map(|(r, details)| {
            let places = locations
                .remove(&r.id)
                .unwrap_or_default()
                .iter()
                .map(place)
                .collect();
            let publication = publication_of(&r, &coarse);
            reads.note(redact(
                stored_entry(r, places, details, None, publication),
                reader,
            ))
        })
        .collect())
}

/// Exports the visible entries matching the filters; no token needed.
#[utoipa::path(operation_id = "exportResources", tag = "directory", params(ExportParams, ResourceFilterParams), security((), ("bearer" = [])),
    responses((status = 200, description = "The export", content(
        (Object = "application/json", example = json!({"total_items": 1, "total_pages": 1, "page_number": 1, "size": 1,
            "first_page": true, "last_page": true, "empty": false, "contents": [{"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01",
            "name": "NPO法人ざま居場所ネット", "description": "ひきこもりの若者と家族のための居場所", "legal_status": "NPO法人",
            "services": [{"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f11", "name": "NPO法人ざま居場所ネット", "status": "active"}],
            "x_participation_intent": "yes"}]})),
        (String = "text/csv", example = "\u{feff}external_key,name,name_kana,...\r\n"))))
)]
#[get("/resources/export")]
pub async fn export(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    params: web::Query<ExportParams>,
    filter: web::Query<ResourceFilterParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = crate::http::read_routing::directory_read(&state, &caller).await?;
    let reader = reader_of(&mut conn, &caller).await?;
    let filter = filter.filter(&reader)?;
    if let Some(unknown) = unknown_filter_term(&mut conn, &filter).await? {
        return Err(unknown);
    }
    let rows = load_all(&mut conn, &filter).await?;
    let mut reads = HiddenReads::default();
    let entries = redacted(&mut conn, rows, &reader, &mut reads).await?;
    crate::record::audit_hidden_reads(
        &mut conn,
        caller.0.as_ref().map(|c| c as _),
        &reads.0,
        "exportResources",
    )
    .await?;
    let cities: HashMap<Uuid, municipalities::Municipality> = municipalities::list(
        &mut conn,
        Page {
            after: None,
            limit: 200,
        },
    )
    .await?
    .into_iter()
    .map(|m| (m.id, m))
    .collect();
    let mut terms = taxonomy::list(&mut conn, Vocabulary::Topic).await?;
    terms.extend(taxonomy::list(&mut conn, Vocabulary::Form).await?);
    Ok(match params.format.unwrap_or_default() {
        ExportFormat::Csv => {
            crate::http::download::csv("resources", to_csv(&entries, &cities, &terms))
        }
        ExportFormat::Hsds => {
            let ids: Vec<Uuid> = entries.iter().map(|e| e.id).collect();
            let mut referrals: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
            let exported: std::collections::HashSet<Uuid> = ids.iter().copied().collect();
            for chunk in ids.chunks(10_000) {
                for (from, to) in db::referrals_from(&mut conn, chunk).await? {
                    // Only links between exported entries: a staff-only
                    // entry must not be revealed by its id.
                    if exported.contains(&to) {
                        referrals.entry(from).or_default().push(to);
                    }
                }
            }
            let contents: Vec<Value> = entries
                .iter()
                .map(|e| {
                    hsds_organization(
                        e,
                        &cities,
                        &terms,
                        referrals.get(&e.id).map(Vec::as_slice).unwrap_or_default(),
                    )
                })
                .collect();
            let n = contents.len();
            HttpResponse::Ok().json(json!({
                "total_items": n, "total_pages": 1, "page_number": 1, "size": n,
                "first_page": true, "last_page": true, "empty": n == 0, "contents": contents,
            }))
        }
    })
}

/// A UUID derived from an entry's id for one of its sub-records, stable across exports.
fn derived(id: Uuid, tag: u128) -> Uuid {
    Uuid::from_u128(id.as_u128() ^ (tag << 64))
}

fn city(cities: &HashMap<Uuid, municipalities::Municipality>, id: Uuid) -> Value {
    cities.get(&id).map_or(
        json!({"id": id}),
        |m| json!({"id": m.id, "code": m.code, "name": m.name, "name_en": m.name_en}),
    )
}

/// One entry as an HSDS 3.0 organization with one service. Absent (not
/// null) where HSDS wants a string and we have none or may not tell (the
/// redaction left `None`).
pub fn hsds_organization(
    r: &Redacted,
    cities: &HashMap<Uuid, municipalities::Municipality>,
    terms: &[taxonomy::Term],
    introduced: &[Uuid],
) -> Value {
    let service_id = derived(r.id, 1);
    let mut org = Map::new();
    let put = |map: &mut Map<String, Value>, key: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            map.insert(key.to_owned(), json!(v));
        }
    };
    org.insert("id".into(), json!(r.id));
    org.insert("name".into(), json!(r.name));
    put(
        &mut org,
        "alternate_name",
        r.other_names
            .first()
            .map(String::as_str)
            .or(r.name_kana.as_deref()),
    );
    org.insert("description".into(), json!(r.description));
    put(&mut org, "email", r.email.as_deref());
    put(&mut org, "website", r.website.as_deref());
    org.insert("legal_status".into(), json!(r.legal_form.label_ja()));
    let phones: Vec<Value> = r
        .phone
        .iter()
        .map(|p| json!({"id": derived(r.id, 2), "organization_id": r.id, "number": p}))
        .collect();
    org.insert("phones".into(), json!(phones));
    let contacts: Vec<Value> = r
        .contact_person
        .iter()
        .map(|c| json!({"id": derived(r.id, 3), "organization_id": r.id, "name": c}))
        .collect();
    org.insert("contacts".into(), json!(contacts));
    let hsds_locations: Vec<Value> = r
        .locations
        .iter()
        .map(|l| {
            let mut loc = Map::new();
            loc.insert("id".into(), json!(l.id));
            loc.insert("location_type".into(), json!("physical"));
            loc.insert("organization_id".into(), json!(r.id));
            put(&mut loc, "name", l.label.as_deref());
            if [&l.postal_code, &l.prefecture, &l.city, &l.street].iter().any(|p| p.is_some()) {
                let part = |p: &Option<String>| p.clone().unwrap_or_default();
                loc.insert(
                    "addresses".into(),
                    json!([{"id": derived(l.id, 4), "location_id": l.id, "address_1": part(&l.street),
                            "city": part(&l.city), "state_province": part(&l.prefecture),
                            "postal_code": part(&l.postal_code), "country": "JP", "address_type": "physical"}]),
                );
            }
            if let (Some(lat), Some(lng)) = (l.latitude, l.longitude) {
                loc.insert("latitude".into(), json!(lat));
                loc.insert("longitude".into(), json!(lng));
            }
            let accessibility: Vec<Value> = r
                .details
                .accessibility
                .iter()
                .enumerate()
                .map(|(i, feature)| {
                    let mut a = json!({"id": derived(l.id, 32 + i as u128), "location_id": l.id,
                        "description": feature.label_ja(), "x_code": feature});
                    if let Some(note) = &r.details.accessibility_note {
                        a["details"] = json!(note);
                    }
                    a
                })
                .collect();
            loc.insert("accessibility".into(), json!(accessibility));
            Value::Object(loc)
        })
        .collect();
    org.insert("locations".into(), json!(hsds_locations));
    let attributes: Vec<Value> = r
        .topics
        .iter()
        .map(|c| (Vocabulary::Topic, c))
        .chain(r.forms.iter().map(|c| (Vocabulary::Form, c)))
        .filter_map(|(vocabulary, code)| {
            let term = terms.iter().find(|t| t.vocabulary == vocabulary && &t.code == code)?;
            let mut taxonomy_term = json!({"id": term.id, "code": term.code, "name": term.label_ja,
                "description": term.label_en, "taxonomy": format!("living-gate-{vocabulary}s"), "language": "ja"});
            if let Some(parent) = term.parent_id {
                taxonomy_term["parent_id"] = json!(parent);
            }
            Some(json!({"id": derived(term.id, service_id.as_u128() >> 64), "link_id": service_id,
                "link_type": vocabulary, "link_entity": "service", "taxonomy_term_id": term.id,
                "taxonomy_term": taxonomy_term}))
        })
        .collect();
    let languages: Vec<Value> = r
        .languages
        .iter()
        .enumerate()
        .map(|(i, code)| json!({"id": derived(r.id, 16 + i as u128), "service_id": service_id, "code": code}))
        .collect();
    let service_areas: Vec<Value> = r
        .serves_municipality_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let name = cities.get(id).map_or_else(|| id.to_string(), |m| m.name.clone());
            json!({"id": derived(r.id, 64 + i as u128), "service_id": service_id, "name": name, "extent_type": "other"})
        })
        .collect();
    let mut service = json!({"id": service_id, "organization_id": r.id, "name": r.name, "description": r.description,
        "status": "active", "attributes": attributes, "languages": languages, "service_areas": service_areas,
        "last_modified": r.updated_at.to_rfc3339()});
    let d = &r.details;
    let eligibility: Vec<String> = r
        .target_ages
        .iter()
        .cloned()
        .chain(
            d.target_groups
                .iter()
                .map(|g| target_group_ja(*g).to_owned()),
        )
        .chain(d.eligibility_note.iter().cloned())
        .collect();
    if !eligibility.is_empty() {
        service["eligibility_description"] = json!(eligibility.join("、"));
    }
    if let Some(age) = d.minimum_age {
        service["minimum_age"] = json!(age);
    }
    if let Some(age) = d.maximum_age {
        service["maximum_age"] = json!(age);
    }
    if let Some(verified) = r.last_verified_at {
        service["assured_date"] = json!(verified.date_naive().to_string());
    }
    let mut application = Vec::new();
    if d.by_appointment {
        application.push("予約制 (by appointment)");
    }
    if d.call_before_visiting {
        application.push("事前に電話でご連絡ください (call before visiting)");
    }
    if !application.is_empty() {
        service["application_process"] = json!(application.join("。"));
    }
    service["schedules"] = json!(hsds_schedules(r, service_id));
    if let Some(cost) = d.cost {
        let mut option = json!({"id": derived(r.id, 6), "service_id": service_id, "currency": "JPY",
            "option": match cost { Cost::Free => "無料 (free)", Cost::Fee => "有料 (fee)" }});
        if cost == Cost::Free {
            option["amount"] = json!(0);
        }
        if let Some(note) = &d.cost_note {
            option["amount_description"] = json!(note);
        }
        service["cost_options"] = json!([option]);
        if let Some(note) = &d.cost_note {
            service["fees_description"] = json!(note);
        }
    }
    service["x_target_groups"] = json!(d.target_groups);
    service["x_call_before_visiting"] = json!(d.call_before_visiting);
    service["x_by_appointment"] = json!(d.by_appointment);
    org.insert("services".into(), json!([service]));
    org.insert("x_legal_form".into(), json!(r.legal_form.as_str()));
    org.insert("x_municipality".into(), city(cities, r.municipality_id));
    org.insert(
        "x_serves_municipalities".into(),
        json!(r
            .serves_municipality_ids
            .iter()
            .map(|id| city(cities, *id))
            .collect::<Vec<_>>()),
    );
    org.insert(
        "x_participation_intent".into(),
        json!(r.participation_intent.as_str()),
    );
    org.insert("x_introduced_organization_ids".into(), json!(introduced));
    org.insert("x_visibility".into(), json!(r.visibility.as_str()));
    Value::Object(org)
}

/// The HSDS label of a target group (Japanese, with the English).
pub fn target_group_ja(group: TargetGroup) -> &'static str {
    match group {
        TargetGroup::Hardship => "生活の困りごと (hardship)",
        TargetGroup::ForeignLanguage => "外国語での相談 (foreign language)",
        TargetGroup::SuicidalThoughts => "死にたい気持ち (suicidal thoughts)",
        TargetGroup::DvSexualViolence => "DV・性暴力 (DV, sexual violence)",
        TargetGroup::GenderIdentity => "性自認・性的指向 (gender identity)",
        TargetGroup::SingleParent => "ひとり親 (single parents)",
        TargetGroup::Under18 => "18歳以下 (under 18)",
        TargetGroup::Loneliness => "孤独・孤立 (loneliness)",
    }
}

/// The entry's schedules in HSDS: the free-text hours, each weekly period
/// (`freq: WEEKLY`, `byday`, `opens_at`/`closes_at` in Japan time), and each
/// exception as a one-day schedule (`valid_from` = `valid_to`).
fn hsds_schedules(r: &Redacted, service_id: Uuid) -> Vec<Value> {
    let mut schedules = Vec::new();
    if let Some(hours) = &r.opening_hours {
        schedules
            .push(json!({"id": derived(r.id, 5), "service_id": service_id, "description": hours}));
    }
    for (i, p) in r.details.opening_periods.iter().enumerate() {
        let mut s = json!({"id": derived(r.id, 256 + i as u128), "service_id": service_id, "freq": "WEEKLY",
            "byday": p.weekday.ical(), "opens_at": format!("{}+09:00", p.opens_at),
            "closes_at": format!("{}+09:00", p.closes_at), "timezone": 9});
        if let Some(place) = p
            .location_index
            .and_then(|l| r.locations.get(usize::from(l)))
        {
            s["location_id"] = json!(place.id);
        }
        schedules.push(s);
    }
    for (i, x) in r.details.opening_exceptions.iter().enumerate() {
        let date = x.date.to_string();
        let mut s = json!({"id": derived(r.id, 512 + i as u128), "service_id": service_id,
            "valid_from": date, "valid_to": date});
        match (&x.opens_at, &x.closes_at) {
            (Some(opens), Some(closes)) => {
                s["opens_at"] = json!(format!("{opens}+09:00"));
                s["closes_at"] = json!(format!("{closes}+09:00"));
                s["description"] = json!(x
                    .note
                    .clone()
                    .unwrap_or_else(|| "特別営業 (special hours)".into()));
            }
            _ => {
                s["description"] = json!(match &x.note {
                    Some(note) => format!("休業 (closed): {note}"),
                    None => "休業 (closed)".to_owned(),
                });
            }
        }
        schedules.push(s);
    }
    schedules
}

/// The redacted entries in the import's columns: an address or a position
/// is that of the first location.
fn to_csv(
    entries: &[Redacted],
    cities: &HashMap<Uuid, municipalities::Municipality>,
    terms: &[taxonomy::Term],
) -> Vec<u8> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        // The import's columns, so an export can be edited and imported again.
        let _ = writer.write_record(Column::ALL.map(Column::name));
        let city_name = |id: &Uuid| {
            cities
                .get(id)
                .map_or_else(|| id.to_string(), |m| m.name.clone())
        };
        let label = |vocabulary: Vocabulary, code: &String| {
            terms
                .iter()
                .find(|t| t.vocabulary == vocabulary && &t.code == code)
                .map_or_else(|| code.clone(), |t| t.label_ja.clone())
        };
        for r in entries {
            let first = r.locations.first();
            let address = |f: fn(&Place) -> &Option<String>| {
                first.and_then(|l| f(l).clone()).unwrap_or_default()
            };
            let coordinate = |f: fn(&Place) -> Option<f64>| {
                first.and_then(f).map(|v| v.to_string()).unwrap_or_default()
            };
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            let record = [
                text(&r.external_key),
                r.name.clone(),
                text(&r.name_kana),
                r.other_names.join(";"),
                r.legal_form.label_ja().to_owned(),
                city_name(&r.municipality_id),
                r.serves_municipality_ids
                    .iter()
                    .map(city_name)
                    .collect::<Vec<_>>()
                    .join(";"),
                r.topics
                    .iter()
                    .map(|c| label(Vocabulary::Topic, c))
                    .collect::<Vec<_>>()
                    .join(";"),
                r.forms
                    .iter()
                    .map(|c| label(Vocabulary::Form, c))
                    .collect::<Vec<_>>()
                    .join(";"),
                r.description.clone(),
                address(|l| &l.postal_code),
                address(|l| &l.prefecture),
                address(|l| &l.city),
                address(|l| &l.street),
                coordinate(|l| l.latitude),
                coordinate(|l| l.longitude),
                text(&r.phone),
                text(&r.email),
                text(&r.website),
                text(&r.contact_person),
                text(&r.opening_hours),
                text(&r.target_ages),
                r.languages.join(";"),
                r.participation_intent.as_str().to_owned(),
                r.visibility.as_str().to_owned(),
                r.hidden_fields
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                r.position_publication.as_str().to_owned(),
            ];
            let _ = writer.write_record(&record);
        }
        let _ = writer.flush();
    }
    out
}
