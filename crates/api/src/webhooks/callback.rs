//! Where a webhook may be sent (SSRF): the callback URL's rules, checked
//! when a subscription is written, and a resolver that checks again, at
//! every connection, each address a host name resolves to. Internal
//! addresses (loopback, private, link-local, metadata …) are refused unless
//! the operator allow-listed their network
//! (`LIVING_GATE_WEBHOOK_ALLOWED_NETWORKS`); redirects are never followed,
//! no proxy is used.

use crate::startup::webhook_config::WebhookConfig;
use living_gate_domain::webhooks::address::{self, Network};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The longest wait for a host name to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// Why a callback URL is refused (a validation error's code and message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

fn refusal(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// The URL's form: absolute, https (http only where allowed), a host, no
/// credentials, no fragment. Does not resolve.
pub fn parse(raw: &str, config: &WebhookConfig) -> Result<Url, Refusal> {
    if raw.len() > 2000 {
        return Err(refusal("too_long", "must be at most 2000 characters"));
    }
    let url = Url::parse(raw).map_err(|_| refusal("invalid_url", "is not an absolute URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if config.allow_http => {}
        "http" => return Err(refusal("https_required", "must be an https:// URL")),
        _ => return Err(refusal("invalid_url", "must be an https:// URL")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refusal(
            "credentials_in_url",
            "must not carry credentials; verify the signature instead",
        ));
    }
    if url.fragment().is_some() {
        return Err(refusal("invalid_url", "must not have a fragment"));
    }
    if url.host().is_none() {
        return Err(refusal("invalid_url", "must name a host"));
    }
    Ok(url)
}

/// Resolves the URL's host and checks every address (a literal too).
pub async fn check(url: &Url, config: &WebhookConfig) -> Result<(), Refusal> {
    let host = url
        .host_str()
        .ok_or_else(|| refusal("invalid_url", "must name a host"))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses = resolve(host, port)
        .await
        .map_err(|e| refusal("unresolvable", format!("`{host}` does not resolve ({e})")))?;
    for addr in &addresses {
        allowed(addr.ip(), &config.allowed_networks)?;
    }
    Ok(())
}

fn allowed(ip: IpAddr, networks: &[Network]) -> Result<(), Refusal> {
    address::check(ip, networks).map_err(|why| {
        refusal(
            "forbidden_address",
            format!("resolves to {ip}, a {why} address; webhooks go to public addresses only"),
        )
    })
}

async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    // `[::1]` in a URL is the host `[::1]`.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let found = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((bare, port)))
        .await
        .map_err(|_| "timed out".to_owned())?
        .map_err(|e| e.to_string())?
        .collect::<Vec<_>>();
    if found.is_empty() {
        return Err("no address".into());
    }
    Ok(found)
}

/// reqwest's resolver for deliveries: the addresses of a name, each
/// checked, so a name that resolves to an internal address at delivery
/// time (DNS rebinding) is refused then too.
struct CheckingResolver {
    allowed: Arc<Vec<Network>>,
}

impl Resolve for CheckingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let networks = self.allowed.clone();
        Box::pin(async move {
            let addresses = resolve(name.as_str(), 0).await?;
            for addr in &addresses {
                allowed(addr.ip(), &networks).map_err(|r| r.message)?;
            }
            let addrs: Addrs = Box::new(addresses.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client deliveries go through: the checking resolver, the
/// timeouts, no redirects, no proxy.
pub fn client(config: &WebhookConfig) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(CheckingResolver {
            allowed: Arc::new(config.allowed_networks.clone()),
        }))
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("LivingGate-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Before a delivery: a literal address in the URL skips the resolver, so
/// it is checked here.
pub fn check_literal(url: &Url, config: &WebhookConfig) -> Result<(), Refusal> {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => allowed(IpAddr::V4(ip), &config.allowed_networks),
        Some(url::Host::Ipv6(ip)) => allowed(IpAddr::V6(ip), &config.allowed_networks),
        _ => Ok(()),
    }
}
