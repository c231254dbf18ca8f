//! Directory entries (地域資源), their locations and referral links.
//! Search, the map and the figures are in [`crate::directory::resource_search`].

use crate::codes::{DbText, DbTextArray};
use crate::schema::{resource_locations, resource_referrals, resources};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::directory::{
    EntryVisibility, HideableField, LegalForm, ParticipationIntent,
};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName, Serialize)]
#[diesel(table_name = resources, check_for_backend(diesel::pg::Pg))]
pub struct Resource {
    pub id: Uuid,
    pub external_key: Option<String>,
    pub name: String,
    pub name_kana: Option<String>,
    pub other_names: Vec<String>,
    #[diesel(deserialize_as = DbText<LegalForm>)]
    pub legal_form: LegalForm,
    pub description: String,
    pub municipality_id: Uuid,
    pub serves_municipality_ids: Vec<Uuid>,
    pub topics: Vec<String>,
    pub forms: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub contact_person: Option<String>,
    pub opening_hours: Option<String>,
    pub target_ages: Option<String>,
    pub languages: Vec<String>,
    #[diesel(deserialize_as = DbText<ParticipationIntent>)]
    pub participation_intent: ParticipationIntent,
    pub partner_organization_id: Option<Uuid>,
    #[diesel(deserialize_as = DbText<EntryVisibility>)]
    pub visibility: EntryVisibility,
    #[diesel(deserialize_as = DbTextArray<HideableField>)]
    pub hidden_fields: Vec<HideableField>,
    pub last_verified_at: Option<DateTime<Utc>>,
    pub last_verified_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The content of an entry as written by a create or an import.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Serialize)]
#[diesel(table_name = resources, treat_none_as_null = true)]
pub struct ResourceContent {
    pub external_key: Option<String>,
    pub name: String,
    pub name_kana: Option<String>,
    pub other_names: Vec<String>,
    #[diesel(serialize_as = DbText<LegalForm>)]
    pub legal_form: LegalForm,
    pub description: String,
    pub municipality_id: Uuid,
    pub serves_municipality_ids: Vec<Uuid>,
    pub topics: Vec<String>,
    pub forms: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub contact_person: Option<String>,
    pub opening_hours: Option<String>,
    pub target_ages: Option<String>,
    pub languages: Vec<String>,
    #[diesel(serialize_as = DbText<ParticipationIntent>)]
    pub participation_intent: ParticipationIntent,
    pub partner_organization_id: Option<Uuid>,
    #[diesel(serialize_as = DbText<EntryVisibility>)]
    pub visibility: EntryVisibility,
    #[diesel(serialize_as = DbTextArray<HideableField>)]
    pub hidden_fields: Vec<HideableField>,
    pub last_verified_at: Option<DateTime<Utc>>,
    pub last_verified_by: Option<Uuid>,
}

impl ResourceContent {
    /// The content of a stored entry, to compare with what an import brings.
    pub fn of(r: &Resource) -> ResourceContent {
        ResourceContent {
            external_key: r.external_key.clone(),
            name: r.name.clone(),
            name_kana: r.name_kana.clone(),
            other_names: r.other_names.clone(),
            legal_form: r.legal_form,
            description: r.description.clone(),
            municipality_id: r.municipality_id,
            serves_municipality_ids: r.serves_municipality_ids.clone(),
            topics: r.topics.clone(),
            forms: r.forms.clone(),
            phone: r.phone.clone(),
            email: r.email.clone(),
            website: r.website.clone(),
            contact_person: r.contact_person.clone(),
            opening_hours: r.opening_hours.clone(),
            target_ages: r.target_ages.clone(),
            languages: r.languages.clone(),
            participation_intent: r.participation_intent,
            partner_organization_id: r.partner_organization_id,
            visibility: r.visibility,
            hidden_fields: r.hidden_fields.clone(),
            last_verified_at: r.last_verified_at,
            last_verified_by: r.last_verified_by,
        }
    }
}

