//! Operations: liveness and readiness, backups and restore.

pub mod backup;
pub mod health;
