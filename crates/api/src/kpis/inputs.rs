//! What every KPI handler reads: the representation asked for (JSON or CSV,
//! for Excel) and the counted facts. Fiscal years are checked by
//! `http::bounds`, like every date-derived input.

use crate::http::problem::ApiResult;
use actix_web::http::header;
use actix_web::HttpRequest;
use living_gate_db::kpi::{self as db};
use living_gate_domain::access::policy::{kpi_scope, KpiScope};
use living_gate_domain::kpi::{Fact, FactMetric, Facts, HistogramRow, Measure, YearHistogramRow};
use living_gate_domain::Actor;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The representation asked for: `format` wins over `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = KpiFormat)]
pub enum Format {
    Json,
    /// UTF-8 with BOM, one row per figure (the same as `Accept: text/csv`).
    Csv,
}

pub fn wants_csv(req: &HttpRequest, format: Option<Format>) -> bool {
    match format {
        Some(format) => format == Format::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/csv")),
    }
}

/// What to load for a set of figures: counted facts, and duration
/// histograms per month and per whole fiscal year (all metrics or measures
/// when `None`, nothing when empty).
pub struct Sources<'a> {
    pub metrics: Option<&'a [FactMetric]>,
    pub monthly: Option<&'a [Measure]>,
    pub yearly: Option<&'a [Measure]>,
}

/// Whose figures the caller reads (`municipality` is the query filter):
/// the desk's and a municipal admin's own city; for the platform admin and
/// analysts the city asked for, or every city together.
pub fn municipality_of(actor: &Actor, requested: Option<Uuid>) -> ApiResult<db::Municipality> {
    Ok(match kpi_scope(actor, requested)? {
        KpiScope::Municipality(id) => Some(id),
        KpiScope::AllMunicipalities => None,
    })
}

pub async fn facts(
    conn: &mut living_gate_db::AsyncPgConnection,
    municipality: db::Municipality,
    from: i32,
    to: i32,
    sources: Sources<'_>,
) -> ApiResult<Facts> {
    let counts = match sources.metrics {
        Some([]) => Vec::new(),
        metrics => db::facts(conn, municipality, from, to, metrics).await?,
    };
    let monthly = match sources.monthly {
        Some([]) => Vec::new(),
        measures => db::histograms(conn, municipality, from, to, measures).await?,
    };
    let yearly = match sources.yearly {
        Some([]) => Vec::new(),
        measures => db::year_histograms(conn, municipality, from, to, measures).await?,
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
