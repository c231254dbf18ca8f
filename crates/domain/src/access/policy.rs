//! The access policy: `(actor, action) -> allowed | denied`. Handlers call
//! [`authorize`] before they act; list queries use the scopes below in SQL,
//! so what a caller may see is decided here and only here.
//!
//! A denial is either [`Denied::Forbidden`] (403: the caller may know the
//! thing exists but may not do this) or [`Denied::NotVisible`] (404: the
//! caller must not even learn that the thing exists, e.g. another
//! organization's records).
//!
//! Tenancy: a desk, its departments, its cases, its KPIs and its audit log
//! belong to one municipality. The desk and departments see their own
//! city's cases only ([`case_scope`]); a municipal admin manages its own
//! city's departments and accounts; the platform admin manages
//! municipalities, service accounts and every city's accounts. Neither admin
//! is given case content.

use crate::{Actor, Role};
use uuid::Uuid;

/// Everything a caller can ask to do, with the object it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read municipalities and departments (reference data for every signed-in caller).
    ReadReferenceData,
    /// Create or change municipalities (the platform admin).
    ManageMunicipalities,
    /// Create or change a department of this municipality.
    ManageDepartments { municipality_id: Uuid },
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
    /// Invite a user into a department of this municipality.
    InviteToDepartment { municipality_id: Uuid },
    /// List user accounts (of the admin's city, or all for the platform admin).
    ManageUsers,
    /// Read or change one account, of this municipality (`None`: partners,
    /// analysts and platform admins, which belong to no city).
    ManageAccount { municipality_id: Option<Uuid> },
    /// Create, list and disable BI service accounts (the platform admin).
    ManageServiceAccounts,
    /// Register or change an identity provider of this city (`None`: a
    /// provider of no city, such as GビズID: the platform admin's only).
    ManageIdentityProviders { municipality_id: Option<Uuid> },
    /// Enrol or remove one's own second factor (TOTP): any person with an
    /// account, never a service account.
    ManageOwnSecondFactor,
    /// Read the audit log.
    ReadAudit,
    /// Send a dead message of the outbox again (the desk of its city).
    RetryDelivery,
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
    /// Record that a resident was introduced to a directory entry (a
    /// support worker: the desk or a department of a city).
    RecordReferral,
    /// List introductions of the caller's city, from it or to its entries
    /// (staff; the platform admin every city's).
    ReadReferrals,
    /// Correct an introduction of city `municipality_id` recorded by
    /// `department_id` (the desk of that city, or that department).
    UpdateReferral {
        municipality_id: Uuid,
        department_id: Option<Uuid>,
    },
    /// Read the platform's liaison meetings, follow-ups and events (staff
    /// of the cities; the platform admin). Which meetings: row-level security.
    ReadPlatformWork,
    /// Record a liaison meeting or an event, add to it or correct it: the
    /// desk of a city that takes part (`city_takes_part`: the caller's city
    /// is among the meeting's cities, the event's venue or organizers), or
    /// the platform admin.
    RecordPlatformWork { city_takes_part: bool },
    /// Mark a follow-up done: its owner, the desk of a city that took part
    /// in the meeting, or the platform admin.
    CompleteFollowUp {
        owner_id: Uuid,
        city_takes_part: bool,
    },
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
    /// Attach a file to a visible case; `shared` ones reach the proposer
    /// (a partner's always are).
    AttachToCase { shared: bool },
    /// Read the retention rules and runs, and run them now (the platform admin).
    ManageRetention,
    /// Read and set the retention rules' ages: the platform admin the
    /// platform's defaults, a city's admin its city's own ages.
    ManageRetentionRules,
    /// Export every record that names one person (開示請求): the desk and
    /// admin of the person's city, the platform admin. A person of no city
    /// (a partner) is of every city holding a case or intake that names them
    /// (`in_callers_city`). Other cities' staff must not learn of the
    /// person: 404.
    DisclosePersonalData { in_callers_city: bool },
    /// Anonymize one person: the admin of the person's city (`None`: a
    /// person of no city, the platform admin's only, 404 to a city's admin),
    /// the platform admin.
    AnonymizePerson { municipality_id: Option<Uuid> },
    /// Subscribe to webhooks (issue 16): whoever reads the feed (the desk, a
    /// department, a partner), for itself; the subscription sees what its
    /// owner sees.
    SubscribeWebhooks,
    /// List webhook subscriptions: the desk and admin of a city all of
    /// theirs, a department or partner its own.
    ListWebhooks,
    /// Read, change, pause, rotate, ping or replay one subscription: its
    /// owner, or the desk or admin of its city; 404 to anyone else.
    ManageWebhook {
        owner_id: Uuid,
        municipality_id: Option<Uuid>,
    },
    /// See the state of the backups and the WAL archive (the platform admin).
    ViewBackups,
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
        (ManageMunicipalities | ManageServiceAccounts | ManageRetention | ViewBackups, role) => {
            role == PlatformAdmin
        }
        (ManageUsers, role) => matches!(role, Admin | PlatformAdmin),
        (ManageRetentionRules, role) => match role {
            PlatformAdmin => true,
            Admin => actor.municipality_id.is_some(),
            _ => false,
        },
        (DisclosePersonalData { in_callers_city }, role) => match role {
            PlatformAdmin => true,
            Desk | Admin if in_callers_city && actor.municipality_id.is_some() => true,
            Desk | Admin => return Err(Denied::NotVisible),
            _ => false,
        },
        (AnonymizePerson { municipality_id }, role) => match role {
            PlatformAdmin => true,
            Admin if municipality_id.is_some() && actor.municipality_id == municipality_id => true,
            Admin => return Err(Denied::NotVisible),
            _ => false,
        },
        (SubscribeWebhooks, role) => matches!(role, Desk | Department | Partner),
        (ListWebhooks, role) => matches!(role, Desk | Admin | Department | Partner),
        (
            ManageWebhook {
                owner_id,
                municipality_id,
            },
            role,
        ) => {
            let city_staff = matches!(role, Desk | Admin)
                && municipality_id.is_some()
                && actor.municipality_id == municipality_id;
            if actor.id == owner_id || city_staff {
                true
            } else {
                return Err(Denied::NotVisible);
            }
        }
        (ManageIdentityProviders { municipality_id }, role) => match role {
            PlatformAdmin => true,
            Admin => municipality_id.is_some() && actor.municipality_id == municipality_id,
            _ => false,
        },
        (ManageOwnSecondFactor, _) => !actor.is_service_account,
        (ManageDepartments { municipality_id } | InviteToDepartment { municipality_id }, role) => {
            match role {
                PlatformAdmin => true,
                Admin => actor.municipality_id == Some(municipality_id),
                _ => false,
            }
        }
        (ManageAccount { municipality_id }, role) => match role {
            PlatformAdmin => true,
            // Another city's account, or one of no city: not the admin's to know.
            Admin if municipality_id.is_none() || actor.municipality_id != municipality_id => {
                return Err(Denied::NotVisible)
            }
            Admin => true,
            _ => false,
        },
        (ListOrganizations, role) => {
            matches!(role, Desk | Admin | PlatformAdmin | Department | Partner)
        }
        (ReadOrganization { organization_id }, Partner) => {
            return own_organization(actor, organization_id);
        }
        (ReadOrganization { .. }, role) => {
            matches!(role, Desk | Admin | PlatformAdmin | Department)
        }
        (CreateOrganization, role) => matches!(role, Desk | Admin | PlatformAdmin),
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
            matches!(role, Desk | Admin | PlatformAdmin)
        }
        (ReadAudit, role) => matches!(role, Desk | Admin | PlatformAdmin),
        (RetryDelivery, role) => role == Desk,
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
        (ReadKpis, role) => matches!(role, Desk | Admin | PlatformAdmin | Analyst),
        (RecordReferral, role) => {
            matches!(role, Desk | Department) && actor.municipality_id.is_some()
        }
        (ReadReferrals, role) => matches!(role, Desk | Department | PlatformAdmin),
        (
            UpdateReferral {
                municipality_id,
                department_id,
            },
            role,
        ) => {
            actor.municipality_id == Some(municipality_id)
                && match role {
                    Desk => true,
                    Department => department_id.is_some() && actor.department_id == department_id,
                    _ => false,
                }
        }
        (ReadPlatformWork, role) => matches!(role, Desk | Department | PlatformAdmin),
        (RecordPlatformWork { city_takes_part }, role) => match role {
            Desk => city_takes_part,
            PlatformAdmin => true,
            _ => false,
        },
        (
            CompleteFollowUp {
                owner_id,
                city_takes_part,
            },
            role,
        ) => match role {
            Desk => city_takes_part || actor.id == owner_id,
            Department => actor.id == owner_id,
            PlatformAdmin => true,
            _ => false,
        },
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
        (AttachToCase { shared }, role) => match role {
            Desk | Department => true,
            Partner => shared,
            Analyst | Admin | PlatformAdmin => false,
        },
        (PostMessage { shared }, role) => match role {
            Desk | Department => true,
            Partner => shared,
            Analyst | Admin | PlatformAdmin => false,
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
    /// The desk: every case of its municipality.
    Municipality(Uuid),
    /// A partner: its organization's cases, in whichever cities it proposed.
    Organization(Uuid),
    /// A department: the cases of its municipality it takes part in.
    Department {
        department_id: Uuid,
        municipality_id: Uuid,
    },
}

