//! Logic models (step 5): every save is a new version; drafts are the
//! desk's, shared versions reach the departments involved and the proposer.

use crate::auth::Caller;
use crate::desk::cases::{lock_open_case, visible};
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::logic_models::{self as db};
use living_gate_db::pool;
use living_gate_domain::desk::logic_model::{
    assign_identities, diff as columns_diff, diff_indicators, ColumnDiff, Columns, Indicator,
    IndicatorChange, IndicatorColumn, LogicModelStatus,
};
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, Object, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The five columns of seed 000's logic model (inputs → activities →
/// outputs → outcomes → impact) and the indicators on outputs and outcomes.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "status": "shared",
    "inputs": ["空き店舗（駅前）", "企業の運営スタッフ2名"], "activities": ["月2回の多世代交流会"],
    "outputs": ["交流会の開催回数"], "short_term_outcomes": ["参加者の孤立感の低下"],
    "mid_term_outcomes": ["地域の見守りネットワークの拡大"], "impact": ["誰もが居場所のある地域"],
    "indicators": [{"name": "交流会の開催回数", "unit": "回", "baseline": 0, "target": 24,
                    "target_date": "2027-03-31", "applies_to": "outputs"}]
}))]
pub struct LogicModelContent {
    pub status: LogicModelStatus,
    #[serde(default)]
    pub inputs: Vec<String>,
    #[serde(default)]
    pub activities: Vec<String>,
    #[serde(default)]
    pub outputs: Vec<String>,
    #[serde(default)]
    pub short_term_outcomes: Vec<String>,
    #[serde(default)]
    pub mid_term_outcomes: Vec<String>,
    #[serde(default)]
    pub impact: Vec<String>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
}

/// One version of a case's logic model: its content and its identity.
#[derive(Serialize)]
pub struct LogicModel {
    pub proposal_id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    #[serde(flatten)]
    pub content: LogicModelContent,
}

/// The schema is the content's, with the identity's properties added to the
/// same object: the content denies unknown fields as a request body
/// (`additionalProperties: false`), so "all of the content and the identity"
/// would be a schema no response satisfies.
impl utoipa::PartialSchema for LogicModel {
    fn schema() -> RefOr<Schema> {
        let object = |schema| match schema {
            RefOr::T(Schema::Object(object)) => object,
            _ => Object::new(),
        };
        let mut model = object(<LogicModelIdentity as utoipa::PartialSchema>::schema());
        let content = object(<LogicModelContent as utoipa::PartialSchema>::schema());
        model.properties.extend(content.properties);
        // A saved version has every column (empty when none was sent) and
        // its indicators carry their ids (a measurement names one).
        model.properties.insert(
            "indicators".into(),
            RefOr::T(Schema::Array(
                ArrayBuilder::new()
                    .items(Ref::from_schema_name(SavedIndicator::name()))
                    .build(),
            )),
        );
        model.required = ["proposal_id", "version", "created_at"]
            .into_iter()
            .map(String::from)
            .chain(model.properties.keys().cloned())
            .fold(Vec::new(), |mut required, name| {
                if !required.contains(&name) {
                    required.push(name);
                }
                required
            });
        model.description =
            Some("One version of a case's logic model: its identity and its content.".into());
        model.example = content.example.map(|mut example| {
            if let Some(fields) = example.as_object_mut() {
                fields.insert(
                    "proposal_id".into(),
                    "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e01".into(),
                );
                fields.insert("version".into(), 1.into());
                fields.insert("created_at".into(), "2026-05-11T09:30:00Z".into());
                let indicators = fields.get_mut("indicators").and_then(|i| i.as_array_mut());
                for indicator in indicators.into_iter().flatten() {
                    if let Some(indicator) = indicator.as_object_mut() {
                        indicator
                            .insert("id".into(), "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9ea0".into());
                    }
                }
            }
            example
        });
        RefOr::T(Schema::Object(model))
    }
}

/// The identity half of [`LogicModel`]'s schema.
#[derive(ToSchema)]
#[allow(dead_code)]
struct LogicModelIdentity {
    proposal_id: Uuid,
    version: i32,
    created_at: DateTime<Utc>,
}

impl ToSchema for LogicModel {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <LogicModelContent as ToSchema>::schemas(schemas);
        schemas.push((
            SavedIndicator::name().into(),
            <SavedIndicator as utoipa::PartialSchema>::schema(),
        ));
        <SavedIndicator as ToSchema>::schemas(schemas);
    }
}

