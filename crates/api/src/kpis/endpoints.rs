//! KPIs for dashboards and BI tools (desk, admin, analyst): the fiscal
//! year's figures with their definitions, time series for charts, and the
//! targets. Every endpoint also answers CSV (UTF-8 with BOM) for Excel.

use crate::auth::Caller;
use crate::http::etag::{etag, OptionalIfMatch};
use crate::http::problem::{ApiError, ApiResult};
use crate::record;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::kpi::{self as db, TargetValues};
use living_gate_db::pool;
use living_gate_domain::fiscal::fiscal_year_of_date;
use living_gate_domain::kpi::{
    self, Bucket, Fact, Facts, HistogramRow, IndicatorProgress, Metric, Point, Report,
    ReportInputs, Targets, WaitingCase, YearHistogramRow, FIGURE_HEADERS,
};
use living_gate_domain::{authorize, csv, Action};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const MIN_YEAR: i32 = 2000;
const MAX_YEAR: i32 = 2200;
const WAITING_LISTED: i64 = 20;
const INDICATORS_LISTED: i64 = 200;

/// The representation asked for: `format` wins over `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    /// UTF-8 with BOM, one row per figure (the same as `Accept: text/csv`).
    Csv,
}

fn wants_csv(req: &HttpRequest, format: Option<Format>) -> bool {
    match format {
        Some(format) => format == Format::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/csv")),
    }
}

fn check_year(field: &str, year: i32) -> Result<i32, ApiError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::validation(
            field,
            "out_of_range",
            format!("must be between {MIN_YEAR} and {MAX_YEAR}"),
        ))
    }
}

/// What to load for a set of figures: counted facts (all metrics when
/// `None`), and duration histograms per month and per whole fiscal year of
/// the given measures.
struct Sources<'a> {
    metrics: Option<&'a [&'a str]>,
    monthly: &'a [&'a str],
    yearly: &'a [&'a str],
}

/// Everything the KPI reports read from the measures.
const ALL_MEASURES: [&str; 8] = [
    "first_contact_to_coordination",
    "received",
    "organizing",
    "hearing",
    "matching",
    "logic_model",
    "awaiting_decision",
    "receipt_to_decision",
];

