//! The desk settles an intake's pending organization: it sees the
//! candidates (the holder of the declared corporate number, organizations
//! with partner accounts at the contact's e-mail domain) and either matches
//! the pending organization to one of them (the case and the contact move
//! there, the pending one is disabled) or accepts it as new (active, with
//! the declared corporate number when nobody holds it). Either way the
//! contact is invited to become the organization's partner user, by mail.

use crate::admin::accounts;
use crate::auth::Caller;
use crate::desk::cases::lock_open_case;
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::users;
use living_gate_db::desk::intake_submissions::{self as db, IntakeSubmission};
use living_gate_db::desk::proposals as proposals_db;
use living_gate_db::reference::organizations::{self as orgs, OrganizationChanges};
use living_gate_db::{outbox, pool, AsyncPgConnection};
use living_gate_domain::identity::{OrganizationKind, OrganizationStatus, UserStatus};
use living_gate_domain::notify::account_mail;
use living_gate_domain::{authorize, Action, Email};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct CandidateOrganization {
    pub id: Uuid,
    pub name: String,
    pub kind: OrganizationKind,
    pub corporate_number: Option<String>,
    /// `corporate_number` or `email_domain`.
    #[schema(example = "corporate_number")]
    pub reason: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct IntakeOrganizationView {
    pub proposal_id: Uuid,
    /// The organization the case is now of (pending until settled).
    pub organization_id: Uuid,
    pub organization_status: OrganizationStatus,
    /// The corporate number the proposer declared, if any.
    pub declared_corporate_number: Option<String>,
    pub contact_email: String,
    /// What the pending organization may be (empty once settled).
    pub candidates: Vec<CandidateOrganization>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organization_id": null}))]
pub struct SettleIntakeOrganization {
    /// An existing active organization to match the pending one to; `null`
    /// (or absent) accepts the pending organization as new.
    pub organization_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct IntakeOrganizationSettled {
    pub proposal_id: Uuid,
    pub organization_id: Uuid,
    pub organization_status: OrganizationStatus,
    pub invitation_id: Uuid,
    pub invitation_expires_at: DateTime<Utc>,
}

async fn intake_of(conn: &mut AsyncPgConnection, proposal_id: Uuid) -> ApiResult<IntakeSubmission> {
    db::find_by_proposal_for_update(conn, proposal_id)
        .await?
        .ok_or(ApiError::NotFound)
}

fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

/// The intake behind a case and its organization's candidates (the desk).
#[utoipa::path(operation_id = "getIntakeOrganization", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case")),
    responses(
        (status = 200, description = "The organization and its candidates", body = IntakeOrganizationView),
        (status = 403, description = "The desk's only", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, not visible, or not from the public intake", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
#[get("/proposals/{id}/intake-organization")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::CoordinateCase)?;
    let mut conn = pool::connection(&state.pool).await?;
    let view = conn
        .transaction(async |conn| {
            let case = crate::desk::cases::visible(conn, &caller.actor, *id).await?;
            let submission = intake_of(conn, case.id).await?;
            let org = orgs::find(conn, case.organization_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let candidates = if org.status == OrganizationStatus::Pending {
                orgs::intake_candidates(
                    conn,
                    submission.corporate_number.as_deref(),
                    domain_of(&submission.email),
                )
                .await?
            } else {
                Vec::new()
            };
            let number = submission.corporate_number.clone();
            Ok::<_, ApiError>(IntakeOrganizationView {
                proposal_id: case.id,
                organization_id: org.id,
                organization_status: org.status,
                declared_corporate_number: number.clone(),
                contact_email: submission.email,
                candidates: candidates
                    .into_iter()
                    .filter(|c| c.id != org.id)
                    .map(|c| CandidateOrganization {
                        reason: if number.is_some() && c.corporate_number == number {
                            "corporate_number"
                        } else {
                            "email_domain"
                        },
                        id: c.id,
                        name: c.name,
                        kind: c.kind,
                        corporate_number: c.corporate_number,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Settles the pending organization of an intake case (the desk): match
/// it to an existing one or accept it as new; the contact is invited as
/// the organization's partner user (mailed the link). Once settled, 409.
#[utoipa::path(operation_id = "settleIntakeOrganization", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case")),
    request_body = SettleIntakeOrganization,
    responses(
        (status = 200, description = "Settled; the contact is invited", body = IntakeOrganizationSettled),
        (status = 403, description = "The desk's only", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, not visible, or not from the public intake", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already settled, or the case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such active organization", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
#[post("/proposals/{id}/intake-organization")]
pub async fn settle(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<SettleIntakeOrganization>,
) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::CoordinateCase)?;
    let mut conn = pool::connection(&state.pool).await?;
    let settled = conn
        .transaction(async |conn| {
            crate::desk::cases::visible(conn, &caller.actor, *id).await?;
            let case = lock_open_case(conn, *id).await?;
            let submission = intake_of(conn, case.id).await?;
            let pending = orgs::find_for_update(conn, case.organization_id)
                .await?
                .filter(|o| o.status == OrganizationStatus::Pending)
                .ok_or_else(|| ApiError::Conflict {
                    detail: "the intake's organization is already settled".into(),
                    extra: None,
                })?;
            let contact_id = submission.contact_user_id.ok_or(ApiError::NotFound)?;
            let contact = users::find_for_update(conn, contact_id)
                .await?
                .filter(|u| u.status == UserStatus::Invited)
                .ok_or_else(|| ApiError::Conflict {
                    detail: "the contact's account is no longer waiting for an invitation".into(),
                    extra: None,
                })?;
            let (organization, contact) = match body.organization_id {
                Some(target) => {
                    let existing = orgs::find(conn, target)
                        .await?
                        .filter(|o| o.status == OrganizationStatus::Active && o.id != pending.id)
                        .ok_or_else(|| {
                            ApiError::validation(
                                "organization_id",
                                "unknown_reference",
                                "no such active organization",
                            )
                        })?;
                    let moved =
                        proposals_db::reassign_organization(conn, case.id, existing.id).await?;
                    record::updated(
                        conn,
                        &caller,
                        "proposal",
                        &case,
                        &moved,
                        FeedEvent::case(case.id, EventKind::ProposalUpdated, Visibility::Internal),
                    )
                    .await?;
                    let disabled = orgs::update(
                        conn,
                        pending.id,
                        &OrganizationChanges {
                            status: Some(OrganizationStatus::Disabled),
                            ..OrganizationChanges::default()
                        },
                    )
                    .await?;
                    record::updated(
                        conn,
                        &caller,
                        "organization",
                        &pending,
                        &disabled,
                        FeedEvent::desk(EventKind::OrganizationUpdated).subject(pending.id),
                    )
                    .await?;
                    let contact =
                        users::move_to_organization(conn, contact.id, existing.id).await?;
                    (existing, contact)
                }
                None => {
                    let number = match submission.corporate_number.as_deref() {
                        Some(n) if orgs::find_by_corporate_number(conn, n).await?.is_none() => {
                            Some(Some(n.to_owned()))
                        }
                        _ => None,
                    };
                    let accepted = orgs::update(
                        conn,
                        pending.id,
                        &OrganizationChanges {
                            status: Some(OrganizationStatus::Active),
                            corporate_number: number,
                            ..OrganizationChanges::default()
                        },
                    )
                    .await?;
                    record::updated(
                        conn,
                        &caller,
                        "organization",
                        &pending,
                        &accepted,
                        FeedEvent::desk(EventKind::OrganizationUpdated).subject(pending.id),
                    )
                    .await?;
                    (accepted, contact)
                }
            };
            let email = Email::parse("email", &contact.email)?;
            let invitation = accounts::issue(conn, &caller, contact).await?;
            outbox::enqueue(
                conn,
                account_mail::partner_invitation(
                    email,
                    &organization.name,
                    &crate::notify::links::invitation(&invitation.token),
                    accounts::VALID_DAYS,
                ),
                outbox::Origin {
                    municipality_id: Some(case.municipality_id),
                    recipient_user_id: Some(invitation.user_id),
                    event_position: None,
                    proposal_id: Some(case.id),
                },
            )
            .await?;
            Ok::<_, ApiError>(IntakeOrganizationSettled {
                proposal_id: case.id,
                organization_id: organization.id,
                organization_status: organization.status,
                invitation_id: invitation.invitation_id,
                invitation_expires_at: invitation.expires_at,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(settled))
}
