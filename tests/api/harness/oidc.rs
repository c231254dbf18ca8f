//! [`OidcProvider`]: a real OpenID provider (panva's certified
//! `oidc-provider` from npm, `tests/oidc/provider.mjs`) on a free port,
//! configured as a city's IdP (groups in the ID token) or as a GビズID-like
//! provider (an ID token with `sub` only, the rest from userinfo); and
//! [`UserAgent`], a scripted browser that walks the code flow over HTTP
//! (follows redirects, signs in as an account at the provider's
//! interaction, stops at our redirect URI).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub const CLIENT_ID: &str = "living-gate";
pub const CLIENT_SECRET: &str = "a-client-secret-of-the-tests-0123456789";
/// Where the provider sends the browser back (the front end's page; the
/// user agent stops there, nothing needs to listen).
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/sign-in/callback";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    City,
    GBizId,
}

pub struct OidcProvider {
    pub issuer: String,
    /// The provider's signing key (PKCS#1 PEM) and its `kid`, for tests
    /// that forge tokens the provider would have signed.
    pub key_pem: String,
    pub kid: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn oidc_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc")
}

impl OidcProvider {
    /// Starts the provider with these accounts (`{"alice": {claims}}`).
    pub fn start(flavour: Flavour, accounts: Value) -> OidcProvider {
        let dir = oidc_dir();
        assert!(
            dir.join("node_modules/oidc-provider/package.json").exists(),
            "tests/oidc/node_modules is missing: run `npm ci --prefix tests/oidc` \
             (.ci/run does) before the tests that sign in with an identity provider"
        );
        let temp = tempfile::tempdir().expect("a temporary directory");
        let key_file = temp.path().join("key.json");
        let config = json!({
            "port": 0,
            "flavour": match flavour { Flavour::City => "city", Flavour::GBizId => "gbizid" },
            "clients": [{
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [REDIRECT_URI],
            }],
            "accounts": accounts,
            "key_file": key_file,
        });
        let config_file = temp.path().join("config.json");
        std::fs::write(&config_file, config.to_string()).expect("write the config");
        let log = std::fs::File::create(temp.path().join("stderr.log")).expect("a log file");
        let mut child = Command::new("node")
            .arg(dir.join("provider.mjs"))
            .arg(&config_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("node runs (is Node.js installed?)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader
            .read_line(&mut line)
            .expect("the provider's first line");
        // Keep reading: a closed pipe would kill the provider at its next write.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let Some(issuer) = line.trim().strip_prefix("listening ").map(str::to_owned) else {
            let _ = child.kill();
            let stderr =
                std::fs::read_to_string(temp.path().join("stderr.log")).unwrap_or_default();
            panic!("the OpenID provider did not start: {line}\n{stderr}");
        };
        let key: Value =
            serde_json::from_str(&std::fs::read_to_string(&key_file).expect("the key file"))
                .expect("the key JSON");
        OidcProvider {
            issuer,
            key_pem: key["pem"].as_str().expect("pem").to_owned(),
            kid: key["kid"].as_str().expect("kid").to_owned(),
            child,
            _dir: temp,
        }
    }
}

/// What the browser ended with at our redirect URI.
#[derive(Debug)]
pub struct Redirected {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// A scripted browser with its own cookie jar.
pub struct UserAgent {
    client: reqwest::Client,
}

impl Default for UserAgent {
    fn default() -> Self {
        UserAgent::new()
    }
}

impl UserAgent {
    pub fn new() -> UserAgent {
        UserAgent {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client"),
        }
    }

    /// Walks from `authorization_url` to [`REDIRECT_URI`], signing in as
    /// `account` at the provider.
    pub async fn sign_in(&self, authorization_url: &str, account: &str) -> Redirected {
        let mut url = url::Url::parse(authorization_url).expect("an authorization URL");
        for _ in 0..20 {
            if url.as_str().starts_with(REDIRECT_URI) {
                let get = |name: &str| {
                    url.query_pairs()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.into_owned())
                };
                return Redirected {
                    code: get("code"),
                    state: get("state"),
                    error: get("error"),
                };
            }
            let response = if url.path().starts_with("/interaction/") {
                let uid = url.path().trim_start_matches("/interaction/").to_owned();
                let action = url.join(&format!("/interaction/{uid}/login")).expect("url");
                self.client
                    .post(action)
                    .form(&[("login", account)])
                    .send()
                    .await
                    .expect("the interaction answers")
            } else {
                self.client
                    .get(url.clone())
                    .send()
                    .await
                    .expect("the provider answers")
            };
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned);
            match location {
                Some(location) if status.is_redirection() => {
                    url = url.join(&location).expect("a location");
                }
                _ if url.path().starts_with("/interaction/") => {
                    panic!(
                        "the provider's interaction answered {status}: {}",
                        response.text().await.unwrap_or_default()
                    )
                }
                _ => panic!(
                    "the provider answered {status} at {url}: {}",
                    response.text().await.unwrap_or_default()
                ),
            }
        }
        panic!("too many redirects from {authorization_url}");
    }
}
