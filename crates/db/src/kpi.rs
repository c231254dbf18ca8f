//! The KPI figures: the counted facts (kept exact by triggers, see the
//! migration `kpi`), the cases waiting for coordination, indicator
//! progress, and the targets per fiscal year.

use crate::schema::kpi_targets;
use crate::DbResult;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Date, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::kpi::{FactMetric, Measure};
use serde::Serialize;
use std::str::FromStr;
use uuid::Uuid;

/// A name of the KPI vocabulary read from a text column: loading the row
/// parses it, so a name the domain does not know fails the query (diesel's
/// deserialization error, a 500 whose cause is logged) instead of being
/// skipped or counted under another name.
#[derive(Debug)]
pub struct KpiName<T>(T);

impl<T> FromSql<Text, Pg> for KpiName<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let raw = <String as FromSql<Text, Pg>>::from_sql(value)?;
        Ok(KpiName(raw.parse()?))
    }
}

impl From<KpiName<FactMetric>> for FactMetric {
    fn from(name: KpiName<FactMetric>) -> FactMetric {
        name.0
    }
}

impl From<KpiName<Measure>> for Measure {
    fn from(name: KpiName<Measure>) -> Measure {
        name.0
    }
}

#[derive(Debug, QueryableByName)]
pub struct FactRow {
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = Text, deserialize_as = KpiName<FactMetric>)]
    pub metric: FactMetric,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Whose figures: one municipality's, or every city's together (`None`).
pub type Municipality = Option<Uuid>;

/// Rows of one of the KPI counter tables for the fiscal years `from..=to`,
/// of the given metrics or measures only (all when `None`), of one
/// municipality or summed over all. `sql` selects them with the years as
/// $1 and $2, the names as $3 and the municipality as $4.
async fn counted<R>(
    conn: &mut AsyncPgConnection,
    sql: &'static str,
    municipality: Municipality,
    from: i32,
    to: i32,
    names: Option<Vec<&'static str>>,
) -> DbResult<Vec<R>>
where
    R: QueryableByName<Pg> + Send + 'static,
{
    Ok(diesel::sql_query(sql)
        .bind::<Integer, _>(from)
        .bind::<Integer, _>(to)
        .bind::<Nullable<Array<Text>>, _>(names)
        .bind::<Nullable<SqlUuid>, _>(municipality)
        .load(conn)
        .await?)
}

/// The facts counted for the fiscal years `from..=to`, of the given
/// metrics only (all when `None`).
pub async fn facts(
    conn: &mut AsyncPgConnection,
    municipality: Municipality,
    from: i32,
    to: i32,
    metrics: Option<&[FactMetric]>,
) -> DbResult<Vec<FactRow>> {
    let sql = "SELECT month, metric, key, sum(n)::int8 AS n FROM kpi_facts \
               WHERE fiscal_year BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR metric = ANY($3)) \
                 AND ($4::uuid IS NULL OR municipality_id = $4) \
               GROUP BY month, metric, key HAVING sum(n) <> 0";
    let names = metrics.map(|m| m.iter().map(|m| m.as_str()).collect());
    counted(conn, sql, municipality, from, to, names).await
}

fn measure_names(measures: Option<&[Measure]>) -> Option<Vec<&'static str>> {
    measures.map(|m| m.iter().map(|m| m.as_str()).collect())
}

#[derive(Debug, QueryableByName)]
pub struct HistogramRow {
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = Text, deserialize_as = KpiName<Measure>)]
    pub measure: Measure,
    /// `counts[h]` durations took `h` whole hours.
    #[diesel(sql_type = Array<Nullable<Integer>>)]
    pub counts: Vec<Option<i32>>,
}

/// The monthly duration histograms of the fiscal years `from..=to`, of the
/// given measures only (all when `None`).
pub async fn histograms(
    conn: &mut AsyncPgConnection,
    municipality: Municipality,
    from: i32,
    to: i32,
    measures: Option<&[Measure]>,
) -> DbResult<Vec<HistogramRow>> {
    // One row per city: the caller's Facts merge them slot by slot. Summing
    // them here (unnest, group by slot, array_agg) cost a hash aggregate over
    // every counter of the period (BENCHMARKS.md, KPIs at 10,000,000 cases).
    let sql = "SELECT month, measure, counts FROM kpi_histograms \
               WHERE fiscal_year BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR measure = ANY($3)) \
                 AND ($4::uuid IS NULL OR municipality_id = $4)";
    counted(conn, sql, municipality, from, to, measure_names(measures)).await
}

