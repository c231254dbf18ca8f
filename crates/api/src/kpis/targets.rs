//! `GET /v1/kpis/targets` and `PUT /v1/kpis/targets/{fiscal_year}`: the
//! targets the KPIs are reported against.

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::etag::{etag, OptionalIfMatch, Upsert};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::kpi::{self as db, TargetValues};
use living_gate_db::pool;
use living_gate_domain::csv;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::bounds::check_year;
use crate::kpis::inputs::{municipality_of, wants_csv, Format};
use living_gate_domain::access::policy::kpi_target_municipality;
use uuid::Uuid;

/// The targets of a fiscal year.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "fiscal_year": 2026, "trips_started": 1, "community_supports": null,
    "proposals_received": null, "updated_at": "2026-04-01T00:00:00Z", "version": 1}))]
pub struct KpiTarget {
    /// The city whose targets these are.
    pub municipality_id: Uuid,
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
            municipality_id: t.municipality_id,
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
    /// Newest fiscal year first, then by municipality; one row per city and
    /// year (2000–2200), so never more than 201 per city.
    pub items: Vec<KpiTarget>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TargetsParams {
    pub format: Option<Format>,
    /// A municipality's targets (see `GET /v1/kpis`: the desk and municipal
    /// admins read their own city's; BI and the platform admin any, or all).
    pub municipality: Option<Uuid>,
}

/// The targets of every fiscal year that has them.
#[utoipa::path(operation_id = "listKpiTargets", tag = "kpis", params(TargetsParams), security(("bearer" = [])),
    responses((status = 200, description = "The targets", content(
            (KpiTargets = "application/json"),
            (String = "text/csv", example = "\u{feff}\"municipality_id\",\"fiscal_year\",\"trips_started\",\"community_supports\",\"proposals_received\",\"updated_at\"\r\n\"0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02\",\"2026\",\"1\",\"\",\"\",\"2026-04-01T00:00:00+00:00\"\r\n"))),
        (status = 403, description = "Only the desk, admins and analysts read KPIs", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/kpis/targets")]
pub async fn targets(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<TargetsParams>,
) -> ApiResult<HttpResponse> {
    let municipality = municipality_of(&caller.actor, params.municipality)?;
    let mut conn = pool::connection(&state.pool).await?;
    let items: Vec<KpiTarget> = db::targets(&mut conn, municipality)
        .await?
        .into_iter()
        .map(KpiTarget::from)
        .collect();
    let csv_wanted = wants_csv(&req, params.format);
    let tag = list_etag(&items, csv_wanted);
    if csv_wanted {
        let optional = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
        let rows = items.iter().map(|t| {
            vec![
                t.municipality_id.to_string(),
                t.fiscal_year.to_string(),
                t.trips_started.to_string(),
                optional(t.community_supports),
                optional(t.proposals_received),
                t.updated_at.to_rfc3339(),
            ]
        });
        let body = csv::document(
            &[
                "municipality_id",
                "fiscal_year",
                "trips_started",
                "community_supports",
                "proposals_received",
                "updated_at",
            ],
            rows,
        );
        let mut response = crate::http::download::csv("kpi-targets", body);
        if let Ok(value) = header::HeaderValue::from_str(&tag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        return Ok(response);
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .insert_header((header::ETAG, tag))
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

/// Sets the targets of a fiscal year for the caller's own city (desk,
/// municipal admin): creates them (201), or
/// replaces them (200) with the `If-Match` of the version read (428
/// without it, 412 when stale).
#[utoipa::path(operation_id = "setKpiTargets", tag = "kpis", request_body = SetTargets, security(("bearer" = [])),
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
    body: Json<SetTargets>,
) -> ApiResult<HttpResponse> {
    let municipality_id = kpi_target_municipality(&caller.actor)?;
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
        municipality_id,
        fiscal_year,
        trips_started: body.trips_started,
        community_supports: body.community_supports,
        proposals_received: body.proposals_received,
        updated_by: Some(caller.actor.id),
    };
    let mut conn = pool::connection(&state.pool).await?;
    let (row, created) = conn
        .transaction(async |conn| {
            let before = db::target_for_update(conn, municipality_id, fiscal_year).await?;
            let (row, created) = match if_match.upsert(before, |b| b.version)? {
                Upsert::Replace(before) => {
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
                Upsert::Create => {
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

/// The ETag of the whole list: the years and their versions, per
/// representation (JSON or CSV), so a conditional read answers 304 until
/// a target is created or replaced.
fn list_etag(items: &[KpiTarget], csv: bool) -> String {
    use sha2::Digest;
    let mut digest = sha2::Sha256::new();
    digest.update(if csv { "csv" } else { "json" });
    for item in items {
        digest.update(format!(
            ";{}/{}={}",
            item.municipality_id, item.fiscal_year, item.version
        ));
    }
    format!("\"targets-{}\"", &hex::encode(digest.finalize())[..16])
}

async fn record(
    conn: &mut living_gate_db::AsyncPgConnection,
    caller: &Caller,
    action: &str,
    fiscal_year: i32,
    before: Option<&db::Target>,
    after: &db::Target,
) -> ApiResult<()> {
    record::write(
        conn,
        caller,
        record::Change {
            action: action.to_owned(),
            target_type: "kpi_target",
            target_id: fiscal_year.to_string(),
            changes: living_gate_db::audit::diff(before, after),
            event: record::FeedEvent::desk(EventKind::KpiTargetsSet),
        },
    )
    .await?;
    Ok(())
}
