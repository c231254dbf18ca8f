//! The logical backup: `pg_dump --format=custom` in an exported snapshot,
//! row counts from the same snapshot, restore with `pg_restore`, and the
//! comparison of counts that makes a restore (or a drill) trustworthy.

use super::manifest::{self, count_mismatches, Manifest, DUMP_FILE};
use super::target::{split_password, with_database};
use anyhow::{bail, Context};
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

#[derive(diesel::QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    schema: String,
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    rows: i64,
}

#[derive(diesel::QueryableByName)]
struct NumberRow {
    #[diesel(sql_type = Integer)]
    number: i32,
}

/// The schemas PostgreSQL owns (never backed up, never counted).
const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

async fn text(conn: &mut AsyncPgConnection, sql: &str) -> anyhow::Result<Option<String>> {
    let row: TextRow = diesel::sql_query(sql)
        .get_result(conn)
        .await
        .with_context(|| format!("running {sql}"))?;
    Ok(row.value)
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every table's rows (`schema.table` → count), in the connection's snapshot.
async fn row_counts(conn: &mut AsyncPgConnection) -> anyhow::Result<BTreeMap<String, i64>> {
    let tables: Vec<TableRow> = diesel::sql_query(format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMAS} ORDER BY 1, 2"
    ))
    .load(conn)
    .await
    .context("listing the tables")?;
    let mut counts = BTreeMap::new();
    for table in tables {
        let row: CountRow = diesel::sql_query(format!(
            "SELECT count(*) AS rows FROM {}.{}",
            quote_ident(&table.schema),
            quote_ident(&table.name)
        ))
        .get_result(conn)
        .await
        .with_context(|| format!("counting {}.{}", table.schema, table.name))?;
        counts.insert(format!("{}.{}", table.schema, table.name), row.rows);
    }
    Ok(counts)
}

/// Roles named by privileges or policies in the database.
async fn granted_roles(conn: &mut AsyncPgConnection) -> anyhow::Result<Vec<String>> {
    let rows: Vec<TextRow> = diesel::sql_query(format!(
        "WITH grantees AS ( \
           SELECT (aclexplode(c.relacl)).grantee AS oid FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {SYSTEM_SCHEMAS} \
           UNION SELECT (aclexplode(n.nspacl)).grantee FROM pg_namespace n WHERE {SYSTEM_SCHEMAS} \
           UNION SELECT unnest(p.polroles) FROM pg_policy p \
           UNION SELECT (aclexplode(d.defaclacl)).grantee FROM pg_default_acl d \
         ) SELECT DISTINCT r.rolname::text AS value FROM grantees g \
           JOIN pg_roles r ON r.oid = g.oid WHERE r.rolname <> current_user AND r.rolname NOT LIKE 'pg\\_%' ORDER BY 1"
    ))
    .load(conn)
    .await
    .context("listing the roles with privileges")?;
    Ok(rows.into_iter().filter_map(|r| r.value).collect())
}

/// Runs a PostgreSQL program on `url` (password in `PGPASSWORD`).
async fn run_tool(program: &Path, args: &[String], url: &str) -> anyhow::Result<()> {
    let (url, password) = split_password(url);
    let mut command = tokio::process::Command::new(program);
    command.args(args).arg(format!("--dbname={url}"));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .await
        .with_context(|| format!("running {}", program.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed ({}): {}",
            program.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Backs up the database at `url` into `dir` (created; must be new or
/// empty): `dump.pgdump` and `manifest.json`.
pub async fn backup(url: &str, dir: &Path) -> anyhow::Result<Manifest> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{} is not empty: a backup goes into a new directory",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database to back up")?;
    diesel::sql_query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut conn)
        .await?;
    let snapshot = text(&mut conn, "SELECT pg_export_snapshot() AS value")
        .await?
        .context("no snapshot")?;
    let taken_at: chrono::DateTime<chrono::Utc> = text(
        &mut conn,
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS value",
    )
    .await?
    .context("no time")?
    .parse()
    .context("parsing the server's time")?;
    let version: NumberRow =
        diesel::sql_query("SELECT current_setting('server_version_num')::int AS number")
            .get_result(&mut conn)
            .await?;
    let server_version_num = u32::try_from(version.number).unwrap_or(0);
    let migrations_table = text(
        &mut conn,
        "SELECT to_regclass('public.__diesel_schema_migrations')::text AS value",
    )
    .await?;
    let migration_version = match migrations_table {
        Some(_) => {
            text(
                &mut conn,
                "SELECT max(version)::text AS value FROM public.__diesel_schema_migrations",
            )
            .await?
        }
        None => None,
    };
    let database = text(&mut conn, "SELECT current_database()::text AS value")
        .await?
        .unwrap_or_default();
    let roles = granted_roles(&mut conn).await?;
    let row_counts = row_counts(&mut conn).await?;
    let dump = dir.join(DUMP_FILE);
    let pg_dump = living_gate_embedded_pg::find_tool("pg_dump", Some(server_version_num / 10_000));
    run_tool(
        &pg_dump,
        &[
            "--format=custom".to_owned(),
            format!("--snapshot={snapshot}"),
            format!("--file={}", dump.display()),
        ],
        url,
    )
    .await?;
    diesel::sql_query("COMMIT").execute(&mut conn).await?;
    let (dump_sha256, dump_bytes) = manifest::sha256_file(&dump)?;
    let manifest = Manifest {
        format: manifest::FORMAT.to_owned(),
        taken_at,
        server_version_num,
        migration_version,
        database,
        roles,
        row_counts,
        dump_sha256,
        dump_bytes,
    };
    manifest.write(dir)?;
    Ok(manifest)
}

/// What `restore` does to a target database that is not empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonEmpty {
    Refuse,
    /// `--force`: drop every schema of the target database (its tables,
    /// data, functions) and recreate an empty `public`; the database itself
    /// and the cluster's roles stay.
    DropAndRecreate,
}

