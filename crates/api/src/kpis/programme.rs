//! `GET /v1/kpis/programme-logic-model` and `PUT
//! /v1/kpis/programme-logic-model/{fiscal_year}`: the desk's own logic model
//! (seed 000) with the fiscal year's figures, for the annual report.

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::bounds::check_year;
use crate::http::etag::{etag, OptionalIfMatch, Upsert};
use crate::http::problem::{ApiError, ApiResult};
use crate::kpis::inputs::{municipality_of, wants_csv, Format};
use crate::kpis::report::build;
use crate::record::{self, EventKind};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::pool;
use living_gate_db::programme_logic_models::{self as db, Values};
use living_gate_domain::access::policy::kpi_target_municipality;
use living_gate_domain::csv;
use living_gate_domain::kpi::programme::{
    csv_rows, figure_of, ProgrammeFigure, ProgrammeItem, ProgrammeModel, CSV_HEADERS,
};
use living_gate_domain::kpi::{japanese_label, Report};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeParams {
    /// The fiscal year (April–March, Japan time); default: the current one.
    #[param(minimum = 2000, maximum = 2200, example = 2026)]
    pub fiscal_year: Option<i32>,
    pub format: Option<Format>,
    /// The city whose desk's model to read: the desk and municipal admins
    /// read their own (another is 403); the platform admin and analysts
    /// must name one (422 without it).
    pub municipality: Option<Uuid>,
}

/// An output or outcome with its figure for the fiscal year.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeItemView {
    pub text: String,
    pub figure: Option<ProgrammeFigure>,
}

/// The desk's own logic model of a fiscal year with its figures.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "fiscal_year": 2026,
    "label_ja": "令和8年度", "version": 0, "saved": false, "updated_at": null,
    "inputs": ["庁内関係課との連携体制"], "activities": ["提案・相談の受付"],
    "outputs": [{"text": "提案受付件数の増加", "figure": {"source": "computed", "metric": "proposals_received",
        "value": 12.0, "unit": "cases", "definition": "Cases (proposals and consultations) registered by the desk …", "as_of": null}}],
    "short_term_outcomes": [], "mid_term_outcomes": [], "impact": ["地域課題の持続的な解決"],
    "causal_chain": ["窓口の明示", "調整の迅速化"]}))]
pub struct ProgrammeLogicModel {
    pub municipality_id: Uuid,
    pub fiscal_year: i32,
    /// `令和8年度`.
    pub label_ja: String,
    /// The saved version; 0 while the city has not saved its own model for
    /// the year and seed 000's model is served.
    pub version: i64,
    pub saved: bool,
    pub updated_at: Option<DateTime<Utc>>,
    pub inputs: Vec<String>,
    pub activities: Vec<String>,
    pub outputs: Vec<ProgrammeItemView>,
    pub short_term_outcomes: Vec<ProgrammeItemView>,
    pub mid_term_outcomes: Vec<ProgrammeItemView>,
    pub impact: Vec<String>,
    pub causal_chain: Vec<String>,
}

fn view(
    municipality_id: Uuid,
    fiscal_year: i32,
    saved: Option<&db::ProgrammeLogicModel>,
    model: ProgrammeModel,
    report: &Report,
) -> ProgrammeLogicModel {
    let items = |items: Vec<ProgrammeItem>| {
        items
            .into_iter()
            .map(|item| ProgrammeItemView {
                figure: item.figure.as_ref().map(|f| figure_of(f, report)),
                text: item.text,
            })
            .collect()
    };
    ProgrammeLogicModel {
        municipality_id,
        fiscal_year,
        label_ja: japanese_label(fiscal_year),
        version: saved.map_or(0, |s| s.version),
        saved: saved.is_some(),
        updated_at: saved.map(|s| s.updated_at),
        inputs: model.inputs,
        activities: model.activities,
        outputs: items(model.outputs),
        short_term_outcomes: items(model.short_term_outcomes),
        mid_term_outcomes: items(model.mid_term_outcomes),
        impact: model.impact,
        causal_chain: model.causal_chain,
    }
}

fn stored(row: &db::ProgrammeLogicModel) -> ApiResult<ProgrammeModel> {
    serde_json::from_value(row.content.clone())
        .map_err(|e| ApiError::internal(anyhow::Error::new(e).context("stored programme model")))
}

