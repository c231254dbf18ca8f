//! The access policy: `(actor, action) -> allowed | denied`. Handlers call
//! [`authorize`] before they act; list queries use the scopes below in SQL,
//! so what a caller may see is decided here and only here.
//!
//! A denial is either [`Denied::Forbidden`] (403: the caller may know the
//! thing exists but may not do this) or [`Denied::NotVisible`] (404: the
//! caller must not even learn that the thing exists, e.g. another
//! organization's records).

use crate::{Actor, Role};
use uuid::Uuid;

/// Everything a caller can ask to do, with the object it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read municipalities and departments (reference data for every signed-in caller).
    ReadReferenceData,
    /// Create or change municipalities.
    ManageMunicipalities,
    /// Create or change departments.
    ManageDepartments,
    /// List partner organizations (partners see only their own).
    ListOrganizations,
    /// Read one partner organization.
    ReadOrganization { organization_id: Uuid },
    /// Register a partner organization (the desk does it for walk-in proposers).
    CreateOrganization,
    /// Change a partner organization.
    UpdateOrganization { organization_id: Uuid },
    /// Invite a partner user into an organization.
    InviteToOrganization { organization_id: Uuid },
    /// Invite a department user.
    InviteToDepartment,
    /// List, read and change user accounts.
    ManageUsers,
    /// Create, list and disable BI service accounts.
    ManageServiceAccounts,
    /// Read the audit log.
    ReadAudit,
    /// Submit a proposal for an organization (a partner for its own, the desk for anyone's).
    CreateProposal { organization_id: Uuid },
    /// Organise a case's content, request hearings (the desk's steps 1–5).
    CoordinateCase,
    /// Answer for a department: its hearings, its matches.
    ActForDepartment { department_id: Uuid },
    /// Read the internal coordination of a visible case: hearings and
    /// matches (staff only; a department sees its own).
    ReadCoordination,
    /// Post a message on a visible case; `shared` ones reach the proposer.
    PostMessage { shared: bool },
    /// Update a TRIP and record its measurements (the desk, its lead department).
    UpdateTrip { lead_department_id: Uuid },
    /// Read the KPIs and their targets: aggregates without personal data.
    ReadKpis,
    /// Set the KPI targets of a fiscal year.
    ManageKpiTargets,
    /// Create and change directory entries and taxonomy terms, import, run surveys (the desk).
    ManageDirectory,
    /// Read survey campaigns and their distribution lists (staff).
    ReadSurveys,
    /// Create, change or import into an entry owned by `owner` (its
    /// `municipality_id`), or decide the suggestions made to it: that
    /// city's desk only. Other cities' desks read and search it, and suggest.
    EditEntry { owner: Uuid },
    /// Suggest a correction of any city's entry to its owning desk (staff).
    SuggestCorrection,
    /// Grant, list and revoke confidential access to the hidden fields of
    /// the entries `municipality_id` owns: that city's desk, or an admin of
    /// that city (an admin attached to no city administers every city).
    ManageConfidentialAccess { municipality_id: Uuid },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// 403: known to exist, not yours to do.
    #[error("your role may not do this")]
    Forbidden,
    /// 404: you may not even know it exists.
    #[error("not found")]
    NotVisible,
}

/// Decides whether `actor` may perform `action`.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), Denied> {
    use Action::*;
    use Role::*;
    let allowed = match (action, actor.role) {
        (ReadReferenceData, _) => true,
        (
            ManageMunicipalities
            | ManageDepartments
            | InviteToDepartment
            | ManageUsers
            | ManageServiceAccounts,
            role,
        ) => role == Admin,
        (ListOrganizations, role) => matches!(role, Desk | Admin | Department | Partner),
        (ReadOrganization { organization_id }, Partner) => {
            return own_organization(actor, organization_id);
        }
        (ReadOrganization { .. }, role) => matches!(role, Desk | Admin | Department),
        (CreateOrganization, role) => matches!(role, Desk | Admin),
        (
            UpdateOrganization { organization_id } | InviteToOrganization { organization_id },
            Partner,
        ) => {
            // A partner may see its own organization but not administer it:
            // forbidden for its own, invisible for anybody else's.
            own_organization(actor, organization_id)?;
            false
        }
        (UpdateOrganization { .. } | InviteToOrganization { .. }, role) => {
            matches!(role, Desk | Admin)
        }
        (ReadAudit, role) => matches!(role, Desk | Admin),
        (CreateProposal { organization_id }, Partner) => {
            return own_organization(actor, organization_id)
        }
        (CreateProposal { .. }, role) => role == Desk,
        (CoordinateCase, role) => role == Desk,
        (ActForDepartment { department_id }, Department) => {
            actor.department_id == Some(department_id)
        }
        (ActForDepartment { .. }, _) => false,
        (ReadCoordination, role) => matches!(role, Desk | Department),
        (UpdateTrip { lead_department_id }, role) => match role {
            Desk => true,
            Department => actor.department_id == Some(lead_department_id),
            _ => false,
        },
        (ReadKpis, role) => matches!(role, Desk | Admin | Analyst),
        (ManageKpiTargets, role) => matches!(role, Desk | Admin),
        (ManageDirectory, role) => role == Desk,
        (ReadSurveys, role) => matches!(role, Desk | Department),
        (EditEntry { owner }, role) => role == Desk && actor.municipality_id == Some(owner),
        (SuggestCorrection, role) => matches!(role, Desk | Department),
        (ManageConfidentialAccess { municipality_id }, role) => match role {
            Desk => actor.municipality_id == Some(municipality_id),
            Admin => actor
                .municipality_id
                .is_none_or(|own| own == municipality_id),
            _ => false,
        },
        (PostMessage { shared }, role) => match role {
            Desk | Department => true,
            Partner => shared,
            Analyst | Admin => false,
        },
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

fn own_organization(actor: &Actor, organization_id: Uuid) -> Result<(), Denied> {
    if actor.organization_id == Some(organization_id) {
        Ok(())
    } else {
        Err(Denied::NotVisible)
    }
}

/// Which partner organizations a list may show to `actor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationScope {
    All,
    Only(Uuid),
}

