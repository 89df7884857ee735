//! `sepakat outbox retry`: queue dead messages again after a mail outage.

use super::{DbArgs, block_on, open_store};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum OutboxCommand {
    /// Queue every dead message again (after a mail outage is fixed), or only those of one
    /// application or recipient; prints how many.
    Retry {
        #[command(flatten)]
        db: DbArgs,
        /// Only this application's messages.
        #[arg(long)]
        application: Option<uuid::Uuid>,
        /// Only messages to this e-mail address (case does not matter).
        #[arg(long)]
        recipient: Option<String>,
    },
}

/// Runs one `sepakat outbox` subcommand.
pub(crate) fn run(command: OutboxCommand) -> Result<ExitCode> {
    match command {
        OutboxCommand::Retry {
            db,
            application,
            recipient,
        } => block_on(async move {
            let store = open_store(&db).await?;
            let requeued = store
                .requeue_dead_outbox(
                    &sepakat_store::OutboxFilter {
                        state: Some("dead".into()),
                        application_id: application,
                        recipient,
                    },
                    chrono::Utc::now(),
                )
                .await
                .context("cannot queue the dead messages again (run `sepakat migrate` first?)")?;
            println!("{requeued} dead message(s) queued again");
            Ok(ExitCode::SUCCESS)
        }),
    }
}
