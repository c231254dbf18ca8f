//! The authenticated caller, as the policy sees it.

use crate::Role;
use uuid::Uuid;

/// An authenticated caller: a user or a service account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user or service account id (`sub`).
    pub id: Uuid,
    pub role: Role,
    pub municipality_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    /// True for a BI service account (client credentials), false for a person.
    pub is_service_account: bool,
}

impl Actor {
    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }
}
