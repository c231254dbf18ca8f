//! `GET /v1/kpis/timeseries`: one metric per month or fiscal year, for charts.

use crate::auth::Caller;
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate, Utc};
use living_gate_domain::csv;
use living_gate_domain::fiscal::fiscal_year_of_date;
use living_gate_domain::kpi::{self, Bucket, Metric, Point};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::bounds::{check_year, MIN_YEAR};
use crate::kpis::inputs::{facts, municipality_of, wants_csv, Format, Sources};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimeseriesParams {
    pub metric: Metric,
    /// First month, `2026-04` or a date in it (default: the start of the fiscal year of `to`).
    #[param(
        example = "2025-04",
        pattern = r"^[0-9]{4}-(0?[1-9]|1[0-2])(-(0?[1-9]|[12][0-9]|3[01]))?$"
    )]
    pub from: Option<String>,
    /// Last month, included (default: the current month in Japan).
    #[param(
        example = "2027-03",
        pattern = r"^[0-9]{4}-(0?[1-9]|1[0-2])(-(0?[1-9]|[12][0-9]|3[01]))?$"
    )]
    pub to: Option<String>,
    /// `month` (default) or `fiscal_year`.
    pub bucket: Option<Bucket>,
    pub format: Option<Format>,
    /// A municipality's figures (see `GET /v1/kpis`).
    pub municipality: Option<Uuid>,
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
#[utoipa::path(operation_id = "getKpiTimeseries", tag = "kpis", params(TimeseriesParams), security(("bearer" = [])),
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
    let municipality = municipality_of(&caller.actor, params.municipality)?;
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
    let mut conn = crate::http::read_routing::kpi_read(&state, &caller.actor).await?;
    let (metrics, measures) = metric.sources();
    let sources = Sources {
        metrics: Some(metrics),
        monthly: Some(if bucket == Bucket::Month {
            measures
        } else {
            &[]
        }),
        yearly: Some(if bucket == Bucket::FiscalYear {
            measures
        } else {
            &[]
        }),
    };
    let facts = facts(&mut conn, municipality, first, last, sources).await?;
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
