//! The test harness.
//!
//! - [`TestApp`]: the real app on a random port over its own database (a
//!   clone of the migrated template, `living-gate-test-db`), with a fixture
//!   account for every role ([`Who`]) and real tokens. `TestApp::spawn()`
//!   for the defaults, `TestApp::builder()` for options: `.configure(…)`,
//!   `.database(…)`, `.demo_data()`, `.demo_directory()` and
//!   `.dead_database(…)` (an app whose database is out of reach).
//! - [`Case`]: a case driven through the API to a workflow step,
//!   `app.case().to(Status::LogicModel).await`.
//! - [`json`], [`problem`], [`etag_of`]: reading responses.
//! - [`SmtpSink`]: a real SMTP server that records what it receives, slow
//!   or refusing on demand, for the notification tests.
//! - [`Clamd`]: a real clamd with an EICAR-only signature database.
//! - [`Receiver`]: a real webhook receiver that answers as told, and the
//!   Standard Webhooks reference library to verify what it got.
//! - [`ServedBinary`]: the real binary over a database of its own, with
//!   its JSON log lines, for tests of what is logged.
//! - [`ReplicaPair`]: a real primary and streaming replica in a temporary
//!   directory, for `.read_replica(…)` apps.
//!
//! Every path into the api crate the tests need is named in this folder,
//! so that moving a module there means fixing the harness only.

mod app;
mod binary;
mod case;
mod clamd;
mod fixtures;
pub mod mail;
pub mod oidc;
mod replica;
mod responses;
mod smtp;
mod webhook_receiver;

pub use app::{DeadDatabase, Instance, TestApp};
pub use binary::ServedBinary;
pub use case::{logic_model, Case};
pub use clamd::{Clamd, EICAR, EICAR_SIGNATURE};
pub use fixtures::{Who, PASSWORD};
pub use replica::ReplicaPair;
pub use responses::{etag_of, json, problem};
pub use smtp::{Behaviour, Received, SmtpSink};
pub use webhook_receiver::{verify_with_reference_library, Delivered, Receiver};

/// The webhook worker, as `living-gate serve` runs it.
pub use living_gate_api::webhooks::worker::Worker as WebhookWorker;

/// The access-token claims, for tests that forge tokens.
pub use living_gate_api::auth::tokens::Claims;
/// What happened, as the change feed names it.
pub use living_gate_api::record::EventKind;
/// The departments the reference data gives Zama.
pub use living_gate_api::startup::demo_data::ZAMA_DEPARTMENTS;

/// The OpenAPI document the app serves, as generated from the handlers.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    living_gate_api::http::openapi::document()
}

/// The bounds of fiscal years the server and the document share.
pub use living_gate_api::http::bounds::{MAX_YEAR, MIN_YEAR};

/// The outbox worker, as `living-gate serve` runs it.
pub use living_gate_api::notify::worker::Worker;

/// A mail worker over `pool` configured by `vars` (e.g.
/// `LIVING_GATE_SMTP_URL`), as `living-gate serve` builds it.
pub fn mail_worker(pool: &living_gate_db::DbPool, vars: &[(&str, &str)]) -> Worker {
    let map: std::collections::HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let config = living_gate_api::startup::config::Config::from_lookup(|n| map.get(n).cloned())
        .expect("a valid mail configuration");
    Worker {
        pool: pool.clone(),
        sender: living_gate_api::notify::transport::Sender::from_config(
            &config.mail,
            &config.data_dir,
        )
        .expect("a sender"),
        pace: living_gate_api::notify::worker::Pace::from_config(&config.mail),
    }
}

/// A dead message of Zama's outbox, to the partner (for the delivery log).
pub async fn dead_outbox_message(app: &TestApp) -> uuid::Uuid {
    use diesel_async::RunQueryDsl;
    use living_gate_domain::notify::{Language, Mail, MailKind};
    let mut conn = app.conn().await;
    let mail = Mail {
        kind: MailKind::StatusChanged,
        to: living_gate_domain::Email::parse("to", &app.fixtures.account(Who::Partner).email)
            .expect("email"),
        language: Language::Ja,
        subject: "[ZLG-2026-0001] 提案の状況が更新されました".into(),
        body: "本文".into(),
    };
    let origin = living_gate_db::outbox::Origin {
        municipality_id: Some(app.fixtures.zama),
        ..Default::default()
    };
    let row = living_gate_db::outbox::enqueue(&mut conn, mail, origin)
        .await
        .expect("enqueue");
    diesel::sql_query(format!(
        "UPDATE outbox_messages SET state = 'dead', attempts = 8 WHERE id = '{}'",
        row.id
    ))
    .execute(&mut conn)
    .await
    .expect("dead");
    row.id
}