/// An indicator as saved in a version: as sent, with its id always set.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SavedIndicator {
    /// Stable across versions: the indicator a measurement names.
    id: Uuid,
    name: String,
    unit: String,
    baseline: Option<f64>,
    target: f64,
    target_date: Option<NaiveDate>,
    applies_to: IndicatorColumn,
}

impl TryFrom<db::LogicModel> for LogicModel {
    type Error = ApiError;
    fn try_from(m: db::LogicModel) -> Result<Self, ApiError> {
        let mut content: LogicModelContent = serde_json::from_value(m.content)
            .map_err(|e| ApiError::internal(anyhow::Error::new(e).context("stored logic model")))?;
        content.status = m.status;
        Ok(LogicModel {
            proposal_id: m.proposal_id,
            version: m.version,
            created_at: m.created_at,
            content,
        })
    }
}

fn validate(mut content: LogicModelContent) -> Result<LogicModelContent, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    for (field, items) in [
        ("inputs", &mut content.inputs),
        ("activities", &mut content.activities),
        ("outputs", &mut content.outputs),
        ("short_term_outcomes", &mut content.short_term_outcomes),
        ("mid_term_outcomes", &mut content.mid_term_outcomes),
        ("impact", &mut content.impact),
    ] {
        if items.len() > 50 {
            errors.add(field, "too_many", "at most 50 items");
        }
        *items = items
            .iter()
            .filter_map(|item| errors.check(bounded_text(field, item, 1, 500)))
            .collect();
    }
    if content.indicators.len() > 50 {
        errors.add("indicators", "too_many", "at most 50 indicators");
    }
    for indicator in &mut content.indicators {
        if let Some(name) = errors.check(bounded_text("indicators.name", &indicator.name, 1, 200)) {
            indicator.name = name;
        }
        if let Some(unit) = errors.check(bounded_text("indicators.unit", &indicator.unit, 1, 50)) {
            indicator.unit = unit;
        }
        if !indicator.target.is_finite() || indicator.baseline.is_some_and(|b| !b.is_finite()) {
            errors.add(
                "indicators.target",
                "not_a_number",
                "must be a finite number",
            );
        }
    }
    errors.into_result().map(|()| content)
}

fn drafts_hidden(caller: &Caller) -> bool {
    caller.actor.role != Role::Desk
}

/// Saves a new version of the case's logic model (the desk). Nothing is
/// overwritten: every save is kept as the next version.
#[utoipa::path(operation_id = "saveLogicModel", tag = "logic models", request_body = LogicModelContent, security(("bearer" = [])),
    responses((status = 201, description = "The new version", body = LogicModel),
        (status = 403, description = "Only the desk writes logic models", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/proposals/{id}/logic-model")]
pub async fn save(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<LogicModelContent>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let content = validate(body.into_inner())?;
    let row = conn
        .transaction(async |conn| append_version(conn, &caller, *id, content, None).await)
        .await?;
    Ok(HttpResponse::Created().json(LogicModel::try_from(row)?))
}

/// Appends a version to an open case's model, under the case's lock:
/// indicators keep their identity from the earlier versions (see
/// [`assign_identities`]); audited as `logic_model.create`, with the model
/// case it was copied from when `template_trip_id` is set.
async fn append_version(
    conn: &mut living_gate_db::AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    mut content: LogicModelContent,
    template_trip_id: Option<Uuid>,
) -> ApiResult<db::LogicModel> {
    let status = content.status;
    let proposal = lock_open_case(conn, case_id).await?;
    // Under the case's lock: the versions an indicator's identity comes from.
    let earlier = db::versions(conn, proposal.id, false)
        .await?
        .into_iter()
        .rev()
        .map(|row| LogicModel::try_from(row).map(|m| m.content.indicators))
        .collect::<Result<Vec<_>, _>>()?;
    assign_identities(&earlier, &mut content.indicators, Uuid::now_v7)?;
    let json = serde_json::to_value(&content).map_err(ApiError::internal)?;
    let row = db::append(conn, proposal.id, status, &json, caller.actor.id).await?;
    let shared = status == LogicModelStatus::Shared;
    let mut saved = FeedEvent::case(
        proposal.id,
        EventKind::LogicModelSaved,
        if shared {
            Visibility::Shared
        } else {
            Visibility::Internal
        },
    );
    saved.note_for_proposer =
        shared.then(|| format!("ロジックモデル（第{}版）を共有しました", row.version));
    let mut changes = serde_json::json!({ "version": row.version, "status": status });
    if let Some(template) = template_trip_id {
        changes["template_trip_id"] = serde_json::json!(template);
    }
    record::write(
        conn,
        caller,
        Change {
            action: "logic_model.create".into(),
            target_type: "proposal",
            target_id: proposal.id.to_string(),
            changes,
            event: saved,
        },
    )
    .await?;
    Ok(row)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"template_trip_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e90"}))]
