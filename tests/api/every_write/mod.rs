//! Every write records itself (`crates/api/src/record.rs`): each write
//! operation of the generated OpenAPI document is performed by a caller
//! allowed to, and must leave an audit row naming its action and target and
//! feed events of the expected kinds, each seen in `GET /v1/events` by
//! exactly its audience. Session operations (sign-in, refresh, logout, the
//! client-credentials grant) change no resource: an audit row and no event.
//!
//! [`WRITES`] is the one table. An operation of the document without a row
//! fails [`every_write_operation_has_a_row_and_every_row_an_operation`], so
//! a new endpoint must say what it records and who sees it; that test also
//! checks that every [`EventKind`] is expected of some row, and the room
//! tests check that each row's expected kinds really are appended.
//!
//! - here: the table, the coverage test, and one test per room;
//! - [`perform`]: how each operation is performed, setup included;
//! - [`checks`]: what it must have recorded (read from the database) and
//!   who sees it (read from each caller's feed).

mod checks;
mod perform;

use crate::harness::{openapi_document, Clamd, EventKind, TestApp, Who};
use checks::{check_audience, check_audit, check_kinds, feed_end, Marks};
use living_gate_api::startup::config::ClamdAddress;
use perform::prepare;
use serde_json::Value;
use std::collections::BTreeSet;
use EventKind as K;
use Room::{Admin, Auth, Desk, Directory, Intake, Kpis, Notify, Platform};

/// Who sees an event in the feed, among those who may read it (analysts,
/// municipal admins and the platform admin get 403 whatever the event: the
/// feed is case content; anonymous callers 401).
type Audience = &'static [Who];

/// Zama's records (written by Zama's desk or admin): its departments and
/// staff accounts, organizations, taxonomy, surveys, KPI targets.
const DESK: Audience = &[Who::Desk];
/// A record of the platform, of no city (municipalities, service accounts,
/// analyst and partner accounts): every city's desk.
const PLATFORM: Audience = &[Who::Desk, Who::AyaseDesk];
/// A directory entry: every member of staff of every city (the directory is
/// shared by the cities).
const STAFF: Audience = &[
    Who::Desk,
    Who::Department,
    Who::OtherDepartment,
    Who::AyaseDesk,
    Who::AyaseDepartment,
];
/// A new case of the partner nobody else is involved in yet.
const NEW_CASE: Audience = &[Who::Desk, Who::Partner];
/// A shared event of the partner's case in which the department is involved.
const CASE_SHARED: Audience = &[Who::Desk, Who::Department, Who::Partner];
/// An internal event of that case, or the department's own hearing or match.
const CASE_INTERNAL: Audience = &[Who::Desk, Who::Department];
/// The other department's hearing or match on that case: its business only.
const OTHER_DEPARTMENTS: Audience = &[Who::Desk, Who::OtherDepartment];

/// The callers whose feed answers 200.
const FEED_READERS: [Who; 7] = [
    Who::Desk,
    Who::Department,
    Who::OtherDepartment,
    Who::Partner,
    Who::OtherPartner,
    Who::AyaseDesk,
    Who::AyaseDepartment,
];

/// The OpenAPI tags' rooms, one test each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Room {
    Auth,
    Admin,
    Desk,
    Directory,
    Kpis,
    Notify,
    /// The four-city platform's own records (introductions).
    Platform,
    /// Needs a virus scanner (the form's files).
    Intake,
}

/// A write operation and what it must record.
struct Write {
    room: Room,
    /// `METHOD /path/{template}` as the document names it.
    op: &'static str,
    /// The audit row: its action and the type of its target.
    audit: (&'static str, &'static str),
    /// The feed events it appends and who sees each; none for a session
    /// operation (`record::audit_only`).
    events: &'static [(EventKind, Audience)],
}

const fn write(
    room: Room,
    op: &'static str,
    audit: (&'static str, &'static str),
    events: &'static [(EventKind, Audience)],
) -> Write {
    Write {
        room,
        op,
        audit,
        events,
    }
}

