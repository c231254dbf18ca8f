//! Retries against a server that refuses: exponential backoff, `dead`
//! after the last try with every attempt in the delivery log, the desk
//! told once, and never of its own failed `delivery_failed` mail.

use super::{drain, outbox, worker_to};
use crate::harness::{Behaviour, SmtpSink, TestApp, Who};
use diesel_async::RunQueryDsl;
use living_gate_db::notify::delivery as log;
use living_gate_domain::notify::{AttemptOutcome, MailKind, OutboxState};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_message_backs_off_dies_after_the_last_try_and_the_desk_is_told_once() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    sink.behave(Behaviour {
        refuse: Some("550 5.1.1 no such user here".into()),
        ..Behaviour::default()
    });
    // Backoff 200 ms: the second try is not due at once.
    let worker = crate::harness::mail_worker(
        &app.pool,
        &[
            ("LIVING_GATE_SMTP_URL", &sink.url()),
            ("LIVING_GATE_MAIL_MAX_ATTEMPTS", "3"),
            ("LIVING_GATE_MAIL_BACKOFF_MS", "200"),
            ("LIVING_GATE_SMTP_TIMEOUT", "5"),
            ("LIVING_GATE_MAIL_LEASE", "10"),
        ],
    );
    // One mail, to the partner: the desk turned new-intake mails off (and
    // a desk whose own mail died is not told through the same address).
    super::execute(
        &app.pool,
        &format!(
            "INSERT INTO notification_preferences (user_id, kind, enabled) VALUES ('{}', 'intake_confirmed', false)",
            app.fixtures.account(Who::Desk).id
        ),
    )
    .await;
    let mut case = app.case().create().await;
    case.move_as(Who::Desk, serde_json::json!({"to": "organizing"}))
        .await;
    assert_eq!(worker.round().await.expect("round"), 1);
    let first = outbox(&app.pool).await.remove(0);
    assert_eq!(first.kind, MailKind::StatusChanged);
    assert_eq!((first.state, first.attempts), (OutboxState::Pending, 1));
    assert!(
        first
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("no such user"),
        "{:?}",
        first.last_error
    );
    let wait = first.next_attempt_at - chrono::Utc::now();
    assert!(
        wait > chrono::Duration::milliseconds(50),
        "backed off: {wait}"
    );
    assert_eq!(worker.round().await.expect("round"), 0, "not due yet");
    // The second try waits 200–400 ms × 2 at most.
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        worker.round().await.expect("round");
        let row = outbox(&app.pool).await.remove(0);
        if row.state == OutboxState::Dead {
            break;
        }
    }
    let rows = outbox(&app.pool).await;
    let dead = &rows[0];
    assert_eq!((dead.state, dead.attempts), (OutboxState::Dead, 3));
    let mut conn = living_gate_db::pool::checkout(&app.pool)
        .await
        .expect("conn");
    let attempts = log::attempts_of(&mut conn, dead.id)
        .await
        .expect("attempts");
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.attempt, a.outcome))
            .collect::<Vec<_>>(),
        [
            (1, AttemptOutcome::Failed),
            (2, AttemptOutcome::Failed),
            (3, AttemptOutcome::Dead)
        ]
    );
    assert!(attempts.iter().all(|a| a.detail.contains("no such user")));
    // The desk of Zama is told once, about this message; the mail names
    // it and the case, and is itself refused until it dies: no mail about
    // that one.
    let told: Vec<_> = rows
        .iter()
        .filter(|r| r.kind == MailKind::DeliveryFailed)
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(
        told[0].recipient_user_id,
        Some(app.fixtures.account(Who::Desk).id)
    );
    assert!(
        told[0]
            .subject
            .starts_with(&format!("[{}]", case.reference)),
        "{}",
        told[0].subject
    );
    assert!(
        told[0].body_text.contains("status_changed"),
        "{}",
        told[0].body_text
    );
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        worker.round().await.expect("round");
        if outbox(&app.pool)
            .await
            .iter()
            .all(|r| r.state == OutboxState::Dead)
        {
            break;
        }
    }
    let rows = outbox(&app.pool).await;
    assert!(
        rows.iter().all(|r| r.state == OutboxState::Dead),
        "{rows:?}"
    );
    assert_eq!(
        rows.len(),
        2,
        "no mail about the failed delivery_failed mail"
    );
    assert!(sink.received().is_empty());

    // The attempt log is history: the service cannot rewrite it.
    let rewritten = diesel::sql_query("UPDATE outbox_attempts SET detail = ''")
        .execute(&mut conn)
        .await;
    assert!(rewritten.is_err(), "outbox_attempts must be append-only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_body_is_blanked_once_sent() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start();
    let worker = worker_to(&app.pool, &sink, "3");
    let mut conn = living_gate_db::pool::checkout(&app.pool)
        .await
        .expect("conn");
    let mail = living_gate_domain::notify::Mail {
        kind: MailKind::PasswordReset,
        to: living_gate_domain::Email::parse("to", "someone@example.jp").expect("email"),
        language: living_gate_domain::notify::Language::Ja,
        subject: "パスワードの再設定".into(),
        body: "https://example.jp/reset?token=SECRET123".into(),
    };
    let queued = living_gate_db::outbox::enqueue(&mut conn, mail, Default::default())
        .await
        .expect("enqueue");
    drain(&worker).await;
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].body().contains("SECRET123"),
        "the recipient gets it"
    );
    assert_eq!(received[0].message_id(), queued.message_id);
    let row = outbox(&app.pool).await.remove(0);
    assert_eq!(row.state, OutboxState::Sent);
    assert_eq!(row.body_text, "", "the outbox keeps no secret once sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_each_message_is_one_eml_file_named_for_its_message_id() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("mail");
    let worker = crate::harness::mail_worker(
        &app.pool,
        &[("LIVING_GATE_MAIL_DIR", folder.to_str().expect("path"))],
    );
    app.case().create().await;
    drain(&worker).await;
    let row = outbox(&app.pool).await.remove(0);
    assert_eq!(row.state, OutboxState::Sent);
    let file = folder.join(format!("{}.eml", row.message_id));
    let text = std::fs::read_to_string(&file).expect("the .eml file");
    assert!(
        text.contains(&format!("Message-ID: <{}>", row.message_id)),
        "{text}"
    );
    assert!(text.contains("Auto-Submitted: auto-generated"), "{text}");
    assert!(
        text.contains(&app.fixtures.account(Who::Desk).email),
        "{text}"
    );
    // Sent again (a crash before the mark): the same file, no second one.
    super::execute(
        &app.pool,
        &format!(
            "UPDATE outbox_messages SET state = 'pending', next_attempt_at = now() WHERE id = '{}'",
            row.id
        ),
    )
    .await;
    drain(&worker).await;
    let files: Vec<_> = std::fs::read_dir(&folder)
        .expect("folder")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
}
