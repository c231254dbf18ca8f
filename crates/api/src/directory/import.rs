//! `POST /v1/resources/import`: the CSV files municipalities keep, in UTF-8
//! (with or without BOM) or Shift_JIS/CP932 as Excel saves them. A dry run
//! reports every problem by row and column; a real run writes all rows or
//! none, idempotently by the `external_key` column.
//!
//! The format, the decoding and the checks of every row are the domain's
//! ([`living_gate_domain::directory::import`]); this handler reads the body,
//! loads what rows may refer to, plans the rows against the stored entries
//! and writes them.

use crate::auth::Caller;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Author, Change, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use diesel_async::AsyncConnection;
use futures_util::StreamExt;
use living_gate_db::audit::{self as audit_db};
use living_gate_db::directory::resources::{self as db, Location, ResourceContent};
use living_gate_db::{
    directory::taxonomy, pool, reference::municipalities, AsyncPgConnection, Page,
};
use living_gate_domain::directory::import::{
    self as parser, CsvEncoding, ImportRow, ImportedEntry, Lookups, RowProblem,
};
use living_gate_domain::directory::{PositionPublication, Vocabulary};
use living_gate_domain::identity::RecordStatus;
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Largest CSV accepted (about 100,000 rows).
pub const IMPORT_LIMIT: usize = 32 * 1024 * 1024;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check every row and report, without writing anything.
    #[serde(default)]
    pub dry_run: bool,
    /// Force an encoding; by default a UTF-8 BOM or valid UTF-8 is read as
    /// UTF-8, anything else as Shift_JIS (CP932).
    pub encoding: Option<CsvEncoding>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"dry_run": true, "encoding": "shift_jis", "rows": 3, "created": 2, "updated": 1, "unchanged": 0,
    "problems": [{"row": 4, "column": "topics", "code": "unknown_term", "problem": "no topic term 子供"}]}))]
pub struct ImportReport {
    pub dry_run: bool,
    pub encoding: CsvEncoding,
    /// Data rows read.
    pub rows: usize,
    /// Rows that are (or, in a dry run, would be) new entries.
    pub created: usize,
    pub updated: usize,
    /// Rows identical to their entry: nothing to write.
    pub unchanged: usize,
    /// Empty when the file is good; a real run with problems writes nothing (422).
    pub problems: Vec<RowProblem>,
}

/// What rows may refer to: the active municipalities and the terms of both
/// vocabularies.
async fn lookups(conn: &mut AsyncPgConnection) -> ApiResult<Lookups> {
    let mut lookups = Lookups::new();
    for m in municipalities::list(
        conn,
        Page {
            after: None,
            limit: 200,
        },
    )
    .await?
    {
        if m.status != RecordStatus::Active {
            continue;
        }
        lookups.add_municipality(m.id, &m.code, &m.name, &m.name_en);
    }
    for vocabulary in [Vocabulary::Topic, Vocabulary::Form] {
        for t in taxonomy::list(conn, vocabulary).await? {
            lookups.add_term(vocabulary, &t.code, &t.label_ja);
        }
    }
    Ok(lookups)
}

/// A parsed row as the database stores it.
struct RowToWrite {
    /// The line in the file, for the problems found against stored entries.
    line: usize,
    external_key: String,
    content: ResourceContent,
    locations: Vec<Location>,
    coarse: bool,
}

impl From<ImportRow> for RowToWrite {
    fn from(row: ImportRow) -> RowToWrite {
        let ImportedEntry {
            external_key,
            name,
            name_kana,
            other_names,
            legal_form,
            description,
            municipality_id,
            serves_municipality_ids,
            topics,
            forms,
            location,
            phone,
            email,
            website,
            contact_person,
            opening_hours,
            target_ages,
            languages,
            participation_intent,
            visibility,
            hidden_fields,
            position_publication,
        } = row.entry;
        let locations = location
            .into_iter()
            .map(|l| Location {
                id: Uuid::now_v7(),
                resource_id: Uuid::nil(),
                ordinal: 0,
                label: None,
                postal_code: l.postal_code,
                prefecture: l.prefecture,
                city: l.city,
                street: l.street,
                latitude: l.position.map(|(lat, _)| lat),
                longitude: l.position.map(|(_, lng)| lng),
                created_at: Utc::now(),
            })
            .collect();
        let content = ResourceContent {
            external_key: Some(external_key.clone()),
            name,
            name_kana,
            other_names,
            legal_form,
            description,
            municipality_id,
            serves_municipality_ids,
            topics,
            forms,
            phone,
            email: email.map(living_gate_domain::Email::into_string),
            website,
            contact_person,
            opening_hours,
            target_ages,
            languages,
            participation_intent,
            partner_organization_id: None,
            visibility,
            hidden_fields: crate::directory::input::hidden_fields(&hidden_fields),
            last_verified_at: None,
            last_verified_by: None,
        };
        RowToWrite {
            line: row.line,
            external_key,
            content,
            locations,
            coarse: position_publication == PositionPublication::Coarse,
        }
    }
}