#[derive(Debug, QueryableByName)]
pub struct YearHistogramRow {
    #[diesel(sql_type = Integer)]
    pub fiscal_year: i32,
    #[diesel(sql_type = Text, deserialize_as = KpiName<Measure>)]
    pub measure: Measure,
    /// `counts[h]` durations took `h` whole hours.
    #[diesel(sql_type = Array<Nullable<Integer>>)]
    pub counts: Vec<Option<i32>>,
}

/// The whole-year duration histograms of the fiscal years `from..=to`, of
/// the given measures only (all when `None`).
pub async fn year_histograms(
    conn: &mut AsyncPgConnection,
    municipality: Municipality,
    from: i32,
    to: i32,
    measures: Option<&[Measure]>,
) -> DbResult<Vec<YearHistogramRow>> {
    let sql = "SELECT fiscal_year, measure, counts FROM kpi_year_histograms \
               WHERE fiscal_year BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR measure = ANY($3)) \
                 AND ($4::uuid IS NULL OR municipality_id = $4)";
    counted(conn, sql, municipality, from, to, measure_names(measures)).await
}

#[derive(Debug, QueryableByName)]
pub struct WaitingRow {
    #[diesel(sql_type = Text)]
    pub reference: String,
    #[diesel(sql_type = Text, deserialize_as = crate::codes::DbText<Status>)]
    pub status: Status,
    #[diesel(sql_type = Timestamptz)]
    pub first_contact_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub received_at: DateTime<Utc>,
}

/// The open cases of a fiscal year whose coordination has not started,
/// longest waiting first.
pub async fn waiting_oldest(
    conn: &mut AsyncPgConnection,
    municipality: Municipality,
    fiscal_year: i32,
    limit: i64,
) -> DbResult<Vec<WaitingRow>> {
    Ok(diesel::sql_query(
        "SELECT reference, status, first_contact_at, received_at FROM proposals \
         WHERE fiscal_year = $1 AND coordination_started_at IS NULL \
           AND status NOT IN ('adopted', 'not_adopted', 'open_procurement', 'declined', 'withdrawn') \
           AND ($3::uuid IS NULL OR municipality_id = $3) \
         ORDER BY first_contact_at, id LIMIT $2",
    )
    .bind::<Integer, _>(fiscal_year)
    .bind::<BigInt, _>(limit)
    .bind::<Nullable<SqlUuid>, _>(municipality)
    .load(conn)
    .await?)
}

#[derive(Debug, QueryableByName)]
pub struct IndicatorRow {
    #[diesel(sql_type = SqlUuid)]
    pub trip_id: Uuid,
    #[diesel(sql_type = Text)]
    pub trip_title: String,
    #[diesel(sql_type = SqlUuid)]
    pub indicator_id: Uuid,
    #[diesel(sql_type = Text)]
    pub indicator: String,
    #[diesel(sql_type = Text)]
    pub unit: String,
    #[diesel(sql_type = Nullable<Double>)]
    pub baseline: Option<f64>,
    #[diesel(sql_type = Double)]
    pub target: f64,
    #[diesel(sql_type = Double)]
    pub latest_value: f64,
    #[diesel(sql_type = Date)]
    pub measured_on: NaiveDate,
}