/// Every write operation; how each is performed is in [`prepare`].
#[rustfmt::skip]
const WRITES: &[Write] = &[
    // Sessions: audited, no feed event.
    write(Auth, "POST /v1/auth/login", ("auth.login", "user"), &[]),
    write(Auth, "POST /v1/auth/refresh", ("auth.refresh", "user"), &[]),
    write(Auth, "POST /v1/auth/logout", ("auth.logout", "user"), &[]),
    write(Auth, "POST /v1/auth/token", ("auth.client_credentials", "service_account"), &[]),
    write(Auth, "POST /v1/auth/password-reset", ("auth.password_reset_requested", "user"), &[]),
    write(Auth, "POST /v1/auth/password-reset/confirmation", ("auth.password_reset", "user"), &[]),
    // Second factors are credentials, like passwords: audited only.
    write(Auth, "POST /v1/auth/totp", ("auth.totp_enrolled", "user"), &[]),
    write(Auth, "POST /v1/auth/totp/confirmation", ("auth.totp_confirmed", "user"), &[]),
    // Signing in with an identity provider (a linked account: no account
    // is created, so no event; a provisioned one is in CONDITIONAL_KINDS).
    write(Auth, "POST /v1/auth/oidc/{provider}/authorizations", ("auth.oidc_started", "identity_provider"), &[]),
    write(Auth, "POST /v1/auth/oidc/{provider}/callback", ("auth.oidc_login", "user"), &[]),
    // Zama's IdP, by Zama's admin: Zama's desk sees it.
    write(Admin, "POST /v1/identity-providers", ("identity_provider.create", "identity_provider"), &[(K::IdentityProviderCreated, DESK)]),
    write(Admin, "PATCH /v1/identity-providers/{id}", ("identity_provider.update", "identity_provider"), &[(K::IdentityProviderUpdated, DESK)]),
    write(Admin, "POST /v1/users/{id}/identity-links", ("identity_link.create", "identity_link"), &[(K::IdentityLinked, DESK)]),
    // The public intake: a submission is audited only (nothing in any list
    // until confirmed); its confirmation registers the case, the pending
    // organization and the invited contact.
    write(Desk, "POST /v1/municipalities/{municipality}/intake-submissions", ("intake_submission.create", "intake_submission"), &[]),
    write(Desk, "POST /v1/proposals/{id}/intake-organization", ("organization.update", "organization"), &[(K::OrganizationUpdated, DESK), (K::UserInvited, DESK)]),
    // The form's files: on the new case, whose pending organization only the desk knows yet.
    write(Intake, "POST /v1/intake-submissions/{id}/attachments", ("attachment.create", "attachment"), &[(K::AttachmentAdded, DESK)]),
    write(Desk, "POST /v1/intake-submissions/{id}/confirmation", ("proposal.create", "proposal"), &[(K::Created, DESK), (K::OrganizationCreated, PLATFORM), (K::UserInvited, PLATFORM)]),
    // Reference data and accounts: the city's desk, or every desk for the platform's.
    write(Admin, "POST /v1/municipalities", ("municipality.create", "municipality"), &[(K::MunicipalityCreated, PLATFORM)]),
    write(Admin, "PATCH /v1/municipalities/{id}", ("municipality.update", "municipality"), &[(K::MunicipalityUpdated, PLATFORM)]),
    write(Admin, "POST /v1/departments", ("department.create", "department"), &[(K::DepartmentCreated, DESK)]),
    write(Admin, "PATCH /v1/departments/{id}", ("department.update", "department"), &[(K::DepartmentUpdated, DESK)]),
    write(Admin, "POST /v1/departments/{id}/invitations", ("user.invite", "user"), &[(K::UserInvited, DESK)]),
    write(Admin, "POST /v1/organizations", ("organization.create", "organization"), &[(K::OrganizationCreated, DESK)]),
    write(Admin, "PATCH /v1/organizations/{id}", ("organization.update", "organization"), &[(K::OrganizationUpdated, DESK)]),
    write(Admin, "POST /v1/organizations/{id}/invitations", ("user.invite", "user"), &[(K::UserInvited, DESK)]),
    write(Admin, "POST /v1/invitations/{token}/accept", ("user.accept_invitation", "user"), &[(K::InvitationAccepted, PLATFORM)]),
    write(Admin, "POST /v1/users", ("user.invite", "user"), &[(K::UserInvited, PLATFORM)]),
    write(Admin, "PATCH /v1/users/{id}", ("user.update", "user"), &[(K::UserUpdated, PLATFORM)]),
    write(Admin, "POST /v1/service-accounts", ("service_account.create", "service_account"), &[(K::ServiceAccountCreated, PLATFORM)]),
    write(Admin, "PATCH /v1/service-accounts/{id}", ("service_account.update", "service_account"), &[(K::ServiceAccountUpdated, PLATFORM)]),
    write(Admin, "POST /v1/retention-runs", ("retention_run.create", "retention_run"), &[(K::RetentionRun, PLATFORM)]),
    // The lifecycle (issue 21): Zama's own age of a rule, and one Zama person's export and anonymization, by Zama's staff.
    write(Admin, "PATCH /v1/retention-rules/{kind}", ("retention_rule.update", "retention_rule"), &[(K::RetentionRuleUpdated, DESK)]),
    write(Admin, "POST /v1/users/{id}/disclosures", ("user.disclose", "user"), &[(K::PersonalDataDisclosed, DESK)]),
    write(Admin, "POST /v1/users/{id}/anonymization", ("user.anonymize", "user"), &[(K::UserAnonymized, DESK)]),
    // Cases: those who may see the case; a department's hearing or match is its own.
    write(Desk, "POST /v1/proposals", ("proposal.create", "proposal"), &[(K::Created, NEW_CASE)]),
    write(Desk, "PATCH /v1/proposals/{id}", ("proposal.update", "proposal"), &[(K::ProposalUpdated, CASE_SHARED)]),
    write(Desk, "POST /v1/proposals/{id}/transitions", ("proposal.update", "proposal"), &[(K::StatusChanged, CASE_SHARED)]),
    write(Desk, "POST /v1/proposals/{id}/hearings", ("hearing.create", "hearing"), &[(K::HearingRequested, OTHER_DEPARTMENTS)]),
    write(Desk, "PATCH /v1/hearings/{id}", ("hearing.update", "hearing"), &[(K::HearingAnswered, CASE_INTERNAL)]),
    write(Desk, "PUT /v1/proposals/{id}/coordinator", ("proposal.update", "proposal"), &[(K::CoordinatorChanged, CASE_INTERNAL)]),
    write(Desk, "PUT /v1/proposals/{id}/decision-due-date", ("proposal.update", "proposal"), &[(K::DueDateChanged, CASE_INTERNAL)]),
    write(Desk, "PUT /v1/hearings/{id}/due-date", ("hearing.update", "hearing"), &[(K::DueDateChanged, CASE_INTERNAL)]),
    write(Desk, "POST /v1/proposals/{id}/messages", ("message.create", "message"), &[(K::MessagePosted, CASE_INTERNAL)]),
    write(Desk, "POST /v1/proposals/{id}/matches", ("match.create", "match"), &[(K::MatchProposed, OTHER_DEPARTMENTS)]),
    write(Desk, "POST /v1/matches/{id}/accept", ("match.update", "match"), &[(K::MatchAccepted, CASE_INTERNAL)]),
    write(Desk, "POST /v1/matches/{id}/decline", ("match.update", "match"), &[(K::MatchDeclined, CASE_INTERNAL)]),
    write(Desk, "PUT /v1/proposals/{id}/logic-model", ("logic_model.create", "proposal"), &[(K::LogicModelSaved, CASE_SHARED)]),
    write(Desk, "POST /v1/proposals/{id}/decision", ("proposal.update", "proposal"), &[(K::StatusChanged, CASE_SHARED), (K::TripCreated, CASE_SHARED)]),
    write(Desk, "PATCH /v1/trips/{id}", ("trip.update", "trip"), &[(K::TripUpdated, CASE_SHARED)]),
    write(Desk, "POST /v1/trips/{id}/measurements", ("trip.measurement", "trip"), &[(K::MeasurementRecorded, CASE_SHARED)]),
    write(Desk, "PUT /v1/trips/{id}/publication-consent", ("trip_publication.consent", "trip"), &[(K::TripPublicationConsentChanged, CASE_SHARED)]),
    write(Desk, "PUT /v1/trips/{id}/publication", ("trip_publication.publish", "trip"), &[(K::TripPublicationChanged, CASE_SHARED)]),
    write(Desk, "PUT /v1/trips/{id}/supported-resources", ("trip.supported_resources", "trip"), &[(K::TripSupportedResourcesReplaced, CASE_INTERNAL)]),
    // The directory: entries for all staff, the rest for the desk.
    write(Directory, "POST /v1/resources", ("resource.create", "resource"), &[(K::ResourceCreated, STAFF)]),
    write(Directory, "PATCH /v1/resources/{id}", ("resource.update", "resource"), &[(K::ResourceUpdated, STAFF)]),
    write(Directory, "POST /v1/resources/import", ("resource.import", "resource"), &[(K::ResourceImported, STAFF)]),
    // Verification (issue 19): a write of its own, apart from a change of content.
    write(Directory, "POST /v1/resources/{id}/verifications", ("resource.verify", "resource"), &[(K::ResourceVerified, STAFF)]),
    // Suggestions (issue 14): about the entry, so staff see them; accepting applies the change.
    write(Directory, "POST /v1/resources/{id}/suggestions", ("resource_suggestion.create", "resource_suggestion"), &[(K::ResourceSuggested, STAFF)]),
    write(Directory, "POST /v1/resources/{id}/suggestions/{suggestion_id}/accept", ("resource_suggestion.accept", "resource_suggestion"), &[(K::ResourceUpdated, STAFF), (K::ResourceSuggestionAccepted, STAFF)]),
    write(Directory, "POST /v1/resources/{id}/suggestions/{suggestion_id}/reject", ("resource_suggestion.reject", "resource_suggestion"), &[(K::ResourceSuggestionRejected, STAFF)]),
    // Confidential-access grants: the desk's.
    write(Directory, "POST /v1/confidential-access-grants", ("confidential_access_grant.create", "confidential_access_grant"), &[(K::ConfidentialAccessGranted, DESK)]),
    write(Directory, "DELETE /v1/confidential-access-grants/{id}", ("confidential_access_grant.revoke", "confidential_access_grant"), &[(K::ConfidentialAccessRevoked, DESK)]),
    write(Directory, "POST /v1/taxonomy-terms", ("taxonomy_term.create", "taxonomy_term"), &[(K::TaxonomyTermCreated, DESK)]),
    write(Directory, "POST /v1/surveys", ("survey.create", "survey"), &[(K::SurveyCreated, DESK)]),
    write(Directory, "POST /v1/surveys/{id}/recipients", ("survey_recipient.create", "survey_recipient"), &[(K::SurveyRecipientAdded, DESK)]),
    write(Directory, "POST /v1/surveys/{id}/recipients/{recipient_id}/entry", ("resource.create", "resource"), &[(K::ResourceCreated, STAFF), (K::SurveyRecipientEntered, DESK)]),
    write(Directory, "POST /v1/surveys/{id}/recipients/{recipient_id}/answer", ("survey_recipient.update", "survey_recipient"), &[(K::SurveyAnswered, STAFF), (K::SurveyRecipientAnswered, DESK)]),
    // Introductions (issue 19): a desk event of the worker's city.
    write(Platform, "POST /v1/referrals", ("referral.create", "referral"), &[(K::ReferralRecorded, DESK)]),
    write(Platform, "PATCH /v1/referrals/{id}", ("referral.update", "referral"), &[(K::ReferralUpdated, DESK)]),
    // Liaison meetings and events (issue 19): desk events of the writer's city.
    write(Platform, "POST /v1/liaison-meetings", ("liaison_meeting.create", "liaison_meeting"), &[(K::MeetingRecorded, DESK), (K::FollowUpAdded, DESK)]),
    write(Platform, "POST /v1/liaison-meetings/{id}/follow-ups", ("follow_up.create", "follow_up"), &[(K::FollowUpAdded, DESK)]),
    write(Platform, "POST /v1/follow-ups/{id}/done", ("follow_up.update", "follow_up"), &[(K::FollowUpDone, DESK)]),
    write(Platform, "POST /v1/platform-events", ("platform_event.create", "platform_event"), &[(K::PlatformEventRecorded, DESK)]),
    write(Platform, "PATCH /v1/platform-events/{id}", ("platform_event.update", "platform_event"), &[(K::PlatformEventUpdated, DESK)]),
    // KPI targets: the desk's.
    write(Kpis, "PUT /v1/kpis/targets/{fiscal_year}", ("kpi_target.update", "kpi_target"), &[(K::KpiTargetsSet, DESK)]),
    write(Kpis, "PUT /v1/kpis/programme-logic-model/{fiscal_year}", ("programme_logic_model.create", "programme_logic_model"), &[(K::ProgrammeLogicModelSaved, DESK)]),
    // Notifications: an account's own settings, the desk's retry.
    write(Notify, "PUT /v1/me/notification-preferences", ("notification_preferences.update", "notification_preferences"), &[(K::UserUpdated, DESK)]),
    write(Notify, "POST /v1/outbox-messages/{id}/retry", ("outbox_message.retry", "outbox_message"), &[(K::OutboxMessageRetried, DESK)]),
    // Webhooks (issue 16): a subscription of Zama's desk is its city's desk's record.
    write(Notify, "POST /v1/webhook-subscriptions", ("webhook_subscription.create", "webhook_subscription"), &[(K::WebhookSubscriptionCreated, DESK)]),
    write(Notify, "PATCH /v1/webhook-subscriptions/{id}", ("webhook_subscription.update", "webhook_subscription"), &[(K::WebhookSubscriptionUpdated, DESK)]),
    write(Notify, "DELETE /v1/webhook-subscriptions/{id}", ("webhook_subscription.delete", "webhook_subscription"), &[(K::WebhookSubscriptionDeleted, DESK)]),
    write(Notify, "POST /v1/webhook-subscriptions/{id}/secret-rotations", ("webhook_subscription.rotate_secret", "webhook_subscription"), &[(K::WebhookSecretRotated, DESK)]),
    write(Notify, "POST /v1/webhook-subscriptions/{id}/pings", ("webhook_subscription.ping", "webhook_subscription"), &[(K::WebhookPinged, DESK)]),
    write(Notify, "POST /v1/webhook-subscriptions/{id}/replays", ("webhook_subscription.replay", "webhook_subscription"), &[(K::WebhookReplayRequested, DESK)]),
    // Attachments (issue 15): as what they hang off; an internal file on the case, the department's hearing's minutes, a shared model's file.
    write(Desk, "POST /v1/proposals/{id}/attachments", ("attachment.create", "attachment"), &[(K::AttachmentAdded, CASE_INTERNAL)]),
    write(Desk, "POST /v1/hearings/{id}/attachments", ("attachment.create", "attachment"), &[(K::AttachmentAdded, CASE_INTERNAL)]),
    write(Desk, "POST /v1/proposals/{id}/logic-model/versions/{version}/attachments", ("attachment.create", "attachment"), &[(K::AttachmentAdded, CASE_SHARED)]),
    // The step-2 assessment (issue 15): internal to the case; a revision under If-Match.
    write(Desk, "PUT /v1/proposals/{id}/assessment", ("assessment.update", "assessment"), &[(K::AssessmentRecorded, CASE_INTERNAL)]),
    // The city's network and the model case (issue 18): internal to the case.
    write(Desk, "POST /v1/proposals/{id}/network-matches", ("network_match.create", "network_match"), &[(K::NetworkMatchProposed, CASE_INTERNAL)]),
    write(Desk, "POST /v1/network-matches/{id}/accept", ("network_match.update", "network_match"), &[(K::NetworkMatchAccepted, CASE_INTERNAL)]),
    write(Desk, "POST /v1/network-matches/{id}/decline", ("network_match.update", "network_match"), &[(K::NetworkMatchDeclined, CASE_INTERNAL)]),
    write(Desk, "PUT /v1/trips/{id}/model-case", ("model_case.create", "model_case"), &[(K::ModelCaseRecorded, CASE_INTERNAL)]),
    write(Desk, "POST /v1/proposals/{id}/logic-model/prefill", ("logic_model.create", "proposal"), &[(K::LogicModelSaved, CASE_INTERNAL)]),
    write(Desk, "POST /v1/trips/{id}/follow-ons", ("follow_on.create", "trip"), &[(K::FollowOnLinked, CASE_INTERNAL)]),
    write(Desk, "POST /v1/programmes", ("programme.create", "programme"), &[(K::CityProgrammeCreated, DESK)]),
    write(Desk, "PUT /v1/proposals/{id}/programmes", ("proposal.programmes", "proposal"), &[(K::ProposalProgrammesReplaced, CASE_INTERNAL)]),
];

