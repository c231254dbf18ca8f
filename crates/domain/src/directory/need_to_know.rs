//! Need-to-know for hidden fields (issue 14): who may read the hidden fields
//! of an entry. The directory is shared by the four cities, but each entry
//! has an owning city (its `municipality_id`); its hidden fields (a DV
//! shelter's street) are for that city's desk and for the departments and
//! named users the city explicitly granted confidential access, nobody else.

use super::DirectoryView;
use crate::{Actor, Role};
use uuid::Uuid;

/// Who a confidential-access grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grantee {
    /// Every user of a department (地域福祉課, which refers DV victims).
    Department(Uuid),
    /// One named user.
    User(Uuid),
}

/// An active (not revoked) grant: `grantee` may read the hidden fields of
/// the entries `municipality_id` owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfidentialGrant {
    pub municipality_id: Uuid,
    pub grantee: Grantee,
}

impl ConfidentialGrant {
    /// Whether the grant is for `actor` (only staff are ever granted).
    pub fn covers(&self, actor: &Actor) -> bool {
        if !matches!(actor.role, Role::Desk | Role::Department) {
            return false;
        }
        match self.grantee {
            Grantee::Department(id) => {
                actor.role == Role::Department && actor.department_id == Some(id)
            }
            Grantee::User(id) => actor.id == id,
        }
    }
}

/// The one decision: may `actor` read the hidden fields of an entry owned
/// by `owner`, given the active grants that name the actor? Its city's desk
/// may; a department or user the owning city granted may; nobody else
/// (another city's desk, an ungranted department, partners, analysts,
/// admins, the anonymous).
pub fn may_see_hidden_fields(
    actor: Option<&Actor>,
    owner: Uuid,
    grants: &[ConfidentialGrant],
) -> bool {
    let Some(actor) = actor else {
        return false;
    };
    if actor.is_service_account {
        return false;
    }
    let owning_desk = actor.role == Role::Desk && actor.municipality_id == Some(owner);
    owning_desk
        || grants
            .iter()
            .any(|g| g.municipality_id == owner && g.covers(actor))
}

/// One caller reading the directory: staff or not (staff-only entries and
/// fields), and the owning cities whose hidden fields it may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    view: DirectoryView,
    /// The owning cities whose entries' hidden fields this caller sees.
    confidential: Vec<Uuid>,
}

impl Reader {
    /// The caller with the active grants that name it (by department or by user).
    pub fn of(actor: Option<&Actor>, grants: &[ConfidentialGrant]) -> Reader {
        let mut owners: Vec<Uuid> = actor.and_then(|a| a.municipality_id).into_iter().collect();
        owners.extend(grants.iter().map(|g| g.municipality_id));
        owners.sort();
        owners.dedup();
        Reader {
            view: DirectoryView::of(actor),
            confidential: owners
                .into_iter()
                .filter(|owner| may_see_hidden_fields(actor, *owner, grants))
                .collect(),
        }
    }

    /// Somebody without a token.
    pub fn anonymous() -> Reader {
        Reader::of(None, &[])
    }

    pub fn view(&self) -> DirectoryView {
        self.view
    }

    pub fn is_staff(&self) -> bool {
        self.view.is_staff()
    }

    /// Whether the hidden fields of an entry owned by `owner` are shown.
    pub fn sees_hidden_of(&self, owner: Uuid) -> bool {
        self.confidential.contains(&owner)
    }

    /// The owning cities whose hidden fields this caller sees (for SQL).
    pub fn confidential_municipalities(&self) -> &[Uuid] {
        &self.confidential
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, municipality: Option<Uuid>, department: Option<Uuid>) -> Actor {
        Actor {
            id: Uuid::now_v7(),
            role,
            municipality_id: municipality,
            department_id: department,
            organization_id: None,
            is_service_account: false,
        }
    }

    #[test]
    fn the_owning_desk_and_the_granted_see_hidden_fields_nobody_else() {
        let (zama, ayase) = (Uuid::now_v7(), Uuid::now_v7());
        let (fukushi, kyodo) = (Uuid::now_v7(), Uuid::now_v7());
        let zama_desk = actor(Role::Desk, Some(zama), None);
        let ayase_desk = actor(Role::Desk, Some(ayase), None);
        let granted_department = actor(Role::Department, Some(zama), Some(fukushi));
        let ungranted_department = actor(Role::Department, Some(zama), Some(kyodo));
        let named = actor(Role::Department, Some(ayase), Some(Uuid::now_v7()));
        let grants = [
            ConfidentialGrant {
                municipality_id: zama,
                grantee: Grantee::Department(fukushi),
            },
            ConfidentialGrant {
                municipality_id: zama,
                grantee: Grantee::User(named.id),
            },
        ];
        assert!(may_see_hidden_fields(Some(&zama_desk), zama, &[]));
        assert!(!may_see_hidden_fields(Some(&ayase_desk), zama, &grants));
        assert!(may_see_hidden_fields(Some(&ayase_desk), ayase, &[]));
        assert!(may_see_hidden_fields(
            Some(&granted_department),
            zama,
            &grants
        ));
        assert!(!may_see_hidden_fields(Some(&granted_department), zama, &[]));
        assert!(!may_see_hidden_fields(
            Some(&ungranted_department),
            zama,
            &grants
        ));
        assert!(may_see_hidden_fields(Some(&named), zama, &grants));
        // A grant of Zama says nothing of Ayase's entries.
        assert!(!may_see_hidden_fields(Some(&named), ayase, &grants));
        assert!(!may_see_hidden_fields(None, zama, &grants));
        for role in [Role::Partner, Role::Analyst, Role::Admin] {
            let mut other = actor(role, Some(zama), None);
            assert!(!may_see_hidden_fields(Some(&other), zama, &[]), "{role}");
            let user_grant = [ConfidentialGrant {
                municipality_id: zama,
                grantee: Grantee::User(other.id),
            }];
            assert!(
                !may_see_hidden_fields(Some(&other), zama, &user_grant),
                "{role}: only staff are ever granted"
            );
            other.role = Role::Department;
            assert!(may_see_hidden_fields(Some(&other), zama, &user_grant));
        }
    }

    #[test]
    fn a_reader_knows_the_cities_whose_hidden_fields_it_sees() {
        let (zama, ebina) = (Uuid::now_v7(), Uuid::now_v7());
        let desk = actor(Role::Desk, Some(zama), None);
        let reader = Reader::of(Some(&desk), &[]);
        assert!(reader.is_staff() && reader.sees_hidden_of(zama) && !reader.sees_hidden_of(ebina));
        let department = actor(Role::Department, Some(zama), Some(Uuid::now_v7()));
        let reader = Reader::of(Some(&department), &[]);
        assert!(reader.is_staff());
        assert!(reader.confidential_municipalities().is_empty());
        let grant = ConfidentialGrant {
            municipality_id: ebina,
            grantee: Grantee::User(department.id),
        };
        let reader = Reader::of(Some(&department), &[grant]);
        assert_eq!(reader.confidential_municipalities(), &[ebina]);
        let anonymous = Reader::anonymous();
        assert!(!anonymous.is_staff() && !anonymous.sees_hidden_of(zama));
    }
}
