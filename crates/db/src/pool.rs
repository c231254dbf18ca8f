//! The connection pool (diesel-async + deadpool) with explicit limits.

use crate::{DbError, DbResult};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::AsyncPgConnection;
use std::time::Duration;

pub type DbPool = Pool<AsyncPgConnection>;
pub type PooledConn = Object<AsyncPgConnection>;

/// Pool sizing and timeouts. Lemmy forces at least two connections after
/// pool-starvation bugs; so do we.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: usize,
    pub wait_timeout: Duration,
    pub create_timeout: Duration,
    pub recycle_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            wait_timeout: Duration::from_secs(5),
            create_timeout: Duration::from_secs(5),
            recycle_timeout: Duration::from_secs(5),
        }
    }
}

/// Builds a pool; connections are opened lazily.
pub fn build_pool(database_url: &str, settings: &PoolSettings) -> DbResult<DbPool> {
    // `Fast` only checks that a returned connection has no open transaction;
    // `Verified` would add a `SELECT 1` round trip to every checkout (measured
    // in BENCHMARKS.md). A dead connection fails its first query (503) and is
    // discarded.
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    // Short OLTP queries only (both measured in BENCHMARKS.md):
    // - no parallel plans: worker start-up for a 1 ms query, multiplied
    //   when many run at once on a small server;
    // - custom plans for every execution: diesel prepares statements, and
    //   PostgreSQL's generic plan for a filtered list (parameters unknown)
    //   took 400 ms where the custom plan takes 1 ms.
    // BI tools reading the kpi views connect on their own and keep the
    // server's settings.
    config.custom_setup = Box::new(|url| {
        Box::pin(async move {
            use diesel_async::{AsyncConnection, RunQueryDsl};
            let mut conn = AsyncPgConnection::establish(url).await?;
            for setting in [
                "SET max_parallel_workers_per_gather = 0",
                "SET plan_cache_mode = force_custom_plan",
            ] {
                diesel::sql_query(setting)
                    .execute(&mut conn)
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            }
            Ok(conn)
        })
    });
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(settings.max_size.max(2))
        .wait_timeout(Some(settings.wait_timeout))
        .create_timeout(Some(settings.create_timeout))
        .recycle_timeout(Some(settings.recycle_timeout))
        .runtime(deadpool_runtime())
        .build()
        .map_err(|e| DbError::Unavailable(e.to_string()))
}

fn deadpool_runtime() -> deadpool::Runtime {
    deadpool::Runtime::Tokio1
}

/// Takes a connection from the pool.
pub async fn connection(pool: &DbPool) -> DbResult<PooledConn> {
    Ok(pool.get().await?)
}

/// `SELECT 1` through the pool: what `/readyz` asks.
pub async fn ping(pool: &DbPool) -> DbResult<()> {
    use diesel_async::RunQueryDsl;
    let mut conn = connection(pool).await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(())
}
