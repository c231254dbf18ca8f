//! Versioned logic models (step 5, 試行ロジックモデル作成): every revision kept.

use crate::codes::DbText;
use crate::schema::{logic_models, proposals};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::logic_model::LogicModelStatus;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = logic_models, check_for_backend(diesel::pg::Pg))]
pub struct LogicModel {
    pub proposal_id: Uuid,
    pub version: i32,
    #[diesel(deserialize_as = DbText<LogicModelStatus>)]
    pub status: LogicModelStatus,
    pub content: Value,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// Appends the next version (call with the case row locked).
pub async fn append(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    status: LogicModelStatus,
    content: &Value,
    created_by: Uuid,
) -> DbResult<LogicModel> {
    let latest: Option<i32> = logic_models::table
        .filter(logic_models::proposal_id.eq(proposal_id))
        .select(diesel::dsl::max(logic_models::version))
        .first(conn)
        .await?;
    let model = diesel::insert_into(logic_models::table)
        .values((
            logic_models::proposal_id.eq(proposal_id),
            logic_models::version.eq(latest.unwrap_or(0) + 1),
            logic_models::status.eq(DbText(status)),
            logic_models::content.eq(content),
            logic_models::created_by.eq(created_by),
        ))
        .returning(LogicModel::as_returning())
        .get_result(conn)
        .await?;
    if status == LogicModelStatus::Shared {
        diesel::update(proposals::table.find(proposal_id))
            .set((
                proposals::has_shared_logic_model.eq(true),
                proposals::version.eq(proposals::version + 1),
            ))
            .execute(conn)
            .await?;
    }
    Ok(model)
}

/// One version, or the latest; `shared_only` hides drafts.
pub async fn find(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    version: Option<i32>,
    shared_only: bool,
) -> DbResult<Option<LogicModel>> {
    let mut query = logic_models::table
        .filter(logic_models::proposal_id.eq(proposal_id))
        .select(LogicModel::as_select())
        .order(logic_models::version.desc())
        .into_boxed();
    if let Some(version) = version {
        query = query.filter(logic_models::version.eq(version));
    }
    if shared_only {
        query = query.filter(logic_models::status.eq(DbText(LogicModelStatus::Shared)));
    }
    Ok(query.first(conn).await.optional()?)
}

/// Every version, oldest first; `shared_only` hides drafts.
pub async fn versions(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    shared_only: bool,
) -> DbResult<Vec<LogicModel>> {
    let mut query = logic_models::table
        .filter(logic_models::proposal_id.eq(proposal_id))
        .select(LogicModel::as_select())
        .order(logic_models::version)
        .into_boxed();
    if shared_only {
        query = query.filter(logic_models::status.eq(DbText(LogicModelStatus::Shared)));
    }
    Ok(query.load(conn).await?)
}
