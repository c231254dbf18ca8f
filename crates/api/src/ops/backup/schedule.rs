//! The scheduled base backups of `living-gate serve` on the embedded
//! default (every `LIVING_GATE_BASE_BACKUP_INTERVAL` seconds, 0: off),
//! each followed by the pruning of old base backups and of the WAL no kept
//! one needs; and the embedded cluster's WAL archiving settings.

use super::base;
use crate::startup::config::{BackupConfig, Config};
use living_gate_embedded_pg::WalArchive;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The WAL archiving of the embedded cluster, unless turned off.
pub fn archiving(config: &Config) -> Option<WalArchive> {
    config.backups.wal_archive.then(|| WalArchive {
        dir: config.backups.wal_dir.clone(),
        timeout_secs: config.backups.wal_archive_timeout_secs,
    })
}

/// Where this server's backups are and how they are scheduled: what
/// `GET /v1/backups` and `/readyz` report on.
#[derive(Debug, Clone, Default)]
pub struct BackupSettings {
    /// `None`: this server keeps no backups of its own (an external
    /// database, or tests).
    pub dir: Option<PathBuf>,
    /// The scheduled base backups' interval; `None`: not scheduled.
    pub interval: Option<Duration>,
    pub keep: usize,
    /// The scheduler's newest outcome (the error of a failed attempt).
    pub last_attempt: Arc<Mutex<Option<Attempt>>>,
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: chrono::DateTime<chrono::Utc>,
    pub error: Option<String>,
}

impl BackupSettings {
    /// The settings of `serve`: base backups scheduled on the embedded
    /// default only (an external database keeps its own).
    pub fn for_serve(config: &Config) -> BackupSettings {
        let embedded = config.database_url.is_none();
        let BackupConfig {
            dir,
            base_backup_interval,
            base_backups_keep,
            ..
        } = &config.backups;
        BackupSettings {
            dir: Some(dir.clone()),
            interval: (embedded && !base_backup_interval.is_zero())
                .then_some(*base_backup_interval),
            keep: *base_backups_keep,
            last_attempt: Arc::default(),
        }
    }

    pub fn base_dir(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("base"))
    }

    pub fn last_error(&self) -> Option<String> {
        self.last_attempt
            .lock()
            .ok()
            .and_then(|a| a.as_ref().and_then(|a| a.error.clone()))
    }

    fn record(&self, error: Option<String>) {
        if let Ok(mut last) = self.last_attempt.lock() {
            *last = Some(Attempt {
                at: chrono::Utc::now(),
                error,
            });
        }
    }
}

/// The directory name of a backup taken at `at`.
pub fn backup_name(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Takes one base backup of `url` into `base_dir` and prunes.
pub async fn take_and_prune(
    url: &str,
    base_dir: &std::path::Path,
    wal_dir: Option<&std::path::Path>,
    keep: usize,
) -> anyhow::Result<(base::BaseManifest, base::Pruned)> {
    let dir = base_dir.join(backup_name(chrono::Utc::now()));
    let manifest = base::backup(url, &dir, wal_dir).await?;
    let pruned = base::prune(base_dir, wal_dir, keep)?;
    Ok((manifest, pruned))
}

/// Takes base backups of the embedded cluster at `superuser_url` when due
/// ([`living_gate_domain::backup::next_base_backup_at`]) until `stop`
/// turns true.
pub async fn every(
    settings: BackupSettings,
    superuser_url: String,
    wal_dir: Option<PathBuf>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let (Some(interval), Some(base_dir)) = (settings.interval, settings.base_dir()) else {
        return;
    };
    let interval_chrono = chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::days(1));
    // The newest one taken here, should the listing not show it.
    let mut taken_here: Option<chrono::DateTime<chrono::Utc>> = None;
    loop {
        let listed = base::list(&base_dir).first().map(|(_, m)| m.taken_at);
        let last = listed.max(taken_here);
        let now = chrono::Utc::now();
        let due = living_gate_domain::backup::next_base_backup_at(last, now, interval_chrono);
        let wait = (due - now).to_std().unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        match take_and_prune(&superuser_url, &base_dir, wal_dir.as_deref(), settings.keep).await {
            Ok((manifest, pruned)) => {
                tracing::info!(
                    bytes = manifest.bytes,
                    start_wal = %manifest.start_wal,
                    pruned_base_backups = pruned.base_backups.len(),
                    pruned_wal_files = pruned.wal_files,
                    "base backup taken"
                );
                taken_here = Some(manifest.taken_at);
                settings.record(None);
            }
            Err(error) => {
                tracing::error!(error = %format!("{error:#}"), "scheduled base backup failed");
                settings.record(Some(format!("{error:#}")));
                // Try again after a while, not in a tight loop.
                tokio::select! {
                    _ = tokio::time::sleep(interval.min(Duration::from_secs(3600))) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}
