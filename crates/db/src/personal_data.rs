//! One person's personal data (issue 21): every record that names them
//! (the disclosure export, 開示請求) and their anonymization.
//!
//! The export reads with the caller's row scope: a city's desk or admin
//! gets what that city holds (its cases, its audit entries), the platform
//! admin every city's. Secrets never leave: password and token hashes,
//! sealed seeds and secrets, the bodies of secret mails.

use crate::DbResult;
use diesel::sql_types::{Jsonb, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Jsonb)]
    row: Value,
}

/// The sections of an export: its name and the query of the person's rows,
/// `$1` the person's id, `$2` their e-mail address and `$3` the city whose
/// records are asked for (`NULL`: every city's). Tables under row-level
/// security are scoped by the connection; the others that belong to a city
/// (the audit log, the grants) by `$3`. Each row is the record's columns as
/// JSON, secrets removed.
const SECTIONS: &[(&str, &str)] = &[
    ("account", "SELECT to_jsonb(t) - 'password_hash' AS row FROM users t WHERE t.id = $1"),
    ("organization", "SELECT to_jsonb(o) AS row FROM organizations o JOIN users u ON u.organization_id = o.id WHERE u.id = $1"),
    ("department", "SELECT to_jsonb(d) AS row FROM departments d JOIN users u ON u.department_id = d.id WHERE u.id = $1"),
    ("sign_in_identities", "SELECT to_jsonb(t) AS row FROM identity_links t WHERE t.user_id = $1 ORDER BY t.id"),
    ("second_factor", "SELECT jsonb_build_object('user_id', t.user_id, 'confirmed_at', t.confirmed_at, 'created_at', t.created_at) AS row FROM totp_credentials t WHERE t.user_id = $1"),
    ("refresh_tokens", "SELECT to_jsonb(t) - 'token_hash' AS row FROM refresh_tokens t WHERE t.user_id = $1 ORDER BY t.id"),
    ("invitations", "SELECT to_jsonb(t) - 'token_hash' AS row FROM invitations t WHERE t.user_id = $1 ORDER BY t.id"),
    ("password_reset_tokens", "SELECT to_jsonb(t) - 'token_hash' AS row FROM password_reset_tokens t WHERE t.user_id = $1 ORDER BY t.id"),
    ("notification_preferences", "SELECT to_jsonb(t) AS row FROM notification_preferences t WHERE t.user_id = $1 ORDER BY t.kind"),
    ("proposals", "SELECT to_jsonb(t) AS row FROM proposals t WHERE t.created_by = $1 OR t.contact_user_id = $1 ORDER BY t.id"),
    ("intake_submissions", "SELECT to_jsonb(t) - 'token_hash' - 'code_hash' AS row FROM intake_submissions t WHERE t.contact_user_id = $1 OR t.email = $2 ORDER BY t.id"),
    ("messages", "SELECT to_jsonb(t) AS row FROM messages t WHERE t.author_id = $1 ORDER BY t.id"),
    ("hearings", "SELECT to_jsonb(t) AS row FROM hearings t WHERE t.requested_by = $1 OR t.answered_by = $1 ORDER BY t.id"),
    ("matches", "SELECT to_jsonb(t) AS row FROM matches t WHERE t.proposed_by = $1 OR t.decided_by = $1 ORDER BY t.id"),
    ("assessments", "SELECT to_jsonb(t) AS row FROM assessments t WHERE t.assessed_by = $1 ORDER BY t.proposal_id"),
    ("trip_measurements", "SELECT to_jsonb(t) AS row FROM trip_measurements t WHERE t.recorded_by = $1 ORDER BY t.id"),
    ("attachments", "SELECT to_jsonb(t) AS row FROM attachments t WHERE t.uploaded_by = $1 ORDER BY t.id"),
    ("network_matches", "SELECT to_jsonb(t) AS row FROM network_matches t WHERE t.proposed_by = $1 OR t.recorded_by = $1 ORDER BY t.id"),
    ("model_cases", "SELECT to_jsonb(t) AS row FROM trip_model_cases t WHERE t.marked_by = $1 ORDER BY t.trip_id"),
    ("follow_ons", "SELECT to_jsonb(t) AS row FROM trip_follow_ons t WHERE t.linked_by = $1 ORDER BY t.trip_id, t.proposal_id"),
    ("city_programmes", "SELECT to_jsonb(t) AS row FROM city_programmes t WHERE t.created_by = $1 ORDER BY t.id"),
    ("proposal_programmes", "SELECT to_jsonb(t) AS row FROM proposal_programmes t WHERE t.linked_by = $1 ORDER BY t.proposal_id"),
    ("referrals", "SELECT to_jsonb(t) AS row FROM referrals t WHERE t.recorded_by = $1 ORDER BY t.id"),
    ("outbox_messages", "SELECT jsonb_build_object('id', t.id, 'kind', t.kind, 'recipient_address', t.recipient_address, 'subject', t.subject, 'language', t.language, 'state', t.state, 'proposal_id', t.proposal_id, 'created_at', t.created_at, 'sent_at', t.sent_at) AS row FROM outbox_messages t WHERE t.recipient_user_id = $1 OR t.recipient_address = $2 ORDER BY t.id"),
    ("webhook_subscriptions", "SELECT to_jsonb(t) - 'secret_sealed' - 'previous_secret_sealed' AS row FROM webhook_subscriptions t WHERE t.owner_id = $1 ORDER BY t.id"),
    ("confidential_access_grants", "SELECT to_jsonb(t) AS row FROM confidential_access_grants t WHERE t.user_id = $1 AND ($3 IS NULL OR t.municipality_id = $3) ORDER BY t.id"),
    ("audit_entries_as_actor", "SELECT to_jsonb(t) AS row FROM audit_log t WHERE t.actor_id = $1 AND ($3 IS NULL OR t.municipality_id = $3) ORDER BY t.id"),
];