pub struct PrefillLogicModel {
    /// A TRIP of the desk's city marked as a model case
    /// (`GET /v1/model-cases`).
    pub template_trip_id: Uuid,
}

/// The model case's latest shared logic model, as the content of a new
/// draft: its columns and indicators, the indicators without ids (they get
/// this case's) and without measurements (those are the TRIP's).
async fn template(
    conn: &mut living_gate_db::AsyncPgConnection,
    caller: &Caller,
    trip_id: Uuid,
) -> ApiResult<LogicModelContent> {
    let unknown = || {
        ApiError::validation(
            "template_trip_id",
            "unknown_reference",
            "no such TRIP in your city",
        )
    };
    let trip = living_gate_db::desk::trips::find_visible(
        conn,
        trip_id,
        crate::desk::trip_view::trip_scope(&caller.actor)?,
    )
    .await?
    .ok_or_else(unknown)?;
    if living_gate_db::desk::model_cases::find(conn, trip.id)
        .await?
        .is_none()
    {
        return Err(ApiError::validation(
            "template_trip_id",
            "not_a_model_case",
            "the TRIP is not marked as a model case (PUT /v1/trips/{id}/model-case)",
        ));
    }
    let row = db::find(conn, trip.proposal_id, None, true)
        .await?
        .ok_or_else(|| {
            ApiError::validation(
                "template_trip_id",
                "no_logic_model",
                "the model case has no shared logic model",
            )
        })?;
    let mut content = LogicModel::try_from(row)?.content;
    content.status = LogicModelStatus::Draft;
    for indicator in &mut content.indicators {
        indicator.id = None;
    }
    Ok(content)
}

