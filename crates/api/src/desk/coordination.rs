//! Internal coordination (steps 3 and 4) as a write, for the handlers and
//! the demo data alike: a hearing request (which starts KPI 2's clock if
//! nothing started it yet), its answer, and a department's decision on a
//! match (an accepted lead becomes the case's lead department), each with
//! its audit row and feed event.

use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Author, EventKind, FeedEvent, Visibility};
use chrono::{DateTime, Utc};
use living_gate_db::desk::hearings::{self, Hearing, HearingAnswer, NewHearing};
use living_gate_db::desk::matches::{self, Match, MatchDecision};
use living_gate_db::desk::proposals::{self, Proposal, ProposalChanges};
use living_gate_db::{AsyncPgConnection, DbError};
use living_gate_domain::desk::coordination::{MatchRole, MatchStatus};

/// Asks a department for a hearing on a locked case, at `at`.
pub async fn request_hearing(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    case: &Proposal,
    new: &NewHearing,
    at: DateTime<Utc>,
) -> ApiResult<Hearing> {
    let row = hearings::insert(conn, new).await?;
    if case.coordination_started_at.is_none() {
        let started = ProposalChanges {
            coordination_started_at: Some(at),
            ..ProposalChanges::default()
        };
        proposals::update(conn, case.id, &started).await?;
    }
    let requested = FeedEvent::case(case.id, EventKind::HearingRequested, Visibility::Internal)
        .for_department(row.department_id)
        .subject(row.id);
    record::created(conn, author, "hearing", &row, requested).await?;
    Ok(row)
}

/// Records a department's answer to a locked hearing.
pub async fn answer_hearing(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    before: &Hearing,
    answer: &HearingAnswer,
) -> ApiResult<Hearing> {
    let after = hearings::update(conn, before.id, answer).await?;
    let answered = FeedEvent::case(
        after.proposal_id,
        EventKind::HearingAnswered,
        Visibility::Internal,
    )
    .for_department(after.department_id)
    .subject(after.id);
    record::updated(conn, author, "hearing", before, &after, answered).await?;
    Ok(after)
}

/// The department's decision on a locked, still proposed match, at `at`.
/// Of two departments accepting the lead at once, one wins (409 for the
/// other, from the unique index).
pub async fn decide_match(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    before: &Match,
    accepting: bool,
    reason: &str,
    at: DateTime<Utc>,
) -> ApiResult<Match> {
    let decision = MatchDecision {
        status: Some(if accepting {
            MatchStatus::Accepted
        } else {
            MatchStatus::Declined
        }),
        reason: Some(reason.to_owned()),
        decided_by: Some(author.actor().id),
        decided_at: Some(at),
    };
    let after = matches::update(conn, before.id, &decision)
        .await
        .map_err(|e| match e {
            DbError::UniqueViolation { .. } => ApiError::Conflict {
                detail: "another department has already accepted the lead".into(),
                extra: None,
            },
            other => other.into(),
        })?;
    if accepting && after.role == MatchRole::Lead {
        matches::set_lead_department(conn, after.proposal_id, after.department_id).await?;
    }
    let mut decided = FeedEvent::case(
        after.proposal_id,
        if accepting {
            EventKind::MatchAccepted
        } else {
            EventKind::MatchDeclined
        },
        Visibility::Internal,
    )
    .for_department(after.department_id)
    .subject(after.id);
    decided.reason = Some(reason.to_owned());
    record::updated(conn, author, "match", before, &after, decided).await?;
    Ok(after)
}