/// Every record that names the person, by section (in [`SECTIONS`]'
/// order; sections without rows included, empty), of `municipality` (`None`:
/// every city's).
pub async fn disclosure(
    conn: &mut AsyncPgConnection,
    person: Uuid,
    email: &str,
    municipality: Option<Uuid>,
) -> DbResult<Vec<(&'static str, Vec<Value>)>> {
    let mut out = Vec::with_capacity(SECTIONS.len());
    for (section, sql) in SECTIONS {
        let rows: Vec<Row> = diesel::sql_query(*sql)
            .bind::<SqlUuid, _>(person)
            .bind::<Text, _>(email)
            .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(municipality)
            .load(conn)
            .await?;
        out.push((*section, rows.into_iter().map(|r| r.row).collect()));
    }
    Ok(out)
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    named: bool,
}

/// Whether a case or intake the connection's scope sees, of `municipality_id`,
/// names the person (their creator, contact or submitter).
pub async fn named_in_city(
    conn: &mut AsyncPgConnection,
    person: Uuid,
    municipality_id: Uuid,
) -> DbResult<bool> {
    let row: Named = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM proposals WHERE municipality_id = $2 AND (created_by = $1 OR contact_user_id = $1))
             OR EXISTS (SELECT 1 FROM intake_submissions WHERE municipality_id = $2 AND contact_user_id = $1) AS named",
    )
    .bind::<SqlUuid, _>(person)
    .bind::<SqlUuid, _>(municipality_id)
    .get_result(conn)
    .await?;
    Ok(row.named)
}

#[derive(QueryableByName)]
struct Reference {
    #[diesel(sql_type = Text)]
    reference: String,
}

/// The references of the open cases (not at a final status) whose contact
/// the person is: while one is open, the person cannot be anonymized.
pub async fn open_cases_of_contact(
    conn: &mut AsyncPgConnection,
    person: Uuid,
) -> DbResult<Vec<String>> {
    let rows: Vec<Reference> = diesel::sql_query(
        "SELECT reference FROM proposals WHERE contact_user_id = $1
           AND status NOT IN ('adopted', 'not_adopted', 'open_procurement', 'declined', 'withdrawn') ORDER BY reference",
    )
    .bind::<SqlUuid, _>(person)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.reference).collect())
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = diesel::sql_types::Nullable<Jsonb>)]
    counts: Option<Value>,
}

/// Replaces the person's personal data (`living_gate_anonymize_person`,
/// migration 000025) in the caller's transaction; the counts of rows
/// changed per table. `None`: no such account.
pub async fn anonymize_person(
    conn: &mut AsyncPgConnection,
    person: Uuid,
) -> DbResult<Option<Value>> {
    let row: Counts = diesel::sql_query("SELECT living_gate_anonymize_person($1) AS counts")
        .bind::<SqlUuid, _>(person)
        .get_result(conn)
        .await?;
    Ok(row.counts)
}

#[derive(QueryableByName)]
struct AnonymizedAt {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    anonymized_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// When the person was anonymized (`None`: not, or no such account).
pub async fn anonymized_at(
    conn: &mut AsyncPgConnection,
    person: Uuid,
) -> DbResult<Option<chrono::DateTime<chrono::Utc>>> {
    let rows: Vec<AnonymizedAt> =
        diesel::sql_query("SELECT anonymized_at FROM users WHERE id = $1")
            .bind::<SqlUuid, _>(person)
            .load(conn)
            .await?;
    Ok(rows.into_iter().next().and_then(|r| r.anonymized_at))
}
