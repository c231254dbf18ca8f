//! An organization's whole history with a city, in time order: its cases
//! (received, closed), their hearings and department matches, the TRIPs it
//! takes part in, and its directory entries' involvement (listed, proposed
//! as network partners, supported by TRIPs).

use crate::codes::DbText;
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::network::HistoryKind;
use uuid::Uuid;

#[derive(Debug, Clone, QueryableByName)]
pub struct HistoryRow {
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Text, deserialize_as = DbText<HistoryKind>)]
    pub kind: HistoryKind,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub proposal_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub reference: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub trip_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub resource_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub detail: String,
}

/// The oldest `limit` entries of `organization_id`'s history with
/// `municipality_id` (the directory's entries are the four cities': listed
/// whatever the city).
pub async fn of_organization(
    conn: &mut AsyncPgConnection,
    organization_id: Uuid,
    municipality_id: Uuid,
    limit: i64,
) -> DbResult<Vec<HistoryRow>> {
    Ok(diesel::sql_query(
        "WITH cases AS (SELECT * FROM proposals WHERE organization_id = $1 AND municipality_id = $2),
              entries AS (SELECT id, name, created_at FROM resources WHERE partner_organization_id = $1)
         SELECT * FROM (
           SELECT p.received_at AS at, 'case_received' AS kind, p.id AS proposal_id, p.reference,
                  NULL::uuid AS trip_id, NULL::uuid AS resource_id, p.title AS detail FROM cases p
           UNION ALL
           SELECT p.closed_at, 'case_closed', p.id, p.reference, NULL, NULL, p.status FROM cases p
             WHERE p.closed_at IS NOT NULL
           UNION ALL
           SELECT h.created_at, 'hearing', p.id, p.reference, NULL, NULL,
                  d.name || ': ' || coalesce(h.interest, h.status)
             FROM hearings h JOIN cases p ON p.id = h.proposal_id JOIN departments d ON d.id = h.department_id
           UNION ALL
           SELECT m.created_at, 'department_match', p.id, p.reference, NULL, NULL,
                  d.name || ' (' || m.role || ', ' || m.status || ')'
             FROM matches m JOIN cases p ON p.id = m.proposal_id JOIN departments d ON d.id = m.department_id
           UNION ALL
           SELECT t.created_at, 'trip_created', t.proposal_id, p.reference, t.id, NULL, t.title
             FROM trips t JOIN trip_partners tp ON tp.trip_id = t.id AND tp.organization_id = $1
             JOIN proposals p ON p.id = t.proposal_id
             WHERE t.municipality_id = $2
           UNION ALL
           SELECT e.created_at, 'directory_entry', NULL, NULL, NULL, e.id, e.name FROM entries e
           UNION ALL
           SELECT n.created_at, 'network_match', p.id, p.reference, NULL, e.id, e.name || ': ' || n.status
             FROM network_matches n JOIN entries e ON e.id = n.resource_id JOIN proposals p ON p.id = n.proposal_id
             WHERE n.municipality_id = $2
           UNION ALL
           SELECT s.created_at, 'supported_by_trip', t.proposal_id, p.reference, t.id, e.id, e.name || ' ← ' || t.title
             FROM trip_supported_resources s JOIN entries e ON e.id = s.resource_id
             JOIN trips t ON t.id = s.trip_id JOIN proposals p ON p.id = t.proposal_id
             WHERE t.municipality_id = $2
         ) h ORDER BY at, kind, proposal_id, resource_id LIMIT $3",
    )
    .bind::<SqlUuid, _>(organization_id)
    .bind::<SqlUuid, _>(municipality_id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}
