//! [`ReplicaPair`]: a real primary and a real streaming replica of it, in a
//! temporary directory, from the machine's PostgreSQL binaries (found as
//! the embedded default finds them). The primary is an embedded cluster
//! (`initdb`; `wal_level=replica` and `replication` connections from
//! loopback are PostgreSQL 15's defaults); the replica is
//! `pg_basebackup -R` of it on a port of its own with `hot_standby=on`,
//! run with `pg_ctl` so that a test can stop it hard and start it again.
//! As root, both run as the `postgres` user (hence `/tmp`).

use living_gate_embedded_pg::{find_binaries, EmbeddedPostgres};
use living_gate_test_db::{with_database, TestDatabase};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

static PAIRS: AtomicU32 = AtomicU32::new(0);

pub struct ReplicaPair {
    primary: EmbeddedPostgres,
    /// The primary's superuser, on its `postgres` database.
    primary_url: String,
    bin: PathBuf,
    dir: PathBuf,
    replica_data: PathBuf,
    pub replica_port: u16,
}

impl Drop for ReplicaPair {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w"]);
        self.primary.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn postgres_user() -> Option<nix::unistd::User> {
    if !nix::unistd::geteuid().is_root() {
        return None;
    }
    nix::unistd::User::from_name("postgres").ok().flatten()
}

fn as_postgres(command: &mut Command) -> &mut Command {
    if let Some(user) = postgres_user() {
        command.uid(user.uid.as_raw()).gid(user.gid.as_raw());
    }
    command
}

fn succeeded(output: std::io::Result<Output>, what: &str) {
    let output = output.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `url` with its port replaced by `port`.
fn on_port(url: &str, port: u16) -> String {
    let at = url.rfind('@').expect("a URL with a host");
    let rest = &url[at + 1..];
    let end = rest.find('/').unwrap_or(rest.len());
    let host = rest[..end]
        .rsplit_once(':')
        .map_or(&rest[..end], |(h, _)| h);
    format!("{}@{host}:{port}{}", &url[..at], &rest[end..])
}

/// Removes the directories of pairs whose test process has ended (a test
/// that failed while starting its pair leaves one).
fn sweep_finished_pairs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name
            .to_str()
            .and_then(|n| n.strip_prefix("lg-replica-"))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

impl ReplicaPair {
    /// Starts the primary, and a replica streaming from it that has
    /// caught up.
    pub async fn start() -> ReplicaPair {
        // The server's own directory (through links such as /usr/local/bin),
        // where pg_basebackup and pg_ctl of the same version are.
        let bin = find_binaries()
            .and_then(|bin| bin.join("postgres").canonicalize().ok())
            .and_then(|postgres| postgres.parent().map(PathBuf::from))
            .expect("PostgreSQL's server binaries (initdb, postgres)");
        let dir = std::env::temp_dir().join(format!(
            "lg-replica-{}-{}",
            std::process::id(),
            PAIRS.fetch_add(1, Ordering::Relaxed)
        ));
        sweep_finished_pairs();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the pair's directory");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let primary = EmbeddedPostgres::start(&dir.join("primary"))
            .await
            .expect("the primary");
        let password = primary
            .url
            .split_once("://postgres:")
            .and_then(|(_, rest)| rest.split_once('@'))
            .map(|(password, _)| password.to_owned())
            .expect("the superuser's password");
        let primary_url = with_database(&primary.url, "postgres");
        let replica_data = dir.join("replica");
        std::fs::create_dir_all(&replica_data).expect("the replica's directory");
        std::fs::set_permissions(&replica_data, std::fs::Permissions::from_mode(0o700))
            .expect("chmod");
        if let Some(user) = postgres_user() {
            nix::unistd::chown(&replica_data, Some(user.uid), Some(user.gid)).expect("chown");
        }
        let port = primary.port.to_string();
        succeeded(
            as_postgres(
                Command::new(bin.join("pg_basebackup"))
                    .args(["-R", "-X", "stream", "-c", "fast", "-h", "127.0.0.1"])
                    .args(["-p", &port, "-U", "postgres", "-D"])
                    .arg(&replica_data)
                    .env("PGPASSWORD", &password),
            )
            .output(),
            "pg_basebackup",
        );
        let pair = ReplicaPair {
            primary,
            primary_url,
            bin,
            dir,
            replica_data,
            replica_port: free_port(),
        };
        pair.start_replica().await;
        pair
    }

    fn pg_ctl(&self, args: &[&str]) -> std::io::Result<Output> {
        as_postgres(
            Command::new(self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(&self.replica_data)
                .args(args),
        )
        .output()
    }

    fn log(&self) -> PathBuf {
        // Beside the replica's data, where its owner may write.
        self.replica_data.join("replica.log")
    }

    /// Starts the replica (again) and waits until it has caught up.
    pub async fn start_replica(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c hot_standby=on",
            self.replica_port
        );
        let log = self.log();
        succeeded(
            self.pg_ctl(&[
                "start",
                "-w",
                "-t",
                "60",
                "-l",
                log.to_str().expect("a UTF-8 path"),
                "-o",
                &options,
            ]),
            "pg_ctl start (the replica)",
        );
        self.wait_caught_up().await;
    }

    /// Stops the replica as a crash would (`pg_ctl stop -m immediate`).
    pub fn stop_replica(&self) {
        succeeded(
            self.pg_ctl(&["stop", "-m", "immediate", "-w"]),
            "pg_ctl stop (the replica)",
        );
    }

    /// A test database on the primary (migrated there), streamed to the
    /// replica.
    pub async fn database(&self) -> TestDatabase {
        TestDatabase::create_on(&self.primary_url)
            .await
            .expect("a test database on the primary")
    }

    /// `db`'s URL on the replica, as the app's role.
    pub fn replica_url(&self, db: &TestDatabase) -> String {
        on_port(&db.app_url, self.replica_port)
    }

    fn replica_superuser(&self) -> String {
        on_port(&self.primary_url, self.replica_port)
    }

    async fn query(url: &str, sql: &str) -> Vec<Option<String>> {
        use diesel::sql_types::{Nullable, Text};
        use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = Nullable<Text>)]
            value: Option<String>,
        }
        let mut conn = AsyncPgConnection::establish(url)
            .await
            .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
        diesel::sql_query(sql)
            .load::<Row>(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .into_iter()
            .map(|r| r.value)
            .collect()
    }

    /// Stops applying WAL on the replica (it keeps receiving it).
    pub async fn pause_replay(&self) {
        Self::query(
            &self.replica_superuser(),
            "SELECT pg_wal_replay_pause()::text AS value",
        )
        .await;
    }

    /// Applies WAL again.
    pub async fn resume_replay(&self) {
        Self::query(
            &self.replica_superuser(),
            "SELECT pg_wal_replay_resume()::text AS value",
        )
        .await;
    }

    /// Waits until the replica has replayed the primary's current position.
    pub async fn wait_caught_up(&self) {
        let target = Self::query(
            &self.primary_url,
            "SELECT pg_current_wal_lsn()::text AS value",
        )
        .await;
        let target = target[0].clone().expect("a position");
        let sql = format!("SELECT (pg_last_wal_replay_lsn() >= '{target}'::pg_lsn)::text AS value");
        let started = Instant::now();
        loop {
            let (replica, sql) = (self.replica_superuser(), sql.clone());
            let caught_up = tokio::spawn(async move { Self::query(&replica, &sql).await });
            if let Ok(rows) = caught_up.await {
                if rows.first().cloned().flatten().as_deref() == Some("true") {
                    return;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the replica did not catch up with {target}; see {}",
                self.log().display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
