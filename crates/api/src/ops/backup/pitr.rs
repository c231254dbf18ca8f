//! Point-in-time restore of the embedded default: a base backup laid out
//! as a fresh cluster under the data directory, then PostgreSQL replays
//! the archived WAL (`restore_command`) up to `recovery_target_time` and
//! promotes; what was restored is checked and reported.

use super::base::{self, BaseManifest, DATA_DIR, PASSWORD_FILE};
use crate::startup::config::Config;
use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Nullable, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use living_gate_embedded_pg::{EmbeddedPostgres, Existing, Recovery, StartOptions};
use std::path::{Path, PathBuf};

/// What a point-in-time restore restored.
#[derive(Debug)]
pub struct Restored {
    pub base: BaseManifest,
    pub target_time: DateTime<Utc>,
    pub migration_version: Option<String>,
    pub cases: i64,
    pub events: i64,
    /// The newest change-feed event restored (at or before the target).
    pub newest_event_at: Option<DateTime<Utc>>,
    pub cluster: PathBuf,
}

#[derive(diesel::QueryableByName)]
struct Checked {
    #[diesel(sql_type = BigInt)]
    cases: i64,
    #[diesel(sql_type = BigInt)]
    events: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    newest: Option<DateTime<Utc>>,
}

/// The WAL archive to read: `wal_dir`, else the one the base backup was
/// archived to.
fn archive_dir(manifest: &BaseManifest, wal_dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = wal_dir
        .map(Path::to_owned)
        .or_else(|| manifest.wal_archive.clone())
        .context("the base backup names no WAL archive: pass --wal-dir")?;
    if !dir.is_dir() {
        bail!("the WAL archive {} is not a directory", dir.display());
    }
    Ok(dir)
}

/// Restores the base backup `dir` into the embedded cluster of
/// `config.data_dir` and recovers it to `target_time`.
pub async fn restore(
    config: &Config,
    dir: &Path,
    target_time: DateTime<Utc>,
    wal_dir: Option<&Path>,
    existing: Existing,
) -> anyhow::Result<Restored> {
    if config.database_url.is_some() || config.migration_database_url.is_some() {
        bail!(
            "a point-in-time restore is for the embedded default (no DATABASE_URL): an external \
             PostgreSQL or managed service restores to a point in time with its own tools"
        );
    }
    let manifest = BaseManifest::read(dir)?;
    manifest.check(dir)?;
    if target_time < manifest.taken_at {
        bail!(
            "{} is before this base backup finished ({}): restore an older base backup",
            target_time.to_rfc3339(),
            manifest.taken_at.to_rfc3339()
        );
    }
    let archive = archive_dir(&manifest, wal_dir)?;
    let password = std::fs::read_to_string(dir.join(PASSWORD_FILE))
        .with_context(|| format!("reading {}", dir.join(PASSWORD_FILE).display()))?;
    let cluster = living_gate_embedded_pg::prepare_recovery(
        &config.data_dir,
        &dir.join(DATA_DIR),
        password.trim(),
        existing,
    )?;
    let options = StartOptions {
        archive: super::schedule::archiving(config),
        recovery: Some(Recovery {
            archive,
            target_time: target_time.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string(),
        }),
    };
    let embedded = EmbeddedPostgres::start_with(&config.data_dir, &options).await?;
    let mut conn = diesel_async::AsyncPgConnection::establish(&embedded.url)
        .await
        .context("connecting to the restored cluster")?;
    let migration_version = base::migration_version(&mut conn).await?;
    let checked: Checked = diesel::sql_query(
        "SELECT (SELECT count(*) FROM proposals) AS cases, \
         (SELECT count(*) FROM proposal_events) AS events, \
         (SELECT max(occurred_at) FROM proposal_events) AS newest",
    )
    .get_result(&mut conn)
    .await
    .context("counting the restored cases (is this a Living Gate database?)")?;
    if let Some(newest) = checked.newest {
        if newest > target_time {
            bail!(
                "the restored database has a change-feed event at {}, after the target {}: \
                 the recovery did not stop where asked",
                newest.to_rfc3339(),
                target_time.to_rfc3339()
            );
        }
    }
    Ok(Restored {
        base: manifest,
        target_time,
        migration_version,
        cases: checked.cases,
        events: checked.events,
        newest_event_at: checked.newest,
        cluster,
    })
}
