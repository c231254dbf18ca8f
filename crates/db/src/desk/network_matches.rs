//! Network matches (step 4 with the city's network): directory entries
//! proposed as partners of a case, their answers as the desk recorded them,
//! and what the suggestions of entries read.

use crate::codes::{DbNullableText, DbText};
use crate::schema::network_matches;
use crate::DbResult;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::coordination::MatchStatus;
use living_gate_domain::desk::network::{AgreementChannel, PastRole};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = network_matches, check_for_backend(diesel::pg::Pg))]
pub struct NetworkMatch {
    pub municipality_id: Uuid,
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub resource_id: Uuid,
    #[diesel(deserialize_as = DbText<MatchStatus>)]
    pub status: MatchStatus,
    pub note: String,
    pub proposed_by: Uuid,
    pub answered_on: Option<NaiveDate>,
    #[diesel(deserialize_as = DbNullableText<AgreementChannel>)]
    pub answered_via: Option<AgreementChannel>,
    pub answer_note: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A proposal of an entry; the city comes from the case.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = network_matches)]
pub struct NewNetworkMatch {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub resource_id: Uuid,
    pub note: String,
    pub proposed_by: Uuid,
}

/// The organization's answer, recorded by the desk.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = network_matches)]
pub struct NetworkAnswer {
    #[diesel(serialize_as = DbText<MatchStatus>)]
    pub status: MatchStatus,
    pub answered_on: NaiveDate,
    #[diesel(serialize_as = DbText<AgreementChannel>)]
    pub answered_via: AgreementChannel,
    pub answer_note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

crate::crud::versioned_crud!(
    network_matches,
    NetworkMatch,
    NewNetworkMatch,
    NetworkAnswer
);

/// The network matches of a case, oldest first.
pub async fn of_proposal(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
) -> DbResult<Vec<NetworkMatch>> {
    Ok(network_matches::table
        .filter(network_matches::proposal_id.eq(proposal_id))
        .select(NetworkMatch::as_select())
        .order(network_matches::id)
        .load(conn)
        .await?)
}

/// The entries that agreed to partner on a case (what adoption carries
/// into the TRIP).
pub async fn accepted_resources(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
) -> DbResult<Vec<Uuid>> {
    Ok(network_matches::table
        .filter(network_matches::proposal_id.eq(proposal_id))
        .filter(network_matches::status.eq(DbText(MatchStatus::Accepted)))
        .select(network_matches::resource_id)
        .order(network_matches::resource_id)
        .load(conn)
        .await?)
}

/// The entries with an open (proposed or accepted) match on a case.
pub async fn open_resources(
    conn: &mut AsyncPgConnection,
    proposal_id: Uuid,
) -> DbResult<Vec<Uuid>> {
    Ok(network_matches::table
        .filter(network_matches::proposal_id.eq(proposal_id))
        .filter(network_matches::status.ne(DbText(MatchStatus::Declined)))
        .select(network_matches::resource_id)
        .load(conn)
        .await?)
}

/// A directory entry the suggestions may name.
#[derive(Debug, Clone, QueryableByName)]
pub struct CandidateRow {
    #[diesel(sql_type = SqlUuid)]
    pub resource_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Array<Text>)]
    pub matched_topics: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub matched_forms: Vec<String>,
    #[diesel(sql_type = Bool)]
    pub serves_city: bool,
}

/// The entries of the earlier cases of `municipality_id` (other than
/// `proposal_id`): supported by their TRIPs, or agreed to partner on them.
const INVOLVED: &str = "
    SELECT s.resource_id, p.reference, 'trip' AS role FROM trip_supported_resources s
      JOIN trips t ON t.id = s.trip_id JOIN proposals p ON p.id = t.proposal_id
      WHERE t.municipality_id = $1 AND t.proposal_id <> $2
    UNION ALL
    SELECT n.resource_id, p.reference, 'agreed' FROM network_matches n
      JOIN proposals p ON p.id = n.proposal_id
      WHERE n.municipality_id = $1 AND n.proposal_id <> $2 AND n.status = 'accepted'";

