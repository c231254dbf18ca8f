//! Retention (issue 21): the rules, their application, and the runs.
//!
//! The purge itself is the database function `living_gate_retention_apply`
//! (migration 000020, SECURITY DEFINER): the service's role may not delete
//! intakes or reset tokens directly.

use crate::schema::{retention_rule_overrides, retention_rules, retention_runs};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = retention_rules)]
pub struct RetentionRule {
    pub kind: String,
    pub days: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A city's own age for a rule, in place of the platform's default.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = retention_rule_overrides)]
pub struct RetentionOverride {
    pub municipality_id: Uuid,
    pub kind: String,
    pub days: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = retention_runs)]
pub struct RetentionRun {
    pub id: Uuid,
    pub dry_run: bool,
    pub counts: Value,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

pub async fn rules(conn: &mut AsyncPgConnection) -> DbResult<Vec<RetentionRule>> {
    Ok(retention_rules::table
        .order(retention_rules::kind)
        .select(RetentionRule::as_select())
        .load(conn)
        .await?)
}

/// One rule, locked for an update. `None` when there is no such rule.
pub async fn rule_for_update(
    conn: &mut AsyncPgConnection,
    kind: &str,
) -> DbResult<Option<RetentionRule>> {
    Ok(retention_rules::table
        .find(kind)
        .for_update()
        .select(RetentionRule::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The city's own ages, by kind.
pub async fn overrides(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
) -> DbResult<Vec<RetentionOverride>> {
    Ok(retention_rule_overrides::table
        .filter(retention_rule_overrides::municipality_id.eq(municipality_id))
        .order(retention_rule_overrides::kind)
        .select(RetentionOverride::as_select())
        .load(conn)
        .await?)
}

/// The city's own age of one rule, locked for an update.
pub async fn override_for_update(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    kind: &str,
) -> DbResult<Option<RetentionOverride>> {
    Ok(retention_rule_overrides::table
        .find((municipality_id, kind))
        .for_update()
        .select(RetentionOverride::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Sets the city's own age of a rule (a new version of it).
pub async fn set_override(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    kind: &str,
    days: i32,
) -> DbResult<RetentionOverride> {
    use diesel::upsert::excluded;
    Ok(diesel::insert_into(retention_rule_overrides::table)
        .values((
            retention_rule_overrides::municipality_id.eq(municipality_id),
            retention_rule_overrides::kind.eq(kind),
            retention_rule_overrides::days.eq(days),
        ))
        .on_conflict((
            retention_rule_overrides::municipality_id,
            retention_rule_overrides::kind,
        ))
        .do_update()
        .set((
            retention_rule_overrides::days.eq(excluded(retention_rule_overrides::days)),
            retention_rule_overrides::version.eq(retention_rule_overrides::version + 1),
            retention_rule_overrides::updated_at.eq(diesel::dsl::now),
        ))
        .returning(RetentionOverride::as_returning())
        .get_result(conn)
        .await?)
}

/// Removes the city's own age of a rule (the default applies again).
pub async fn remove_override(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    kind: &str,
) -> DbResult<bool> {
    Ok(
        diesel::delete(retention_rule_overrides::table.find((municipality_id, kind)))
            .execute(conn)
            .await?
            > 0,
    )
}

/// Sets a rule's default age in days (0: off). `None` when there is no such rule.
pub async fn set_days(
    conn: &mut AsyncPgConnection,
    kind: &str,
    days: i32,
) -> DbResult<Option<RetentionRule>> {
    Ok(diesel::update(retention_rules::table.find(kind))
        .set((
            retention_rules::days.eq(days),
            retention_rules::version.eq(retention_rules::version + 1),
            retention_rules::updated_at.eq(diesel::dsl::now),
        ))
        .returning(RetentionRule::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

#[derive(QueryableByName)]
struct Applied {
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    counts: Value,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

/// The advisory lock key of a run: one at a time over every instance.
const LOCK_KEY: i64 = 0x6c67_7265_7465_6e74; // "lgretent"

/// Applies the rules (dry: only counts) and records the run, in the
/// caller's transaction. `None` when another run holds the lock (another
/// instance is running them now).
pub async fn run(conn: &mut AsyncPgConnection, dry_run: bool) -> DbResult<Option<RetentionRun>> {
    let locked: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<diesel::sql_types::BigInt, _>(LOCK_KEY)
        .get_result(conn)
        .await?;
    if !locked.locked {
        return Ok(None);
    }
    let started_at = Utc::now();
    let applied: Applied = diesel::sql_query("SELECT living_gate_retention_apply($1) AS counts")
        .bind::<diesel::sql_types::Bool, _>(dry_run)
        .get_result(conn)
        .await?;
    let now = Utc::now();
    let row = RetentionRun {
        id: Uuid::now_v7(),
        dry_run,
        counts: applied.counts,
        started_at,
        finished_at: now,
        created_at: now,
    };
    Ok(Some(
        diesel::insert_into(retention_runs::table)
            .values(&row)
            .returning(RetentionRun::as_returning())
            .get_result(conn)
            .await?,
    ))
}

/// The runs, newest first.
pub async fn runs(conn: &mut AsyncPgConnection, limit: i64) -> DbResult<Vec<RetentionRun>> {
    Ok(retention_runs::table
        .order(retention_runs::created_at.desc())
        .limit(limit)
        .select(RetentionRun::as_select())
        .load(conn)
        .await?)
}

impl crate::Versioned for RetentionRun {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        1
    }
}
