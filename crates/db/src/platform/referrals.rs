//! Introductions of residents to directory entries, and their counts per
//! fiscal year × from-city × to-city × topic × outcome (kept by a trigger
//! in the writing transaction, migration 000028).

use crate::codes::DbText;
use crate::schema::{referral_counts, referrals};
use crate::{DbResult, Page};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::platform::referral::{ReferralChannel, ReferralOutcome};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = referrals, check_for_backend(diesel::pg::Pg))]
pub struct Referral {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub department_id: Option<Uuid>,
    pub recorded_by: Uuid,
    pub resource_id: Uuid,
    pub to_municipality_id: Uuid,
    pub referred_on: NaiveDate,
    pub topics: Vec<String>,
    #[diesel(deserialize_as = DbText<ReferralChannel>)]
    pub channel: ReferralChannel,
    #[diesel(deserialize_as = DbText<ReferralOutcome>)]
    pub outcome: ReferralOutcome,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = referrals)]
pub struct NewReferral {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub department_id: Option<Uuid>,
    pub recorded_by: Uuid,
    pub resource_id: Uuid,
    pub to_municipality_id: Uuid,
    pub referred_on: NaiveDate,
    pub topics: Vec<String>,
    #[diesel(serialize_as = DbText<ReferralChannel>)]
    pub channel: ReferralChannel,
    #[diesel(serialize_as = DbText<ReferralOutcome>)]
    pub outcome: ReferralOutcome,
}

/// What a correction may change: the day, the topics, the channel, the outcome.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = referrals)]
pub struct ReferralChanges {
    pub referred_on: Option<NaiveDate>,
    pub topics: Option<Vec<String>>,
    #[diesel(serialize_as = DbText<ReferralChannel>)]
    pub channel: Option<ReferralChannel>,
    #[diesel(serialize_as = DbText<ReferralOutcome>)]
    pub outcome: Option<ReferralOutcome>,
}

crate::crud::versioned_crud!(referrals, Referral, NewReferral, ReferralChanges);

/// Which introductions a list shows: the ones the caller's city recorded
/// (`from`), the ones to its entries (`to`), or both; row-level security
/// hides every other city's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    From(Uuid),
    To(Uuid),
    Any,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub resource_id: Option<Uuid>,
    pub fiscal_year: Option<i32>,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    direction: Direction,
    filter: &ListFilter,
    page: Page,
) -> DbResult<Vec<Referral>> {
    let mut query = referrals::table
        .select(Referral::as_select())
        .order(referrals::id)
        .limit(page.fetch_limit())
        .into_boxed();
    match direction {
        Direction::From(m) => query = query.filter(referrals::municipality_id.eq(m)),
        Direction::To(m) => query = query.filter(referrals::to_municipality_id.eq(m)),
        Direction::Any => {}
    }
    if let Some(resource_id) = filter.resource_id {
        query = query.filter(referrals::resource_id.eq(resource_id));
    }
    if let Some(year) = filter.fiscal_year {
        // April 1 to March 31 of the fiscal year.
        if let (Some(start), Some(end)) = (
            NaiveDate::from_ymd_opt(year, 4, 1),
            NaiveDate::from_ymd_opt(year + 1, 4, 1),
        ) {
            query = query.filter(
                referrals::referred_on
                    .ge(start)
                    .and(referrals::referred_on.lt(end)),
            );
        }
    }
    if let Some(after) = page.after {
        query = query.filter(referrals::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// One counted cell: `topic` empty counts each introduction once.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = referral_counts, check_for_backend(diesel::pg::Pg))]
pub struct Count {
    pub from_municipality_id: Uuid,
    pub to_municipality_id: Uuid,
    pub topic: String,
    #[diesel(deserialize_as = DbText<ReferralOutcome>)]
    pub outcome: ReferralOutcome,
    pub referrals: i64,
}

/// The fiscal year's counted cells (every city's), in a stable order.
pub async fn counts(conn: &mut AsyncPgConnection, fiscal_year: i32) -> DbResult<Vec<Count>> {
    Ok(referral_counts::table
        .filter(referral_counts::fiscal_year.eq(fiscal_year))
        .filter(referral_counts::referrals.gt(0))
        .select(Count::as_select())
        .order((
            referral_counts::from_municipality_id,
            referral_counts::to_municipality_id,
            referral_counts::topic,
            referral_counts::outcome,
        ))
        .load(conn)
        .await?)
}
