//! Living Gate's PostgreSQL layer: the diesel schema, one module per table
//! family with its rows and queries (grouped by room: `accounts`,
//! `reference`, `desk`, `directory`), and the embedded migrations. Test
//! databases live in their own crate (`crates/test-db`), a dev-dependency.
//!
//! Query functions take `&mut AsyncPgConnection`, so they run the same on a
//! pooled connection and inside a caller's transaction.

pub mod accounts;
pub mod audit;
pub mod codes;
mod crud;
pub mod desk;
pub mod directory;
mod error;
pub mod idempotency;
pub mod kpi;
pub mod migrate;
pub mod notify;
pub mod outbox;
pub mod page;
pub mod personal_data;
pub mod platform;
pub mod pool;
pub mod prepared;
pub mod programme_logic_models;
pub mod reads;
pub mod reference;
pub mod retention;
pub mod schema;
pub mod webhooks;

pub use diesel_async::AsyncPgConnection;

/// A row with a UUID id and an optimistic-concurrency `version`.
pub trait Versioned {
    fn id(&self) -> uuid::Uuid;
    fn version(&self) -> i64;
}
pub use error::{DbError, DbResult};
pub use page::Page;
pub use pool::{build_pool, DbPool, PoolSettings};
pub use prepared::Prepared;
