//! `POST /v1/resources/import`: the CSV files municipalities keep, in UTF-8
//! (with or without BOM) or Shift_JIS/CP932 as Excel saves them. A dry run
//! reports every problem by row and column; a real run writes all rows or
//! none, idempotently by the `external_key` column.

use crate::auth::Caller;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Author, Change, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel_async::AsyncConnection;
use futures_util::StreamExt;
use living_gate_db::audit::{self as audit_db};
use living_gate_db::resources::{self as db, Location, ResourceContent};
use living_gate_db::{municipalities, pool, taxonomy, AsyncPgConnection, Page};
use living_gate_domain::directory::{
    language, phone, position, EntryVisibility, HideableField, LegalForm, ParticipationIntent,
    Vocabulary,
};
use living_gate_domain::identity::{postal_code, website, RecordStatus};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{Email, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Largest CSV accepted (about 100,000 rows).
pub const IMPORT_LIMIT: usize = 32 * 1024 * 1024;
const MAX_ROWS: usize = 100_000;

/// The columns, by their English name and the Japanese headers accepted for them.
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("external_key", &["外部キー", "管理番号", "ID"]),
    ("name", &["名称", "団体名"]),
    ("name_kana", &["ふりがな", "フリガナ", "よみがな"]),
    ("other_names", &["別名", "通称"]),
    ("legal_form", &["法人格", "団体種別"]),
    ("municipality", &["所在市", "市町村"]),
    ("serves", &["対象地域"]),
    ("topics", &["テーマ", "対象課題"]),
    ("forms", &["活動形態"]),
    ("description", &["活動内容", "説明"]),
    ("postal_code", &["郵便番号"]),
    ("prefecture", &["都道府県"]),
    ("city", &["市区町村"]),
    ("street", &["町名番地", "住所"]),
    ("latitude", &["緯度"]),
    ("longitude", &["経度"]),
    ("phone", &["電話番号", "電話"]),
    ("email", &["メールアドレス", "メール"]),
    ("website", &["ウェブサイト", "ホームページ"]),
    ("contact_person", &["担当者"]),
    ("opening_hours", &["開所時間", "活動日時"]),
    ("target_ages", &["対象年齢"]),
    ("languages", &["対応言語"]),
    ("participation_intent", &["参画意向", "PF参画意向"]),
    ("visibility", &["公開"]),
    ("hidden_fields", &["非公開項目"]),
];

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

#[derive(Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum CsvEncoding {
    Utf8,
    ShiftJis,
}

/// One problem of one row.
#[derive(Serialize, ToSchema, Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The line in the file, the header being line 1.
    pub row: usize,
    /// The column's English name (`file` for the file as a whole).
    pub column: String,
    /// A stable code, e.g. `required`, `unknown_term`, `duplicate_key`.
    pub code: String,
    pub problem: String,
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

/// Decodes the bytes of a CSV file.
pub fn decode(bytes: &[u8], forced: Option<CsvEncoding>) -> Result<(String, CsvEncoding), String> {
    let utf8_bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let encoding = forced.unwrap_or(if utf8_bom || std::str::from_utf8(bytes).is_ok() {
        CsvEncoding::Utf8
    } else {
        CsvEncoding::ShiftJis
    });
    match encoding {
        CsvEncoding::Utf8 => {
            let bytes = if utf8_bom { &bytes[3..] } else { bytes };
            std::str::from_utf8(bytes)
                .map(|s| (s.to_owned(), encoding))
                .map_err(|_| "the file is not valid UTF-8".to_owned())
        }
        CsvEncoding::ShiftJis => {
            let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
            if had_errors {
                Err("the file is neither UTF-8 nor valid Shift_JIS (CP932)".to_owned())
            } else {
                Ok((text.into_owned(), encoding))
            }
        }
    }
}

/// What a row needs to look up: municipalities and taxonomy terms.
pub struct Lookups {
    /// By code, Japanese name and English name (lower case).
    pub municipalities: HashMap<String, Uuid>,
    pub all_municipalities: Vec<Uuid>,
    /// (vocabulary, code or Japanese label) → code.
    pub terms: HashMap<(Vocabulary, String), String>,
}

