//! Who may read and who may attach: exactly who may see what a file hangs
//! off. A case's files: whoever sees the case, the proposer only the shared
//! ones; a hearing's (its minutes, internal): the desk and that department;
//! a logic-model version's: whoever sees that version (drafts: the desk).
//! Another city's or an unseen thing is 404; admins and analysts 403.

use crate::desk::cases::{own_department, visible};
use crate::http::problem::{ApiError, ApiResult};
use living_gate_db::desk::attachments::Target;
use living_gate_db::desk::{hearings, logic_models};
use living_gate_db::AsyncPgConnection;
use living_gate_domain::desk::attachment::AttachedTo;
use living_gate_domain::desk::feed::Visibility;
use living_gate_domain::desk::logic_model::LogicModelStatus;
use living_gate_domain::{authorize, Action, Actor, Role};
use uuid::Uuid;

/// What a file hangs off, once the caller may see it.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub target: Target,
    pub proposal_id: Uuid,
    pub attached_to: AttachedTo,
    pub hearing_id: Option<Uuid>,
    pub logic_model_version: Option<i32>,
    /// A hearing's department: only it (and the desk) hears of the file.
    pub department_id: Option<Uuid>,
    /// The visibility the place gives a file by default, and the widest
    /// it allows.
    pub default_visibility: Visibility,
    pub widest: Visibility,
    /// The caller sees only shared files here (the proposer).
    pub shared_only: bool,
}

/// The place if the caller may see it.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    target: Target,
) -> ApiResult<Place> {
    let partner = actor.role == Role::Partner;
    match target {
        Target::Proposal(id) => {
            visible(conn, actor, id).await?;
            Ok(Place {
                target,
                proposal_id: id,
                attached_to: AttachedTo::Proposal,
                hearing_id: None,
                logic_model_version: None,
                department_id: None,
                default_visibility: if partner {
                    Visibility::Shared
                } else {
                    Visibility::Internal
                },
                widest: Visibility::Shared,
                shared_only: partner,
            })
        }
        Target::Hearing(id) => {
            let hearing = hearings::find(conn, id).await?.ok_or(ApiError::NotFound)?;
            visible(conn, actor, hearing.proposal_id).await?;
            authorize(actor, Action::ReadCoordination)?;
            if own_department(actor).is_some_and(|own| own != hearing.department_id) {
                return Err(ApiError::NotFound);
            }
            Ok(Place {
                target,
                proposal_id: hearing.proposal_id,
                attached_to: AttachedTo::Hearing,
                hearing_id: Some(id),
                logic_model_version: None,
                department_id: Some(hearing.department_id),
                default_visibility: Visibility::Internal,
                widest: Visibility::Internal,
                shared_only: false,
            })
        }
        Target::LogicModel {
            proposal_id,
            version,
        } => {
            visible(conn, actor, proposal_id).await?;
            let drafts_hidden = actor.role != Role::Desk;
            let model = logic_models::find(conn, proposal_id, Some(version), drafts_hidden)
                .await?
                .ok_or(ApiError::NotFound)?;
            let follows = match model.status {
                LogicModelStatus::Shared => Visibility::Shared,
                _ => Visibility::Internal,
            };
            Ok(Place {
                target,
                proposal_id,
                attached_to: AttachedTo::LogicModel,
                hearing_id: None,
                logic_model_version: Some(version),
                department_id: None,
                default_visibility: follows,
                widest: follows,
                shared_only: partner,
            })
        }
    }
}

/// The place if the caller may attach a file of `visibility` (the place's
/// default when `None`) to it: the visibility the file gets.
pub async fn attachable(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    target: Target,
    visibility: Option<Visibility>,
) -> ApiResult<(Place, Visibility)> {
    let place = readable(conn, actor, target).await?;
    let visibility = visibility.unwrap_or(place.default_visibility);
    match place.attached_to {
        AttachedTo::Proposal => authorize(
            actor,
            Action::AttachToCase {
                shared: visibility == Visibility::Shared,
            },
        )?,
        AttachedTo::Hearing => match place.department_id {
            Some(department_id) if actor.role == Role::Department => {
                authorize(actor, Action::ActForDepartment { department_id })?
            }
            _ => authorize(actor, Action::CoordinateCase)?,
        },
        AttachedTo::LogicModel => authorize(actor, Action::CoordinateCase)?,
    }
    if visibility == Visibility::Shared && place.widest == Visibility::Internal {
        return Err(ApiError::validation(
            "visibility",
            "too_wide",
            match place.attached_to {
                AttachedTo::Hearing => "a hearing's files are internal",
                _ => "a draft logic model's files are internal",
            },
        ));
    }
    Ok((place, visibility))
}

/// The place of a stored attachment.
pub fn target_of(row: &living_gate_db::desk::attachments::Attachment) -> Target {
    match (row.attached_to, row.hearing_id, row.logic_model_version) {
        (AttachedTo::Hearing, Some(hearing), _) => Target::Hearing(hearing),
        (AttachedTo::LogicModel, _, Some(version)) => Target::LogicModel {
            proposal_id: row.proposal_id,
            version,
        },
        _ => Target::Proposal(row.proposal_id),
    }
}
