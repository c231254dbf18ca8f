//! The embedded default: a private PostgreSQL cluster under
//! `$LIVING_GATE_DATA_DIR/postgres`, run from the binaries installed on the
//! machine (PATH, then `/usr/lib/postgresql/*/bin`).
//!
//! - created with `initdb` on first start (scram-sha-256, a generated
//!   superuser password kept in the cluster directory), kept across restarts;
//! - listens only on a loopback port, no Unix socket: the port of the last
//!   start (kept in `postgres/port`) when it is still free, so a BI tool's
//!   saved connection keeps working, else a new free one (logged);
//! - `postgres` runs as our child in its own process group, so Ctrl-C reaches
//!   us first and we stop it after draining requests; the kernel sends it
//!   SIGINT (fast shutdown) if we die (PR_SET_PDEATHSIG), and a cluster left
//!   running anyway is found by its `postmaster.pid` and stopped at the next start;
//! - as root (initdb refuses root) the cluster runs as the `postgres` user;
//!   when that user cannot reach the data directory (a container's `/root`),
//!   the cluster's files go to `/var/lib/living-gate/<digest>/data`, linked
//!   from `postgres/data`, and everything else stays where it was.
//!
//! WAL archiving and point-in-time recovery are in [`archive`].

mod archive;

use archive::archive_dir;
pub use archive::{
    archive_command, prepare_recovery, restore_command, Existing, Recovery, WalArchive,
};
use nix::sys::signal::{kill, Signal};
use nix::unistd::{Pid, User};
use sha2::{Digest, Sha256};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const DATABASE: &str = "living_gate";
const SUPERUSER: &str = "postgres";
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest a point-in-time recovery may replay WAL.
const RECOVERY_TIMEOUT: Duration = Duration::from_secs(3600);
/// The file in the cluster directory that keeps the port from one start to the next.
pub const PORT_FILE: &str = "port";
/// Where a root-started cluster goes when the `postgres` user cannot reach the data directory.
pub const RELOCATED_CLUSTERS: &str = "/var/lib/living-gate";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "no DATABASE_URL is set and no PostgreSQL is installed (looked for initdb and postgres on PATH and in \
/usr/lib/postgresql/*/bin). Install it (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16), \
or point DATABASE_URL at a server, e.g. one started with `docker compose up -d db`: \
DATABASE_URL=postgres://living_gate:living_gate@127.0.0.1:5432/living_gate"
    )]
    NotInstalled,
    #[error("running as root needs a `postgres` system user to own the embedded cluster (initdb refuses root); create one or set DATABASE_URL")]
    NoPostgresUser,
    #[error("{action} failed: {detail}")]
    Failed { action: String, detail: String },
}

pub(crate) fn failed(action: impl Into<String>, detail: impl ToString) -> EmbeddedError {
    EmbeddedError::Failed {
        action: action.into(),
        detail: detail.to_string(),
    }
}

/// How [`EmbeddedPostgres::start_with`] runs the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartOptions {
    pub archive: Option<WalArchive>,
    pub recovery: Option<Recovery>,
}

/// A running embedded cluster; stopped by [`EmbeddedPostgres::stop`] or on drop.
pub struct EmbeddedPostgres {
    child: Option<Child>,
    pub url: String,
    /// The loopback port it listens on.
    pub port: u16,
    /// True when this start created the cluster (the demo data goes in then).
    pub created: bool,
    pub cluster_dir: PathBuf,
}

/// Where the PostgreSQL server binaries are.
pub fn find_binaries() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    let from_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| has_both(dir));
    from_path.or_else(|| {
        let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
                let bin = entry.path().join("bin");
                has_both(&bin).then_some((version, bin))
            })
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    })
}

impl EmbeddedPostgres {
    /// Starts (creating if needed) the cluster under `data_dir/postgres`.
    ///
    /// Call from the main thread: the parent-death signal is tied to the
    /// thread that spawns the server.
    pub async fn start(data_dir: &Path) -> Result<EmbeddedPostgres, EmbeddedError> {
        Self::start_with(data_dir, &StartOptions::default()).await
    }