pub fn case_scope(actor: &Actor) -> Result<CaseScope, Denied> {
    match (
        actor.role,
        actor.municipality_id,
        actor.organization_id,
        actor.department_id,
    ) {
        (Role::Desk, Some(municipality), _, _) => Ok(CaseScope::Municipality(municipality)),
        (Role::Partner, _, Some(org), _) => Ok(CaseScope::Organization(org)),
        (Role::Department, Some(municipality_id), _, Some(department_id)) => {
            Ok(CaseScope::Department {
                department_id,
                municipality_id,
            })
        }
        _ => Err(Denied::Forbidden),
    }
}

/// Why a case cannot be registered in the municipality asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseCityRefusal {
    /// A partner must say which city it proposes to.
    Required,
    /// The desk registers cases of its own city only.
    NotYourCity,
}

/// The municipality a new case belongs to: the desk's own city (when it
/// names one, it must be its own); for a partner, the city it chose
/// (required: an organization may propose to several cities).
pub fn case_municipality(actor: &Actor, requested: Option<Uuid>) -> Result<Uuid, CaseCityRefusal> {
    match (actor.role, actor.municipality_id, requested) {
        (Role::Desk, Some(own), None) => Ok(own),
        (Role::Desk, Some(own), Some(asked)) if asked == own => Ok(own),
        (Role::Desk, _, _) => Err(CaseCityRefusal::NotYourCity),
        (_, _, Some(asked)) => Ok(asked),
        (_, _, None) => Err(CaseCityRefusal::Required),
    }
}

