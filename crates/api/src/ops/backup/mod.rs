//! Backups and restore (issue 21): `living-gate backup`, `backup verify`
//! and `restore`. A logical backup is PostgreSQL's own `pg_dump
//! --format=custom`, taken in an exported snapshot, beside a manifest whose
//! row counts were taken in that same snapshot (see `docs/operations.md`).
//! Point-in-time recovery of the embedded default: its WAL archived
//! (`schedule::archiving`), physical base backups (`base`, scheduled by
//! `schedule`), the restore to a time (`pitr`), and their state (`status`,
//! `archive`).

pub mod archive;
pub mod base;
pub mod logical;
pub mod manifest;
pub mod pitr;
pub mod schedule;
pub mod status;
pub mod target;
