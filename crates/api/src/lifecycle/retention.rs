//! Retention rules and runs over HTTP: the platform admin runs them and
//! sets the defaults; a city's admin sets its city's own ages.

use crate::auth::Caller;
use crate::http::body::Json;
use crate::http::etag::{with_etag, IfMatch};
use crate::http::pagination::Paginated;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use living_gate_db::pool;
use living_gate_db::retention as db;
use living_gate_domain::retention::{self as rules, RuleKind};
use living_gate_domain::{authorize, Action, Code, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// The most recent runs listed (no cursor: a daily run makes a few hundred a year).
const RUNS_LISTED: i64 = 100;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"kind": "closed_case_personal_data", "days": 3650, "default_days": 1825,
    "municipality_days": 3650, "version": 2, "updated_at": "2026-12-02T09:00:00+00:00"}))]
pub struct RetentionRule {
    /// `unconfirmed_intake`, `invitation`, `password_reset_token`,
    /// `outbox_body` or `closed_case_personal_data`.
    pub kind: String,
    /// The age in days past which the rule applies to the caller's city's
    /// records (its own age where it set one, else the default); for the
    /// platform admin, the default. 0: off.
    pub days: i32,
    /// The platform's default age.
    pub default_days: i32,
    /// The caller's city's own age (`null`: none, the default applies;
    /// always `null` for the platform admin).
    pub municipality_days: Option<i32>,
    /// The version of what the caller edits (the default for the platform
    /// admin, the city's own age for a city's admin, 0 while it has none):
    /// the `ETag` that `PATCH` wants in `If-Match`.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl RetentionRule {
    fn of(rule: db::RetentionRule, own: Option<&db::RetentionOverride>, platform: bool) -> Self {
        RetentionRule {
            days: own.map_or(rule.days, |o| o.days),
            default_days: rule.days,
            municipality_days: own.map(|o| o.days),
            version: if platform {
                rule.version
            } else {
                own.map_or(0, |o| o.version)
            },
            updated_at: own.map_or(rule.updated_at, |o| o.updated_at),
            kind: rule.kind,
        }
    }
}

/// A rule's new age. The platform admin sets the default (a number); a
/// city's admin sets its city's own age (a number) or removes it (`null`,
/// the default applies again).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"days": 3650}))]
pub struct UpdateRetentionRule {
    /// Days, 0 (off) to 36500; `null` (a city's admin): back to the default.
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 36500)]
    pub days: Option<Option<i64>>,
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

/// The city whose own ages the caller edits (`None`: the platform admin,
/// who edits the defaults).
fn city_of(caller: &Caller) -> ApiResult<Option<Uuid>> {
    authorize(&caller.actor, Action::ManageRetentionRules)?;
    match caller.actor.role {
        Role::PlatformAdmin => Ok(None),
        _ => caller
            .actor
            .municipality_id
            .map(Some)
            .ok_or(ApiError::Forbidden),
    }
}

fn kind_of(kind: &str) -> ApiResult<RuleKind> {
    RuleKind::from_code(kind).ok_or(ApiError::NotFound)
}

async fn view(conn: &mut AsyncPgConnection, city: Option<Uuid>) -> ApiResult<Vec<RetentionRule>> {
    let own = match city {
        Some(city) => db::overrides(conn, city).await?,
        None => Vec::new(),
    };
    Ok(db::rules(conn)
        .await?
        .into_iter()
        .map(|rule| {
            let mine = own.iter().find(|o| o.kind == rule.kind);
            RetentionRule::of(rule, mine, city.is_none())
        })
        .collect())
}

