//! Integration tests: the real app over HTTP, on a real PostgreSQL database
//! per test. One test binary, many modules.

mod helpers;

mod admin;
mod auth;
mod authorization;
mod embedded;
mod openapi_document;
mod operations;
mod schema;
