//! Which municipality's case rows a caller works in: the rule the
//! database's row-level security enforces beneath the policy (defence in
//! depth; `living_gate_db::pool` hands it to PostgreSQL). Coarser than
//! [`super::policy::case_scope`], which narrows the rows to what a caller
//! may list.

use super::actor::Actor;
use crate::Role;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowScope {
    /// The cases of one municipality: the city's desk, departments and admin.
    Municipality(Uuid),
    /// Cases of every municipality, narrowed by the policy: a partner's
    /// organization may propose to any city; analysts read figures; the
    /// platform reaches across cities.
    All,
    /// No case at all: the anonymous, and staff with no municipality.
    Nothing,
}

/// The row scope of `actor` (none for the anonymous).
pub fn row_scope(actor: Option<&Actor>) -> RowScope {
    let Some(actor) = actor else {
        return RowScope::Nothing;
    };
    match actor.role {
        Role::Desk | Role::Department | Role::Admin => actor
            .municipality_id
            .map_or(RowScope::Nothing, RowScope::Municipality),
        Role::Partner | Role::Analyst | Role::PlatformAdmin => RowScope::All,
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
                row_scope(Some(&actor(role, Some(zama)))),
                RowScope::Municipality(zama)
            );
            assert_eq!(row_scope(Some(&actor(role, None))), RowScope::Nothing);
        }
        assert_eq!(row_scope(None), RowScope::Nothing);
        assert_eq!(row_scope(Some(&actor(Role::Partner, None))), RowScope::All);
    }
}
