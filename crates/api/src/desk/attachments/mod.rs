//! Attachments (issue 15): files on cases, hearings and logic-model
//! versions, stored in PostgreSQL with their hash and detected type, scanned
//! by ClamAV when it is configured, and handed out with the visibility of
//! what they hang off.
//!
//! [`endpoints`] are the routes; [`access`] decides who reads and attaches;
//! [`upload`] receives a body within the limit; [`clamav`] talks to clamd;
//! [`store`] scans and stores (and is what the public intake calls:
//! [`store::store_public`]); [`view`] is the response shape.

pub mod access;
pub mod clamav;
pub mod endpoints;
pub mod store;
pub mod upload;
pub mod view;

/// Whether a request is an upload (its body is a file, not JSON): the
/// idempotency middleware reads it with the attachment limit.
pub fn is_upload(method: &actix_web::http::Method, path: &str) -> bool {
    method == actix_web::http::Method::POST && path.ends_with("/attachments")
}
