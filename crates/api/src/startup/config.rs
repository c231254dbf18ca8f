//! Configuration from environment variables. Every variable has a documented
//! default (docs/operations.md, "Configuration"); a bad value stops start-up with one
//! line naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`; `None` means the embedded PostgreSQL under the data dir.
    pub database_url: Option<String>,
    /// `LIVING_GATE_MIGRATION_DATABASE_URL`: the owner of the schema, for
    /// migrations; `None` means `DATABASE_URL` migrates too.
    pub migration_database_url: Option<String>,
    /// `LIVING_GATE_BIND`
    pub bind: SocketAddr,
    /// `LIVING_GATE_DATA_DIR`
    pub data_dir: PathBuf,
    /// `LIVING_GATE_LOG`: a tracing filter such as `info,living_gate_api=debug`.
    pub log_filter: String,
    /// `LIVING_GATE_LOG_FORMAT`
    pub log_format: LogFormat,
    /// `LIVING_GATE_CORS_ORIGINS`: comma-separated origins allowed to call the API from a browser.
    pub cors_origins: Vec<String>,
    /// `LIVING_GATE_MIGRATE`: run pending migrations at start (external database).
    pub migrate_on_start: bool,
    /// `LIVING_GATE_DB_POOL_SIZE`
    pub db_pool_size: usize,
    pub auth: AuthConfig,
    /// `LIVING_GATE_PUBLIC_WEB_URL`: the front end, for links in mails.
    pub public_web_url: String,
    /// Mail: SMTP or `.eml` files, and the outbox worker (`mail_config.rs`).
    pub mail: super::mail_config::MailConfig,
    pub attachments: AttachmentConfig,
    /// `LIVING_GATE_RETENTION_INTERVAL` (seconds, default 86400, 0: off):
    /// how often `serve` applies the retention rules (docs/personal-data.md).
    pub retention_interval: Duration,
    /// `LIVING_GATE_REMINDER_INTERVAL` (seconds, default 3600, 0: off): how
    /// often `serve` looks for due dates that passed (docs/desk.md).
    pub reminder_interval: Duration,
    /// `LIVING_GATE_SECRET_KEY` (32 bytes, base64): seals secrets the server
    /// reads back (webhook secrets, TOTP seeds); generated into the data
    /// directory when unset. `LIVING_GATE_SECRET_KEY_PREVIOUS`: older keys,
    /// comma-separated, that still open (docs/operations.md).
    pub secret_key: Option<String>,
    pub secret_keys_previous: Vec<String>,
    pub webhooks: super::webhook_config::WebhookConfig,
    pub backups: BackupConfig,
    /// Read replicas (`read_config.rs`).
    pub reads: super::read_config::ReadConfig,
}

/// Backups, WAL archiving and their schedule (docs/operations.md, "Backups
/// and restore").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupConfig {
    /// `LIVING_GATE_BACKUP_DIR` (default `<data dir>/backups`): `logical/`,
    /// `base/` and, by default, `wal/` go there.
    pub dir: PathBuf,
    /// `LIVING_GATE_WAL_ARCHIVE_DIR` (default `<backup dir>/wal`): where the
    /// embedded cluster archives its WAL.
    pub wal_dir: PathBuf,
    /// `LIVING_GATE_WAL_ARCHIVE` (default true): archive the embedded
    /// cluster's WAL (point-in-time recovery).
    pub wal_archive: bool,
    /// `LIVING_GATE_WAL_ARCHIVE_TIMEOUT` (seconds, default 900, 0: only
    /// full segments): the longest a written change waits to be archived.
    pub wal_archive_timeout_secs: u32,
    /// `LIVING_GATE_BASE_BACKUP_INTERVAL` (seconds, default 86400, 0: off):
    /// how often `serve` takes a base backup of the embedded cluster.
    pub base_backup_interval: Duration,
    /// `LIVING_GATE_BASE_BACKUPS_KEEP` (default 7, at least 1).
    pub base_backups_keep: usize,
}