/// Entries with an asked topic (or a descendant of one) or form, or a past
/// involvement with the city or a referral to or from such an entry; not
/// those already open on the case.
pub async fn candidates(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    proposal_id: Uuid,
    topics: &[String],
    forms: &[String],
) -> DbResult<Vec<CandidateRow>> {
    Ok(diesel::sql_query(format!(
        "WITH RECURSIVE asked AS (
           SELECT id, code FROM taxonomy_terms WHERE vocabulary = 'topic' AND code = ANY($3)
           UNION SELECT t.id, t.code FROM taxonomy_terms t JOIN asked a ON t.parent_id = a.id
         ),
         involved AS ({INVOLVED}),
         linked AS (
           SELECT r.from_resource_id AS resource_id FROM resource_referrals r
             WHERE r.to_resource_id IN (SELECT resource_id FROM involved)
           UNION SELECT r.to_resource_id FROM resource_referrals r
             WHERE r.from_resource_id IN (SELECT resource_id FROM involved)
         )
         SELECT e.id AS resource_id, e.name,
                ARRAY(SELECT t FROM unnest(e.topics) t WHERE t IN (SELECT code FROM asked) ORDER BY t) AS matched_topics,
                ARRAY(SELECT f FROM unnest(e.forms) f WHERE f = ANY($4) ORDER BY f) AS matched_forms,
                (e.municipality_id = $1 OR $1 = ANY(e.serves_municipality_ids)) AS serves_city
         FROM resources e
         WHERE (e.topics && ARRAY(SELECT code FROM asked) OR e.forms && $4
                OR e.id IN (SELECT resource_id FROM involved) OR e.id IN (SELECT resource_id FROM linked))
           AND e.id NOT IN (SELECT n.resource_id FROM network_matches n
                            WHERE n.proposal_id = $2 AND n.status <> 'declined')"
    ))
    .bind::<SqlUuid, _>(municipality_id)
    .bind::<SqlUuid, _>(proposal_id)
    .bind::<Array<Text>, _>(topics)
    .bind::<Array<Text>, _>(forms)
    .load(conn)
    .await?)
}

#[derive(Debug, Clone, QueryableByName)]
pub struct InvolvementRow {
    #[diesel(sql_type = SqlUuid)]
    pub resource_id: Uuid,
    #[diesel(sql_type = Text)]
    pub reference: String,
    #[diesel(sql_type = Text, deserialize_as = DbText<PastRole>)]
    pub role: PastRole,
}

/// Every entry's part in the earlier cases of the city.
pub async fn involvements(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    proposal_id: Uuid,
) -> DbResult<Vec<InvolvementRow>> {
    Ok(diesel::sql_query(INVOLVED)
        .bind::<SqlUuid, _>(municipality_id)
        .bind::<SqlUuid, _>(proposal_id)
        .load(conn)
        .await?)
}

#[derive(Debug, Clone, QueryableByName)]
pub struct ReferralRow {
    #[diesel(sql_type = SqlUuid)]
    pub resource_id: Uuid,
    #[diesel(sql_type = Text)]
    pub other_name: String,
    #[diesel(sql_type = Bool)]
    pub introduced: bool,
}

/// The referrals between `resource_ids` and the entries involved in the
/// earlier cases of the city.
pub async fn referrals(
    conn: &mut AsyncPgConnection,
    municipality_id: Uuid,
    proposal_id: Uuid,
    resource_ids: &[Uuid],
) -> DbResult<Vec<ReferralRow>> {
    Ok(diesel::sql_query(format!(
        "WITH involved AS ({INVOLVED})
         SELECT r.from_resource_id AS resource_id, o.name AS other_name, true AS introduced
           FROM resource_referrals r JOIN resources o ON o.id = r.to_resource_id
           WHERE r.from_resource_id = ANY($3) AND r.to_resource_id IN (SELECT resource_id FROM involved)
         UNION
         SELECT r.to_resource_id, o.name, false
           FROM resource_referrals r JOIN resources o ON o.id = r.from_resource_id
           WHERE r.to_resource_id = ANY($3) AND r.from_resource_id IN (SELECT resource_id FROM involved)
         ORDER BY 1, 2"
    ))
    .bind::<SqlUuid, _>(municipality_id)
    .bind::<SqlUuid, _>(proposal_id)
    .bind::<Array<SqlUuid>, _>(resource_ids)
    .load(conn)
    .await?)
}
