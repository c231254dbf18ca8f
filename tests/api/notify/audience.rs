//! Who hears what, through the real API, the real worker and a real SMTP
//! server: recipients, subjects with the case reference, bodies, and that
//! the internal reason, internal messages and other departments' hearings
//! reach nobody who may not read them.

use super::{drain, execute, worker_to};
use crate::harness::{json, Received, SmtpSink, TestApp, Who};
use living_gate_domain::desk::workflow::Status;
use reqwest::StatusCode;
use serde_json::json;

const REASON: &str = "社内事情により優先度を検討中XYZ";
const INTERNAL: &str = "内部メモ：予算は未確定QQQ";
const NOTE: &str = "内容を確認しております。";

fn to<'a>(mails: &'a [Received], email: &str) -> Vec<&'a Received> {
    mails
        .iter()
        .filter(|m| m.recipients.iter().any(|r| r == email))
        .collect()
}

fn subjects(mails: &[&Received]) -> Vec<String> {
    mails.iter().map(|m| m.subject()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_audience_hears_what_it_may_know_and_nothing_internal() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let worker = worker_to(&app.pool, &sink, "3");
    let email = |who: Who| app.fixtures.account(who).email.clone();

    // The partner submits: the desk hears of it, the partner does not.
    let mut case = app.case().title("相模川クリーン作戦").create().await;
    let reference = case.reference.clone();
    case.move_as(
        Who::Desk,
        json!({"to": "organizing", "reason": REASON, "note_for_proposer": NOTE}),
    )
    .await;
    for (visibility, body) in [("internal", INTERNAL), ("shared", "資料をお送りください")]
    {
        json(
            app.post(
                &format!("/v1/proposals/{}/messages", case.id),
                Who::Desk,
                &json!({"visibility": visibility, "body": body}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    // A hearing of 地域福祉課 only: 市民協働課 must not hear of it.
    case.request_hearing(Who::OtherDepartment).await;
    case.to(Status::AwaitingDecision).await;
    drain(&worker).await;
    let mails = sink.received();

    for mail in &mails {
        assert!(
            mail.subject().starts_with(&format!("[{reference}] ")),
            "{}",
            mail.subject()
        );
        assert_eq!(
            mail.header("Auto-Submitted").as_deref(),
            Some("auto-generated")
        );
        assert!(mail
            .header("Content-Type")
            .unwrap_or_default()
            .starts_with("text/plain; charset=utf-8"));
        let body = mail.body();
        assert!(!body.contains(REASON), "the reason leaked: {body}");
        assert!(
            !body.contains(INTERNAL),
            "an internal message leaked: {body}"
        );
        assert!(body.contains(&format!("/cases/{}", case.id)), "{body}");
        assert!(body.contains("相模川クリーン作戦"), "{body}");
        assert_eq!(mail.recipients.len(), 1, "one recipient per message");
    }

    let partner = to(&mails, &email(Who::Partner));
    let partner_subjects = subjects(&partner);
    assert!(
        partner_subjects
            .iter()
            .all(|s| s.ends_with("提案の状況が更新されました")
                || s.ends_with("新しいメッセージがあります")),
        "{partner_subjects:?}"
    );
    assert_eq!(
        partner_subjects
            .iter()
            .filter(|s| s.ends_with("新しいメッセージがあります"))
            .count(),
        1,
        "the shared message only: {partner_subjects:?}"
    );
    let organizing = partner
        .iter()
        .map(|m| m.body())
        .find(|b| b.contains("現在の状況: 内容整理"))
        .expect("the proposer's mail of the move to organizing");
    assert!(organizing.contains(NOTE), "{organizing}");

    let desk_subjects = subjects(&to(&mails, &email(Who::Desk)));
    for expected in [
        "新しい提案を受け付けました",
        "ヒアリングに回答がありました",
        "マッチングが承諾されました",
    ] {
        assert!(
            desk_subjects.iter().any(|s| s.ends_with(expected)),
            "{expected} in {desk_subjects:?}"
        );
    }
    assert!(
        !desk_subjects
            .iter()
            .any(|s| s.ends_with("提案の状況が更新されました")),
        "the desk moved the case itself: {desk_subjects:?}"
    );

    let lead = subjects(&to(&mails, &email(Who::Department)));
    assert!(
        lead.iter().any(|s| s.ends_with("マッチングの提案")),
        "{lead:?}"
    );
    assert!(
        lead.iter().any(|s| s.ends_with("案件化判断をお願いします")),
        "{lead:?}"
    );
    let lead_hearings = lead
        .iter()
        .filter(|s| s.ends_with("ヒアリングの依頼"))
        .count();
    let other = subjects(&to(&mails, &email(Who::OtherDepartment)));
    assert_eq!(
        other
            .iter()
            .filter(|s| s.ends_with("ヒアリングの依頼"))
            .count(),
        1,
        "{other:?}"
    );
    assert!(
        !other
            .iter()
            .any(|s| s.ends_with("マッチングの提案") || s.ends_with("案件化判断をお願いします")),
        "another department's match and decision: {other:?}"
    );
    // The case builder asked 市民協働課 for no hearing of its own here.
    assert_eq!(
        lead_hearings, 0,
        "地域福祉課's hearing reached 市民協働課: {lead:?}"
    );

    for who in [
        Who::OtherPartner,
        Who::AyaseDesk,
        Who::AyaseDepartment,
        Who::Analyst,
        Who::Admin,
    ] {
        assert!(
            to(&mails, &email(who)).is_empty(),
            "{who:?} heard of the case"
        );
    }
    // Every mail went once and the outbox says so.
    let rows = super::outbox(&app.pool).await;
    assert_eq!(rows.len(), mails.len());
    assert!(rows.iter().all(|r| r.state.as_str() == "sent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_turned_off_is_not_sent_and_english_readers_get_english() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let worker = worker_to(&app.pool, &sink, "3");
    let partner = app.fixtures.account(Who::Partner).clone();
    let desk = app.fixtures.account(Who::Desk).clone();
    execute(
        &app.pool,
        &format!(
            "INSERT INTO notification_preferences (user_id, kind, enabled) VALUES ('{}', 'status_changed', false)",
            partner.id
        ),
    )
    .await;
    execute(
        &app.pool,
        &format!(
            "UPDATE users SET mail_language = 'en' WHERE id = '{}'",
            desk.id
        ),
    )
    .await;
    let mut case = app.case().create().await;
    case.move_as(Who::Desk, json!({"to": "organizing"})).await;
    json(
        app.post(
            &format!("/v1/proposals/{}/messages", case.id),
            Who::Desk,
            &json!({"visibility": "shared", "body": "ご連絡です"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    drain(&worker).await;
    let mails = sink.received();
    let partner_subjects = subjects(&to(&mails, &partner.email));
    assert_eq!(
        partner_subjects,
        [format!("[{}] 新しいメッセージがあります", case.reference)],
        "status changes are off, messages on"
    );
    let desk_mail = to(&mails, &desk.email);
    assert_eq!(
        subjects(&desk_mail),
        [format!("[{}] New proposal received", case.reference)]
    );
    assert!(
        desk_mail[0].body().contains("Reference: "),
        "{}",
        desk_mail[0].body()
    );
}