impl BackupConfig {
    /// The defaults under `data_dir`.
    pub fn under(data_dir: &std::path::Path) -> BackupConfig {
        let dir = data_dir.join("backups");
        BackupConfig {
            wal_dir: dir.join("wal"),
            dir,
            wal_archive: true,
            wal_archive_timeout_secs: 900,
            base_backup_interval: Duration::from_secs(86_400),
            base_backups_keep: 7,
        }
    }

    fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
        data_dir: &std::path::Path,
    ) -> Result<BackupConfig, ConfigError> {
        let defaults = BackupConfig::under(data_dir);
        let dir = get("LIVING_GATE_BACKUP_DIR")
            .map(PathBuf::from)
            .unwrap_or(defaults.dir);
        Ok(BackupConfig {
            wal_dir: get("LIVING_GATE_WAL_ARCHIVE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| dir.join("wal")),
            dir,
            wal_archive: parse_bool(get, "LIVING_GATE_WAL_ARCHIVE", true)?,
            wal_archive_timeout_secs: parse_number(
                get,
                "LIVING_GATE_WAL_ARCHIVE_TIMEOUT",
                900,
                0,
                86_400,
            )?,
            base_backup_interval: Duration::from_secs(parse_number(
                get,
                "LIVING_GATE_BASE_BACKUP_INTERVAL",
                86_400,
                0,
                31_536_000,
            )?),
            base_backups_keep: parse_number(get, "LIVING_GATE_BASE_BACKUPS_KEEP", 7, 1, 10_000)?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// `LIVING_GATE_JWT_KEY_FILE`: PEM with one or more Ed25519 private keys; the first signs.
    pub key_file: Option<PathBuf>,
    /// `LIVING_GATE_JWT_ISSUER`
    pub issuer: String,
    /// `LIVING_GATE_JWT_AUDIENCE`
    pub audience: String,
    /// `LIVING_GATE_ACCESS_TOKEN_TTL` (seconds)
    pub access_token_ttl: Duration,
    /// `LIVING_GATE_REFRESH_TOKEN_TTL` (seconds)
    pub refresh_token_ttl: Duration,
    /// `LIVING_GATE_LOGIN_MAX_FAILURES_PER_EMAIL` within the window.
    pub login_max_failures_per_email: i32,
    /// `LIVING_GATE_LOGIN_MAX_ATTEMPTS_PER_ADDRESS` within the window.
    pub login_max_attempts_per_address: i32,
    /// `LIVING_GATE_LOGIN_WINDOW` (seconds)
    pub login_window_secs: i64,
    /// `LIVING_GATE_TRUSTED_PROXIES`: addresses of reverse proxies whose
    /// `X-Forwarded-For` names the client (for rate limits and the audit log).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `LIVING_GATE_REQUIRE_TOTP_FOR_ADMINS` (default off): `admin` and
    /// `platform_admin` accounts must sign in with a TOTP code.
    pub require_totp_for_admins: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// Attachments and their virus scanner (docs/operations.md, "Attachments").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentConfig {
    /// `LIVING_GATE_ATTACHMENT_MAX_BYTES`: the largest file accepted (default 20 MiB).
    pub max_bytes: u64,
    /// `LIVING_GATE_CLAMD_SOCKET` (a unix socket path) or
    /// `LIVING_GATE_CLAMD_ADDR` (host:port): where clamd listens. Neither:
    /// no scanner, and public uploads are refused.
    pub clamd: Option<ClamdAddress>,
    /// `LIVING_GATE_CLAMD_TIMEOUT` (seconds, default 30): the longest a scan may take.
    pub clamd_timeout: Duration,
}

/// Where clamd listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClamdAddress {
    Unix(PathBuf),
    Tcp(String),
}

impl Default for AttachmentConfig {
    fn default() -> Self {
        AttachmentConfig {
            max_bytes: DEFAULT_ATTACHMENT_MAX_BYTES,
            clamd: None,
            clamd_timeout: Duration::from_secs(30),
        }
    }
}

pub const DEFAULT_ATTACHMENT_MAX_BYTES: u64 = 20 * 1024 * 1024;

fn attachment_config(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<AttachmentConfig, ConfigError> {
    let clamd = match (
        get("LIVING_GATE_CLAMD_SOCKET"),
        get("LIVING_GATE_CLAMD_ADDR"),
    ) {
        (Some(_), Some(_)) => {
            return Err(problem(
                "LIVING_GATE_CLAMD_ADDR",
                "set LIVING_GATE_CLAMD_SOCKET or LIVING_GATE_CLAMD_ADDR, not both",
            ))
        }
        (Some(path), None) => Some(ClamdAddress::Unix(PathBuf::from(path))),
        (None, Some(addr))
            if addr
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok()) =>
        {
            Some(ClamdAddress::Tcp(addr))
        }
        (None, Some(addr)) => {
            return Err(problem(
                "LIVING_GATE_CLAMD_ADDR",
                format!("`{addr}` is not host:port (e.g. 127.0.0.1:3310)"),
            ))
        }
        (None, None) => None,
    };
    Ok(AttachmentConfig {
        max_bytes: parse_number(
            get,
            "LIVING_GATE_ATTACHMENT_MAX_BYTES",
            DEFAULT_ATTACHMENT_MAX_BYTES,
            1,
            1024 * 1024 * 1024,
        )?,
        clamd,
        clamd_timeout: Duration::from_secs(parse_number(
            get,
            "LIVING_GATE_CLAMD_TIMEOUT",
            30,
            1,
            3600,
        )?),
    })
}

/// A configuration error: which variable, and what is wrong with it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let database_url = get("DATABASE_URL");
        if let Some(url) = &database_url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(problem(
                    "DATABASE_URL",
                    "must start with postgres:// or postgresql://",
                ));
            }
        }
        let migration_database_url = get("LIVING_GATE_MIGRATION_DATABASE_URL");
        if let Some(url) = &migration_database_url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(problem(
                    "LIVING_GATE_MIGRATION_DATABASE_URL",
                    "must start with postgres:// or postgresql://",
                ));
            }
        }
        let bind = match get("LIVING_GATE_BIND") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(raw) => raw.parse().map_err(|_| {
                problem(
                    "LIVING_GATE_BIND",
                    format!(
                        "`{raw}` is not a socket address (expected host:port, e.g. 127.0.0.1:8080)"
                    ),
                )
            })?,
        };
        let log_format = match get("LIVING_GATE_LOG_FORMAT").as_deref() {
            None | Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            Some(other) => {
                return Err(problem(
                    "LIVING_GATE_LOG_FORMAT",
                    format!("`{other}` is not one of json, pretty"),
                ))
            }
        };
        let log_filter = get("LIVING_GATE_LOG").unwrap_or_else(|| "info".to_owned());
        tracing_subscriber::EnvFilter::try_new(&log_filter).map_err(|e| {
            problem(
                "LIVING_GATE_LOG",
                format!("`{log_filter}` is not a valid filter: {e}"),
            )
        })?;
        let cors_origins = match get("LIVING_GATE_CORS_ORIGINS") {
            None => Vec::new(),
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(|origin| {
                    let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                        && !origin.ends_with('/')
                        && !origin.contains('*');
                    if ok {
                        Ok(origin.to_owned())
                    } else {
                        Err(problem(
                            "LIVING_GATE_CORS_ORIGINS",
                            format!("`{origin}` is not an origin like https://app.example.jp (no path, no wildcard)"),
                        ))
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        let data_dir = get("LIVING_GATE_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("./data"));
        Ok(Config {
            database_url,
            migration_database_url,
            bind,
            backups: BackupConfig::from_lookup(&get, &data_dir)?,
            data_dir,
            log_filter,
            log_format,
            cors_origins,
            migrate_on_start: parse_bool(&get, "LIVING_GATE_MIGRATE", true)?,
            db_pool_size: parse_number(&get, "LIVING_GATE_DB_POOL_SIZE", 16, 2, 1000)?,
            attachments: attachment_config(&get)?,
            retention_interval: Duration::from_secs(parse_number(
                &get,
                "LIVING_GATE_RETENTION_INTERVAL",
                86_400,
                0,
                31_536_000,
            )?),
            reminder_interval: Duration::from_secs(parse_number(
                &get,
                "LIVING_GATE_REMINDER_INTERVAL",
                3_600,
                0,
                31_536_000,
            )?),
            secret_key: get("LIVING_GATE_SECRET_KEY"),
            secret_keys_previous: get("LIVING_GATE_SECRET_KEY_PREVIOUS")
                .map(|raw| {
                    raw.split(',')
                        .map(str::trim)
                        .filter(|k| !k.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            auth: AuthConfig {
                key_file: get("LIVING_GATE_JWT_KEY_FILE").map(PathBuf::from),
                issuer: get("LIVING_GATE_JWT_ISSUER").unwrap_or_else(|| "living-gate".to_owned()),
                audience: get("LIVING_GATE_JWT_AUDIENCE")
                    .unwrap_or_else(|| "living-gate-api".to_owned()),
                access_token_ttl: Duration::from_secs(parse_number(
                    &get,
                    "LIVING_GATE_ACCESS_TOKEN_TTL",
                    900,
                    60,
                    86_400,
                )?),
                refresh_token_ttl: Duration::from_secs(parse_number(
                    &get,
                    "LIVING_GATE_REFRESH_TOKEN_TTL",
                    30 * 86_400,
                    300,
                    365 * 86_400,
                )?),
                login_max_failures_per_email: parse_number(
                    &get,
                    "LIVING_GATE_LOGIN_MAX_FAILURES_PER_EMAIL",
                    5,
                    1,
                    1000,
                )?,
                login_max_attempts_per_address: parse_number(
                    &get,
                    "LIVING_GATE_LOGIN_MAX_ATTEMPTS_PER_ADDRESS",
                    50,
                    1,
                    100_000,
                )?,
                login_window_secs: parse_number(&get, "LIVING_GATE_LOGIN_WINDOW", 900, 1, 86_400)?,
                require_totp_for_admins: parse_bool(
                    &get,
                    "LIVING_GATE_REQUIRE_TOTP_FOR_ADMINS",
                    false,
                )?,
                trusted_proxies: match get("LIVING_GATE_TRUSTED_PROXIES") {
                    None => Vec::new(),
                    Some(raw) => raw
                        .split(',')
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .map(|a| {
                            a.parse().map_err(|_| {
                                problem(
                                    "LIVING_GATE_TRUSTED_PROXIES",
                                    format!("`{a}` is not an IP address"),
                                )
                            })
                        })
                        .collect::<Result<_, _>>()?,
                },
            },
            public_web_url: super::mail_config::public_web_url(&get)?,
            mail: super::mail_config::MailConfig::from_lookup(&get)?,
            webhooks: super::webhook_config::WebhookConfig::from_lookup(&get)?,
            reads: super::read_config::ReadConfig::from_lookup(&get)?,
        })
    }
}

pub(super) fn problem(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

pub(super) fn parse_bool(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(name).as_deref() {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(problem(
            name,
            format!("`{other}` is not a boolean (true or false)"),
        )),
    }
}

pub(super) fn parse_number<T>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(raw) = get(name) else {
        return Ok(default);
    };
    match raw.trim().parse::<T>() {
        Ok(value) if value >= min && value <= max => Ok(value),
        _ => Err(problem(
            name,
            format!("`{raw}` is not a whole number between {min} and {max}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.database_url, None);
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.auth.access_token_ttl, Duration::from_secs(900));
        assert!(c.migrate_on_start);
        assert!(c.cors_origins.is_empty());
        assert_eq!(c.backups, BackupConfig::under(&PathBuf::from("./data")));
        assert_eq!(c.backups.wal_dir, PathBuf::from("./data/backups/wal"));
        let moved = config(&[("LIVING_GATE_BACKUP_DIR", "/srv/lg-backups")]).expect("valid");
        assert_eq!(moved.backups.wal_dir, PathBuf::from("/srv/lg-backups/wal"));
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("LIVING_GATE_BIND", "localhost"),
            ("LIVING_GATE_LOG_FORMAT", "xml"),
            ("LIVING_GATE_LOG", "info,[[["),
            ("LIVING_GATE_CORS_ORIGINS", "https://ok.example,*"),
            ("LIVING_GATE_MIGRATE", "maybe"),
            ("LIVING_GATE_DB_POOL_SIZE", "0"),
            ("LIVING_GATE_ACCESS_TOKEN_TTL", "fifteen"),
            ("DATABASE_URL", "mysql://x"),
            ("LIVING_GATE_TRUSTED_PROXIES", "10.0.0.1,proxy.local"),
            ("LIVING_GATE_BASE_BACKUPS_KEEP", "0"),
            ("LIVING_GATE_BASE_BACKUP_INTERVAL", "daily"),
            ("LIVING_GATE_WAL_ARCHIVE", "perhaps"),
        ] {
            let err = config(&[(var, value)]).expect_err(var);
            assert_eq!(err.variable, var);
            assert!(err.to_string().starts_with(&format!("{var}: ")), "{err}");
        }
    }

    #[test]
    fn attachments_default_to_20_mib_and_no_scanner() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.attachments.max_bytes, 20 * 1024 * 1024);
        assert_eq!(c.attachments.clamd, None);
        assert_eq!(c.attachments.clamd_timeout, Duration::from_secs(30));
        let socket =
            config(&[("LIVING_GATE_CLAMD_SOCKET", "/run/clamav/clamd.ctl")]).expect("valid");
        assert_eq!(
            socket.attachments.clamd,
            Some(ClamdAddress::Unix(PathBuf::from("/run/clamav/clamd.ctl")))
        );
        let tcp = config(&[("LIVING_GATE_CLAMD_ADDR", "127.0.0.1:3310")]).expect("valid");
        assert_eq!(
            tcp.attachments.clamd,
            Some(ClamdAddress::Tcp("127.0.0.1:3310".into()))
        );
        for (vars, variable) in [
            (
                &[("LIVING_GATE_CLAMD_ADDR", "clamd")][..],
                "LIVING_GATE_CLAMD_ADDR",
            ),
            (
                &[
                    ("LIVING_GATE_CLAMD_ADDR", "h:1"),
                    ("LIVING_GATE_CLAMD_SOCKET", "/s"),
                ][..],
                "LIVING_GATE_CLAMD_ADDR",
            ),
            (
                &[("LIVING_GATE_ATTACHMENT_MAX_BYTES", "0")][..],
                "LIVING_GATE_ATTACHMENT_MAX_BYTES",
            ),
            (
                &[("LIVING_GATE_CLAMD_TIMEOUT", "soon")][..],
                "LIVING_GATE_CLAMD_TIMEOUT",
            ),
        ] {
            assert_eq!(
                config(vars).map(|_| ()).expect_err("invalid").variable,
                variable
            );
        }
    }

    #[test]
    fn parses_cors_origins() {
        let c = config(&[(
            "LIVING_GATE_CORS_ORIGINS",
            "https://a.example.jp, http://localhost:5173",
        )])
        .expect("valid");
        assert_eq!(
            c.cors_origins,
            vec!["https://a.example.jp", "http://localhost:5173"]
        );
    }
}