/// A department may be asked to a hearing or matched only with a case of
/// its own municipality.
pub fn department_may_join(case_municipality: Uuid, department_municipality: Uuid) -> bool {
    case_municipality == department_municipality
}

/// Whose KPIs a caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiScope {
    /// One city's figures.
    Municipality(Uuid),
    /// The four cities together (the platform admin and BI service
    /// accounts without a `municipality` filter).
    AllMunicipalities,
}

/// The desk and a municipal admin read their own city's figures (naming
/// another city is 403); the platform admin and analysts read any city's
/// with the filter and all cities together without it.
pub fn kpi_scope(actor: &Actor, requested: Option<Uuid>) -> Result<KpiScope, Denied> {
    authorize(actor, Action::ReadKpis)?;
    match actor.role {
        Role::PlatformAdmin | Role::Analyst => Ok(requested
            .map(KpiScope::Municipality)
            .unwrap_or(KpiScope::AllMunicipalities)),
        _ => match (actor.municipality_id, requested) {
            (Some(own), None) => Ok(KpiScope::Municipality(own)),
            (Some(own), Some(asked)) if asked == own => Ok(KpiScope::Municipality(own)),
            _ => Err(Denied::Forbidden),
        },
    }
}

/// The city whose KPI targets the caller sets: its own (the desk, a municipal admin).
pub fn kpi_target_municipality(actor: &Actor) -> Result<Uuid, Denied> {
    authorize(actor, Action::ManageKpiTargets)?;
    actor.municipality_id.ok_or(Denied::Forbidden)
}

/// Which accounts an admin's lists show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountScope {
    /// A municipal admin: the accounts of its city.
    Municipality(Uuid),
    /// The platform admin: every account.
    All,
}

