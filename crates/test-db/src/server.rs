//! Which PostgreSQL server the tests use: `TEST_DATABASE_URL`, then
//! `DATABASE_URL`, then the machine's server on `127.0.0.1:5432`; when none
//! is set and nothing answers there, a private cluster for this test process
//! (started from the installed binaries, as the service's embedded default
//! is), stopped when the process ends.

use living_gate_embedded_pg::{find_binaries, EmbeddedPostgres};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

pub const DEFAULT_SERVER_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_SERVER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 5432);
/// Private clusters live in `/tmp/lg-test-cluster-<pid>` (reachable by the
/// `postgres` user when we are root); those of finished runs are removed.
const PRIVATE_PREFIX: &str = "lg-test-cluster-";

/// The URL of the PostgreSQL server tests run against (any database on it).
pub fn server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let configured = std::env::var("TEST_DATABASE_URL")
            .or_else(|_| std::env::var("DATABASE_URL"))
            .ok()
            .filter(|url| !url.trim().is_empty());
        if let Some(url) = configured {
            return url;
        }
        if TcpStream::connect_timeout(&DEFAULT_SERVER, Duration::from_secs(2)).is_ok() {
            return DEFAULT_SERVER_URL.to_owned();
        }
        match private_cluster() {
            Ok(url) => url,
            Err(problem) => {
                // One line, once, instead of a panic in every test.
                eprintln!("living-gate tests: {problem}");
                std::process::exit(2);
            }
        }
    })
    .clone()
}

/// Starts a private cluster for this process and returns its URL. The
/// cluster belongs to a thread that lives as long as the process: the
/// kernel stops PostgreSQL when the process ends (its parent-death signal).
pub fn private_cluster() -> Result<String, String> {
    if find_binaries().is_none() {
        return Err("no PostgreSQL server answers on 127.0.0.1:5432 and TEST_DATABASE_URL is not set; \
                    install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16) \
                    or set TEST_DATABASE_URL"
            .to_owned());
    }
    sweep_finished_clusters();
    let dir = std::env::temp_dir().join(format!("{PRIVATE_PREFIX}{}", std::process::id()));
    let (sender, receiver) = std::sync::mpsc::channel();
    let starting = dir.clone();
    std::thread::Builder::new()
        .name("test-postgres".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = sender.send(Err(e.to_string()));
                    return;
                }
            };
            match runtime.block_on(EmbeddedPostgres::start(&starting)) {
                Ok(cluster) => {
                    let _ = sender.send(Ok(cluster.url.clone()));
                    // Keep the cluster (and this thread) until the process ends.
                    loop {
                        std::thread::park();
                    }
                }
                Err(e) => {
                    let _ = sender.send(Err(e.to_string()));
                }
            }
        })
        .map_err(|e| e.to_string())?;
    let url = receiver.recv().map_err(|e| e.to_string())?.map_err(|e| {
        format!(
            "starting a private PostgreSQL for the tests in {}: {e}",
            dir.display()
        )
    })?;
    eprintln!(
        "living-gate tests: nothing answers on 127.0.0.1:5432; using a private PostgreSQL in {}",
        dir.display()
    );
    Ok(url)
}

/// Removes the private clusters of test processes that have ended.
fn sweep_finished_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PRIVATE_PREFIX))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !running(pid) && !postmaster_running(&entry.path()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn running(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// A cluster whose server is still shutting down is left for the next sweep.
fn postmaster_running(dir: &Path) -> bool {
    let pid_file: PathBuf = dir.join("postgres/data/postmaster.pid");
    std::fs::read_to_string(pid_file)
        .ok()
        .and_then(|text| text.lines().next()?.trim().parse::<u32>().ok())
        .is_some_and(running)
}

#[cfg(test)]
mod tests {
    use super::private_cluster;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

    /// What the suite falls back to when no server is running: a cluster
    /// that accepts connections and creates databases.
    #[tokio::test]
    async fn a_private_cluster_serves_when_no_server_is_running() {
        let url = private_cluster().expect("a private cluster");
        assert!(url.contains("@127.0.0.1:"), "{url}");
        assert!(!url.contains(":5432/"), "{url}");
        let mut conn = AsyncPgConnection::establish(&url).await.expect("connect");
        diesel::sql_query("CREATE DATABASE lg_private_check")
            .execute(&mut conn)
            .await
            .expect("create database");
        diesel::sql_query("DROP DATABASE lg_private_check")
            .execute(&mut conn)
            .await
            .expect("drop database");
    }
}
