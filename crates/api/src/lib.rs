//! Living Gate's HTTP API: the actix-web app, its extractors and handlers,
//! authentication, the OpenAPI document, and the `living-gate` binary's
//! commands (serve, migrate, openapi, user create, seed-demo).

pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
mod double_option;
pub mod download;
pub mod embedded_pg;
pub mod etag;
pub mod idempotency;
pub mod openapi;
pub mod pagination;
pub mod problem;
pub mod request_context;
pub mod routes;
pub mod seed;
pub mod server;
pub mod state;
pub mod telemetry;
