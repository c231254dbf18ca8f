#![recursion_limit = "256"]
//! Living Gate's HTTP API. The folders are the rooms of the OpenAPI document:
//!
//! - [`startup`]: the `living-gate` binary's commands, configuration, the
//!   server, the embedded PostgreSQL, telemetry and the demo data;
//! - [`http`]: what every request passes through (the app, the route table,
//!   the OpenAPI document, problem+json, ETags, pagination, idempotency);
//! - [`auth`], [`admin`], [`desk`], [`directory`], [`kpis`], [`ops`]: the
//!   endpoints, one folder per room;
//! - [`notify`]: the mails writes cause, the outbox worker and its transports;
//! - [`webhooks`]: subscriptions to the feed and the worker that delivers them;
//! - [`record`]: the audit row and change-feed event every write records;
//! - [`state`]: what every handler can reach.

pub mod admin;
pub mod auth;
pub mod desk;
pub mod directory;
pub mod http;
pub mod kpis;
pub mod lifecycle;
pub mod notify;
pub mod ops;
pub mod platform;
pub mod record;
pub mod startup;
pub mod state;
pub mod webhooks;
