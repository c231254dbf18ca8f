//! The webhook settings (issue 16): which callbacks may be called, how the
//! worker paces itself, and what receivers are told about our addresses.
//! Every variable has a documented default (docs/integration.md).

use super::config::{parse_bool, parse_number, problem, ConfigError};
use living_gate_domain::webhooks::address::Network;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// `LIVING_GATE_WEBHOOK_WORKER`: deliver from this instance.
    pub worker: bool,
    /// `LIVING_GATE_WEBHOOK_ALLOW_HTTP`: accept `http://` callbacks (tests,
    /// a closed network); otherwise `https://` only.
    pub allow_http: bool,
    /// `LIVING_GATE_WEBHOOK_ALLOWED_NETWORKS`: CIDR networks a callback may
    /// reach although they are internal (loopback, private, …).
    pub allowed_networks: Vec<Network>,
    /// `LIVING_GATE_WEBHOOK_SOURCE_ADDRESSES`: the addresses deliveries
    /// leave from, published for receivers that allow-list by IP.
    pub source_addresses: Vec<String>,
    /// `LIVING_GATE_PUBLIC_API_URL`: the API's public base URL, for the
    /// resource URLs messages carry.
    pub public_api_url: String,
    /// `LIVING_GATE_WEBHOOK_POLL_MS`: the pause when nothing is due.
    pub poll_interval: Duration,
    /// `LIVING_GATE_WEBHOOK_CONNECT_TIMEOUT_MS`.
    pub connect_timeout: Duration,
    /// `LIVING_GATE_WEBHOOK_TIMEOUT_MS`: one delivery at most, connect and
    /// response included.
    pub timeout: Duration,
    /// `LIVING_GATE_WEBHOOK_BACKOFF_MS`: the wait after the first failure,
    /// doubled after each next one (with jitter), at most six hours.
    pub backoff_base: Duration,
    /// `LIVING_GATE_WEBHOOK_GIVE_UP_AFTER` (seconds): how long the head
    /// event may fail before the subscription turns failing.
    pub give_up_after: Duration,
    /// `LIVING_GATE_WEBHOOK_CONCURRENCY`: subscriptions delivered at once.
    pub concurrency: usize,
    /// `LIVING_GATE_WEBHOOK_BATCH_SIZE`: events read per subscription turn.
    pub batch_size: i64,
}

impl WebhookConfig {
    pub(super) fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<WebhookConfig, ConfigError> {
        let list = |name: &str| -> Vec<String> {
            get(name)
                .map(|raw| {
                    raw.split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let allowed_networks = list("LIVING_GATE_WEBHOOK_ALLOWED_NETWORKS")
            .iter()
            .map(|raw| raw.parse::<Network>())
            .collect::<Result<_, _>>()
            .map_err(|e| problem("LIVING_GATE_WEBHOOK_ALLOWED_NETWORKS", e))?;
        let source_addresses = list("LIVING_GATE_WEBHOOK_SOURCE_ADDRESSES");
        for raw in &source_addresses {
            raw.parse::<Network>()
                .map_err(|e| problem("LIVING_GATE_WEBHOOK_SOURCE_ADDRESSES", e))?;
        }
        let public_api_url =
            get("LIVING_GATE_PUBLIC_API_URL").unwrap_or_else(|| "http://localhost:8080".into());
        if !(public_api_url.starts_with("https://") || public_api_url.starts_with("http://"))
            || public_api_url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(problem(
                "LIVING_GATE_PUBLIC_API_URL",
                "must be an http(s) URL without spaces",
            ));
        }
        let ms = |name: &'static str, default: u64, min: u64, max: u64| {
            parse_number(get, name, default, min, max).map(Duration::from_millis)
        };
        let connect_timeout = ms("LIVING_GATE_WEBHOOK_CONNECT_TIMEOUT_MS", 5_000, 10, 60_000)?;
        let timeout = ms("LIVING_GATE_WEBHOOK_TIMEOUT_MS", 10_000, 10, 120_000)?;
        if timeout < connect_timeout {
            return Err(problem(
                "LIVING_GATE_WEBHOOK_TIMEOUT_MS",
                "must not be shorter than LIVING_GATE_WEBHOOK_CONNECT_TIMEOUT_MS",
            ));
        }
        Ok(WebhookConfig {
            worker: parse_bool(get, "LIVING_GATE_WEBHOOK_WORKER", true)?,
            allow_http: parse_bool(get, "LIVING_GATE_WEBHOOK_ALLOW_HTTP", false)?,
            allowed_networks,
            source_addresses,
            public_api_url: public_api_url.trim_end_matches('/').to_owned(),
            poll_interval: ms("LIVING_GATE_WEBHOOK_POLL_MS", 1_000, 10, 600_000)?,
            connect_timeout,
            timeout,
            backoff_base: ms("LIVING_GATE_WEBHOOK_BACKOFF_MS", 10_000, 1, 86_400_000)?,
            give_up_after: Duration::from_secs(parse_number(
                get,
                "LIVING_GATE_WEBHOOK_GIVE_UP_AFTER",
                86_400,
                1,
                30 * 86_400,
            )?),
            concurrency: parse_number(get, "LIVING_GATE_WEBHOOK_CONCURRENCY", 8, 1, 256)?,
            batch_size: parse_number(get, "LIVING_GATE_WEBHOOK_BATCH_SIZE", 50, 1, 1000)?,
        })
    }
}

impl Default for WebhookConfig {
    /// The documented defaults (what [`WebhookConfig::from_lookup`] gives
    /// with no variable set; a unit test checks they agree).
    fn default() -> WebhookConfig {
        WebhookConfig {
            worker: true,
            allow_http: false,
            allowed_networks: Vec::new(),
            source_addresses: Vec::new(),
            public_api_url: "http://localhost:8080".to_owned(),
            poll_interval: Duration::from_millis(1_000),
            connect_timeout: Duration::from_millis(5_000),
            timeout: Duration::from_millis(10_000),
            backoff_base: Duration::from_millis(10_000),
            give_up_after: Duration::from_secs(86_400),
            concurrency: 8,
            batch_size: 50,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<WebhookConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        WebhookConfig::from_lookup(&|name| map.get(name).cloned())
    }

    #[test]
    fn the_defaults_are_https_only_and_give_up_after_a_day() {
        let c = config(&[]).unwrap();
        assert_eq!(format!("{c:?}"), format!("{:?}", WebhookConfig::default()));
        assert!(!c.allow_http);
        assert!(c.allowed_networks.is_empty());
        assert_eq!(c.give_up_after, Duration::from_secs(86_400));
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("LIVING_GATE_WEBHOOK_ALLOWED_NETWORKS", "10.0.0.0/99"),
            ("LIVING_GATE_WEBHOOK_SOURCE_ADDRESSES", "example.jp"),
            ("LIVING_GATE_PUBLIC_API_URL", "ftp://x"),
            ("LIVING_GATE_WEBHOOK_TIMEOUT_MS", "5"),
            ("LIVING_GATE_WEBHOOK_CONCURRENCY", "0"),
        ] {
            let error = config(&[(name, value)]).unwrap_err();
            assert_eq!(error.variable, name);
        }
    }
}
