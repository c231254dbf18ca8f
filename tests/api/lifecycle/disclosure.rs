//! The disclosure export (開示請求): every record that names one person, as
//! JSON and as CSV, nobody else's, no secrets; for the desk and admin of
//! the person's city and the platform admin only; audited.

use super::support::{count, mark};
use crate::harness::{json, problem, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn path(id: impl std::fmt::Display) -> String {
    format!("/v1/users/{id}/disclosures")
}

/// RFC 4180 with a byte-order mark: the rows of a CSV document.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut rows = Vec::new();
    let (mut row, mut cell) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        !quoted && cell.is_empty() && row.is_empty(),
        "a CSV ends with CRLF"
    );
    rows
}

fn section<'a>(export: &'a Value, name: &str) -> &'a Vec<Value> {
    export["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["records"].as_array())
        .unwrap_or_else(|| panic!("no section {name}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_holds_the_persons_records_and_nobody_elses() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let partner = f.account(Who::Partner).clone();
    let other = f.account(Who::OtherPartner).clone();
    let (mine, theirs) = (mark(), mark());
    let case = app.case().to(Status::Organizing).await;
    json(
        app.post(
            &format!("/v1/proposals/{}/messages", case.id),
            Who::Partner,
            &json!({"visibility": "shared", "body": format!("{mine} 担当の佐藤です")}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // The other partner's own case and message.
    let other_case = json(
        app.post(
            "/v1/proposals",
            Who::OtherPartner,
            &json!({"kind": "proposal", "title": "別の提案", "summary": format!("{theirs} 概要"),
                "themes": ["other"], "channel": "web", "municipality_id": f.zama}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    json(
        app.post(
            &format!(
                "/v1/proposals/{}/messages",
                other_case["id"].as_str().expect("id")
            ),
            Who::OtherPartner,
            &json!({"visibility": "shared", "body": format!("{theirs} 別人")}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // The partner's own case in Ayase: Ayase's records, not Zama's to hand over.
    let ayase_mark = mark();
    json(
        app.post(
            "/v1/proposals",
            Who::Partner,
            &json!({"kind": "proposal", "title": "綾瀬への提案", "summary": format!("{ayase_mark} 概要"),
                "themes": ["other"], "channel": "web", "municipality_id": f.ayase}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let everything = json(
        app.post(&path(partner.id), Who::PlatformAdmin, &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(everything["municipality_id"].is_null());
    assert!(
        everything.to_string().contains(&ayase_mark),
        "the platform's export has every city's"
    );

    let export = json(
        app.post(&path(partner.id), Who::Desk, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        !export.to_string().contains(&ayase_mark),
        "Ayase's records in Zama's export"
    );
    assert_eq!(export["user_id"], partner.id.to_string());
    assert_eq!(export["municipality_id"], f.zama.to_string());
    assert_eq!(section(&export, "account")[0]["email"], partner.email);
    assert!(section(&export, "proposals")
        .iter()
        .any(|p| p["id"] == case.id));
    assert!(section(&export, "messages")
        .iter()
        .any(|m| m["body"].as_str().is_some_and(|b| b.contains(&mine))));
    assert!(!section(&export, "audit_entries_as_actor").is_empty());
    assert!(
        section(&export, "organization")[0]["id"]
            == partner.organization_id.expect("org").to_string()
    );
    let text = export.to_string();
    assert!(!text.contains(&theirs), "another person's records leaked");
    assert!(
        !text.contains(&other.email),
        "another person's address leaked"
    );
    for secret in [
        "password_hash",
        "token_hash",
        "code_hash",
        "seed_sealed",
        "body_text",
    ] {
        assert!(!text.contains(secret), "{secret} in the export");
    }

    // CSV: one row per field, parseable, UTF-8 with BOM.
    let response = app
        .request(reqwest::Method::POST, &path(partner.id), Who::Desk)
        .header("Accept", "text/csv")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv")));
    let rows = parse_csv(&response.text().await.expect("body"));
    assert_eq!(rows[0], ["section", "record_id", "field", "value"]);
    assert!(rows.iter().all(|r| r.len() == 4));
    assert!(rows.iter().any(|r| r[0] == "account"
        && r[1] == partner.id.to_string()
        && r[2] == "email"
        && r[3] == partner.email));
    assert!(rows
        .iter()
        .any(|r| r[0] == "messages" && r[2] == "body" && r[3].contains(&mine)));
    assert!(!rows.iter().any(|r| r[3].contains(&theirs)));

    // Each export is audited (counts, no values) and in the desk's feed.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM audit_log WHERE action = 'user.disclose' AND target_id = '{}' \
                 AND strpos(changes::text, '{}') = 0",
                partner.id, partner.email
            )
        )
        .await,
        3
    );
    let feed = json(
        app.get("/v1/events?limit=200", Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert!(feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|e| e["kind"] == "personal_data_disclosed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_persons_city_and_the_platform_may_export() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let partner = f.account(Who::Partner).id;
    let staff = f.account(Who::Department).id;
    // A partner with no case yet is no city's person: only the platform's.
    problem(
        app.post(&path(partner), Who::Desk, &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    json(
        app.post(&path(partner), Who::PlatformAdmin, &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    // Once a Zama case names them, Zama's desk and admin; never Ayase's.
    app.case().create().await;
    for who in [Who::Desk, Who::Admin] {
        json(
            app.post(&path(partner), who, &json!({})).await,
            StatusCode::OK,
        )
        .await;
    }
    problem(
        app.post(&path(partner), Who::AyaseDesk, &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Zama staff: Zama's desk, not Ayase's.
    let export = json(
        app.post(&path(staff), Who::Desk, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(section(&export, "department").len(), 1);
    problem(
        app.post(&path(staff), Who::AyaseDesk, &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for who in [
        Who::Department,
        Who::OtherDepartment,
        Who::Partner,
        Who::OtherPartner,
        Who::Analyst,
        Who::AyaseDepartment,
    ] {
        problem(
            app.post(&path(staff), who, &json!({})).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    problem(
        app.post(&path(uuid::Uuid::now_v7()), Who::Desk, &json!({}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        app.post(&path(staff), Who::Anonymous, &json!({}))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}
