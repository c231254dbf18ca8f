//! The physical base backup: `pg_basebackup --format=plain
//! --wal-method=stream` into `<backup>/data`, beside `manifest.json`
//! (time, server and migration versions, the first WAL segment a recovery
//! needs, size, the SHA-256 of PostgreSQL's own `backup_manifest`, which
//! holds every file's checksum) and the superuser's password (the restored
//! cluster has the backed-up cluster's roles).

use super::manifest::sha256_file;
use super::target::split_password;
use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Integer, Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The manifest format this binary writes and reads for base backups.
pub const FORMAT: &str = "living-gate-base-backup/1";
/// The cluster's files in a base backup directory.
pub const DATA_DIR: &str = "data";
/// The superuser's password in a base backup directory (mode 0600).
pub const PASSWORD_FILE: &str = "superuser-password";
const MANIFEST_FILE: &str = super::manifest::MANIFEST_FILE;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BaseManifest {
    pub format: String,
    /// When `pg_basebackup` started (the server's clock).
    pub started_at: DateTime<Utc>,
    /// When it finished: the earliest time a point-in-time restore from
    /// this backup can reach.
    pub taken_at: DateTime<Utc>,
    pub server_version_num: u32,
    pub migration_version: Option<String>,
    /// The first WAL segment a recovery from this backup reads (from
    /// `backup_label`): archived WAL before it is no longer needed.
    pub start_wal: String,
    /// Where the server archived its WAL when the backup was taken.
    pub wal_archive: Option<PathBuf>,
    /// The bytes under `data/`.
    pub bytes: u64,
    /// SHA-256 of `data/backup_manifest`, hex.
    pub backup_manifest_sha256: String,
}

impl BaseManifest {
    pub fn read(dir: &Path) -> anyhow::Result<BaseManifest> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let manifest: BaseManifest =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        anyhow::ensure!(
            manifest.format == FORMAT,
            "{} is of format {:?}, not a base backup ({FORMAT:?})",
            path.display(),
            manifest.format
        );
        Ok(manifest)
    }

    /// Fails unless `backup_manifest` is the one the manifest names.
    pub fn check(&self, dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(DATA_DIR).join("backup_manifest");
        let (digest, _) = sha256_file(&path)?;
        anyhow::ensure!(
            digest == self.backup_manifest_sha256,
            "the base backup {} is corrupted: the SHA-256 of {} is {digest}, the manifest says {}",
            dir.display(),
            path.display(),
            self.backup_manifest_sha256
        );
        Ok(())
    }
}

/// Whether `dir` holds a base backup (rather than a logical one).
pub fn is_base_backup(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MANIFEST_FILE))
        .map(|text| text.contains(FORMAT))
        .unwrap_or(false)
}

#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

#[derive(diesel::QueryableByName)]
struct NumberRow {
    #[diesel(sql_type = Integer)]
    number: i32,
}

async fn server_now(conn: &mut AsyncPgConnection) -> anyhow::Result<DateTime<Utc>> {
    let row: TextRow = diesel::sql_query(
        "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS value",
    )
    .get_result(conn)
    .await?;
    row.value
        .context("no time")?
        .parse()
        .context("parsing the server's time")
}

/// The newest applied migration of the database at `conn`, if migrated.
pub async fn migration_version(conn: &mut AsyncPgConnection) -> anyhow::Result<Option<String>> {
    let table: TextRow =
        diesel::sql_query("SELECT to_regclass('public.__diesel_schema_migrations')::text AS value")
            .get_result(conn)
            .await?;
    if table.value.is_none() {
        return Ok(None);
    }
    let row: TextRow = diesel::sql_query(
        "SELECT max(version)::text AS value FROM public.__diesel_schema_migrations",
    )
    .get_result(conn)
    .await?;
    Ok(row.value)
}

/// The WAL file named on `backup_label`'s `START WAL LOCATION` line.
pub fn start_wal(backup_label: &str) -> Option<String> {
    let line = backup_label
        .lines()
        .find(|l| l.starts_with("START WAL LOCATION:"))?;
    let file = line.split("(file ").nth(1)?.trim_end_matches(')').trim();
    (file.len() == 24 && file.bytes().all(|b| b.is_ascii_hexdigit())).then(|| file.to_owned())
}

