//! The public intake (issue 15): the desk's web form submits anonymously
//! for one city; the contact proves the e-mail address with a mailed code;
//! confirmation registers the case at `received`, channel `web`.
//!
//! - [`terms`]: the versioned 提案の取り扱い text a submission acknowledges;
//! - [`submit`]: the submission (rate limited, honeypot, code mail);
//! - [`confirm`]: the code, then the case, the pending organization, the
//!   contact's account (invited, no password) and the receipt mail;
//! - [`organization`]: the desk matches or accepts the pending organization
//!   and invites the contact;
//! - [`attachments`]: the form's files, uploaded with the submission's token
//!   after confirmation, always scanned.

pub mod attachments;
pub mod confirm;
pub mod organization;
pub mod submit;
pub mod terms;

pub(crate) use living_gate_domain::intake::{LIMIT_WINDOW_SECS, MAX_SUBMISSIONS_PER_EMAIL};

/// The desk's name in mails.
pub(crate) fn desk_name(city: &living_gate_db::reference::municipalities::Municipality) -> String {
    format!("{} 官民連携窓口", city.name)
}

/// Counts a request of the client's address against the intake's limit
/// for `what` (`submit` or `confirm`, each with its quota).
pub(crate) async fn address_limit(
    conn: &mut living_gate_db::AsyncPgConnection,
    limits: &mut crate::http::rate_limit::RateLimits,
    meta: &crate::http::request_context::RequestMeta,
    (what, quota): (&str, i32),
) -> crate::http::problem::ApiResult<()> {
    crate::http::rate_limit::count(
        conn,
        limits,
        "address",
        &format!(
            "intake-{what}-address:{}",
            meta.client_addr.as_deref().unwrap_or("unknown")
        ),
        quota,
        LIMIT_WINDOW_SECS,
    )
    .await
}
