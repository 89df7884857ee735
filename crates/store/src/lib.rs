//! Sepakat's durable store: sea-orm on SQLite (the embedded default) or PostgreSQL.
//!
//! A command is decided, then written in **one transaction**. Deciding: load the application
//! row, check the expected version (stale: [`StoreError::Conflict`]), call the pure core.
//! Writing, all or nothing: the new state with a version-checked `UPDATE`, the audit events
//! (hash-chained per application, see [`audit`]), the letter numbers, the attestation, grant and
//! evaluation projections, and the outbox rows for whoever must act next.
//!
//! Concurrency without row locks: the state row is written with
//! `UPDATE applications ... WHERE id = ? AND version = ?`. Every change bumps the version, so
//! the update succeeds only if the state the core decided on is still the current one; zero
//! rows updated means someone else got there first, and the whole transaction is rolled back as
//! a conflict. That is also why the read and the decision can happen before the transaction
//! begins: reading inside it would guarantee nothing more (PostgreSQL runs READ COMMITTED), and
//! SQLite's single writer then holds its lock only for the writes. On PostgreSQL a second
//! writer of the same row waits for the first to commit, re-checks the `WHERE` against the new
//! row and updates nothing. On SQLite, write transactions start with `BEGIN IMMEDIATE` and the
//! writers of one process queue on an in-process gate before they begin, so they wait instead
//! of failing with `SQLITE_BUSY`; other processes (the CLI next to a server) wait on SQLite's
//! busy timeout.

pub mod accounts;
pub mod audit;
mod batch;
pub mod clock;
mod commands;
mod directory;
pub mod entity;
mod error;
pub mod evaluations;
mod grants;
pub mod idempotency;
pub mod import;
pub mod inbox;
pub mod issuing;
mod logo;
pub mod named;
mod notifications;
mod numbering;
pub mod outbox;
mod people;
mod persist;
mod projections;
mod queries;
mod recent;
mod scope;
pub mod sessions;
pub mod stages;
pub mod testing;
mod workflows;

pub use accounts::{ChangedBy, RoleChange};
pub use audit::{AuditBreak, AuditProblem, AuditReport};
pub use commands::{CommandOutcome, NewApplication, NewDocument};
pub use directory::{NewAccount, NewAgency, NewOffice, OfficeKind};
pub use error::{Result, StoreError};
pub use evaluations::{CalendarReport, DueEvaluation, SYSTEM_ACCOUNT_ID};
pub use evaluations::{DUE_STATES, DueCursor, DueFilter, EvaluationState};
pub use grants::{GRANT_STATUSES, GrantCursor, GrantFilter, GrantListing, GrantState};
pub use idempotency::{KeptAnswer, KeyRecord, Keyed};
pub use import::{AlreadyImported, ImportFile, ImportReport, Planned};
pub use inbox::{InboxCursor, InboxFilter, InboxPage};
pub use issuing::{LetterSealer, SealError, Sealed};
pub use logo::{MAX_LOGO_BYTES, check_logo_svg};
pub use named::Named;
pub use outbox::{Delivery, OutboxCounts, RetryPolicy};
pub use outbox::{OUTBOX_STATES, OutboxCursor, OutboxFilter, OutboxState};
pub use people::Person;
pub use queries::{ApplicationDetail, ApplicationFilter, Page, PksVersion, StoredApplication};
pub use scope::{
    KeysetPage, MAX_PAGE, Placed, Placement, application_visible, visible_applications,
};
pub use stages::{StageProjectionReport, StageStay, scope_key};

pub use entity::accounts::Model as Account;
pub use entity::agencies::Model as Agency;
pub use entity::attestations::Model as AttestationRow;
pub use entity::audit_events::Model as AuditEvent;
pub use entity::documents::Model as Document;
pub use entity::evaluations::Model as Evaluation;
pub use entity::grants::Model as GrantRow;
pub use entity::letters::Model as Letter;
pub use entity::offices::Model as Office;
pub use entity::outbox::Model as OutboxMessage;
pub use entity::pks_comments::{Model as PksComment, PksReview};
pub use entity::workflow_versions::Model as WorkflowVersion;