    /// [`EmbeddedPostgres::start`] with WAL archiving and/or a recovery.
    /// A recovery needs the cluster laid out by [`prepare_recovery`]; the
    /// returned server has finished it and is promoted (read-write).
    pub async fn start_with(
        data_dir: &Path,
        options: &StartOptions,
    ) -> Result<EmbeddedPostgres, EmbeddedError> {
        let bin = find_binaries().ok_or(EmbeddedError::NotInstalled)?;
        let owner = cluster_owner()?;
        fs::create_dir_all(data_dir)
            .map_err(|e| failed(format!("creating {}", data_dir.display()), e))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(|e| failed("resolving the data directory", e))?;
        let cluster_dir = data_dir.join("postgres");
        fs::create_dir_all(&cluster_dir)
            .map_err(|e| failed(format!("creating {}", cluster_dir.display()), e))?;
        let password_file = cluster_dir.join("superuser-password");
        if let Some(owner) = &owner {
            chown(&cluster_dir, owner)?;
        }
        let pgdata = cluster_files(&cluster_dir, owner.as_ref())?;
        if !pgdata.join("PG_VERSION").exists() {
            init_cluster(&bin, &pgdata, &password_file, owner.as_ref())?;
        }
        let password = fs::read_to_string(&password_file)
            .map_err(|e| failed(format!("reading {}", password_file.display()), e))?
            .trim()
            .to_owned();
        stop_orphan(&pgdata)?;
        let port = choose_port(&cluster_dir.join(PORT_FILE))?;
        let log_path = cluster_dir.join("postgres.log");
        let mut settings = Vec::new();
        if let Some(archive) = &options.archive {
            let dir = archive_dir(&archive.dir, &pgdata, owner.as_ref())?;
            settings.push("wal_level=replica".to_owned());
            settings.push("archive_mode=on".to_owned());
            settings.push(format!("archive_command={}", archive_command(&dir)?));
            settings.push(format!("archive_timeout={}", archive.timeout_secs));
        }
        if let Some(recovery) = &options.recovery {
            // Through any link: the server reads the files, not our path.
            let archive = recovery.archive.canonicalize().map_err(|e| {
                failed(
                    format!("reading the WAL archive {}", recovery.archive.display()),
                    e,
                )
            })?;
            settings.push(format!("restore_command={}", restore_command(&archive)?));
            settings.push(format!("recovery_target_time={}", recovery.target_time));
            settings.push("recovery_target_action=promote".to_owned());
            settings.push("recovery_target_inclusive=true".to_owned());
        }
        let child = spawn_server(&bin, &pgdata, port, &log_path, owner.as_ref(), &settings)?;
        let mut server = EmbeddedPostgres {
            child: Some(child),
            url: format!("postgres://{SUPERUSER}:{password}@127.0.0.1:{port}/{DATABASE}"),
            port,
            created: false,
            cluster_dir,
        };
        let maintenance_url =
            format!("postgres://{SUPERUSER}:{password}@127.0.0.1:{port}/postgres");
        server.wait_ready(&maintenance_url, &log_path).await?;
        if options.recovery.is_some() {
            server.wait_promoted(&maintenance_url, &log_path).await?;
        }
        // The database, not the cluster, decides "first start": a start that
        // died between initdb and CREATE DATABASE is completed by the next.
        server.created = ensure_database(&maintenance_url).await?;
        Ok(server)
    }

