//! The test harness.
//!
//! - [`TestApp`]: the real app on a random port over its own database (a
//!   clone of the migrated template, `living-gate-test-db`), with a fixture
//!   account for every role ([`Who`]) and real tokens. `TestApp::spawn()`
//!   for the defaults, `TestApp::builder()` for options: `.configure(…)`,
//!   `.database(…)`, `.demo_data()`, `.demo_directory()` and
//!   `.dead_database(…)` (an app whose database is out of reach).
//! - [`Case`]: a case driven through the API to a workflow step,
//!   `app.case().to(Status::LogicModel).await`.
//! - [`json`], [`problem`], [`etag_of`]: reading responses.
//! - [`Clamd`]: a real clamd with an EICAR-only signature database.
//! - [`ServedBinary`]: the real binary over a database of its own, with
//!   its JSON log lines, for tests of what is logged.
//!
//! Every path into the api crate the tests need is named in this folder,
//! so that moving a module there means fixing the harness only.

mod app;
mod binary;
mod case;
mod clamd;
mod fixtures;
mod responses;

pub use app::{DeadDatabase, TestApp};
pub use binary::ServedBinary;
pub use case::{logic_model, Case};
pub use clamd::{Clamd, EICAR, EICAR_SIGNATURE};
pub use fixtures::{Who, PASSWORD};
pub use responses::{etag_of, json, problem};

/// The access-token claims, for tests that forge tokens.
pub use living_gate_api::auth::tokens::Claims;
/// What happened, as the change feed names it.
pub use living_gate_api::record::EventKind;
/// The departments the reference data gives Zama.
pub use living_gate_api::startup::demo_data::ZAMA_DEPARTMENTS;

/// The OpenAPI document the app serves, as generated from the handlers.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    living_gate_api::http::openapi::document()
}

/// The bounds of fiscal years the server and the document share.
pub use living_gate_api::http::bounds::{MAX_YEAR, MIN_YEAR};
