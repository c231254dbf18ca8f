//! The authorization matrix: for every operation of the generated OpenAPI
//! document and every kind of caller, the status it must get. An operation
//! without a row fails the test, so no endpoint ships unreviewed.

use crate::harness::mail::{
    confirmed_submission, intake_case, intake_form, intake_submission, reset_token_for,
};
use crate::harness::{json, openapi_document, TestApp, Who, PASSWORD};
use living_gate_domain::desk::workflow::Status;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// Expected statuses in the order of [`Who::ALL`]: anonymous, desk,
/// department, other department, partner, other partner, analyst, admin (of
/// Zama), Ayase's desk, Ayase's department, platform admin. Every target
/// is Zama's: Ayase's desk and department must get 404 from every case
/// endpoint, and no 2xx answer to them may mention a Zama case (checked
/// below). A new kind of caller is a new [`Who`] and one more column.
type Row = (&'static str, [u16; Who::ALL.len()]);
type Expect = [u16; Who::ALL.len()];

const ALL_200: Expect = [200; Who::ALL.len()];
const SIGNED_IN_200: Expect = [401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200];
const ADMINS_200: Expect = [401, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200];
const ADMINS_201: Expect = [401, 403, 403, 403, 403, 403, 403, 201, 403, 403, 201];
const PLATFORM_ONLY_200: Expect = [401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200];
const PLATFORM_ONLY_201: Expect = [401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201];
const KPI_READERS_200: Expect = [401, 200, 403, 403, 403, 403, 200, 200, 200, 403, 200];
const STAFF_200: Expect = [401, 200, 200, 200, 403, 403, 403, 403, 200, 200, 403];
const DESK_ONLY_200: Expect = [401, 200, 403, 403, 403, 403, 403, 403, 200, 403, 403];
const DESK_ONLY_201: Expect = [401, 201, 403, 403, 403, 403, 403, 403, 201, 403, 403];
/// A Zama directory entry: only the owning city's desk (not Ayase's).
/// A subscription of Zama's desk: its owner and Zama's admin.
const WEBHOOK_MANAGERS_200: Expect = [401, 200, 404, 404, 404, 404, 403, 200, 404, 404, 403];
const OWNING_DESK_200: Expect = [401, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403];

const MATRIX: &[Row] = &[
    ("GET /healthz", ALL_200),
    ("GET /readyz", ALL_200),
    ("GET /.well-known/jwks.json", ALL_200),
    ("POST /v1/auth/login", ALL_200),
    ("POST /v1/auth/refresh", ALL_200),
    (
        "POST /v1/auth/logout",
        [401, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204],
    ),
    ("POST /v1/auth/token", ALL_200),
    ("POST /v1/auth/password-reset", [202; Who::ALL.len()]),
    (
        "POST /v1/auth/password-reset/confirmation",
        [204; Who::ALL.len()],
    ),
    // Sign-in with an identity provider: public. No provider is registered
    // under the path's literal `{provider}`: 404 for everyone, never a 401
    // or 403 (tests/api/sign_in runs the flow against a real provider).
    ("GET /v1/auth/oidc/providers", ALL_200),
    (
        "POST /v1/auth/oidc/{provider}/authorizations",
        [404; Who::ALL.len()],
    ),
    (
        "POST /v1/auth/oidc/{provider}/callback",
        [404; Who::ALL.len()],
    ),
    // Every person with a password enrols; anonymous callers must name the
    // account (none here: 401). The confirmation's code is wrong: 422.
    (
        "POST /v1/auth/totp",
        [401, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201],
    ),
    (
        "POST /v1/auth/totp/confirmation",
        [401, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422],
    ),
    // Zama's IdP: Zama's admin and the platform admin.
    ("GET /v1/identity-providers", ADMINS_200),
    ("POST /v1/identity-providers", ADMINS_201),
    ("PATCH /v1/identity-providers/{id}", ADMINS_200),
    ("POST /v1/users/{id}/identity-links", ADMINS_201),
    ("GET /v1/intake/terms", ALL_200),
    (
        "POST /v1/municipalities/{municipality}/intake-submissions",
        [202; Who::ALL.len()],
    ),
    (
        "POST /v1/intake-submissions/{id}/confirmation",
        [201; Who::ALL.len()],
    ),
    // The submission's token decides, not the bearer; without a scanner
    // (this app has none) the form's files are refused for everybody.
    (
        "POST /v1/intake-submissions/{id}/attachments",
        [409; Who::ALL.len()],
    ),
    // The desk's, on an intake case of its own city.
    (
        "GET /v1/proposals/{id}/intake-organization",
        [401, 200, 403, 403, 403, 403, 403, 403, 404, 403, 403],
    ),
    (
        "POST /v1/proposals/{id}/intake-organization",
        [401, 200, 403, 403, 403, 403, 403, 403, 404, 403, 403],
    ),
    ("GET /v1/me", SIGNED_IN_200),
    ("GET /v1/municipalities", SIGNED_IN_200),
    ("POST /v1/municipalities", PLATFORM_ONLY_201),
    ("GET /v1/municipalities/{id}", SIGNED_IN_200),
    ("PATCH /v1/municipalities/{id}", PLATFORM_ONLY_200),
    ("GET /v1/departments", SIGNED_IN_200),
    ("POST /v1/departments", ADMINS_201),
    ("GET /v1/departments/{id}", SIGNED_IN_200),
    ("PATCH /v1/departments/{id}", ADMINS_200),
    ("POST /v1/departments/{id}/invitations", ADMINS_201),
    // The partner's own organization is the target; analysts see aggregates only.
    (
        "GET /v1/organizations",
        [401, 200, 200, 200, 200, 200, 403, 200, 200, 200, 200],
    ),
    (
        "POST /v1/organizations",
        [401, 201, 403, 403, 403, 403, 403, 201, 201, 403, 201],
    ),
    (
        "GET /v1/organizations/{id}",
        [401, 200, 200, 200, 200, 404, 403, 200, 200, 200, 200],
    ),
    (
        "PATCH /v1/organizations/{id}",
        [401, 200, 403, 403, 403, 404, 403, 200, 200, 403, 200],
    ),
    (
        "POST /v1/organizations/{id}/invitations",
        [401, 201, 403, 403, 403, 404, 403, 201, 201, 403, 201],
    ),
    ("POST /v1/invitations/{token}/accept", ALL_200),
    ("GET /v1/users", ADMINS_200),
    ("POST /v1/users", ADMINS_201),
    ("GET /v1/users/{id}", ADMINS_200),
    ("PATCH /v1/users/{id}", ADMINS_200),
    ("GET /v1/service-accounts", PLATFORM_ONLY_200),
    ("POST /v1/service-accounts", PLATFORM_ONLY_201),
    ("PATCH /v1/service-accounts/{id}", PLATFORM_ONLY_200),
    // The rules: the platform admin edits the defaults, Zama's admin Zama's own ages.
    ("GET /v1/retention-rules", ADMINS_200),
    ("GET /v1/retention-rules/{kind}", ADMINS_200),
    ("PATCH /v1/retention-rules/{kind}", ADMINS_200),
    // One person's records (a fresh Zama account each time): the export for
    // Zama's desk and admin and the platform admin (Ayase's desk must not
    // know the person), the anonymization for the admins.
    (
        "POST /v1/users/{id}/disclosures",
        [401, 200, 403, 403, 403, 403, 403, 200, 404, 403, 200],
    ),
    ("POST /v1/users/{id}/anonymization", ADMINS_200),
    ("GET /v1/backups", PLATFORM_ONLY_200),
    ("GET /v1/retention-runs", PLATFORM_ONLY_200),
    ("POST /v1/retention-runs", PLATFORM_ONLY_201),
    // Webhooks: whoever reads a feed subscribes for itself; the target is a
    // subscription of Zama's desk, which its owner and Zama's admin manage
    // and nobody else may know of.
    (
        "POST /v1/webhook-subscriptions",
        [401, 201, 201, 201, 201, 201, 403, 403, 201, 201, 403],
    ),
    (
        "GET /v1/webhook-subscriptions",
        [401, 200, 200, 200, 200, 200, 403, 200, 200, 200, 403],
    ),
    ("GET /v1/webhook-subscriptions/{id}", WEBHOOK_MANAGERS_200),
    ("PATCH /v1/webhook-subscriptions/{id}", WEBHOOK_MANAGERS_200),
    (
        "DELETE /v1/webhook-subscriptions/{id}",
        [401, 204, 404, 404, 404, 404, 403, 204, 404, 404, 403],
    ),
    (
        "POST /v1/webhook-subscriptions/{id}/secret-rotations",
        WEBHOOK_MANAGERS_200,
    ),
    (
        "POST /v1/webhook-subscriptions/{id}/pings",
        WEBHOOK_MANAGERS_200,
    ),
    (
        "POST /v1/webhook-subscriptions/{id}/replays",
        WEBHOOK_MANAGERS_200,
    ),
    (
        "GET /v1/webhook-subscriptions/{id}/deliveries",
        WEBHOOK_MANAGERS_200,
    ),
    ("GET /v1/webhook-source-addresses", ALL_200),
    // The desk and admins read their own city's entries, the platform admin all.
    (
        "GET /v1/audit",
        [401, 200, 403, 403, 403, 403, 403, 200, 200, 403, 200],
    ),
    // Cases: the target belongs to the partner's organization and has a
    // hearing with the department; the other department and the other
    // partner must not learn it exists; admins and analysts get no content.
    (
        "GET /v1/proposals",
        [401, 200, 200, 200, 200, 200, 403, 403, 200, 200, 403],
    ),
    (
        "POST /v1/proposals",
        [401, 201, 403, 403, 201, 201, 403, 403, 201, 403, 403],
    ),
    (
        "GET /v1/proposals/{id}",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "PATCH /v1/proposals/{id}",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // received → organizing: the desk's move; others who see the case get 409 with their allowed moves.
    (
        "POST /v1/proposals/{id}/transitions",
        [401, 200, 409, 404, 409, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/events",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "POST /v1/proposals/{id}/hearings",
        [401, 201, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/hearings",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/hearings/{id}",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "PATCH /v1/hearings/{id}",
        [401, 403, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // Case management (issue 18): the desk's, under the case's or the
    // hearing's If-Match; those who see the case but may not get 403.
    (
        "PUT /v1/proposals/{id}/coordinator",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "PUT /v1/proposals/{id}/decision-due-date",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "PUT /v1/hearings/{id}/due-date",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // The target is 地域福祉課 (the other department): its own users and
    // its city's desk; another department of the city 403, another city 404.
    (
        "GET /v1/departments/{id}/hearings.ics",
        [401, 200, 403, 200, 403, 403, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/messages",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "POST /v1/proposals/{id}/messages",
        [401, 201, 201, 404, 201, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/events",
        [401, 200, 200, 200, 200, 200, 403, 403, 200, 200, 403],
    ),
    (
        "POST /v1/proposals/{id}/matches",
        [401, 201, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/matches",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // A fresh match of the department each time.
    (
        "POST /v1/matches/{id}/accept",
        [401, 403, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "POST /v1/matches/{id}/decline",
        [401, 403, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "PUT /v1/proposals/{id}/logic-model",
        [401, 201, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // The target case has a shared logic model.
    (
        "GET /v1/proposals/{id}/logic-model",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/logic-model/versions",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/logic-model/versions/{version}",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/logic-model/diff",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/match-suggestions",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // A fresh case awaiting the decision of the department (its lead) each time.
    (
        "POST /v1/proposals/{id}/decision",
        [401, 409, 200, 404, 409, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/trips",
        [401, 200, 200, 200, 200, 200, 403, 403, 200, 200, 403],
    ),
    // The TRIP is led by the department, with the partner's organization.
    (
        "GET /v1/trips/{id}",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    // Showing the results (issue 18): the partner consents on its TRIP, the
    // desk publishes (a fresh consented TRIP each call); the public lists
    // are anonymous.
    (
        "GET /v1/trips/{id}/publication",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "PUT /v1/trips/{id}/publication-consent",
        [401, 403, 403, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "PUT /v1/trips/{id}/publication",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    ("GET /v1/public/trips", ALL_200),
    ("GET /v1/public/kpis", ALL_200),
    (
        "PATCH /v1/trips/{id}",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "POST /v1/trips/{id}/measurements",
        [401, 201, 201, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/trips/{id}/measurements",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    // KPIs: aggregates for the desk, admins and BI (analysts); targets are
    // set by the desk and admins.
    ("GET /v1/kpis", KPI_READERS_200),
    ("GET /v1/kpis/timeseries", KPI_READERS_200),
    ("GET /v1/kpis/targets", KPI_READERS_200),
    (
        "PUT /v1/kpis/targets/{fiscal_year}",
        [401, 201, 403, 403, 403, 403, 403, 201, 201, 403, 403],
    ),
    // The desk's own logic model: a city's; callers who see several cities
    // name one (422 without).
    (
        "GET /v1/kpis/programme-logic-model",
        [401, 200, 403, 403, 403, 403, 422, 200, 200, 403, 422],
    ),
    (
        "PUT /v1/kpis/programme-logic-model/{fiscal_year}",
        [401, 201, 403, 403, 403, 403, 403, 201, 201, 403, 403],
    ),
    (
        "PUT /v1/trips/{id}/supported-resources",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // The directory: everybody reads (the public view without a token), the desk writes.
    ("GET /v1/taxonomy-terms", ALL_200),
    ("POST /v1/taxonomy-terms", DESK_ONLY_201),
    ("GET /v1/resources", ALL_200),
    // The entry is Zama's: only Zama's desk creates, changes and imports it.
    (
        "POST /v1/resources",
        [401, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    ),
    ("GET /v1/resources/{id}", ALL_200),
    ("PATCH /v1/resources/{id}", OWNING_DESK_200),
    ("GET /v1/resources/map", ALL_200),
    ("GET /v1/resources/stats", ALL_200),
    ("GET /v1/resources/export", ALL_200),
    // Ayase's desk importing Zama's rows: each row `not_owner`.
    (
        "POST /v1/resources/import",
        [401, 200, 403, 403, 403, 403, 403, 403, 422, 403, 403],
    ),
    ("GET /v1/resources/{id}/referrals", ALL_200),
    // Issue 19: each desk lists its own city's entries due for
    // re-verification; only the owning desk records a verification; the
    // open data of a city is for everybody.
    ("GET /v1/resources/due-for-verification", DESK_ONLY_200),
    ("POST /v1/resources/{id}/verifications", OWNING_DESK_200),
    (
        "GET /v1/open-data/{municipality_code}/resources.csv",
        ALL_200,
    ),
    // Need-to-know (issue 14): the entry is Zama's, the desk Zama's; any
    // staff member suggests, the owning desk decides.
    (
        "POST /v1/resources/{id}/suggestions",
        [401, 201, 201, 201, 403, 403, 403, 403, 201, 201, 403],
    ),
    ("GET /v1/resources/{id}/suggestions", OWNING_DESK_200),
    (
        "POST /v1/resources/{id}/suggestions/{suggestion_id}/accept",
        OWNING_DESK_200,
    ),
    (
        "POST /v1/resources/{id}/suggestions/{suggestion_id}/reject",
        OWNING_DESK_200,
    ),
    // Zama's grants: its desk or its admin decide who needs to know (Ayase's
    // desk lists its own city's, none); the platform admin does not.
    (
        "GET /v1/confidential-access-grants",
        [401, 200, 403, 403, 403, 403, 403, 200, 200, 403, 403],
    ),
    (
        "POST /v1/confidential-access-grants",
        [401, 201, 403, 403, 403, 403, 403, 201, 403, 403, 403],
    ),
    (
        "DELETE /v1/confidential-access-grants/{id}",
        [401, 204, 403, 403, 403, 403, 403, 204, 403, 403, 403],
    ),
    // Surveys: the desk runs them, departments read them.
    ("POST /v1/surveys", DESK_ONLY_201),
    ("GET /v1/surveys", STAFF_200),
    ("GET /v1/surveys/{id}", STAFF_200),
    ("POST /v1/surveys/{id}/recipients", DESK_ONLY_201),
    // The desk of the organization's city only (Ayase's desk: 403).
    (
        "POST /v1/surveys/{id}/recipients/{recipient_id}/entry",
        [401, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    ),
    ("GET /v1/surveys/{id}/recipients", STAFF_200),
    (
        "POST /v1/surveys/{id}/recipients/{recipient_id}/answer",
        DESK_ONLY_200,
    ),
    // Introductions (issue 19): any city's desk and departments record
    // them; a Zama desk's introduction to a Zama entry is Zama's (Ayase's
    // staff get 404), corrected by Zama's desk only; figures like KPIs.
    (
        "POST /v1/referrals",
        [401, 201, 201, 201, 403, 403, 403, 403, 201, 201, 403],
    ),
    (
        "GET /v1/referrals",
        [401, 200, 200, 200, 403, 403, 403, 403, 200, 200, 200],
    ),
    (
        "GET /v1/referrals/{id}",
        [401, 200, 200, 200, 403, 403, 403, 403, 404, 404, 200],
    ),
    (
        "PATCH /v1/referrals/{id}",
        [401, 200, 403, 403, 403, 403, 403, 403, 404, 404, 403],
    ),
    ("GET /v1/referral-figures", KPI_READERS_200),
    // Liaison meetings (issue 19): a meeting of Zama alone is Zama's (Ayase's
    // staff get 404); its desk or the platform admin records it and adds
    // follow-ups; the owner (Zama's 市民協働課), Zama's desk or the platform
    // admin marks one done.
    (
        "POST /v1/liaison-meetings",
        [401, 201, 403, 403, 403, 403, 403, 403, 403, 403, 201],
    ),
    (
        "GET /v1/liaison-meetings",
        [401, 200, 200, 200, 403, 403, 403, 403, 200, 200, 200],
    ),
    (
        "GET /v1/liaison-meetings/{id}",
        [401, 200, 200, 200, 403, 403, 403, 403, 404, 404, 200],
    ),
    (
        "POST /v1/liaison-meetings/{id}/follow-ups",
        [401, 201, 403, 403, 403, 403, 403, 403, 404, 404, 201],
    ),
    (
        "GET /v1/follow-ups",
        [401, 200, 200, 200, 403, 403, 403, 403, 200, 200, 200],
    ),
    (
        "POST /v1/follow-ups/{id}/done",
        [401, 200, 200, 403, 403, 403, 403, 403, 404, 404, 200],
    ),
    // Events (issue 19) are shared like the directory: every city's staff
    // reads them; a Zama event is recorded and corrected by Zama's desk or
    // the platform admin; their reach like KPIs.
    (
        "POST /v1/platform-events",
        [401, 201, 403, 403, 403, 403, 403, 403, 403, 403, 201],
    ),
    (
        "GET /v1/platform-events",
        [401, 200, 200, 200, 403, 403, 403, 403, 200, 200, 200],
    ),
    (
        "GET /v1/platform-events/{id}",
        [401, 200, 200, 200, 403, 403, 403, 403, 200, 200, 200],
    ),
    (
        "PATCH /v1/platform-events/{id}",
        [401, 200, 403, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    ("GET /v1/event-reach", KPI_READERS_200),
    // Notifications (issue 15): every account its own settings; the
    // delivery log like the audit log; a dead Zama message retried by
    // Zama's desk only (Ayase's desk may not know it exists).
    ("GET /v1/me/notification-preferences", SIGNED_IN_200),
    ("PUT /v1/me/notification-preferences", SIGNED_IN_200),
    (
        "GET /v1/outbox-messages",
        [401, 200, 403, 403, 403, 403, 403, 200, 200, 403, 200],
    ),
    (
        "GET /v1/outbox-messages/{id}",
        [401, 200, 403, 403, 403, 403, 403, 200, 404, 403, 200],
    ),
    (
        "POST /v1/outbox-messages/{id}/retry",
        [401, 200, 403, 403, 403, 403, 403, 403, 404, 403, 403],
    ),
    // Attachments: as what they hang off. The case's file is shared; a
    // hearing's files are the desk's and that department's; a logic
    // model's are written by the desk.
    (
        "POST /v1/proposals/{id}/attachments",
        [401, 201, 201, 404, 201, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/attachments",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "POST /v1/hearings/{id}/attachments",
        [401, 201, 201, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/hearings/{id}/attachments",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "POST /v1/proposals/{id}/logic-model/versions/{version}/attachments",
        [401, 201, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/logic-model/versions/{version}/attachments",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/attachments/{id}",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/attachments/{id}/content",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    // A fresh case each time (the first record is 201); the target case has one.
    (
        "PUT /v1/proposals/{id}/assessment",
        [401, 201, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/assessment",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // Network matches (issue 18): the target case is at `matching` with the
    // department heard and leading; a fresh entry is proposed each time, a
    // fresh match answered each time.
    (
        "POST /v1/proposals/{id}/network-matches",
        [401, 201, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/network-matches",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "POST /v1/network-matches/{id}/accept",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "POST /v1/network-matches/{id}/decline",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/network-match-suggestions",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/trips/{id}/supported-resources",
        [401, 200, 200, 404, 200, 404, 403, 403, 404, 404, 403],
    ),
    // The model case: the target TRIP is one; a fresh TRIP is marked each
    // time by the desk and the lead department. Lessons are internal.
    (
        "PUT /v1/trips/{id}/model-case",
        [401, 201, 201, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/trips/{id}/model-case",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/model-cases",
        [401, 200, 200, 200, 403, 403, 403, 403, 200, 200, 403],
    ),
    (
        "POST /v1/proposals/{id}/logic-model/prefill",
        [401, 201, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // A fresh case is linked as a follow-on each time.
    (
        "POST /v1/trips/{id}/follow-ons",
        [401, 201, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/trips/{id}/follow-ons",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/follows-from",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // Existing city programmes: the city's staff read, its desk writes.
    (
        "GET /v1/programmes",
        [401, 200, 200, 200, 403, 403, 403, 403, 200, 200, 403],
    ),
    ("POST /v1/programmes", DESK_ONLY_201),
    (
        "PUT /v1/proposals/{id}/programmes",
        [401, 200, 403, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    (
        "GET /v1/proposals/{id}/programmes",
        [401, 200, 200, 404, 403, 404, 403, 403, 404, 404, 403],
    ),
    // The partner's organization: its history with the desk's own city.
    (
        "GET /v1/organizations/{id}/history",
        [401, 200, 403, 403, 403, 403, 403, 403, 200, 403, 403],
    ),
];

static SEQUENCE: AtomicU32 = AtomicU32::new(0);

fn next() -> u32 {
    SEQUENCE.fetch_add(1, Ordering::Relaxed)
}

/// A fresh valid municipality code (check digit included) for each create.
fn municipality_code() -> String {
    let base = format!("{:05}", 50_000 + next());
    let digits: Vec<u32> = base.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits.iter().zip([6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
    format!("{base}{}", (11 - sum % 11) % 10)
}

struct Context {
    service_client_id: String,
    service_secret: String,
    service_account_id: String,
    proposal_id: String,
    hearing_id: String,
    trip_id: String,
    indicator_id: String,
    resource_id: String,
    survey_id: String,
    recipient_id: String,
    attachment_id: String,
    /// An introduction by Zama's desk to a Zama entry.
    referral_id: String,
    /// A liaison meeting of Zama alone, by Zama's desk.
    meeting_id: String,
    /// An event held in Zama, by Zama's desk.
    platform_event_id: String,
    /// A case at `matching`, heard by the department that leads it.
    network_case_id: String,
    /// A confirmed intake submission (id, token, case): its uploads change
    /// nothing here (no scanner), so every caller shares it.
    upload_submission: (String, String, String),
}

/// An introduction to `resource_id`, today.
fn referral_body(resource_id: &str) -> Value {
    let today = living_gate_domain::fiscal::date_in_japan(chrono::Utc::now());
    json!({"resource_id": resource_id, "referred_on": today, "topics": ["loneliness"], "channel": "in_person"})
}

/// A meeting of Zama alone, held today.
fn meeting_body(app: &TestApp) -> Value {
    let today = living_gate_domain::fiscal::date_in_japan(chrono::Utc::now());
    json!({"kind": "staff_liaison", "title": "連携会議", "held_on": today,
           "municipality_ids": [app.fixtures.zama], "decisions": ["次回も開催"]})
}

/// A follow-up of the Zama meeting for Zama's 市民協働課.
fn follow_up_body(app: &TestApp) -> Value {
    let today = living_gate_domain::fiscal::date_in_japan(chrono::Utc::now());
    json!({"description": "一覧を共有する", "owner_id": app.fixtures.account(Who::Department).id,
           "due_on": today})
}

/// A workshop held in Zama.
fn platform_event_body(app: &TestApp) -> Value {
    json!({"kind": "workshop", "title": "ワークショップ", "starts_on": "2026-07-04", "ends_on": "2026-07-04",
           "venue_municipality_id": app.fixtures.zama, "attendance": 60, "clients_of_support": 12})
}

/// An open follow-up of the Zama meeting (each call marks its own done).
async fn fresh_follow_up(app: &TestApp, ctx: &Context) -> String {
    let response = app
        .post(
            &format!("/v1/liaison-meetings/{}/follow-ups", ctx.meeting_id),
            Who::Desk,
            &follow_up_body(app),
        )
        .await;
    json(response, StatusCode::CREATED).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A case of the partner's organization with a hearing for the department.
async fn case(app: &TestApp) -> (String, String) {
    let mut case = app.case().title("試験提案").create().await;
    let hearing = case.request_hearing(Who::Department).await;
    (case.id, hearing)
}

/// A case with a proposed lead match of the department; returns the match id.
async fn fresh_match(app: &TestApp) -> String {
    let mut case = app.case().title("試験提案").create().await;
    case.request_hearing(Who::Department).await;
    case.propose_lead().await
}

/// A case of the partner awaiting the decision of the department, its lead.
async fn awaiting_decision(app: &TestApp) -> String {
    app.case()
        .title("試験提案")
        .to(Status::AwaitingDecision)
        .await
        .id
}

async fn context(app: &TestApp) -> Context {
    let created = app
        .post(
            "/v1/service-accounts",
            Who::PlatformAdmin,
            &json!({"name": "matrix BI"}),
        )
        .await;
    let created = json(created, StatusCode::CREATED).await;
    let (proposal_id, hearing_id) = case(app).await;
    let model = app
        .put(
            &format!("/v1/proposals/{proposal_id}/logic-model"),
            Who::Desk,
            &json!({"status": "shared", "inputs": ["人"]}),
        )
        .await;
    assert_eq!(model.status(), StatusCode::CREATED);
    let assessment = app
        .put(
            &format!("/v1/proposals/{proposal_id}/assessment"),
            Who::Desk,
            &crate::assessment::valid_body(),
        )
        .await;
    assert_eq!(assessment.status(), StatusCode::CREATED);
    let decided_case = app.case().title("試験提案").to(Status::Adopted).await;
    let trip_id = decided_case.trip_id();
    let model = json(
        app.get(
            &format!("/v1/proposals/{}/logic-model", decided_case.id),
            Who::Desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let indicator_id = model["indicators"][0]["id"]
        .as_str()
        .expect("indicator")
        .to_owned();
    let resource = app
        .post(
            "/v1/resources",
            Who::Desk,
            &json!({"name": "マトリクスの会", "legal_form": "npo", "municipality_id": app.fixtures.zama,
                "locations": [{"latitude": 35.4886, "longitude": 139.4075}]}),
        )
        .await;
    let resource_id = json(resource, StatusCode::CREATED).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let survey = app
        .post(
            "/v1/surveys",
            Who::Desk,
            &json!({"title": "調査", "starts_on": "2026-06-01", "ends_on": "2026-07-31"}),
        )
        .await;
    let survey_id = json(survey, StatusCode::CREATED).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let recipient = app
        .post(
            &format!("/v1/surveys/{survey_id}/recipients"),
            Who::Desk,
            &json!({"resource_id": resource_id, "channel": "email", "sent_on": "2026-06-02"}),
        )
        .await;
    let recipient_id = json(recipient, StatusCode::CREATED).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let attachment = app
        .request(
            Method::POST,
            &format!(
                "/v1/proposals/{proposal_id}/attachments?file_name=matrix.txt&visibility=shared"
            ),
            Who::Desk,
        )
        .header("content-type", "text/plain")
        .body("matrix")
        .send()
        .await
        .expect("upload");
    let attachment_id = json(attachment, StatusCode::CREATED).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let upload_submission = confirmed_submission(app, "matrix@upload.example.jp").await;
    let referral = app
        .post("/v1/referrals", Who::Desk, &referral_body(&resource_id))
        .await;
    let referral_id = json(referral, StatusCode::CREATED).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let marked = app
        .put(
            &format!("/v1/trips/{trip_id}/model-case"),
            Who::Desk,
            &json!({"what_worked": "初回から関係課が同席した"}),
        )
        .await;
    assert_eq!(marked.status(), StatusCode::CREATED);
    let network_case_id = app.case().title("試験提案").to(Status::Matching).await.id;
    let meeting = app
        .post("/v1/liaison-meetings", Who::Desk, &meeting_body(app))
        .await;
    let meeting_id = json(meeting, StatusCode::CREATED).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let platform_event = app
        .post("/v1/platform-events", Who::Desk, &platform_event_body(app))
        .await;
    let platform_event_id = json(platform_event, StatusCode::CREATED).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    Context {
        meeting_id,
        platform_event_id,
        referral_id,
        network_case_id,
        upload_submission,
        attachment_id,
        survey_id,
        recipient_id,
        resource_id,
        trip_id,
        indicator_id,
        proposal_id,
        hearing_id,
        service_client_id: created["client_id"].as_str().expect("client id").to_owned(),
        service_secret: created["client_secret"]
            .as_str()
            .expect("secret")
            .to_owned(),
        service_account_id: created["id"].as_str().expect("id").to_owned(),
    }
}

/// Sends a valid request for `operation` as `who`; returns the status and the body.
async fn call(app: &TestApp, ctx: &Context, operation: &str, who: Who) -> (u16, String) {
    let f = &app.fixtures;
    let n = next();
    let (method, template) = operation.split_once(' ').expect("METHOD /path");
    // A Zama account: its municipal admin and the platform admin manage it.
    let user_target = f.account(Who::OtherDepartment).id.to_string();
    let intake = match operation {
        "POST /v1/intake-submissions/{id}/confirmation" => {
            Some(intake_submission(app, &format!("matrix{n}@intake.example.jp")).await)
        }
        "POST /v1/intake-submissions/{id}/attachments" => Some(ctx.upload_submission.clone()),
        _ => None,
    };
    let path = template
        .replace("{municipality}", "142166")
        .replace("{municipality_code}", "142166")
        .replace(
            "{id}",
            &match template {
                "/v1/intake-submissions/{id}/confirmation"
                | "/v1/intake-submissions/{id}/attachments" => {
                    intake.as_ref().map(|s| s.0.clone()).unwrap_or_default()
                }
                // The others are refused before the case is looked up.
                "/v1/proposals/{id}/intake-organization"
                    if matches!(who, Who::Desk | Who::AyaseDesk) =>
                {
                    intake_case(app, &format!("matrix{n}@settle.example.jp")).await
                }
                t if t.starts_with("/v1/municipalities") => f.ebina.to_string(),
                t if t.starts_with("/v1/departments") => f.chiiki_fukushi.to_string(),
                t if t.starts_with("/v1/organizations") => f.partner_org.to_string(),
                "/v1/users/{id}/identity-links" => user_target.clone(),
                "/v1/users/{id}/disclosures" | "/v1/users/{id}/anonymization" => {
                    fresh_zama_account(app).await
                }
                t if t.starts_with("/v1/identity-providers") => fresh_idp(app).await,
                t if t.starts_with("/v1/users") => user_target.clone(),
                t if t.starts_with("/v1/service-accounts") => ctx.service_account_id.clone(),
                // Moves and new hearings change who is involved: a fresh case each time.
                "/v1/proposals/{id}/transitions"
                | "/v1/proposals/{id}/hearings"
                | "/v1/proposals/{id}/matches"
                    if method == "POST" =>
                {
                    case(app).await.0
                }
                "/v1/proposals/{id}/assessment" if method == "PUT" => case(app).await.0,
                "/v1/proposals/{id}/network-matches" => ctx.network_case_id.clone(),
                t if t.starts_with("/v1/network-matches") => fresh_network_match(app, ctx).await,
                "/v1/trips/{id}/model-case"
                    if method == "PUT" && matches!(who, Who::Desk | Who::Department) =>
                {
                    app.case()
                        .title("試験提案")
                        .to(Status::Adopted)
                        .await
                        .trip_id()
                }
                // A hearing still requested (the matrix answers its own).
                "/v1/hearings/{id}/due-date" => case(app).await.1,
                t if t.starts_with("/v1/matches") => fresh_match(app).await,
                "/v1/proposals/{id}/decision" => awaiting_decision(app).await,
                "/v1/trips/{id}/publication" if method == "PUT" => consented_trip(app).await,
                t if t.starts_with("/v1/trips") => ctx.trip_id.clone(),
                t if t.starts_with("/v1/referrals") => ctx.referral_id.clone(),
                t if t.starts_with("/v1/liaison-meetings") => ctx.meeting_id.clone(),
                t if t.starts_with("/v1/follow-ups") => fresh_follow_up(app, ctx).await,
                t if t.starts_with("/v1/platform-events") => ctx.platform_event_id.clone(),
                t if t.starts_with("/v1/resources") => ctx.resource_id.clone(),
                t if t.starts_with("/v1/confidential-access-grants") => fresh_grant(app).await,
                t if t.starts_with("/v1/webhook-subscriptions") => fresh_subscription(app).await,
                t if t.starts_with("/v1/surveys") => ctx.survey_id.clone(),
                t if t.starts_with("/v1/outbox-messages") => {
                    crate::harness::dead_outbox_message(app).await.to_string()
                }
                t if t.starts_with("/v1/proposals") => ctx.proposal_id.clone(),
                t if t.starts_with("/v1/hearings") => ctx.hearing_id.clone(),
                t if t.starts_with("/v1/attachments") => ctx.attachment_id.clone(),
                _ => String::new(),
            },
        )
        .replace("{version}", "1")
        .replace("{kind}", "closed_case_personal_data")
        // A fiscal year without targets yet, so that each allowed call creates them.
        .replace("{fiscal_year}", &(2100 + n % 100).to_string())
        .replace(
            "{recipient_id}",
            &if template.ends_with("/entry") {
                fresh_prospective_recipient(app, &ctx.survey_id).await
            } else {
                ctx.recipient_id.clone()
            },
        )
        .replace(
            "{suggestion_id}",
            &if template.contains("{suggestion_id}") {
                fresh_suggestion(app, &ctx.resource_id).await
            } else {
                String::new()
            },
        )
        .replace(
            "{token}",
            &if template.contains("{token}") {
                invitation_token(app).await
            } else {
                String::new()
            },
        );
    let body: Option<Value> = match operation {
        "POST /v1/auth/login" => {
            Some(json!({"email": f.account(Who::Desk).email, "password": PASSWORD}))
        }
        "POST /v1/auth/refresh" => Some(json!({"refresh_token": refresh_token(app).await})),
        "POST /v1/auth/logout" => Some(json!({})),
        "POST /v1/auth/password-reset" => {
            Some(json!({"email": format!("matrix{n}@reset.example.jp")}))
        }
        "POST /v1/auth/password-reset/confirmation" => Some(
            json!({"token": reset_token_for(app, f.account(Who::Analyst).id).await, "password": PASSWORD}),
        ),
        "POST /v1/municipalities/{municipality}/intake-submissions" => {
            Some(intake_form(&format!("matrix{n}@submit.example.jp")))
        }
        "POST /v1/proposals/{id}/intake-organization" => Some(json!({"organization_id": null})),
        "POST /v1/intake-submissions/{id}/confirmation" => intake
            .as_ref()
            .map(|(_, token, code)| json!({"submission_token": token, "code": code})),
        "POST /v1/auth/token" => Some(
            json!({"grant_type": "client_credentials", "client_id": ctx.service_client_id, "client_secret": ctx.service_secret}),
        ),
        "POST /v1/municipalities" => Some(
            json!({"code": municipality_code(), "name": "テスト市", "name_kana": "てすとし", "name_en": "Test"}),
        ),
        "PATCH /v1/municipalities/{id}" => Some(json!({"name_kana": "えびなし"})),
        "POST /v1/departments" => Some(
            json!({"municipality_id": f.zama, "code": format!("matrix-{n}"), "name": "試験課", "name_en": "Test Division"}),
        ),
        "PATCH /v1/departments/{id}" => Some(json!({"name_en": "Community Welfare Division"})),
        "POST /v1/departments/{id}/invitations" | "POST /v1/organizations/{id}/invitations" => {
            Some(
                json!({"email": format!("invitee{n}@test.example.jp"), "display_name": "招待 太郎"}),
            )
        }
        "POST /v1/organizations" => {
            Some(json!({"name": format!("マトリクス{n}株式会社"), "kind": "company"}))
        }
        "PATCH /v1/organizations/{id}" => Some(json!({"website": "https://test.example.jp"})),
        "POST /v1/invitations/{token}/accept" => {
            Some(json!({"password": PASSWORD, "display_name": "受諾 花子"}))
        }
        "POST /v1/users" => Some(
            json!({"email": format!("user{n}@test.example.jp"), "display_name": "新規", "role": "desk", "municipality_id": f.zama}),
        ),
        "PATCH /v1/users/{id}" => Some(json!({"display_name": "福祉 次郎"})),
        "POST /v1/service-accounts" => Some(json!({"name": format!("BI {n}")})),
        "POST /v1/auth/totp" => Some(json!({"password": PASSWORD})),
        "POST /v1/auth/totp/confirmation" => Some(json!({"password": PASSWORD, "code": "12345x"})),
        "POST /v1/auth/oidc/{provider}/callback" => Some(json!({"code": "c", "state": "s"})),
        "POST /v1/identity-providers" => Some(matrix_idp(f.zama, n)),
        "PATCH /v1/identity-providers/{id}" => Some(json!({"display_name": "座間市職員"})),
        "POST /v1/users/{id}/identity-links" => {
            Some(json!({"provider_id": fresh_idp(app).await, "subject": format!("matrix-{n}")}))
        }
        "PATCH /v1/service-accounts/{id}" => Some(json!({"name": "matrix BI"})),
        "POST /v1/retention-runs" => Some(json!({"dry_run": true})),
        "PATCH /v1/retention-rules/{kind}" => Some(json!({"days": 3650})),
        "POST /v1/webhook-subscriptions" => Some(json!({"callback_url": WEBHOOK_URL})),
        "PATCH /v1/webhook-subscriptions/{id}" => Some(json!({"state": "paused"})),
        "POST /v1/webhook-subscriptions/{id}/secret-rotations" => Some(json!({})),
        "POST /v1/webhook-subscriptions/{id}/replays" => Some(json!({"from_position": 1})),
        "POST /v1/proposals" => Some(
            json!({"kind": "consultation", "title": format!("相談{n}"), "summary": "概要", "themes": ["other"],
            "channel": "phone", "organization_id": f.partner_org,
            "municipality_id": (!matches!(who, Who::Desk | Who::AyaseDesk)).then_some(f.zama)}),
        ),
        "PATCH /v1/proposals/{id}" => Some(json!({"sdg_goals": [11]})),
        "POST /v1/proposals/{id}/transitions" => Some(json!({"to": "organizing"})),
        "POST /v1/proposals/{id}/hearings" => {
            Some(json!({"department_id": f.chiiki_fukushi, "agenda": "追加確認"}))
        }
        "PATCH /v1/hearings/{id}" => Some(json!({"interest": "interested"})),
        "PUT /v1/proposals/{id}/coordinator" => {
            Some(json!({"coordinator_id": f.account(Who::Desk).id}))
        }
        "PUT /v1/proposals/{id}/decision-due-date" | "PUT /v1/hearings/{id}/due-date" => {
            Some(json!({"due_on": "2026-07-31"}))
        }
        "POST /v1/proposals/{id}/messages" => {
            Some(json!({"visibility": "shared", "body": "よろしくお願いします"}))
        }
        "POST /v1/proposals/{id}/matches" => {
            Some(json!({"department_id": f.chiiki_fukushi, "role": "support"}))
        }
        "POST /v1/matches/{id}/accept" | "POST /v1/matches/{id}/decline" => {
            Some(json!({"reason": "所管として対応できる"}))
        }
        "PUT /v1/proposals/{id}/logic-model" => {
            Some(json!({"status": "draft", "activities": ["交流会"]}))
        }
        "POST /v1/proposals/{id}/decision" => {
            Some(json!({"outcome": "adopted", "reason": "効果が見込める"}))
        }
        "PUT /v1/proposals/{id}/assessment" => Some(crate::assessment::valid_body()),
        "PATCH /v1/trips/{id}" => Some(json!({"status": "active"})),
        "PUT /v1/trips/{id}/publication-consent" => Some(json!({"consented": true})),
        "PUT /v1/trips/{id}/publication" => {
            Some(json!({"published": true, "summary": "多世代の居場所づくりを続けています。"}))
        }
        "PUT /v1/me/notification-preferences" => Some(json!({"language": "ja", "kinds": []})),
        "PUT /v1/kpis/targets/{fiscal_year}" => Some(json!({"trips_started": 2})),
        "PUT /v1/kpis/programme-logic-model/{fiscal_year}" => {
            Some(json!({"inputs": ["庁内関係課との連携体制"]}))
        }
        "POST /v1/taxonomy-terms" => Some(
            json!({"vocabulary": "form", "code": format!("matrix-{n}"), "label_ja": "試験", "label_en": "Test"}),
        ),
        "POST /v1/resources" => Some(
            json!({"name": format!("マトリクス{n}の会"), "legal_form": "voluntary_group", "municipality_id": f.zama}),
        ),
        "PATCH /v1/resources/{id}" => Some(json!({"participation_intent": "maybe"})),
        "POST /v1/resources/{id}/verifications" => Some(json!({"method": "phone"})),
        "POST /v1/resources/{id}/suggestions" => {
            Some(json!({"changes": {"participation_intent": "maybe"}, "note": "確認しました"}))
        }
        "POST /v1/confidential-access-grants" => {
            Some(json!({"department_id": fresh_department(app).await, "municipality_id": f.zama}))
        }
        "PUT /v1/trips/{id}/supported-resources" => {
            Some(json!({"resource_ids": [ctx.resource_id]}))
        }
        "POST /v1/proposals/{id}/network-matches" => {
            Some(json!({"resource_id": fresh_resource(app).await}))
        }
        "POST /v1/network-matches/{id}/accept" | "POST /v1/network-matches/{id}/decline" => Some(
            json!({"answered_on": living_gate_domain::fiscal::date_in_japan(chrono::Utc::now()), "via": "phone"}),
        ),
        "PUT /v1/trips/{id}/model-case" => Some(json!({"what_worked": "初回から関係課が同席した"})),
        "POST /v1/programmes" => Some(json!({"name": format!("既存事業{n}")})),
        "PUT /v1/proposals/{id}/programmes" => Some(json!({"programme_ids": []})),
        "POST /v1/proposals/{id}/logic-model/prefill" => {
            Some(json!({"template_trip_id": ctx.trip_id}))
        }
        "POST /v1/trips/{id}/follow-ons" => Some(json!({"proposal_id": if who == Who::Desk {
            app.case().title("試験提案").create().await.id
        } else {
            ctx.proposal_id.clone()
        }})),
        "POST /v1/surveys" => Some(
            json!({"title": format!("調査{n}"), "starts_on": "2026-06-01", "ends_on": "2026-07-31"}),
        ),
        "POST /v1/surveys/{id}/recipients" => Some(
            json!({"prospective_name": format!("見込み団体{n}"), "municipality_id": f.zama, "channel": "post", "sent_on": "2026-06-02"}),
        ),
        "POST /v1/surveys/{id}/recipients/{recipient_id}/answer" => {
            Some(json!({"answered_on": "2026-06-20", "participation_intent": "yes"}))
        }
        "POST /v1/surveys/{id}/recipients/{recipient_id}/entry" => Some(
            json!({"name": format!("見込み団体{n}"), "legal_form": "voluntary_group", "municipality_id": f.zama}),
        ),
        "POST /v1/referrals" => Some(referral_body(&ctx.resource_id)),
        "PATCH /v1/referrals/{id}" => Some(json!({"outcome": "contacted"})),
        "POST /v1/liaison-meetings" => Some(meeting_body(app)),
        "POST /v1/liaison-meetings/{id}/follow-ups" => Some(follow_up_body(app)),
        "POST /v1/platform-events" => Some(platform_event_body(app)),
        "PATCH /v1/platform-events/{id}" => Some(json!({"attendance": 61})),
        "POST /v1/trips/{id}/measurements" => Some(
            json!({"indicator_id": ctx.indicator_id, "value": 3, "measured_on": living_gate_domain::fiscal::date_in_japan(chrono::Utc::now())}),
        ),
        _ => None,
    };
    let path = if template.ends_with("/diff") {
        format!("{path}?from=1&to=1")
    } else if template.ends_with("/attachments") && method == "POST" {
        format!("{path}?file_name=matrix-{n}.txt")
    } else if template.ends_with("/timeseries") {
        format!("{path}?metric=proposals_received")
    } else {
        path
    };
    let method: Method = method.parse().expect("method");
    let mut request = app.request(method.clone(), &path, who);
    if operation == "POST /v1/resources/import" {
        let csv = format!("external_key,name,legal_form,municipality\r\nmatrix-{n},マトリクス{n},任意団体,座間市\r\n");
        request = request.header("content-type", "text/csv").body(csv);
    }
    if method == Method::POST && template.ends_with("/attachments") {
        request = request
            .header("content-type", "text/plain")
            .body(format!("file {n}"));
    }
    if let ("POST /v1/intake-submissions/{id}/attachments", Some((_, token, _))) =
        (operation, &intake)
    {
        request = request.header("Submission-Token", token);
    }
    if method == Method::PATCH
        || template.ends_with("/coordinator")
        || template.ends_with("due-date")
        || (method == Method::PUT && template.ends_with("/publication"))
        || template.contains("/suggestions/")
        || template.ends_with("/verifications")
        || template.ends_with("/transitions")
        || template.ends_with("/decision")
        || template.ends_with("/done")
    {
        request = request.header("If-Match", "*");
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// A new desk account of Zama (a person to disclose or anonymize).
async fn fresh_zama_account(app: &TestApp) -> String {
    let n = next();
    let body = json!({"email": format!("person{n}@city.zama.example.jp"), "display_name": "個人 花子",
        "role": "desk", "municipality_id": app.fixtures.zama});
    let created = json(
        app.post("/v1/users", Who::PlatformAdmin, &body).await,
        StatusCode::CREATED,
    )
    .await;
    created["user_id"].as_str().expect("user id").to_owned()
}

/// A new directory entry of Zama.
async fn fresh_resource(app: &TestApp) -> String {
    let body = json!({"name": format!("ネットワーク{}の会", next()), "legal_form": "npo", "municipality_id": app.fixtures.zama});
    let created = json(
        app.post("/v1/resources", Who::Desk, &body).await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

/// A new network match of a fresh entry on the network case.
async fn fresh_network_match(app: &TestApp, ctx: &Context) -> String {
    let body = json!({"resource_id": fresh_resource(app).await});
    let path = format!("/v1/proposals/{}/network-matches", ctx.network_case_id);
    let created = json(app.post(&path, Who::Desk, &body).await, StatusCode::CREATED).await;
    created["id"].as_str().expect("id").to_owned()
}

/// A new TRIP of the partner, which the partner consented to publish.
async fn consented_trip(app: &TestApp) -> String {
    let trip = app
        .case()
        .title("試験提案")
        .to(Status::Adopted)
        .await
        .trip_id();
    let consented = app
        .put(
            &format!("/v1/trips/{trip}/publication-consent"),
            Who::Partner,
            &json!({"consented": true}),
        )
        .await;
    assert_eq!(consented.status(), StatusCode::OK);
    trip
}

/// A new department of Zama (a grantee no grant names yet).
async fn fresh_department(app: &TestApp) -> String {
    let n = next();
    let body = json!({"municipality_id": app.fixtures.zama, "code": format!("grantee-{n}"),
        "name": "受領課", "name_en": "Grantee Division"});
    let created = json(
        app.post("/v1/departments", Who::Admin, &body).await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

/// A new active grant of Zama.
fn matrix_idp(zama: uuid::Uuid, n: u32) -> Value {
    json!({"slug": format!("matrix-{n}"), "display_name": "座間市職員", "audience": "staff",
        "issuer": "https://idp.zama.example.jp", "client_id": "living-gate",
        "redirect_uri": "https://living-gate.example.jp/sign-in/callback", "municipality_id": zama})
}

/// A new Zama staff IdP (not reachable: nothing here talks to it).
async fn fresh_idp(app: &TestApp) -> String {
    let body = matrix_idp(app.fixtures.zama, next());
    let created = json(
        app.post("/v1/identity-providers", Who::PlatformAdmin, &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

async fn fresh_grant(app: &TestApp) -> String {
    let body = json!({"department_id": fresh_department(app).await});
    let created = json(
        app.post("/v1/confidential-access-grants", Who::Desk, &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

/// A public address given literally: creating checks it without DNS.
const WEBHOOK_URL: &str = "https://8.8.8.8/living-gate";

/// A new subscription of Zama's desk.
async fn fresh_subscription(app: &TestApp) -> String {
    let created = json(
        app.post(
            "/v1/webhook-subscriptions",
            Who::Desk,
            &json!({"callback_url": WEBHOOK_URL}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

/// A new pending suggestion of the entry.
async fn fresh_suggestion(app: &TestApp, resource_id: &str) -> String {
    let body = json!({"changes": {"participation_intent": "maybe"}, "note": "確認しました"});
    let created = json(
        app.post(
            &format!("/v1/resources/{resource_id}/suggestions"),
            Who::Department,
            &body,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

/// A recipient not in the directory (Zama's), for each call that makes
/// one an entry.
async fn fresh_prospective_recipient(app: &TestApp, survey_id: &str) -> String {
    let n = next();
    let body = json!({"prospective_name": format!("見込み団体{n}"), "municipality_id": app.fixtures.zama,
        "channel": "post", "sent_on": "2026-06-02"});
    let path = format!("/v1/surveys/{survey_id}/recipients");
    let created = json(app.post(&path, Who::Desk, &body).await, StatusCode::CREATED).await;
    created["id"].as_str().expect("id").to_owned()
}

async fn invitation_token(app: &TestApp) -> String {
    let n = next();
    let path = format!("/v1/organizations/{}/invitations", app.fixtures.partner_org);
    let body = json!({"email": format!("accept{n}@test.example.jp"), "display_name": "x"});
    let created = json(app.post(&path, Who::Desk, &body).await, StatusCode::CREATED).await;
    created["token"].as_str().expect("token").to_owned()
}

async fn refresh_token(app: &TestApp) -> String {
    let response = app
        .login(&app.fixtures.account(Who::Partner).email, PASSWORD)
        .await;
    json(response, StatusCode::OK).await["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned()
}

fn documented_operations() -> Vec<String> {
    let doc: Value =
        serde_json::from_str(&openapi_document().to_json().expect("json")).expect("json");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations
}

#[test]
fn every_documented_operation_has_a_row_and_every_row_an_operation() {
    let documented = documented_operations();
    let missing: Vec<&String> = documented
        .iter()
        .filter(|op| !MATRIX.iter().any(|(row, _)| row == op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without an authorization row: {missing:?}"
    );
    let stale: Vec<&str> = MATRIX
        .iter()
        .map(|(op, _)| *op)
        .filter(|op| !documented.iter().any(|d| d == op))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for operations that do not exist: {stale:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_caller_gets_the_expected_status_from_every_operation() {
    let app = TestApp::spawn().await;
    let ctx = context(&app).await;
    let mut mismatches = Vec::new();
    // What another city's desk and department must never read: Zama's case,
    // its hearing and TRIP, or any Zama reference.
    let zama_case = [
        ctx.proposal_id.as_str(),
        ctx.hearing_id.as_str(),
        ctx.trip_id.as_str(),
        "ZLG-",
    ];
    for (operation, expected) in MATRIX {
        for (who, expected) in Who::ALL.iter().zip(expected) {
            let (got, body) = call(&app, &ctx, operation, *who).await;
            if got != *expected {
                mismatches.push(format!(
                    "{operation} as {who:?}: expected {expected}, got {got}"
                ));
            }
            // The intake confirmation answers whoever holds the submission's
            // token with the reference of the case it registered, bearer
            // token or not: that case is the caller's own.
            let own_case = *operation == "POST /v1/intake-submissions/{id}/confirmation";
            let other_city = matches!(who, Who::AyaseDesk | Who::AyaseDepartment) && !own_case;
            if other_city && (200..300).contains(&got) {
                for secret in zama_case.iter().filter(|s| body.contains(**s)) {
                    mismatches.push(format!("{operation} as {who:?}: the body shows {secret}"));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "authorization mismatches:\n{}",
        mismatches.join("\n")
    );
}
