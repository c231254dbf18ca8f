//! Internal errors: a real failure under an endpoint (a column renamed, a
//! trigger that raises) answers a generic 500 problem that names only the
//! request id, and the whole cause chain goes to the log.

use crate::harness::{problem, ServedBinary, TestApp, Who};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

/// What a 500 must never tell: PostgreSQL's and diesel's words, the names
/// of the schema, and the chain's own.
const NEVER_IN_A_500: &[&str] = &[
    "relation",
    "column",
    "select",
    "syntax",
    "diesel",
    "postgres",
    "does not exist",
    "taxonomy_terms",
    "label_en",
    "lg_test_boom",
    "secret_cases",
    "database",
    "caused by",
];

/// Renames a column `GET /v1/taxonomy-terms` reads: every read of it fails.
async fn rename_a_column(conn: &mut AsyncPgConnection) {
    diesel::sql_query("ALTER TABLE taxonomy_terms RENAME COLUMN label_en TO label_en_gone")
        .execute(conn)
        .await
        .expect("rename");
}

/// Asserts a generic 500 problem+json carrying `request_id` and nothing else.
async fn assert_generic_500(response: Response, request_id: &str) -> Value {
    let body = problem(response, StatusCode::INTERNAL_SERVER_ERROR).await;
    assert_eq!(body["request_id"], request_id, "{body}");
    assert_eq!(
        body["type"],
        "https://living-gate.example/problems/internal"
    );
    assert_eq!(body["title"], "Internal server error");
    assert_eq!(
        body["detail"],
        "an unexpected error occurred; it has been logged with the request id"
    );
    let mut members: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    members.sort_unstable();
    assert_eq!(
        members,
        [
            "detail",
            "instance",
            "request_id",
            "status",
            "title",
            "type"
        ],
        "{body}"
    );
    let text = body.to_string().to_lowercase();
    for word in NEVER_IN_A_500 {
        assert!(!text.contains(word), "a 500 leaks {word:?}: {body}");
    }
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_read_and_a_failing_write_are_generic_500s() {
    let app = TestApp::spawn().await;
    let mut conn = app.owner_conn().await;
    rename_a_column(&mut conn).await;
    diesel::sql_query(
        "CREATE FUNCTION lg_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         RAISE EXCEPTION 'syntax error at or near \"SELECT\": relation secret_cases'; END $$",
    )
    .execute(&mut conn)
    .await
    .expect("function");
    diesel::sql_query(
        "CREATE TRIGGER lg_test_boom BEFORE INSERT ON organizations \
         FOR EACH ROW EXECUTE FUNCTION lg_test_boom()",
    )
    .execute(&mut conn)
    .await
    .expect("trigger");
    drop(conn);

    let read = app
        .request(Method::GET, "/v1/taxonomy-terms", Who::Anonymous)
        .header("x-request-id", "broken-read-1")
        .send()
        .await
        .expect("request");
    let body = assert_generic_500(read, "broken-read-1").await;
    assert_eq!(body["instance"], "/v1/taxonomy-terms");

    let write = app
        .request(Method::POST, "/v1/organizations", Who::Desk)
        .header("x-request-id", "failing-write-1")
        .json(&json!({"name": "書けない株式会社", "kind": "company"}))
        .send()
        .await
        .expect("request");
    assert_generic_500(write, "failing-write-1").await;
    // The failed write left nothing behind.
    let organizations = app.get("/v1/organizations?limit=200", Who::Desk).await;
    assert_eq!(organizations.status(), StatusCode::OK);
    let text = organizations.text().await.expect("body");
    assert!(!text.contains("書けない株式会社"), "{text}");
}

/// The real binary, logging JSON as in production: the 500's log line has
/// the request id (from the request's span) and every cause.
#[tokio::test(flavor = "multi_thread")]
async fn the_log_line_of_a_500_has_the_request_id_and_the_whole_cause_chain() {
    let served = ServedBinary::spawn().await;
    let mut conn = AsyncPgConnection::establish(&served.db.url)
        .await
        .expect("connect");
    rename_a_column(&mut conn).await;
    let request_id = format!("chain-{}", uuid::Uuid::now_v7());
    let response = reqwest::Client::new()
        .get(format!("{}/v1/taxonomy-terms", served.base))
        .header("x-request-id", &request_id)
        .send()
        .await
        .expect("request");
    assert_generic_500(response, &request_id).await;

    let line = served
        .log_line(Duration::from_secs(10), |entry| {
            entry["fields"]["message"] == "internal error"
                && entry["span"]["request_id"] == request_id.as_str()
        })
        .expect("a log line for the internal error, in the request's span");
    assert_eq!(line["level"], "ERROR", "{line}");
    let chain = line["fields"]["error"].as_str().expect("the chain");
    assert!(
        chain.starts_with("internal error\nCaused by:\n\tdatabase query failed\nCaused by:\n\t"),
        "{chain}"
    );
    assert!(
        chain.contains("label_en") && chain.contains("does not exist"),
        "PostgreSQL's message is the last cause: {chain}"
    );
    assert_eq!(
        served
            .log_line(Duration::from_millis(500), |entry| {
                entry["fields"]["message"] == "internal error"
            })
            .map(|entry| entry.to_string()),
        None,
        "logged once"
    );
}
