//! Confirming a submission with the mailed code: the case is registered at
//! `received`, channel `web`, and the proposer gets the reference at once
//! (in the answer and by mail). The organization is created `pending` for
//! the desk to match or accept; the contact gets an account `invited`
//! (no password, cannot log in) as the case's contact, which the desk's
//! invitation activates later. A contact whose address already has a
//! partner account proposes for that account's organization.

use crate::auth::secrets;
use crate::desk::intake::{address_limit, desk_name};
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::http::rate_limit::RateLimits;
use crate::http::request_context::RequestMeta;
use crate::record::{self, Background, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::Utc;
use diesel_async::AsyncConnection;
use living_gate_db::accounts::users::{self, NewUser};
use living_gate_db::desk::intake_submissions::{self as db, Confirmation, IntakeSubmission};
use living_gate_db::desk::proposals::{self as proposals_db, NewProposal};
use living_gate_db::reference::{municipalities, organizations};
use living_gate_db::{outbox, pool, AsyncPgConnection};
use living_gate_domain::access::row_scope::RowScope;
use living_gate_domain::desk::proposal::{Channel, Kind, Theme};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::fiscal::{fiscal_year, reference};
use living_gate_domain::identity::{OrganizationKind, UserStatus};
use living_gate_domain::intake::{normalize_code, SubmissionStatus, MAX_CODE_ATTEMPTS};
use living_gate_domain::notify::intake_mail;
use living_gate_domain::{Email, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"submission_token": "q0VQmD3m0uN8Qf3sYp5sC2u7o0JrXxkq6bJwzXcQ4nE", "code": "042917"}))]
pub struct IntakeConfirmationRequest {
    #[schema(max_length = 100)]
    pub submission_token: String,
    /// The six digits of the mail.
    #[schema(max_length = 20, example = "042917")]
    pub code: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"submission_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e11",
    "reference": "ZLG-2026-0007", "status": "received"}))]
pub struct IntakeConfirmed {
    pub submission_id: Uuid,
    pub proposal_id: Uuid,
    /// Quote it when calling the desk; it is also mailed.
    pub reference: String,
    pub status: Status,
}

