//! What every request passes through: the app and its route table, the
//! OpenAPI document, problem+json errors, request context, ETags,
//! pagination, idempotency, CSV downloads, and what input may carry
//! (body extractors, text and date bounds).

pub mod app;
pub mod body;
pub mod bounds;
pub mod double_option;
pub mod download;
pub mod etag;
pub mod idempotency;
pub mod openapi;
pub mod pagination;
pub mod problem;
pub mod rate_limit;
pub mod read_routing;
pub mod request_context;
pub mod routes;
pub mod row_scope;
pub mod text;