/// The scope of [`Action::ListOrganizations`], for the SQL filter.
pub fn organization_scope(actor: &Actor) -> Result<OrganizationScope, Denied> {
    authorize(actor, Action::ListOrganizations)?;
    match (actor.role, actor.organization_id) {
        (Role::Partner, Some(id)) => Ok(OrganizationScope::Only(id)),
        (Role::Partner, None) => Err(Denied::Forbidden),
        _ => Ok(OrganizationScope::All),
    }
}

/// Which cases a caller sees. Admins manage accounts and are not given case
/// content; analysts read aggregates only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseScope {
    All,
    Organization(Uuid),
    Department(Uuid),
}

pub fn case_scope(actor: &Actor) -> Result<CaseScope, Denied> {
    match (actor.role, actor.organization_id, actor.department_id) {
        (Role::Desk, _, _) => Ok(CaseScope::All),
        (Role::Partner, Some(org), _) => Ok(CaseScope::Organization(org)),
        (Role::Department, _, Some(department)) => Ok(CaseScope::Department(department)),
        _ => Err(Denied::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            id: Uuid::now_v7(),
            role,
            municipality_id: None,
            department_id: None,
            organization_id: (role == Role::Partner).then(Uuid::now_v7),
            is_service_account: false,
        }
    }

    #[test]
    fn only_admins_manage_accounts_and_reference_data() {
        for action in [
            Action::ManageUsers,
            Action::ManageDepartments,
            Action::ManageMunicipalities,
            Action::ManageServiceAccounts,
            Action::InviteToDepartment,
        ] {
            for role in Role::ALL {
                let expected = if role == Role::Admin {
                    Ok(())
                } else {
                    Err(Denied::Forbidden)
                };
                assert_eq!(
                    authorize(&actor(role), action),
                    expected,
                    "{role} {action:?}"
                );
            }
        }
    }

    #[test]
    fn partners_see_their_own_organization_and_nobody_elses() {
        let partner = actor(Role::Partner);
        let own = partner
            .organization_id
            .expect("partner has an organization");
        let other = Uuid::now_v7();
        assert_eq!(
            authorize(
                &partner,
                Action::ReadOrganization {
                    organization_id: own
                }
            ),
            Ok(())
        );
        assert_eq!(
            authorize(
                &partner,
                Action::ReadOrganization {
                    organization_id: other
                }
            ),
            Err(Denied::NotVisible)
        );
        assert_eq!(
            authorize(
                &partner,
                Action::UpdateOrganization {
                    organization_id: own
                }
            ),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            authorize(
                &partner,
                Action::UpdateOrganization {
                    organization_id: other
                }
            ),
            Err(Denied::NotVisible)
        );
        assert_eq!(
            authorize(
                &partner,
                Action::InviteToOrganization {
                    organization_id: other
                }
            ),
            Err(Denied::NotVisible)
        );
        assert_eq!(
            organization_scope(&partner),
            Ok(OrganizationScope::Only(own))
        );
    }

    #[test]
    fn analysts_see_no_records_of_people_or_organizations() {
        let analyst = actor(Role::Analyst);
        assert_eq!(organization_scope(&analyst), Err(Denied::Forbidden));
        assert_eq!(
            authorize(
                &analyst,
                Action::ReadOrganization {
                    organization_id: Uuid::now_v7()
                }
            ),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            authorize(&analyst, Action::ReadAudit),
            Err(Denied::Forbidden)
        );
    }

    #[test]
    fn case_content_is_for_the_desk_departments_and_proposers_only() {
        assert_eq!(case_scope(&actor(Role::Desk)), Ok(CaseScope::All));
        assert_eq!(case_scope(&actor(Role::Admin)), Err(Denied::Forbidden));
        assert_eq!(case_scope(&actor(Role::Analyst)), Err(Denied::Forbidden));
        let partner = actor(Role::Partner);
        assert_eq!(
            case_scope(&partner),
            Ok(CaseScope::Organization(
                partner.organization_id.expect("org")
            ))
        );
        assert_eq!(
            authorize(&partner, Action::PostMessage { shared: false }),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            authorize(&partner, Action::PostMessage { shared: true }),
            Ok(())
        );
        assert_eq!(
            authorize(
                &partner,
                Action::CreateProposal {
                    organization_id: Uuid::now_v7()
                }
            ),
            Err(Denied::NotVisible)
        );
        let department = Actor {
            department_id: Some(Uuid::now_v7()),
            ..actor(Role::Department)
        };
        let own = department.department_id.expect("department");
        assert_eq!(
            authorize(&department, Action::ActForDepartment { department_id: own }),
            Ok(())
        );
        assert_eq!(
            authorize(
                &department,
                Action::ActForDepartment {
                    department_id: Uuid::now_v7()
                }
            ),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            authorize(&department, Action::CoordinateCase),
            Err(Denied::Forbidden)
        );
    }

    #[test]
    fn only_the_desk_manages_the_directory_and_staff_read_surveys() {
        for role in Role::ALL {
            assert_eq!(
                authorize(&actor(role), Action::ManageDirectory).is_ok(),
                role == Role::Desk,
                "{role}"
            );
            assert_eq!(
                authorize(&actor(role), Action::ReadSurveys).is_ok(),
                matches!(role, Role::Desk | Role::Department),
                "{role}"
            );
        }
    }

    #[test]
    fn only_the_owning_desk_edits_an_entry_and_every_staff_member_suggests() {
        let (zama, ayase) = (Uuid::now_v7(), Uuid::now_v7());
        let in_city = |role, city| Actor {
            municipality_id: Some(city),
            ..actor(role)
        };
        assert_eq!(
            authorize(
                &in_city(Role::Desk, zama),
                Action::EditEntry { owner: zama }
            ),
            Ok(())
        );
        for caller in [
            in_city(Role::Desk, ayase),
            in_city(Role::Department, zama),
            in_city(Role::Admin, zama),
            actor(Role::Desk),
            actor(Role::Partner),
        ] {
            assert_eq!(
                authorize(&caller, Action::EditEntry { owner: zama }),
                Err(Denied::Forbidden),
                "{caller:?}"
            );
        }
        for role in Role::ALL {
            assert_eq!(
                authorize(&in_city(role, ayase), Action::SuggestCorrection).is_ok(),
                matches!(role, Role::Desk | Role::Department),
                "{role}"
            );
        }
    }

    #[test]
    fn confidential_access_is_managed_by_the_owning_desk_or_an_admin() {
        let (zama, ayase) = (Uuid::now_v7(), Uuid::now_v7());
        let manage = Action::ManageConfidentialAccess {
            municipality_id: zama,
        };
        let in_city = |role, city| Actor {
            municipality_id: Some(city),
            ..actor(role)
        };
        assert_eq!(authorize(&in_city(Role::Desk, zama), manage), Ok(()));
        assert_eq!(authorize(&in_city(Role::Admin, zama), manage), Ok(()));
        assert_eq!(authorize(&actor(Role::Admin), manage), Ok(()));
        for caller in [
            in_city(Role::Desk, ayase),
            in_city(Role::Admin, ayase),
            in_city(Role::Department, zama),
            actor(Role::Analyst),
        ] {
            assert_eq!(
                authorize(&caller, manage),
                Err(Denied::Forbidden),
                "{caller:?}"
            );
        }
    }

    #[test]
    fn desk_invites_partners_and_reads_the_audit_but_does_not_manage_users() {
        let desk = actor(Role::Desk);
        assert_eq!(
            authorize(
                &desk,
                Action::InviteToOrganization {
                    organization_id: Uuid::now_v7()
                }
            ),
            Ok(())
        );
        assert_eq!(authorize(&desk, Action::ReadAudit), Ok(()));
        assert_eq!(
            authorize(&desk, Action::ManageUsers),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            authorize(&desk, Action::InviteToDepartment),
            Err(Denied::Forbidden)
        );
    }
}
