//! Living Gate's PostgreSQL layer: the diesel schema, one module per table
//! family with its rows and queries, and the embedded migrations. Test
//! databases live in their own crate (`crates/test-db`), a dev-dependency.
//!
//! Query functions take `&mut AsyncPgConnection`, so they run the same on a
//! pooled connection and inside a caller's transaction.

pub mod audit;
pub mod auth_tokens;
pub mod codes;
mod crud;
pub mod departments;
mod error;
pub mod events;
pub mod hearings;
pub mod idempotency;
pub mod invitations;
pub mod kpi;
pub mod logic_models;
pub mod login_throttle;
pub mod matches;
pub mod messages;
pub mod migrate;
pub mod municipalities;
pub mod organizations;
pub mod page;
pub mod pool;
pub mod proposals;
pub mod resource_search;
pub mod resources;
pub mod schema;
pub mod service_accounts;
pub mod surveys;
pub mod taxonomy;
pub mod trip_resources;
pub mod trips;
pub mod users;

pub use diesel_async::AsyncPgConnection;

/// A row with a UUID id and an optimistic-concurrency `version`.
pub trait Versioned {
    fn id(&self) -> uuid::Uuid;
    fn version(&self) -> i64;
}
pub use error::{DbError, DbResult};
pub use page::Page;
pub use pool::{build_pool, DbPool, PoolSettings};