impl Lookups {
    pub async fn load(conn: &mut AsyncPgConnection) -> ApiResult<Lookups> {
        let mut municipality_map = HashMap::new();
        let mut all = Vec::new();
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
            municipality_map.insert(m.code.clone(), m.id);
            municipality_map.insert(m.name.clone(), m.id);
            municipality_map.insert(m.name_en.to_lowercase(), m.id);
            all.push(m.id);
        }
        let mut terms = HashMap::new();
        for vocabulary in [Vocabulary::Topic, Vocabulary::Form] {
            for t in taxonomy::list(conn, vocabulary).await? {
                terms.insert((vocabulary, t.code.clone()), t.code.clone());
                terms.insert((vocabulary, t.label_ja.clone()), t.code.clone());
            }
        }
        Ok(Lookups {
            municipalities: municipality_map,
            all_municipalities: all,
            terms,
        })
    }

    fn municipality(&self, raw: &str) -> Option<Uuid> {
        let raw = raw.trim();
        self.municipalities
            .get(raw)
            .or_else(|| self.municipalities.get(&raw.to_lowercase()))
            .copied()
    }
}

/// A parsed row, ready to write.
pub struct ParsedRow {
    pub line: usize,
    pub external_key: String,
    pub content: ResourceContent,
    pub locations: Vec<Location>,
}

/// Splits a list cell: `;`, `；`, `、`, `,` (inside the quoted cell) or `|`.
fn list(cell: &str) -> Vec<String> {
    cell.split([';', '；', '、', '|', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

struct RowCheck<'a> {
    line: usize,
    problems: &'a mut Vec<RowProblem>,
}

impl RowCheck<'_> {
    fn add(&mut self, column: &str, code: &str, problem: impl Into<String>) {
        self.problems.push(RowProblem {
            row: self.line,
            column: column.to_owned(),
            code: code.to_owned(),
            problem: problem.into(),
        });
    }

    /// Keeps the value of a field check, or records its problems.
    fn check<T>(&mut self, column: &str, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(errors) => {
                for e in errors.0 {
                    self.add(column, &e.code, e.message);
                }
                None
            }
        }
    }

    fn text(&mut self, column: &str, cell: &str, max: usize) -> Option<String> {
        let cell = cell.trim();
        if cell.is_empty() {
            return None;
        }
        self.check(column, bounded_text(column, cell, 1, max))
    }
}

/// Parses the decoded text: every row with its problems.
pub fn parse(text: &str, lookups: &Lookups) -> (Vec<ParsedRow>, Vec<RowProblem>) {
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(RowProblem {
                row: 1,
                column: "file".into(),
                code: "unreadable".into(),
                problem: format!("the header line cannot be read: {e}"),
            });
            return (Vec::new(), problems);
        }
    };
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        match COLUMNS
            .iter()
            .find(|(name, aliases)| *name == h || aliases.contains(&h))
        {
            Some((name, _)) => {
                index.insert(name, i);
            }
            None => problems.push(RowProblem {
                row: 1,
                column: h.to_owned(),
                code: "unknown_column".into(),
                problem: "not a column of the import format".into(),
            }),
        }
    }
    for required in ["external_key", "name", "legal_form", "municipality"] {
        if !index.contains_key(required) {
            problems.push(RowProblem {
                row: 1,
                column: required.into(),
                code: "missing_column".into(),
                problem: "this column is required".into(),
            });
        }
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        if n >= MAX_ROWS {
            problems.push(RowProblem {
                row: line,
                column: "file".into(),
                code: "too_many_rows".into(),
                problem: format!("at most {MAX_ROWS} rows per file"),
            });
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(RowProblem {
                    row: line,
                    column: "file".into(),
                    code: "unreadable".into(),
                    problem: format!("the line cannot be read: {e}"),
                });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = Cells(
            index
                .iter()
                .map(|(name, i)| (*name, record.get(*i).unwrap_or("").trim().to_owned()))
                .collect(),
        );
        let mut c = RowCheck {
            line,
            problems: &mut problems,
        };
        if let Some(row) = parse_row(&mut c, &cells, lookups) {
            if let Some(first) = seen.insert(row.external_key.clone(), line) {
                c.add(
                    "external_key",
                    "duplicate_key",
                    format!("the same key as line {first}"),
                );
            } else {
                rows.push(row);
            }
        }
    }
    (rows, problems)
}

