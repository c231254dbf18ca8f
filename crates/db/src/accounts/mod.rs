//! Accounts: users, service accounts, invitations, refresh tokens and the
//! login throttle, and the channel their changes are announced on.

pub mod auth_tokens;
pub mod changes;
pub mod invitations;
pub mod login_throttle;
pub mod password_resets;
pub mod service_accounts;
pub mod sign_in;
pub mod users;
