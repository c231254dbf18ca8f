//! Proposals and consultations: the cases of the desk.

use super::case_management::Management;
use crate::codes::{DbNullableText, DbText, DbTextArray};
use crate::schema::{case_management, proposals, reference_counters};
use crate::{DbResult, Page};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::proposal::{Channel, Kind, Theme};
use living_gate_domain::desk::workflow::Status;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = proposals, check_for_backend(diesel::pg::Pg))]
pub struct Proposal {
    pub id: Uuid,
    /// The city the case belongs to (the tenant key).
    pub municipality_id: Uuid,
    pub reference: String,
    pub fiscal_year: i32,
    #[diesel(deserialize_as = DbText<Kind>)]
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    pub body: String,
    #[diesel(deserialize_as = DbTextArray<Theme>)]
    pub themes: Vec<Theme>,
    pub sdg_goals: Vec<i16>,
    pub policy_areas: Vec<String>,
    pub desired_support: String,
    #[diesel(deserialize_as = DbText<Channel>)]
    pub channel: Channel,
    pub organization_id: Uuid,
    pub contact_user_id: Option<Uuid>,
    pub created_by: Uuid,
    #[diesel(deserialize_as = DbText<Status>)]
    pub status: Status,
    /// For `on_hold`: the step it resumes to.
    #[diesel(deserialize_as = DbNullableText<Status>)]
    pub held_from: Option<Status>,
    pub lead_department_id: Option<Uuid>,
    pub has_shared_logic_model: bool,
    pub first_contact_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub coordination_started_at: Option<DateTime<Utc>>,
    pub organizing_at: Option<DateTime<Utc>>,
    pub hearing_at: Option<DateTime<Utc>>,
    pub matching_at: Option<DateTime<Utc>>,
    pub logic_model_at: Option<DateTime<Utc>>,
    pub awaiting_decision_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = proposals)]
pub struct NewProposal {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub reference: String,
    pub fiscal_year: i32,
    #[diesel(serialize_as = DbText<Kind>)]
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    pub body: String,
    #[diesel(serialize_as = DbTextArray<Theme>)]
    pub themes: Vec<Theme>,
    pub sdg_goals: Vec<i16>,
    pub policy_areas: Vec<String>,
    pub desired_support: String,
    #[diesel(serialize_as = DbText<Channel>)]
    pub channel: Channel,
    pub organization_id: Uuid,
    pub contact_user_id: Option<Uuid>,
    pub created_by: Uuid,
    #[diesel(serialize_as = DbText<Status>)]
    pub status: Status,
    pub first_contact_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// A status change with the step times it sets (each only the first time).
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = proposals)]
pub struct StatusChange {
    #[diesel(serialize_as = DbText<Status>)]
    pub status: Option<Status>,
    #[diesel(serialize_as = DbNullableText<Status>)]
    pub held_from: Option<Option<Status>>,
    pub coordination_started_at: Option<DateTime<Utc>>,
    pub organizing_at: Option<DateTime<Utc>>,
    pub hearing_at: Option<DateTime<Utc>>,
    pub matching_at: Option<DateTime<Utc>>,
    pub logic_model_at: Option<DateTime<Utc>>,
    pub awaiting_decision_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Content the desk organises in step 2.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = proposals)]
pub struct ProposalChanges {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub body: Option<String>,
    #[diesel(serialize_as = DbTextArray<Theme>)]
    pub themes: Option<Vec<Theme>>,
    pub sdg_goals: Option<Vec<i16>>,
    pub policy_areas: Option<Vec<String>>,
    pub desired_support: Option<String>,
    pub coordination_started_at: Option<DateTime<Utc>>,
}

crate::crud::versioned_crud!(proposals, Proposal, NewProposal, ProposalChanges);

/// Moves a case to another proposer organization (an intake's pending one
/// matched to an existing one) and bumps the version.
pub async fn reassign_organization(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    organization_id: Uuid,
) -> DbResult<Proposal> {
    Ok(crate::Prepared(
        diesel::update(proposals::table.find(id))
            .set((
                proposals::organization_id.eq(organization_id),
                proposals::version.eq(proposals::version + 1),
            ))
            .returning(Proposal::as_returning()),
    )
    .get_result(conn)
    .await?)
}

