//! `GET /v1/kpis`: a fiscal year's KPIs with their definitions and its
//! twelve months.

use crate::auth::Caller;
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use living_gate_db::kpi::{self as db};
use living_gate_domain::csv;
use living_gate_domain::kpi::{
    self, IndicatorProgress, Measure, Report, ReportInputs, Targets, WaitingCase, FIGURE_HEADERS,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::bounds::check_year;
use crate::kpis::inputs::{facts, municipality_of, wants_csv, Format, Sources};
use uuid::Uuid;

const WAITING_LISTED: i64 = 20;
const INDICATORS_LISTED: i64 = 200;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct KpiParams {
    /// The fiscal year (April–March, Japan time); default: the current one.
    #[param(minimum = 2000, maximum = 2200, example = 2026)]
    pub fiscal_year: Option<i32>,
    pub format: Option<Format>,
    /// A municipality's figures (its id). The desk and municipal admins read
    /// their own city's only (another is 403); the platform admin and
    /// analysts (BI) read the city named, or all cities together without it.
    pub municipality: Option<Uuid>,
}

/// The fiscal year's KPIs: proposals received, days to the start of
/// coordination (and the cases still waiting), conversion, TRIPs and
/// community supports against their targets, the funnel, the duration of
/// every step, hearings, matches and indicator progress, each with its
/// `definition`, plus the twelve months. Exact: a write is counted in the
/// same transaction. `Accept: text/csv` gives one row per figure.
#[utoipa::path(operation_id = "getKpiReport", tag = "kpis", params(KpiParams), security(("bearer" = [])),
    responses((status = 200, description = "The figures of the fiscal year", content(
            (Report = "application/json"),
            (String = "text/csv", example = "\u{feff}\"period\",\"metric\",\"key\",\"label\",\"value\",\"numerator\",\"denominator\",\"unit\",\"definition\"\r\n\"FY2026\",\"conversion\",\"rate_of_decided\",\"\",\"0.5\",\"1\",\"2\",\"ratio\",\"Of the cases received in the period: …\"\r\n\"FY2026\",\"indicator_progress\",\"01937c1e-…:01937c1f-…\",\"高齢者見守りIoT実証：見守り登録世帯数\",\"0.4\",\"\",\"\",\"ratio\",\"Each TRIP indicator measured in the period: …\"\r\n"))),
        (status = 403, description = "Only the desk, admins and analysts read KPIs", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/kpis")]
pub async fn report(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<KpiParams>,
) -> ApiResult<HttpResponse> {
    let municipality = municipality_of(&caller.actor, params.municipality)?;
    let now = Utc::now();
    let fiscal_year = check_year(
        "fiscal_year",
        params
            .fiscal_year
            .unwrap_or_else(|| living_gate_domain::fiscal::fiscal_year(now)),
    )?;
    let mut conn = crate::http::read_routing::kpi_read(&state, &caller.actor).await?;
    let report = build(&mut conn, municipality, fiscal_year, now).await?;
    if wants_csv(&req, params.format) {
        let rows = report.rows();
        return Ok(crate::http::download::csv(
            &format!("kpis-FY{fiscal_year}"),
            csv::document(&FIGURE_HEADERS, rows.iter().map(|r| r.cells())),
        ));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(report))
}

/// A fiscal year's report for one city or all (`None`), read in one
/// snapshot (a repeatable-read, read-only transaction).
pub async fn build(
    conn: &mut living_gate_db::AsyncPgConnection,
    municipality: Option<Uuid>,
    fiscal_year: i32,
    now: chrono::DateTime<Utc>,
) -> ApiResult<Report> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(async |conn| {
            // The months of the report show the coordination median only.
            let sources = Sources {
                metrics: None,
                monthly: Some(&[Measure::FirstContactToCoordination]),
                yearly: None,
            };
            let facts = facts(conn, municipality, fiscal_year, fiscal_year, sources).await?;
            let waiting =
                db::waiting_oldest(conn, municipality, fiscal_year, WAITING_LISTED).await?;
            let fy_end = NaiveDate::from_ymd_opt(fiscal_year + 1, 3, 31).unwrap_or(NaiveDate::MAX);
            let fy_start = kpi::months_of(fiscal_year)[0];
            let mut indicators =
                db::indicator_progress(conn, municipality, fy_start, fy_end, INDICATORS_LISTED + 1)
                    .await?;
            let truncated = indicators.len() as i64 > INDICATORS_LISTED;
            indicators.truncate(INDICATORS_LISTED as usize);
            // Targets are a city's: the four cities together have none.
            let target = match municipality {
                Some(city) => db::target(conn, city, fiscal_year).await?,
                None => None,
            };
            let supported_resources =
                db::supported_resources(conn, municipality, fiscal_year).await?;
            Ok::<_, ApiError>(kpi::report(ReportInputs {
                fiscal_year,
                facts,
                waiting_oldest: waiting.into_iter().map(waiting_case).collect(),
                indicators: indicators.into_iter().map(indicator).collect(),
                indicators_truncated: truncated,
                targets: target
                    .map(|t| Targets {
                        proposals_received: t.proposals_received.map(i64::from),
                        trips_started: Some(i64::from(t.trips_started)),
                        community_supports: t.community_supports.map(i64::from),
                    })
                    .unwrap_or_default(),
                supported_resources,
                now,
            }))
        })
        .await
}

fn waiting_case(row: db::WaitingRow) -> WaitingCase {
    WaitingCase {
        reference: row.reference,
        status: row.status,
        first_contact_at: row.first_contact_at,
        received_at: row.received_at,
        age_days: 0.0,
    }
}

fn indicator(row: db::IndicatorRow) -> IndicatorProgress {
    let mut progress = IndicatorProgress {
        trip_id: row.trip_id,
        trip_title: row.trip_title,
        indicator_id: row.indicator_id,
        indicator: row.indicator,
        unit: row.unit,
        baseline: row.baseline,
        target: row.target,
        latest_value: row.latest_value,
        measured_on: row.measured_on,
        progress: None,
    };
    progress.compute_progress();
    progress
}
