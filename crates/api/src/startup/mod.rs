//! Starting Living Gate: the `living-gate` commands, configuration, the
//! HTTP server, the embedded PostgreSQL, telemetry and the demo data.

pub mod cli;
pub mod config;
pub mod demo_data;
pub mod mail_config;
pub mod memory;
pub mod read_config;
pub mod server;
pub mod telemetry;
pub mod webhook_config;