use chrono::{DateTime, Timelike, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sepakat_core::Workflow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Where the data lives when nothing is configured: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://sepakat.db?mode=rwc";

/// Places in a command's transaction where a test can make the store fail on purpose.
///
/// A testing aid that is part of the public API (integration tests and other crates' tests can
/// reach it): set it with [`Store::set_fail_point`]; production code never sets one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailPoint {
    /// Once the application row is written and the audit events are queued in the command's
    /// batch, before letters, projections and outbox.
    AfterEvents,
    /// After everything is written, just before `COMMIT`.
    BeforeCommit,
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Pool size. Default: 10 on PostgreSQL, 4 on a SQLite file (1 for an in-memory database).
    pub max_connections: Option<u32>,
    /// How long a SQLite writer waits for another process's write lock before giving up.
    pub busy_timeout: Duration,
    /// How many applications (and accounts) to remember between commands, so that a command
    /// on an application this process wrote last skips reading it (the write still checks the
    /// version and the account). 0 reads every time. Default 1024.
    pub recent_capacity: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: None,
            busy_timeout: Duration::from_secs(30),
            recent_capacity: 1024,
        }
    }
}

/// The store: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    backend: DbBackend,
    /// SQLite only: one writer at a time inside this process.
    write_gate: Option<tokio::sync::Mutex<()>>,
    workflows: RwLock<HashMap<(String, String), Arc<Workflow>>>,
    office_regions: RwLock<HashMap<uuid::Uuid, sepakat_core::RegionCode>>,
    /// The last state this process committed per application (see `recent::Recent`).
    recent: Mutex<HashMap<uuid::Uuid, Arc<recent::Recent>>>,
    /// Accounts as last read, checked again by every write that relies on them.
    accounts_seen: Mutex<HashMap<uuid::Uuid, entity::accounts::Model>>,
    recent_capacity: usize,
    fail_point: Mutex<Option<FailPoint>>,
    /// Builds, freezes and renders letters as they are issued (`issuing`).
    sealer: RwLock<Option<Arc<dyn issuing::LetterSealer>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.inner.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens `url` (`sqlite://...` or `postgres://...`) with the default options.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, StoreOptions::default()).await
    }

    #[tracing::instrument(skip_all, err)]
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Store> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false);
        let backend = if url.starts_with("sqlite:") {
            // A file's connection does not die under us: ping only one idle for a while.
            opts.test_before_acquire_if_idle_for(Duration::from_secs(30));
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let busy = options.busy_timeout;
            opts.map_sqlx_sqlite_opts(move |o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // Durable: a committed command survives a power cut, not only a crash.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(busy)
            });
            if memory {
                // Each connection to `:memory:` is its own database: keep exactly one, forever.
                opts.max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None);
            } else {
                opts.max_connections(options.max_connections.unwrap_or(4));
            }
            DbBackend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // PostgreSQL ends connections on a restart, a failover or an administrator's
            // `pg_terminate_backend`, a connection used a moment ago too: ping each one as it leaves the
            // pool, so a dead one is replaced by a fresh one before a request sees it, instead
            // of failing the next requests (one round trip per checkout, a fraction of a
            // millisecond next to the database).
            opts.max_connections(options.max_connections.unwrap_or(10))
                .test_before_acquire(true);
            DbBackend::Postgres
        } else {
            return Err(StoreError::Invalid(format!(
                "unsupported DATABASE_URL `{}`: use sqlite://FILE?mode=rwc or postgres://USER@HOST:PORT/DB",
                redact(url)
            )));
        };
        let db = Database::connect(opts).await?;
        Ok(Store {
            inner: Arc::new(Inner {
                db,
                backend,
                write_gate: (backend == DbBackend::Sqlite).then(|| tokio::sync::Mutex::new(())),
                workflows: RwLock::new(HashMap::new()),
                office_regions: RwLock::new(HashMap::new()),
                recent: Mutex::new(HashMap::new()),
                accounts_seen: Mutex::new(HashMap::new()),
                recent_capacity: options.recent_capacity,
                fail_point: Mutex::new(None),
                sealer: RwLock::new(None),
            }),
        })
    }

    /// Applies every pending migration; returns how many were applied. Running it again is harmless.
    #[tracing::instrument(skip_all, err)]
    pub async fn migrate(&self) -> Result<usize> {
        let pending = Migrator::get_pending_migrations(&self.inner.db)
            .await?
            .len();
        Migrator::up(&self.inner.db, None).await?;
        self.ensure_system_account().await?;
        // A database from before the inbox read model gets it written once.
        self.rebuild_waits_if_empty().await?;
        // And the stage stays and counters (dashboards), from the audit log.
        self.rebuild_stage_projections_if_empty().await?;
        Ok(pending)
    }

    /// Names of the migrations not applied yet.
    pub async fn pending_migrations(&self) -> Result<Vec<String>> {
        Ok(Migrator::get_pending_migrations(&self.inner.db)
            .await?
            .iter()
            .map(|m| m.name().to_string())
            .collect())
    }

    /// The underlying connection pool, for components that own their own queries (the outbox
    /// worker, tests that tamper with rows on purpose).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    pub fn backend(&self) -> DbBackend {
        self.inner.backend
    }

    /// Makes every following command fail at `point` (testing aid); `None` clears it.
    pub fn set_fail_point(&self, point: Option<FailPoint>) {
        if let Ok(mut fp) = self.inner.fail_point.lock() {
            *fp = point;
        }
    }

    pub(crate) fn check_fail_point(&self, here: FailPoint) -> Result<()> {
        let set = self.inner.fail_point.lock().map(|fp| *fp).unwrap_or(None);
        if set == Some(here) {
            return Err(StoreError::Storage(sea_orm::DbErr::Custom(format!(
                "failure injected at {here:?}"
            ))));
        }
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(&self) -> Result<()> {
        self.inner.db.close_by_ref().await?;
        Ok(())
    }

    /// Starts a read-only transaction whose reads all see one snapshot: REPEATABLE READ on
    /// PostgreSQL; on SQLite (WAL) a deferred transaction's reads share the snapshot its first
    /// read takes.
    pub(crate) async fn begin_snapshot(&self) -> Result<DatabaseTransaction> {
        Ok(match self.inner.backend {
            DbBackend::Postgres => {
                self.inner
                    .db
                    .begin_with_config(
                        Some(sea_orm::IsolationLevel::RepeatableRead),
                        Some(sea_orm::AccessMode::ReadOnly),
                    )
                    .await?
            }
            _ => self.inner.db.begin().await?,
        })
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` behind the in-process gate on SQLite,
    /// a plain `BEGIN` (READ COMMITTED) on PostgreSQL.
    pub(crate) async fn begin_write(&self) -> Result<WriteTxn<'_>> {
        let gate = match &self.inner.write_gate {
            Some(g) => Some(g.lock().await),
            None => None,
        };
        let txn = match self.inner.backend {
            DbBackend::Sqlite => {
                self.inner
                    .db
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?
            }
            _ => self.inner.db.begin().await?,
        };
        Ok(WriteTxn { txn, _gate: gate })
    }
}

/// A write transaction and, on SQLite, this process's write turn. Field order matters: the
/// transaction ends before the gate opens.
pub(crate) struct WriteTxn<'a> {
    pub(crate) txn: DatabaseTransaction,
    _gate: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl WriteTxn<'_> {
    /// Commits on `Ok`, rolls back on `Err`; the result of the work is passed through.
    pub(crate) async fn finish<T>(self, result: Result<T>) -> Result<T> {
        match result {
            Ok(v) => {
                self.txn.commit().await?;
                Ok(v)
            }
            Err(e) => {
                if let Err(rb) = self.txn.rollback().await {
                    tracing::warn!(error = %rb, "rollback failed");
                }
                Err(e)
            }
        }
    }
}

/// Times are kept to the microsecond, PostgreSQL's precision, so what is hashed is what is stored.
pub(crate) fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.nanosecond();
    t.with_nanosecond(nanos - nanos % 1_000).unwrap_or(t)
}

/// `url` without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("mysql://u:secret@h/db"), "mysql://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("nonsense"), "nonsense");
    }

    #[test]
    fn times_are_truncated_to_microseconds() {
        let t = DateTime::parse_from_rfc3339("2024-06-03T10:00:00.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(micros(t).nanosecond(), 123_456_000);
    }
}
