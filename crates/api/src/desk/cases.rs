//! What every desk handler shares about a case: its response shape, who
//! may see it, the locks and checks before a change, and its events.

use crate::http::bounds::{MAX_YEAR, MIN_YEAR};
use crate::http::problem::{ApiError, ApiResult};
use chrono::Datelike;
use chrono::{DateTime, NaiveDate, Utc};
use living_gate_db::desk::case_management::{self, Management};
use living_gate_db::desk::events::Audience;
use living_gate_db::desk::proposals::{self as db, Scope};
use living_gate_db::AsyncPgConnection;
use living_gate_domain::access::policy::{case_scope, department_may_join, CaseScope};
use living_gate_domain::desk::proposal::{Channel, Kind, Theme};
use living_gate_domain::desk::workflow::Status;
use living_gate_domain::identity::RecordStatus;
use living_gate_domain::names::bounded_text;
use living_gate_domain::{authorize, Action, Actor, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50", "municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e02", "reference": "ZLG-2026-0007", "fiscal_year": 2026, "kind": "proposal",
    "title": "空き店舗を活用した多世代の居場所づくり", "summary": "駅前の空き店舗で、高齢者と子育て世代が交流できる場を開く。",
    "body": "", "themes": ["community_support"], "sdg_goals": [3, 11], "policy_areas": ["地域共生"],
    "desired_support": "物件所有者との調整、広報", "channel": "web",
    "organization_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e20", "contact_user_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e11",
    "status": "hearing", "held_from": null, "lead_department_id": null,
    "first_contact_at": "2026-05-08T10:00:00+09:00", "received_at": "2026-05-10T09:30:00+09:00",
    "step_entered_at": {"received": "2026-05-10T00:30:00Z", "organizing": "2026-05-11T01:00:00Z", "hearing": "2026-05-13T02:00:00Z"},
    "coordination_started_at": "2026-05-12T05:00:00Z", "closed_at": null,
    "coordinator_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e10", "decision_due_on": "2026-07-31",
    "created_at": "2026-05-10T00:30:00Z", "updated_at": "2026-05-13T02:00:00Z"
}))]
pub struct Proposal {
    pub id: Uuid,
    /// The city the case belongs to: the desk's own for the cases it
    /// registers, the one a partner chose for its proposals.
    pub municipality_id: Uuid,
    /// Quoted on the phone: `<city prefix>-<fiscal year>-<number>` (Zama
    /// `ZLG-`, Ayase `AYS-`, Yamato `YMT-`, Ebina `EBN-`), gap-free per city
    /// and fiscal year.
    pub reference: String,
    pub fiscal_year: i32,
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    pub body: String,
    #[schema(value_type = Vec<String>)]
    pub themes: Vec<Theme>,
    pub sdg_goals: Vec<i16>,
    pub policy_areas: Vec<String>,
    pub desired_support: String,
    pub channel: Channel,
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
    /// The desk user of the case's city coordinating it (担当者), set by
    /// `PUT /v1/proposals/{id}/coordinator`. Internal: `null` for the proposer.
    pub coordinator_id: Option<Uuid>,
    /// The day the lead department's decision is due (Japan's calendar);
    /// a reminder goes out once it has passed without a decision. Internal:
    /// `null` for the proposer.
    pub decision_due_on: Option<NaiveDate>,
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

impl Proposal {
    /// A case with its management (`None`: not shown, to the proposer).
    fn with(p: db::Proposal, management: Option<&Management>) -> Self {
        Proposal {
            id: p.id,
            municipality_id: p.municipality_id,
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
            status: p.status,
            held_from: p.held_from,
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
            coordinator_id: management.and_then(|m| m.coordinator_id),
            decision_due_on: management.and_then(|m| m.decision_due_on),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Whether `actor` sees a case's management (coordinator, decision due
/// date): staff do; the proposer does not (internal).
fn sees_management(actor: &Actor) -> bool {
    actor.role != Role::Partner
}

/// The case as `actor` sees it.
pub async fn present(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: db::Proposal,
) -> ApiResult<Proposal> {
    if !sees_management(actor) {
        return Ok(Proposal::with(row, None));
    }
    let management = case_management::of(conn, row.id).await?;
    Ok(Proposal::with(row, Some(&management)))
}

/// The case as `actor` sees it, with its version, if `actor` may see it
/// (404 otherwise): one statement with its management for staff.
pub async fn visible_presented(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<(i64, Proposal)> {
    if !sees_management(actor) {
        let row = visible(conn, actor, id).await?;
        return Ok((row.version, Proposal::with(row, None)));
    }
    let (row, management) = db::find_visible_with_management(conn, id, scope(actor)?)
        .await?
        .ok_or(ApiError::NotFound)?;
    let management = management.unwrap_or_else(|| Management::unset(row.id));
    Ok((row.version, Proposal::with(row, Some(&management))))
}

/// The cases as `actor` sees them (one query for their management).
pub async fn present_all(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    rows: Vec<db::Proposal>,
) -> ApiResult<Vec<Proposal>> {
    if !sees_management(actor) {
        return Ok(rows.into_iter().map(|p| Proposal::with(p, None)).collect());
    }
    let ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
    let found = case_management::of_many(conn, &ids).await?;
    let empty = Management::default();
    Ok(rows
        .into_iter()
        .map(|p| {
            let management = found
                .iter()
                .find(|m| m.proposal_id == p.id)
                .unwrap_or(&empty);
            Proposal::with(p, Some(management))
        })
        .collect())
}

/// The database scope of a caller's cases.
pub fn scope(actor: &Actor) -> ApiResult<Scope> {
    Ok(match case_scope(actor)? {
        CaseScope::Municipality(id) => Scope::Municipality(id),
        CaseScope::Organization(id) => Scope::Organization(id),
        CaseScope::Department {
            department_id,
            municipality_id,
        } => Scope::Department {
            department_id,
            municipality_id,
        },
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
    if case.status.is_final() {
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

/// A department a case can be coordinated with: it exists, is active and
/// belongs to the case's city (422 otherwise).
pub async fn active_department(
    conn: &mut AsyncPgConnection,
    case: &db::Proposal,
    id: Uuid,
) -> ApiResult<()> {
    let department = living_gate_db::reference::departments::find(conn, id)
        .await?
        .filter(|d| d.status == RecordStatus::Active)
        .ok_or_else(|| {
            ApiError::validation(
                "department_id",
                "unknown_reference",
                "no such active department",
            )
        })?;
    if !department_may_join(case.municipality_id, department.municipality_id) {
        return Err(ApiError::validation(
            "department_id",
            "other_municipality",
            "the department belongs to another city than the case",
        ));
    }
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

/// Up to 20 short texts (policy areas).
pub fn list_of_text(field: &str, values: &[String]) -> Result<Vec<String>, ValidationErrors> {
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

/// At least one theme, without repeats.
pub fn themes(field: &str, values: &[Theme]) -> Result<Vec<Theme>, ValidationErrors> {
    if values.is_empty() {
        return Err(ValidationErrors::single(
            field,
            "required",
            "name at least one theme",
        ));
    }
    let mut themes = values.to_vec();
    themes.dedup();
    Ok(themes)
}

/// What a proposal says, as a partner, the desk or the public intake's form
/// submits it.
pub struct ContentInput<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub desired_support: &'a str,
    pub themes: &'a [Theme],
    pub sdg_goals: &'a [i16],
    pub policy_areas: &'a [String],
}

/// A proposal's content, checked: trimmed and within its bounds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Content {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub desired_support: String,
    pub themes: Vec<Theme>,
    pub sdg_goals: Vec<i16>,
    pub policy_areas: Vec<String>,
}

/// Checks a proposal's content, its fields named under `prefix` (`""`, or
/// `"proposal."` in the intake's form); every problem goes to `errors`, and
/// the content comes back only when there was none.
pub fn check_content(
    errors: &mut ValidationErrors,
    prefix: &str,
    input: ContentInput<'_>,
) -> Option<Content> {
    let field = |name: &str| format!("{prefix}{name}");
    let optional_text = |errors: &mut ValidationErrors, name: &str, raw: &str, max: usize| {
        if raw.trim().is_empty() {
            Some(String::new())
        } else {
            errors.check(bounded_text(&field(name), raw, 1, max))
        }
    };
    let title = errors.check(bounded_text(&field("title"), input.title, 1, 200));
    let summary = errors.check(bounded_text(&field("summary"), input.summary, 1, 2000));
    let body = optional_text(errors, "body", input.body, 20000);
    let desired_support = optional_text(errors, "desired_support", input.desired_support, 2000);
    let themes = errors.check(themes(&field("themes"), input.themes));
    let sdg_goals = errors.check(living_gate_domain::desk::proposal::sdg_goals(
        &field("sdg_goals"),
        input.sdg_goals,
    ));
    let policy_areas = errors.check(list_of_text(&field("policy_areas"), input.policy_areas));
    Some(Content {
        title: title?,
        summary: summary?,
        body: body?,
        desired_support: desired_support?,
        themes: themes?,
        sdg_goals: sdg_goals?,
        policy_areas: policy_areas?,
    })
}

/// A due date to set (a hearing's answer, the decision): a day, or `null`
/// to clear it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"due_on": "2026-07-31"}))]
pub struct SetDueDate {
    /// The day (Japan's calendar) it is due, years 2000 to 2200; `null`
    /// clears it. Required.
    #[serde(default, deserialize_with = "crate::http::double_option::deserialize")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_on: Option<Option<NaiveDate>>,
}

/// A field that must be present (a value or `null`), 422 when absent.
pub fn required<T>(field: &str, value: Option<Option<T>>) -> ApiResult<Option<T>> {
    value.ok_or_else(|| ApiError::validation(field, "required", "give a value or null"))
}

/// The due date asked for, within the years the API accepts (422 otherwise).
pub fn due_date(body: &SetDueDate) -> ApiResult<Option<NaiveDate>> {
    let due_on = required("due_on", body.due_on)?;
    if let Some(day) = due_on {
        if !(MIN_YEAR..=MAX_YEAR).contains(&day.year()) {
            return Err(ApiError::validation(
                "due_on",
                "out_of_range",
                format!("must be in the years {MIN_YEAR} to {MAX_YEAR}"),
            ));
        }
    }
    Ok(due_on)
}