/// Bumps the version of a case whose management changed.
pub async fn bump_version(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Proposal> {
    Ok(crate::Prepared(
        diesel::update(proposals::table.find(id))
            .set(proposals::version.eq(proposals::version + 1))
            .returning(Proposal::as_returning()),
    )
    .get_result(conn)
    .await?)
}

/// Applies a status change and bumps the version.
pub async fn change_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    change: &StatusChange,
) -> DbResult<Proposal> {
    Ok(crate::Prepared(
        diesel::update(proposals::table.find(id))
            .set((
                change.clone(),
                proposals::version.eq(proposals::version + 1),
            ))
            .returning(Proposal::as_returning()),
    )
    .get_result(conn)
    .await?)
}

/// The next reference number of a municipality's fiscal year. The counter
/// row stays locked until the caller's transaction ends, so numbers are
/// gap-free and unique under concurrent creation (a rolled-back creation
/// gives its number back); two cities never wait for each other.
pub async fn next_reference_number(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    fiscal_year: i32,
) -> DbResult<i32> {
    Ok(crate::Prepared(
        diesel::insert_into(reference_counters::table)
            .values((
                reference_counters::municipality_id.eq(municipality_id),
                reference_counters::fiscal_year.eq(fiscal_year),
                reference_counters::last_value.eq(1),
            ))
            .on_conflict((
                reference_counters::municipality_id,
                reference_counters::fiscal_year,
            ))
            .do_update()
            .set(reference_counters::last_value.eq(reference_counters::last_value + 1))
            .returning(reference_counters::last_value),
    )
    .get_result(conn)
    .await?)
}

/// Which cases a caller sees; applied in SQL to every read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The desk: every case of its municipality.
    Municipality(Uuid),
    /// A partner: its organization's cases (in every city).
    Organization(Uuid),
    /// A department: the cases of its municipality it leads, has been asked
    /// to a hearing about or is matched with.
    Department {
        department_id: Uuid,
        municipality_id: Uuid,
    },
}

/// The smallest UUIDv7 of a millisecond: proposal ids are minted from their
/// receipt time, so a receipt-time range is also an id range, which lets a
/// list ordered by id start where the range starts.
pub fn uuid_v7_floor(at: DateTime<Utc>) -> Uuid {
    let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    Uuid::from_u128(u128::from(ms) << 80)
}

/// Mints the id of a proposal received at `received_at` (same millisecond).
pub fn id_for_receipt(received_at: DateTime<Utc>) -> Uuid {
    let secs = u64::try_from(received_at.timestamp()).unwrap_or(0);
    let nanos = received_at.timestamp_subsec_nanos();
    Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos))
}

/// Cases a department takes part in: it leads them, was asked to a
/// hearing, or has an open or accepted match. Written as `id IN (… UNION ALL …)` so PostgreSQL starts from the
/// department's few cases instead of testing every case.
pub(crate) fn department_cases(
    department_id: Uuid,
) -> diesel::expression::SqlLiteral<
    diesel::sql_types::Bool,
    impl diesel::query_builder::QueryFragment<diesel::pg::Pg>,
> {
    diesel::dsl::sql::<diesel::sql_types::Bool>(
        "proposals.id IN (SELECT h.proposal_id FROM hearings h WHERE h.department_id = ",
    )
    .bind::<diesel::sql_types::Uuid, _>(department_id)
    .sql(" UNION ALL SELECT p.id FROM proposals p WHERE p.lead_department_id = ")
    .bind::<diesel::sql_types::Uuid, _>(department_id)
    .sql(" UNION ALL SELECT m.proposal_id FROM matches m WHERE m.status <> 'declined' AND m.department_id = ")
    .bind::<diesel::sql_types::Uuid, _>(department_id)
    .sql(")")
}

type BoxedQuery<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Select<proposals::table, diesel::dsl::AsSelect<Proposal, diesel::pg::Pg>>,
    diesel::pg::Pg,
>;

/// `query` (boxed, over the cases) limited to the cases `scope` may see.
macro_rules! in_scope {
    ($query:expr, $scope:expr) => {
        match $scope {
            Scope::Municipality(id) => $query.filter(proposals::municipality_id.eq(id)),
            Scope::Organization(id) => $query.filter(proposals::organization_id.eq(id)),
            Scope::Department {
                department_id,
                municipality_id,
            } => $query
                .filter(proposals::municipality_id.eq(municipality_id))
                .filter(department_cases(department_id)),
        }
    };
}

fn scoped<'a>(scope: Scope) -> BoxedQuery<'a> {
    let query = proposals::table.select(Proposal::as_select()).into_boxed();
    in_scope!(query, scope)
}

