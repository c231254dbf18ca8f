//! The `living-gate` command line.

use crate::auth::passwords;
use crate::ops::backup::{base, logical, pitr, schedule, target};
use crate::startup::config::Config;
use crate::startup::server;
use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use diesel_async::AsyncConnection;
use living_gate_db::accounts::users::NewUser;
use living_gate_db::{
    accounts::users, reference::departments, reference::municipalities, reference::organizations,
    AsyncPgConnection,
};
use living_gate_domain::access::role::Affiliation;
use living_gate_domain::identity::UserStatus;
use living_gate_domain::{access::password_policy, Email, Role};
use std::io::Read;
use std::path::PathBuf;
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "living-gate", version, about = "ZAMA Living Gate API server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the API (the default). Without DATABASE_URL, on the embedded PostgreSQL.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Apply migrations and load the reference data only (the four
    /// municipalities, Zama's departments, the directory taxonomy), no demo
    /// data: the bootstrap of a production database. Idempotent.
    Init,
    /// Print the OpenAPI document to stdout.
    Openapi,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load the demo data set and demo accounts (idempotent).
    SeedDemo,
    /// A logical backup (pg_dump, custom format, with a manifest of row
    /// counts from the same snapshot and the dump's SHA-256) of
    /// LIVING_GATE_MIGRATION_DATABASE_URL, else DATABASE_URL, else the
    /// embedded cluster; with --base, a physical base backup
    /// (pg_basebackup) for point-in-time recovery. `backup verify <dir>`
    /// checks either kind.
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        #[command(subcommand)]
        command: Option<BackupCommand>,
        /// The new directory to write (default:
        /// $LIVING_GATE_BACKUP_DIR/logical/<UTC time>, or base/<UTC time>
        /// with --base; LIVING_GATE_BACKUP_DIR defaults to
        /// $LIVING_GATE_DATA_DIR/backups).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// A physical base backup (pg_basebackup) instead of a logical one,
        /// then prune to LIVING_GATE_BASE_BACKUPS_KEEP base backups and the
        /// WAL they need (when written to the default place).
        #[arg(long)]
        base: bool,
    },
    /// Restore a logical backup into the database (an empty one, or a
    /// fresh embedded data directory), then compare every table's rows with
    /// the manifest; or, with --to-time, a base backup into a fresh
    /// embedded data directory, recovered to that time from the WAL archive.
    Restore {
        /// The backup's directory (with manifest.json).
        dir: PathBuf,
        /// Overwrite a non-empty database: drop every schema in it (tables,
        /// data, functions) and restore into the emptied database; with
        /// --to-time, delete the data directory's stopped cluster.
        #[arg(long)]
        force: bool,
        /// Point-in-time recovery to this RFC 3339 time (e.g.
        /// 2026-12-02T17:05:00+09:00) from a base backup: the last
        /// transaction committed at or before it is the last one restored.
        #[arg(long, value_parser = parse_time)]
        to_time: Option<chrono::DateTime<chrono::Utc>>,
        /// The WAL archive to recover from (default: where the base
        /// backup's server archived to).
        #[arg(long, requires = "to_time")]
        wal_dir: Option<PathBuf>,
    },
    /// The personal-data retention rules (docs/personal-data.md).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
}

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Check a backup: its checksum, then a restore into a scratch database
    /// beside the configured one (dropped afterwards) and the comparison of
    /// every table's rows with the manifest.
    Verify { dir: PathBuf },
}

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Apply the retention rules now and print the counts per rule (JSON).
    Run {
        /// Count only, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an active user, e.g. the first platform_admin.
    Create {
        #[arg(long)]
        email: String,
        /// desk, department, partner, analyst, admin (of a municipality) or platform_admin.
        #[arg(long)]
        role: Role,
        #[arg(long)]
        display_name: String,
        /// Department id or code (role department).
        #[arg(long)]
        department: Option<String>,
        /// Organization id (role partner).
        #[arg(long)]
        organization: Option<Uuid>,
        /// Municipality code (roles desk and admin; default 142166, Zama).
        #[arg(long)]
        municipality: Option<String>,
        /// Read the password from standard input; otherwise one is generated and printed.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => server::serve(config).await,
        Command::Openapi => {
            println!("{}", crate::http::openapi::document().to_pretty_json()?);
            Ok(())
        }
        Command::Migrate => {
            let config = Config {
                migrate_on_start: true,
                ..config
            };
            let _database = server::database(&config).await?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::Init => server::init(&config).await,
        Command::Backup { command, dir, base } => backup(&config, command, dir, base).await,
        Command::Restore {
            dir,
            force,
            to_time: Some(to_time),
            wal_dir,
        } => {
            let existing = if force {
                living_gate_embedded_pg::Existing::Replace
            } else {
                living_gate_embedded_pg::Existing::Refuse
            };
            let restored =
                pitr::restore(&config, &dir, to_time, wal_dir.as_deref(), existing).await?;
            println!(
                "restored the base backup {} (taken {}) into {} and recovered it to {}:                  {} cases, {} change-feed events, the newest at {}, migration {};                  start it with `living-gate serve` (LIVING_GATE_DATA_DIR={})",
                dir.display(),
                restored.base.taken_at.to_rfc3339(),
                restored.cluster.display(),
                restored.target_time.to_rfc3339(),
                restored.cases,
                restored.events,
                restored
                    .newest_event_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "-".to_owned()),
                restored.migration_version.as_deref().unwrap_or("none"),
                config.data_dir.display()
            );
            Ok(())
        }
        Command::Restore { dir, force, .. } => {
            if base::is_base_backup(&dir) {
                bail!(
                    "{} is a base backup: restore it to a point in time with --to-time <RFC 3339>",
                    dir.display()
                );
            }
            let target = target::resolve(&config).await?;
            let non_empty = if force {
                logical::NonEmpty::DropAndRecreate
            } else {
                logical::NonEmpty::Refuse
            };
            let manifest = logical::restore(&target.url, &dir, non_empty).await?;
            println!(
                "restored {} ({} tables, {} rows, taken {}); every table's rows match the manifest",
                dir.display(),
                manifest.row_counts.len(),
                manifest.row_counts.values().sum::<i64>(),
                manifest.taken_at.to_rfc3339()
            );
            Ok(())
        }
        Command::Retention {
            command: RetentionCommand::Run { dry_run },
        } => {
            let database = server::database(&config).await?;
            let mut conn = AsyncPgConnection::establish(&database.url).await?;
            match crate::lifecycle::schedule::run_once(&mut conn, dry_run).await? {
                Some(run) => println!("{}", serde_json::to_string_pretty(&run)?),
                None => bail!("another retention run is in progress"),
            }
            Ok(())
        }
        Command::SeedDemo => {
            let database = server::database(&config).await?;
            server::seed_demo(&database.url, &config).await
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    role,
                    display_name,
                    department,
                    organization,
                    municipality,
                    password_stdin,
                },
        } => {
            let database = server::database(&config).await?;
            let email = Email::parse("email", &email)
                .map_err(|e| anyhow::anyhow!("--email: {}", e.0[0].message))?;
            let (password, generated) = if password_stdin {
                let mut raw = String::new();
                std::io::stdin()
                    .read_to_string(&mut raw)
                    .context("reading the password from stdin")?;
                (raw.trim_end_matches(['\n', '\r']).to_owned(), false)
            } else {
                (crate::auth::secrets::random_token()[..24].to_owned(), true)
            };
            password_policy::check("password", &password, Some(&email))
                .map_err(|e| anyhow::anyhow!("password {}", e.0[0].message))?;
            let mut conn = AsyncPgConnection::establish(&database.url).await?;
            let (municipality_id, department_id, organization_id) = affiliation(
                &mut conn,
                role,
                department.as_deref(),
                organization,
                municipality.as_deref(),
            )
            .await?;
            let to_hash = password.clone();
            let hash = tokio::task::spawn_blocking(move || passwords::hash(&to_hash))
                .await?
                .map_err(anyhow::Error::msg)?;
            let user = users::insert(
                &mut conn,
                &NewUser {
                    id: Uuid::now_v7(),
                    email: email.into_string(),
                    display_name,
                    role,
                    municipality_id,
                    department_id,
                    organization_id,
                    status: UserStatus::Active,
                    password_hash: Some(hash),
                },
            )
            .await
            .context("creating the user (is the e-mail taken?)")?;
            println!("created {} user {} ({})", user.role, user.email, user.id);
            if generated {
                println!("password: {password}");
            }
            Ok(())
        }
    }
}