/// The retention rules: the platform's defaults, and the caller's city's
/// own ages (the platform admin and the cities' admins), ordered by kind.
#[utoipa::path(operation_id = "listRetentionRules", tag = "retention", security(("bearer" = [])),
    responses((status = 200, description = "Every rule", body = Paginated<RetentionRule>),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/retention-rules")]
pub async fn list_rules(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let city = city_of(&caller)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rules = view(&mut conn, city).await?;
    Ok(HttpResponse::Ok().json(Paginated::new(rules, None)))
}

/// One retention rule, with the `ETag` of what the caller edits.
#[utoipa::path(operation_id = "getRetentionRule", tag = "retention", security(("bearer" = [])),
    params(("kind" = String, Path, description = "The rule's kind: `unconfirmed_intake`, `invitation`, `password_reset_token`, `outbox_body` or `closed_case_personal_data`")),
    responses((status = 200, description = "The rule", body = RetentionRule, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/retention-rules/{kind}")]
pub async fn get_rule(
    state: web::Data<AppState>,
    caller: Caller,
    kind: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let city = city_of(&caller)?;
    let kind = kind_of(&kind)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rule = view(&mut conn, city)
        .await?
        .into_iter()
        .find(|r| r.kind == kind.as_str())
        .ok_or(ApiError::NotFound)?;
    Ok(with_etag(HttpResponse::Ok(), rule.version, rule))
}

/// Sets a rule's age: the platform admin the default, a city's admin its
/// city's own (`null`: back to the default). `If-Match` with the rule's
/// `ETag` (412 when stale, 428 without it). The next run applies it.
#[utoipa::path(operation_id = "updateRetentionRule", tag = "retention", request_body = UpdateRetentionRule, security(("bearer" = [])),
    params(("kind" = String, Path, description = "The rule's kind: `unconfirmed_intake`, `invitation`, `password_reset_token`, `outbox_body` or `closed_case_personal_data`"),
        ("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "The rule as it is now", body = RetentionRule, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The rule changed since you read it", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Days missing, not a whole number, or out of 0–36500 (`null` only for a city's own age)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/retention-rules/{kind}")]
pub async fn update_rule(
    state: web::Data<AppState>,
    caller: Caller,
    kind: web::Path<String>,
    if_match: IfMatch,
    body: Json<UpdateRetentionRule>,
) -> ApiResult<HttpResponse> {
    let city = city_of(&caller)?;
    let days = match body.days {
        None => return Err(ApiError::validation("days", "required", "is required")),
        Some(None) if city.is_none() => {
            return Err(ApiError::validation(
                "days",
                "required",
                "the default needs a number of days (0: off)",
            ))
        }
        Some(None) => None,
        Some(Some(days)) => Some(rules::days("days", days)?),
    };
    let kind = kind_of(&kind)?;
    let mut conn = pool::connection(&state.pool).await?;
    let rule = conn
        .transaction(async |conn| {
            let default = db::rule_for_update(conn, kind.as_str())
                .await?
                .ok_or(ApiError::NotFound)?;
            let (before, after) = match city {
                None => {
                    if_match.check(default.version)?;
                    let days = days.unwrap_or(default.days);
                    let updated = db::set_days(conn, kind.as_str(), days)
                        .await?
                        .ok_or(ApiError::NotFound)?;
                    (
                        serde_json::json!({"days": default.days}),
                        serde_json::json!({"days": updated.days}),
                    )
                }
                Some(city) => {
                    let own = db::override_for_update(conn, city, kind.as_str()).await?;
                    if_match.check(own.as_ref().map_or(0, |o| o.version))?;
                    let before = own.as_ref().map(|o| o.days);
                    match days {
                        Some(days) => {
                            db::set_override(conn, city, kind.as_str(), days).await?;
                        }
                        None => {
                            db::remove_override(conn, city, kind.as_str()).await?;
                        }
                    }
                    (
                        serde_json::json!({"municipality_days": before}),
                        serde_json::json!({"municipality_days": days}),
                    )
                }
            };
            let change = Change {
                action: "retention_rule.update".into(),
                target_type: "retention_rule",
                target_id: kind.as_str().to_owned(),
                changes: serde_json::json!({"municipality_id": city, "before": before, "after": after}),
                event: FeedEvent::desk(EventKind::RetentionRuleUpdated).in_municipality(city),
            };
            record::write(conn, &caller, change).await?;
            let rule = view(conn, city)
                .await?
                .into_iter()
                .find(|r| r.kind == kind.as_str())
                .ok_or(ApiError::NotFound)?;
            Ok::<_, ApiError>(rule)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), rule.version, rule))
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
