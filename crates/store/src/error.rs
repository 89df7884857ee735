//! The store's errors, typed so the API can map each to a precise HTTP status.

use sea_orm::{DbErr, SqlErr};
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

    /// True for a unique-constraint violation reported by either database.
    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Storage(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
