//! Integration tests: the real app over HTTP, on a real PostgreSQL database
//! per test. One test binary, many modules.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod account_cache;
mod admin;
mod assessment;
mod attachments;
mod auth;
mod authorization;
mod backup;
mod bootstrap;
mod boundary;
mod casework;
mod constraints;
mod conventions;
mod decision;
mod directory;
mod embedded;
mod every_write;
mod idempotency;
mod intake;
mod intake_attachments;
mod intake_organization;
mod internal_errors;
mod kpis;
mod lifecycle;
mod logic_models;
mod network;
mod notify;
mod open_procurement;
mod openapi_document;
mod operations;
mod password_reset;
mod pitr;
mod platform;
mod programme_logic_model;
mod replica;
mod row_security;
mod schema;
mod sign_in;
mod tenancy;
mod webhooks;
mod workflow;
