//! The public intake (issue 15): the desk's web form submits anonymously
//! for one city; the contact proves the e-mail address with a mailed code;
//! confirmation registers the case at `received`, channel `web`.
//!
//! - [`terms`]: the versioned 提案の取り扱い text a submission acknowledges;
//! - [`submit`]: the submission (rate limited, honeypot, code mail);
//! - [`confirm`]: the code, then the case, the pending organization, the
//!   contact's account (invited, no password) and the receipt mail.

pub mod confirm;
pub mod submit;
pub mod terms;

/// The requests per client address (submissions and confirmations
/// together) and the submissions per e-mail address within the window.
pub(crate) use living_gate_domain::intake::{
    LIMIT_WINDOW_SECS, MAX_REQUESTS_PER_ADDRESS, MAX_SUBMISSIONS_PER_EMAIL,
};

/// The desk's name in mails.
pub(crate) fn desk_name(city: &living_gate_db::reference::municipalities::Municipality) -> String {
    format!("{} 官民連携窓口", city.name)
}

/// Counts a request of the client's address against the intake's limit.
pub(crate) async fn address_limit(
    conn: &mut living_gate_db::AsyncPgConnection,
    limits: &mut crate::http::rate_limit::RateLimits,
    meta: &crate::http::request_context::RequestMeta,
) -> crate::http::problem::ApiResult<()> {
    crate::http::rate_limit::count(
        conn,
        limits,
        "address",
        &format!(
            "intake-address:{}",
            meta.client_addr.as_deref().unwrap_or("unknown")
        ),
        MAX_REQUESTS_PER_ADDRESS,
        LIMIT_WINDOW_SECS,
    )
    .await
}
