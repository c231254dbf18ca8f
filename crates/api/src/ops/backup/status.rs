//! The state of the backups: `GET /v1/backups` (the platform admin) and
//! its summary in `/readyz`'s details. Read from the backups' own
//! manifests on disk (a backup that is listed exists) and from
//! `pg_stat_archiver`; judged by [`living_gate_domain::backup::assess`].

use super::archive::{self, ArchiverState};
use super::base;
use super::manifest::Manifest;
use super::schedule::BackupSettings;
use crate::auth::Caller;
use crate::http::problem::ApiResult;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use living_gate_db::pool;
use living_gate_domain::backup::{assess, BackupFacts, BackupStatus};
use living_gate_domain::{authorize, Action};
use serde::Serialize;
use std::path::Path;
use utoipa::ToSchema;

/// One backup on disk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BackupSummary {
    /// Its directory's name (the UTC time it was started).
    #[schema(example = "20261202T030000Z")]
    pub name: String,
    pub taken_at: DateTime<Utc>,
    pub bytes: u64,
    /// Seconds since `taken_at`.
    pub age_seconds: i64,
}

/// The scheduled physical base backups.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BaseBackups {
    /// Seconds between scheduled base backups; null: not scheduled here.
    pub interval_seconds: Option<u64>,
    /// How many are kept.
    pub keep: usize,
    /// How many there are.
    pub count: usize,
    /// The newest.
    pub last: Option<BackupSummary>,
    /// The error of the newest scheduled attempt, when it failed.
    pub last_attempt_error: Option<String>,
}

/// The backups of this server and its WAL archive.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok", "reasons": [],
    "base_backups": {"interval_seconds": 86400, "keep": 7, "count": 3, "last_attempt_error": null,
        "last": {"name": "20261202T030000Z", "taken_at": "2026-12-02T03:00:04Z", "bytes": 48234496, "age_seconds": 3600}},
    "logical_backup": null,
    "wal_archive": {"archive_mode": "on", "archived_count": 42,
        "last_archived_wal": "00000001000000000000002A", "last_archived_at": "2026-12-02T03:45:00Z",
        "failed_count": 0, "last_failed_wal": null, "last_failed_at": null}}))]
pub struct BackupState {
    /// `ok`, `degraded` (see `reasons`) or `off` (no backups scheduled and
    /// no WAL archived here: an external database keeps its own).
    #[schema(value_type = String, example = "ok")]
    pub status: BackupStatus,
    pub reasons: Vec<String>,
    pub base_backups: BaseBackups,
    /// The newest logical backup in the default place
    /// (`<backup dir>/logical`); null when none is known.
    pub logical_backup: Option<BackupSummary>,
    /// The server's WAL archiver; null when it could not be read.
    pub wal_archive: Option<ArchiverState>,
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn newest_logical(dir: &Path, now: DateTime<Utc>) -> Option<BackupSummary> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| Manifest::read(&e.path()).ok().map(|m| (e.path(), m)))
        .max_by_key(|(_, m)| m.taken_at)
        .map(|(path, m)| BackupSummary {
            name: name_of(&path),
            taken_at: m.taken_at,
            bytes: m.dump_bytes,
            age_seconds: (now - m.taken_at).num_seconds(),
        })
}

/// Reads the state (the files off the async threads).
pub async fn read(state: &AppState) -> BackupState {
    let settings: BackupSettings = (*state.backups).clone();
    let now = Utc::now();
    let on_disk = {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || {
            let bases = settings
                .base_dir()
                .map(|d| base::list(&d))
                .unwrap_or_default();
            let logical = settings
                .dir
                .as_ref()
                .and_then(|d| newest_logical(&d.join("logical"), now));
            (bases, logical)
        })
        .await
        .unwrap_or_default()
    };
    let (bases, logical_backup) = on_disk;
    let wal_archive = match pool::connection(&state.pool).await {
        Ok(mut conn) => archive::state(&mut conn).await.ok(),
        Err(_) => None,
    };
    let last = bases.first().map(|(path, m)| BackupSummary {
        name: name_of(path),
        taken_at: m.taken_at,
        bytes: m.bytes,
        age_seconds: (now - m.taken_at).num_seconds(),
    });
    let last_attempt_error = settings.last_error();
    let facts = BackupFacts {
        interval: settings
            .interval
            .and_then(|i| chrono::Duration::from_std(i).ok()),
        last_base_backup: last.as_ref().map(|l| l.taken_at),
        last_attempt_error: last_attempt_error.clone(),
        archive: wal_archive
            .as_ref()
            .filter(|a| a.archiving())
            .map(ArchiverState::facts),
    };
    let (status, reasons) = assess(&facts, now);
    BackupState {
        status,
        reasons,
        base_backups: BaseBackups {
            interval_seconds: settings.interval.map(|i| i.as_secs()),
            keep: settings.keep,
            count: bases.len(),
            last,
            last_attempt_error,
        },
        logical_backup,
        wal_archive,
    }
}

/// The summary `/readyz` shows anyone: no paths, no error texts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BackupReadiness {
    /// `ok`, `degraded` or `off`; a degraded backup does not make the
    /// service unready (it still serves correctly), it needs an operator.
    #[schema(value_type = String, example = "ok")]
    pub status: BackupStatus,
    /// Seconds since the newest base backup; null when there is none.
    pub last_base_backup_age_seconds: Option<i64>,
    /// The WAL archiver's newest attempt failed.
    pub wal_archive_failing: bool,
}

impl From<&BackupState> for BackupReadiness {
    fn from(state: &BackupState) -> Self {
        BackupReadiness {
            status: state.status,
            last_base_backup_age_seconds: state.base_backups.last.as_ref().map(|l| l.age_seconds),
            wal_archive_failing: state.wal_archive.as_ref().is_some_and(|a| {
                match (a.last_failed_at, a.last_archived_at) {
                    (Some(failed), Some(archived)) => failed > archived,
                    (Some(_), None) => true,
                    _ => false,
                }
            }),
        }
    }
}

/// The backups and the WAL archive (platform admin).
#[utoipa::path(operation_id = "getBackupState", tag = "operations", security(("bearer" = [])),
    responses((status = 200, description = "The newest base and logical backups, the schedule, the WAL archiver", body = BackupState),
        (status = 403, description = "Not the platform admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/backups")]
pub async fn get_state(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    authorize(&caller.actor, Action::ViewBackups)?;
    Ok(HttpResponse::Ok().json(read(&state).await))
}