/// The cells of one row, by column name.
struct Cells(HashMap<&'static str, String>);

impl Cells {
    fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

fn parse_row(c: &mut RowCheck<'_>, cells: &Cells, lookups: &Lookups) -> Option<ParsedRow> {
    let cell = |name: &str| cells.get(name);
    let before = c.problems.len();
    let external_key = c.text("external_key", cell("external_key"), 100);
    if external_key.is_none() {
        c.add("external_key", "required", "must not be empty");
    }
    let name = c.text("name", cell("name"), 200);
    if name.is_none() {
        c.add("name", "required", "must not be empty");
    }
    let legal_form = LegalForm::parse(cell("legal_form"));
    if legal_form.is_none() {
        c.add(
            "legal_form",
            "unknown_value",
            format!("not a legal form: {}", cell("legal_form")),
        );
    }
    let municipality = lookups.municipality(cell("municipality"));
    if municipality.is_none() {
        c.add(
            "municipality",
            "unknown_reference",
            format!("not one of the cities: {}", cell("municipality")),
        );
    }
    let mut serves = Vec::new();
    for s in list(cell("serves")) {
        if matches!(s.as_str(), "全域" | "全市" | "all" | "4市") {
            serves.extend(lookups.all_municipalities.iter().copied());
        } else if let Some(id) = lookups.municipality(&s) {
            serves.push(id);
        } else {
            c.add(
                "serves",
                "unknown_reference",
                format!("not one of the cities: {s}"),
            );
        }
    }
    let mut serves = living_gate_domain::validation::dedup(&serves);
    if serves.is_empty() {
        serves.extend(municipality);
    }
    let mut terms = |column: &str, vocabulary: Vocabulary| {
        let mut codes: Vec<String> = Vec::new();
        for raw in list(cell(column)) {
            match lookups.terms.get(&(vocabulary, raw.clone())) {
                Some(code) if !codes.contains(code) => codes.push(code.clone()),
                Some(_) => {}
                None => c.add(
                    column,
                    "unknown_term",
                    format!("no {vocabulary} term {raw}"),
                ),
            }
        }
        codes
    };
    let topics = terms("topics", Vocabulary::Topic);
    let forms = terms("forms", Vocabulary::Form);
    let latitude = cell("latitude");
    let longitude = cell("longitude");
    let (lat, lng) = match (latitude.is_empty(), longitude.is_empty()) {
        (true, true) => (None, None),
        (false, false) => match (latitude.parse::<f64>(), longitude.parse::<f64>()) {
            (Ok(a), Ok(b)) => c
                .check("latitude", position("location", a, b))
                .map_or((None, None), |(a, b)| (Some(a), Some(b))),
            _ => {
                c.add(
                    "latitude",
                    "not_a_number",
                    "latitude and longitude must be decimal degrees",
                );
                (None, None)
            }
        },
        _ => {
            c.add(
                "latitude",
                "incomplete_position",
                "give both latitude and longitude, or neither",
            );
            (None, None)
        }
    };
    let address = [
        cell("postal_code"),
        cell("prefecture"),
        cell("city"),
        cell("street"),
    ];
    let locations = if lat.is_some() || address.iter().any(|a| !a.is_empty()) {
        vec![Location {
            id: Uuid::now_v7(),
            resource_id: Uuid::nil(),
            ordinal: 0,
            label: None,
            postal_code: Some(cell("postal_code"))
                .filter(|v| !v.is_empty())
                .and_then(|v| c.check("postal_code", postal_code("postal_code", v))),
            prefecture: c.text("prefecture", cell("prefecture"), 10),
            city: c.text("city", cell("city"), 50),
            street: c.text("street", cell("street"), 200),
            latitude: lat,
            longitude: lng,
            created_at: chrono::Utc::now(),
        }]
    } else {
        Vec::new()
    };
    let mut languages = Vec::new();
    for l in list(cell("languages")) {
        if let Some(l) = c.check("languages", language("languages", &l)) {
            if !languages.contains(&l) {
                languages.push(l);
            }
        }
    }
    let intent = ParticipationIntent::parse(cell("participation_intent"));
    if intent.is_none() {
        c.add(
            "participation_intent",
            "unknown_value",
            "yes, maybe, no or unknown (あり, 検討中, なし, 未回答)",
        );
    }
    let visibility = match cell("visibility") {
        "" | "public" | "公開" => Some(EntryVisibility::Public),
        "staff_only" | "非公開" | "職員のみ" => Some(EntryVisibility::StaffOnly),
        _ => {
            c.add(
                "visibility",
                "unknown_value",
                "public or staff_only (公開, 非公開)",
            );
            None
        }
    };
    let mut hidden: Vec<HideableField> = Vec::new();
    for h in list(cell("hidden_fields")) {
        let field = HideableField::parse(&h).or(match h.as_str() {
            "住所" => Some(HideableField::Address),
            "位置" | "座標" => Some(HideableField::Position),
            "電話" | "電話番号" => Some(HideableField::Phone),
            "メール" | "メールアドレス" => Some(HideableField::Email),
            "担当者" => Some(HideableField::ContactPerson),
            _ => None,
        });
        match field {
            Some(f) => hidden.push(f),
            None => c.add(
                "hidden_fields",
                "unknown_value",
                format!("not a hideable field: {h}"),
            ),
        }
    }
    let content = ResourceContent {
        external_key: external_key.clone(),
        name: name.unwrap_or_default(),
        name_kana: c.text("name_kana", cell("name_kana"), 200),
        other_names: list(cell("other_names")).into_iter().take(10).collect(),
        // Placeholders where a problem was recorded: the row is refused below.
        legal_form: legal_form.unwrap_or(LegalForm::Other),
        description: c
            .text("description", cell("description"), 4000)
            .unwrap_or_default(),
        municipality_id: municipality.unwrap_or_default(),
        serves_municipality_ids: serves,
        topics,
        forms,
        phone: Some(cell("phone"))
            .filter(|v| !v.is_empty())
            .and_then(|v| c.check("phone", phone("phone", v))),
        email: Some(cell("email"))
            .filter(|v| !v.is_empty())
            .and_then(|v| c.check("email", Email::parse("email", v)))
            .map(|e| e.as_str().to_owned()),
        website: Some(cell("website"))
            .filter(|v| !v.is_empty())
            .and_then(|v| c.check("website", website("website", v))),
        contact_person: c.text("contact_person", cell("contact_person"), 100),
        opening_hours: c.text("opening_hours", cell("opening_hours"), 500),
        target_ages: c.text("target_ages", cell("target_ages"), 100),
        languages,
        participation_intent: intent.unwrap_or(ParticipationIntent::Unknown),
        partner_organization_id: None,
        visibility: visibility.unwrap_or(EntryVisibility::Public),
        hidden_fields: crate::directory::input::hidden_fields(&hidden),
        last_verified_at: None,
        last_verified_by: None,
    };
    if c.problems.len() > before {
        return None;
    }
    Some(ParsedRow {
        line: c.line,
        external_key: external_key.unwrap_or_default(),
        content,
        locations,
    })
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
/// position, phone, email, contact_person or 住所/位置/電話/メール/担当者).
/// Lists inside a cell are separated by `;` or `、`. A row whose key exists
/// replaces that entry (its locations too); an identical row changes nothing.
#[utoipa::path(tag = "directory", params(ImportParams), security(("bearer" = [])),
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
    living_gate_domain::authorize(&caller.actor, living_gate_domain::Action::ManageDirectory)?;
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
    let (text, encoding) =
        decode(&bytes, params.encoding).map_err(|e| ApiError::validation("body", "encoding", e))?;
    let mut conn = pool::connection(&state.pool).await?;
    let lookups = Lookups::load(&mut conn).await?;
    let (rows, problems) = parse(&text, &lookups);
    let row_count = rows.len()
        + problems
            .iter()
            .filter(|p| p.row > 1)
            .map(|p| p.row)
            .collect::<std::collections::HashSet<_>>()
            .len();
    let dry_run = params.dry_run;
    let report = conn
        .transaction(async |conn| {
            let plan = plan(conn, &rows).await?;
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

/// What an import will do: which rows create, which replace which entry.
struct Plan {
    created: Vec<(Uuid, usize)>,
    /// (entry, row index, the entry before)
    updated: Vec<(Uuid, usize, db::Resource)>,
    unchanged: usize,
}

async fn plan(conn: &mut AsyncPgConnection, rows: &[ParsedRow]) -> ApiResult<Plan> {
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
    let mut plan = Plan {
        created: Vec::new(),
        updated: Vec::new(),
        unchanged: 0,
    };
    for (i, row) in rows.iter().enumerate() {
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
                if current == row.content && same_locations {
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
    rows: &[ParsedRow],
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
    record::write_many(conn, author, changes).await?;
    Ok(())
}
