//! Step 6's third outcome: open procurement (公募・競争による実施). Only the
//! lead department records it, through the decision; no TRIP follows; the
//! proposer sees the status and a neutral note, never the internal reason;
//! the KPIs count it as decided, not adopted.

use crate::harness::SmtpSink;
use crate::harness::{json, problem, TestApp, Who};
use crate::notify::{drain, worker_to};
use living_gate_domain::desk::workflow::Status;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const REASON: &str = "同種の事業者が複数あり公平性の観点から公募とするXYZ";
const DEFAULT_NOTE: &str = "本提案の内容は、公募等の競争的な手続により実施することとなりました。";

fn open_procurement(reason: &str) -> Value {
    json!({"outcome": "open_procurement", "reason": reason})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lead_department_decides_open_procurement_and_no_trip_is_created() {
    let app = TestApp::spawn().await;
    let fy = living_gate_domain::fiscal::fiscal_year(chrono::Utc::now());
    let mut case = app.case().title("公園の見守りカメラ").create().await;
    let id = case.id.clone();
    let decide = |who: Who, if_match: &str, body: Value| {
        app.request(Method::POST, &format!("/v1/proposals/{id}/decision"), who)
            .header("If-Match", if_match.to_owned())
            .json(&body)
            .send()
    };

    // Not before the decision step, even by the lead department.
    case.to(Status::LogicModel).await;
    problem(
        decide(Who::Department, "*", open_procurement(REASON))
            .await
            .expect("decision"),
        StatusCode::CONFLICT,
    )
    .await;
    case.to(Status::AwaitingDecision).await;
    let etag = app.etag(&format!("/v1/proposals/{id}"), Who::Desk).await;

    // Nobody but the lead department, and never as a transition.
    problem(
        decide(Who::Desk, &etag, open_procurement(REASON))
            .await
            .expect("decision"),
        StatusCode::CONFLICT,
    )
    .await;
    // Another department does not see the case at all (404).
    for who in [
        Who::OtherDepartment,
        Who::Partner,
        Who::OtherPartner,
        Who::AyaseDesk,
        Who::AyaseDepartment,
        Who::Analyst,
        Who::Admin,
        Who::Anonymous,
    ] {
        let refused = decide(who, &etag, open_procurement(REASON))
            .await
            .expect("decision");
        assert!(
            refused.status().is_client_error(),
            "{who:?}: {}",
            refused.status()
        );
    }
    for who in [Who::Desk, Who::Department] {
        let sent = app
            .transition(
                &id,
                who,
                json!({"to": "open_procurement", "reason": "x", "note_for_proposer": "x"}),
            )
            .await;
        problem(sent, StatusCode::CONFLICT).await;
    }
    // A reason is required; a stale ETag and hostile bodies change nothing.
    problem(
        decide(Who::Department, &etag, open_procurement(" "))
            .await
            .expect("decision"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        decide(Who::Department, "\"0\"", open_procurement(REASON))
            .await
            .expect("decision"),
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    for hostile in [
        json!({"outcome": "open_procurement", "reason": "x", "trip": {}}),
        json!({"outcome": "open_procurement", "reason": "x", "note_for_proposer": "x".repeat(2001)}),
        json!({"outcome": "OPEN_PROCUREMENT", "reason": "x"}),
    ] {
        let refused = decide(Who::Department, &etag, hostile)
            .await
            .expect("decision");
        assert!(refused.status().is_client_error(), "{}", refused.status());
    }
    let still = json(
        app.get(&format!("/v1/proposals/{id}"), Who::Desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(still["status"], "awaiting_decision");

    // The lead department decides, without a note: the default neutral note.
    let decided = json(
        decide(Who::Department, &etag, open_procurement(REASON))
            .await
            .expect("decision"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(decided["proposal"]["status"], "open_procurement");
    assert!(decided["proposal"]["closed_at"].is_string());
    assert_eq!(
        decided["trip"],
        Value::Null,
        "the proposer does not implement it"
    );
    let trips = json(app.get("/v1/trips", Who::Desk).await, StatusCode::OK).await;
    assert_eq!(trips["items"].as_array().map(Vec::len), Some(0), "{trips}");
    // Final: no second decision.
    problem(
        decide(
            Who::Department,
            "*",
            json!({"outcome": "adopted", "reason": "x"}),
        )
        .await
        .expect("decision"),
        StatusCode::CONFLICT,
    )
    .await;

    // What the proposer sees: the status and the note, not the reason.
    let seen = json(
        app.get(&format!("/v1/proposals/{id}"), Who::Partner).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["status"], "open_procurement");
    let timeline = json(
        app.get(&format!("/v1/proposals/{id}/events"), Who::Partner)
            .await,
        StatusCode::OK,
    )
    .await
    .to_string();
    assert!(timeline.contains(DEFAULT_NOTE), "{timeline}");
    assert!(timeline.contains("\"open_procurement\""), "{timeline}");
    assert!(
        !timeline.contains(REASON),
        "the internal reason stays internal"
    );

    // KPIs: decided, not adopted, no TRIP started, no longer waiting.
    let kpis = json(
        app.get(&format!("/v1/kpis?fiscal_year={fy}"), Who::Analyst)
            .await,
        StatusCode::OK,
    )
    .await;
    let c = &kpis["conversion"];
    assert_eq!(
        (
            c["received"].clone(),
            c["adopted"].clone(),
            c["decided"].clone()
        ),
        (json!(1), json!(0), json!(1)),
        "{c}"
    );
    assert_eq!(c["rate_of_decided"], 0.0);
    assert_eq!(kpis["trips_started"]["count"], 0);
    assert_eq!(kpis["coordination_lead_time"]["waiting"]["count"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_note_for_the_proposer_replaces_the_default() {
    let app = TestApp::spawn().await;
    let mut case = app.case().title("防災備蓄の共同購入").create().await;
    case.to(Status::AwaitingDecision).await;
    let etag = app
        .etag(&format!("/v1/proposals/{}", case.id), Who::Desk)
        .await;
    let decided = app
        .request(
            Method::POST,
            &format!("/v1/proposals/{}/decision", case.id),
            Who::Department,
        )
        .header("If-Match", etag)
        .json(&json!({"outcome": "open_procurement", "reason": REASON,
            "note_for_proposer": "来年度に公募を予定しています"}))
        .send()
        .await
        .expect("decision");
    json(decided, StatusCode::OK).await;
    let timeline = json(
        app.get(&format!("/v1/proposals/{}/events", case.id), Who::Partner)
            .await,
        StatusCode::OK,
    )
    .await
    .to_string();
    assert!(
        timeline.contains("来年度に公募を予定しています"),
        "{timeline}"
    );
    assert!(!timeline.contains(DEFAULT_NOTE), "{timeline}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proposer_and_the_desk_are_told_in_their_language() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let worker = worker_to(&app.pool, &sink, "3");
    let email = |who: Who| app.fixtures.account(who).email.clone();
    let mut case = app.case().title("相模が丘の空き家活用").create().await;
    case.to(Status::AwaitingDecision).await;
    drain(&worker).await;
    let before = sink.received().len();
    let etag = app
        .etag(&format!("/v1/proposals/{}", case.id), Who::Desk)
        .await;
    let decided = app
        .request(
            Method::POST,
            &format!("/v1/proposals/{}/decision", case.id),
            Who::Department,
        )
        .header("If-Match", etag)
        .json(&open_procurement(REASON))
        .send()
        .await
        .expect("decision");
    json(decided, StatusCode::OK).await;
    drain(&worker).await;
    let mails: Vec<_> = sink.received().into_iter().skip(before).collect();
    for mail in &mails {
        assert!(
            !mail.body().contains(REASON),
            "the reason leaked: {}",
            mail.body()
        );
    }
    let partner = mails
        .iter()
        .find(|m| m.recipients.contains(&email(Who::Partner)))
        .expect("the proposer's mail");
    assert!(partner.subject().ends_with("提案の状況が更新されました"));
    let body = partner.body();
    assert!(body.contains("現在の状況: 公募・競争による実施"), "{body}");
    assert!(body.contains(DEFAULT_NOTE), "{body}");
    let desk = mails
        .iter()
        .find(|m| m.recipients.contains(&email(Who::Desk)))
        .expect("the desk's mail");
    assert!(desk.subject().ends_with("案件化判断が記録されました"));
    assert!(desk.body().contains("現在の状況: 公募・競争による実施"));
}