async fn read_body(mut payload: web::Payload) -> ApiResult<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("unreadable body: {e}")))?;
        if body.len() + chunk.len() > IMPORT_LIMIT {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Imports directory entries from CSV (desk). Columns (English or Japanese
/// headers, any order): `external_key`* (外部キー), `name`* (名称),
/// `name_kana`, `other_names`, `legal_form`* (code or 法人格 label),
/// `municipality`* (code, 座間市 or Zama), `serves` (cities or 全域), `topics`
/// and `forms` (codes or Japanese labels), `description`, `postal_code`,
/// `prefecture`, `city`, `street`, `latitude`, `longitude`, `phone`, `email`,
/// `website`, `contact_person`, `opening_hours`, `target_ages`,
/// `languages`, `participation_intent` (yes/maybe/no/unknown, あり/検討中/なし),
/// `visibility` (public/staff_only, 公開/非公開), `hidden_fields` (address,
/// position, phone, email, contact_person or 住所/位置/電話/メール/担当者;
/// a hidden address hides the position), `position_publication` (exact,
/// coarse, hidden or 正確/概略/非公開; exact with a hidden address is a
/// problem of the row). Every row must be of the caller's city, and a key
/// of another city's entry is a problem (`not_owner`).
/// Lists inside a cell are separated by `;` or `、`. A row whose key exists
/// replaces that entry (its locations too); an identical row changes nothing.
#[utoipa::path(operation_id = "importResources", tag = "directory", params(ImportParams), security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "The CSV file, UTF-8 (BOM optional) or Shift_JIS/CP932, at most 32 MiB",
        example = "external_key,name,legal_form,municipality,topics,forms\nzama-001,ざま子ども食堂,こども食堂,座間市,子育て,居場所づくり\n"),
    responses((status = 200, description = "Imported, or the dry run's report", body = ImportReport),
        (status = 403, description = "Only the desk manages the directory", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rows with problems: nothing was written; `problems` lists them", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/resources/import")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageDirectory)?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("text/csv") {
        return Err(ApiError::UnsupportedMediaType(
            "send the file as text/csv".into(),
        ));
    }
    let bytes = read_body(payload).await?;
    let decoded = parser::decode(&bytes, params.encoding)
        .map_err(|e| ApiError::validation("body", "encoding", e.to_string()))?;
    let mut conn = pool::connection(&state.pool).await?;
    let lookups = lookups(&mut conn).await?;
    let parsed = parser::parse(&decoded.text, &lookups);
    let row_count = parsed.rows_read();
    let encoding = decoded.encoding;
    let mut problems = parsed.problems;
    let rows: Vec<RowToWrite> = parsed.rows.into_iter().map(RowToWrite::from).collect();
    let dry_run = params.dry_run;
    let report = conn
        .transaction(async |conn| {
            let plan = plan(conn, &caller, &rows).await?;
            problems.extend(plan.problems.iter().cloned());
            problems.sort_by_key(|p| p.row);
            let report = ImportReport {
                dry_run,
                encoding,
                rows: row_count,
                created: plan.created.len(),
                updated: plan.updated.len(),
                unchanged: plan.unchanged,
                problems: problems.clone(),
            };
            if dry_run || !problems.is_empty() {
                return Ok::<_, ApiError>(report);
            }
            write(conn, &caller, &rows, &plan).await?;
            Ok(report)
        })
        .await?;
    if !dry_run && !report.problems.is_empty() {
        let mut problem = ApiError::validation(
            "body",
            "invalid_rows",
            "some rows have problems; nothing was written",
        )
        .problem();
        problem.extra = Some(serde_json::json!({ "report": report }));
        return Ok(HttpResponse::UnprocessableEntity()
            .content_type(crate::http::problem::PROBLEM_JSON)
            .json(problem));
    }
    Ok(HttpResponse::Ok().json(report))
}

/// What an import will do: which rows create, which replace which entry,
/// and the rows the caller may not write (another city's entries).
struct Plan {
    created: Vec<(Uuid, usize)>,
    /// (entry, row index, the entry before)
    updated: Vec<(Uuid, usize, db::Resource)>,
    unchanged: usize,
    problems: Vec<RowProblem>,
}

/// A row that would write into a city whose desk the caller is not.
fn not_owner(row: &RowToWrite, what: &str) -> RowProblem {
    RowProblem {
        row: row.line,
        column: "municipality".to_owned(),
        code: "not_owner".to_owned(),
        problem: format!("{what}: only that city's desk imports its entries"),
    }
}

