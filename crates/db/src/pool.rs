//! The connection pool (diesel-async + deadpool) with explicit limits.

use crate::{DbError, DbResult};
use deadpool::managed::{Manager, Metrics, Object, Pool, RecycleResult};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError, RecyclingMethod,
};
use diesel_async::AsyncPgConnection;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

pub type DbPool = Pool<ScopedManager>;
pub type PooledConn = Object<ScopedManager>;

/// A pooled connection and the row scope its session is known to be set
/// to (see [`checkout`]): a checkout in the scope the connection already has
/// skips the `set_config` round trip.
pub struct ScopedConnection {
    conn: AsyncPgConnection,
    /// `None`: not known (a new connection, or one whose scope was changed
    /// outside [`checkout`]); the next checkout sets it.
    scope: Option<RowScope>,
}

impl Deref for ScopedConnection {
    type Target = AsyncPgConnection;
    fn deref(&self) -> &AsyncPgConnection {
        &self.conn
    }
}

impl DerefMut for ScopedConnection {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        &mut self.conn
    }
}

/// diesel-async's manager, remembering each connection's scope.
pub struct ScopedManager(AsyncDieselConnectionManager<AsyncPgConnection>);

impl Manager for ScopedManager {
    type Type = ScopedConnection;
    type Error = PoolError;

    async fn create(&self) -> Result<ScopedConnection, PoolError> {
        Ok(ScopedConnection {
            conn: self.0.create().await?,
            scope: None,
        })
    }

    async fn recycle(
        &self,
        obj: &mut ScopedConnection,
        metrics: &Metrics,
    ) -> RecycleResult<PoolError> {
        self.0.recycle(&mut obj.conn, metrics).await
    }
}

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
    // Short OLTP queries only: no parallel plans (worker start-up for a
    // 1 ms query, multiplied when many run at once on a small server;
    // measured in BENCHMARKS.md). Plans follow PostgreSQL's default: a
    // prepared statement gets a generic plan once it proves as good, which
    // saves the planning of every read by key (0.6 ms of the case's read);
    // filtered lists, whose best plan depends on the values, plan every
    // execution ([`custom_plans`]).
    // BI tools reading the kpi views connect on their own and keep the
    // server's settings.
    config.custom_setup = Box::new(|url| {
        Box::pin(async move {
            use diesel_async::{AsyncConnection, RunQueryDsl};
            let mut conn = AsyncPgConnection::establish(url).await?;
            diesel::sql_query("SET max_parallel_workers_per_gather = 0")
                .execute(&mut conn)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        })
    });
    let manager = ScopedManager(
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config),
    );
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

/// A connection for a handler: from the pool, or the request's pinned
/// connection (see [`pinned`]).
pub enum Conn {
    Pooled(Box<PooledConn>),
    Pinned(OwnedMutexGuard<PooledConn>),
}

impl Deref for Conn {
    type Target = AsyncPgConnection;
    fn deref(&self) -> &AsyncPgConnection {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Pinned(conn) => conn,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Pinned(conn) => conn,
        }
    }
}

/// A connection shared by everything one request runs (see [`pinned`]).
pub type SharedConn = Arc<Mutex<PooledConn>>;

tokio::task_local! {
    static PINNED: SharedConn;
}

/// How long a handler waits for the request's pinned connection: only a
/// handler that holds one connection while asking for another would wait at
/// all, and it gets 503 instead of hanging.
const PINNED_WAIT: Duration = Duration::from_secs(30);

/// Takes a connection from the pool, or, inside [`pinned`], the request's
/// own connection (and so its open transaction).
pub async fn connection(pool: &DbPool) -> DbResult<Conn> {
    if let Ok(shared) = PINNED.try_with(Arc::clone) {
        return tokio::time::timeout(PINNED_WAIT, shared.lock_owned())
            .await
            .map(Conn::Pinned)
            .map_err(|_| DbError::Unavailable("the request's connection is busy".into()));
    }
    Ok(Conn::Pooled(Box::new(checkout(pool).await?)))
}

/// True inside [`pinned`]: the request's connection (the primary's) serves
/// everything it reads.
pub fn is_pinned() -> bool {
    PINNED.try_with(|_| ()).is_ok()
}

/// Takes a connection from the pool, never the pinned one, scoped to the
/// rows of the current [`RowScope`].
///
/// The scope is a session setting: it stays on the connection after it
/// goes back to the pool, so a connection already in the wanted scope is
/// not set again (one round trip less per request, measured in
/// BENCHMARKS.md). That holds because the session setting is changed
/// only here and in [`ScopedConnection::rescope`] (which forgets what is
/// known), never inside a transaction that could roll it back (a
/// connection comes from the pool with none open); a transaction that
/// needs another scope takes it for itself alone ([`scope_transaction`]).
pub async fn checkout(pool: &DbPool) -> DbResult<PooledConn> {
    let mut conn = pool.get().await?;
    let scope = current_scope();
    if conn.scope != Some(scope) {
        conn.scope = None;
        set_scope(&mut conn.conn, &scope, false).await?;
        conn.scope = Some(scope);
    }
    Ok(conn)
}

