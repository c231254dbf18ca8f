//! The test harness: a real app on a random port, over its own database
//! cloned from the migrated template, with fixture accounts for every role
//! and real EdDSA tokens.

use living_gate_api::auth::keys::{generate_pem, KeySet};
use living_gate_api::auth::passwords;
use living_gate_api::auth::tokens::{self, Subject};
use living_gate_api::http::app;
use living_gate_api::startup::config::Config;
use living_gate_api::startup::demo_data as seed;
use living_gate_api::state::AppState;
use living_gate_db::organizations::{self, NewOrganization};
use living_gate_db::test_db::TestDatabase;
use living_gate_db::users::{self, NewUser};
use living_gate_db::{
    build_pool, departments, municipalities, AsyncPgConnection, DbPool, Page, PoolSettings,
};
use living_gate_domain::identity::{OrganizationKind, UserStatus};
use living_gate_domain::Role;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use std::sync::OnceLock;
use uuid::Uuid;

/// The password of every fixture account.
pub const PASSWORD: &str = "相模川の朝焼けは本当に綺麗 2026";

/// Who is calling, for table-driven tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    Desk,
    /// 市民協働課 of Zama.
    Department,
    /// 地域福祉課 of Zama: a department not matched to anything.
    OtherDepartment,
    /// さがみテック株式会社.
    Partner,
    /// A partner of another organization.
    OtherPartner,
    Analyst,
    Admin,
}

impl Who {
    pub const ALL: [Who; 8] = [
        Who::Anonymous,
        Who::Desk,
        Who::Department,
        Who::OtherDepartment,
        Who::Partner,
        Who::OtherPartner,
        Who::Analyst,
        Who::Admin,
    ];
}

/// One fixture account.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub municipality_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct Fixtures {
    pub zama: Uuid,
    pub ebina: Uuid,
    pub shimin_kyodo: Uuid,
    pub chiiki_fukushi: Uuid,
    pub partner_org: Uuid,
    pub other_org: Uuid,
    pub accounts: Vec<(Who, Account)>,
}

impl Fixtures {
    pub fn account(&self, who: Who) -> &Account {
        self.accounts
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, a)| a)
            .expect("every role but anonymous has a fixture account")
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub pool: DbPool,
    pub fixtures: Fixtures,
    pub db: TestDatabase,
    server: actix_web::dev::ServerHandle,
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
    server: actix_web::dev::ServerHandle,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

pub fn test_config() -> Config {
    Config::from_lookup(|_| None).expect("the defaults are valid")
}

fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| passwords::hash(PASSWORD).expect("hash"))
        .clone()
}

fn init_logging() {
    if std::env::var("TEST_LOG").is_ok() {
        living_gate_api::startup::telemetry::init(
            "info",
            living_gate_api::startup::config::LogFormat::Pretty,
        );
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(test_config()).await
    }

    pub async fn spawn_with(config: Config) -> TestApp {
        init_logging();
        let db = TestDatabase::create().await.expect("a test database");
        Self::spawn_on(db, config).await
    }

    /// Serves the app on `db` (already migrated) with fixture data.
    pub async fn spawn_on(db: TestDatabase, config: Config) -> TestApp {
        let pool = build_pool(
            &db.url,
            &PoolSettings {
                max_size: 4,
                ..PoolSettings::default()
            },
        )
        .expect("pool");
        let keys = KeySet::from_pem(&generate_pem(), "test").expect("keys");
        let state = AppState::new(
            pool.clone(),
            keys,
            config.auth.clone(),
            living_gate_api::http::openapi::document(),
        );
        let mut conn = pool.get().await.expect("connection");
        let fixtures = load_fixtures(&mut conn).await;
        drop(conn);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        let port = listener.local_addr().expect("addr").port();
        let server_state = state.clone();
        let origins = config.cors_origins.clone();
        let server = actix_web::HttpServer::new(move || app::build(server_state.clone(), &origins))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("listen")
            .run();
        let handle = server.handle();
        tokio::spawn(server);
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            state,
            pool,
            fixtures,
            db,
            server: handle,
        }
    }

    /// Another instance of the app on the same database, with its own pool
    /// and the same signing keys (as instances sharing a key file would).
    pub async fn spawn_instance(&self) -> Instance {
        let pool = build_pool(
            &self.db.url,
            &PoolSettings {
                max_size: 4,
                ..PoolSettings::default()
            },
        )
        .expect("pool");
        let state = AppState {
            pool,
            ..self.state.clone()
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        let port = listener.local_addr().expect("addr").port();
        let server = actix_web::HttpServer::new(move || app::build(state.clone(), &[]))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("listen")
            .run();
        let handle = server.handle();
        tokio::spawn(server);
        Instance {
            base: format!("http://127.0.0.1:{port}"),
            server: handle,
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

    pub async fn patch(&self, path: &str, who: Who, etag: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path, who)
            .header("If-Match", etag)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn conn(&self) -> living_gate_db::pool::PooledConn {
        self.pool.get().await.expect("connection")
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

/// Reads a JSON body, asserting its status first (with the body in the message).
pub async fn json(response: Response, expected: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, expected, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Asserts a problem+json error with the given status and returns it.
pub async fn problem(response: Response, expected: StatusCode) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = json(response, expected).await;
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["status"], expected.as_u16(), "body: {body}");
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("https://")),
        "body: {body}"
    );
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "body: {body}"
    );
    assert_eq!(
        body["request_id"].as_str(),
        request_id.as_deref(),
        "request id in body and header"
    );
    assert!(
        body["instance"]
            .as_str()
            .is_some_and(|i| i.starts_with('/')),
        "body: {body}"
    );
    body
}