/// Restores the backup in `dir` into the database at `url`, then compares
/// every table's rows with the manifest; fails on any difference.
pub async fn restore(url: &str, dir: &Path, non_empty: NonEmpty) -> anyhow::Result<Manifest> {
    let manifest = Manifest::read(dir)?;
    manifest.check_dump(dir)?;
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database to restore into")?;
    let relations: CountRow = diesel::sql_query(format!(
        "SELECT count(*) AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND {SYSTEM_SCHEMAS}"
    ))
    .get_result(&mut conn)
    .await?;
    if relations.rows > 0 {
        match non_empty {
            NonEmpty::Refuse => bail!(
                "the target database is not empty ({} tables, views or sequences): refusing to \
                 overwrite it; restore into an empty database or a fresh data directory, or pass \
                 --force to drop every schema of the target database and restore into it",
                relations.rows
            ),
            NonEmpty::DropAndRecreate => drop_schemas(&mut conn).await?,
        }
    }
    for role in &manifest.roles {
        diesel::sql_query(format!(
            "DO $$ BEGIN CREATE ROLE {} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
            quote_ident(role)
        ))
        .execute(&mut conn)
        .await
        .with_context(|| format!("creating role {role} (the backup grants to it)"))?;
    }
    let pg_restore = living_gate_embedded_pg::find_tool(
        "pg_restore",
        Some(manifest.server_version_num / 10_000).filter(|m| *m > 0),
    );
    run_tool(
        &pg_restore,
        &[
            "--no-owner".to_owned(),
            "--exit-on-error".to_owned(),
            "--single-transaction".to_owned(),
            dir.join(DUMP_FILE).display().to_string(),
        ],
        url,
    )
    .await?;
    let found = row_counts(&mut conn).await?;
    let mismatches = count_mismatches(&manifest.row_counts, &found);
    if !mismatches.is_empty() {
        bail!(
            "the restored database does not match the backup's manifest:\n  {}",
            mismatches.join("\n  ")
        );
    }
    Ok(manifest)
}

async fn drop_schemas(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    let schemas: Vec<TextRow> = diesel::sql_query(format!(
        "SELECT n.nspname::text AS value FROM pg_namespace n WHERE {SYSTEM_SCHEMAS}"
    ))
    .load(conn)
    .await?;
    for schema in schemas.into_iter().filter_map(|s| s.value) {
        diesel::sql_query(format!("DROP SCHEMA {} CASCADE", quote_ident(&schema)))
            .execute(conn)
            .await
            .with_context(|| format!("dropping schema {schema} (--force)"))?;
    }
    diesel::sql_query("CREATE SCHEMA public")
        .execute(conn)
        .await
        .context("recreating schema public")?;
    Ok(())
}

/// `backup verify`: restores `dir` into a scratch database created beside
/// the one at `url` (so its role needs CREATEDB), compares the counts, and
/// drops the scratch database whatever happened.
pub async fn verify(url: &str, dir: &Path) -> anyhow::Result<Manifest> {
    use rand::Rng;
    let name = format!("living_gate_verify_{:08x}", rand::thread_rng().gen::<u32>());
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to create the scratch database")?;
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .with_context(|| format!("creating the scratch database {name}"))?;
    let restored = restore(&with_database(url, &name), dir, NonEmpty::Refuse).await;
    let dropped = diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await;
    let manifest = restored?;
    dropped.with_context(|| format!("dropping the scratch database {name}"))?;
    Ok(manifest)
}
