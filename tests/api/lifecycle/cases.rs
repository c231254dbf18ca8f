//! Closed cases past their city's age lose their personal data in the
//! scheduled run: summaries, messages, hearing answers, reasons, the
//! intake's form and the audit details' values; their figures stay.

use super::support::{age, closed_case, columns_containing, count, exec, mark, run};
use crate::harness::mail::intake_case;
use crate::harness::{json, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::json;

async fn anonymized(app: &TestApp, case: &str) -> bool {
    count(
        app,
        &format!("SELECT count(*) AS n FROM case_anonymizations WHERE proposal_id = '{case}'"),
    )
    .await
        == 1
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_anonymizes_closed_cases_past_their_age_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (old_mark, young_mark, open_mark) = (mark(), mark(), mark());
    let old = closed_case(&app, &old_mark, 6).await;
    // Closed four years ago: younger than the default five.
    let young = closed_case(&app, &young_mark, 4).await;
    // Open for six years: never anonymized.
    let open = app
        .case()
        .with(json!({"summary": format!("{open_mark} 概要")}))
        .to(Status::Organizing)
        .await;
    age(&app, &open.id, 6).await;

    let dry = run(&app, true).await;
    assert_eq!(dry["counts"]["closed_case_personal_data"], 1, "{dry}");
    assert!(!anonymized(&app, &old).await, "a dry run anonymized");
    assert!(!columns_containing(&app, &old_mark).await.is_empty());

    let ran = run(&app, false).await;
    assert_eq!(ran["counts"]["closed_case_personal_data"], 1, "{ran}");
    assert!(anonymized(&app, &old).await);
    // Nothing of the old case's personal text is left anywhere.
    assert_eq!(
        columns_containing(&app, &old_mark).await,
        Vec::<String>::new()
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM messages WHERE proposal_id = '{old}' AND body = '[anonymized]'"
            )
        )
        .await,
        2
    );
    // Its facts stay: status, dates, the audit trail's rows and the feed.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM proposals WHERE id = '{old}' AND status = 'declined' \
                 AND closed_at IS NOT NULL AND summary = '' AND title <> ''"
            )
        )
        .await,
        1
    );
    assert!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM audit_log WHERE proposal_id = '{old}'")
        )
        .await
            >= 4
    );
    // The young and the open ones are untouched.
    assert!(!anonymized(&app, &young).await);
    assert!(!anonymized(&app, &open.id).await);
    assert!(!columns_containing(&app, &young_mark).await.is_empty());
    assert!(!columns_containing(&app, &open_mark).await.is_empty());
    // The case reads, anonymized.
    let read = json(
        app.get(&format!("/v1/proposals/{old}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["summary"], "", "{read}");
    assert_eq!(read["status"], "declined");

    // A second run finds nothing more to do.
    let again = run(&app, false).await;
    assert_eq!(again["counts"]["closed_case_personal_data"], 0, "{again}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_citys_longer_age_keeps_its_cases_and_a_scheduled_run_anonymizes_them_too() {
    let app = TestApp::spawn().await;
    let m = mark();
    let case = closed_case(&app, &m, 6).await;
    // Zama keeps closed cases ten years.
    json(
        app.patch(
            "/v1/retention-rules/closed_case_personal_data",
            Who::Admin,
            "\"0\"",
            &json!({"days": 3650}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let ran = run(&app, false).await;
    assert_eq!(ran["counts"]["closed_case_personal_data"], 0, "{ran}");
    assert!(!anonymized(&app, &case).await);
    // Eleven years: past Zama's age, anonymized by the server's own run.
    age(&app, &case, 5).await;
    let mut conn = app.conn().await;
    let scheduled = living_gate_api::lifecycle::schedule::run_once(&mut conn, false)
        .await
        .expect("run")
        .expect("not locked");
    assert_eq!(scheduled.counts["closed_case_personal_data"], 1);
    assert!(anonymized(&app, &case).await);
    assert_eq!(columns_containing(&app, &m).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adopted_case_waits_for_its_trip_and_an_intake_loses_its_form() {
    let app = TestApp::spawn().await;
    let mut adopted = app.case().to(Status::Adopted).await;
    let trip = adopted.trip_id();
    age(&app, &adopted.id, 6).await;
    let ran = run(&app, false).await;
    assert_eq!(
        ran["counts"]["closed_case_personal_data"], 0,
        "a TRIP in progress keeps its case: {ran}"
    );
    exec(
        &app,
        &format!("UPDATE trips SET status = 'completed' WHERE id = '{trip}'"),
    )
    .await;
    let ran = run(&app, false).await;
    assert_eq!(ran["counts"]["closed_case_personal_data"], 1, "{ran}");
    assert!(anonymized(&app, &adopted.id).await);
    let _ = &mut adopted;

    // An intake's case: the submitter's address and form go with it.
    let address = format!("{}@intake.example.jp", mark().to_lowercase());
    let case = intake_case(&app, &address).await;
    json(
        app.transition(
            &case,
            Who::Desk,
            json!({"to": "declined", "reason": "対象外", "note_for_proposer": "対象外です"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    age(&app, &case, 6).await;
    let ran = run(&app, false).await;
    assert_eq!(ran["counts"]["closed_case_personal_data"], 1, "{ran}");
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM intake_submissions WHERE proposal_id = '{case}' \
                 AND email = 'anonymized@invalid' AND form = '{{}}'"
            )
        )
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_notes_of_a_closed_cases_network_partners_are_anonymized_with_it() {
    let app = TestApp::spawn().await;
    let text = mark();
    let mut case = app.case().to(Status::Matching).await;
    let entry = json(
        app.post(
            "/v1/resources",
            Who::Desk,
            &json!({"name": "見守りの会", "legal_form": "npo", "municipality_id": app.fixtures.zama}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let proposed = json(
        app.post(
            &format!("/v1/proposals/{}/network-matches", case.id),
            Who::Desk,
            &json!({"resource_id": entry["id"], "note": format!("{text} 代表の佐藤様と面談")}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let today = living_gate_domain::fiscal::date_in_japan(chrono::Utc::now());
    json(
        app.post(
            &format!("/v1/network-matches/{}/decline", proposed["id"].as_str().expect("id")),
            Who::Desk,
            &json!({"answered_on": today, "via": "phone", "note": format!("{text} 佐藤様より辞退の電話")}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    case.move_as(
        Who::Desk,
        json!({"to": "declined", "reason": "対象外", "note_for_proposer": "今回は見送ります"}),
    )
    .await;
    age(&app, &case.id, 6).await;
    assert!(!columns_containing(&app, &text).await.is_empty());

    run(&app, false).await;
    assert!(anonymized(&app, &case.id).await);
    assert_eq!(columns_containing(&app, &text).await, Vec::<String>::new());
    // The partner's answer stays a fact: declined, on that day, by phone.
    let sql = format!(
        "SELECT count(*) AS n FROM network_matches WHERE proposal_id = '{}' \
         AND status = 'declined' AND answered_via = 'phone' AND note = ''",
        case.id
    );
    assert_eq!(count(&app, &sql).await, 1);
}
