//! Start-up: find or start the database, migrate, load demo data on a fresh
//! embedded database, load the signing keys, and serve (with the mail
//! worker beside the HTTP server) until a signal.

use crate::auth::keys::KeySet;
use crate::auth::sealing::SealingKeys;
use crate::startup::config::Config;
use crate::startup::demo_data;
use crate::state::AppState;
use anyhow::Context;
use living_gate_db::{build_pool, migrate, pool, PoolSettings};
use living_gate_embedded_pg::EmbeddedPostgres;

/// The file the demo accounts' passwords are written to, in the data directory.
pub const DEMO_CREDENTIALS_FILE: &str = "demo-credentials.txt";

/// The login role the embedded default serves as, a member of
/// `living_gate_app` (migration 000011): rows, not structure.
pub const EMBEDDED_SERVICE_ROLE: &str = "living_gate_service";

/// The database the service uses, and the embedded server if we run one.
pub struct Database {
    /// What the service connects as: in the embedded default the
    /// least-privilege [`EMBEDDED_SERVICE_ROLE`], else `DATABASE_URL`.
    pub url: String,
    pub embedded: Option<EmbeddedPostgres>,
}

/// `DATABASE_URL`, or the embedded cluster (started, migrated and, when new,
/// seeded). Migrations run as the schema's owner:
/// `LIVING_GATE_MIGRATION_DATABASE_URL` (else `DATABASE_URL`), or the
/// embedded cluster's superuser.
pub async fn database(config: &Config) -> anyhow::Result<Database> {
    match &config.database_url {
        Some(url) => {
            if config.migrate_on_start {
                let owner = config.migration_database_url.as_deref().unwrap_or(url);
                let applied = migrate::run_pending(owner)
                    .await
                    .context("running migrations")?;
                tracing::info!(applied = applied.len(), "migrations checked");
            }
            Ok(Database {
                url: url.clone(),
                embedded: None,
            })
        }
        None => {
            let options = living_gate_embedded_pg::StartOptions {
                archive: crate::ops::backup::schedule::archiving(config),
                recovery: None,
            };
            let embedded = EmbeddedPostgres::start_with(&config.data_dir, &options).await?;
            tracing::info!(
                cluster = %embedded.cluster_dir.display(),
                port = embedded.port,
                "embedded postgres running"
            );
            migrate::run_pending(&embedded.url)
                .await
                .context("running migrations")?;
            if embedded.created {
                seed_demo(&embedded.url, config).await?;
            }
            let url = embedded
                .login_role(EMBEDDED_SERVICE_ROLE, "living_gate_app")
                .await?;
            Ok(Database {
                url,
                embedded: Some(embedded),
            })
        }
    }
}

/// Migrates and loads the reference data only (`living-gate init`): what a
/// production database needs before `living-gate user create`. Idempotent.
pub async fn init(config: &Config) -> anyhow::Result<()> {
    use diesel_async::AsyncConnection;
    let config = Config {
        migrate_on_start: true,
        ..config.clone()
    };
    let database = database(&config).await?;
    let mut conn = diesel_async::AsyncPgConnection::establish(&database.url)
        .await
        .context("connecting")?;
    conn.transaction(async |conn| demo_data::reference_data(conn).await)
        .await
        .context("loading reference data")?;
    println!(
        "reference data loaded: {} municipalities, {} departments of Zama, the directory taxonomy",
        demo_data::MUNICIPALITIES.len(),
        demo_data::ZAMA_DEPARTMENTS.len()
    );
    Ok(())
}

