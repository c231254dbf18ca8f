//! The mail settings (issue 15): where mail goes (an SMTP server, or
//! without one a folder of `.eml` files) and how the outbox worker paces
//! itself. Every variable has a documented default (docs/notifications.md).

use super::config::{parse_bool, parse_number, problem, ConfigError};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `LIVING_GATE_SMTP_URL`, e.g. `smtp://relay.city.lg.jp:25`,
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host:465` (implicit TLS). `None`: `.eml` files.
    pub smtp_url: Option<String>,
    /// `LIVING_GATE_MAIL_FROM`: the From header.
    pub from: String,
    /// `LIVING_GATE_MAIL_DIR`: where `.eml` files go without SMTP
    /// (default `<data dir>/mail`).
    pub dir: Option<PathBuf>,
    /// `LIVING_GATE_SMTP_TIMEOUT` (seconds): one SMTP conversation at most.
    pub smtp_timeout: Duration,
    /// `LIVING_GATE_MAIL_WORKER`: deliver from this instance.
    pub worker: bool,
    /// `LIVING_GATE_MAIL_POLL_MS`: the pause when nothing is due.
    pub poll_interval: Duration,
    /// `LIVING_GATE_MAIL_BATCH_SIZE`: messages claimed at once.
    pub batch_size: i64,
    /// `LIVING_GATE_MAIL_MAX_ATTEMPTS`: tries before a message is dead.
    pub max_attempts: i32,
    /// `LIVING_GATE_MAIL_BACKOFF_MS`: the wait after the first failure,
    /// doubled after each next one (with jitter), at most six hours.
    pub backoff_base: Duration,
    /// `LIVING_GATE_MAIL_LEASE` (seconds): how long a claimed message is
    /// the claiming worker's; a worker that died mid-send leaves it due
    /// again after that. Longer than the SMTP timeout.
    pub lease: Duration,
}

impl MailConfig {
    pub(super) fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<MailConfig, ConfigError> {
        let smtp_url = get("LIVING_GATE_SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(problem(
                    "LIVING_GATE_SMTP_URL",
                    "must start with smtp:// or smtps://",
                ));
            }
        }
        let from = get("LIVING_GATE_MAIL_FROM")
            .unwrap_or_else(|| "ZAMA Living Gate <no-reply@living-gate.invalid>".to_owned());
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(problem(
                "LIVING_GATE_MAIL_FROM",
                format!("`{from}` is not a mailbox like Desk <desk@city.example.jp>"),
            ));
        }
        let smtp_timeout =
            Duration::from_secs(parse_number(get, "LIVING_GATE_SMTP_TIMEOUT", 30, 1, 600)?);
        let lease =
            Duration::from_secs(parse_number(get, "LIVING_GATE_MAIL_LEASE", 120, 2, 86_400)?);
        if lease <= smtp_timeout {
            return Err(problem(
                "LIVING_GATE_MAIL_LEASE",
                "must be longer than LIVING_GATE_SMTP_TIMEOUT (a send in progress must not be claimed again)",
            ));
        }
        Ok(MailConfig {
            smtp_url,
            from,
            dir: get("LIVING_GATE_MAIL_DIR").map(PathBuf::from),
            smtp_timeout,
            worker: parse_bool(get, "LIVING_GATE_MAIL_WORKER", true)?,
            poll_interval: Duration::from_millis(parse_number(
                get,
                "LIVING_GATE_MAIL_POLL_MS",
                2000,
                10,
                600_000,
            )?),
            batch_size: parse_number(get, "LIVING_GATE_MAIL_BATCH_SIZE", 20, 1, 1000)?,
            max_attempts: parse_number(get, "LIVING_GATE_MAIL_MAX_ATTEMPTS", 8, 1, 100)?,
            backoff_base: Duration::from_millis(parse_number(
                get,
                "LIVING_GATE_MAIL_BACKOFF_MS",
                30_000,
                1,
                86_400_000,
            )?),
            lease,
        })
    }
}

/// `LIVING_GATE_PUBLIC_WEB_URL`: the front end, for links in mails.
pub(super) fn public_web_url(get: &impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    let url = get("LIVING_GATE_PUBLIC_WEB_URL").unwrap_or_else(|| "http://localhost:8080".into());
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(problem(
            "LIVING_GATE_PUBLIC_WEB_URL",
            "must be an http(s) URL without spaces",
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::config::Config;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, super::ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn the_defaults_write_files_and_retry_eight_times() {
        let c = config(&[]).expect("defaults");
        assert!(c.mail.smtp_url.is_none());
        assert_eq!(c.mail.max_attempts, 8);
        assert!(c.mail.worker);
        assert_eq!(c.public_web_url, "http://localhost:8080");
    }

    #[test]
    fn bad_mail_values_name_their_variable() {
        for (name, value) in [
            ("LIVING_GATE_SMTP_URL", "http://mail"),
            ("LIVING_GATE_MAIL_FROM", "not a mailbox"),
            ("LIVING_GATE_MAIL_MAX_ATTEMPTS", "0"),
            ("LIVING_GATE_MAIL_LEASE", "10"),
            ("LIVING_GATE_PUBLIC_WEB_URL", "ftp://x"),
        ] {
            let error = config(&[(name, value)]).expect_err(name);
            assert_eq!(error.variable, name);
        }
    }
}
