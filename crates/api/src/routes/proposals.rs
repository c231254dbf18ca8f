//! Proposals and the workflow moves on them (steps 1–6 of seed 000).

use crate::audit;
use crate::auth::Caller;
use crate::etag::IfMatch;
use crate::pagination::{PageParams, Paginated};
use crate::problem::{ApiError, ApiResult};
use crate::routes::municipalities::with_etag;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::events::{self, Audience, NewEvent};
use living_gate_db::proposals::{
    self as db, NewProposal, ProposalChanges, ProposalFilter, Scope, StatusChange,
};
use living_gate_db::{pool, users, AsyncPgConnection};
use living_gate_domain::fiscal::{fiscal_year, reference};
use living_gate_domain::names::bounded_text;
use living_gate_domain::policy::{case_scope, CaseScope};
use living_gate_domain::proposal::{sdg_goals, Channel, Kind, Theme};
use living_gate_domain::workflow::{self, CaseFacts, MoveError, Status};
use living_gate_domain::{authorize, Action, Actor, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50", "reference": "ZLG-2026-0007", "fiscal_year": 2026, "kind": "proposal",
    "title": "空き店舗を活用した多世代の居場所づくり", "summary": "駅前の空き店舗で、高齢者と子育て世代が交流できる場を開く。",
    "body": "", "themes": ["community_support"], "sdg_goals": [3, 11], "policy_areas": ["地域共生"],
    "desired_support": "物件所有者との調整、広報", "channel": "web",
    "organization_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e20", "contact_user_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e11",
    "status": "hearing", "held_from": null, "lead_department_id": null,
    "first_contact_at": "2026-05-08T10:00:00+09:00", "received_at": "2026-05-10T09:30:00+09:00",
    "step_entered_at": {"received": "2026-05-10T00:30:00Z", "organizing": "2026-05-11T01:00:00Z", "hearing": "2026-05-13T02:00:00Z"},
    "coordination_started_at": "2026-05-12T05:00:00Z", "closed_at": null,
    "created_at": "2026-05-10T00:30:00Z", "updated_at": "2026-05-13T02:00:00Z"
}))]
pub struct Proposal {
    pub id: Uuid,
    /// Quoted on the phone: `ZLG-<fiscal year>-<number>`, gap-free per fiscal year.
    pub reference: String,
    pub fiscal_year: i32,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub themes: Vec<String>,
    pub sdg_goals: Vec<i16>,
    pub policy_areas: Vec<String>,
    pub desired_support: String,
    pub channel: String,
    pub organization_id: Uuid,
    pub contact_user_id: Option<Uuid>,
    pub status: Status,
    /// For `on_hold`: the step it resumes to.
    pub held_from: Option<Status>,
    pub lead_department_id: Option<Uuid>,
    pub first_contact_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// When the case first entered each step it has reached.
    pub step_entered_at: StepTimes,
    /// KPI 2: the first hearing request or the move to `hearing`, whichever came first.
    pub coordination_started_at: Option<DateTime<Utc>>,
    /// When it reached a final state.
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct StepTimes {
    pub received: DateTime<Utc>,
    pub organizing: Option<DateTime<Utc>>,
    pub hearing: Option<DateTime<Utc>>,
    pub matching: Option<DateTime<Utc>>,
    pub logic_model: Option<DateTime<Utc>>,
    pub awaiting_decision: Option<DateTime<Utc>>,
}

fn status(raw: &str) -> Status {
    // The database's CHECK constraint admits only known statuses.
    Status::parse(raw).unwrap_or(Status::Received)
}

impl From<db::Proposal> for Proposal {
    fn from(p: db::Proposal) -> Self {
        Proposal {
            id: p.id,
            reference: p.reference,
            fiscal_year: p.fiscal_year,
            kind: p.kind,
            title: p.title,
            summary: p.summary,
            body: p.body,
            themes: p.themes,
            sdg_goals: p.sdg_goals,
            policy_areas: p.policy_areas,
            desired_support: p.desired_support,
            channel: p.channel,
            organization_id: p.organization_id,
            contact_user_id: p.contact_user_id,
            status: status(&p.status),
            held_from: p.held_from.as_deref().map(status),
            lead_department_id: p.lead_department_id,
            first_contact_at: p.first_contact_at,
            received_at: p.received_at,
            step_entered_at: StepTimes {
                received: p.received_at,
                organizing: p.organizing_at,
                hearing: p.hearing_at,
                matching: p.matching_at,
                logic_model: p.logic_model_at,
                awaiting_decision: p.awaiting_decision_at,
            },
            coordination_started_at: p.coordination_started_at,
            closed_at: p.closed_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "proposal", "title": "空き店舗を活用した多世代の居場所づくり",
    "summary": "駅前の空き店舗で、高齢者と子育て世代が交流できる場を開く。", "themes": ["community_support"],
    "sdg_goals": [3, 11], "policy_areas": ["地域共生"], "desired_support": "物件所有者との調整、広報", "channel": "web"
}))]
pub struct CreateProposal {
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
    pub channel: Channel,
    /// When the proposer first got in touch; defaults to now. The desk may
    /// set it earlier (a phone call before registration), never later.
    pub first_contact_at: Option<DateTime<Utc>>,
    /// The proposer organization: required from the desk, ignored (own) for partners.
    pub organization_id: Option<Uuid>,
    /// The proposer's contact person (a partner user of the organization); defaults to the partner submitting.
    pub contact_user_id: Option<Uuid>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"themes": ["community_support", "local_strengths"], "sdg_goals": [3, 11, 17]}))]
