//! Step 1 and 2: submitting a proposal, listing and reading cases, and the
//! desk organising their content.

use crate::auth::Caller;
use crate::desk::cases::{
    check_content, list_of_text, present, present_all, refuse_closed, scope, themes, visible,
    visible_presented, ContentInput, Proposal,
};
use crate::http::body::Json;
use crate::http::bounds::{check_instant, check_optional_year};
use crate::http::etag::with_etag;
use crate::http::etag::IfMatch;
use crate::http::pagination::{PageParams, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::proposals::{self as db, NewProposal, ProposalChanges, ProposalFilter};
use living_gate_db::Page;
use living_gate_db::{accounts::users, pool, reference::municipalities};
use living_gate_domain::access::policy::{case_municipality, CaseCityRefusal};
use living_gate_domain::csv;
use living_gate_domain::desk::proposal::{sdg_goals, Channel, Kind, Theme};
use living_gate_domain::desk::workflow::{self, Status};
use living_gate_domain::fiscal::{fiscal_year, reference};
use living_gate_domain::identity::RecordStatus;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Role, ValidationErrors};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "proposal", "title": "空き店舗を活用した多世代の居場所づくり",
    "summary": "駅前の空き店舗で、高齢者と子育て世代が交流できる場を開く。", "themes": ["community_support"],
    "sdg_goals": [3, 11], "policy_areas": ["地域共生"], "desired_support": "物件所有者との調整、広報", "channel": "web",
    "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02"
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
    /// The city the case is for (`GET /v1/municipalities`): required from
    /// partners (an organization may propose to several cities); the desk's
    /// cases are its own city's (omit it, or name the desk's own city).
    pub municipality_id: Option<Uuid>,
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
    #[param(minimum = 2000, maximum = 2200, example = 2026)]
    pub fiscal_year: Option<i32>,
    /// Received at or after this instant (years 1900 to 2200).
    pub received_from: Option<DateTime<Utc>>,
    /// Received before this instant (years 1900 to 2200).
    pub received_to: Option<DateTime<Utc>>,
    /// Substring of title, summary or body; Japanese works (e.g. `居場所`).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Cases coordinated by this desk user (担当者): `me` or a user id.
    #[param(example = "me")]
    pub coordinator: Option<String>,
}

/// Submits a proposal or consultation (a partner for its own organization,
/// the desk on a proposer's behalf). Honours `Idempotency-Key`.
#[utoipa::path(operation_id = "createProposal", tag = "proposals", request_body = CreateProposal, security(("bearer" = [])),
    responses((status = 201, description = "Received", body = Proposal, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only partners and the desk submit", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateProposal>,
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
    let municipality_id = match case_municipality(actor, body.municipality_id) {
        Ok(id) => Some(id),
        Err(CaseCityRefusal::Required) => {
            errors.add(
                "municipality_id",
                "required",
                "name the city the proposal is for",
            );
            None
        }
        Err(CaseCityRefusal::NotYourCity) => {
            errors.add(
                "municipality_id",
                "not_allowed",
                "the desk registers cases of its own city only",
            );
            None
        }
    };
    let content = check_content(
        &mut errors,
        "",
        ContentInput {
            title: &body.title,
            summary: &body.summary,
            body: &body.body,
            desired_support: &body.desired_support,
            themes: &body.themes,
            sdg_goals: &body.sdg_goals,
            policy_areas: &body.policy_areas,
        },
    );
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
    let (Some(content), Some(municipality_id)) = (content, municipality_id) else {
        return Err(ApiError::internal("validation passed without values"));
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
            let city = municipalities::find(conn, municipality_id)
                .await?
                .filter(|m| m.status == RecordStatus::Active)
                .ok_or_else(|| {
                    ApiError::validation(
                        "municipality_id",
                        "unknown_reference",
                        "no such active municipality",
                    )
                })?;
            let fy = fiscal_year(now);
            let number = db::next_reference_number(conn, city.id, fy).await?;
            let row = db::insert(
                conn,
                &NewProposal {
                    id: Uuid::now_v7(),
                    municipality_id: city.id,
                    reference: reference(&city.reference_prefix, fy, number),
                    fiscal_year: fy,
                    kind: body.kind,
                    title: content.title,
                    summary: content.summary,
                    body: content.body,
                    themes: content.themes,
                    sdg_goals: content.sdg_goals,
                    policy_areas: content.policy_areas,
                    desired_support: content.desired_support,
                    channel: body.channel,
                    organization_id,
                    contact_user_id,
                    created_by: caller.actor.id,
                    status: Status::Received,
                    first_contact_at,
                    received_at: now,
                },
            )
            .await?;
            let mut created = FeedEvent::case(row.id, EventKind::Created, Visibility::Shared);
            created.to_status = Some(Status::Received);
            record::created(conn, &caller, "proposal", &row, created).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    let location = format!("/v1/proposals/{}", row.id);
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .take(),
        row.version,
        present(&mut conn, &caller.actor, row).await?,
    ))
}

