//! Which database `backup` and `restore` work on, and how to hand its URL
//! to PostgreSQL's programs.

use crate::startup::config::Config;
use living_gate_embedded_pg::EmbeddedPostgres;
use percent_encoding::percent_decode_str;

/// The database to back up or restore into, as a role that owns the
/// schema, and the embedded cluster when this process started it (stopped
/// when the value is dropped).
pub struct Target {
    pub url: String,
    pub embedded: Option<EmbeddedPostgres>,
}

/// `LIVING_GATE_MIGRATION_DATABASE_URL` (the schema's owner), else
/// `DATABASE_URL`; without either, the embedded cluster under the data
/// directory: the running one (a `serve` owns it) reached as its superuser,
/// else started for the command (and created when there is none: a restore
/// into a fresh data directory).
pub async fn resolve(config: &Config) -> anyhow::Result<Target> {
    if let Some(url) = config
        .migration_database_url
        .as_ref()
        .or(config.database_url.as_ref())
    {
        return Ok(Target {
            url: url.clone(),
            embedded: None,
        });
    }
    if let Some(url) = living_gate_embedded_pg::running_url(&config.data_dir) {
        return Ok(Target {
            url,
            embedded: None,
        });
    }
    let options = living_gate_embedded_pg::StartOptions {
        archive: super::schedule::archiving(config),
        recovery: None,
    };
    let embedded = EmbeddedPostgres::start_with(&config.data_dir, &options).await?;
    Ok(Target {
        url: embedded.url.clone(),
        embedded: Some(embedded),
    })
}

/// `url` without its password, and the password (percent-decoded): the
/// programs get the password in `PGPASSWORD`, not on their command line
/// (which any local user can read in `/proc`).
pub fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_owned(), None);
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return (url.to_owned(), None);
    };
    let userinfo = &rest[..at];
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_owned(), None);
    };
    let password = percent_decode_str(password)
        .decode_utf8_lossy()
        .into_owned();
    (
        format!("{}{user}@{}", &url[..scheme_end], &rest[at + 1..]),
        Some(password),
    )
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://u:p%40ss@h:5/db?sslmode=require"),
            (
                "postgres://u@h:5/db?sslmode=require".to_owned(),
                Some("p@ss".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://u@h/db"),
            ("postgres://u@h/db".to_owned(), None)
        );
        assert_eq!(
            with_database("postgres://u@h/db?x=1", "o"),
            "postgres://u@h/o?x=1"
        );
    }
}
