//! Where mail goes: an SMTP server (lettre over tokio; plain, STARTTLS or
//! implicit TLS with rustls, credentials in the URL), or without one a
//! folder with one `.eml` file per message, named for its Message-ID so
//! that a re-send overwrites the file instead of adding a second one.
//!
//! Every message carries From (configured), To, Subject (UTF-8, encoded
//! by lettre), `Message-ID: <outbox message_id>` (the same on every
//! attempt: a receiver drops a duplicate after a crash between send and
//! mark), Date, `Content-Type: text/plain; charset=utf-8` and
//! `Auto-Submitted: auto-generated` (RFC 3834: no auto-replies).

use crate::startup::mail_config::MailConfig;
use anyhow::Context;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use living_gate_db::outbox::OutboxMessage;
use std::path::{Path, PathBuf};

/// The configured way out.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A folder of `.eml` files.
    Folder(PathBuf),
}

/// A transport and the From it sends as.
#[derive(Clone)]
pub struct Sender {
    pub transport: Transport,
    pub from: Mailbox,
}

impl Sender {
    /// SMTP when `LIVING_GATE_SMTP_URL` is set, else the mail folder
    /// (`LIVING_GATE_MAIL_DIR`, or `<data dir>/mail`).
    pub fn from_config(mail: &MailConfig, data_dir: &Path) -> anyhow::Result<Sender> {
        let from: Mailbox = mail.from.parse().context("LIVING_GATE_MAIL_FROM")?;
        let transport = match &mail.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("LIVING_GATE_SMTP_URL")?
                    .timeout(Some(mail.smtp_timeout))
                    .build(),
            ),
            None => Transport::Folder(mail.dir.clone().unwrap_or_else(|| data_dir.join("mail"))),
        };
        Ok(Sender { transport, from })
    }

    /// Where `.eml` files go, if that is the transport.
    pub fn folder(&self) -> Option<&Path> {
        match &self.transport {
            Transport::Folder(dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    /// Sends `message`; `Ok` holds the server's reply (or the file written),
    /// `Err` the reason it failed.
    pub async fn send(&self, message: &OutboxMessage) -> Result<String, String> {
        let email = compose(&self.from, message)?;
        match &self.transport {
            Transport::Smtp(mailer) => match mailer.send(email).await {
                Ok(response) => Ok(format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                )),
                Err(error) => Err(error_chain(&error)),
            },
            Transport::Folder(dir) => write_file(dir, &message.message_id, &email.formatted())
                .await
                .map_err(|e| format!("{e:#}")),
        }
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The RFC 5322 message of an outbox row.
pub fn compose(from: &Mailbox, message: &OutboxMessage) -> Result<Message, String> {
    let to: Mailbox = message
        .recipient_address
        .parse()
        .map_err(|e| format!("recipient address: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(format!("<{}>", message.message_id)))
        .date_now()
        .header(ContentType::TEXT_PLAIN)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .body(
            Body::new_with_encoding(message.body_text.clone(), ContentTransferEncoding::Base64)
                .map_err(|_| "body encoding".to_owned())?,
        )
        .map_err(|e| format!("composing: {e}"))
}

/// Writes `<dir>/<message_id>.eml` atomically (a temporary file renamed).
async fn write_file(dir: &Path, message_id: &str, bytes: &[u8]) -> anyhow::Result<String> {
    let name: String = message_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    tokio::fs::create_dir_all(dir)
        .await
        .with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{name}.eml"));
    let partial = dir.join(format!(".{name}.eml.partial"));
    tokio::fs::write(&partial, bytes)
        .await
        .with_context(|| format!("writing {}", partial.display()))?;
    tokio::fs::rename(&partial, &path)
        .await
        .with_context(|| format!("renaming to {}", path.display()))?;
    Ok(format!("written {}", path.display()))
}
