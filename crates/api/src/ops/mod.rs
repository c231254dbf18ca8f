//! Operations: liveness and readiness.

pub mod health;
