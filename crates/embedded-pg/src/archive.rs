//! WAL archiving and point-in-time recovery of the embedded cluster
//! (docs/operations.md): the server's `archive_command` and
//! `restore_command`, the archive directory the `postgres` user can reach,
//! and laying out a cluster from a base backup for recovery.

use crate::{
    chown, cluster_files, cluster_owner, failed, reachable_by, running_url, write_private,
    EmbeddedError, RELOCATED_CLUSTERS,
};
use nix::unistd::User;
use sha2::{Digest, Sha256};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// WAL archiving (point-in-time recovery, docs/operations.md): every
/// finished WAL segment is copied into `dir` by the server's
/// `archive_command` ([`archive_command`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalArchive {
    pub dir: PathBuf,
    /// `archive_timeout` in seconds (a segment is switched and archived at
    /// least this often when anything was written; 0: only when full).
    pub timeout_secs: u32,
}

/// A point-in-time recovery on start: the server replays WAL from `archive`
/// up to `target_time`, then promotes (`recovery_target_action=promote`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub archive: PathBuf,
    /// `recovery_target_time`, e.g. `2026-12-02 17:05:00.123456+00`.
    pub target_time: String,
}

/// Single-quotes `value` for the server's shell commands (`archive_command`,
/// `restore_command`); paths with a quote or a newline are refused.
fn shell_quote(value: &Path) -> Result<String, EmbeddedError> {
    let text = value.to_str().ok_or_else(|| {
        failed(
            "configuring WAL archiving",
            format!("{} is not UTF-8", value.display()),
        )
    })?;
    if text.contains(['\'', '\n', '%']) {
        return Err(failed(
            "configuring WAL archiving",
            format!("{text}: a path with a quote, a newline or % cannot be used"),
        ));
    }
    Ok(format!("'{text}'"))
}

/// The `archive_command` copying a segment into `dir` safely: an existing
/// file of that name succeeds only if it is identical (`cmp`; a different
/// one fails, so the server retries and logs, and nothing is overwritten);
/// otherwise copied to `<name>.part`, fsynced, renamed, and the directory
/// fsynced, so a crash never leaves a truncated segment under its name.
pub fn archive_command(dir: &Path) -> Result<String, EmbeddedError> {
    let dir = shell_quote(dir)?;
    Ok(format!(
        "if [ -f {dir}/%f ]; then cmp -s %p {dir}/%f; else cp %p {dir}/%f.part && sync {dir}/%f.part && mv {dir}/%f.part {dir}/%f && sync {dir}; fi"
    ))
}

/// The `restore_command` reading segments back from `dir` (a missing one
/// fails, which tells the server the archive ends there).
pub fn restore_command(dir: &Path) -> Result<String, EmbeddedError> {
    let dir = shell_quote(dir)?;
    Ok(format!("cp {dir}/%f %p"))
}

/// The directory the server archives into for the configured `dir`:
/// `dir` itself (created, owned by the cluster's owner), unless we are root
/// and the `postgres` user cannot reach it; then, like the cluster's files,
/// a directory under [`RELOCATED_CLUSTERS`] with `dir` a link to it (`wal`
/// beside the cluster's relocated files when they are, so one directory
/// holds both).
pub(crate) fn archive_dir(
    dir: &Path,
    pgdata: &Path,
    owner: Option<&User>,
) -> Result<PathBuf, EmbeddedError> {
    let target = match fs::read_link(dir) {
        Ok(target) => target,
        Err(_) => {
            fs::create_dir_all(dir)
                .map_err(|e| failed(format!("creating {}", dir.display()), e))?;
            let Some(owner) = owner else {
                return Ok(dir.to_owned());
            };
            chown(dir, owner)?;
            if reachable_by(dir, owner) {
                return Ok(dir.to_owned());
            }
            let dir = dir
                .canonicalize()
                .map_err(|e| failed(format!("resolving {}", dir.display()), e))?;
            let target = match pgdata.parent() {
                Some(home) if home.starts_with(RELOCATED_CLUSTERS) => home.join("wal"),
                _ => {
                    let digest = hex::encode(&Sha256::digest(dir.as_os_str().as_bytes())[..8]);
                    Path::new(RELOCATED_CLUSTERS).join(digest).join("wal")
                }
            };
            let empty = fs::read_dir(&dir)
                .map(|mut e| e.next().is_none())
                .unwrap_or(false);
            if !empty {
                return Err(failed(
                    "configuring WAL archiving",
                    format!(
                        "the postgres user cannot reach {} (and it is not empty, so it is not moved); \
                         choose LIVING_GATE_WAL_ARCHIVE_DIR (or LIVING_GATE_BACKUP_DIR) it can enter",
                        dir.display()
                    ),
                ));
            }
            fs::remove_dir(&dir).map_err(|e| failed(format!("replacing {}", dir.display()), e))?;
            std::os::unix::fs::symlink(&target, &dir)
                .map_err(|e| failed(format!("linking {}", dir.display()), e))?;
            tracing::info!(
                archive = %target.display(),
                "the postgres user cannot reach the WAL archive directory: WAL is archived to {}, linked from {}",
                target.display(),
                dir.display()
            );
            target
        }
    };
    fs::create_dir_all(&target).map_err(|e| failed(format!("creating {}", target.display()), e))?;
    if let Some(owner) = owner {
        if let Some(home) = target.parent() {
            if home.starts_with(RELOCATED_CLUSTERS) {
                fs::set_permissions(RELOCATED_CLUSTERS, fs::Permissions::from_mode(0o755))
                    .map_err(|e| failed(format!("chmod {RELOCATED_CLUSTERS}"), e))?;
                chown(home, owner)?;
            }
        }
        chown(&target, owner)?;
    }
    Ok(target)
}

