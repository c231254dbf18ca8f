//! The roles of DOMAIN.md, with the admin split into a municipality's and
//! the platform's.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Who a caller is, as far as permissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Coordinators of ZAMA Living Gate: run steps 1–5, manage the directory.
    Desk,
    /// Staff of a city department: hearings, matches, the step-6 decision.
    Department,
    /// People of a proposing company, university or NPO.
    Partner,
    /// BI tools and staff reading figures; never personal data.
    Analyst,
    /// System administrators of one municipality: its departments, users
    /// and invitations.
    Admin,
    /// Administrators of the platform: municipalities, service accounts and
    /// every city's accounts. Like `admin`, never given case content.
    PlatformAdmin,
}

crate::code::codes!(Role {
    Desk => "desk",
    Department => "department",
    Partner => "partner",
    Analyst => "analyst",
    Admin => "admin",
    PlatformAdmin => "platform_admin",
});

impl Role {
    /// What a user of this role must be attached to.
    pub fn affiliation(self) -> Affiliation {
        match self {
            Role::Department => Affiliation::Department,
            Role::Partner => Affiliation::Organization,
            Role::Desk | Role::Admin => Affiliation::Municipality,
            Role::Analyst | Role::PlatformAdmin => Affiliation::None,
        }
    }
}

/// The attachment a role requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affiliation {
    /// A department (and through it, its municipality).
    Department,
    /// A partner organization.
    Organization,
    /// A municipality directly (the desk).
    Municipality,
    /// Nothing.
    None,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role `{0}` (expected one of desk, department, partner, analyst, admin, platform_admin)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::code::Code::from_code(s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
        assert!("Desk".parse::<Role>().is_err());
    }

    #[test]
    fn affiliations_follow_domain_md() {
        assert_eq!(Role::Department.affiliation(), Affiliation::Department);
        assert_eq!(Role::Partner.affiliation(), Affiliation::Organization);
        assert_eq!(Role::Desk.affiliation(), Affiliation::Municipality);
        assert_eq!(Role::Admin.affiliation(), Affiliation::Municipality);
        assert_eq!(Role::PlatformAdmin.affiliation(), Affiliation::None);
    }
}
