//! Throw-away databases for tests and benchmarks: a SQLite file in a temporary directory, or a
//! PostgreSQL database created for the occasion and dropped afterwards.
//!
//! PostgreSQL is found through `SEPAKAT_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), a maintenance database where the user may
//! `CREATE DATABASE`. When it cannot be reached, [`TempDb::postgres`] fails with a message that
//! says how to start it: tests fail loudly rather than skip.

use crate::{Result, Store, StoreError, StoreOptions};
use sea_orm::{ConnectOptions, ConnectionTrait, Database};
use std::path::PathBuf;
use std::time::Duration;
use uuid::Uuid;

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

#[derive(Debug)]
enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A fresh, empty database that is removed when dropped (or by [`TempDb::remove`]).
#[derive(Debug)]
pub struct TempDb {
    backend: Backend,
    url: String,
    cleanup: Option<Cleanup>,
}

impl TempDb {
    pub async fn new(backend: Backend) -> Result<TempDb> {
        match backend {
            Backend::Sqlite => TempDb::sqlite(),
            Backend::Postgres => TempDb::postgres().await,
        }
    }

    /// A new SQLite file in its own temporary directory.
    pub fn sqlite() -> Result<TempDb> {
        let dir = std::env::temp_dir().join(format!("sepakat-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| StoreError::Invalid(format!("cannot create {}: {e}", dir.display())))?;
        let url = format!("sqlite://{}?mode=rwc", dir.join("sepakat.db").display());
        Ok(TempDb {
            backend: Backend::Sqlite,
            url,
            cleanup: Some(Cleanup::Dir(dir)),
        })
    }

    /// A new PostgreSQL database `sepakat_t_<random>` on the server of `SEPAKAT_TEST_PG_URL`.
    pub async fn postgres() -> Result<TempDb> {
        let admin_url =
            std::env::var("SEPAKAT_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_string());
        let name = format!("sepakat_t_{}", &Uuid::new_v4().simple().to_string()[..20]);
        let admin = Database::connect(admin_options(&admin_url))
            .await
            .map_err(|e| {
                StoreError::Invalid(format!(
                    "PostgreSQL is not reachable at {admin_url} ({e}). The store's tests run on \
                 PostgreSQL too: start it with `pg_ctlcluster --skip-systemctl-redirect \
                 $(ls /etc/postgresql) main start`, or point SEPAKAT_TEST_PG_URL at a server \
                 where the user may CREATE DATABASE."
                ))
            })?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(|e| StoreError::Invalid(format!("cannot create test database {name}: {e}")))?;
        admin.close().await?;
        let url = database_url(&admin_url, &name);
        Ok(TempDb {
            backend: Backend::Postgres,
            url,
            cleanup: Some(Cleanup::Postgres { admin_url, name }),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A store on this database with the migrations applied.
    pub async fn store(&self) -> Result<Store> {
        self.store_with(StoreOptions {
            max_connections: Some(8),
            ..StoreOptions::default()
        })
        .await
    }

    pub async fn store_with(&self, options: StoreOptions) -> Result<Store> {
        let store = Store::connect_with(&self.url, options).await?;
        store.migrate().await?;
        store.set_letter_sealer(std::sync::Arc::new(FactsSealer));
        Ok(store)
    }

    /// Removes the database now (close every store on it first).
    pub async fn remove(mut self) -> Result<()> {
        match self.cleanup.take() {
            Some(Cleanup::Dir(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
                Ok(())
            }
            Some(Cleanup::Postgres { admin_url, name }) => drop_pg(&admin_url, &name).await,
            None => Ok(()),
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        match self.cleanup.take() {
            Some(Cleanup::Dir(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(Cleanup::Postgres { admin_url, name }) => {
                // Drop cannot await: a short-lived runtime on its own thread does it.
                let done = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    match rt {
                        Ok(rt) => rt.block_on(drop_pg(&admin_url, &name)).is_ok(),
                        Err(_) => false,
                    }
                })
                .join();
                if !matches!(done, Ok(true)) {
                    eprintln!("warning: could not drop a PostgreSQL test database");
                }
            }
            None => {}
        }
    }
}

fn admin_options(url: &str) -> ConnectOptions {
    let mut o = ConnectOptions::new(url.to_string());
    o.max_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    o
}

async fn drop_pg(admin_url: &str, name: &str) -> Result<()> {
    let admin = Database::connect(admin_options(admin_url)).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    admin.close().await?;
    Ok(())
}

/// `admin_url` with its database name replaced by `name`.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            database_url("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(database_url("postgres://u@h", "x"), "postgres://u@h/x");
    }
}

/// One application the raw-SQL baseline writes to, with what it must know to skip reading.
#[derive(Clone)]
pub struct RawApp {
    pub id: Uuid,
    pub state: std::sync::Arc<serde_json::Value>,
    pub version: std::sync::Arc<std::sync::atomic::AtomicI64>,
    pub next_seq: std::sync::Arc<std::sync::atomic::AtomicI64>,
    pub actor: Uuid,
}

impl RawApp {
    /// Loads an application's current row for the baseline.
    pub async fn load(store: &Store, id: Uuid) -> Result<RawApp> {
        let stored = store.application(id).await?;
        Ok(RawApp {
            id,
            state: std::sync::Arc::new(stored.row.state.clone()),
            version: std::sync::Arc::new(std::sync::atomic::AtomicI64::new(stored.row.version)),
            next_seq: std::sync::Arc::new(std::sync::atomic::AtomicI64::new(
                stored.row.event_count + 1,
            )),
            actor: stored.row.submitted_by,
        })
    }
}

/// `pg` as written for PostgreSQL, or with `?` placeholders for SQLite (parameters in order).
fn placeholders(backend: sea_orm::DbBackend, pg: &str) -> String {
    if backend == sea_orm::DbBackend::Postgres {
        return pg.to_string();
    }
    let mut out = String::new();
    let mut chars = pg.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// The least a durable command must do, as raw SQL: one transaction with the version-checked
/// UPDATE of the state row and one audit-event INSERT. Each writer owns one of `apps` and knows
/// its version, so it reads nothing. Runs `writers` writers for `duration`; returns how many
/// transactions committed. The benchmarks put the store's and the server's figures beside it.
///
/// It writes placeholder hashes: use it only on a benchmark's throw-away database.
pub async fn raw_baseline(
    store: &Store,
    apps: &[RawApp],
    writers: usize,
    duration: Duration,
) -> Result<u64> {
    use sea_orm::{
        DbBackend, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
    };
    use std::sync::atomic::Ordering;
    let deadline = std::time::Instant::now() + duration;
    let db = store.connection().clone();
    let backend = store.backend();
    let update = placeholders(
        backend,
        "UPDATE applications SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
    );
    let insert = placeholders(
        backend,
        "INSERT INTO audit_events (id, application_id, seq, kind, actor_id, at, payload, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    );
    // SQLite has one writer at a time: queue in-process, as the store does, instead of spinning on the lock.
    let gate = std::sync::Arc::new(tokio::sync::Mutex::new(()));
    let mut tasks = Vec::new();
    for app in apps.iter().take(writers).cloned() {
        let (db, update, insert, gate) = (db.clone(), update.clone(), insert.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            while std::time::Instant::now() < deadline {
                let _turn = if backend == DbBackend::Sqlite {
                    Some(gate.lock().await)
                } else {
                    None
                };
                let txn = if backend == DbBackend::Sqlite {
                    db.begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?
                } else {
                    db.begin().await?
                };
                let v = app.version.load(Ordering::Relaxed);
                let seq = app.next_seq.load(Ordering::Relaxed);
                let now = chrono::Utc::now();
                let r = txn
                    .execute_raw(Statement::from_sql_and_values(
                        backend,
                        &update,
                        [
                            app.state.as_ref().clone().into(),
                            now.into(),
                            app.id.into(),
                            v.into(),
                        ],
                    ))
                    .await?;
                if r.rows_affected() != 1 {
                    return Err(StoreError::Conflict {
                        expected: v,
                        actual: -1,
                    });
                }
                txn.execute_raw(Statement::from_sql_and_values(
                    backend,
                    &insert,
                    [
                        Uuid::now_v7().into(),
                        app.id.into(),
                        seq.into(),
                        "document_attached".into(),
                        app.actor.into(),
                        now.into(),
                        serde_json::json!({"type": "document_attached", "key": "spesifikasi_teknis",
                            "sha256": format!("{seq:064x}"), "filename": "spesifikasi-teknis.pdf"})
                        .into(),
                        format!("{:064x}", seq - 1).into(),
                        format!("{seq:064x}").into(),
                    ],
                ))
                .await?;
                txn.commit().await?;
                app.version.store(v + 1, Ordering::Relaxed);
                app.next_seq.store(seq + 1, Ordering::Relaxed);
                done += 1;
            }
            Ok::<u64, StoreError>(done)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t
            .await
            .map_err(|e| StoreError::Invalid(format!("raw writer panicked: {e}")))??;
    }
    Ok(total)
}

/// Freezes what a letter would be built from, for the store's own tests, which do not render
/// letters (the letters crate is not a dependency of the store). It checks the facts the core
/// says a letter needs, exactly as issuing does, and freezes the facts and the stamp as JSON;
/// the server installs the real sealer, which renders HTML and PDF from the letters crate.
#[derive(Debug, Clone, Copy)]
pub struct FactsSealer;

impl crate::issuing::LetterSealer for FactsSealer {
    fn seal(
        &self,
        letter: &str,
        facts: &sepakat_core::letter::LetterFacts,
        stamp: &sepakat_core::letter::IssueStamp,
    ) -> std::result::Result<crate::issuing::Sealed, crate::issuing::SealError> {
        use sha2::{Digest, Sha256};
        let problems = sepakat_core::letter::check_inputs(letter, &stamp.inputs);
        if !problems.is_empty() {
            return Err(crate::issuing::SealError::Missing(problems));
        }
        let snapshot = serde_json::to_string(&serde_json::json!({
            "letter": letter, "stamp": stamp, "office": facts.office, "agency": facts.agency,
        }))
        .map_err(|e| crate::issuing::SealError::Failed(e.to_string()))?;
        let sha = hex::encode(Sha256::digest(snapshot.as_bytes()));
        Ok(crate::issuing::Sealed {
            snapshot,
            snapshot_sha256: sha.clone(),
            html_sha256: sha.clone(),
            pdf_sha256: sha,
        })
    }

    fn verify_url(&self, code: &str) -> String {
        format!("http://127.0.0.1/verifikasi/{code}")
    }
}