/// Lists the cases the caller may see, filtered, ordered by id (receipt order).
/// With `Accept: text/csv`: every case matching the same filters (no
/// pages: `limit` and `cursor` are ignored) as one CSV for Excel (UTF-8
/// with BOM, CRLF, every cell quoted), at most 10,000 rows; more is 422
/// `too_many_rows` (narrow the filters, e.g. by `fiscal_year`), never a
/// silently cut file.
#[utoipa::path(operation_id = "listProposals", tag = "proposals", params(PageParams, ProposalListParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of cases", content(
            (Paginated<Proposal> = "application/json"),
            (String = "text/csv", example = "\u{feff}\"id\",\"reference\",\"fiscal_year\",\"kind\",\"status\",\"title\",\"summary\",\"themes\",\"sdg_goals\",\"channel\",\"organization_id\",\"lead_department_id\",\"coordinator_id\",\"decision_due_on\",\"first_contact_at\",\"received_at\",\"closed_at\"\r\n\"0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50\",\"ZLG-2026-0007\",\"2026\",\"proposal\",\"hearing\",\"空き店舗を活用した多世代の居場所づくり\",\"駅前の空き店舗で…\",\"community_support\",\"3 11\",\"web\",\"0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e20\",\"\",\"\",\"\",\"2026-05-08T01:00:00Z\",\"2026-05-10T00:30:00Z\",\"\"\r\n"))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<PageParams>,
    filter: web::Query<ProposalListParams>,
) -> ApiResult<HttpResponse> {
    let scope = scope(&caller.actor)?;
    let page = params.page()?;
    let filter = filter.into_inner();
    let coordinator_id = match filter.coordinator.as_deref() {
        None => None,
        Some("me") => Some(caller.actor.id),
        Some(raw) => Some(
            Uuid::parse_str(raw)
                .map_err(|_| ApiError::validation("coordinator", "invalid", "`me` or a user id"))?,
        ),
    };
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
        status: filter.status.or(step_status),
        theme: filter.theme,
        sdg_goal: filter.sdg_goal,
        organization_id: filter.organization_id,
        department_id: filter.department_id,
        fiscal_year: check_optional_year("fiscal_year", filter.fiscal_year)?,
        received_from: check_instant("received_from", filter.received_from)?,
        received_to: check_instant("received_to", filter.received_to)?,
        q: filter
            .q
            .as_deref()
            .map(|q| bounded_text("q", q, 1, 100))
            .transpose()?,
        coordinator_id,
    };
    let mut conn = pool::connection(&state.pool).await?;
    if crate::http::download::wants_csv(&req) {
        let all = Page {
            after: None,
            limit: CSV_ROWS,
        };
        let rows = db::list(&mut conn, scope, &filter, all).await?;
        if rows.len() as i64 > CSV_ROWS {
            return Err(ApiError::validation(
                "filter",
                "too_many_rows",
                format!("more than {CSV_ROWS} cases match: narrow the filters"),
            ));
        }
        let cases = present_all(&mut conn, &caller.actor, rows).await?;
        return Ok(crate::http::download::csv(
            "proposals",
            csv::document(&CSV_HEADERS, cases.iter().map(csv_row)),
        ));
    }
    let (rows, next) = page.finish(db::list(&mut conn, scope, &filter, page).await?, |p| p.id);
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept, Accept-Encoding"))
        .json(Paginated::new(
            present_all(&mut conn, &caller.actor, rows).await?,
            next,
        )))
}

/// The most cases one CSV holds.
const CSV_ROWS: i64 = 10_000;

const CSV_HEADERS: [&str; 17] = [
    "id",
    "reference",
    "fiscal_year",
    "kind",
    "status",
    "title",
    "summary",
    "themes",
    "sdg_goals",
    "channel",
    "organization_id",
    "lead_department_id",
    "coordinator_id",
    "decision_due_on",
    "first_contact_at",
    "received_at",
    "closed_at",
];

/// A case as a CSV row: the list's fields, lists space-separated.
fn csv_row(p: &Proposal) -> Vec<String> {
    let optional = |id: Option<Uuid>| id.map(|i| i.to_string()).unwrap_or_default();
    let instant = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Secs, true);
    vec![
        p.id.to_string(),
        p.reference.clone(),
        p.fiscal_year.to_string(),
        p.kind.as_str().to_owned(),
        p.status.as_str().to_owned(),
        p.title.clone(),
        p.summary.clone(),
        p.themes
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        p.sdg_goals
            .iter()
            .map(|g| g.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        p.channel.as_str().to_owned(),
        p.organization_id.to_string(),
        optional(p.lead_department_id),
        optional(p.coordinator_id),
        p.decision_due_on.map(|d| d.to_string()).unwrap_or_default(),
        instant(p.first_contact_at),
        instant(p.received_at),
        p.closed_at.map(instant).unwrap_or_default(),
    ]
}

/// One case, with its `ETag` (404 when not visible to the caller).
#[utoipa::path(operation_id = "getProposal", tag = "proposals", security(("bearer" = [])),
    responses((status = 200, description = "The case", body = Proposal, headers(("ETag" = String))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let (version, case) = visible_presented(&mut conn, &caller.actor, *id).await?;
    Ok(with_etag(HttpResponse::Ok(), version, case))
}

/// Organises a case's content (the desk, step 2).
#[utoipa::path(operation_id = "updateProposal", tag = "proposals", request_body = UpdateProposal, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Updated", body = Proposal, headers(("ETag" = String))),
        (status = 403, description = "Only the desk organises content", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[patch("/proposals/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateProposal>,
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
        themes: body
            .themes
            .as_deref()
            .and_then(|v| errors.check(themes("themes", v))),
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
            // The proposer sees that its proposal's content was organised
            // (the content itself it reads from the case).
            let organised =
                FeedEvent::case(after.id, EventKind::ProposalUpdated, Visibility::Shared);
            record::updated(conn, &caller, "proposal", &before, &after, organised).await?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        present(&mut conn, &caller.actor, row).await?,
    ))
}