async fn plan(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    rows: &[RowToWrite],
) -> ApiResult<Plan> {
    let owns = |owner: Uuid| authorize(&caller.actor, Action::EditEntry { owner }).is_ok();
    let keys: Vec<String> = rows.iter().map(|r| r.external_key.clone()).collect();
    let mut existing: HashMap<String, db::Resource> = HashMap::new();
    for chunk in keys.chunks(10_000) {
        for r in db::find_by_external_keys(conn, chunk).await? {
            existing.insert(r.external_key.clone().unwrap_or_default(), r);
        }
    }
    let ids: Vec<Uuid> = existing.values().map(|r| r.id).collect();
    let mut old_locations: HashMap<Uuid, Vec<Location>> = HashMap::new();
    for chunk in ids.chunks(10_000) {
        for l in db::locations(conn, chunk).await? {
            old_locations.entry(l.resource_id).or_default().push(l);
        }
    }
    let coarse = db::coarse_positions(conn, &ids).await?;
    let mut plan = Plan {
        created: Vec::new(),
        updated: Vec::new(),
        unchanged: 0,
        problems: Vec::new(),
    };
    for (i, row) in rows.iter().enumerate() {
        if !owns(row.content.municipality_id) {
            plan.problems
                .push(not_owner(row, "the row names another city"));
            continue;
        }
        if let Some(before) = existing.get(&row.external_key) {
            if !owns(before.municipality_id) {
                plan.problems
                    .push(not_owner(row, "the key is another city's entry"));
                continue;
            }
        }
        match existing.get(&row.external_key) {
            None => plan.created.push((Uuid::now_v7(), i)),
            Some(before) => {
                let mut current = ResourceContent::of(before);
                // An import does not carry verification, links to partners or referrals: keep them.
                current.last_verified_at = None;
                current.last_verified_by = None;
                current.partner_organization_id = None;
                let old = old_locations
                    .get(&before.id)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let same_locations = old.len() == row.locations.len()
                    && old.iter().zip(&row.locations).all(|(a, b)| a.same_place(b));
                if current == row.content
                    && same_locations
                    && coarse.contains(&before.id) == row.coarse
                {
                    plan.unchanged += 1;
                } else {
                    plan.updated.push((before.id, i, before.clone()));
                }
            }
        }
    }
    Ok(plan)
}

async fn write(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    rows: &[RowToWrite],
    plan: &Plan,
) -> ApiResult<()> {
    let new: Vec<(Uuid, ResourceContent)> = plan
        .created
        .iter()
        .map(|(id, i)| (*id, rows[*i].content.clone()))
        .collect();
    db::insert_many(conn, &new).await?;
    let mut changes = Vec::new();
    let change = |id: Uuid, diff: serde_json::Value, how: &str| {
        let mut event = FeedEvent::entry(id, EventKind::ResourceImported);
        event.reason = Some(how.to_owned());
        Change {
            action: "resource.import".to_owned(),
            target_type: "resource",
            target_id: id.to_string(),
            changes: diff,
            event,
        }
    };
    for (id, i) in &plan.created {
        changes.push(change(
            *id,
            audit_db::diff(None, &rows[*i].content),
            "created",
        ));
    }
    for (id, i, before) in &plan.updated {
        let mut content = rows[*i].content.clone();
        content.last_verified_at = before.last_verified_at;
        content.last_verified_by = before.last_verified_by;
        content.partner_organization_id = before.partner_organization_id;
        let after = db::replace(conn, *id, &content).await?;
        changes.push(change(*id, audit_db::diff(Some(before), &after), "updated"));
    }
    let touched: Vec<Uuid> = plan
        .created
        .iter()
        .map(|(id, _)| *id)
        .chain(plan.updated.iter().map(|(id, _, _)| *id))
        .collect();
    let locations: Vec<Location> = plan
        .created
        .iter()
        .map(|(id, i)| (*id, *i))
        .chain(plan.updated.iter().map(|(id, i, _)| (*id, *i)))
        .flat_map(|(id, i)| {
            rows[i].locations.iter().map(move |l| Location {
                id: Uuid::now_v7(),
                resource_id: id,
                ..l.clone()
            })
        })
        .collect();
    db::replace_locations(conn, &touched, &locations).await?;
    let coarse: Vec<Uuid> = plan
        .created
        .iter()
        .map(|(id, i)| (*id, *i))
        .chain(plan.updated.iter().map(|(id, i, _)| (*id, *i)))
        .filter(|(_, i)| rows[*i].coarse)
        .map(|(id, _)| id)
        .collect();
    db::set_coarse_positions(conn, &touched, &coarse).await?;
    record::write_many(conn, author, changes).await?;
    Ok(())
}
