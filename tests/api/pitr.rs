//! Point-in-time recovery of the embedded default (issue 21): the real
//! binary serves on its own cluster with WAL archiving, takes its scheduled
//! base backup, and `living-gate restore <base> --to-time T` recovers a new
//! cluster to a moment between two writes.

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `living-gate serve` on the embedded default under `data_dir`; returns
/// the child and the address it listens on.
fn serve(data_dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_living-gate"))
        .env_remove("DATABASE_URL")
        .env_remove("LIVING_GATE_MIGRATION_DATABASE_URL")
        .env("LIVING_GATE_DATA_DIR", data_dir)
        .env("LIVING_GATE_BIND", "127.0.0.1:0")
        .env("LIVING_GATE_LOG_FORMAT", "json")
        .env("LIVING_GATE_LOG", "info")
        .env("LIVING_GATE_RETENTION_INTERVAL", "0")
        .env("LIVING_GATE_MAIL_WORKER", "false")
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
        if let Ok(entry) = serde_json::from_str::<Value>(&line) {
            if entry["fields"]["message"] == "listening" {
                break entry["fields"]["addr"].as_str().expect("addr").to_owned();
            }
        }
    };
    // Keep reading the log so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in stdout.lines() {});
    (child, addr)
}

fn stop(child: &mut Child) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
    let status = child.wait().expect("wait");
    assert!(status.success(), "living-gate exited with {status}");
}