pub fn account_scope(actor: &Actor) -> Result<AccountScope, Denied> {
    authorize(actor, Action::ManageUsers)?;
    match (actor.role, actor.municipality_id) {
        (Role::PlatformAdmin, _) => Ok(AccountScope::All),
        (_, Some(own)) => Ok(AccountScope::Municipality(own)),
        (_, None) => Err(Denied::Forbidden),
    }
}

/// What of the audit log a reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditScope {
    /// Entries of this city only (`None`: every entry, the platform admin).
    pub municipality: Option<Uuid>,
    /// The `changes` of entries about a case are withheld (admins get no
    /// case content: titles, notes, reasons).
    pub redact_case_changes: bool,
}

pub fn audit_scope(actor: &Actor) -> Result<AuditScope, Denied> {
    authorize(actor, Action::ReadAudit)?;
    let redact_case_changes = matches!(actor.role, Role::Admin | Role::PlatformAdmin);
    match (actor.role, actor.municipality_id) {
        (Role::PlatformAdmin, _) => Ok(AuditScope {
            municipality: None,
            redact_case_changes,
        }),
        (_, Some(own)) => Ok(AuditScope {
            municipality: Some(own),
            redact_case_changes,
        }),
        (_, None) => Err(Denied::Forbidden),
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

    const ZAMA: Uuid = Uuid::from_u128(142166);
    const AYASE: Uuid = Uuid::from_u128(142182);

    fn of_city(role: Role, municipality: Uuid) -> Actor {
        Actor {
            municipality_id: Some(municipality),
            department_id: (role == Role::Department).then(Uuid::now_v7),
            ..actor(role)
        }
    }

    #[test]
    fn the_platform_admin_manages_municipalities_and_service_accounts() {
        for action in [Action::ManageMunicipalities, Action::ManageServiceAccounts] {
            for role in Role::ALL {
                assert_eq!(
                    authorize(&of_city(role, ZAMA), action).is_ok(),
                    role == Role::PlatformAdmin,
                    "{role} {action:?}"
                );
            }
        }
    }

    #[test]
    fn a_municipal_admin_manages_its_own_city_only() {
        let admin = of_city(Role::Admin, ZAMA);
        let platform = actor(Role::PlatformAdmin);
        for action in [
            |m| Action::ManageDepartments { municipality_id: m },
            |m| Action::InviteToDepartment { municipality_id: m },
        ] {
            assert_eq!(authorize(&admin, action(ZAMA)), Ok(()));
            assert_eq!(authorize(&admin, action(AYASE)), Err(Denied::Forbidden));
            assert_eq!(authorize(&platform, action(AYASE)), Ok(()));
            assert_eq!(
                authorize(&of_city(Role::Desk, ZAMA), action(ZAMA)),
                Err(Denied::Forbidden)
            );
        }
        let account = |m| Action::ManageAccount { municipality_id: m };
        assert_eq!(authorize(&admin, account(Some(ZAMA))), Ok(()));
        assert_eq!(
            authorize(&admin, account(Some(AYASE))),
            Err(Denied::NotVisible)
        );
        assert_eq!(authorize(&admin, account(None)), Err(Denied::NotVisible));
        assert_eq!(authorize(&platform, account(None)), Ok(()));
        assert_eq!(account_scope(&admin), Ok(AccountScope::Municipality(ZAMA)));
        assert_eq!(account_scope(&platform), Ok(AccountScope::All));
        assert_eq!(
            account_scope(&of_city(Role::Desk, ZAMA)),
            Err(Denied::Forbidden)
        );
    }

    #[test]
    fn staff_see_their_own_citys_cases_and_partners_their_organizations_in_every_city() {
        assert_eq!(
            case_scope(&of_city(Role::Desk, AYASE)),
            Ok(CaseScope::Municipality(AYASE))
        );
        let department = of_city(Role::Department, AYASE);
        assert_eq!(
            case_scope(&department),
            Ok(CaseScope::Department {
                department_id: department.department_id.expect("department"),
                municipality_id: AYASE
            })
        );
        // A desk account without a city sees nothing.
        assert_eq!(case_scope(&actor(Role::Desk)), Err(Denied::Forbidden));
        let desk = of_city(Role::Desk, ZAMA);
        assert_eq!(case_municipality(&desk, None), Ok(ZAMA));
        assert_eq!(case_municipality(&desk, Some(ZAMA)), Ok(ZAMA));
        assert_eq!(
            case_municipality(&desk, Some(AYASE)),
            Err(CaseCityRefusal::NotYourCity)
        );
        let partner = actor(Role::Partner);
        assert_eq!(case_municipality(&partner, Some(AYASE)), Ok(AYASE));
        assert_eq!(
            case_municipality(&partner, None),
            Err(CaseCityRefusal::Required)
        );
        assert!(department_may_join(ZAMA, ZAMA));
        assert!(!department_may_join(ZAMA, AYASE));
    }

    #[test]
    fn kpis_are_a_citys_for_its_desk_and_admin_and_any_citys_for_bi() {
        for role in [Role::Desk, Role::Admin] {
            let reader = of_city(role, ZAMA);
            assert_eq!(kpi_scope(&reader, None), Ok(KpiScope::Municipality(ZAMA)));
            assert_eq!(
                kpi_scope(&reader, Some(ZAMA)),
                Ok(KpiScope::Municipality(ZAMA))
            );
            assert_eq!(kpi_scope(&reader, Some(AYASE)), Err(Denied::Forbidden));
            assert_eq!(kpi_target_municipality(&reader), Ok(ZAMA));
        }
        for role in [Role::Analyst, Role::PlatformAdmin] {
            assert_eq!(
                kpi_scope(&actor(role), None),
                Ok(KpiScope::AllMunicipalities)
            );
            assert_eq!(
                kpi_scope(&actor(role), Some(AYASE)),
                Ok(KpiScope::Municipality(AYASE))
            );
            assert_eq!(
                kpi_target_municipality(&actor(role)),
                Err(Denied::Forbidden)
            );
        }
        assert_eq!(
            kpi_scope(&of_city(Role::Department, ZAMA), None),
            Err(Denied::Forbidden)
        );
    }

    #[test]
    fn the_audit_log_is_a_citys_and_admins_never_read_case_content() {
        assert_eq!(
            audit_scope(&of_city(Role::Desk, ZAMA)),
            Ok(AuditScope {
                municipality: Some(ZAMA),
                redact_case_changes: false
            })
        );
        assert_eq!(
            audit_scope(&of_city(Role::Admin, AYASE)),
            Ok(AuditScope {
                municipality: Some(AYASE),
                redact_case_changes: true
            })
        );
        assert_eq!(
            audit_scope(&actor(Role::PlatformAdmin)),
            Ok(AuditScope {
                municipality: None,
                redact_case_changes: true
            })
        );
        assert_eq!(
            audit_scope(&of_city(Role::Department, ZAMA)),
            Err(Denied::Forbidden)
        );
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
        assert_eq!(
            case_scope(&of_city(Role::Desk, ZAMA)),
            Ok(CaseScope::Municipality(ZAMA))
        );
        assert_eq!(
            case_scope(&of_city(Role::Admin, ZAMA)),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            case_scope(&actor(Role::PlatformAdmin)),
            Err(Denied::Forbidden)
        );
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
    fn city_staff_record_referrals_and_only_the_recording_city_corrects_them() {
        for role in Role::ALL {
            assert_eq!(
                authorize(&of_city(role, ZAMA), Action::RecordReferral).is_ok(),
                matches!(role, Role::Desk | Role::Department),
                "{role}"
            );
            assert_eq!(
                authorize(&actor(role), Action::ReadReferrals).is_ok(),
                matches!(role, Role::Desk | Role::Department | Role::PlatformAdmin),
                "{role}"
            );
        }
        // A worker belongs to a city: without one, nothing to record.
        assert!(authorize(&actor(Role::Desk), Action::RecordReferral).is_err());
        let department = of_city(Role::Department, ZAMA);
        let own = Action::UpdateReferral {
            municipality_id: ZAMA,
            department_id: department.department_id,
        };
        let desks = Action::UpdateReferral {
            municipality_id: ZAMA,
            department_id: None,
        };
        assert!(authorize(&department, own).is_ok());
        assert!(authorize(&department, desks).is_err());
        assert!(authorize(&of_city(Role::Desk, ZAMA), own).is_ok());
        assert!(authorize(&of_city(Role::Desk, AYASE), own).is_err());
        assert!(authorize(&of_city(Role::Admin, ZAMA), own).is_err());
        assert!(authorize(&actor(Role::PlatformAdmin), own).is_err());
    }

    #[test]
    fn the_desks_of_the_cities_taking_part_record_platform_work_and_owners_complete_follow_ups() {
        for role in Role::ALL {
            assert_eq!(
                authorize(&of_city(role, ZAMA), Action::ReadPlatformWork).is_ok(),
                matches!(role, Role::Desk | Role::Department | Role::PlatformAdmin),
                "{role}"
            );
            assert_eq!(
                authorize(
                    &of_city(role, ZAMA),
                    Action::RecordPlatformWork {
                        city_takes_part: true
                    }
                )
                .is_ok(),
                matches!(role, Role::Desk | Role::PlatformAdmin),
                "{role}"
            );
        }
        let absent = Action::RecordPlatformWork {
            city_takes_part: false,
        };
        assert!(authorize(&of_city(Role::Desk, AYASE), absent).is_err());
        assert!(authorize(&actor(Role::PlatformAdmin), absent).is_ok());
        let department = of_city(Role::Department, ZAMA);
        let own = Action::CompleteFollowUp {
            owner_id: department.id,
            city_takes_part: true,
        };
        let others = Action::CompleteFollowUp {
            owner_id: Uuid::now_v7(),
            city_takes_part: true,
        };
        assert!(authorize(&department, own).is_ok());
        assert!(authorize(&department, others).is_err());
        assert!(authorize(&of_city(Role::Desk, ZAMA), others).is_ok());
        let elsewhere = Action::CompleteFollowUp {
            owner_id: Uuid::now_v7(),
            city_takes_part: false,
        };
        assert!(authorize(&of_city(Role::Desk, AYASE), elsewhere).is_err());
        assert!(authorize(&of_city(Role::Analyst, ZAMA), own).is_err());
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
            authorize(
                &desk,
                Action::InviteToDepartment {
                    municipality_id: Uuid::now_v7()
                }
            ),
            Err(Denied::Forbidden)
        );
    }

    #[test]
    fn personal_data_is_its_citys_desk_and_admin_business_and_the_platforms() {
        let disclose = |in_callers_city| Action::DisclosePersonalData { in_callers_city };
        for role in [Role::Desk, Role::Admin] {
            assert_eq!(authorize(&of_city(role, ZAMA), disclose(true)), Ok(()));
            assert_eq!(
                authorize(&of_city(role, ZAMA), disclose(false)),
                Err(Denied::NotVisible)
            );
        }
        assert_eq!(
            authorize(&actor(Role::PlatformAdmin), disclose(false)),
            Ok(())
        );
        for role in [Role::Department, Role::Partner, Role::Analyst] {
            assert_eq!(
                authorize(&of_city(role, ZAMA), disclose(true)),
                Err(Denied::Forbidden)
            );
        }
        let anonymize = |municipality_id| Action::AnonymizePerson { municipality_id };
        assert_eq!(
            authorize(&of_city(Role::Admin, ZAMA), anonymize(Some(ZAMA))),
            Ok(())
        );
        assert_eq!(
            authorize(&of_city(Role::Admin, ZAMA), anonymize(Some(AYASE))),
            Err(Denied::NotVisible)
        );
        assert_eq!(
            authorize(&of_city(Role::Admin, ZAMA), anonymize(None)),
            Err(Denied::NotVisible)
        );
        assert_eq!(
            authorize(&actor(Role::PlatformAdmin), anonymize(None)),
            Ok(())
        );
        assert_eq!(
            authorize(&of_city(Role::Desk, ZAMA), anonymize(Some(ZAMA))),
            Err(Denied::Forbidden)
        );
        for role in Role::ALL {
            assert_eq!(
                authorize(&of_city(role, ZAMA), Action::ManageRetentionRules).is_ok(),
                matches!(role, Role::Admin | Role::PlatformAdmin),
                "{role}"
            );
        }
        assert_eq!(
            authorize(&actor(Role::Admin), Action::ManageRetentionRules),
            Err(Denied::Forbidden)
        );
    }
}
