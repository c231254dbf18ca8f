//! Isolated databases for tests: each test gets its own database, cloned
//! from a template that already has every migration applied. Cloning a small
//! template takes milliseconds, so tests run in parallel without `#[serial]`.
//!
//! The server is found from `TEST_DATABASE_URL`, then `DATABASE_URL`, then
//! `postgres://postgres@127.0.0.1:5432/postgres`, else a private cluster is
//! started for the test process ([`server`]). Test databases are named
//! `lg_test_<pid>_<n>` and dropped when the [`TestDatabase`] is dropped;
//! those left by a crashed run (whose process is gone) are swept by the next.
//!
//! The template is named `lg_template_<hash>` after
//! [`living_gate_db::migrate::MIGRATIONS_HASH`], the hash of the migrations
//! the db crate embeds, so a changed migration gets a fresh template.
//!
//! This crate is a dev-dependency only: no production crate ships it.

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use living_gate_db::migrate::{self, MIGRATIONS_HASH};
use living_gate_db::{DbError, DbResult};
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::OnceCell;

pub mod server;
pub use server::{server_url, DEFAULT_SERVER_URL};

const TEMPLATE_LOCK_KEY: i64 = 0x4c47_5445_4d50_4c38;

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `url` with its database name replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// The login role tests serve as: a member of `living_gate_app` (rows,
/// not structure), as the service is in production.
pub const APP_ROLE: &str = "living_gate_test_app";
/// Its password (a test cluster's; trust authentication ignores it).
const APP_ROLE_PASSWORD: &str = "living-gate-test";

/// A freshly cloned, migrated database, dropped with this value.
#[derive(Debug)]
pub struct TestDatabase {
    pub name: String,
    /// As the server's superuser (the schema's owner): for migrations and
    /// for tests that must do what the service may not.
    pub url: String,
    /// As [`APP_ROLE`]: what the app under test connects with.
    pub app_url: String,
    server_url: String,
}

/// `url` with its user and password replaced.
pub fn with_user(url: &str, user: &str, password: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let host = match rest.find('@') {
        Some(at) if rest.find('/').is_none_or(|slash| at < slash) => &rest[at + 1..],
        _ => rest,
    };
    format!("{}{user}:{password}@{host}", &url[..scheme_end])
}

impl TestDatabase {
    pub async fn create() -> DbResult<TestDatabase> {
        let server_url = server_url();
        let template = TEMPLATE
            .get_or_try_init(|| prepare_template(&server_url))
            .await?
            .clone();
        Self::clone_of(server_url, &template).await
    }

    /// A database on the server at `server_url` (a URL of any database on
    /// it) instead of the shared one, from a template migrated there now:
    /// for a cluster a test starts itself (the read replica tests).
    pub async fn create_on(server_url: &str) -> DbResult<TestDatabase> {
        let template = prepare_template(server_url).await?;
        Self::clone_of(server_url.to_owned(), &template).await
    }

    async fn clone_of(server_url: String, template: &str) -> DbResult<TestDatabase> {
        let name = format!(
            "lg_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = establish(&server_url).await?;
        diesel::sql_query(format!(
            "CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"
        ))
        .execute(&mut conn)
        .await?;
        let url = with_database(&server_url, &name);
        Ok(TestDatabase {
            app_url: with_user(&url, APP_ROLE, APP_ROLE_PASSWORD),
            url,
            name,
            server_url,
        })
    }
}

impl TestDatabase {
    /// Takes ownership of a database created otherwise (dropped with the value).
    pub fn adopt(name: String, url: String) -> TestDatabase {
        TestDatabase {
            app_url: with_user(&url, APP_ROLE, APP_ROLE_PASSWORD),
            name,
            url,
            server_url: server_url(),
        }
    }

    /// Drops the database now, terminating every connection to it: from then
    /// on a pool pointing at [`TestDatabase::url`] cannot connect (for tests
    /// of an unreachable database). Dropping the value later is harmless.
    pub async fn drop_now(&self) -> DbResult<()> {
        drop_database(&self.server_url, &self.name).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let name = self.name.clone();
        // Drop runs outside async context guarantees: use a private runtime
        // on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime
                .block_on(drop_database(&server_url, &name))
                .map_err(std::io::Error::other)
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {}: {e:?}", self.name);
        }
    }
}

async fn drop_database(server_url: &str, name: &str) -> DbResult<()> {
    let mut conn = establish(server_url).await?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    Ok(())
}

async fn establish(url: &str) -> DbResult<AsyncPgConnection> {
    AsyncPgConnection::establish(url)
        .await
        .map_err(|e| DbError::Unavailable(e.to_string()))
}

#[derive(QueryableByName)]
struct DatabaseName {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// Creates the migrated template once per migration set (shared by
/// concurrent test processes through an advisory lock), and sweeps the
/// databases of crashed runs.
async fn prepare_template(server_url: &str) -> DbResult<String> {
    let template = format!("lg_template_{MIGRATIONS_HASH}");
    let mut conn = establish(server_url).await?;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(TEMPLATE_LOCK_KEY)
        .execute(&mut conn)
        .await?;
    let result = build_template_if_missing(&mut conn, server_url, &template).await;
    if result.is_ok() {
        ensure_app_role(&mut conn).await?;
    }
    sweep_orphans(&mut conn).await?;
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(TEMPLATE_LOCK_KEY)
        .execute(&mut conn)
        .await?;
    result.map(|()| template)
}

async fn build_template_if_missing(
    conn: &mut AsyncPgConnection,
    server_url: &str,
    template: &str,
) -> DbResult<()> {
    let existing: Vec<DatabaseName> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(template)
            .load(conn)
            .await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let building = format!("{template}_build");
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
        .execute(conn)
        .await?;
    diesel::sql_query(format!("CREATE DATABASE {building}"))
        .execute(conn)
        .await?;
    migrate::run_pending(&with_database(server_url, &building)).await?;
    // Renaming only after the migrations succeeded means a template that
    // exists is always complete.
    diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {template}"))
        .execute(conn)
        .await?;
    diesel::sql_query(format!(
        "ALTER DATABASE {template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// The login role of [`APP_ROLE`], in the `living_gate_app` role the
/// migrations create (roles belong to the cluster: made once, kept).
async fn ensure_app_role(conn: &mut AsyncPgConnection) -> DbResult<()> {
    diesel::sql_query(format!(
        "DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE_PASSWORD}' IN ROLE living_gate_app; \
         EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Drops `lg_test_<pid>_*` databases whose process no longer exists (run
/// once per test process, when the template is prepared).
pub async fn sweep_orphans(conn: &mut AsyncPgConnection) -> DbResult<()> {
    let names: Vec<DatabaseName> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'lg\\_test\\_%'")
            .load(conn)
            .await?;
    for DatabaseName { datname } in names {
        let pid = datname
            .split('_')
            .nth(2)
            .and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
                .execute(conn)
                .await
                .map_err(DbError::from)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_user() {
        use super::with_user;
        assert_eq!(
            with_user("postgres://postgres@h:5432/db", "app", "pw"),
            "postgres://app:pw@h:5432/db"
        );
        assert_eq!(
            with_user("postgres://postgres:secret@h:5432/db", "app", "pw"),
            "postgres://app:pw@h:5432/db"
        );
        assert_eq!(
            with_user("postgres://h:5432/db", "app", "pw"),
            "postgres://app:pw@h:5432/db"
        );
    }

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