/// The case, if it exists and `scope` may see it.
pub async fn find_visible(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: Scope,
) -> DbResult<Option<Proposal>> {
    Ok(scoped(scope)
        .filter(proposals::id.eq(id))
        .first(conn)
        .await
        .optional()?)
}

/// The case with its management (`None` when none was ever set), if it
/// exists and `scope` may see it: one statement, what a staff member's read
/// of a case needs.
pub async fn find_visible_with_management(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: Scope,
) -> DbResult<Option<(Proposal, Option<Management>)>> {
    let query = proposals::table
        .left_join(
            case_management::table.on(case_management::proposal_id
                .eq(proposals::id)
                .and(case_management::municipality_id.eq(proposals::municipality_id))),
        )
        .select((Proposal::as_select(), Option::<Management>::as_select()))
        .filter(proposals::id.eq(id))
        .into_boxed();
    Ok(in_scope!(query, scope).first(conn).await.optional()?)
}

#[derive(Debug, Default, Clone)]
pub struct ProposalFilter {
    pub status: Option<Status>,
    pub theme: Option<Theme>,
    pub sdg_goal: Option<i16>,
    pub organization_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub fiscal_year: Option<i32>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
    /// Substring of title, summary or body (Japanese included).
    pub q: Option<String>,
    /// Cases this desk user coordinates.
    pub coordinator_id: Option<Uuid>,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    filter: &ProposalFilter,
    page: Page,
) -> DbResult<Vec<Proposal>> {
    let mut query = scoped(scope).order(proposals::id).limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(proposals::id.gt(after));
    }
    if let Some(status) = filter.status {
        query = query.filter(proposals::status.eq(DbText(status)));
    }
    if let Some(theme) = filter.theme {
        query = query.filter(proposals::themes.contains(DbTextArray(vec![theme])));
    }
    if let Some(goal) = filter.sdg_goal {
        query = query.filter(proposals::sdg_goals.contains(vec![goal]));
    }
    if let Some(organization_id) = filter.organization_id {
        query = query.filter(proposals::organization_id.eq(organization_id));
    }
    if let Some(department_id) = filter.department_id {
        query = query.filter(department_cases(department_id));
    }
    if let Some(coordinator_id) = filter.coordinator_id {
        query = query.filter(super::case_management::coordinated_by(coordinator_id));
    }
    // Receipt-time bounds also bound the id (see `uuid_v7_floor`).
    let mut from = filter.received_from;
    let mut to = filter.received_to;
    if let Some(fiscal_year) = filter.fiscal_year {
        query = query.filter(proposals::fiscal_year.eq(fiscal_year));
        let start = living_gate_domain::fiscal::fiscal_year_start(fiscal_year);
        let end = living_gate_domain::fiscal::fiscal_year_start(fiscal_year + 1);
        from = Some(from.map_or(start, |f| f.max(start)));
        to = Some(to.map_or(end, |t| t.min(end)));
    }
    if let Some(from) = from {
        query = query
            .filter(proposals::received_at.ge(from))
            .filter(proposals::id.ge(uuid_v7_floor(from)));
    }
    if let Some(to) = to {
        let bound = uuid_v7_floor(to + chrono::Duration::milliseconds(1));
        query = query
            .filter(proposals::received_at.lt(to))
            .filter(proposals::id.lt(bound));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", crate::reference::organizations::escape_like(q));
        // The same expression as the trigram index.
        let text = proposals::title
            .concat(" ")
            .concat(proposals::summary)
            .concat(" ")
            .concat(proposals::body);
        query = query.filter(text.ilike(pattern));
    }
    conn.transaction(async |conn| {
        crate::pool::custom_plans(conn).await?;
        Ok(query.load(conn).await?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_minted_at_receipt_fall_in_the_receipt_millisecond() {
        let at = DateTime::parse_from_rfc3339("2027-03-31T15:00:00.123456Z")
            .map(|d| d.with_timezone(&Utc))
            .expect("time");
        let id = id_for_receipt(at);
        assert_eq!(id.get_version_num(), 7);
        assert!(uuid_v7_floor(at) <= id);
        assert!(id < uuid_v7_floor(at + chrono::Duration::milliseconds(1)));
        assert!(uuid_v7_floor(at - chrono::Duration::milliseconds(1)) < uuid_v7_floor(at));
    }
}
