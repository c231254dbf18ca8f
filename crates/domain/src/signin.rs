//! Signing in with an identity provider (OpenID Connect): who a provider
//! signs in, which claims carry what, and how a city's groups map to a role
//! and a department. Pure data and decisions; the protocol is the api
//! crate's (`auth::oidc`).

use crate::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whom a provider signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderAudience {
    /// A city's own IdP (Entra ID or similar): the staff of that city.
    Staff,
    /// A GビズID-like provider: people of partner organizations, linked by
    /// the organization's corporate number (法人番号).
    Partner,
}

crate::code::codes!(ProviderAudience {
    Staff => "staff",
    Partner => "partner",
});

fn claim_groups() -> String {
    "groups".into()
}
fn claim_email() -> String {
    "email".into()
}
fn claim_name() -> String {
    "name".into()
}
fn claim_corporate_number() -> String {
    "corporate_number".into()
}
fn claim_account_type() -> String {
    "account_type".into()
}

/// Which claim (of the ID token, or of the userinfo answer) carries what.
/// The defaults are the OpenID Connect standard names, `groups` as Entra ID
/// and most IdPs send it, and GビズID's userinfo names for the corporate
/// number and the account type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimMapping {
    /// The list of group names or ids (staff providers).
    #[serde(default = "claim_groups")]
    #[schema(example = "groups", min_length = 1, max_length = 100)]
    pub groups: String,
    #[serde(default = "claim_email")]
    #[schema(example = "email", min_length = 1, max_length = 100)]
    pub email: String,
    #[serde(default = "claim_name")]
    #[schema(example = "name", min_length = 1, max_length = 100)]
    pub name: String,
    /// The 13-digit corporate number (partner providers, from userinfo).
    #[serde(default = "claim_corporate_number")]
    #[schema(example = "corporate_number", min_length = 1, max_length = 100)]
    pub corporate_number: String,
    /// The account type (partner providers, from userinfo).
    #[serde(default = "claim_account_type")]
    #[schema(example = "account_type", min_length = 1, max_length = 100)]
    pub account_type: String,
}

impl Default for ClaimMapping {
    fn default() -> Self {
        ClaimMapping {
            groups: claim_groups(),
            email: claim_email(),
            name: claim_name(),
            corporate_number: claim_corporate_number(),
            account_type: claim_account_type(),
        }
    }
}

/// Members of `group` at the IdP get an account with `role` in
/// `department_id` (for `department`) at their first sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupMapping {
    #[schema(example = "LG-Desk", min_length = 1, max_length = 255)]
    pub group: String,
    /// `desk` or `department` (staff of the provider's city).
    pub role: Role,
    /// Required for `department`, absent otherwise.
    pub department_id: Option<Uuid>,
}

/// The roles a city's IdP may provision.
pub fn provisionable(role: Role) -> bool {
    matches!(role, Role::Desk | Role::Department)
}

/// The first mapping whose group the person is a member of, in the order
/// configured (put the stronger role first).
pub fn mapped_role<'a>(
    mappings: &'a [GroupMapping],
    groups: &[String],
) -> Option<&'a GroupMapping> {
    mappings
        .iter()
        .find(|m| provisionable(m.role) && groups.iter().any(|g| g == &m.group))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_configured_group_wins_and_only_staff_roles_map() {
        let dept = Uuid::nil();
        let mappings = vec![
            GroupMapping {
                group: "admins".into(),
                role: Role::PlatformAdmin,
                department_id: None,
            },
            GroupMapping {
                group: "desk".into(),
                role: Role::Desk,
                department_id: None,
            },
            GroupMapping {
                group: "welfare".into(),
                role: Role::Department,
                department_id: Some(dept),
            },
        ];
        let groups = |g: &[&str]| g.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            mapped_role(&mappings, &groups(&["welfare", "desk"])).map(|m| m.role),
            Some(Role::Desk)
        );
        assert_eq!(mapped_role(&mappings, &groups(&["admins"])), None);
        assert_eq!(mapped_role(&mappings, &groups(&[])), None);
    }

    #[test]
    fn an_empty_mapping_takes_the_standard_names() {
        let mapping: ClaimMapping = serde_json::from_str("{}").expect("defaults");
        assert_eq!(mapping, ClaimMapping::default());
        assert_eq!(mapping.corporate_number, "corporate_number");
    }
}
