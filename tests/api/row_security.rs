//! Defence in depth: PostgreSQL's row-level security keeps each city's
//! cases to its own scope beneath the API's own checks (migration 000012).
//! Queried through the app's own role with no filter at all, as a handler
//! that forgot one would.

use crate::harness::TestApp;
use diesel::sql_types::BigInt;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use living_gate_db::pool::RowScope;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// The case tables: `proposals`, everything with a `proposal_id` and the
/// TRIP's measurements.
const CASE_TABLES: &[&str] = &[
    "proposals",
    "proposal_events",
    "hearings",
    "matches",
    "messages",
    "logic_models",
    "trips",
    "trip_measurements",
];

async fn count(conn: &mut diesel_async::AsyncPgConnection, table: &str) -> i64 {
    diesel::sql_query(format!("SELECT count(*) AS count FROM {table}"))
        .get_result::<Count>(conn)
        .await
        .unwrap_or_else(|e| panic!("{table}: {e}"))
        .count
}

#[tokio::test(flavor = "multi_thread")]
async fn another_citys_scope_sees_no_case_row_even_without_a_filter() {
    let app = TestApp::builder().demo_data().spawn().await;
    let ayase = app.fixtures.ebina;
    let zama = app.fixtures.zama;
    let mut conn = app.conn().await;

    conn.rescope(&RowScope::Municipality(zama))
        .await
        .expect("scope");
    let mut with_rows = Vec::new();
    for table in CASE_TABLES {
        if count(&mut conn, table).await > 0 {
            with_rows.push(*table);
        }
    }
    // The demo cases have history, hearings, matches, a logic model, a
    // TRIP and its measurement (no message): enough to see them vanish.
    assert_eq!(with_rows.len(), CASE_TABLES.len() - 1, "{with_rows:?}");
    for scope in [RowScope::Municipality(ayase), RowScope::Nothing] {
        conn.rescope(&scope).await.expect("scope");
        for table in CASE_TABLES {
            assert_eq!(count(&mut conn, table).await, 0, "{table} in {scope:?}");
        }
    }
    // Unset (a connection that never said), it fails closed.
    diesel::sql_query("RESET living_gate.municipality")
        .execute(&mut conn)
        .await
        .expect("reset");
    assert_eq!(count(&mut conn, "proposals").await, 0);

    // Nor can it write into another city's case, or move one there.
    conn.rescope(&RowScope::Municipality(ayase))
        .await
        .expect("scope");
    let moved = diesel::sql_query(format!(
        "UPDATE proposals SET municipality_id = '{ayase}' WHERE municipality_id = '{zama}'"
    ))
    .execute(&mut conn)
    .await
    .expect("an update that sees nothing");
    assert_eq!(moved, 0);
    conn.rescope(&RowScope::Municipality(zama))
        .await
        .expect("scope");
    let smuggled = diesel::sql_query(format!("UPDATE proposals SET municipality_id = '{ayase}'"))
        .execute(&mut conn)
        .await;
    assert!(
        smuggled.is_err_and(|e| e.to_string().contains("row-level security")),
        "a case cannot be moved out of the scope it is written in"
    );

    // The owner is not subject to it (the BI views, migrations).
    let mut owner = app.owner_conn().await;
    assert!(count(&mut owner, "proposals").await > 0);
    drop(owner);
}

/// Every case table (one with a `proposal_id` or `trip_id`, and `proposals`) has row-level
/// security on: a case table added later without it fails here. The audit
/// log names cases too, but is not theirs: its readers are filtered by the
/// API (each sees what they may of the target).
#[tokio::test(flavor = "multi_thread")]
async fn every_case_table_has_row_level_security() {
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        secured: bool,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        has_policy: bool,
    }
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT c.relname::text AS name, c.relrowsecurity AS secured,
                EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS has_policy
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         WHERE c.relkind = 'r' AND c.relname <> 'audit_log' AND (c.relname = 'proposals' OR EXISTS (
           SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname IN ('proposal_id', 'trip_id')))
         ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .expect("tables");
    assert!(tables.len() >= CASE_TABLES.len(), "{}", tables.len());
    let open: Vec<&str> = tables
        .iter()
        .filter(|t| !(t.secured && t.has_policy))
        .map(|t| t.name.as_str())
        .collect();
    assert!(
        open.is_empty(),
        "case tables without row-level security: {open:?}"
    );
}

/// Each pooled connection remembers the scope its session is in and a
/// checkout in that scope does not set it again (issue 20). Whatever scopes
/// earlier checkouts of the same connection ran in, and whatever their
/// transactions did (another scope for the transaction alone, committed or
/// rolled back), a checkout sees exactly the cases of its own scope.
#[tokio::test(flavor = "multi_thread")]
async fn a_reused_connection_is_always_in_the_scope_of_its_checkout() {
    use diesel_async::AsyncConnection;
    use living_gate_db::pool;

    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let app = TestApp::builder().demo_data().spawn().await;
    let (zama, ebina) = (app.fixtures.zama, app.fixtures.ebina);
    let mut owner = app.owner_conn().await;
    let of = async |owner: &mut diesel_async::AsyncPgConnection, filter: String| {
        diesel::sql_query(format!("SELECT count(*) AS count FROM proposals {filter}"))
            .get_result::<Count>(owner)
            .await
            .expect("count")
            .count
    };
    let all = of(&mut owner, String::new()).await;
    let in_zama = of(&mut owner, format!("WHERE municipality_id = '{zama}'")).await;
    let in_ebina = of(&mut owner, format!("WHERE municipality_id = '{ebina}'")).await;
    drop(owner);
    assert!(in_zama > 0 && in_zama > in_ebina, "{in_zama} {in_ebina}");
    let expected = |scope: RowScope| match scope {
        RowScope::All => all,
        RowScope::Municipality(id) if id == zama => in_zama,
        RowScope::Municipality(_) => in_ebina,
        RowScope::Nothing => 0,
    };
    let order = [
        RowScope::Municipality(zama),
        RowScope::Municipality(zama),
        RowScope::Municipality(ebina),
        RowScope::Nothing,
        RowScope::All,
        RowScope::All,
        RowScope::Municipality(zama),
        RowScope::Nothing,
    ];
    let mut backends = std::collections::HashMap::new();
    for (i, scope) in order.iter().cycle().take(24).copied().enumerate() {
        let mut conn = pool::scoped(scope, pool::checkout(&app.pool))
            .await
            .expect("checkout");
        let pid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Pid>(&mut conn)
            .await
            .expect("pid")
            .pid;
        *backends.entry(pid).or_insert(0) += 1;
        assert_eq!(
            count(&mut conn, "proposals").await,
            expected(scope),
            "checkout {i}, {scope:?}"
        );
        // A transaction of its own scope, committed (i % 3 == 0) or rolled back (1).
        let other = match scope {
            RowScope::All => RowScope::Nothing,
            _ => RowScope::All,
        };
        if i % 3 < 2 {
            let commit = i % 3 == 0;
            let outcome = conn
                .transaction(async |c| {
                    pool::scope_transaction(c, &other).await.expect("scope");
                    assert_eq!(count(c, "proposals").await, expected(other));
                    if commit {
                        Ok(())
                    } else {
                        Err(diesel::result::Error::RollbackTransaction)
                    }
                })
                .await;
            assert_eq!(outcome.is_ok(), commit);
        }
        assert_eq!(
            count(&mut conn, "proposals").await,
            expected(scope),
            "after the transaction of checkout {i}"
        );
    }
    assert!(
        backends.values().any(|&n| n > 1),
        "the connections were reused across scopes: {backends:?}"
    );
}