    async fn wait_ready(&mut self, url: &str, log_path: &Path) -> Result<(), EmbeddedError> {
        use diesel_async::AsyncConnection;
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(failed(
                        "starting postgres",
                        format!("it exited with {status}; see {}", log_path.display()),
                    ));
                }
            }
            if diesel_async::AsyncPgConnection::establish(url)
                .await
                .is_ok()
            {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(failed(
                    "starting postgres",
                    format!("not ready after 60 s; see {}", log_path.display()),
                ));
            }
            // Polling a server we just started; it takes well under a second.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until a recovery has ended and the server is promoted.
    async fn wait_promoted(&mut self, url: &str, log_path: &Path) -> Result<(), EmbeddedError> {
        use diesel::sql_types::Bool;
        use diesel_async::{AsyncConnection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct InRecovery {
            #[diesel(sql_type = Bool)]
            recovering: bool,
        }
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(failed(
                        "recovering",
                        format!(
                            "postgres exited with {status} (a target time after the archive's last WAL ends the recovery like this); see {}",
                            log_path.display()
                        ),
                    ));
                }
            }
            if let Ok(mut conn) = diesel_async::AsyncPgConnection::establish(url).await {
                if let Ok(row) = diesel::sql_query("SELECT pg_is_in_recovery() AS recovering")
                    .get_result::<InRecovery>(&mut conn)
                    .await
                {
                    if !row.recovering {
                        return Ok(());
                    }
                }
            }
            if started.elapsed() > RECOVERY_TIMEOUT {
                return Err(failed(
                    "recovering",
                    format!(
                        "not promoted after {} s; see {}",
                        RECOVERY_TIMEOUT.as_secs(),
                        log_path.display()
                    ),
                ));
            }
            // Replaying WAL; polled like the start.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The URL of login role `name`, a member of `member_of` (a role the
    /// migrations created): created on first use with a generated password,
    /// kept in the cluster directory as `<name>-password`.
    pub async fn login_role(&self, name: &str, member_of: &str) -> Result<String, EmbeddedError> {
        use diesel_async::{AsyncConnection, RunQueryDsl};
        let password_file = self.cluster_dir.join(format!("{name}-password"));
        let password = match fs::read_to_string(&password_file) {
            Ok(password) => password.trim().to_owned(),
            Err(_) => {
                let password = random_password();
                write_private(&password_file, password.as_bytes())
                    .map_err(|e| failed(format!("writing {}", password_file.display()), e))?;
                password
            }
        };
        let mut conn = diesel_async::AsyncPgConnection::establish(&self.url)
            .await
            .map_err(|e| failed("connecting to the embedded postgres", e))?;
        // Names are ours (constants), the password base64url: safe to inline.
        diesel::sql_query(format!(
            "DO $$ BEGIN CREATE ROLE {name} LOGIN IN ROLE {member_of}; \
             EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        ))
        .execute(&mut conn)
        .await
        .map_err(|e| failed(format!("creating role {name}"), e))?;
        diesel::sql_query(format!("ALTER ROLE {name} LOGIN PASSWORD '{password}'"))
            .execute(&mut conn)
            .await
            .map_err(|e| failed(format!("setting the password of {name}"), e))?;
        Ok(format!(
            "postgres://{name}:{password}@127.0.0.1:{}/{DATABASE}",
            self.port
        ))
    }

    /// Fast shutdown (SIGINT), waiting for the server to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Ok(pid) = i32::try_from(child.id()) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGINT);
            }
            match child.wait() {
                Ok(status) => tracing::info!(%status, "embedded postgres stopped"),
                Err(e) => tracing::warn!(error = %e, "waiting for embedded postgres"),
            }
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The user the cluster runs as when we are root.
pub(crate) fn cluster_owner() -> Result<Option<User>, EmbeddedError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    User::from_name("postgres")
        .ok()
        .flatten()
        .map(Some)
        .ok_or(EmbeddedError::NoPostgresUser)
}

/// The cluster's own directory (`-D`): `cluster_dir/data`, unless we are
/// root and the `postgres` user cannot reach `cluster_dir`; then a directory
/// under [`RELOCATED_CLUSTERS`] named by a digest of `cluster_dir`, with
/// `cluster_dir/data` a link to it (kept: later starts follow the link).
pub(crate) fn cluster_files(
    cluster_dir: &Path,
    owner: Option<&User>,
) -> Result<PathBuf, EmbeddedError> {
    let link = cluster_dir.join("data");
    let relocated = match fs::read_link(&link) {
        Ok(target) => target,
        Err(_) => match owner {
            Some(owner) if !link.is_dir() && !reachable_by(cluster_dir, owner) => {
                let digest = hex::encode(&Sha256::digest(cluster_dir.as_os_str().as_bytes())[..8]);
                let target = Path::new(RELOCATED_CLUSTERS).join(digest).join("data");
                std::os::unix::fs::symlink(&target, &link)
                    .map_err(|e| failed(format!("linking {}", link.display()), e))?;
                tracing::info!(
                    data_dir = %cluster_dir.display(),
                    cluster = %target.display(),
                    "the postgres user cannot reach the data directory: the cluster's files are kept in {}",
                    target.display()
                );
                target
            }
            _ => return Ok(link),
        },
    };
    // The link's directory, created (again, if it was removed) for the owner.
    let home = relocated.parent().unwrap_or(Path::new(RELOCATED_CLUSTERS));
    fs::create_dir_all(home).map_err(|e| failed(format!("creating {}", home.display()), e))?;
    fs::set_permissions(RELOCATED_CLUSTERS, fs::Permissions::from_mode(0o755))
        .map_err(|e| failed(format!("chmod {RELOCATED_CLUSTERS}"), e))?;
    if let Some(owner) = owner {
        chown(home, owner)?;
    }
    Ok(relocated)
}

