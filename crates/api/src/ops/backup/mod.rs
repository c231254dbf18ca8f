//! Backups and restore (issue 21): `living-gate backup`, `backup verify`
//! and `restore`. A logical backup is PostgreSQL's own `pg_dump
//! --format=custom`, taken in an exported snapshot, beside a manifest whose
//! row counts were taken in that same snapshot (see `docs/operations.md`).

pub mod logical;
pub mod manifest;
pub mod target;
