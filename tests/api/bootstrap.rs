//! `living-gate init` bootstraps an empty production database: migrations
//! and the reference data, no demo, so that `user create` works next.

use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use living_gate_test_db::{server_url, with_database, TestDatabase};
use std::process::{Command, Output};

/// An empty database (not even migrated), dropped with the value.
async fn empty_database() -> TestDatabase {
    let name = format!(
        "lg_init_{}_{}",
        std::process::id(),
        uuid::Uuid::now_v7().simple()
    );
    let mut conn = AsyncPgConnection::establish(&server_url())
        .await
        .expect("connect to the test server");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let url = with_database(&server_url(), &name);
    TestDatabase::adopt(name, url)
}

fn living_gate(url: &str, data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_living-gate"))
        .args(args)
        .env("DATABASE_URL", url)
        // init migrates whatever this says.
        .env("LIVING_GATE_MIGRATE", "false")
        .env("LIVING_GATE_DATA_DIR", data_dir)
        .env("LIVING_GATE_LOG", "warn")
        .output()
        .expect("run living-gate")
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

#[tokio::test(flavor = "multi_thread")]
async fn init_then_user_create_works_on_an_empty_database_and_init_is_idempotent() {
    let db = empty_database().await;
    let data_dir = tempfile::Builder::new()
        .prefix("lg-init")
        .tempdir_in("/tmp")
        .expect("tempdir");

    for run in 1..=2 {
        let init = living_gate(&db.url, data_dir.path(), &["init"]);
        assert!(
            init.status.success(),
            "init run {run}: {}",
            String::from_utf8_lossy(&init.stderr)
        );
    }

    let created = living_gate(
        &db.url,
        data_dir.path(),
        &[
            "user",
            "create",
            "--role",
            "desk",
            "--email",
            "desk@city.zama.example.jp",
            "--display-name",
            "窓口 一郎",
        ],
    );
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(
        created.status.success(),
        "user create: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(stdout.contains("created desk user"), "{stdout}");
    assert!(stdout.contains("password: "), "{stdout}");

    let mut conn = AsyncPgConnection::establish(&db.url)
        .await
        .expect("connect");
    // Twice init, once each row.
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM municipalities").await,
        4
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM departments").await,
        i64::try_from(living_gate_api::startup::demo_data::ZAMA_DEPARTMENTS.len()).unwrap()
    );
    assert!(count(&mut conn, "SELECT count(*) AS n FROM taxonomy_terms").await > 0);
    // No demo: no organizations, no directory entries, no proposals.
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM organizations").await,
        0
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM resources").await,
        0
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM users u JOIN municipalities m ON m.id = u.municipality_id \
             WHERE u.role = 'desk' AND u.email = 'desk@city.zama.example.jp' AND m.code = '142166'"
        )
        .await,
        1
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM users").await, 1);
    drop(conn);
    db.drop_now().await.expect("drop database");
}