/// Kinds a write appends instead of its usual one only in a situation the
/// walk does not set up, each with the test that checks it.
const CONDITIONAL_KINDS: &[(EventKind, &str)] = &[
    // A first sign-in through a city's IdP whose group maps to a role.
    (
        K::UserProvisioned,
        "sign_in::staff::a_subject_not_linked_is_refused_and_a_mapped_group_creates_the_account",
    ),
    // An upload the virus scanner finds infected (tests/api/attachments/scanning.rs).
    (
        K::AttachmentQuarantined,
        "attachments::scanning::eicar_is_quarantined_and_never_handed_out",
    ),
    // The webhook worker, when a receiver failed for too long (tests/api/webhooks/).
    (
        K::WebhookSubscriptionFailing,
        "webhooks::delivery::a_receiver_down_too_long_turns_failing_and_the_desk_is_told",
    ),
];

/// The operations `record::audit_only` is for.
const SESSION_OPERATIONS: [&str; 11] = [
    "POST /v1/auth/totp",
    "POST /v1/auth/totp/confirmation",
    "POST /v1/auth/oidc/{provider}/authorizations",
    "POST /v1/auth/oidc/{provider}/callback",
    "POST /v1/auth/login",
    "POST /v1/auth/refresh",
    "POST /v1/auth/logout",
    "POST /v1/auth/token",
    "POST /v1/auth/password-reset",
    "POST /v1/auth/password-reset/confirmation",
    "POST /v1/municipalities/{municipality}/intake-submissions",
];

