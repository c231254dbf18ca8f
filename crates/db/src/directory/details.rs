//! The details of directory entries beside their row (`resource_details`,
//! migration 000029: `resources` has the 32 columns a table may have). An
//! entry without a row has the default details.

use crate::codes::{DbNullableText, DbTextArray};
use crate::schema::{resource_details, resources};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::directory::details::{
    AccessibilityFeature, Cost, TargetGroup, VerificationMethod,
};
use living_gate_domain::directory::Details;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = resource_details, check_for_backend(diesel::pg::Pg))]
struct Row {
    resource_id: Uuid,
    consent_withdrawn: bool,
    call_before_visiting: bool,
    by_appointment: bool,
    opening_periods: Value,
    opening_exceptions: Value,
    #[diesel(deserialize_as = DbTextArray<AccessibilityFeature>)]
    accessibility: Vec<AccessibilityFeature>,
    accessibility_note: Option<String>,
    #[diesel(deserialize_as = DbTextArray<TargetGroup>)]
    target_groups: Vec<TargetGroup>,
    minimum_age: Option<i16>,
    maximum_age: Option<i16>,
    eligibility_note: Option<String>,
    #[diesel(deserialize_as = DbNullableText<Cost>)]
    cost: Option<Cost>,
    cost_note: Option<String>,
    #[diesel(deserialize_as = DbNullableText<VerificationMethod>)]
    verification_method: Option<VerificationMethod>,
    translations: Value,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = resource_details, treat_none_as_null = true)]
struct NewRow {
    resource_id: Uuid,
    consent_withdrawn: bool,
    call_before_visiting: bool,
    by_appointment: bool,
    opening_periods: Value,
    opening_exceptions: Value,
    #[diesel(serialize_as = DbTextArray<AccessibilityFeature>)]
    accessibility: Vec<AccessibilityFeature>,
    accessibility_note: Option<String>,
    #[diesel(serialize_as = DbTextArray<TargetGroup>)]
    target_groups: Vec<TargetGroup>,
    minimum_age: Option<i16>,
    maximum_age: Option<i16>,
    eligibility_note: Option<String>,
    #[diesel(serialize_as = DbNullableText<Cost>)]
    cost: Option<Cost>,
    cost_note: Option<String>,
    #[diesel(serialize_as = DbNullableText<VerificationMethod>)]
    verification_method: Option<VerificationMethod>,
    translations: Value,
}

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> DbResult<T> {
    serde_json::from_value(value).map_err(|e| {
        crate::DbError::Query(diesel::result::Error::DeserializationError(Box::new(e)))
    })
}

fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Array(Vec::new()))
}

impl Row {
    fn into_details(self) -> DbResult<Details> {
        Ok(Details {
            consent_withdrawn: self.consent_withdrawn,
            call_before_visiting: self.call_before_visiting,
            by_appointment: self.by_appointment,
            opening_periods: typed(self.opening_periods)?,
            opening_exceptions: typed(self.opening_exceptions)?,
            accessibility: self.accessibility,
            accessibility_note: self.accessibility_note,
            target_groups: self.target_groups,
            minimum_age: self.minimum_age,
            maximum_age: self.maximum_age,
            eligibility_note: self.eligibility_note,
            cost: self.cost,
            cost_note: self.cost_note,
            verification_method: self.verification_method,
            translations: typed(self.translations)?,
        })
    }
}

/// The details of the entries `ids` that have any (the others have the defaults).
pub async fn of(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> DbResult<HashMap<Uuid, Details>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(10_000) {
        let rows: Vec<Row> = resource_details::table
            .filter(resource_details::resource_id.eq_any(chunk))
            .select(Row::as_select())
            .load(conn)
            .await?;
        for row in rows {
            found.insert(row.resource_id, row.into_details()?);
        }
    }
    Ok(found)
}

/// Writes the details of entry `id` (write them before the entry's row: the
/// row's trigger reads the consent).
pub async fn set(conn: &mut AsyncPgConnection, id: Uuid, details: &Details) -> DbResult<()> {
    let row = NewRow {
        resource_id: id,
        consent_withdrawn: details.consent_withdrawn,
        call_before_visiting: details.call_before_visiting,
        by_appointment: details.by_appointment,
        opening_periods: json(&details.opening_periods),
        opening_exceptions: json(&details.opening_exceptions),
        accessibility: details.accessibility.clone(),
        accessibility_note: details.accessibility_note.clone(),
        target_groups: details.target_groups.clone(),
        minimum_age: details.minimum_age,
        maximum_age: details.maximum_age,
        eligibility_note: details.eligibility_note.clone(),
        cost: details.cost,
        cost_note: details.cost_note.clone(),
        verification_method: details.verification_method,
        translations: json(&details.translations),
    };
    diesel::insert_into(resource_details::table)
        .values(row.clone())
        .on_conflict(resource_details::resource_id)
        .do_update()
        .set(row)
        .execute(conn)
        .await?;
    Ok(())
}

/// The entries of city `municipality_id` last verified before `before`, or
/// never, after `after` in id order (a page of at most `limit` + 1).
pub async fn due_for_verification(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    before: DateTime<Utc>,
    after: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<crate::directory::resources::Resource>> {
    let mut query = resources::table
        .filter(resources::municipality_id.eq(municipality_id))
        .filter(
            resources::last_verified_at
                .is_null()
                .or(resources::last_verified_at.lt(before)),
        )
        .select(crate::directory::resources::Resource::as_select())
        .order(resources::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(resources::id.gt(after));
    }
    Ok(query.load(conn).await?)
}

/// Records a verification of entry `id`: when and by whom on the entry
/// (its `version` moves, its `updated_at` does not: a check is not a change).
pub async fn record_verification(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    verified_at: DateTime<Utc>,
    verified_by: Uuid,
) -> DbResult<crate::directory::resources::Resource> {
    Ok(diesel::update(resources::table.find(id))
        .set((
            resources::last_verified_at.eq(verified_at),
            resources::last_verified_by.eq(verified_by),
            resources::version.eq(resources::version + 1),
        ))
        .returning(crate::directory::resources::Resource::as_returning())
        .get_result(conn)
        .await?)
}
