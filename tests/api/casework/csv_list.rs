//! The case list as CSV (`Accept: text/csv`): the JSON list's cases for the
//! same filters, in the same order, only what the caller may see, ready
//! for Excel (BOM, CRLF, every cell quoted).

use crate::harness::{json, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The cells of a CSV whose every cell is quoted (as ours are).
fn parse(text: &str) -> Vec<Vec<String>> {
    let body = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    assert!(body.ends_with("\r\n"));
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = body.chars().peekable();
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
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CRLF");
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, other) => panic!("unquoted {other:?}"),
        }
    }
    rows
}

async fn csv(app: &TestApp, query: &str, who: Who) -> Vec<Vec<String>> {
    let response = app
        .request(Method::GET, &format!("/v1/proposals{query}"), who)
        .header("Accept", "text/csv")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    parse(&response.text().await.expect("body"))
}

/// Every page of the JSON list for `query`.
async fn listed(app: &TestApp, query: &str, who: Who) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if query.is_empty() { "?" } else { "&" };
        let page_query = match &cursor {
            Some(c) => format!("{query}{sep}limit=2&cursor={c}"),
            None => format!("{query}{sep}limit=2"),
        };
        let page = json(
            app.get(&format!("/v1/proposals{page_query}"), who).await,
            StatusCode::OK,
        )
        .await;
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_has_the_json_lists_cases_for_the_same_filters() {
    let app = TestApp::spawn().await;
    for title in [
        "居場所づくり その一",
        "見守り",
        "居場所づくり その二",
        "居場所づくり \"三\"",
    ] {
        app.case().title(title).create().await;
    }
    // Another organization's case, which the partner must not see.
    json(
        app.post(
            "/v1/proposals",
            Who::OtherPartner,
            &json!({"kind": "proposal", "title": "居場所づくり 他団体", "summary": "概要",
                "themes": ["other"], "channel": "web", "municipality_id": app.fixtures.zama}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    for (query, who) in [
        ("", Who::Desk),
        ("?q=居場所", Who::Desk),
        ("?q=居場所&status=received", Who::Desk),
        ("?q=居場所", Who::Partner),
        ("?q=居場所", Who::AyaseDesk),
        ("?coordinator=me", Who::Desk),
    ] {
        let rows = csv(&app, query, who).await;
        assert_eq!(rows[0][0], "id");
        assert_eq!(rows[0][1], "reference");
        let json_items = listed(&app, query, who).await;
        let csv_ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        let json_ids: Vec<&str> = json_items
            .iter()
            .map(|c| c["id"].as_str().expect("id"))
            .collect();
        assert_eq!(csv_ids, json_ids, "{query} as {who:?}");
        for (row, item) in rows[1..].iter().zip(&json_items) {
            assert_eq!(row[1], item["reference"].as_str().expect("reference"));
            assert_eq!(row[4], item["status"].as_str().expect("status"));
            assert_eq!(row[5], item["title"].as_str().expect("title"));
            assert_eq!(row.len(), rows[0].len());
        }
    }
    let desk = csv(&app, "?q=居場所", Who::Desk).await;
    assert_eq!(desk.len(), 5, "a header and four cases");
    assert!(
        desk.iter().any(|r| r[5] == "居場所づくり \"三\""),
        "quotes survive"
    );
    let partner = csv(&app, "?q=居場所", Who::Partner).await;
    assert_eq!(partner.len(), 4, "the partner's three cases only");
    assert!(partner.iter().all(|r| r[5] != "居場所づくり 他団体"));
    assert_eq!(
        csv(&app, "", Who::AyaseDesk).await.len(),
        1,
        "another city: the header only"
    );
    // The same checks as the JSON list.
    for (query, who, expected) in [
        ("?step=9", Who::Desk, StatusCode::UNPROCESSABLE_ENTITY),
        (
            "?coordinator=x",
            Who::Desk,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("", Who::Analyst, StatusCode::FORBIDDEN),
        ("", Who::Anonymous, StatusCode::UNAUTHORIZED),
    ] {
        let response = app
            .request(Method::GET, &format!("/v1/proposals{query}"), who)
            .header("Accept", "text/csv")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), expected, "{query} as {who:?}");
    }
}
