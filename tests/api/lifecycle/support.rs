//! What the lifecycle tests share: SQL as the owner, a closed case full of
//! personal text, its age moved back, and a search of every column.

use crate::harness::{json, TestApp, Who};
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `sql` selects one `n`.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.owner_conn().await;
    let row: Count = diesel::sql_query(sql)
        .get_result(&mut conn)
        .await
        .expect("count");
    row.n
}

pub async fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.owner_conn().await;
    diesel::sql_query(sql)
        .execute(&mut conn)
        .await
        .expect("sql");
}

#[derive(diesel::QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// Every `table.column` (text, JSON or arrays, the whole public schema)
/// where `needle` still appears.
pub async fn columns_containing(app: &TestApp, needle: &str) -> Vec<String> {
    let mut conn = app.owner_conn().await;
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name
         FROM information_schema.columns c JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.data_type IN ('text', 'jsonb', 'json', 'ARRAY', 'character varying')",
    )
    .load(&mut conn)
    .await
    .expect("columns");
    let mut found = Vec::new();
    for c in columns {
        let n: Count = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM \"{t}\" WHERE strpos(\"{c}\"::text, $1) > 0",
            t = c.table_name,
            c = c.column_name
        ))
        .bind::<Text, _>(needle)
        .get_result(&mut conn)
        .await
        .expect("search");
        if n.n > 0 {
            found.push(format!("{}.{} ({})", c.table_name, c.column_name, n.n));
        }
    }
    found
}

/// A case of the partner's whose personal text all carries `mark`: its
/// summary, desired support, a shared and an internal message, the
/// department's hearing answer, the desk's decline reason and note. It is
/// declined, and every time of it moved `years` back (the durations stay).
pub async fn closed_case(app: &TestApp, mark: &str, years: i32) -> String {
    let mut case = app
        .case()
        .with(json!({"summary": format!("{mark} 概要"), "desired_support": format!("{mark} 支援")}))
        .to(Status::Hearing)
        .await;
    for visibility in ["shared", "internal"] {
        json(
            app.post(
                &format!("/v1/proposals/{}/messages", case.id),
                Who::Desk,
                &json!({"visibility": visibility, "body": format!("{mark} 山田様より電話 090-1234-5678")}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    case.move_as(
        Who::Desk,
        json!({"to": "declined", "reason": format!("{mark} 理由"), "note_for_proposer": format!("{mark} お知らせ")}),
    )
    .await;
    age(app, &case.id, years).await;
    case.id.clone()
}

/// Moves every time of a case `years` back.
pub async fn age(app: &TestApp, case: &str, years: i32) {
    let back = format!("interval '{years} years'");
    let columns = [
        "first_contact_at",
        "received_at",
        "coordination_started_at",
        "organizing_at",
        "hearing_at",
        "matching_at",
        "logic_model_at",
        "awaiting_decision_at",
        "closed_at",
    ];
    let set: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = {c} - {back}"))
        .collect();
    exec(
        app,
        &format!(
            "UPDATE proposals SET {} WHERE id = '{case}'",
            set.join(", ")
        ),
    )
    .await;
}

/// Runs the rules now (the platform admin).
pub async fn run(app: &TestApp, dry_run: bool) -> Value {
    json(
        app.post(
            "/v1/retention-runs",
            Who::PlatformAdmin,
            &json!({"dry_run": dry_run}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

/// A unique mark for a test's personal text.
pub fn mark() -> String {
    format!("KOJIN{}", uuid::Uuid::now_v7().simple())
}