async fn load_fixtures(conn: &mut AsyncPgConnection) -> Fixtures {
    seed::reference_data(conn).await.expect("reference data");
    let zama = municipalities::find_by_code(conn, "142166")
        .await
        .expect("query")
        .expect("zama");
    let ebina = municipalities::find_by_code(conn, "142158")
        .await
        .expect("query")
        .expect("ebina");
    let all = departments::list(
        conn,
        Default::default(),
        Page {
            after: None,
            limit: 100,
        },
    )
    .await
    .expect("departments");
    let department = |code: &str| {
        all.iter()
            .find(|d| d.code == code)
            .expect("seeded department")
            .id
    };
    let shimin_kyodo = department("shimin-kyodo");
    let chiiki_fukushi = department("chiiki-fukushi");
    let mut organization = async |name: &str| {
        organizations::insert(
            conn,
            &NewOrganization {
                id: Uuid::now_v7(),
                name: name.into(),
                name_kana: None,
                kind: OrganizationKind::Company,
                corporate_number: None,
                postal_code: None,
                address: None,
                website: None,
            },
        )
        .await
        .expect("organization")
        .id
    };
    let partner_org = organization("テスト株式会社").await;
    let other_org = organization("よその株式会社").await;
    let specs = [
        (
            Who::Desk,
            "desk@test.example.jp",
            Role::Desk,
            Some(zama.id),
            None,
            None,
        ),
        (
            Who::Department,
            "shimin@test.example.jp",
            Role::Department,
            Some(zama.id),
            Some(shimin_kyodo),
            None,
        ),
        (
            Who::OtherDepartment,
            "fukushi@test.example.jp",
            Role::Department,
            Some(zama.id),
            Some(chiiki_fukushi),
            None,
        ),
        (
            Who::Partner,
            "partner@test.example.jp",
            Role::Partner,
            None,
            None,
            Some(partner_org),
        ),
        (
            Who::OtherPartner,
            "other@test.example.jp",
            Role::Partner,
            None,
            None,
            Some(other_org),
        ),
        (
            Who::Analyst,
            "analyst@test.example.jp",
            Role::Analyst,
            None,
            None,
            None,
        ),
        (
            Who::Admin,
            "admin@test.example.jp",
            Role::Admin,
            None,
            None,
            None,
        ),
    ];
    let mut accounts = Vec::new();
    for (who, email, role, municipality_id, department_id, organization_id) in specs {
        let user = users::insert(
            conn,
            &NewUser {
                id: Uuid::now_v7(),
                email: email.into(),
                display_name: format!("{who:?}"),
                role,
                municipality_id,
                department_id,
                organization_id,
                status: UserStatus::Active,
                password_hash: Some(password_hash()),
            },
        )
        .await
        .expect("user");
        accounts.push((
            who,
            Account {
                id: user.id,
                email: user.email,
                role,
                municipality_id,
                department_id,
                organization_id,
            },
        ));
    }
    Fixtures {
        zama: zama.id,
        ebina: ebina.id,
        shimin_kyodo,
        chiiki_fukushi,
        partner_org,
        other_org,
        accounts,
    }
}