fn parse_time(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("`{raw}` is not an RFC 3339 time like 2026-12-02T17:05:00+09:00: {e}"))
}

async fn backup(
    config: &Config,
    command: Option<BackupCommand>,
    dir: Option<PathBuf>,
    base_backup: bool,
) -> anyhow::Result<()> {
    if let Some(BackupCommand::Verify { dir }) = &command {
        if base::is_base_backup(dir) {
            let manifest = base::verify(dir).await?;
            println!(
                "base backup {} is good: manifest checksum matches, pg_verifybackup checked every file and the WAL it needs (taken {}, {} bytes)",
                dir.display(),
                manifest.taken_at.to_rfc3339(),
                manifest.bytes
            );
            return Ok(());
        }
    }
    let target = target::resolve(config).await?;
    if base_backup {
        let wal_dir = config
            .backups
            .wal_archive
            .then(|| config.backups.wal_dir.clone());
        let base_dir = config.backups.dir.join("base");
        let (manifest, pruned) = match dir {
            Some(dir) => (
                base::backup(&target.url, &dir, wal_dir.as_deref()).await?,
                base::Pruned::default(),
            ),
            None => {
                schedule::take_and_prune(
                    &target.url,
                    &base_dir,
                    wal_dir.as_deref(),
                    config.backups.base_backups_keep,
                )
                .await?
            }
        };
        println!(
            "base backup taken ({} bytes, finished {}, first WAL {}); pruned {} older base backups and {} WAL files",
            manifest.bytes,
            manifest.taken_at.to_rfc3339(),
            manifest.start_wal,
            pruned.base_backups.len(),
            pruned.wal_files
        );
        return Ok(());
    }
    match command {
        Some(BackupCommand::Verify { dir }) => {
            let manifest = logical::verify(&target.url, &dir).await?;
            println!(
                "backup {} is good: checksum matches, restored into a scratch database, {} tables' rows match the manifest",
                dir.display(),
                manifest.row_counts.len()
            );
        }
        None => {
            let dir = dir.unwrap_or_else(|| {
                config
                    .backups
                    .dir
                    .join("logical")
                    .join(schedule::backup_name(chrono::Utc::now()))
            });
            let manifest = logical::backup(&target.url, &dir).await?;
            println!(
                "backed up {} into {} ({} tables, {} rows, {} bytes, sha256 {})",
                manifest.database,
                dir.display(),
                manifest.row_counts.len(),
                manifest.row_counts.values().sum::<i64>(),
                manifest.dump_bytes,
                manifest.dump_sha256
            );
        }
    }
    Ok(())
}

