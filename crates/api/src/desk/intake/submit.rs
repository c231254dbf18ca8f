//! Submitting the public form: validated like every write, rate limited
//! per client address and per e-mail address (in PostgreSQL), with a
//! honeypot, and answered with the submission's token while the code goes
//! to the contact by mail.

use crate::auth::secrets;
use crate::desk::cases::{check_content, ContentInput};
use crate::desk::intake::{address_limit, desk_name, LIMIT_WINDOW_SECS, MAX_SUBMISSIONS_PER_EMAIL};
use crate::http::body::Json;
use crate::http::problem::{ApiError, ApiResult};
use crate::http::rate_limit::{self, RateLimits};
use crate::http::request_context::RequestMeta;
use crate::record::{self, SessionEvent};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::intake_submissions::{self as db, NewIntakeSubmission};
use living_gate_db::reference::municipalities::{self, Municipality};
use living_gate_db::{outbox, pool, AsyncPgConnection};
use living_gate_domain::access::row_scope::RowScope;
use living_gate_domain::desk::proposal::{Kind, Theme};
use living_gate_domain::identity::{OrganizationKind, RecordStatus};
use living_gate_domain::intake::{
    check_terms_version, CorporateNumber, Declarations, SubmissionStatus, CODE_TTL_MINUTES,
};
use living_gate_domain::names::bounded_text;
use living_gate_domain::notify::intake_mail;
use living_gate_domain::{Email, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeOrganization {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub kind: OrganizationKind,
    /// 法人番号: 13 digits, the first a check digit (hyphens and spaces allowed).
    #[schema(max_length = 20, example = "7000012050002")]
    pub corporate_number: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeContact {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Receives the confirmation code; becomes the case's contact.
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 30)]
    pub phone: Option<String>,
}

/// The proposal or consultation itself: the fields a partner submits.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeProposal {
    pub kind: Kind,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 2000)]
    pub summary: String,
    #[schema(max_length = 20000)]
    #[serde(default)]
    pub body: String,
    #[schema(min_items = 1)]
    pub themes: Vec<Theme>,
    #[serde(default)]
    #[schema(maximum = 17, minimum = 1)]
    pub sdg_goals: Vec<i16>,
    #[serde(default)]
    pub policy_areas: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub desired_support: String,
}

/// The eligibility declarations: each must be `true`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct IntakeDeclarations {
    /// No religious purpose.
    pub no_religious_purpose: Option<bool>,
    /// No political purpose.
    pub no_political_purpose: Option<bool>,
    /// No election purpose (for or against a candidate or party).
    pub no_election_purpose: Option<bool>,
    /// No ties of the organization or its officers to organized crime (暴力団排除).
    pub no_organized_crime_ties: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization": {"name": "株式会社さがみ技研", "kind": "company", "corporate_number": "7000012050002"},
    "contact": {"name": "相模 花子", "email": "hanako@sagami-giken.example.jp"},
    "proposal": {"kind": "proposal", "title": "空き店舗を活用した多世代の居場所づくり",
        "summary": "駅前の空き店舗で、高齢者と子育て世代が交流できる場を開く。", "themes": ["community_support"]},
    "terms_version": "2026-04-01",
    "declarations": {"no_religious_purpose": true, "no_political_purpose": true, "no_election_purpose": true, "no_organized_crime_ties": true}
}))]
pub struct IntakeSubmissionRequest {
    pub organization: IntakeOrganization,
    pub contact: IntakeContact,
    pub proposal: IntakeProposal,
    /// The version of the intake terms (`GET /v1/intake/terms`) the proposer acknowledged.
    #[schema(max_length = 20)]
    pub terms_version: String,
    #[serde(default)]
    pub declarations: IntakeDeclarations,
    /// Leave empty: a field the form hides from people. A submission that
    /// fills it is answered as a success and dropped.
    #[schema(max_length = 2000)]
    pub website: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10", "status": "awaiting_confirmation",
    "expires_at": "2026-12-01T10:30:00Z", "submission_token": "q0VQmD3m0uN8Qf3sYp5sC2u7o0JrXxkq6bJwzXcQ4nE"}))]
pub struct IntakeSubmissionAccepted {
    pub id: Uuid,
    pub status: SubmissionStatus,
    /// Confirm before this instant.
    pub expires_at: DateTime<Utc>,
    /// The only handle on the submission: keep it to confirm.
    pub submission_token: String,
}

/// The validated form, as stored with the submission.
struct ValidForm {
    email: Email,
    corporate_number: Option<CorporateNumber>,
    form: serde_json::Value,
}

fn validate(body: &IntakeSubmissionRequest) -> Result<ValidForm, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let org = &body.organization;
    let org_name = errors.check(bounded_text("organization.name", &org.name, 1, 200));
    let corporate_number = match org.corporate_number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => errors.check(CorporateNumber::parse("organization.corporate_number", raw)),
    };
    let contact_name = errors.check(bounded_text("contact.name", &body.contact.name, 1, 100));
    let email = errors.check(Email::parse("contact.email", &body.contact.email));
    let phone = match body.contact.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => errors.check(bounded_text("contact.phone", raw, 1, 30)),
    };
    let p = &body.proposal;
    let content = check_content(
        &mut errors,
        "proposal.",
        ContentInput {
            title: &p.title,
            summary: &p.summary,
            body: &p.body,
            desired_support: &p.desired_support,
            themes: &p.themes,
            sdg_goals: &p.sdg_goals,
            policy_areas: &p.policy_areas,
        },
    );
    errors.check(check_terms_version("terms_version", &body.terms_version));
    let d = &body.declarations;
    errors.check(
        Declarations {
            no_religious_purpose: d.no_religious_purpose,
            no_political_purpose: d.no_political_purpose,
            no_election_purpose: d.no_election_purpose,
            no_organized_crime_ties: d.no_organized_crime_ties,
        }
        .check("declarations"),
    );
    errors.into_result()?;
    let (Some(org_name), Some(contact_name), Some(email), Some(content)) =
        (org_name, contact_name, email, content)
    else {
        return Err(ValidationErrors::single("body", "invalid", "invalid form"));
    };
    let form = json!({
        "organization": {"name": org_name, "kind": org.kind, "corporate_number": corporate_number.as_ref().map(|n| n.as_str())},
        "contact": {"name": contact_name, "email": email.as_str(), "phone": phone},
        "proposal": {"kind": p.kind, "title": content.title, "summary": content.summary,
            "body": content.body, "themes": content.themes, "sdg_goals": content.sdg_goals,
            "policy_areas": content.policy_areas, "desired_support": content.desired_support},
    });
    Ok(ValidForm {
        email,
        corporate_number,
        form,
    })
}