/// Whether `owner` may enter `dir`: search permission on it and every
/// directory above (by the mode bits; supplementary groups are not counted,
/// so a doubtful case is relocated rather than failed).
pub(crate) fn reachable_by(dir: &Path, owner: &User) -> bool {
    use std::os::unix::fs::MetadataExt;
    dir.ancestors().all(|ancestor| {
        let Ok(meta) = fs::metadata(ancestor) else {
            return false;
        };
        let mode = meta.mode();
        (meta.uid() == owner.uid.as_raw() && mode & 0o100 != 0)
            || (meta.gid() == owner.gid.as_raw() && mode & 0o010 != 0)
            || mode & 0o001 != 0
    })
}

pub(crate) fn chown(path: &Path, owner: &User) -> Result<(), EmbeddedError> {
    nix::unistd::chown(path, Some(owner.uid), Some(owner.gid))
        .map_err(|e| failed(format!("chown {}", path.display()), e))
}

fn as_owner(command: &mut Command, owner: Option<&User>) {
    if let Some(owner) = owner {
        command.uid(owner.uid.as_raw()).gid(owner.gid.as_raw());
    }
}

fn init_cluster(
    bin: &Path,
    pgdata: &Path,
    password_file: &Path,
    owner: Option<&User>,
) -> Result<(), EmbeddedError> {
    let password = random_password();
    write_private(password_file, password.as_bytes())
        .map_err(|e| failed(format!("writing {}", password_file.display()), e))?;
    // initdb (run as the owner) reads the password from a copy beside the
    // cluster: the owner may not reach `password_file` itself.
    let pwfile = pgdata.with_file_name("initdb-password");
    write_private(&pwfile, password.as_bytes())
        .map_err(|e| failed(format!("writing {}", pwfile.display()), e))?;
    if let Some(owner) = owner {
        chown(&pwfile, owner)?;
    }
    let mut command = Command::new(bin.join("initdb"));
    command
        .arg("-D")
        .arg(pgdata)
        .args([
            "-U",
            SUPERUSER,
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--pwfile",
        ])
        .arg(&pwfile)
        .stdin(Stdio::null());
    as_owner(&mut command, owner);
    let output = command.output();
    let _ = fs::remove_file(&pwfile);
    let output = output.map_err(|e| failed("running initdb", e))?;
    if !output.status.success() {
        let _ = fs::remove_dir_all(pgdata);
        let _ = fs::remove_file(password_file);
        return Err(failed(
            "initdb",
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stderr).trim(),
                if owner.is_some() {
                    " (the postgres user must be able to reach the data directory; choose LIVING_GATE_DATA_DIR accordingly)"
                } else {
                    ""
                }
            ),
        ));
    }
    fs::set_permissions(pgdata, fs::Permissions::from_mode(0o700))
        .map_err(|e| failed("chmod data directory", e))
}