/// Each TRIP indicator measured between `from` and `until`: its latest
/// measurement in that period, with the indicator as defined in the case's
/// latest shared logic model; at most `limit` rows.
pub async fn indicator_progress(
    conn: &mut AsyncPgConnection,
    municipality: Municipality,
    from: NaiveDate,
    until: NaiveDate,
    limit: i64,
) -> DbResult<Vec<IndicatorRow>> {
    Ok(diesel::sql_query(
        "SELECT t.id AS trip_id, t.title AS trip_title, m.indicator_id, i.name AS indicator, i.unit, \
                i.baseline, i.target, m.value AS latest_value, m.measured_on \
         FROM (SELECT DISTINCT ON (trip_id, indicator_id) trip_id, indicator_id, value, measured_on \
               FROM trip_measurements WHERE measured_on BETWEEN $1 AND $2 \
                 AND ($4::uuid IS NULL OR municipality_id = $4) \
               ORDER BY trip_id, indicator_id, measured_on DESC, created_at DESC) m \
         JOIN trips t ON t.id = m.trip_id \
         CROSS JOIN LATERAL ( \
           SELECT ind->>'name' AS name, ind->>'unit' AS unit, (ind->>'baseline')::float8 AS baseline, \
                  (ind->>'target')::float8 AS target \
           FROM logic_models lm, jsonb_array_elements(lm.content->'indicators') ind \
           WHERE lm.proposal_id = t.proposal_id AND lm.status = 'shared' \
             AND ind->>'id' = m.indicator_id::text \
           ORDER BY lm.version DESC LIMIT 1) i \
         ORDER BY t.id, i.name, m.indicator_id \
         LIMIT $3",
    )
    .bind::<Date, _>(from)
    .bind::<Date, _>(until)
    .bind::<BigInt, _>(limit)
    .bind::<Nullable<SqlUuid>, _>(municipality)
    .load(conn)
    .await?)
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = kpi_targets, check_for_backend(diesel::pg::Pg))]
pub struct Target {
    pub municipality_id: Uuid,
    pub fiscal_year: i32,
    pub trips_started: i32,
    pub community_supports: Option<i32>,
    pub proposals_received: Option<i32>,
    pub updated_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = kpi_targets, treat_none_as_null = true)]
pub struct TargetValues {
    pub municipality_id: Uuid,
    pub fiscal_year: i32,
    pub trips_started: i32,
    pub community_supports: Option<i32>,
    pub proposals_received: Option<i32>,
    pub updated_by: Option<Uuid>,
}

/// Every fiscal year's targets of a municipality, or of every city
/// (`None`): one row per city and year (2000–2200), newest year first.
pub async fn targets(
    conn: &mut AsyncPgConnection,
    municipality: Municipality,
) -> DbResult<Vec<Target>> {
    let mut query = kpi_targets::table
        .select(Target::as_select())
        .order((
            kpi_targets::fiscal_year.desc(),
            kpi_targets::municipality_id,
        ))
        .into_boxed();
    if let Some(municipality) = municipality {
        query = query.filter(kpi_targets::municipality_id.eq(municipality));
    }
    Ok(query.load(conn).await?)
}

/// The targets of one city and fiscal year.
pub async fn target(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    fiscal_year: i32,
) -> DbResult<Option<Target>> {
    Ok(kpi_targets::table
        .find((municipality_id, fiscal_year))
        .select(Target::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The targets of a fiscal year, locked for an update in this transaction.
pub async fn target_for_update(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    fiscal_year: i32,
) -> DbResult<Option<Target>> {
    Ok(kpi_targets::table
        .find((municipality_id, fiscal_year))
        .select(Target::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Creates the targets of a fiscal year; `None` when another request
/// created them first.
pub async fn insert_target(
    conn: &mut AsyncPgConnection,
    values: &TargetValues,
) -> DbResult<Option<Target>> {
    Ok(diesel::insert_into(kpi_targets::table)
        .values(values)
        .on_conflict_do_nothing()
        .returning(Target::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

pub async fn update_target(
    conn: &mut AsyncPgConnection,
    values: &TargetValues,
) -> DbResult<Target> {
    Ok(
        diesel::update(kpi_targets::table.find((values.municipality_id, values.fiscal_year)))
            .set((values, kpi_targets::version.eq(kpi_targets::version + 1)))
            .returning(Target::as_returning())
            .get_result(conn)
            .await?,
    )
}

/// The distinct directory organizations supported by the TRIPs started
/// in a fiscal year that support community activity.
pub async fn supported_resources(
    conn: &mut AsyncPgConnection,
    municipality: Municipality,
    fiscal_year: i32,
) -> DbResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(
        "SELECT count(DISTINCT s.resource_id) AS n FROM trip_supported_resources s \
         JOIN kpi.trips t ON t.id = s.trip_id \
         WHERE t.supports_community_activity AND t.fiscal_year = $1 \
           AND ($2::uuid IS NULL OR t.municipality_id = $2)",
    )
    .bind::<Integer, _>(fiscal_year)
    .bind::<Nullable<SqlUuid>, _>(municipality)
    .get_result(conn)
    .await?;
    Ok(count.n)
}