/// Confirms a submission with the mailed code (anonymous, with the
/// submission's token): registers the case and answers its reference. A
/// repeat with the same token and code answers the same case again (200).
/// After five wrong codes the submission is void; an expired or void one
/// cannot be confirmed (409).
#[utoipa::path(operation_id = "confirmIntake", tag = "intake", security(()),
    params(("id" = Uuid, Path, description = "The submission")),
    request_body = IntakeConfirmationRequest,
    responses(
        (status = 201, description = "The case is registered", body = IntakeConfirmed),
        (status = 200, description = "Already confirmed: the same case", body = IntakeConfirmed),
        (status = 404, description = "Unknown submission or wrong token", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Expired, or void after too many wrong codes, or the address belongs to a staff account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong code", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
#[post("/intake-submissions/{id}/confirmation")]
pub async fn confirm(
    state: web::Data<AppState>,
    meta: RequestMeta,
    id: web::Path<Uuid>,
    body: Json<IntakeConfirmationRequest>,
) -> ApiResult<HttpResponse> {
    let mut limits = RateLimits::default();
    let result = check_and_register(&state, &meta, *id, body.into_inner(), &mut limits).await;
    limits.apply(result)
}

enum Outcome {
    Registered(IntakeConfirmed),
    Again(IntakeConfirmed),
    WrongCode { left: i32 },
}

async fn check_and_register(
    state: &AppState,
    meta: &RequestMeta,
    id: Uuid,
    body: IntakeConfirmationRequest,
    limits: &mut RateLimits,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    address_limit(
        &mut conn,
        limits,
        meta,
        (
            "confirm",
            living_gate_domain::intake::MAX_CONFIRMATIONS_PER_ADDRESS,
        ),
    )
    .await?;
    let token_hash = secrets::token_hash(body.submission_token.trim());
    let code_hash = secrets::token_hash(&normalize_code(&body.code));
    let outcome = conn
        .transaction(async |conn| {
            // The submission's city is not known before it is found.
            pool::scope_transaction(conn, &RowScope::All).await?;
            let submission = db::find_for_update(conn, id, &token_hash)
                .await?
                .ok_or(ApiError::NotFound)?;
            pool::scope_transaction(conn, &RowScope::Municipality(submission.municipality_id))
                .await?;
            let code_right = submission.code_hash == code_hash;
            match submission.status {
                SubmissionStatus::Confirmed if code_right => {
                    return Ok(Outcome::Again(confirmed(conn, &submission).await?));
                }
                // Already registered: a wrong code changes nothing.
                SubmissionStatus::Confirmed => return Ok(Outcome::WrongCode { left: 0 }),
                SubmissionStatus::Void => {
                    return Err(conflict(
                        "the submission is void after too many wrong codes; submit again",
                    ));
                }
                SubmissionStatus::AwaitingConfirmation => {}
            }
            if submission.expires_at <= Utc::now() {
                return Err(conflict("the code has expired; submit again"));
            }
            if !code_right {
                let after = db::record_wrong_code(conn, submission.id, MAX_CODE_ATTEMPTS).await?;
                return Ok(Outcome::WrongCode {
                    left: (MAX_CODE_ATTEMPTS - after.failed_attempts).max(0),
                });
            }
            Ok(Outcome::Registered(
                register(conn, meta, &submission).await?,
            ))
        })
        .await?;
    match outcome {
        Outcome::Registered(done) => Ok(HttpResponse::Created()
            .insert_header(("Cache-Control", "no-store"))
            .json(done)),
        Outcome::Again(done) => Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(done)),
        Outcome::WrongCode { left } => Err(ApiError::validation(
            "code",
            "wrong_code",
            if left > 0 {
                format!("the code is wrong; {left} tries left")
            } else {
                "the code is wrong; no tries left".to_owned()
            },
        )),
    }
}

fn conflict(detail: &str) -> ApiError {
    ApiError::Conflict {
        detail: detail.to_owned(),
        extra: None,
    }
}

async fn confirmed(
    conn: &mut AsyncPgConnection,
    submission: &IntakeSubmission,
) -> ApiResult<IntakeConfirmed> {
    let proposal_id = submission.proposal_id.ok_or(ApiError::NotFound)?;
    let case = proposals_db::find(conn, proposal_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(IntakeConfirmed {
        submission_id: submission.id,
        proposal_id,
        reference: case.reference,
        status: case.status,
    })
}

/// The form as stored at submission (validated then).
#[derive(Deserialize)]
struct StoredForm {
    organization: StoredOrganization,
    contact: StoredContact,
    proposal: StoredProposal,
}

#[derive(Deserialize)]
struct StoredOrganization {
    name: String,
    kind: OrganizationKind,
}

#[derive(Deserialize)]
struct StoredContact {
    name: String,
}

#[derive(Deserialize)]
struct StoredProposal {
    kind: Kind,
    title: String,
    summary: String,
    body: String,
    themes: Vec<Theme>,
    sdg_goals: Vec<i16>,
    policy_areas: Vec<String>,
    desired_support: String,
}

async fn register(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    submission: &IntakeSubmission,
) -> ApiResult<IntakeConfirmed> {
    let form: StoredForm =
        serde_json::from_value(submission.form.clone()).map_err(ApiError::internal)?;
    let city = municipalities::find(conn, submission.municipality_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let email = Email::parse("email", &submission.email)?;
    let existing = users::find_by_email(conn, email.as_str()).await?;
    let contact = match existing {
        Some(user) if user.role == Role::Partner && user.status != UserStatus::Disabled => user,
        Some(_) => {
            return Err(conflict(
                "this address belongs to an account that cannot propose through the form; contact the desk",
            ))
        }
        None => {
            // The organization, pending; the corporate number stays on the
            // submission until the desk matches or accepts (another
            // organization may already hold it).
            let org = organizations::insert_pending(
                conn,
                &organizations::NewOrganization {
                    id: Uuid::now_v7(),
                    name: form.organization.name.clone(),
                    name_kana: None,
                    kind: form.organization.kind,
                    corporate_number: None,
                    postal_code: None,
                    address: None,
                    website: None,
                },
            )
            .await?;
            let user = users::insert(
                conn,
                &NewUser {
                    id: Uuid::now_v7(),
                    email: email.as_str().to_owned(),
                    display_name: form.contact.name.clone(),
                    role: Role::Partner,
                    municipality_id: None,
                    department_id: None,
                    organization_id: Some(org.id),
                    status: UserStatus::Invited,
                    password_hash: None,
                },
            )
            .await?;
            let author = Background {
                actor: user.actor(),
                meta: meta.clone(),
            };
            record::created(
                conn,
                &author,
                "organization",
                &org,
                FeedEvent::desk(EventKind::OrganizationCreated).subject(org.id),
            )
            .await?;
            record::created(
                conn,
                &author,
                "user",
                &user,
                FeedEvent::desk(EventKind::UserInvited).subject(user.id),
            )
            .await?;
            user
        }
    };
    let organization_id = contact
        .organization_id
        .ok_or_else(|| ApiError::internal("partner without organization"))?;
    let author = Background {
        actor: contact.actor(),
        meta: meta.clone(),
    };
    let now = Utc::now();
    let fy = fiscal_year(now);
    let number = proposals_db::next_reference_number(conn, city.id, fy).await?;
    let p = form.proposal;
    let case = proposals_db::insert(
        conn,
        &NewProposal {
            id: Uuid::now_v7(),
            municipality_id: city.id,
            reference: reference(&city.reference_prefix, fy, number),
            fiscal_year: fy,
            kind: p.kind,
            title: p.title,
            summary: p.summary,
            body: p.body,
            themes: p.themes,
            sdg_goals: p.sdg_goals,
            policy_areas: p.policy_areas,
            desired_support: p.desired_support,
            channel: Channel::Web,
            organization_id,
            contact_user_id: Some(contact.id),
            created_by: contact.id,
            status: Status::Received,
            first_contact_at: submission.created_at.min(now),
            received_at: now,
        },
    )
    .await?;
    db::mark_confirmed(
        conn,
        submission.id,
        &Confirmation {
            proposal_id: case.id,
            organization_id,
            contact_user_id: Some(contact.id),
        },
    )
    .await?;
    let mut created = FeedEvent::case(case.id, EventKind::Created, Visibility::Shared);
    created.to_status = Some(Status::Received);
    let event = record::created(conn, &author, "proposal", &case, created).await?;
    outbox::enqueue(
        conn,
        intake_mail::intake_received(email, &desk_name(&city), &case.title, &case.reference),
        outbox::Origin {
            municipality_id: Some(city.id),
            recipient_user_id: Some(contact.id),
            event_position: Some(event.position),
            proposal_id: Some(case.id),
        },
    )
    .await?;
    Ok(IntakeConfirmed {
        submission_id: submission.id,
        proposal_id: case.id,
        reference: case.reference,
        status: case.status,
    })
}