/// Prefills the case's logic model from a model case (the desk): a new
/// draft version with the model case's latest shared columns and
/// indicators (new indicator ids of this case, no measurements), to be
/// edited and shared with `PUT …/logic-model`.
#[utoipa::path(operation_id = "prefillLogicModel", tag = "logic models", request_body = PrefillLogicModel, security(("bearer" = [])),
    responses((status = 201, description = "The new draft version", body = LogicModel),
        (status = 403, description = "Only the desk writes logic models", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case visible to you", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such TRIP in your city, not a model case, or it has no shared logic model", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/logic-model/prefill")]
pub async fn prefill(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<PrefillLogicModel>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let content = template(&mut conn, &caller, body.template_trip_id).await?;
    let template_trip_id = body.template_trip_id;
    let row = conn
        .transaction(async |conn| {
            append_version(conn, &caller, *id, content, Some(template_trip_id)).await
        })
        .await?;
    Ok(HttpResponse::Created().json(LogicModel::try_from(row)?))
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
#[schema(as = LogicModelFormat)]
pub enum Format {
    #[default]
    Json,
    /// The five columns as CSV (UTF-8 with BOM), for Excel.
    Csv,
    /// The five columns as a Markdown table, for documents.
    Markdown,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    pub format: Option<Format>,
}

impl LogicModelContent {
    fn columns(&self) -> Columns {
        Columns {
            inputs: self.inputs.clone(),
            activities: self.activities.clone(),
            outputs: self.outputs.clone(),
            short_term_outcomes: self.short_term_outcomes.clone(),
            mid_term_outcomes: self.mid_term_outcomes.clone(),
            impact: self.impact.clone(),
        }
    }
}

/// The latest logic model the caller may see (drafts only for the desk),
/// as JSON, or laid out as the five columns in CSV or Markdown.
#[utoipa::path(operation_id = "getLogicModel", tag = "logic models", params(FormatParams), security(("bearer" = [])),
    responses((status = 200, description = "The latest visible version", content(
            (LogicModel = "application/json"),
            (String = "text/csv", example = "\u{feff}\"投入資源\",\"活動\",\"直接成果\",\"成果（短期・中期）\",\"長期的成果\"\r\n\"空き店舗\",\"月2回の交流会\",\"開催回数\",\"短期: 孤立感の低下\",\"誰もが居場所のある地域\"\r\n"),
            (String = "text/markdown", example = "| 投入資源 | 活動 | 直接成果 | 成果（短期・中期） | 長期的成果 |\n| --- | --- | --- | --- | --- |\n| 空き店舗 | 月2回の交流会 | 開催回数 | 短期: 孤立感の低下 | 誰もが居場所のある地域 |\n"))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/logic-model")]
pub async fn latest(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<FormatParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let case = visible(&mut conn, &caller.actor, *id).await?;
    let row = db::find(&mut conn, *id, None, drafts_hidden(&caller))
        .await?
        .ok_or(ApiError::NotFound)?;
    let model = LogicModel::try_from(row)?;
    let file = format!("{}-logic-model-v{}", case.reference, model.version);
    Ok(match params.format.unwrap_or_default() {
        Format::Json => HttpResponse::Ok().json(model),
        Format::Csv => crate::http::download::csv(
            &file,
            model.content.columns().to_csv(&model.content.indicators),
        ),
        Format::Markdown => HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("inline; filename=\"{file}.md\""),
            ))
            .body(
                model
                    .content
                    .columns()
                    .to_markdown(&model.content.indicators),
            ),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// The older version.
    #[param(minimum = 1)]
    pub from: i32,
    /// The newer version.
    #[param(minimum = 1)]
    pub to: i32,
}

/// Changes between two versions.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"from": 1, "to": 2,
    "columns": [{"column": "activities", "added": ["月4回の交流会"], "removed": ["月2回の交流会"]}],
    "indicators_added": [], "indicators_removed": [],
    "indicators_changed": [{"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9ea0", "name": "交流会の開催回数",
        "fields": [{"field": "target", "from": 24.0, "to": 36.0}]}]}))]
pub struct LogicModelDiff {
    pub from: i32,
    pub to: i32,
    /// Items added and removed, per column that changed.
    pub columns: Vec<ColumnDiff>,
    #[schema(value_type = Vec<SavedIndicator>)]
    pub indicators_added: Vec<Indicator>,
    #[schema(value_type = Vec<SavedIndicator>)]
    pub indicators_removed: Vec<Indicator>,
    /// Indicators with the same id in both versions whose fields changed, field by field.
    pub indicators_changed: Vec<IndicatorChange>,
}

/// What changed between two versions the caller may see.
#[utoipa::path(operation_id = "diffLogicModelVersions", tag = "logic models", params(DiffParams), security(("bearer" = [])),
    responses((status = 200, description = "The changes", body = LogicModelDiff),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/logic-model/diff")]
pub async fn diff(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<DiffParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let hidden = drafts_hidden(&caller);
    let from = db::find(&mut conn, *id, Some(params.from), hidden)
        .await?
        .ok_or(ApiError::NotFound)?;
    let to = db::find(&mut conn, *id, Some(params.to), hidden)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (from, to) = (LogicModel::try_from(from)?, LogicModel::try_from(to)?);
    let indicators = diff_indicators(&from.content.indicators, &to.content.indicators);
    Ok(HttpResponse::Ok().json(LogicModelDiff {
        from: from.version,
        to: to.version,
        columns: columns_diff(&from.content.columns(), &to.content.columns()),
        indicators_added: indicators.added,
        indicators_removed: indicators.removed,
        indicators_changed: indicators.changed,
    }))
}

/// Every version the caller may see, oldest first.
#[utoipa::path(operation_id = "listLogicModelVersions", tag = "logic models", security(("bearer" = [])),
    responses((status = 200, description = "The versions", body = Vec<LogicModel>),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/logic-model/versions")]
pub async fn versions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let rows = db::versions(&mut conn, *id, drafts_hidden(&caller)).await?;
    let models = rows
        .into_iter()
        .map(LogicModel::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(models))
}

/// One version (404 for a draft unless the caller is the desk).
#[utoipa::path(operation_id = "getLogicModelVersion", tag = "logic models", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case"), ("version" = i32, Path, description = "The version number, from 1")),
    responses((status = 200, description = "The version", body = LogicModel),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/logic-model/versions/{version}")]
pub async fn version(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, number) = path.into_inner();
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, id).await?;
    let row = db::find(&mut conn, id, Some(number), drafts_hidden(&caller))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(LogicModel::try_from(row)?))
}
