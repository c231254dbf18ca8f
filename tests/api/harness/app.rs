//! [`TestApp`]: the real app on a random port, over its own database cloned
//! from the migrated template, with fixture accounts for every role and real
//! EdDSA tokens; built by [`TestAppBuilder`].

use super::fixtures::{self, DemoAccount, Fixtures, Who};
use super::responses::etag_of;
use living_gate_api::auth::keys::{generate_pem, KeySet};
use living_gate_api::auth::tokens::{self, Subject};
use living_gate_api::http::app;
use living_gate_api::startup::config::Config;
use living_gate_api::startup::telemetry;
use living_gate_api::state::AppState;
use living_gate_db::reads::{self, Reads, ReplicaSettings};
use living_gate_db::{build_pool, DbPool, PoolSettings};
use living_gate_test_db::TestDatabase;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use std::time::Duration;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    /// The app's own pool (for a dead database, one that cannot connect).
    pub pool: DbPool,
    pub fixtures: Fixtures,
    pub db: TestDatabase,
    /// The demo accounts and their passwords, with `.demo_data()`.
    pub demo_accounts: Vec<DemoAccount>,
    server: actix_web::dev::ServerHandle,
    /// The read replica's URL and settings, with `.read_replica(…)`.
    replica: Option<(String, ReplicaSettings)>,
    /// Stops the replica monitor when dropped.
    _monitor: Option<tokio::sync::watch::Sender<bool>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

/// A second server over a [`TestApp`]'s database.
pub struct Instance {
    pub base: String,
    /// Its own state (its own pool and account cache).
    pub state: AppState,
    /// Where its reads go.
    pub reads: Reads,
    server: actix_web::dev::ServerHandle,
    _monitor: Option<tokio::sync::watch::Sender<bool>>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

/// How the database of a dead-database app is out of reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadDatabase {
    /// The app started over its database, which was then dropped: pooled
    /// connections are gone and new ones are refused (the database does not
    /// exist).
    Dropped,
    /// The app's pool points at a port where no server listens.
    ServerDown,
}

/// Where nothing listens (the discard port).
const CLOSED_PORT_SERVER: &str = "postgres://postgres@127.0.0.1:9";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Demo {
    None,
    Directory,
    All,
}

/// Options of a [`TestApp`]; `TestApp::builder()…spawn()`.
#[must_use]
pub struct TestAppBuilder {
    config: Config,
    database: Option<TestDatabase>,
    demo: Demo,
    dead: Option<DeadDatabase>,
    backups: living_gate_api::ops::backup::schedule::BackupSettings,
    replica: Option<(String, ReplicaSettings)>,
}

fn default_config() -> Config {
    Config::from_lookup(|_| None).expect("the defaults are valid")
}

fn init_logging() {
    if std::env::var("TEST_LOG").is_ok() {
        telemetry::init("info", living_gate_api::startup::config::LogFormat::Pretty);
    }
}

fn pool(url: &str, dead: bool) -> DbPool {
    let settings = if dead {
        // Fail fast: nothing will ever answer.
        PoolSettings {
            max_size: 4,
            wait_timeout: Duration::from_secs(2),
            create_timeout: Duration::from_secs(2),
            ..PoolSettings::default()
        }
    } else {
        PoolSettings {
            max_size: 4,
            ..PoolSettings::default()
        }
    };
    build_pool(url, &settings).expect("pool")
}

/// `state` reading through the replica at `url` (its own routing state and
/// monitor, as each instance has); the monitor stops with the sender.
fn with_replica(
    state: AppState,
    url: &str,
    settings: &ReplicaSettings,
) -> (AppState, tokio::sync::watch::Sender<bool>) {
    let replica = build_pool(url, &reads::replica_pool_settings(4)).expect("replica pool");
    let reads = Reads::replica(replica, settings.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(reads.clone().monitor(state.pool.clone(), stopped));
    (state.with_reads(reads), stop)
}

/// Serves `state` on a random port; returns its base URL.
fn serve(state: AppState, cors_origins: Vec<String>) -> (String, actix_web::dev::ServerHandle) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = listener.local_addr().expect("addr").port();
    let server = actix_web::HttpServer::new(move || app::build(state.clone(), &cors_origins))
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}"), handle)
}

