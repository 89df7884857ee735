//! The store's errors, typed so the API can map each to a precise HTTP status.

use sea_orm::{DbErr, RuntimeErr, SqlErr};
use sepakat_core::Rejection;

/// Why a store operation did not happen. In every case nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The application, account, office, ... does not exist (404).
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// Someone changed the application since the caller read it (409): reload and retry.
    #[error(
        "version conflict: the command was based on version {expected} but the application is at version {actual}; reload it and try again"
    )]
    Conflict { expected: i64, actual: i64 },
    /// The core refused the command, with every unmet requirement (403 or 422).
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The input cannot be stored as given (422); the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// The database failed, or holds something unreadable (500).
    #[error("storage failure: {0}")]
    Storage(DbErr),
}

// By hand rather than `#[from]`: the message already contains the database error, and
// `{:#}` printers (anyhow) would repeat it as the source.
impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        StoreError::Storage(e)
    }
}

impl StoreError {
    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Storage(DbErr::Custom(format!("stored data is unreadable: {what}")))
    }

    /// True when the database could not be reached or dropped the connection under the
    /// command (a restart, `pg_terminate_backend`, an exhausted pool): nothing was written, and
    /// the same request is likely to succeed in a moment. The API answers 503 with Retry-After.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Storage(e) if db_unavailable(e))
    }

    /// True for a unique-constraint violation reported by either database.
    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Storage(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))))
    }

    /// A failed insert's error, with a unique-constraint violation told as `what` (bad input:
    /// the row exists already) and anything else passed on.
    pub(crate) fn from_insert(e: DbErr, what: impl FnOnce() -> String) -> Self {
        let e = StoreError::from(e);
        if e.is_unique_violation() {
            StoreError::Invalid(what())
        } else {
            e
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Whether `e` says the connection, not the command, failed.
pub fn db_unavailable(e: &DbErr) -> bool {
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(r) | DbErr::Query(r) => runtime_unavailable(r),
        _ => false,
    }
}

fn runtime_unavailable(r: &RuntimeErr) -> bool {
    use sea_orm::sqlx::Error as E;
    match r {
        RuntimeErr::SqlxError(e) => match &**e {
            E::Io(_) | E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed => true,
            // PostgreSQL: class 08 (connection exception) and 57P (operator intervention:
            // admin_shutdown, crash_shutdown, cannot_connect_now, idle session timeout).
            E::Database(d) => d
                .code()
                .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_lost_connection_is_unavailable_and_a_bug_is_not() {
        let sqlx = |e| RuntimeErr::SqlxError(Arc::new(e));
        let io = || std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        for e in [
            DbErr::Conn(RuntimeErr::Internal("connection closed".into())),
            DbErr::Exec(sqlx(sea_orm::sqlx::Error::Io(io()))),
            DbErr::Query(sqlx(sea_orm::sqlx::Error::Io(io()))),
            DbErr::Query(sqlx(sea_orm::sqlx::Error::PoolTimedOut)),
            DbErr::Exec(sqlx(sea_orm::sqlx::Error::PoolClosed)),
        ] {
            assert!(StoreError::Storage(e).is_unavailable());
        }
        for e in [
            DbErr::Custom("bug".into()),
            DbErr::Query(sqlx(sea_orm::sqlx::Error::RowNotFound)),
            DbErr::Exec(RuntimeErr::Internal("syntax".into())),
        ] {
            assert!(!StoreError::Storage(e).is_unavailable());
        }
        assert!(!StoreError::Invalid("x".into()).is_unavailable());
    }
}