async fn affiliation(
    conn: &mut AsyncPgConnection,
    role: Role,
    department: Option<&str>,
    organization: Option<Uuid>,
    municipality: Option<&str>,
) -> anyhow::Result<(Option<Uuid>, Option<Uuid>, Option<Uuid>)> {
    match role.affiliation() {
        Affiliation::Department => {
            let Some(department) = department else {
                bail!("--department is required for role department")
            };
            let found = match department.parse::<Uuid>() {
                Ok(id) => departments::find(conn, id).await?,
                Err(_) => {
                    let all = departments::list(
                        conn,
                        Default::default(),
                        living_gate_db::Page {
                            after: None,
                            limit: 10_000,
                        },
                    )
                    .await?;
                    let mut matching = all.into_iter().filter(|d| d.code == department);
                    match (matching.next(), matching.next()) {
                        (Some(d), None) => Some(d),
                        (Some(_), Some(_)) => bail!("department code {department} exists in several municipalities; pass its id"),
                        _ => None,
                    }
                }
            };
            let d = found.with_context(|| format!("no department {department}"))?;
            Ok((Some(d.municipality_id), Some(d.id), None))
        }
        Affiliation::Organization => {
            let Some(id) = organization else {
                bail!("--organization is required for role partner")
            };
            organizations::find(conn, id)
                .await?
                .with_context(|| format!("no organization {id}"))?;
            Ok((None, None, Some(id)))
        }
        Affiliation::Municipality => {
            let code = municipality.unwrap_or("142166");
            let m = municipalities::find_by_code(conn, code)
                .await?
                .with_context(|| format!("no municipality with code {code}"))?;
            Ok((Some(m.id), None, None))
        }
        Affiliation::None => Ok((None, None, None)),
    }
}