/// Which municipality's case rows a connection may see and write (the
/// domain's rule, `access::row_scope`): what the row-level security
/// policies (migration 000012) read from the session setting
/// `living_gate.municipality`. A request runs in the scope of its caller
/// ([`scoped`]); code outside any request (the command line, start-up) sees
/// every municipality. A connection whose setting is unset sees nothing:
/// the policies fail closed.
pub use living_gate_domain::access::row_scope::RowScope;

/// The session setting's value for `scope`.
fn setting(scope: &RowScope) -> String {
    match scope {
        RowScope::Municipality(id) => id.to_string(),
        RowScope::All => "all".to_owned(),
        RowScope::Nothing => "none".to_owned(),
    }
}

tokio::task_local! {
    static SCOPE: RowScope;
}

/// Runs `work` (a request) so that every connection it takes is in `scope`.
pub async fn scoped<F: Future>(scope: RowScope, work: F) -> F::Output {
    SCOPE.scope(scope, work).await
}

/// The scope of the running request; every municipality outside one.
pub fn current_scope() -> RowScope {
    SCOPE.try_with(|scope| *scope).unwrap_or(RowScope::All)
}

/// Plans every statement of the rest of the open transaction for its own
/// parameters (`plan_cache_mode = force_custom_plan`): what a filtered list
/// needs, since a generic plan cannot know how selective each filter is
/// (at a million cases PostgreSQL's generic plan for status + theme +
/// fiscal year took 400 ms where the custom plan takes 1 ms; BENCHMARKS.md).
pub async fn custom_plans(conn: &mut AsyncPgConnection) -> DbResult<()> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(conn)
        .await?;
    Ok(())
}

/// Puts the rest of the open transaction in `scope` (`SET LOCAL`): at its
/// end the connection is back in the scope it had. Outside a transaction
/// it would last one statement; call it inside one.
pub async fn scope_transaction(conn: &mut AsyncPgConnection, scope: &RowScope) -> DbResult<()> {
    set_scope(conn, scope, true).await
}

async fn set_scope(conn: &mut AsyncPgConnection, scope: &RowScope, local: bool) -> DbResult<()> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SELECT set_config('living_gate.municipality', $1, $2)")
        .bind::<diesel::sql_types::Text, _>(setting(scope))
        .bind::<diesel::sql_types::Bool, _>(local)
        .execute(conn)
        .await?;
    Ok(())
}

impl ScopedConnection {
    /// Moves this connection's session to `scope` (what a handler does that
    /// learns its scope only from a row it read in a wider one). The pool
    /// forgets the connection's scope, so the next checkout sets it again,
    /// whatever else this request does to the session.
    pub async fn rescope(&mut self, scope: &RowScope) -> DbResult<()> {
        self.scope = None;
        set_scope(&mut self.conn, scope, false).await
    }
}

impl Conn {
    /// [`ScopedConnection::rescope`] of the request's connection.
    pub async fn rescope(&mut self, scope: &RowScope) -> DbResult<()> {
        match self {
            Conn::Pooled(conn) => conn.rescope(scope).await,
            Conn::Pinned(conn) => conn.rescope(scope).await,
        }
    }
}

/// Runs `work` (a request's handler) so that every [`connection`] it takes
/// is `conn`: its writes land in whatever transaction `conn` has open, and
/// commit or roll back with it. The idempotency middleware uses this to
/// make the claim of a key, the handler's effect and the stored response
/// one transaction.
pub async fn pinned<F: Future>(conn: SharedConn, work: F) -> F::Output {
    PINNED.scope(conn, work).await
}

/// `SELECT 1` through the pool: what `/readyz` asks.
pub async fn ping(pool: &DbPool) -> DbResult<()> {
    use diesel_async::RunQueryDsl;
    let mut conn = connection(pool).await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(())
}

/// What the service's database role may do beyond rows.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct ServingRole {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub superuser: bool,
    /// Owns a table of the schema (so may alter it, disable its triggers and RLS).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub owns_tables: bool,
}

/// The role the pool's connections run as.
pub async fn serving_role(pool: &DbPool) -> DbResult<ServingRole> {
    use diesel_async::RunQueryDsl;
    let mut conn = connection(pool).await?;
    Ok(diesel::sql_query(
        "SELECT current_user::text AS name, \
                (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser, \
                EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owns_tables",
    )
    .get_result(&mut conn)
    .await?)
}
