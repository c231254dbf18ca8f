//! The front-end links mails carry (cases, the delivery log, password
//! resets, invitations), under `LIVING_GATE_PUBLIC_WEB_URL`.
//! Set once at start-up ([`set_base`]); a process that never sets it (a
//! test, a command) links to the documented default.

use std::sync::OnceLock;
use uuid::Uuid;

const DEFAULT_BASE: &str = "http://localhost:8080";

static BASE: OnceLock<String> = OnceLock::new();

/// Sets the front end's base URL (the first call wins).
pub fn set_base(url: &str) {
    let _ = BASE.set(url.trim_end_matches('/').to_owned());
}

fn base() -> &'static str {
    BASE.get().map(String::as_str).unwrap_or(DEFAULT_BASE)
}

/// A case in the front end.
pub fn case(proposal_id: Uuid) -> String {
    format!("{}/cases/{proposal_id}", base())
}

/// A message of the delivery log in the front end.
pub fn outbox_message(id: Uuid) -> String {
    format!("{}/outbox-messages/{id}", base())
}

/// The password reset page with its one-time token.
pub fn password_reset(token: &str) -> String {
    format!("{}/password-reset?token={token}", base())
}

/// The page that accepts an invitation.
pub fn invitation(token: &str) -> String {
    format!("{}/invitations/{token}", base())
}