/// The desk's own logic model of a fiscal year (seed 000's until the city
/// saves its own) with each output's and outcome's figure: computed from
/// the year's KPIs, or recorded by the desk. `Accept: text/csv` gives one
/// row per item, for the annual report.
#[utoipa::path(operation_id = "getProgrammeLogicModel", tag = "kpis", params(ProgrammeParams), security(("bearer" = [])),
    responses((status = 200, description = "The model with its figures", headers(("ETag" = String, description = "Of the saved version; absent while seed 000's model is served")), content(
            (ProgrammeLogicModel = "application/json"),
            (String = "text/csv", example = "\u{feff}\"fiscal_year\",\"column\",\"position\",\"text\",\"source\",\"metric\",\"value\",\"unit\",\"note\"\r\n\"2026\",\"outputs\",\"1\",\"提案受付件数の増加\",\"computed\",\"proposals_received\",\"12\",\"cases\",\"\"\r\n"))),
        (status = 403, description = "Only the desk, admins and analysts read KPIs", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A caller who sees several cities named none", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/kpis/programme-logic-model")]
pub async fn programme(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ProgrammeParams>,
) -> ApiResult<HttpResponse> {
    let municipality = municipality_of(&caller.actor, params.municipality)?.ok_or_else(|| {
        ApiError::validation(
            "municipality",
            "required",
            "name the city whose desk's model to read",
        )
    })?;
    let now = Utc::now();
    let fiscal_year = check_year(
        "fiscal_year",
        params
            .fiscal_year
            .unwrap_or_else(|| living_gate_domain::fiscal::fiscal_year(now)),
    )?;
    let mut conn = pool::connection(&state.pool).await?;
    let saved = db::find(&mut conn, municipality, fiscal_year, false).await?;
    let model = match &saved {
        Some(row) => stored(row)?,
        None => ProgrammeModel::seed_000(),
    };
    let report = build(&mut conn, Some(municipality), fiscal_year, now).await?;
    if wants_csv(&req, params.format) {
        return Ok(crate::http::download::csv(
            &format!("programme-logic-model-FY{fiscal_year}"),
            csv::document(&CSV_HEADERS, csv_rows(fiscal_year, &model, &report)),
        ));
    }
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept"));
    if let Some(row) = &saved {
        response.insert_header((header::ETAG, etag(row.version)));
    }
    Ok(response.json(view(
        municipality,
        fiscal_year,
        saved.as_ref(),
        model,
        &report,
    )))
}

/// Saves the city's own model of a fiscal year (the desk, the municipal
/// admin): creates it (201), or replaces it (200) with the `If-Match` of
/// the version read (428 without it, 412 when stale). Start from the model
/// `GET` serves.
#[utoipa::path(operation_id = "saveProgrammeLogicModel", tag = "kpis", request_body = ProgrammeModel, security(("bearer" = [])),
    params(("fiscal_year" = i32, Path, minimum = 2000, maximum = 2200, example = 2026),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; required when the year's model was saved")),
    responses((status = 200, description = "Replaced", body = ProgrammeLogicModel, headers(("ETag" = String))),
        (status = 201, description = "Created", body = ProgrammeLogicModel, headers(("ETag" = String))),
        (status = 403, description = "Only the desk and admins of a city save its model", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/kpis/programme-logic-model/{fiscal_year}")]
pub async fn save_programme(
    state: web::Data<AppState>,
    caller: Caller,
    fiscal_year: web::Path<i32>,
    if_match: OptionalIfMatch,
    body: Json<ProgrammeModel>,
) -> ApiResult<HttpResponse> {
    let municipality_id = kpi_target_municipality(&caller.actor)?;
    let fiscal_year = check_year("fiscal_year", *fiscal_year)?;
    let model = body.into_inner().checked()?;
    let values = Values {
        municipality_id,
        fiscal_year,
        content: serde_json::to_value(&model).map_err(ApiError::internal)?,
        updated_by: Some(caller.actor.id),
    };
    let mut conn = pool::connection(&state.pool).await?;
    let (row, created) = conn
        .transaction(async |conn| {
            let before = db::find(conn, municipality_id, fiscal_year, true).await?;
            let (row, created) = match if_match.upsert(before, |b| b.version)? {
                Upsert::Replace(_) => (db::update(conn, &values).await?, false),
                Upsert::Create => (
                    db::insert(conn, &values)
                        .await?
                        .ok_or(ApiError::PreconditionRequired)?,
                    true,
                ),
            };
            record::write(
                conn,
                &caller,
                record::Change {
                    action: if created {
                        "programme_logic_model.create"
                    } else {
                        "programme_logic_model.update"
                    }
                    .to_owned(),
                    target_type: "programme_logic_model",
                    target_id: fiscal_year.to_string(),
                    changes: serde_json::json!({ "version": row.version, "content": row.content }),
                    event: record::FeedEvent::desk(EventKind::ProgrammeLogicModelSaved),
                },
            )
            .await?;
            Ok::<_, ApiError>((row, created))
        })
        .await?;
    let report = build(&mut conn, Some(municipality_id), fiscal_year, Utc::now()).await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response
        .insert_header((header::ETAG, etag(row.version)))
        .json(view(
            municipality_id,
            fiscal_year,
            Some(&row),
            model,
            &report,
        )))
}
