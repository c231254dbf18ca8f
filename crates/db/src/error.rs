//! The database layer's one error type.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No such row.
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; carries the constraint's name.
    #[error("unique constraint {constraint} violated")]
    UniqueViolation { constraint: String },
    /// A foreign key refused the write (a referenced row does not exist).
    #[error("foreign key {constraint} violated")]
    ForeignKeyViolation { constraint: String },
    /// A CHECK constraint refused the write.
    #[error("check constraint {constraint} violated")]
    CheckViolation { constraint: String },
    /// Two transactions collided (serialization failure); safe to retry.
    #[error("concurrent update, retry")]
    SerializationFailure,
    /// The pool could not hand out a connection, or the server went away.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or an unexpected server state. PostgreSQL's
    /// message is the source, not part of this one, so it is logged once
    /// in the chain and never reaches a response.
    #[error("database query failed")]
    Query(#[source] DieselError),
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().unwrap_or_default().to_owned();
                match kind {
                    DatabaseErrorKind::UniqueViolation => DbError::UniqueViolation { constraint },
                    DatabaseErrorKind::ForeignKeyViolation => {
                        DbError::ForeignKeyViolation { constraint }
                    }
                    DatabaseErrorKind::CheckViolation => DbError::CheckViolation { constraint },
                    DatabaseErrorKind::SerializationFailure => DbError::SerializationFailure,
                    DatabaseErrorKind::ClosedConnection => {
                        DbError::Unavailable(info.message().to_owned())
                    }
                    _ => DbError::Query(DieselError::DatabaseError(kind, info)),
                }
            }
            DieselError::BrokenTransactionManager => {
                DbError::Unavailable("broken transaction manager".into())
            }
            other => DbError::Query(other),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for DbError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        DbError::Unavailable(error.to_string())
    }
}

pub type DbResult<T> = Result<T, DbError>;