/// What [`prepare_recovery`] does with a cluster already under the data
/// directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Refuse,
    /// `--force`: its files are deleted (never while it runs).
    Replace,
}

/// Lays out the cluster under `data_dir/postgres` from a physical base
/// backup (`base`: a `pg_basebackup --format=plain` directory) whose
/// superuser's password is `superuser_password`, with `recovery.signal`:
/// the next [`EmbeddedPostgres::start_with`] with a [`Recovery`] replays
/// the archive. Refuses a cluster that is running, and one that exists
/// unless `existing` is [`Existing::Replace`]. Returns the cluster's files.
pub fn prepare_recovery(
    data_dir: &Path,
    base: &Path,
    superuser_password: &str,
    existing: Existing,
) -> Result<PathBuf, EmbeddedError> {
    let owner = cluster_owner()?;
    if !base.join("PG_VERSION").is_file() {
        return Err(failed(
            "restoring the base backup",
            format!("{} is not a PostgreSQL data directory", base.display()),
        ));
    }
    fs::create_dir_all(data_dir)
        .map_err(|e| failed(format!("creating {}", data_dir.display()), e))?;
    let data_dir = data_dir
        .canonicalize()
        .map_err(|e| failed("resolving the data directory", e))?;
    if running_url(&data_dir).is_some() {
        return Err(failed(
            "restoring the base backup",
            format!(
                "the embedded PostgreSQL of {} is running: stop `living-gate serve` first",
                data_dir.display()
            ),
        ));
    }
    let cluster_dir = data_dir.join("postgres");
    fs::create_dir_all(&cluster_dir)
        .map_err(|e| failed(format!("creating {}", cluster_dir.display()), e))?;
    if let Some(owner) = &owner {
        chown(&cluster_dir, owner)?;
    }
    let pgdata = cluster_files(&cluster_dir, owner.as_ref())?;
    let occupied = fs::read_dir(&pgdata)
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if occupied {
        match existing {
            Existing::Refuse => {
                return Err(failed(
                    "restoring the base backup",
                    format!(
                    "{} already holds a cluster: refusing to overwrite it; restore into a fresh \
                         LIVING_GATE_DATA_DIR, or pass --force to delete it",
                    pgdata.display()
                ),
                ))
            }
            Existing::Replace => fs::remove_dir_all(&pgdata)
                .map_err(|e| failed(format!("deleting {}", pgdata.display()), e))?,
        }
    }
    copy_tree(base, &pgdata, owner.as_ref())?;
    fs::set_permissions(&pgdata, fs::Permissions::from_mode(0o700))
        .map_err(|e| failed("chmod data directory", e))?;
    for stale in ["postmaster.pid", "postmaster.opts", "standby.signal"] {
        let _ = fs::remove_file(pgdata.join(stale));
    }
    let signal = pgdata.join("recovery.signal");
    fs::write(&signal, b"").map_err(|e| failed(format!("writing {}", signal.display()), e))?;
    if let Some(owner) = &owner {
        chown(&signal, owner)?;
    }
    let password_file = cluster_dir.join("superuser-password");
    let _ = fs::remove_file(&password_file);
    write_private(&password_file, superuser_password.as_bytes())
        .map_err(|e| failed(format!("writing {}", password_file.display()), e))?;
    Ok(pgdata)
}

/// Copies the directory `from` to `to` (created), files and directories
/// only, owned by `owner` when given.
fn copy_tree(from: &Path, to: &Path, owner: Option<&User>) -> Result<(), EmbeddedError> {
    fs::create_dir_all(to).map_err(|e| failed(format!("creating {}", to.display()), e))?;
    if let Some(owner) = owner {
        chown(to, owner)?;
    }
    let entries =
        fs::read_dir(from).map_err(|e| failed(format!("reading {}", from.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| failed(format!("reading {}", from.display()), e))?;
        let kind = entry
            .file_type()
            .map_err(|e| failed(format!("reading {}", entry.path().display()), e))?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target, owner)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)
                .map_err(|e| failed(format!("copying {}", entry.path().display()), e))?;
            if let Some(owner) = owner {
                chown(&target, owner)?;
            }
        } else {
            return Err(failed(
                "restoring the base backup",
                format!(
                    "{} is neither a file nor a directory (tablespaces are not supported)",
                    entry.path().display()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_archive_command_never_overwrites_and_renames_into_place() {
        let command = archive_command(Path::new("/srv/lg/wal")).expect("command");
        assert!(command.starts_with("if [ -f '/srv/lg/wal'/%f ]; then cmp -s %p '/srv/lg/wal'/%f;"));
        assert!(command.contains("mv '/srv/lg/wal'/%f.part '/srv/lg/wal'/%f"));
        assert_eq!(
            restore_command(Path::new("/srv/lg/wal")).expect("command"),
            "cp '/srv/lg/wal'/%f %p"
        );
        assert!(archive_command(Path::new("/srv/it's")).is_err());
        assert!(archive_command(Path::new("/srv/100%")).is_err());
    }
}
