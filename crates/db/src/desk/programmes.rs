//! Existing city programmes (既存施策): a small list per city that its desk
//! manages, and the links of cases to them.

use crate::schema::{city_programmes, proposal_programmes};
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = city_programmes, check_for_backend(diesel::pg::Pg))]
pub struct Programme {
    pub municipality_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub department_id: Option<Uuid>,
    pub created_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = city_programmes)]
pub struct NewProgramme {
    pub municipality_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub department_id: Option<Uuid>,
    pub created_by: Uuid,
}

impl crate::Versioned for Programme {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewProgramme) -> DbResult<Programme> {
    Ok(diesel::insert_into(city_programmes::table)
        .values(new)
        .returning(Programme::as_returning())
        .get_result(conn)
        .await?)
}

/// A page of a city's programmes, by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    page: Page,
) -> DbResult<Vec<Programme>> {
    let mut query = city_programmes::table
        .filter(city_programmes::municipality_id.eq(municipality_id))
        .select(Programme::as_select())
        .order(city_programmes::id)
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(city_programmes::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// Which of `ids` are programmes of the city.
pub async fn of_city(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    ids: &[Uuid],
) -> DbResult<Vec<Programme>> {
    Ok(city_programmes::table
        .filter(city_programmes::municipality_id.eq(municipality_id))
        .filter(city_programmes::id.eq_any(ids))
        .select(Programme::as_select())
        .order(city_programmes::id)
        .load(conn)
        .await?)
}

/// The programmes a case is linked to, by id.
pub async fn of_proposal(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
) -> DbResult<Vec<Programme>> {
    Ok(city_programmes::table
        .filter(
            city_programmes::id.eq_any(
                proposal_programmes::table
                    .filter(proposal_programmes::proposal_id.eq(proposal_id))
                    .select(proposal_programmes::programme_id),
            ),
        )
        .select(Programme::as_select())
        .order(city_programmes::id)
        .load(conn)
        .await?)
}

/// Replaces the programmes a case is linked to.
pub async fn replace_links(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
    programme_ids: &[Uuid],
    linked_by: Uuid,
) -> DbResult<()> {
    diesel::delete(
        proposal_programmes::table.filter(proposal_programmes::proposal_id.eq(proposal_id)),
    )
    .execute(conn)
    .await?;
    let rows: Vec<_> = programme_ids
        .iter()
        .map(|p| {
            (
                proposal_programmes::proposal_id.eq(proposal_id),
                proposal_programmes::programme_id.eq(*p),
                proposal_programmes::linked_by.eq(linked_by),
            )
        })
        .collect();
    diesel::insert_into(proposal_programmes::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}
