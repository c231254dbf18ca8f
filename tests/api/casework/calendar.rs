//! Hearings as iCalendar (RFC 5545): one hearing with `Accept:
//! text/calendar`, and a department's calendar feed; read back with a real
//! parser (the `ical` crate), and checked for what it does not check
//! (CRLF, 75-octet lines).

use super::put;
use crate::harness::{json, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// GETs `path` as `who` asking for iCalendar; the status and the text.
async fn ics(app: &TestApp, path: &str, who: Who) -> (StatusCode, String, String) {
    let response = app
        .request(Method::GET, path, who)
        .header("Accept", "text/calendar")
        .send()
        .await
        .expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.expect("body"))
}

/// The document's physical lines are CRLF-terminated and at most 75 octets.
fn assert_wire_format(text: &str) {
    assert!(text.ends_with("\r\n"), "ends with CRLF");
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(!line.contains('\n'), "a bare LF in {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
}

/// The events of the document, each as (UID, SUMMARY, DESCRIPTION, STATUS, DTSTART).
fn events(text: &str) -> Vec<[String; 5]> {
    let mut calendars = ical::IcalParser::new(text.as_bytes());
    let calendar = calendars
        .next()
        .expect("a calendar")
        .expect("a calendar the parser accepts");
    assert!(calendars.next().is_none(), "one calendar");
    let version = calendar
        .properties
        .iter()
        .find(|p| p.name == "VERSION")
        .and_then(|p| p.value.clone());
    assert_eq!(version.as_deref(), Some("2.0"));
    calendar
        .events
        .iter()
        .map(|e| {
            let value = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            assert!(!value("DTSTAMP").is_empty(), "DTSTAMP");
            assert!(value("DTSTAMP").ends_with('Z'), "DTSTAMP in UTC");
            [
                value("UID"),
                value("SUMMARY"),
                value("DESCRIPTION"),
                value("STATUS"),
                value("DTSTART"),
            ]
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hearing_is_an_icalendar_document_a_real_parser_reads() {
    let app = TestApp::spawn().await;
    let title = "空き店舗を活用した多世代の居場所づくり, 駅前の商店街と連携した長い件名の提案";
    let case = app.case().title(title).create().await;
    let agenda = "既存事業との重なり, 会場; 費用\\分担\n二行目";
    let created = json(
        app.post(
            &format!("/v1/proposals/{}/hearings", case.id),
            Who::Desk,
            &json!({"department_id": app.fixtures.shimin_kyodo, "agenda": agenda,
                "proposed_dates": ["2026-05-20", "2026-05-22"], "answer_due_on": "2026-05-28"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        created["answer_due_on"], "2026-05-28",
        "due from the request on"
    );
    let hearing = created["id"].as_str().expect("id").to_owned();
    let refused = app
        .post(
            &format!("/v1/proposals/{}/hearings", case.id),
            Who::Desk,
            &json!({"department_id": app.fixtures.shimin_kyodo, "agenda": "x", "answer_due_on": "1800-01-01"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    json(
        put(
            &app,
            &format!("/v1/hearings/{hearing}/due-date"),
            Who::Desk,
            Some("*"),
            &json!({"due_on": "2026-05-29"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let path = format!("/v1/hearings/{hearing}");

    let (status, content_type, text) = ics(&app, &path, Who::Department).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    assert_wire_format(&text);
    let open = events(&text);
    assert_eq!(
        open.len(),
        3,
        "two proposed days and the due date: {open:?}"
    );
    for [uid, summary, description, _, _] in &open {
        assert!(uid.contains(&hearing), "{uid}");
        assert!(summary.contains(&case.reference), "{summary}");
        assert!(
            summary.contains("長い件名の提案"),
            "unfolded whole: {summary}"
        );
        assert!(
            summary.contains("居場所づくり\\,"),
            "escaped comma: {summary}"
        );
        assert!(
            description.contains("重なり\\, 会場\\; 費用\\\\分担\\n二行目"),
            "escaped text: {description}"
        );
    }
    assert_eq!(open[0][3], "TENTATIVE");
    assert_eq!(open[0][4], "20260520");
    assert_eq!(open[2][4], "20260529");
    // The same UIDs on every read.
    let (_, _, again) = ics(&app, &path, Who::Desk).await;
    let uids = |e: &Vec<[String; 5]>| e.iter().map(|e| e[0].clone()).collect::<Vec<_>>();
    assert_eq!(uids(&events(&again)), uids(&open));
    // JSON stays the default.
    let plain = json(app.get(&path, Who::Department).await, StatusCode::OK).await;
    assert_eq!(plain["answer_due_on"], "2026-05-29");

    // Held: one confirmed day instead of the proposed ones.
    json(
        app.patch(
            &path,
            Who::Department,
            "*",
            &json!({"interest": "interested", "held_on": "2026-05-22"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let (_, _, text) = ics(&app, &path, Who::Department).await;
    let held = events(&text);
    assert_eq!(held.len(), 2, "{held:?}");
    assert_eq!(held[0][0], format!("hearing-{hearing}@living-gate"));
    assert_eq!(held[0][3], "CONFIRMED");
    assert_eq!(held[0][4], "20260522");

    // As for JSON: another department 404, the proposer 403, another city 404.
    for (who, expected) in [
        (Who::OtherDepartment, StatusCode::NOT_FOUND),
        (Who::Partner, StatusCode::FORBIDDEN),
        (Who::AyaseDesk, StatusCode::NOT_FOUND),
        (Who::Anonymous, StatusCode::UNAUTHORIZED),
    ] {
        assert_eq!(ics(&app, &path, who).await.0, expected, "{who:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_departments_calendar_feed_holds_its_hearings_only() {
    let app = TestApp::spawn().await;
    let f = &app.fixtures;
    let mut case = app.case().create().await;
    let own = case.request_hearing(Who::Department).await;
    let other = case.request_hearing(Who::OtherDepartment).await;
    json(
        put(
            &app,
            &format!("/v1/hearings/{own}/due-date"),
            Who::Desk,
            Some("*"),
            &json!({"due_on": "2026-06-30"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let feed = format!("/v1/departments/{}/hearings.ics", f.shimin_kyodo);
    for who in [Who::Department, Who::Desk] {
        let (status, content_type, text) = ics(&app, &feed, who).await;
        assert_eq!(status, StatusCode::OK, "{who:?}: {text}");
        assert!(content_type.starts_with("text/calendar"));
        assert_wire_format(&text);
        let uids: Vec<String> = events(&text).into_iter().map(|e| e[0].clone()).collect();
        assert_eq!(uids, [format!("hearing-{own}-due@living-gate")], "{who:?}");
        assert!(!text.contains(&other));
    }
    // The hearing's own document and the feed agree on the UID.
    let (_, _, single) = ics(&app, &format!("/v1/hearings/{own}"), Who::Department).await;
    assert!(single.contains(&format!("UID:hearing-{own}-due@living-gate")));
    for (who, expected) in [
        (Who::OtherDepartment, StatusCode::FORBIDDEN),
        (Who::Partner, StatusCode::FORBIDDEN),
        (Who::Analyst, StatusCode::FORBIDDEN),
        (Who::AyaseDesk, StatusCode::NOT_FOUND),
        (Who::AyaseDepartment, StatusCode::NOT_FOUND),
        (Who::Anonymous, StatusCode::UNAUTHORIZED),
    ] {
        assert_eq!(ics(&app, &feed, who).await.0, expected, "{who:?}");
    }
    let unknown = format!("/v1/departments/{}/hearings.ics", uuid::Uuid::now_v7());
    assert_eq!(
        ics(&app, &unknown, Who::Desk).await.0,
        StatusCode::NOT_FOUND
    );
}