/// Stops a server left running by a previous process that was killed.
fn stop_orphan(pgdata: &Path) -> Result<(), EmbeddedError> {
    let Ok(pid_file) = fs::read_to_string(pgdata.join("postmaster.pid")) else {
        return Ok(());
    };
    let Some(pid) = pid_file
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<i32>().ok())
    else {
        return Ok(());
    };
    let pid = Pid::from_raw(pid);
    if kill(pid, None).is_err() {
        return Ok(()); // stale pid file; postgres removes it itself
    }
    tracing::warn!(
        pid = pid.as_raw(),
        "stopping an embedded postgres left running by a previous start"
    );
    let _ = kill(pid, Signal::SIGINT);
    let started = Instant::now();
    while kill(pid, None).is_ok() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = kill(pid, Signal::SIGQUIT);
        }
        if started.elapsed() > Duration::from_secs(40) {
            return Err(failed(
                "stopping the previous embedded postgres",
                format!("pid {pid} does not exit"),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// The port kept in `port_file` when it is still free, else a new free one;
/// written back to `port_file` either way.
fn choose_port(port_file: &Path) -> Result<u16, EmbeddedError> {
    let kept = fs::read_to_string(port_file)
        .ok()
        .and_then(|text| text.trim().parse::<u16>().ok())
        .filter(|port| *port != 0);
    let port = match kept {
        Some(port) if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() => port,
        Some(taken) => {
            let port = free_port()?;
            tracing::warn!(
                previous = taken,
                port,
                "the embedded postgres port of the last start is taken; using a new one (update saved connections)"
            );
            port
        }
        None => free_port()?,
    };
    if kept != Some(port) {
        fs::write(port_file, format!("{port}\n"))
            .map_err(|e| failed(format!("writing {}", port_file.display()), e))?;
    }
    Ok(port)
}

fn free_port() -> Result<u16, EmbeddedError> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| failed("finding a free port", e))
}

fn spawn_server(
    bin: &Path,
    pgdata: &Path,
    port: u16,
    log_path: &Path,
    owner: Option<&User>,
    settings: &[String],
) -> Result<Child, EmbeddedError> {
    let log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)
        .map_err(|e| failed(format!("opening {}", log_path.display()), e))?;
    let log_err = log
        .try_clone()
        .map_err(|e| failed("opening the postgres log", e))?;
    let mut command = Command::new(bin.join("postgres"));
    command.arg("-D").arg(pgdata).args([
        "-p",
        &port.to_string(),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_directories=",
    ]);
    for setting in settings {
        command.arg("-c").arg(setting);
    }
    command
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .process_group(0);
    as_owner(&mut command, owner);
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGINT).map_err(std::io::Error::from)
        });
    }
    command.spawn().map_err(|e| failed("starting postgres", e))
}

/// Creates the application database unless it exists; true when it did.
async fn ensure_database(maintenance_url: &str) -> Result<bool, EmbeddedError> {
    use diesel_async::{AsyncConnection, RunQueryDsl};
    let mut conn = diesel_async::AsyncPgConnection::establish(maintenance_url)
        .await
        .map_err(|e| failed("connecting to the embedded postgres", e))?;
    let existing = diesel::sql_query(format!(
        "SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"
    ))
    .execute(&mut conn)
    .await
    .map_err(|e| failed("looking for the database", e))?;
    if existing > 0 {
        return Ok(false);
    }
    diesel::sql_query(format!("CREATE DATABASE {DATABASE}"))
        .execute(&mut conn)
        .await
        .map_err(|e| failed("creating the database", e))?;
    Ok(true)
}

/// 32 random bytes, base64url: the superuser's password.
fn random_password() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Creates `path` readable by its owner only (fails if it exists).
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(contents)
}

/// A PostgreSQL client program (`pg_dump`, `pg_restore`, ...) of server
/// major version `major` when installed (`/usr/lib/postgresql/<major>/bin`),
/// else the one beside the server binaries [`find_binaries`] finds, else
/// the bare name (found on PATH when run).
pub fn find_tool(name: &str, major: Option<u32>) -> PathBuf {
    if let Some(major) = major {
        let versioned = Path::new("/usr/lib/postgresql")
            .join(major.to_string())
            .join("bin")
            .join(name);
        if versioned.is_file() {
            return versioned;
        }
    }
    find_binaries()
        .map(|bin| bin.join(name))
        .filter(|tool| tool.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// The superuser URL of the embedded cluster under `data_dir/postgres` when
/// it is running now (its `postmaster.pid` names a live process): how
/// `living-gate backup` reaches the cluster a running `serve` owns without
/// starting (and so stopping) it.
pub fn running_url(data_dir: &Path) -> Option<String> {
    let cluster_dir = data_dir.join("postgres");
    let pid_file = fs::read_to_string(cluster_dir.join("data").join("postmaster.pid")).ok()?;
    let mut lines = pid_file.lines();
    let pid = lines.next()?.trim().parse::<i32>().ok()?;
    kill(Pid::from_raw(pid), None).ok()?;
    let port = lines.nth(2)?.trim().parse::<u16>().ok()?;
    let password = fs::read_to_string(cluster_dir.join("superuser-password")).ok()?;
    Some(format!(
        "postgres://{SUPERUSER}:{}@127.0.0.1:{port}/{DATABASE}",
        password.trim()
    ))
}

/// The superuser's password of the embedded cluster under `data_dir`.
pub fn superuser_password(data_dir: &Path) -> Option<String> {
    fs::read_to_string(data_dir.join("postgres").join("superuser-password"))
        .ok()
        .map(|p| p.trim().to_owned())
}