/// The active city named by id or by its 6-digit local government code.
async fn active_city(conn: &mut AsyncPgConnection, code_or_id: &str) -> ApiResult<Municipality> {
    let found = match Uuid::parse_str(code_or_id) {
        Ok(id) => municipalities::find(conn, id).await?,
        Err(_) => municipalities::find_by_code(conn, code_or_id).await?,
    };
    found
        .filter(|m| m.status == RecordStatus::Active)
        .ok_or(ApiError::NotFound)
}

/// Submits the public intake form for a city (anonymous). Answers 202 with
/// the submission's token; the contact gets a six-digit code by mail, valid
/// 30 minutes, to confirm with. Nothing is in the desk's list before that.
/// Rate limited per client address and per e-mail address.
#[utoipa::path(operation_id = "submitIntake", tag = "intake", security(()),
    params(("municipality" = String, Path, description = "The city: its id or its 6-digit local government code (座間市 142166)")),
    request_body = IntakeSubmissionRequest,
    responses(
        (status = 202, description = "Waiting for the code mailed to the contact", body = IntakeSubmissionAccepted),
        (status = 404, description = "No such active municipality", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid form, outdated terms or a declaration not made", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many submissions", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
#[post("/municipalities/{municipality}/intake-submissions")]
pub async fn submit(
    state: web::Data<AppState>,
    meta: RequestMeta,
    municipality: web::Path<String>,
    body: Json<IntakeSubmissionRequest>,
) -> ApiResult<HttpResponse> {
    let mut limits = RateLimits::default();
    let result = accept(&state, &meta, &municipality, body.into_inner(), &mut limits).await;
    limits.apply(result)
}

async fn accept(
    state: &AppState,
    meta: &RequestMeta,
    municipality: &str,
    body: IntakeSubmissionRequest,
    limits: &mut RateLimits,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    address_limit(
        &mut conn,
        limits,
        meta,
        (
            "submit",
            living_gate_domain::intake::MAX_SUBMISSIONS_PER_ADDRESS,
        ),
    )
    .await?;
    let city = active_city(&mut conn, municipality).await?;
    let valid = validate(&body)?;
    rate_limit::count(
        &mut conn,
        limits,
        "email",
        &format!("intake-email:{}", valid.email.as_str()),
        MAX_SUBMISSIONS_PER_EMAIL,
        LIMIT_WINDOW_SECS,
    )
    .await?;
    let token = secrets::random_token();
    let expires_at = Utc::now() + Duration::minutes(CODE_TTL_MINUTES);
    let id = Uuid::now_v7();
    let honeypot = body
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty());
    if !honeypot {
        let code = secrets::random_code();
        let title = body.proposal.title.trim().to_owned();
        conn.transaction(async |conn| {
            pool::scope_transaction(conn, &RowScope::Municipality(city.id)).await?;
            db::insert(
                conn,
                &NewIntakeSubmission {
                    id,
                    municipality_id: city.id,
                    token_hash: secrets::token_hash(&token),
                    code_hash: secrets::token_hash(&code),
                    email: valid.email.as_str().to_owned(),
                    form: valid.form.clone(),
                    corporate_number: valid.corporate_number.as_ref().map(|n| n.to_string()),
                    terms_version: body.terms_version.clone(),
                    terms_acknowledged_at: Utc::now(),
                    declarations: json!({
                        "no_religious_purpose": true, "no_political_purpose": true,
                        "no_election_purpose": true, "no_organized_crime_ties": true,
                    }),
                    client_addr: meta.client_addr.clone(),
                    expires_at,
                },
            )
            .await?;
            outbox::enqueue(
                conn,
                intake_mail::intake_code(
                    valid.email.clone(),
                    &desk_name(&city),
                    &title,
                    &code,
                    CODE_TTL_MINUTES,
                ),
                outbox::Origin {
                    municipality_id: Some(city.id),
                    ..outbox::Origin::default()
                },
            )
            .await?;
            record::audit_only(
                conn,
                None,
                meta,
                SessionEvent {
                    action: "intake_submission.create",
                    target_type: "intake_submission",
                    target_id: Some(id.to_string()),
                    changes: json!({ "email": valid.email.as_str(), "terms_version": body.terms_version }),
                    municipality_id: Some(city.id),
                },
            )
            .await?;
            Ok::<_, ApiError>(())
        })
        .await?;
    } else {
        tracing::info!("intake honeypot filled; submission dropped");
    }
    Ok(HttpResponse::Accepted()
        .insert_header(("Cache-Control", "no-store"))
        .json(IntakeSubmissionAccepted {
            id,
            status: SubmissionStatus::AwaitingConfirmation,
            expires_at,
            submission_token: token,
        }))
}