/// A PATCH: `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = resources)]
pub struct ResourceChanges {
    pub name: Option<String>,
    pub name_kana: Option<Option<String>>,
    pub other_names: Option<Vec<String>>,
    #[diesel(serialize_as = DbText<LegalForm>)]
    pub legal_form: Option<LegalForm>,
    pub description: Option<String>,
    pub municipality_id: Option<Uuid>,
    pub serves_municipality_ids: Option<Vec<Uuid>>,
    pub topics: Option<Vec<String>>,
    pub forms: Option<Vec<String>>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub contact_person: Option<Option<String>>,
    pub opening_hours: Option<Option<String>>,
    pub target_ages: Option<Option<String>>,
    pub languages: Option<Vec<String>>,
    #[diesel(serialize_as = DbText<ParticipationIntent>)]
    pub participation_intent: Option<ParticipationIntent>,
    pub partner_organization_id: Option<Option<Uuid>>,
    #[diesel(serialize_as = DbText<EntryVisibility>)]
    pub visibility: Option<EntryVisibility>,
    #[diesel(serialize_as = DbTextArray<HideableField>)]
    pub hidden_fields: Option<Vec<HideableField>>,
    pub last_verified_at: Option<Option<DateTime<Utc>>>,
    pub last_verified_by: Option<Option<Uuid>>,
}

impl crate::Versioned for Resource {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = resource_locations, check_for_backend(diesel::pg::Pg))]
pub struct Location {
    pub id: Uuid,
    pub resource_id: Uuid,
    pub ordinal: i16,
    pub label: Option<String>,
    pub postal_code: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: DateTime<Utc>,
}

impl Location {
    /// Equal apart from the ids and the creation time.
    pub fn same_place(&self, other: &Location) -> bool {
        (
            &self.label,
            &self.postal_code,
            &self.prefecture,
            &self.city,
            &self.street,
            self.latitude,
            self.longitude,
        ) == (
            &other.label,
            &other.postal_code,
            &other.prefecture,
            &other.city,
            &other.street,
            other.latitude,
            other.longitude,
        )
    }
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    content: &ResourceContent,
) -> DbResult<Resource> {
    Ok(diesel::insert_into(resources::table)
        .values((resources::id.eq(id), content.clone()))
        .returning(Resource::as_returning())
        .get_result(conn)
        .await?)
}

