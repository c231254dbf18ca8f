//! The first README command: the real binary with no DATABASE_URL starts
//! its own PostgreSQL, serves, and stops it again.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn postmaster_pid(data_dir: &Path) -> Option<i32> {
    std::fs::read_to_string(data_dir.join("postgres/data/postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// The port the running cluster listens on (line 4 of `postmaster.pid`).
fn postmaster_port(data_dir: &Path) -> Option<u16> {
    std::fs::read_to_string(data_dir.join("postgres/data/postmaster.pid"))
        .ok()?
        .lines()
        .nth(3)?
        .trim()
        .parse()
        .ok()
}

/// The port kept for the next start.
fn kept_port(data_dir: &Path) -> u16 {
    std::fs::read_to_string(data_dir.join("postgres/port"))
        .expect("postgres/port")
        .trim()
        .parse()
        .expect("a port")
}

fn alive(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

/// Starts the binary and reads its JSON log until it says where it listens.
fn start(
    data_dir: &Path,
) -> (
    std::process::Child,
    String,
    BufReader<std::process::ChildStdout>,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_living-gate"))
        .env_remove("DATABASE_URL")
        .env("LIVING_GATE_DATA_DIR", data_dir)
        .env("LIVING_GATE_BIND", "127.0.0.1:0")
        .env("LIVING_GATE_LOG_FORMAT", "json")
        .env("LIVING_GATE_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start living-gate");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let addr = loop {
        line.clear();
        let read = stdout.read_line(&mut line).expect("read log");
        assert!(read > 0, "living-gate exited before listening");
        if let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) {
            if entry["fields"]["message"] == "listening" {
                break entry["fields"]["addr"].as_str().expect("addr").to_owned();
            }
        }
    };
    (child, addr, stdout)
}

/// The service at `addr` answers `GET /readyz` with 200.
async fn assert_ready(client: &reqwest::Client, addr: &str) {
    let ready = client
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), reqwest::StatusCode::OK);
}