fn tree_bytes(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            tree_bytes(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

/// Takes a base backup of the cluster at `url` (a superuser or a role with
/// REPLICATION) into `dir`, which must not exist: written as
/// `<dir>.partial` and renamed when complete, so a listed backup is whole.
pub async fn backup(
    url: &str,
    dir: &Path,
    wal_archive: Option<&Path>,
) -> anyhow::Result<BaseManifest> {
    if dir.exists() {
        bail!(
            "{} exists: a base backup goes into a new directory",
            dir.display()
        );
    }
    let partial = dir.with_extension("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)
            .with_context(|| format!("removing the unfinished {}", partial.display()))?;
    }
    std::fs::create_dir_all(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let result = take(url, &partial, wal_archive).await;
    match result {
        Ok(manifest) => {
            std::fs::rename(&partial, dir)
                .with_context(|| format!("renaming {} to {}", partial.display(), dir.display()))?;
            Ok(manifest)
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(error)
        }
    }
}

/// The `application_name` of a base backup's connections (what
/// `pg_stat_activity` shows beside the service's role).
pub const APPLICATION_NAME: &str = "living-gate-base-backup";

fn tagged(url: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}application_name={APPLICATION_NAME}")
}

async fn take(url: &str, dir: &Path, wal_archive: Option<&Path>) -> anyhow::Result<BaseManifest> {
    let url = &tagged(url);
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database to back up")?;
    let version: NumberRow =
        diesel::sql_query("SELECT current_setting('server_version_num')::int AS number")
            .get_result(&mut conn)
            .await?;
    let server_version_num = u32::try_from(version.number).unwrap_or(0);
    let migration_version = migration_version(&mut conn).await?;
    let started_at = server_now(&mut conn).await?;
    let pg_basebackup =
        living_gate_embedded_pg::find_tool("pg_basebackup", Some(server_version_num / 10_000));
    let data = dir.join(DATA_DIR);
    let (bare_url, password) = split_password(url);
    let mut command = tokio::process::Command::new(&pg_basebackup);
    command
        .arg(format!("--pgdata={}", data.display()))
        .args([
            "--format=plain",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-password",
        ])
        .arg(format!("--dbname={bare_url}"));
    if let Some(password) = &password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .await
        .with_context(|| format!("running {}", pg_basebackup.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed ({}): {}",
            pg_basebackup.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let taken_at = server_now(&mut conn).await?;
    let label = std::fs::read_to_string(data.join("backup_label"))
        .context("reading the backup's backup_label")?;
    let start_wal = start_wal(&label).context("backup_label names no START WAL LOCATION file")?;
    let (backup_manifest_sha256, _) = sha256_file(&data.join("backup_manifest"))?;
    if let Some(password) = &password {
        crate::auth::keys::write_private(&dir.join(PASSWORD_FILE), password.as_bytes())
            .context("writing the superuser's password")?;
    }
    let manifest = BaseManifest {
        format: FORMAT.to_owned(),
        started_at,
        taken_at,
        server_version_num,
        migration_version,
        start_wal,
        wal_archive: wal_archive.map(Path::to_owned),
        bytes: tree_bytes(&data)?,
        backup_manifest_sha256,
    };
    let path = dir.join(MANIFEST_FILE);
    std::fs::write(&path, serde_json::to_string_pretty(&manifest)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(manifest)
}

/// `backup verify` of a base backup: the manifest's checksum, then
/// PostgreSQL's `pg_verifybackup` (every file's checksum against
/// `backup_manifest`, and the WAL the backup needs parsed).
pub async fn verify(dir: &Path) -> anyhow::Result<BaseManifest> {
    let manifest = BaseManifest::read(dir)?;
    manifest.check(dir)?;
    let tool = living_gate_embedded_pg::find_tool(
        "pg_verifybackup",
        Some(manifest.server_version_num / 10_000).filter(|m| *m > 0),
    );
    let output = tokio::process::Command::new(&tool)
        .arg(dir.join(DATA_DIR))
        .output()
        .await
        .with_context(|| format!("running {}", tool.display()))?;
    if !output.status.success() {
        bail!(
            "the base backup {} is corrupted: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(manifest)
}

/// The complete base backups under `base_dir` (each `<name>/manifest.json`),
/// newest first; unreadable ones are skipped with a warning.
pub fn list(base_dir: &Path) -> Vec<(PathBuf, BaseManifest)> {
    let Ok(entries) = std::fs::read_dir(base_dir) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, BaseManifest)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.extension().is_none_or(|ext| ext != "partial"))
        .filter_map(|p| match BaseManifest::read(&p) {
            Ok(manifest) => Some((p, manifest)),
            Err(error) => {
                tracing::warn!(dir = %p.display(), error = %error, "not a base backup");
                None
            }
        })
        .collect();
    found.sort_by_key(|b| std::cmp::Reverse(b.1.taken_at));
    found
}

/// What [`prune`] deleted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub base_backups: Vec<PathBuf>,
    pub wal_files: usize,
}

/// Deletes all but the `keep` newest base backups under `base_dir`, then
/// the archived WAL in `wal_dir` older than the oldest kept one needs.
pub fn prune(base_dir: &Path, wal_dir: Option<&Path>, keep: usize) -> anyhow::Result<Pruned> {
    use living_gate_domain::backup::{base_backups_to_prune, wal_to_prune};
    let backups = list(base_dir);
    let dated: Vec<(PathBuf, DateTime<Utc>)> = backups
        .iter()
        .map(|(path, m)| (path.clone(), m.taken_at))
        .collect();
    let mut pruned = Pruned::default();
    for path in base_backups_to_prune(&dated, keep) {
        std::fs::remove_dir_all(&path).with_context(|| format!("deleting {}", path.display()))?;
        pruned.base_backups.push(path);
    }
    let oldest_kept = backups
        .iter()
        .filter(|(path, _)| !pruned.base_backups.contains(path))
        .map(|(_, m)| m)
        .min_by_key(|m| m.taken_at);
    if let (Some(oldest), Some(wal_dir)) = (oldest_kept, wal_dir) {
        let names: Vec<String> = std::fs::read_dir(wal_dir)
            .with_context(|| format!("reading {}", wal_dir.display()))?
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        for name in wal_to_prune(&names, &oldest.start_wal) {
            std::fs::remove_file(wal_dir.join(&name))
                .with_context(|| format!("deleting {name} from {}", wal_dir.display()))?;
            pruned.wal_files += 1;
        }
    }
    Ok(pruned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_wal_comes_from_the_backup_label() {
        let label = "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n\
                     CHECKPOINT LOCATION: 0/2000060\nBACKUP METHOD: streamed\n";
        assert_eq!(
            start_wal(label).as_deref(),
            Some("000000010000000000000002")
        );
        assert_eq!(start_wal("START WAL LOCATION: 0/2000028\n"), None);
        assert_eq!(start_wal(""), None);
    }
}
