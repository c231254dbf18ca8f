//! At-least-once without duplicates a receiver cannot drop: two workers on
//! one database never send one message concurrently, and a binary killed
//! mid-delivery (`kill -9`) delivers every message once it is back, any
//! re-send carrying the same Message-ID and the same content.

use super::{drain, outbox};
use crate::harness::{mail_worker, Behaviour, Received, ServedBinary, SmtpSink};
use living_gate_db::outbox::{self, Origin};
use living_gate_db::DbPool;
use living_gate_domain::notify::{Language, Mail, MailKind, OutboxState};
use living_gate_domain::Email;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Enqueues `n` mails (of no city: the binary's database has no fixtures).
async fn enqueue(pool: &DbPool, n: usize) {
    let mut conn = living_gate_db::pool::checkout(pool).await.expect("conn");
    for i in 0..n {
        let mail = Mail {
            kind: MailKind::StatusChanged,
            to: Email::parse("to", &format!("partner{i}@example.jp")).expect("email"),
            language: Language::Ja,
            subject: format!("[ZLG-2026-{i:04}] 提案の状況が更新されました"),
            body: format!("本文 {i}"),
        };
        outbox::enqueue(&mut conn, mail, Origin::default())
            .await
            .expect("enqueue");
    }
}

/// Groups what arrived by Message-ID; panics if one Message-ID came with
/// two different contents.
fn by_message_id(received: &[Received]) -> HashMap<String, usize> {
    let mut seen: HashMap<String, (String, String, usize)> = HashMap::new();
    for mail in received {
        let entry = seen
            .entry(mail.message_id())
            .or_insert_with(|| (mail.subject(), mail.body(), 0));
        assert_eq!(
            (&entry.0, &entry.1),
            (&mail.subject(), &mail.body()),
            "one Message-ID, two messages"
        );
        entry.2 += 1;
    }
    seen.into_iter().map(|(id, (_, _, n))| (id, n)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_database_never_send_one_message_twice() {
    let db = living_gate_test_db::TestDatabase::create()
        .await
        .expect("a database");
    let pool = living_gate_db::build_pool(&db.app_url, &Default::default()).expect("pool");
    enqueue(&pool, 40).await;
    let sink = SmtpSink::start();
    sink.behave(Behaviour {
        data_delay: Duration::from_millis(20),
        ..Behaviour::default()
    });
    let vars = [
        ("LIVING_GATE_SMTP_URL", sink.url()),
        ("LIVING_GATE_MAIL_BATCH_SIZE", "3".to_owned()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (a, b) = (mail_worker(&pool, &vars), mail_worker(&pool, &vars));
    let (sent_a, sent_b) = tokio::join!(drain(&a), drain(&b));
    assert_eq!(sent_a + sent_b, 40);
    assert!(sent_a > 0 && sent_b > 0, "both worked: {sent_a} + {sent_b}");
    let arrived = by_message_id(&sink.received());
    assert_eq!(arrived.len(), 40);
    assert!(arrived.values().all(|n| *n == 1), "{arrived:?}");
    let rows = outbox(&pool).await;
    assert!(rows
        .iter()
        .all(|r| r.state == OutboxState::Sent && r.attempts == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_delivery_delivers_everything_once_back() {
    const N: usize = 16;
    let sink = SmtpSink::start();
    // Slow to answer DATA: the kill lands while a message is in flight.
    sink.behave(Behaviour {
        data_delay: Duration::from_millis(600),
        ..Behaviour::default()
    });
    let url = sink.url();
    let env = [
        ("LIVING_GATE_SMTP_URL", url.as_str()),
        ("LIVING_GATE_MAIL_POLL_MS", "50"),
        ("LIVING_GATE_MAIL_BATCH_SIZE", "4"),
        ("LIVING_GATE_SMTP_TIMEOUT", "2"),
        ("LIVING_GATE_MAIL_LEASE", "3"),
    ];
    let mut served = ServedBinary::spawn_with(&env).await;
    let pool = living_gate_db::build_pool(&served.db.app_url, &Default::default()).expect("pool");
    enqueue(&pool, N).await;
    // A few arrive, then the process dies mid-conversation.
    sink.wait_for(2, Duration::from_secs(30));
    // Meanwhile the slow server slows mail, not requests.
    let started = Instant::now();
    let ready = reqwest::get(format!("{}/readyz", served.base))
        .await
        .expect("readyz");
    assert!(ready.status().is_success());
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "a request waited for the mail server: {:?}",
        started.elapsed()
    );
    sink.wait_for(3, Duration::from_secs(30));
    served.kill_and_restart(&env);
    let before_restart = sink.received().len();
    assert!(
        before_restart < N,
        "the kill came too late to test anything"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = outbox(&pool).await;
        if rows.iter().all(|r| r.state == OutboxState::Sent) {
            break;
        }
        assert!(Instant::now() < deadline, "not all sent after the restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rows = outbox(&pool).await;
    let arrived = by_message_id(&sink.received());
    for row in &rows {
        assert!(
            arrived.contains_key(&row.message_id),
            "{} never arrived",
            row.message_id
        );
    }
    assert_eq!(arrived.len(), N, "nothing else arrived");
    // After dedup by Message-ID: none missing, none twice as another message
    // (by_message_id checked the content of every re-send).
    // The kill landed while the server held a received message unanswered:
    // that one came twice, with one Message-ID.
    let resent = arrived.values().filter(|n| **n > 1).count();
    assert!(
        resent >= 1,
        "the kill should have caught a message in flight"
    );
}
