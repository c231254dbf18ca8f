//! Embedded migrations, run under a PostgreSQL advisory lock so that any
//! number of instances starting at once apply them exactly once.

use crate::{DbError, DbResult};
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Hash of the migration files, computed at build time (`build.rs`). Test
/// databases are cloned from a template named after it (`crates/test-db`),
/// so a changed migration gets a fresh template.
pub const MIGRATIONS_HASH: &str = env!("LIVING_GATE_MIGRATIONS_HASH");

/// Advisory lock key: the bytes of "LGMIGR8".
const MIGRATION_LOCK_KEY: i64 = 0x004c_474d_4947_5238;

/// How many migrations the binary embeds.
pub fn count() -> usize {
    use diesel::migration::MigrationSource;
    MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map(|m| m.len())
        .unwrap_or(0)
}

/// Applies pending migrations; returns the versions applied now (empty when
/// the database was already current).
pub async fn run_pending(database_url: &str) -> DbResult<Vec<String>> {
    let mut conn = establish(database_url).await?;
    lock(&mut conn).await?;
    let mut harness = AsyncMigrationHarness::new(conn);
    let applied = harness
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>())
        .map_err(|e| DbError::Unavailable(format!("migration failed: {e}")));
    let mut conn = harness.into_inner();
    unlock(&mut conn).await?;
    applied
}

/// Reverts every migration (used by the migration round-trip test).
pub async fn revert_all(database_url: &str) -> DbResult<Vec<String>> {
    let mut conn = establish(database_url).await?;
    lock(&mut conn).await?;
    let mut harness = AsyncMigrationHarness::new(conn);
    let reverted = harness
        .revert_all_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>())
        .map_err(|e| DbError::Unavailable(format!("revert failed: {e}")));
    let mut conn = harness.into_inner();
    unlock(&mut conn).await?;
    reverted
}

pub(crate) async fn establish(database_url: &str) -> DbResult<AsyncPgConnection> {
    AsyncPgConnection::establish(database_url)
        .await
        .map_err(|e| DbError::Unavailable(e.to_string()))
}

async fn lock(conn: &mut AsyncPgConnection) -> DbResult<()> {
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn)
        .await?;
    Ok(())
}

async fn unlock(conn: &mut AsyncPgConnection) -> DbResult<()> {
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn)
        .await?;
    Ok(())
}
