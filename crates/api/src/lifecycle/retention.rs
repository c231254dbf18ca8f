//! Retention rules and runs over HTTP (the platform admin).

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::pagination::Paginated;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::pool;
use living_gate_db::retention as db;
use living_gate_domain::{authorize, Action};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// The most recent runs listed (no cursor: a daily run makes a few hundred a year).
const RUNS_LISTED: i64 = 100;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"kind": "unconfirmed_intake", "days": 3, "updated_at": "2026-12-02T09:00:00+00:00"}))]
pub struct RetentionRule {
    /// `unconfirmed_intake`, `invitation`, `password_reset_token` or `outbox_body`.
    pub kind: String,
    /// Age in days past which the rule purges; 0: off.
    pub days: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e70", "dry_run": false,
    "counts": {"invitation": 0, "outbox_body": 12, "password_reset_token": 3, "unconfirmed_intake": 2},
    "started_at": "2026-12-02T03:00:00+00:00", "finished_at": "2026-12-02T03:00:01+00:00"}))]
pub struct RetentionRun {
    pub id: Uuid,
    /// A dry run counts and changes nothing.
    pub dry_run: bool,
    /// Rows purged (dry: that would be) per rule kind.
    #[schema(value_type = Object)]
    pub counts: Value,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

impl From<db::RetentionRun> for RetentionRun {
    fn from(r: db::RetentionRun) -> Self {
        RetentionRun {
            id: r.id,
            dry_run: r.dry_run,
            counts: r.counts,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"dry_run": true}))]
pub struct RunRetention {
    /// `true`: count only, change nothing. Required, so that no body by
    /// accident (`{}`, `[]`) purges anything.
    pub dry_run: bool,
}

/// The retention rules (platform admin).
#[utoipa::path(operation_id = "listRetentionRules", tag = "retention", security(("bearer" = [])),
    responses((status = 200, description = "Every rule", body = Paginated<RetentionRule>),
        (status = 403, description = "Not the platform admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/retention-rules")]
pub async fn list_rules(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageRetention)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::rules(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter()
            .map(|r| RetentionRule {
                kind: r.kind,
                days: r.days,
                updated_at: r.updated_at,
            })
            .collect(),
        None,
    )))
}

/// The most recent retention runs, newest first (platform admin).
#[utoipa::path(operation_id = "listRetentionRuns", tag = "retention", security(("bearer" = [])),
    responses((status = 200, description = "The last 100 runs, newest first", body = Paginated<RetentionRun>),
        (status = 403, description = "Not the platform admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/retention-runs")]
pub async fn list_runs(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageRetention)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rows = db::runs(&mut conn, RUNS_LISTED).await?;
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(RetentionRun::from).collect(),
        None,
    )))
}

/// Applies the retention rules now, or with `dry_run` counts what they would
/// purge (platform admin). 409 while another run is in progress.
#[utoipa::path(operation_id = "runRetention", tag = "retention", request_body = RunRetention, security(("bearer" = [])),
    responses((status = 201, description = "The run, with its counts", body = RetentionRun),
        (status = 403, description = "Not the platform admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another run is in progress", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/retention-runs")]
pub async fn run_now(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<RunRetention>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ManageRetention)?;
    let dry_run = body.dry_run;
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            let Some(row) = db::run(conn, dry_run).await? else {
                return Err(ApiError::Conflict {
                    detail: "another retention run is in progress; try again later".into(),
                    extra: None,
                });
            };
            record::created(
                conn,
                &caller,
                "retention_run",
                &row,
                FeedEvent::desk(EventKind::RetentionRun).subject(row.id),
            )
            .await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(RetentionRun::from(row)))
}
