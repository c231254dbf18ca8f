//! Case management (issue 18): a case's coordinator (担当者) and the day its
//! decision is due, one row per case beside it. A change also bumps the
//! case's version ([`proposals::bump_version`]), so it is written under the
//! case's `If-Match`.

use crate::schema::case_management;
use crate::DbResult;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = case_management, check_for_backend(diesel::pg::Pg))]
pub struct Management {
    pub proposal_id: Uuid,
    pub coordinator_id: Option<Uuid>,
    pub decision_due_on: Option<NaiveDate>,
}

/// The case's management (empty when nothing was ever set).
pub async fn of(conn: &mut AsyncPgConnection, proposal_id: Uuid) -> DbResult<Management> {
    Ok(case_management::table
        .filter(case_management::proposal_id.eq(proposal_id))
        .select(Management::as_select())
        .first(conn)
        .await
        .optional()?
        .unwrap_or_else(|| Management::unset(proposal_id)))
}

impl Management {
    /// The management of a case that never had any set.
    pub fn unset(proposal_id: Uuid) -> Self {
        Management {
            proposal_id,
            ..Management::default()
        }
    }
}

/// The management of the cases `ids` that have any.
pub async fn of_many(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> DbResult<Vec<Management>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(case_management::table
        .filter(case_management::proposal_id.eq_any(ids))
        .select(Management::as_select())
        .load(conn)
        .await?)
}

/// Sets the coordinator (`None`: clears it).
pub async fn set_coordinator(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    coordinator_id: Option<Uuid>,
) -> DbResult<Management> {
    Ok(diesel::insert_into(case_management::table)
        .values((
            case_management::proposal_id.eq(proposal_id),
            case_management::coordinator_id.eq(coordinator_id),
        ))
        .on_conflict(case_management::proposal_id)
        .do_update()
        .set(case_management::coordinator_id.eq(coordinator_id))
        .returning(Management::as_returning())
        .get_result(conn)
        .await?)
}

/// Sets the decision's due date (`None`: clears it).
pub async fn set_decision_due(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    due_on: Option<NaiveDate>,
) -> DbResult<Management> {
    Ok(diesel::insert_into(case_management::table)
        .values((
            case_management::proposal_id.eq(proposal_id),
            case_management::decision_due_on.eq(due_on),
        ))
        .on_conflict(case_management::proposal_id)
        .do_update()
        .set(case_management::decision_due_on.eq(due_on))
        .returning(Management::as_returning())
        .get_result(conn)
        .await?)
}

/// Cases coordinated by `coordinator_id`, as a filter of `proposals`.
pub(crate) fn coordinated_by(
    coordinator_id: Uuid,
) -> diesel::expression::SqlLiteral<
    diesel::sql_types::Bool,
    impl diesel::query_builder::QueryFragment<diesel::pg::Pg>,
> {
    diesel::dsl::sql::<diesel::sql_types::Bool>(
        "proposals.id IN (SELECT m.proposal_id FROM case_management m WHERE m.coordinator_id = ",
    )
    .bind::<diesel::sql_types::Uuid, _>(coordinator_id)
    .sql(")")
}
