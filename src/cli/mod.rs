//! The subcommands of `sepakat`, one file per family, and what they share: the database
//! argument and the way a synchronous command runs the async store.

pub(crate) mod audit;
pub(crate) mod directory;
pub(crate) mod evaluations;
pub(crate) mod import;
pub(crate) mod letters;
pub(crate) mod outbox;
pub(crate) mod serve;
pub(crate) mod user;
pub(crate) mod workflow;

use anyhow::{Context, Result};

#[derive(clap::Args)]
pub(crate) struct DbArgs {
    /// sqlite://FILE?mode=rwc or postgres://USER@HOST:PORT/DB
    /// Its value is never printed by --help: it may hold a password.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true,
          default_value = sepakat_store::DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

pub(crate) fn block_on<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(f)
}

pub(crate) async fn open_store(db: &DbArgs) -> Result<sepakat_store::Store> {
    sepakat_store::Store::connect(&db.database_url)
        .await
        .context("cannot open the database (check DATABASE_URL)")
}

/// Opens the database, applies migrations and registers the workflow files.
pub(crate) async fn prepare_store(
    database_url: &str,
    workflows: &std::path::Path,
) -> Result<sepakat_store::Store> {
    let store = sepakat_store::Store::connect(database_url)
        .await
        .with_context(|| format!("cannot open the database {database_url} (check DATABASE_URL)"))?;
    store.migrate().await.context("migration failed")?;
    store
        .register_workflow_dir(workflows, chrono::Utc::now())
        .await
        .with_context(|| {
            format!(
                "cannot load the workflows in {} (set --workflows or SEPAKAT_WORKFLOWS)",
                workflows.display()
            )
        })?;
    Ok(store)
}