impl TestAppBuilder {
    /// Changes the configuration (the defaults otherwise), e.g.
    /// `.configure(|c| c.cors_origins = …)`.
    pub fn configure(mut self, change: impl FnOnce(&mut Config)) -> Self {
        change(&mut self.config);
        self
    }

    /// Serves over `database` (already migrated) instead of a fresh clone.
    pub fn database(mut self, database: TestDatabase) -> Self {
        self.database = Some(database);
        self
    }

    /// Loads the demo data set as `living-gate seed-demo` does: demo
    /// accounts (in [`TestApp::demo_accounts`]), cases and the directory.
    pub fn demo_data(mut self) -> Self {
        self.demo = Demo::All;
        self
    }

    /// Loads the demo directory only (entries, referrals, seed 002's survey).
    pub fn demo_directory(mut self) -> Self {
        if self.demo == Demo::None {
            self.demo = Demo::Directory;
        }
        self
    }

    /// The backups `GET /v1/backups` and `/readyz` report on (none otherwise).
    pub fn backups(
        mut self,
        backups: living_gate_api::ops::backup::schedule::BackupSettings,
    ) -> Self {
        self.backups = backups;
        self
    }

    /// Public directory and KPI reads through the streaming replica at
    /// `url` (see [`super::ReplicaPair`]), as `LIVING_GATE_READ_DATABASE_URL`.
    pub fn read_replica(mut self, url: String, settings: ReplicaSettings) -> Self {
        self.replica = Some((url, settings));
        self
    }

    /// An app whose database is out of reach (fixtures and tokens still
    /// exist, so authenticated calls get as far as the database).
    pub fn dead_database(mut self, how: DeadDatabase) -> Self {
        self.dead = Some(how);
        self
    }