/// `living-gate <args>` on the embedded default under `data_dir`.
fn living_gate(args: &[&str], data_dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_living-gate"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("LIVING_GATE_MIGRATION_DATABASE_URL")
        .env("LIVING_GATE_DATA_DIR", data_dir)
        .env("LIVING_GATE_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run living-gate")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn succeeded(output: &Output, what: &str) {
    assert!(output.status.success(), "{what} failed: {}", text(output));
}

fn failed_with(output: &Output, words: &str) {
    assert!(
        !output.status.success(),
        "expected a failure: {}",
        text(output)
    );
    assert!(text(output).contains(words), "{}", text(output));
}

/// The base backups under `data_dir/backups/base`, oldest first.
fn base_backups(data_dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(data_dir.join("backups/base"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.join("manifest.json").is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

async fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not after {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn login(client: &reqwest::Client, addr: &str, data_dir: &Path, role: &str) -> String {
    let credentials =
        std::fs::read_to_string(data_dir.join("demo-credentials.txt")).expect("credentials");
    let line = credentials
        .lines()
        .find(|l| l.split_whitespace().next() == Some(role))
        .unwrap_or_else(|| panic!("a {role} account"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    let tokens: Value = client
        .post(format!("http://{addr}/v1/auth/login"))
        .json(&json!({"email": fields[1], "password": fields[2]}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("tokens");
    tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

async fn submit(client: &reqwest::Client, addr: &str, token: &str, zama: &str, title: &str) {
    let response = client
        .post(format!("http://{addr}/v1/proposals"))
        .bearer_auth(token)
        .json(&json!({
            "kind": "proposal", "title": title, "municipality_id": zama,
            "summary": "駅前の空き店舗で、高齢者と子育て世代が交流できる場を開く。",
            "themes": ["community_support"], "sdg_goals": [11], "policy_areas": ["地域共生"], "channel": "web"
        }))
        .send()
        .await
        .expect("submit");
    assert_eq!(response.status(), reqwest::StatusCode::CREATED, "{title}");
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

async fn titled(url: &str, title: &str) -> i64 {
    let mut conn = AsyncPgConnection::establish(url).await.expect("connect");
    diesel::sql_query(format!(
        "SELECT count(*) AS n FROM proposals WHERE title = '{title}'"
    ))
    .get_result::<Count>(&mut conn)
    .await
    .expect("count")
    .n
}

/// A directory under /tmp the `postgres` user can enter (a test run as
/// root runs the clusters as `postgres`).
fn tempdir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("lg-pitr")
        .tempdir_in("/tmp")
        .expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn a_point_in_time_restore_has_the_first_case_and_not_the_second() {
    let root = tempdir();
    let source = root.path().join("source");
    let (mut server, addr) = serve(&source);
    let client = reqwest::Client::new();

    // `serve` takes its first scheduled base backup at once (none exists).
    wait_for(
        "the scheduled base backup",
        Duration::from_secs(180),
        || !base_backups(&source).is_empty(),
    )
    .await;
    let base = base_backups(&source).remove(0);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(base.join("manifest.json")).expect("read"))
            .expect("manifest");
    assert_eq!(manifest["format"], "living-gate-base-backup/1");
    assert!(manifest["migration_version"]
        .as_str()
        .expect("migration")
        .starts_with("2026"));
    assert_eq!(
        manifest["backup_manifest_sha256"].as_str().map(str::len),
        Some(64)
    );
    assert!(manifest["bytes"].as_u64().expect("bytes") > 1_000_000);

    let partner = login(&client, &addr, &source, "partner").await;
    let municipalities: Value = client
        .get(format!("http://{addr}/v1/municipalities"))
        .bearer_auth(&partner)
        .send()
        .await
        .expect("municipalities")
        .json()
        .await
        .expect("json");
    let zama = municipalities["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["code"] == "142166")
        .expect("Zama")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    submit(&client, &addr, &partner, &zama, "case A").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let moment = chrono::Utc::now();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    submit(&client, &addr, &partner, &zama, "case B").await;

    // The segment holding case B is switched and archived.
    let superuser = living_gate_embedded_pg::running_url(&source).expect("running cluster");
    let mut conn = AsyncPgConnection::establish(&superuser)
        .await
        .expect("connect");
    let switched: Name = diesel::sql_query("SELECT pg_walfile_name(pg_switch_wal())::text AS name")
        .get_result(&mut conn)
        .await
        .expect("switch");
    let switched = switched.name.expect("segment");
    let archive = source.join("backups/wal");
    wait_for(
        "the switched segment archived",
        Duration::from_secs(60),
        || archive.join(&switched).is_file(),
    )
    .await;

    // The state of the backups, as the platform admin sees it and in /readyz.
    let admin = login(&client, &addr, &source, "platform_admin").await;
    let state: Value = client
        .get(format!("http://{addr}/v1/backups"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("backups")
        .json()
        .await
        .expect("json");
    assert_eq!(state["status"], "ok", "{state}");
    assert_eq!(state["base_backups"]["count"], 1, "{state}");
    assert_eq!(state["base_backups"]["interval_seconds"], 86_400);
    assert_eq!(state["base_backups"]["keep"], 7);
    assert!(
        state["base_backups"]["last"]["bytes"]
            .as_u64()
            .expect("bytes")
            > 0
    );
    assert_eq!(state["wal_archive"]["archive_mode"], "on");
    assert!(
        state["wal_archive"]["archived_count"]
            .as_i64()
            .expect("count")
            >= 1
    );
    assert_eq!(state["wal_archive"]["failed_count"], 0, "{state}");
    let ready: Value = client
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("json");
    assert_eq!(ready["status"], "ok");
    assert_eq!(ready["details"]["backups"]["status"], "ok", "{ready}");
    assert_eq!(ready["details"]["backups"]["wal_archive_failing"], false);
    let partner_view = client
        .get(format!("http://{addr}/v1/backups"))
        .bearer_auth(&partner)
        .send()
        .await
        .expect("backups");
    assert_eq!(partner_view.status(), reqwest::StatusCode::FORBIDDEN);

    // The base backup checks out.
    let base_arg = base.to_str().expect("utf-8");
    succeeded(
        &living_gate(&["backup", "verify", base_arg], &source, &[]),
        "backup verify of the base backup",
    );

    // Restored into a fresh data directory, to the moment between A and B.
    let restored = root.path().join("restored");
    let to_time = moment.to_rfc3339();
    let output = living_gate(
        &["restore", base_arg, "--to-time", &to_time],
        &restored,
        &[],
    );
    succeeded(&output, "restore --to-time");
    assert!(
        text(&output).contains("recovered it to"),
        "{}",
        text(&output)
    );
    {
        let mut cluster = living_gate_embedded_pg::EmbeddedPostgres::start(&restored)
            .await
            .expect("start the restored cluster");
        assert_eq!(titled(&cluster.url, "case A").await, 1, "A is there");
        assert_eq!(titled(&cluster.url, "case B").await, 0, "B is not");
        cluster.stop();
    }
    // The source went on.
    assert_eq!(titled(&superuser, "case B").await, 1);

    // Unhappy paths: an occupied data directory, a time before the backup,
    // an external database.
    failed_with(
        &living_gate(
            &["restore", base_arg, "--to-time", &to_time],
            &restored,
            &[],
        ),
        "--force",
    );
    let before =
        (chrono::DateTime::parse_from_rfc3339(manifest["started_at"].as_str().expect("started"))
            .expect("time")
            - chrono::Duration::hours(1))
        .to_rfc3339();
    failed_with(
        &living_gate(
            &["restore", base_arg, "--to-time", &before],
            &root.path().join("too-early"),
            &[],
        ),
        "before this base backup finished",
    );
    failed_with(
        &living_gate(
            &["restore", base_arg, "--to-time", &to_time],
            &root.path().join("external"),
            &[("DATABASE_URL", "postgres://x@127.0.0.1:1/x")],
        ),
        "embedded default",
    );
    failed_with(
        &living_gate(&["restore", base_arg], &root.path().join("logical"), &[]),
        "--to-time",
    );

    // A second base backup by hand, keeping one: the first and the WAL it
    // alone needed are pruned.
    let first_start = manifest["start_wal"]
        .as_str()
        .expect("start wal")
        .to_owned();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    succeeded(
        &living_gate(
            &["backup", "--base"],
            &source,
            &[("LIVING_GATE_BASE_BACKUPS_KEEP", "1")],
        ),
        "backup --base",
    );
    let kept = base_backups(&source);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_ne!(kept[0], base, "the newer one is kept");
    let kept_manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(kept[0].join("manifest.json")).expect("read"),
    )
    .expect("manifest");
    let kept_start = kept_manifest["start_wal"].as_str().expect("start wal");
    let segments: Vec<String> = std::fs::read_dir(&archive)
        .expect("archive")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.len() >= 24 && !n.ends_with(".history"))
        .collect();
    assert!(!segments.is_empty());
    assert!(
        segments.iter().all(|n| n[8..24] >= kept_start[8..24]),
        "WAL before {kept_start} is pruned: {segments:?}"
    );
    assert!(!archive.join(&first_start).exists());
    stop(&mut server);

    // A changed byte in the base backup: verify says so.
    let kept_arg = kept[0].to_str().expect("utf-8");
    let victim = kept[0].join("data/PG_VERSION");
    let mut bytes = std::fs::read(&victim).expect("read");
    bytes[0] ^= 0x01;
    std::fs::write(&victim, bytes).expect("write");
    failed_with(
        &living_gate(&["backup", "verify", kept_arg], &source, &[]),
        "corrupted",
    );
}

/// The state endpoint on a server whose scheduled base backups have not
/// run: degraded, said why, and `/readyz` still 200; the newest logical
/// backup in the default place is known.
#[tokio::test(flavor = "multi_thread")]
async fn backups_never_taken_are_degraded_but_the_service_stays_ready() {
    use crate::harness::{json as expect_json, TestApp, Who};
    use living_gate_api::ops::backup::schedule::BackupSettings;
    let root = tempdir();
    let app = TestApp::builder()
        .backups(BackupSettings {
            dir: Some(root.path().to_owned()),
            interval: Some(Duration::from_secs(86_400)),
            keep: 7,
            last_attempt: Default::default(),
        })
        .spawn()
        .await;
    let logical = root.path().join("logical/20261202T000000Z");
    let output = Command::new(env!("CARGO_BIN_EXE_living-gate"))
        .args(["backup", "--dir", logical.to_str().expect("utf-8")])
        .env("DATABASE_URL", &app.db.url)
        .env_remove("LIVING_GATE_MIGRATION_DATABASE_URL")
        .env("LIVING_GATE_DATA_DIR", root.path())
        .env("LIVING_GATE_LOG", "warn")
        .output()
        .expect("backup");
    succeeded(&output, "logical backup");

    let state = expect_json(
        app.get("/v1/backups", Who::PlatformAdmin).await,
        reqwest::StatusCode::OK,
    )
    .await;
    assert_eq!(state["status"], "degraded", "{state}");
    assert_eq!(state["reasons"], json!(["no base backup yet"]), "{state}");
    assert_eq!(state["base_backups"]["count"], 0);
    assert_eq!(state["base_backups"]["last"], Value::Null);
    assert_eq!(
        state["logical_backup"]["name"], "20261202T000000Z",
        "{state}"
    );
    assert!(state["logical_backup"]["bytes"].as_u64().expect("bytes") > 0);
    // The test server archives no WAL.
    assert_eq!(state["wal_archive"]["archive_mode"], "off", "{state}");

    let ready = expect_json(
        app.get("/readyz", Who::Anonymous).await,
        reqwest::StatusCode::OK,
    )
    .await;
    assert_eq!(ready["details"]["backups"]["status"], "degraded", "{ready}");
    assert_eq!(
        ready["details"]["backups"]["last_base_backup_age_seconds"],
        Value::Null
    );
    for who in [Who::Desk, Who::Admin, Who::Analyst, Who::Partner] {
        assert_eq!(
            app.get("/v1/backups", who).await.status(),
            reqwest::StatusCode::FORBIDDEN
        );
    }
}