async fn facts(
    conn: &mut living_gate_db::AsyncPgConnection,
    from: i32,
    to: i32,
    sources: Sources<'_>,
) -> ApiResult<Facts> {
    let counts = match sources.metrics {
        Some([]) => Vec::new(),
        metrics => db::facts(conn, from, to, metrics).await?,
    };
    let monthly = match sources.monthly {
        [] => Vec::new(),
        measures => db::histograms(conn, from, to, measures).await?,
    };
    let yearly = match sources.yearly {
        [] => Vec::new(),
        measures => db::year_histograms(conn, from, to, measures).await?,
    };
    let counts_of = |counts: Vec<Option<i32>>| -> Vec<i64> {
        counts
            .into_iter()
            .map(|n| i64::from(n.unwrap_or(0)))
            .collect()
    };
    Ok(Facts::new(
        counts.into_iter().map(|r| Fact {
            month: r.month,
            metric: r.metric,
            key: r.key,
            n: r.n,
        }),
        monthly.into_iter().map(|r| HistogramRow {
            month: r.month,
            measure: r.measure,
            counts: counts_of(r.counts),
        }),
        yearly.into_iter().map(|r| YearHistogramRow {
            fiscal_year: r.fiscal_year,
            measure: r.measure,
            counts: counts_of(r.counts),
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct KpiParams {
    /// The fiscal year (April–March, Japan time); default: the current one.
    #[param(minimum = 2000, maximum = 2200, example = 2026)]
    pub fiscal_year: Option<i32>,
    pub format: Option<Format>,
}

/// The fiscal year's KPIs: proposals received, days to the start of
/// coordination (and the cases still waiting), conversion, TRIPs and
/// community supports against their targets, the funnel, the duration of
/// every step, hearings, matches and indicator progress, each with its
/// `definition`, plus the twelve months. Exact: a write is counted in the
/// same transaction. `Accept: text/csv` gives one row per figure.
#[utoipa::path(tag = "kpis", params(KpiParams), security(("bearer" = [])),
    responses((status = 200, description = "The figures of the fiscal year", content(
            (Report = "application/json"),
            (String = "text/csv", example = "\u{feff}\"period\",\"metric\",\"key\",\"value\",\"numerator\",\"denominator\",\"unit\",\"definition\"\r\n\"FY2026\",\"conversion\",\"rate_of_decided\",\"0.5\",\"1\",\"2\",\"ratio\",\"Of the cases received in the period: …\"\r\n"))),
        (status = 403, description = "Only the desk, admins and analysts read KPIs", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/kpis")]
pub async fn report(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<KpiParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadKpis)?;
    let now = Utc::now();
    let fiscal_year = check_year(
        "fiscal_year",
        params
            .fiscal_year
            .unwrap_or_else(|| living_gate_domain::fiscal::fiscal_year(now)),
    )?;
    let mut conn = pool::connection(&state.pool).await?;
    // One snapshot for every part of the report.
    let report = conn
        .build_transaction()
        .read_only()
        .repeatable_read()
        .run(async |conn| {
            // The months of the report show the coordination median only.
            let sources = Sources {
                metrics: None,
                monthly: &["first_contact_to_coordination"],
                yearly: &ALL_MEASURES,
            };
            let facts = facts(conn, fiscal_year, fiscal_year, sources).await?;
            let waiting = db::waiting_oldest(conn, fiscal_year, WAITING_LISTED).await?;
            let fy_end = NaiveDate::from_ymd_opt(fiscal_year + 1, 3, 31).unwrap_or(NaiveDate::MAX);
            let fy_start = kpi::months_of(fiscal_year)[0];
            let mut indicators =
                db::indicator_progress(conn, fy_start, fy_end, INDICATORS_LISTED + 1).await?;
            let truncated = indicators.len() as i64 > INDICATORS_LISTED;
            indicators.truncate(INDICATORS_LISTED as usize);
            let target = db::target(conn, fiscal_year).await?;
            let supported_resources = db::supported_resources(conn, fiscal_year).await?;
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
        .await?;
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimeseriesParams {
    pub metric: Metric,
    /// First month, `2026-04` or a date in it (default: the start of the fiscal year of `to`).
    #[param(example = "2025-04")]
    pub from: Option<String>,
    /// Last month, included (default: the current month in Japan).
    #[param(example = "2027-03")]
    pub to: Option<String>,
    /// `month` (default) or `fiscal_year`.
    pub bucket: Option<Bucket>,
    pub format: Option<Format>,
}

/// A time series of one metric.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"metric": "proposals_received", "bucket": "month", "unit": "cases",
    "definition": "Cases (proposals and consultations) registered by the desk …",
    "points": [{"period": "2026-04", "starts_on": "2026-04-01", "value": 12.0, "numerator": null, "denominator": null},
               {"period": "2026-05", "starts_on": "2026-05-01", "value": 0.0, "numerator": null, "denominator": null}]}))]
pub struct Timeseries {
    pub metric: Metric,
    pub bucket: Bucket,
    pub unit: &'static str,
    pub definition: &'static str,
    /// Every bucket from `from` to `to`, empty ones included (zero, or
    /// `null` for a statistic of no data). At most 240 points.
    pub points: Vec<Point>,
}

fn parse_month(field: &str, raw: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d"))
        .map_err(|_| ApiError::validation(field, "invalid_month", "expected YYYY-MM or YYYY-MM-DD"))
        .and_then(|d| check_year(field, d.year()).map(|_| d))
}

/// A metric per month or per fiscal year, for charts; buckets without data are zero.
#[utoipa::path(tag = "kpis", params(TimeseriesParams), security(("bearer" = [])),
    responses((status = 200, description = "The series", content(
            (Timeseries = "application/json"),
            (String = "text/csv", example = "\u{feff}\"metric\",\"period\",\"starts_on\",\"value\",\"numerator\",\"denominator\",\"unit\"\r\n\"proposals_received\",\"2026-04\",\"2026-04-01\",\"12\",\"\",\"\",\"cases\"\r\n"))),
        (status = 403, description = "Only the desk, admins and analysts read KPIs", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/kpis/timeseries")]
pub async fn timeseries(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<TimeseriesParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadKpis)?;
    let now = Utc::now();
    let today = now
        .with_timezone(&living_gate_domain::fiscal::jst())
        .date_naive();
    let to = match &params.to {
        Some(raw) => parse_month("to", raw)?,
        None => today,
    };
    let from = match &params.from {
        Some(raw) => parse_month("from", raw)?,
        // The start of the fiscal year `to` is in.
        None => kpi::months_of(fiscal_year_of_date(to))[0],
    };
    if from > to {
        return Err(ApiError::validation(
            "from",
            "after_to",
            "must not be after `to`",
        ));
    }
    let bucket = params.bucket.unwrap_or(Bucket::Month);
    let buckets = kpi::buckets(from, to, bucket);
    if buckets.len() > kpi::MAX_POINTS {
        return Err(ApiError::validation(
            "to",
            "too_many_points",
            format!("at most {} points; use bucket=fiscal_year", kpi::MAX_POINTS),
        ));
    }
    let (first, last) = (fiscal_of(buckets.first()), fiscal_of(buckets.last()));
    let metric = params.metric;
    let mut conn = pool::connection(&state.pool).await?;
    let (metrics, measures) = metric.sources();
    let sources = Sources {
        metrics: Some(metrics),
        monthly: if bucket == Bucket::Month {
            measures
        } else {
            &[]
        },
        yearly: if bucket == Bucket::FiscalYear {
            measures
        } else {
            &[]
        },
    };
    let facts = facts(&mut conn, first, last, sources).await?;
    let series = Timeseries {
        metric,
        bucket,
        unit: metric.unit(),
        definition: metric.definition(),
        points: kpi::series(metric, &facts, &buckets),
    };
    if wants_csv(&req, params.format) {
        let name = serde_json::to_value(metric)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let rows = series.points.iter().map(|p| {
            let number = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            vec![
                name.clone(),
                p.period.clone(),
                p.starts_on.to_string(),
                p.value.map(|v| v.to_string()).unwrap_or_default(),
                number(p.numerator),
                number(p.denominator),
                series.unit.to_owned(),
            ]
        });
        let body = csv::document(
            &[
                "metric",
                "period",
                "starts_on",
                "value",
                "numerator",
                "denominator",
                "unit",
            ],
            rows,
        );
        return Ok(crate::http::download::csv(&format!("kpi-{name}"), body));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(series))
}

fn fiscal_of(span: Option<&kpi::Span>) -> i32 {
    span.map(|s| s.fiscal_year).unwrap_or(MIN_YEAR)
}

/// The targets of a fiscal year.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"fiscal_year": 2026, "trips_started": 1, "community_supports": null,
    "proposals_received": null, "updated_at": "2026-04-01T00:00:00Z", "version": 1}))]
pub struct KpiTarget {
    pub fiscal_year: i32,
    /// KPI 4: TRIPs started (seed 000: at least 1 in FY2026).
    pub trips_started: i32,
    /// KPI 5: TRIPs supporting community activity.
    pub community_supports: Option<i32>,
    /// KPI 1: proposals received.
    pub proposals_received: Option<i32>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<db::Target> for KpiTarget {
    fn from(t: db::Target) -> KpiTarget {
        KpiTarget {
            fiscal_year: t.fiscal_year,
            trips_started: t.trips_started,
            community_supports: t.community_supports,
            proposals_received: t.proposals_received,
            updated_at: t.updated_at,
            version: t.version,
        }
    }
}

/// Every fiscal year's targets.
#[derive(Serialize, ToSchema)]
pub struct KpiTargets {
    /// Newest fiscal year first; one row per year (2000–2200), so never more than 201.
    pub items: Vec<KpiTarget>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TargetsParams {
    pub format: Option<Format>,
}

/// The targets of every fiscal year that has them.
#[utoipa::path(tag = "kpis", params(TargetsParams), security(("bearer" = [])),
    responses((status = 200, description = "The targets", content(
            (KpiTargets = "application/json"),
            (String = "text/csv", example = "\u{feff}\"fiscal_year\",\"trips_started\",\"community_supports\",\"proposals_received\",\"updated_at\"\r\n\"2026\",\"1\",\"\",\"\",\"2026-04-01T00:00:00+00:00\"\r\n"))),
        (status = 403, description = "Only the desk, admins and analysts read KPIs", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/kpis/targets")]
pub async fn targets(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<TargetsParams>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ReadKpis)?;
    let mut conn = pool::connection(&state.pool).await?;
    let items: Vec<KpiTarget> = db::targets(&mut conn)
        .await?
        .into_iter()
        .map(KpiTarget::from)
        .collect();
    if wants_csv(&req, params.format) {
        let optional = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
        let rows = items.iter().map(|t| {
            vec![
                t.fiscal_year.to_string(),
                t.trips_started.to_string(),
                optional(t.community_supports),
                optional(t.proposals_received),
                t.updated_at.to_rfc3339(),
            ]
        });
        let body = csv::document(
            &[
                "fiscal_year",
                "trips_started",
                "community_supports",
                "proposals_received",
                "updated_at",
            ],
            rows,
        );
        return Ok(crate::http::download::csv("kpi-targets", body));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(KpiTargets { items }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"trips_started": 2, "community_supports": 1}))]
pub struct SetTargets {
    #[schema(minimum = 0, maximum = 100000)]
    pub trips_started: i32,
    #[schema(minimum = 0, maximum = 100000)]
    pub community_supports: Option<i32>,
    #[schema(minimum = 0, maximum = 100000)]
    pub proposals_received: Option<i32>,
}

/// Sets the targets of a fiscal year (desk, admin): creates them (201), or
/// replaces them (200) with the `If-Match` of the version read (428
/// without it, 412 when stale).
#[utoipa::path(tag = "kpis", request_body = SetTargets, security(("bearer" = [])),
    params(("fiscal_year" = i32, Path, minimum = 2000, maximum = 2200, example = 2026),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; required when the targets exist")),
    responses((status = 200, description = "Replaced", body = KpiTarget, headers(("ETag" = String))),
        (status = 201, description = "Created", body = KpiTarget, headers(("ETag" = String))),
        (status = 403, description = "Only the desk and admins set targets", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[put("/kpis/targets/{fiscal_year}")]
pub async fn set_targets(
    state: web::Data<AppState>,
    caller: Caller,
    fiscal_year: web::Path<i32>,
    if_match: OptionalIfMatch,
    body: web::Json<SetTargets>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageKpiTargets)?;
    let fiscal_year = check_year("fiscal_year", *fiscal_year)?;
    for (field, value) in [
        ("trips_started", Some(body.trips_started)),
        ("community_supports", body.community_supports),
        ("proposals_received", body.proposals_received),
    ] {
        if value.is_some_and(|v| !(0..=100_000).contains(&v)) {
            return Err(ApiError::validation(
                field,
                "out_of_range",
                "must be between 0 and 100000",
            ));
        }
    }
    let values = TargetValues {
        fiscal_year,
        trips_started: body.trips_started,
        community_supports: body.community_supports,
        proposals_received: body.proposals_received,
        updated_by: Some(caller.actor.id),
    };
    let mut conn = pool::connection(&state.pool).await?;
    let (row, created) = conn
        .transaction(async |conn| {
            let before = db::target_for_update(conn, fiscal_year).await?;
            let (row, created) = match (before, &if_match.0) {
                (None, Some(_)) => return Err(ApiError::PreconditionFailed),
                (Some(_), None) => return Err(ApiError::PreconditionRequired),
                (Some(before), Some(if_match)) => {
                    if_match.check(before.version)?;
                    let after = db::update_target(conn, &values).await?;
                    record(
                        conn,
                        &caller,
                        "kpi_target.update",
                        fiscal_year,
                        Some(&before),
                        &after,
                    )
                    .await?;
                    (after, false)
                }
                (None, None) => {
                    // Another request may create them between our read and insert.
                    let row = db::insert_target(conn, &values)
                        .await?
                        .ok_or(ApiError::PreconditionRequired)?;
                    record(conn, &caller, "kpi_target.create", fiscal_year, None, &row).await?;
                    (row, true)
                }
            };
            Ok::<_, ApiError>((row, created))
        })
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response
        .insert_header((header::ETAG, etag(row.version)))
        .json(KpiTarget::from(row)))
}

async fn record(
    conn: &mut living_gate_db::AsyncPgConnection,
    caller: &Caller,
    action: &str,
    fiscal_year: i32,
    before: Option<&db::Target>,
    after: &db::Target,
) -> ApiResult<()> {
    record::record(
        conn,
        Some(&caller.actor),
        &caller.meta,
        record::Event {
            action,
            target_type: "kpi_target",
            target_id: Some(fiscal_year.to_string()),
            changes: living_gate_db::audit::diff(before, after),
        },
    )
    .await?;
    Ok(())
}
