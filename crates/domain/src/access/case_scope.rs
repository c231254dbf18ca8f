//! Which municipality's cases a caller works in: the rule the database's
//! row-level security enforces beneath the policy (defence in depth).

use super::actor::Actor;
use crate::Role;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseScope {
    /// The cases of one municipality: the city's desk, departments and admin.
    Municipality(Uuid),
    /// Cases of every municipality, narrowed by the policy: a partner's
    /// organization may propose to any city; analysts read figures; the
    /// platform reaches across cities.
    All,
    /// No case at all: the anonymous, and staff with no municipality.
    Nothing,
}

/// The case scope of `actor` (none for the anonymous).
pub fn case_scope(actor: Option<&Actor>) -> CaseScope {
    let Some(actor) = actor else {
        return CaseScope::Nothing;
    };
    match actor.role {
        Role::Desk | Role::Department | Role::Admin => actor
            .municipality_id
            .map_or(CaseScope::Nothing, CaseScope::Municipality),
        Role::Partner | Role::Analyst | Role::PlatformAdmin => CaseScope::All,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, municipality_id: Option<Uuid>) -> Actor {
        Actor {
            id: Uuid::nil(),
            role,
            municipality_id,
            department_id: None,
            organization_id: None,
            is_service_account: false,
        }
    }

    #[test]
    fn city_staff_work_in_their_city_and_nowhere_without_one() {
        let zama = Uuid::now_v7();
        for role in [Role::Desk, Role::Department, Role::Admin] {
            assert_eq!(
                case_scope(Some(&actor(role, Some(zama)))),
                CaseScope::Municipality(zama)
            );
            assert_eq!(case_scope(Some(&actor(role, None))), CaseScope::Nothing);
        }
        assert_eq!(case_scope(None), CaseScope::Nothing);
        assert_eq!(
            case_scope(Some(&actor(Role::Partner, None))),
            CaseScope::All
        );
    }
}