/// Inserts many entries at once (an import), in chunks under PostgreSQL's bind limit.
pub async fn insert_many(
    conn: &mut AsyncPgConnection,
    rows: &[(Uuid, ResourceContent)],
) -> DbResult<()> {
    for chunk in rows.chunks(1000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, content)| (resources::id.eq(*id), content.clone()))
            .collect();
        diesel::insert_into(resources::table)
            .values(values)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Replaces the whole content of an entry and increments `version`.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    content: &ResourceContent,
) -> DbResult<Resource> {
    Ok(diesel::update(resources::table.find(id))
        .set((
            content.clone(),
            resources::version.eq(resources::version + 1),
        ))
        .returning(Resource::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &ResourceChanges,
) -> DbResult<Resource> {
    Ok(diesel::update(resources::table.find(id))
        .set((
            changes.clone(),
            resources::version.eq(resources::version + 1),
        ))
        .returning(Resource::as_returning())
        .get_result(conn)
        .await?)
}

/// Bumps `version` (a change of locations or referrals only).
pub async fn touch(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Resource> {
    Ok(diesel::update(resources::table.find(id))
        .set(resources::version.eq(resources::version + 1))
        .returning(Resource::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<Resource>> {
    Ok(resources::table
        .find(id)
        .select(Resource::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn find_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<Resource>> {
    Ok(resources::table
        .find(id)
        .select(Resource::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// The entry if this audience may see it: staff see all, the public only `public` ones.
pub async fn find_visible(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    staff: bool,
) -> DbResult<Option<Resource>> {
    Ok(find(conn, id)
        .await?
        .filter(|r| staff || r.visibility == EntryVisibility::Public))
}

/// Entries by their external keys, locked for an import.
pub async fn find_by_external_keys(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> DbResult<Vec<Resource>> {
    Ok(resources::table
        .filter(resources::external_key.eq_any(keys))
        .select(Resource::as_select())
        .for_update()
        .load(conn)
        .await?)
}

/// Entries by id, in any order.
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> DbResult<Vec<Resource>> {
    Ok(resources::table
        .filter(resources::id.eq_any(ids))
        .select(Resource::as_select())
        .load(conn)
        .await?)
}

/// Which of `ids` exist.
pub async fn existing(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> DbResult<Vec<Uuid>> {
    Ok(resources::table
        .filter(resources::id.eq_any(ids))
        .select(resources::id)
        .load(conn)
        .await?)
}

/// The locations of the given entries, by entry then ordinal.
pub async fn locations(
    conn: &mut AsyncPgConnection,
    resource_ids: &[Uuid],
) -> DbResult<Vec<Location>> {
    Ok(resource_locations::table
        .filter(resource_locations::resource_id.eq_any(resource_ids))
        .select(Location::as_select())
        .order((resource_locations::resource_id, resource_locations::ordinal))
        .load(conn)
        .await?)
}

/// Replaces the locations of the given entries by `locations`.
pub async fn replace_locations(
    conn: &mut AsyncPgConnection,
    resource_ids: &[Uuid],
    locations: &[Location],
) -> DbResult<()> {
    for chunk in resource_ids.chunks(10_000) {
        diesel::delete(
            resource_locations::table.filter(resource_locations::resource_id.eq_any(chunk)),
        )
        .execute(conn)
        .await?;
    }
    for chunk in locations.chunks(2000) {
        diesel::insert_into(resource_locations::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The entries `id` introduced (outgoing referrals).
pub async fn introduced(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Vec<Uuid>> {
    Ok(resource_referrals::table
        .filter(resource_referrals::from_resource_id.eq(id))
        .select(resource_referrals::to_resource_id)
        .order(resource_referrals::to_resource_id)
        .load(conn)
        .await?)
}

/// The entries that introduced `id` (incoming referrals).
pub async fn introduced_by(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Vec<Uuid>> {
    Ok(resource_referrals::table
        .filter(resource_referrals::to_resource_id.eq(id))
        .select(resource_referrals::from_resource_id)
        .order(resource_referrals::from_resource_id)
        .load(conn)
        .await?)
}

/// Every referral link among the given entries' outgoing ones.
pub async fn referrals_from(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> DbResult<Vec<(Uuid, Uuid)>> {
    Ok(resource_referrals::table
        .filter(resource_referrals::from_resource_id.eq_any(ids))
        .select((
            resource_referrals::from_resource_id,
            resource_referrals::to_resource_id,
        ))
        .order((
            resource_referrals::from_resource_id,
            resource_referrals::to_resource_id,
        ))
        .load(conn)
        .await?)
}

/// Sets the entries `id` introduced.
pub async fn set_introduced(conn: &mut AsyncPgConnection, id: Uuid, to: &[Uuid]) -> DbResult<()> {
    diesel::delete(resource_referrals::table.filter(resource_referrals::from_resource_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = to
        .iter()
        .map(|to| {
            (
                resource_referrals::from_resource_id.eq(id),
                resource_referrals::to_resource_id.eq(*to),
            )
        })
        .collect();
    diesel::insert_into(resource_referrals::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Which of the entries `ids` publish their hidden position coarsened.
pub async fn coarse_positions(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> DbResult<std::collections::HashSet<Uuid>> {
    use crate::schema::resource_coarse_positions as coarse;
    let mut found = std::collections::HashSet::new();
    for chunk in ids.chunks(10_000) {
        let rows: Vec<Uuid> = coarse::table
            .filter(coarse::resource_id.eq_any(chunk))
            .select(coarse::resource_id)
            .load(conn)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// Sets, for each of the entries `ids`, whether it publishes its hidden
/// position coarsened: exactly those in `coarse` do.
pub async fn set_coarse_positions(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    coarse_ids: &[Uuid],
) -> DbResult<()> {
    use crate::schema::resource_coarse_positions as coarse;
    for chunk in ids.chunks(10_000) {
        diesel::delete(
            coarse::table
                .filter(coarse::resource_id.eq_any(chunk))
                .filter(coarse::resource_id.ne_all(coarse_ids)),
        )
        .execute(conn)
        .await?;
    }
    for chunk in coarse_ids.chunks(10_000) {
        let values: Vec<_> = chunk.iter().map(|id| coarse::resource_id.eq(*id)).collect();
        diesel::insert_into(coarse::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}
