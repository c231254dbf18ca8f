//! Backups and restore (issue 21): the real binary's `backup`, `backup
//! verify` and `restore` over real databases.

use crate::harness::TestApp;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use living_gate_test_db::{server_url, with_database, TestDatabase};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `living-gate <args>` on the database at `url` (as the schema's owner).
fn living_gate(args: &[&str], url: &str, data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_living-gate"))
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("LIVING_GATE_MIGRATION_DATABASE_URL")
        .env("LIVING_GATE_DATA_DIR", data_dir)
        .env("LIVING_GATE_LOG", "warn")
        .output()
        .expect("run living-gate")
}

fn succeeded(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A new, empty database (dropped with the value).
async fn empty_database() -> TestDatabase {
    let name = format!(
        "lg_restore_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = AsyncPgConnection::establish(&server_url())
        .await
        .expect("connect");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let url = with_database(&server_url(), &name);
    TestDatabase::adopt(name, url)
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(url: &str, sql: &str) -> i64 {
    let mut conn = AsyncPgConnection::establish(url).await.expect("connect");
    diesel::sql_query(sql)
        .get_result::<Count>(&mut conn)
        .await
        .expect(sql)
        .n
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).expect("manifest"))
        .expect("json")
}

fn backup_dir(root: &tempfile::TempDir) -> std::path::PathBuf {
    root.path().join("backup")
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("lg-backup")
        .tempdir_in("/tmp")
        .expect("tempdir")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restore_has_the_backups_rows_and_not_the_later_ones() {
    let app = TestApp::spawn().await;
    app.case().title("before the backup").create().await;
    app.case().title("before the backup").create().await;
    let root = tempdir();
    let dir = backup_dir(&root);
    let dir_arg = dir.to_str().expect("utf-8");
    succeeded(
        &living_gate(&["backup", "--dir", dir_arg], &app.db.url, root.path()),
        "backup",
    );
    app.case().title("after the backup").create().await;

    let written = manifest(&dir);
    assert_eq!(written["format"], "living-gate-logical-backup/1");
    assert_eq!(written["row_counts"]["public.proposals"], 2);
    assert!(written["server_version_num"].as_u64().expect("version") >= 100_000);
    assert!(written["migration_version"]
        .as_str()
        .expect("migration version")
        .starts_with("2026"));
    assert_eq!(
        written["dump_sha256"].as_str().expect("sha").len(),
        64,
        "a SHA-256 in hex"
    );
    assert!(written["roles"]
        .as_array()
        .expect("roles")
        .contains(&Value::from("living_gate_app")));

    let target = empty_database().await;
    succeeded(
        &living_gate(&["restore", dir_arg], &target.url, root.path()),
        "restore",
    );
    // Every table of the manifest has its rows, counted independently here.
    let counts = written["row_counts"].as_object().expect("counts");
    assert!(counts.len() > 30, "every table is in the manifest");
    for (table, rows) in counts {
        let (schema, name) = table.split_once('.').expect("schema.table");
        let found = count(
            &target.url,
            &format!("SELECT count(*) AS n FROM \"{schema}\".\"{name}\""),
        )
        .await;
        assert_eq!(Some(found), rows.as_i64(), "{table}");
    }
    assert_eq!(
        count(
            &target.url,
            "SELECT count(*) AS n FROM proposals WHERE title = 'after the backup'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&app.db.url, "SELECT count(*) AS n FROM proposals").await,
        3,
        "the source went on"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn restore_refuses_a_non_empty_database_unless_forced_and_a_corrupted_dump_always() {
    let app = TestApp::spawn().await;
    app.case().title("kept").create().await;
    let root = tempdir();
    let dir = backup_dir(&root);
    let dir_arg = dir.to_str().expect("utf-8");
    succeeded(
        &living_gate(&["backup", "--dir", dir_arg], &app.db.url, root.path()),
        "backup",
    );
    // A backup directory is never reused.
    let again = living_gate(&["backup", "--dir", dir_arg], &app.db.url, root.path());
    assert!(!again.status.success());
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));

    // A migrated database with other rows: refused, untouched.
    let other = TestDatabase::create().await.expect("database");
    let refused = living_gate(&["restore", dir_arg], &other.url, root.path());
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("not empty"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--force"));
    assert_eq!(
        count(&other.url, "SELECT count(*) AS n FROM proposals").await,
        0
    );
    // Forced: emptied and restored.
    succeeded(
        &living_gate(&["restore", "--force", dir_arg], &other.url, root.path()),
        "restore --force",
    );
    assert_eq!(
        count(
            &other.url,
            "SELECT count(*) AS n FROM proposals WHERE title = 'kept'"
        )
        .await,
        1
    );

    // The check of a good backup passes.
    succeeded(
        &living_gate(&["backup", "verify", dir_arg], &app.db.url, root.path()),
        "backup verify",
    );

    // One byte of the dump changed: refused before anything is written.
    let dump = dir.join("dump.pgdump");
    let mut bytes = std::fs::read(&dump).expect("dump");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&dump, bytes).expect("write");
    let target = empty_database().await;
    let corrupted = living_gate(&["restore", dir_arg], &target.url, root.path());
    assert!(!corrupted.status.success());
    assert!(
        stderr(&corrupted).contains("corrupted"),
        "{}",
        stderr(&corrupted)
    );
    assert_eq!(
        count(
            &target.url,
            "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
        )
        .await,
        0,
        "nothing restored"
    );
    let verified = living_gate(&["backup", "verify", dir_arg], &app.db.url, root.path());
    assert!(!verified.status.success());
    assert!(stderr(&verified).contains("corrupted"));
}

#[derive(diesel::QueryableByName)]
struct Position {
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    kind: String,
}

async fn positions(url: &str) -> Vec<(i64, String)> {
    let mut conn = AsyncPgConnection::establish(url).await.expect("connect");
    diesel::sql_query("SELECT position, kind FROM proposal_events ORDER BY position")
        .load::<Position>(&mut conn)
        .await
        .expect("events")
        .into_iter()
        .map(|p| (p.position, p.kind))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_during_writes_is_one_moment() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let (app, writing) = (app.clone(), writing.clone());
        tokio::spawn(async move {
            let mut written = 0;
            while std::sync::atomic::AtomicBool::load(&writing, Ordering::Relaxed) || written < 3 {
                app.case().title("during the backup").create().await;
                written += 1;
            }
            written
        })
    };
    // Let some writes land first.
    while count(&app.db.url, "SELECT count(*) AS n FROM proposals").await < 2 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let root = tempdir();
    let dir = backup_dir(&root);
    let dir_arg = dir.to_str().expect("utf-8").to_owned();
    let url = app.db.url.clone();
    let data_dir = root.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        living_gate(&["backup", "--dir", &dir_arg], &url, &data_dir)
    })
    .await
    .expect("backup");
    writing.store(false, Ordering::Relaxed);
    let written = writer.await.expect("writer");
    succeeded(&output, "backup");

    let target = empty_database().await;
    succeeded(
        &living_gate(
            &["restore", dir.to_str().expect("utf-8")],
            &target.url,
            root.path(),
        ),
        "restore (it compares every table's rows with the manifest)",
    );
    let restored = positions(&target.url).await;
    let source = positions(&app.db.url).await;
    let last = restored.last().expect("events were backed up").0;
    // One writer, so the feed commits in position order: the restore is a
    // prefix of the source's feed, nothing missing before its last event.
    let prefix: Vec<_> = source.into_iter().filter(|(p, _)| *p <= last).collect();
    assert_eq!(restored, prefix, "no gap in the change feed");
    let restored_cases = count(&target.url, "SELECT count(*) AS n FROM proposals").await;
    assert!(
        restored_cases < count(&app.db.url, "SELECT count(*) AS n FROM proposals").await,
        "writes went on after the snapshot ({written} written)"
    );
    assert_eq!(
        Some(restored_cases),
        manifest(&dir)["row_counts"]["public.proposals"].as_i64()
    );
}