pub struct UpdateProposal {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 2000)]
    pub summary: Option<String>,
    #[schema(max_length = 20000)]
    pub body: Option<String>,
    pub themes: Option<Vec<Theme>>,
    pub sdg_goals: Option<Vec<i16>>,
    pub policy_areas: Option<Vec<String>>,
    #[schema(max_length = 2000)]
    pub desired_support: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalListParams {
    pub status: Option<Status>,
    /// Cases now at this step of the six (1 = received … 6 = awaiting_decision).
    #[param(minimum = 1, maximum = 6)]
    pub step: Option<u8>,
    pub theme: Option<Theme>,
    #[param(minimum = 1, maximum = 17)]
    pub sdg_goal: Option<i16>,
    pub organization_id: Option<Uuid>,
    /// Cases this department leads or was asked to a hearing about.
    pub department_id: Option<Uuid>,
    #[param(example = 2026)]
    pub fiscal_year: Option<i32>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
    /// Substring of title, summary or body; Japanese works (e.g. `居場所`).
    #[param(max_length = 100)]
    pub q: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "hearing", "reason": "内容整理完了。地域福祉課・市民協働課にヒアリング", "note_for_proposer": "関係課との調整を始めました"}))]
pub struct TransitionRequest {
    pub to: Status,
    /// Internal reason (required for declining, stepping back, holding and deciding). Never shown to the proposer.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// What the proposer is told (required when declining or not adopting).
    #[schema(max_length = 2000)]
    pub note_for_proposer: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseEvent {
    /// Feed position: increasing, gap-free in visibility order.
    pub position: i64,
    pub id: Uuid,
    /// The case the event is about; `null` for a directory event.
    pub proposal_id: Option<Uuid>,
    /// The directory entry the event is about (desk and department callers only); `null` for a case event.
    pub resource_id: Option<Uuid>,
    /// Case events: `created`, `status_changed`, `hearing_requested`, `hearing_answered`,
    /// `message_posted`, `match_proposed`, `match_accepted`, `match_declined`, `logic_model_saved`.
    /// Directory events: `resource_created`, `resource_updated`, `resource_imported`, `survey_answered`.
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_role: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    /// Internal reason; absent for the proposer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub note_for_proposer: Option<String>,
    pub visibility: String,
    pub department_id: Option<Uuid>,
    /// The hearing or message the event is about.
    pub subject_id: Option<Uuid>,
}

impl CaseEvent {
    pub fn for_audience(e: events::Event, audience: Audience) -> CaseEvent {
        CaseEvent {
            position: e.position,
            id: e.id,
            proposal_id: e.proposal_id,
            resource_id: e.resource_id,
            kind: e.kind,
            occurred_at: e.occurred_at,
            actor_role: e.actor_role,
            from_status: e.from_status,
            to_status: e.to_status,
            reason: if audience.shared_only { None } else { e.reason },
            note_for_proposer: e.note_for_proposer,
            visibility: e.visibility,
            department_id: e.department_id,
            subject_id: e.subject_id,
        }
    }
}

/// The database scope of a caller's cases.
pub fn scope(actor: &Actor) -> ApiResult<Scope> {
    Ok(match case_scope(actor)? {
        CaseScope::All => Scope::All,
        CaseScope::Organization(id) => Scope::Organization(id),
        CaseScope::Department(id) => Scope::Department(id),
    })
}

/// What of a case's events the caller sees.
pub fn audience(actor: &Actor) -> ApiResult<Audience> {
    Ok(Audience {
        scope: scope(actor)?,
        shared_only: actor.role == Role::Partner,
    })
}

/// The case if the caller may see it, 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<db::Proposal> {
    db::find_visible(conn, id, scope(actor)?)
        .await?
        .ok_or(ApiError::NotFound)
}