    pub async fn spawn(self) -> TestApp {
        init_logging();
        let db = match self.database {
            Some(db) => db,
            None => TestDatabase::create().await.expect("a test database"),
        };
        let live = pool(&db.app_url, false);
        let mut conn = living_gate_db::pool::checkout(&live)
            .await
            .expect("connection");
        let fixtures = fixtures::load_fixtures(&mut conn).await;
        let demo_accounts = match self.demo {
            Demo::None => Vec::new(),
            Demo::Directory => {
                fixtures::load_demo_directory(&mut conn).await;
                Vec::new()
            }
            Demo::All => fixtures::load_demo_data(&mut conn).await,
        };
        drop(conn);
        let pool = match self.dead {
            // Dropped: the pool that worked until now, cut below.
            None | Some(DeadDatabase::Dropped) => live,
            Some(DeadDatabase::ServerDown) => {
                pool(&format!("{CLOSED_PORT_SERVER}/{}", db.name), true)
            }
        };
        let keys = KeySet::from_pem(&generate_pem(), "test").expect("keys");
        let state = AppState::new(
            pool.clone(),
            keys,
            self.config.auth.clone(),
            living_gate_api::http::openapi::document(),
        )
        .with_attachments(self.config.attachments.clone())
        .with_webhooks(self.config.webhooks.clone())
        .with_backups(self.backups);
        if self.dead.is_none() {
            // As `living-gate serve` does: the account cache in use.
            state.listen_for_account_changes(&db.app_url);
        }
        let (state, monitor) = match &self.replica {
            Some((url, settings)) => {
                let (state, stop) = with_replica(state, url, settings);
                (state, Some(stop))
            }
            None => (state, None),
        };
        let (base, server) = serve(state.clone(), self.config.cors_origins.clone());
        let app = TestApp {
            base,
            client: reqwest::Client::new(),
            state,
            pool,
            fixtures,
            db,
            demo_accounts,
            server,
            replica: self.replica,
            _monitor: monitor,
        };
        if self.dead == Some(DeadDatabase::Dropped) {
            app.cut_database().await;
        }
        app
    }
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            config: default_config(),
            database: None,
            demo: Demo::None,
            dead: None,
            backups: Default::default(),
            replica: None,
        }
    }

    /// The app with the default configuration and the fixtures only.
    pub async fn spawn() -> TestApp {
        Self::builder().spawn().await
    }

    /// Drops the app's database under it, as an outage would: the pooled
    /// connections die with it and new ones are refused.
    pub async fn cut_database(&self) {
        self.db.drop_now().await.expect("drop the database");
    }

    /// Loads the demo directory (again: a second load changes nothing).
    pub async fn load_demo_directory(&self) {
        let mut conn = self.conn().await;
        fixtures::load_demo_directory(&mut conn).await;
    }

    /// Another instance of the app on the same database, with its own pool
    /// and the same signing keys (as instances sharing a key file would);
    /// with a read replica, its own view of it (what its writers wrote).
    pub async fn spawn_instance(&self) -> Instance {
        let state = AppState {
            pool: pool(&self.db.app_url, false),
            accounts: Default::default(),
            reads: Reads::default(),
            ..self.state.clone()
        };
        state.listen_for_account_changes(&self.db.app_url);
        let (state, monitor) = match &self.replica {
            Some((url, settings)) => {
                let (state, stop) = with_replica(state, url, settings);
                (state, Some(stop))
            }
            None => (state, None),
        };
        let reads = state.reads.clone();
        let (base, server) = serve(state.clone(), Vec::new());
        Instance {
            base,
            state,
            reads,
            server,
            _monitor: monitor,
        }
    }

    /// A real access token for a fixture account, signed with the app's key.
    pub fn token(&self, who: Who) -> Option<String> {
        if who == Who::Anonymous {
            return None;
        }
        let account = self.fixtures.account(who);
        let subject = Subject {
            id: account.id,
            role: account.role,
            department_id: account.department_id,
            organization_id: account.organization_id,
            municipality_id: account.municipality_id,
            client_id: None,
        };
        Some(
            tokens::issue(&self.state.keys, &self.state.auth, &subject)
                .expect("token")
                .0,
        )
    }

    pub fn request(&self, method: Method, path: &str, who: Who) -> RequestBuilder {
        let builder = self.client.request(method, format!("{}{path}", self.base));
        match self.token(who) {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, who: Who) -> Response {
        self.request(Method::GET, path, who)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, who: Who, body: &Value) -> Response {
        self.request(Method::POST, path, who)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put(&self, path: &str, who: Who, body: &Value) -> Response {
        self.request(Method::PUT, path, who)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, path: &str, who: Who, etag: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path, who)
            .header("If-Match", etag)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Reads `path` (asserting 200) and returns its ETag.
    pub async fn etag(&self, path: &str, who: Who) -> String {
        let response = self.get(path, who).await;
        assert_eq!(response.status(), reqwest::StatusCode::OK, "GET {path}");
        etag_of(&response)
    }

    /// `POST /v1/proposals/{id}/transitions` as `who`, with `If-Match` set
    /// to the case's current ETag (as the desk reads it).
    pub async fn transition(&self, id: &str, who: Who, body: Value) -> Response {
        let etag = self.etag(&format!("/v1/proposals/{id}"), Who::Desk).await;
        self.request(
            Method::POST,
            &format!("/v1/proposals/{id}/transitions"),
            who,
        )
        .header("If-Match", etag)
        .json(&body)
        .send()
        .await
        .expect("request")
    }

    /// A connection of the app's pool: the app's least-privilege role, in
    /// the scope of no request (every municipality's cases).
    pub async fn conn(&self) -> living_gate_db::pool::PooledConn {
        living_gate_db::pool::checkout(&self.pool)
            .await
            .expect("connection")
    }

    /// A connection as the schema's owner, for what the app may not do
    /// (break a table, rewrite history on purpose).
    pub async fn owner_conn(&self) -> diesel_async::AsyncPgConnection {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&self.db.url)
            .await
            .expect("owner connection")
    }

    /// Logs in through the API and returns the token pair.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.client
            .post(format!("{}/v1/auth/login", self.base))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("request")
    }
}