fn stop(child: &mut std::process::Child) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
    let status = child.wait().expect("wait");
    assert!(status.success(), "living-gate exited with {status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn serves_on_an_embedded_postgres_and_stops_it() {
    let dir = tempfile::Builder::new()
        .prefix("lg-embedded")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let data_dir = dir.path().join("data");
    let (mut child, addr, _stdout) = start(&data_dir);

    let client = reqwest::Client::new();
    assert_ready(&client, &addr).await;

    // Demo accounts were created with fresh passwords, and they work.
    let credentials =
        std::fs::read_to_string(data_dir.join("demo-credentials.txt")).expect("demo credentials");
    let desk = credentials
        .lines()
        .find(|l| l.starts_with("desk "))
        .expect("a desk account");
    let fields: Vec<&str> = desk.split_whitespace().collect();
    let login = client
        .post(format!("http://{addr}/v1/auth/login"))
        .json(&serde_json::json!({"email": fields[1], "password": fields[2]}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), reqwest::StatusCode::OK);
    let municipalities: serde_json::Value = client
        .get(format!("http://{addr}/v1/municipalities"))
        .bearer_auth(
            login.json::<serde_json::Value>().await.expect("tokens")["access_token"]
                .as_str()
                .expect("token"),
        )
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(municipalities["items"].as_array().map(Vec::len), Some(4));

    // The API's connections are the least-privilege service role's, not the superuser's.
    let port = kept_port(&data_dir);
    let superuser = std::fs::read_to_string(data_dir.join("postgres/superuser-password"))
        .expect("superuser password");
    let mut conn = {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&format!(
            "postgres://postgres:{}@127.0.0.1:{port}/living_gate",
            superuser.trim()
        ))
        .await
        .expect("connect as the superuser")
    };
    #[derive(diesel::QueryableByName)]
    struct Sessions {
        #[diesel(sql_type = diesel::sql_types::Text)]
        usename: String,
    }
    let sessions: Vec<Sessions> = diesel_async::RunQueryDsl::load(
        diesel::sql_query(
            "SELECT DISTINCT usename::text AS usename FROM pg_stat_activity \
             WHERE datname = 'living_gate' AND pid <> pg_backend_pid() \
             AND application_name <> 'living-gate-base-backup'",
        ),
        &mut conn,
    )
    .await
    .expect("sessions");
    // (The scheduled base backup, if it runs now, connects as the superuser
    // under its own application_name: pg_basebackup needs REPLICATION.)
    let users: Vec<&str> = sessions.iter().map(|s| s.usename.as_str()).collect();
    assert_eq!(users, ["living_gate_service"]);
    drop(conn);

    let postgres = postmaster_pid(&data_dir).expect("a running cluster");
    assert!(alive(postgres));
    assert_eq!(postmaster_port(&data_dir), Some(port));
    stop(&mut child);
    assert!(!alive(postgres), "the embedded postgres was left running");
    assert!(
        postmaster_pid(&data_dir).is_none(),
        "postmaster.pid left behind"
    );

    // A second start reuses the cluster and loads no demo data again.
    let (mut child, addr, _stdout) = start(&data_dir);
    assert_ready(&client, &addr).await;
    let again =
        std::fs::read_to_string(data_dir.join("demo-credentials.txt")).expect("credentials");
    assert_eq!(again, credentials, "demo credentials are written once");
    // ... and listens on the same PostgreSQL port, so saved connections keep working.
    assert_eq!(postmaster_port(&data_dir), Some(port), "the port changed");
    assert_eq!(kept_port(&data_dir), port);
    stop(&mut child);

    // When that port is taken, the next start picks another and keeps it.
    let squatter = std::net::TcpListener::bind(("127.0.0.1", port)).expect("take the port");
    let (mut child, addr, _stdout) = start(&data_dir);
    assert_ready(&client, &addr).await;
    let moved = postmaster_port(&data_dir).expect("a running cluster");
    assert_ne!(moved, port);
    assert_eq!(kept_port(&data_dir), moved);
    stop(&mut child);
    drop(squatter);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    let output = Command::new(env!("CARGO_BIN_EXE_living-gate"))
        .env("LIVING_GATE_BIND", "not-an-address")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("LIVING_GATE_BIND"), "{stderr}");
}

/// As root, from a directory the `postgres` user cannot enter (a
/// container's `/root`): the cluster's files go under /var/lib/living-gate,
/// linked from `postgres/data`, and the service starts, stops and starts again.
#[tokio::test(flavor = "multi_thread")]
async fn as_root_from_a_directory_postgres_cannot_reach() {
    use std::os::unix::fs::PermissionsExt;
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: only meaningful as root (CI runs as root)");
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("lg-private")
        .tempdir_in("/tmp")
        .expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let data_dir = dir.path().join("data");
    let (mut child, addr, _stdout) = start(&data_dir);
    let client = reqwest::Client::new();
    assert_ready(&client, &addr).await;
    let link = data_dir.join("postgres/data");
    let target = std::fs::read_link(&link).expect("postgres/data is a link");
    assert!(
        target.starts_with("/var/lib/living-gate/"),
        "{}",
        target.display()
    );
    let postgres = postmaster_pid(&data_dir).expect("a running cluster");
    stop(&mut child);
    assert!(!alive(postgres), "the embedded postgres was left running");

    // The next start follows the link to the same cluster (the demo data
    // is not loaded again).
    let credentials =
        std::fs::read_to_string(data_dir.join("demo-credentials.txt")).expect("credentials");
    let (mut child, addr, _stdout) = start(&data_dir);
    assert_ready(&client, &addr).await;
    assert_eq!(std::fs::read_link(&link).expect("link"), target);
    assert_eq!(
        std::fs::read_to_string(data_dir.join("demo-credentials.txt")).expect("credentials"),
        credentials
    );
    stop(&mut child);
    std::fs::remove_dir_all(target.parent().expect("the cluster's home")).expect("clean up");
}