/// Loads the demo data set and writes fresh demo credentials (printed once).
pub async fn seed_demo(url: &str, config: &Config) -> anyhow::Result<()> {
    use diesel_async::AsyncConnection;
    let mut conn = diesel_async::AsyncPgConnection::establish(url)
        .await
        .context("connecting")?;
    let accounts = conn
        .transaction(async |conn| {
            // The demo cases are Zama's; as the service's role, row-level
            // security lets them in only in a scope that includes Zama.
            pool::scope_transaction(conn, &pool::RowScope::All).await?;
            demo_data::reference_data(conn).await?;
            demo_data::demo_organizations(conn).await?;
            let accounts = demo_data::demo_accounts(conn).await?;
            demo_data::demo_cases(conn).await?;
            demo_data::demo_directory(conn).await?;
            Ok::<_, crate::http::problem::ApiError>(accounts)
        })
        .await
        .context("loading demo data")?;
    if accounts.is_empty() {
        return Ok(());
    }
    let mut text = String::from(
        "# Living Gate demo accounts (generated; change or disable them before real use)\n",
    );
    for a in &accounts {
        text.push_str(&format!(
            "{:<10} {:<40} {}\n",
            a.role.as_str(),
            a.email,
            a.password
        ));
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let path = config.data_dir.join(DEMO_CREDENTIALS_FILE);
    let _ = std::fs::remove_file(&path);
    crate::auth::keys::write_private(&path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    println!("Demo accounts (also in {}):\n{text}", path.display());
    Ok(())
}

/// The signing keys: `LIVING_GATE_JWT_KEY_FILE`, else generated once in the data directory.
pub fn keys(config: &Config) -> anyhow::Result<KeySet> {
    match &config.auth.key_file {
        Some(path) => Ok(KeySet::from_pem_file(path)?),
        None => {
            if config.database_url.is_some() {
                tracing::warn!(
                    "LIVING_GATE_JWT_KEY_FILE is not set: using a key generated in the data directory; \
                     several instances must share one key file"
                );
            }
            Ok(KeySet::load_or_generate(&config.data_dir)?)
        }
    }
}

/// Builds the shared state for a database.
pub fn state(config: &Config, url: &str, keys: KeySet) -> anyhow::Result<AppState> {
    let settings = PoolSettings {
        max_size: config.db_pool_size,
        ..PoolSettings::default()
    };
    let reads = match &config.reads.url {
        Some(read_url) => living_gate_db::reads::Reads::replica(
            build_pool(
                read_url,
                &living_gate_db::reads::replica_pool_settings(config.db_pool_size),
            )?,
            config.reads.replica.clone(),
        ),
        None => living_gate_db::reads::Reads::default(),
    };
    Ok(AppState::new(
        build_pool(url, &settings)?,
        keys,
        config.auth.clone(),
        crate::http::openapi::document(),
    )
    .with_reads(reads)
    .with_attachments(config.attachments.clone())
    .with_sealing(sealing(config)?)
    .with_webhooks(config.webhooks.clone()))
}

/// The key that seals secrets at rest: `LIVING_GATE_SECRET_KEY`, else
/// generated once in the data directory.
pub fn sealing(config: &Config) -> anyhow::Result<SealingKeys> {
    let previous: Vec<&str> = config
        .secret_keys_previous
        .iter()
        .map(String::as_str)
        .collect();
    match &config.secret_key {
        Some(key) => Ok(SealingKeys::from_base64(key, &previous)?),
        None => {
            if config.database_url.is_some() {
                tracing::warn!(
                    "LIVING_GATE_SECRET_KEY is not set: using a key generated in the data directory; \
                     several instances must share one key"
                );
            }
            Ok(SealingKeys::load_or_generate(&config.data_dir, &previous)?)
        }
    }
}

/// Runs the HTTP server until SIGINT/SIGTERM, then drains requests and
/// stops the embedded database.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let mut database = database(&config).await?;
    let backups = crate::ops::backup::schedule::BackupSettings::for_serve(&config);
    let state = state(&config, &database.url, keys(&config)?)?.with_backups(backups.clone());
    pool::ping(&state.pool)
        .await
        .context("connecting to the database")?;
    let role = pool::serving_role(&state.pool)
        .await
        .context("reading the database role")?;
    if role.superuser || role.owns_tables {
        tracing::warn!(
            role = %role.name,
            superuser = role.superuser,
            owns_tables = role.owns_tables,
            "the service connects as the schema's owner: it could alter tables, disable triggers and row-level security; \
             connect as a member of living_gate_app and migrate with LIVING_GATE_MIGRATION_DATABASE_URL (docs/operations.md)"
        );
    }
    let account_listener = state.listen_for_account_changes(&database.url);
    crate::notify::links::set_base(&config.public_web_url);
    let mail_worker = if config.mail.worker {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = crate::notify::worker::Worker {
            pool: state.pool.clone(),
            sender: crate::notify::transport::Sender::from_config(&config.mail, &config.data_dir)?,
            pace: crate::notify::worker::Pace::from_config(&config.mail),
        };
        Some((stop, tokio::spawn(worker.run(stopped))))
    } else {
        None
    };
    let webhook_worker = if config.webhooks.worker {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = crate::webhooks::worker::Worker::new(state.clone())?;
        Some((stop, tokio::spawn(worker.run(stopped))))
    } else {
        None
    };
    let retention = if config.retention_interval.is_zero() {
        None
    } else {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = crate::lifecycle::schedule::every(
            state.pool.clone(),
            config.retention_interval,
            stopped,
        );
        Some((stop, tokio::spawn(task)))
    };
    let reminders = if config.reminder_interval.is_zero() {
        None
    } else {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task =
            crate::notify::reminders::every(state.pool.clone(), config.reminder_interval, stopped);
        Some((stop, tokio::spawn(task)))
    };
    let replica_monitor = if state.reads.is_replicated() {
        tracing::info!(
            max_lag_ms = config.reads.replica.max_lag.as_millis() as u64,
            "public directory and KPI reads may go to the read replica"
        );
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = state.reads.clone().monitor(state.pool.clone(), stopped);
        Some((stop, tokio::spawn(task)))
    } else {
        None
    };
    let base_backups = match (&database.embedded, backups.interval) {
        (Some(embedded), Some(_)) => {
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let task = crate::ops::backup::schedule::every(
                backups,
                embedded.url.clone(),
                config
                    .backups
                    .wal_archive
                    .then(|| config.backups.wal_dir.clone()),
                stopped,
            );
            Some((stop, tokio::spawn(task)))
        }
        _ => None,
    };
    let cors = config.cors_origins.clone();
    let server = actix_web::HttpServer::new(move || crate::http::app::build(state.clone(), &cors))
        .shutdown_timeout(30)
        .bind(config.bind)
        .with_context(|| format!("binding {}", config.bind))?;
    for addr in server.addrs() {
        tracing::info!(addr = %addr, "listening");
    }
    let result = server.run().await;
    tracing::info!("http server stopped");
    account_listener.abort();
    if let Some((stop, task)) = mail_worker {
        let _ = stop.send(true);
        // The message being sent finishes (bounded by the SMTP timeout).
        let _ = tokio::time::timeout(config.mail.lease, task).await;
    }
    if let Some((stop, task)) = webhook_worker {
        let _ = stop.send(true);
        // Deliveries under way finish (bounded by the webhook timeout).
        let _ = tokio::time::timeout(config.webhooks.timeout * 2, task).await;
    }
    if let Some((stop, task)) = retention {
        let _ = stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(30), task).await;
    }
    if let Some((stop, task)) = reminders {
        let _ = stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(30), task).await;
    }
    if let Some((stop, task)) = replica_monitor {
        let _ = stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
    }
    if let Some((stop, task)) = base_backups {
        let _ = stop.send(true);
        // A base backup under way is abandoned (its `.partial` directory is
        // removed by the next one).
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
    }
    if let Some(embedded) = database.embedded.as_mut() {
        embedded.stop();
    }
    result.context("http server")
}