/// 409 when the case has reached a final state.
pub fn refuse_closed(case: &db::Proposal) -> ApiResult<()> {
    if Status::parse(&case.status).is_none_or(Status::is_final) {
        return Err(ApiError::Conflict {
            detail: "the case is closed".into(),
            extra: None,
        });
    }
    Ok(())
}

/// The case, locked until the end of the transaction, if it is still open.
pub async fn lock_open_case(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<db::Proposal> {
    let case = db::find_for_update(conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    refuse_closed(&case)?;
    Ok(case)
}

/// A department a case can be coordinated with: it exists and is active (422 otherwise).
pub async fn active_department(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<()> {
    living_gate_db::departments::find(conn, id)
        .await?
        .filter(|d| d.status == "active")
        .ok_or_else(|| {
            ApiError::validation(
                "department_id",
                "unknown_reference",
                "no such active department",
            )
        })?;
    Ok(())
}

/// A department caller's own department: its view of a case's hearings and
/// matches is limited to those addressed to it.
pub fn own_department(actor: &Actor) -> Option<Uuid> {
    (actor.role == Role::Department)
        .then_some(actor.department_id)
        .flatten()
}

/// Guards an item addressed to a department (a hearing, a match): the case
/// must be visible to the caller, a department must be the one addressed
/// (404 otherwise: another department's business), and the caller must be
/// able to act for it (403).
pub async fn check_department_item(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    proposal_id: Uuid,
    department_id: Uuid,
) -> ApiResult<()> {
    visible(conn, actor, proposal_id).await?;
    if actor.role == Role::Department && actor.department_id != Some(department_id) {
        return Err(ApiError::NotFound);
    }
    authorize(actor, Action::ActForDepartment { department_id })?;
    Ok(())
}

/// An event by the caller about a case.
pub fn event(caller: &Caller, proposal_id: Uuid, kind: &str, visibility: &str) -> NewEvent {
    NewEvent {
        id: Uuid::now_v7(),
        proposal_id: Some(proposal_id),
        kind: kind.to_owned(),
        actor_id: Some(caller.actor.id),
        actor_role: Some(caller.actor.role.as_str().to_owned()),
        visibility: visibility.to_owned(),
        ..NewEvent::default()
    }
}

fn list_of_text(field: &str, values: &[String]) -> Result<Vec<String>, ValidationErrors> {
    if values.len() > 20 {
        return Err(ValidationErrors::single(
            field,
            "too_many",
            "at most 20 entries",
        ));
    }
    values
        .iter()
        .map(|v| bounded_text(field, v, 1, 100))
        .collect()
}

fn themes(values: &[Theme]) -> Result<Vec<String>, ValidationErrors> {
    if values.is_empty() {
        return Err(ValidationErrors::single(
            "themes",
            "required",
            "name at least one theme",
        ));
    }
    let mut themes: Vec<String> = values.iter().map(|t| t.as_str().to_owned()).collect();
    themes.dedup();
    Ok(themes)
}

/// Submits a proposal or consultation (a partner for its own organization,
/// the desk on a proposer's behalf). Honours `Idempotency-Key`.
#[utoipa::path(tag = "proposals", request_body = CreateProposal, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely: the same key and body return the first response")),
    responses((status = 201, description = "Received", body = Proposal, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only partners and the desk submit", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateProposal>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let actor = &caller.actor;
    let organization_id = match actor.role {
        Role::Partner => actor.organization_id.ok_or(ApiError::Forbidden)?,
        _ => body.organization_id.ok_or_else(|| {
            ApiError::validation(
                "organization_id",
                "required",
                "name the proposer organization",
            )
        })?,
    };
    authorize(actor, Action::CreateProposal { organization_id })?;
    let now = Utc::now();
    let mut errors = ValidationErrors::new();
    let title = errors.check(bounded_text("title", &body.title, 1, 200));
    let summary = errors.check(bounded_text("summary", &body.summary, 1, 2000));
    let text_body = if body.body.trim().is_empty() {
        Some(String::new())
    } else {
        errors.check(bounded_text("body", &body.body, 1, 20000))
    };
    let desired = if body.desired_support.trim().is_empty() {
        Some(String::new())
    } else {
        errors.check(bounded_text(
            "desired_support",
            &body.desired_support,
            1,
            2000,
        ))
    };
    let theme_list = errors.check(themes(&body.themes));
    let goals = errors.check(sdg_goals("sdg_goals", &body.sdg_goals));
    let areas = errors.check(list_of_text("policy_areas", &body.policy_areas));
    let first_contact_at = match body.first_contact_at {
        None => now,
        Some(_) if actor.role != Role::Desk => {
            errors.add(
                "first_contact_at",
                "not_allowed",
                "only the desk records an earlier first contact",
            );
            now
        }
        Some(at) if at > now => {
            errors.add(
                "first_contact_at",
                "in_the_future",
                "must not be later than the receipt",
            );
            now
        }
        Some(at) => at,
    };
    errors.into_result()?;
    let (
        Some(title),
        Some(summary),
        Some(text_body),
        Some(desired),
        Some(theme_list),
        Some(goals),
        Some(areas),
    ) = (title, summary, text_body, desired, theme_list, goals, areas)
    else {
        return Err(ApiError::Internal(
            "validation passed without values".into(),
        ));
    };
    let contact_user_id = match (actor.role, body.contact_user_id) {
        (Role::Partner, None) => Some(actor.id),
        (_, contact) => contact,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let row = conn
        .transaction(async |conn| {
            if let Some(contact) = contact_user_id {
                let fits = users::find(conn, contact)
                    .await?
                    .is_some_and(|u| u.organization_id == Some(organization_id));
                if !fits {
                    return Err(ApiError::validation(
                        "contact_user_id",
                        "unknown_reference",
                        "must be a user of the proposer organization",
                    ));
                }
            }
            let fy = fiscal_year(now);
            let number = db::next_reference_number(conn, fy).await?;
            let row = db::insert(
                conn,
                &NewProposal {
                    id: Uuid::now_v7(),
                    reference: reference(fy, number),
                    fiscal_year: fy,
                    kind: body.kind.as_str().to_owned(),
                    title,
                    summary,
                    body: text_body,
                    themes: theme_list,
                    sdg_goals: goals,
                    policy_areas: areas,
                    desired_support: desired,
                    channel: body.channel.as_str().to_owned(),
                    organization_id,
                    contact_user_id,
                    created_by: caller.actor.id,
                    status: Status::Received.as_str().to_owned(),
                    first_contact_at,
                    received_at: now,
                },
            )
            .await?;
            audit::created(conn, &caller, "proposal", &row).await?;
            let mut created = event(&caller, row.id, "created", "shared");
            created.to_status = Some(Status::Received.as_str().to_owned());
            events::append(conn, created).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/proposals/{}", row.id);
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .take(),
        row.version,
        Proposal::from(row),
    ))
}

/// Lists the cases the caller may see, filtered, ordered by id (receipt order).
#[utoipa::path(tag = "proposals", params(PageParams, ProposalListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of cases", body = Paginated<Proposal>),
        (status = 403, description = "Admins and analysts get no case content", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<PageParams>,
    filter: web::Query<ProposalListParams>,
) -> ApiResult<HttpResponse> {
    let scope = scope(&caller.actor)?;
    let page = params.page()?;
    let filter = filter.into_inner();
    if let Some(goal) = filter.sdg_goal {
        sdg_goals("sdg_goal", &[goal])?;
    }
    let step_status = match filter.step {
        None => None,
        Some(step) => Some(
            workflow::STEPS
                .get(usize::from(step).wrapping_sub(1))
                .copied()
                .ok_or_else(|| {
                    ApiError::validation("step", "out_of_range", "must be between 1 and 6")
                })?,
        ),
    };
    if let (Some(status), Some(at_step)) = (filter.status, step_status) {
        if status != at_step {
            return Err(ApiError::validation(
                "step",
                "conflict",
                "contradicts status",
            ));
        }
    }
    let filter = ProposalFilter {
        status: filter.status.or(step_status).map(|s| s.as_str().to_owned()),
        theme: filter.theme.map(|t| t.as_str().to_owned()),
        sdg_goal: filter.sdg_goal,
        organization_id: filter.organization_id,
        department_id: filter.department_id,
        fiscal_year: filter.fiscal_year,
        received_from: filter.received_from,
        received_to: filter.received_to,
        q: filter
            .q
            .as_deref()
            .map(|q| bounded_text("q", q, 1, 100))
            .transpose()?,
    };
    let mut conn = pool::connection(&state.pool).await?;
    let (rows, next) = page.finish(db::list(&mut conn, scope, &filter, page).await?, |p| p.id);
    Ok(HttpResponse::Ok().json(Paginated::new(
        rows.into_iter().map(Proposal::from).collect(),
        next,
    )))
}

/// One case, with its `ETag` (404 when not visible to the caller).
#[utoipa::path(tag = "proposals", security(("bearer" = [])),
    responses((status = 200, description = "The case", body = Proposal, headers(("ETag" = String))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let row = visible(&mut conn, &caller.actor, *id).await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Proposal::from(row),
    ))
}

/// Organises a case's content (the desk, step 2).
#[utoipa::path(tag = "proposals", request_body = UpdateProposal, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Proposal, headers(("ETag" = String))),
        (status = 403, description = "Only the desk organises content", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[patch("/proposals/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateProposal>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    authorize(&caller.actor, Action::CoordinateCase)?;
    let mut errors = ValidationErrors::new();
    let changes = ProposalChanges {
        title: body
            .title
            .as_deref()
            .and_then(|v| errors.check(bounded_text("title", v, 1, 200))),
        summary: body
            .summary
            .as_deref()
            .and_then(|v| errors.check(bounded_text("summary", v, 1, 2000))),
        body: body
            .body
            .as_deref()
            .and_then(|v| errors.check(bounded_text("body", v, 0, 20000))),
        themes: body.themes.as_deref().and_then(|v| errors.check(themes(v))),
        sdg_goals: body
            .sdg_goals
            .as_deref()
            .and_then(|v| errors.check(sdg_goals("sdg_goals", v))),
        policy_areas: body
            .policy_areas
            .as_deref()
            .and_then(|v| errors.check(list_of_text("policy_areas", v))),
        desired_support: body
            .desired_support
            .as_deref()
            .and_then(|v| errors.check(bounded_text("desired_support", v, 0, 2000))),
        coordination_started_at: None,
    };
    errors.into_result()?;
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            refuse_closed(&before)?;
            let after = db::update(conn, before.id, &changes).await?;
            audit::updated(conn, &caller, "proposal", &before, &after).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Proposal::from(row),
    ))
}

/// Moves a case through the workflow. Only the desk moves steps 1–5; only
/// the lead department records the decision; the proposer may withdraw. An
/// illegal move is 409 listing the moves allowed to the caller now.
#[utoipa::path(tag = "proposals", request_body = TransitionRequest, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the case you read")),
    responses((status = 200, description = "Moved", body = Proposal, headers(("ETag" = String))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move the caller can make now; `allowed_moves` lists those it can", body = crate::problem::Problem, content_type = "application/problem+json",
            example = json!({"type": "https://living-gate.example/problems/conflict", "title": "Conflict", "status": 409,
                "detail": "organizing → adopted is not a move you can make now", "instance": "/v1/proposals/0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50/transitions",
                "request_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e51", "current_status": "organizing",
                "allowed_moves": ["hearing", "received", "declined", "on_hold"]})),
        (status = 412, description = "The case changed since you read it", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is required", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<TransitionRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut errors = ValidationErrors::new();
    let reason = body
        .reason
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .and_then(|r| errors.check(bounded_text("reason", r, 1, 2000)));
    let note = body
        .note_for_proposer
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .and_then(|r| errors.check(bounded_text("note_for_proposer", r, 1, 2000)));
    if matches!(body.to, Status::Declined | Status::NotAdopted) && note.is_none() {
        errors.add("note_for_proposer", "required", "tell the proposer why");
    }
    errors.into_result()?;
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let row = conn
        .transaction(async |conn| {
            let before = if_match.current(db::find_for_update(conn, *id).await?)?;
            apply_move(
                conn,
                &caller,
                &before,
                body.to,
                reason.clone(),
                note.clone(),
            )
            .await
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Proposal::from(row),
    ))
}

/// Checks and applies a move on a locked case, with its audit row and
/// event, inside the caller's transaction.
pub async fn apply_move(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    before: &db::Proposal,
    to: Status,
    reason: Option<String>,
    note: Option<String>,
) -> ApiResult<db::Proposal> {
    let from = status(&before.status);
    let facts = CaseFacts {
        status: from,
        held_from: before.held_from.as_deref().map(status),
        organization_id: before.organization_id,
        lead_department_id: before.lead_department_id,
        has_shared_logic_model: before.has_shared_logic_model,
    };
    workflow::check_move(&caller.actor, &facts, to, reason.as_deref())
        .map_err(|e| move_error(e, from))?;
    let after = db::change_status(conn, before.id, &status_change(before, to, Utc::now())).await?;
    audit::updated(conn, caller, "proposal", before, &after).await?;
    let mut moved = event(caller, after.id, "status_changed", "shared");
    moved.from_status = Some(from.as_str().to_owned());
    moved.to_status = Some(to.as_str().to_owned());
    moved.reason = reason;
    moved.note_for_proposer = note;
    events::append(conn, moved).await?;
    Ok(after)
}

fn move_error(error: MoveError, current: Status) -> ApiError {
    match error {
        MoveError::ReasonRequired => {
            ApiError::validation("reason", "required", "this move needs a reason")
        }
        MoveError::NotAllowed { ref allowed, .. } => ApiError::Conflict {
            detail: error.to_string(),
            extra: Some(serde_json::json!({ "current_status": current, "allowed_moves": allowed })),
        },
        MoveError::NotReadyForDecision => ApiError::Conflict {
            detail: error.to_string(),
            extra: Some(serde_json::json!({ "current_status": current })),
        },
    }
}

/// The columns a move sets: the status, the hold marker, and the first
/// entry time of the step (and of internal coordination, and of closing).
fn status_change(before: &db::Proposal, to: Status, now: DateTime<Utc>) -> StatusChange {
    let first = |at: Option<DateTime<Utc>>| if at.is_none() { Some(now) } else { None };
    let from = status(&before.status);
    StatusChange {
        status: Some(to.as_str().to_owned()),
        held_from: match (from, to) {
            (_, Status::OnHold) => Some(Some(from.as_str().to_owned())),
            (Status::OnHold, _) => Some(None),
            _ => None,
        },
        coordination_started_at: if to == Status::Hearing {
            first(before.coordination_started_at)
        } else {
            None
        },
        organizing_at: if to == Status::Organizing {
            first(before.organizing_at)
        } else {
            None
        },
        hearing_at: if to == Status::Hearing {
            first(before.hearing_at)
        } else {
            None
        },
        matching_at: if to == Status::Matching {
            first(before.matching_at)
        } else {
            None
        },
        logic_model_at: if to == Status::LogicModel {
            first(before.logic_model_at)
        } else {
            None
        },
        awaiting_decision_at: if to == Status::AwaitingDecision {
            first(before.awaiting_decision_at)
        } else {
            None
        },
        closed_at: if to.is_final() { Some(now) } else { None },
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventPageParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A page of events with the cursor to continue from.
#[derive(Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<CaseEvent>,
    /// Continue from here; for the feed it is never null (poll again with it).
    pub next_cursor: Option<String>,
}

/// Decodes an event cursor (an opaque position).
pub fn event_cursor(params: &EventPageParams) -> ApiResult<(Option<i64>, i64)> {
    let limit = params.limit.unwrap_or(crate::pagination::DEFAULT_LIMIT);
    if !(1..=crate::pagination::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation(
            "limit",
            "out_of_range",
            "must be between 1 and 200",
        ));
    }
    let after = params
        .cursor
        .as_deref()
        .map(|raw| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(raw)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.strip_prefix("p:").and_then(|n| n.parse::<i64>().ok()))
                .ok_or_else(|| {
                    ApiError::validation(
                        "cursor",
                        "invalid_cursor",
                        "is not a cursor returned by this API",
                    )
                })
        })
        .transpose()?;
    Ok((after, i64::from(limit)))
}

pub fn encode_event_cursor(position: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("p:{position}"))
}

/// The case's timeline, oldest first: a proposer sees status changes, what
/// was addressed to it and shared messages, never internal reasons.
#[utoipa::path(tag = "proposals", params(EventPageParams), security(("bearer" = [])),
    responses((status = 200, description = "The timeline", body = EventPage),
        (status = 403, description = "Admins and analysts get no case content", body = crate::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/events")]
pub async fn timeline(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<EventPageParams>,
) -> ApiResult<HttpResponse> {
    let (after, limit) = event_cursor(&params)?;
    let audience = audience(&caller.actor)?;
    let mut conn = pool::connection(&state.pool).await?;
    visible(&mut conn, &caller.actor, *id).await?;
    let rows = events::timeline(&mut conn, *id, audience, after, limit + 1).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    let items: Vec<CaseEvent> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|e| CaseEvent::for_audience(e, audience))
        .collect();
    let next_cursor = if more {
        items.last().map(|e| encode_event_cursor(e.position))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(EventPage { items, next_cursor }))
}