fn documented_writes() -> BTreeSet<String> {
    let doc: Value =
        serde_json::from_str(&openapi_document().to_json().expect("json")).expect("json");
    let mut writes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["post", "put", "patch", "delete"].contains(&method.as_str()) {
                writes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    writes
}

#[test]
fn every_write_operation_has_a_row_and_every_row_an_operation() {
    let documented = documented_writes();
    let table: BTreeSet<String> = WRITES.iter().map(|w| w.op.to_owned()).collect();
    assert_eq!(table.len(), WRITES.len(), "an operation with two rows");
    let missing: Vec<&String> = documented.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "write operations with no row in WRITES (say what they record and who sees it): {missing:?}"
    );
    let stale: Vec<&String> = table.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "rows of WRITES for operations the document lacks: {stale:?}"
    );

    let expected: BTreeSet<&str> = WRITES
        .iter()
        .flat_map(|w| w.events.iter().map(|(kind, _)| kind.as_str()))
        .chain(CONDITIONAL_KINDS.iter().map(|(kind, _)| kind.as_str()))
        .collect();
    let unexpected: Vec<&str> = EventKind::ALL
        .iter()
        .map(|k| k.as_str())
        .filter(|k| !expected.contains(k))
        .collect();
    assert!(
        unexpected.is_empty(),
        "event kinds no write is expected to append: {unexpected:?}"
    );

    for write in WRITES {
        let session = SESSION_OPERATIONS.contains(&write.op);
        assert_eq!(
            write.events.is_empty(),
            session,
            "{}: only session operations append no feed event",
            write.op
        );
        for (kind, audience) in write.events {
            assert!(
                audience.iter().all(|who| FEED_READERS.contains(who)),
                "{} {kind:?}: an audience names only callers who may read the feed",
                write.op
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_are_audited_and_append_no_event() {
    walk(Auth).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_writes_record_themselves() {
    walk(Admin).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn desk_writes_record_themselves() {
    walk(Desk).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn directory_writes_record_themselves() {
    walk(Directory).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn platform_writes_record_themselves() {
    walk(Platform).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kpi_writes_record_themselves() {
    walk(Kpis).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn notification_writes_record_themselves() {
    walk(Notify).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn intake_uploads_record_themselves() {
    let clamd = Clamd::start().await;
    let app = TestApp::builder()
        .configure(|c| c.attachments.clamd = Some(ClamdAddress::Unix(clamd.socket.clone())))
        .spawn()
        .await;
    walk_on(&app, Intake).await;
}

/// Performs every write of `room` on one app and checks what it recorded;
/// fails with every problem found, each naming its operation.
async fn walk(room: Room) {
    walk_on(&TestApp::spawn().await, room).await;
}

async fn walk_on(app: &TestApp, room: Room) {
    let mut problems = Vec::new();
    for write in WRITES.iter().filter(|w| w.room == room) {
        problems.extend(perform_and_check(app, write).await);
    }
    assert!(
        problems.is_empty(),
        "writes that do not record themselves as expected:\n{}",
        problems.join("\n")
    );
}

async fn perform_and_check(app: &TestApp, write: &Write) -> Vec<String> {
    let op = write.op;
    let call = prepare(app, op).await;
    let cursor = feed_end(app).await;
    let before = Marks::take(app).await;
    let (status, body) = call.send(app, op).await;
    if status != call.status {
        return vec![format!(
            "{op}: expected {}, got {status}: {body}",
            call.status
        )];
    }
    let audit = before.audit_since(app).await;
    let events = before.events_since(app).await;
    let mut problems = check_audit(write, &call.target, &body, &audit, &events);
    problems.extend(check_kinds(write, &events));
    problems.extend(check_audience(app, write, &cursor, &events).await);
    problems
}
