//! `sepakat audit verify`: the hash chains, the issued letters and the read models checked
//! against the audit log.

use super::{DbArgs, block_on, open_store};
use anyhow::{Context, Result};
use clap::Subcommand;
use sepakat_web::config::ServeConfig;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum AuditCommand {
    /// Walk every application's hash chain and check every issued letter (its frozen snapshot,
    /// its letter_issued event, its HTML and PDF files); exits non-zero naming each break.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// The server's blob store, where issued letters' files are kept; when the folder does
        /// not exist, the files are not checked (and the output says so).
        #[arg(long, env = "SEPAKAT_BLOBS", default_value_os_t = ServeConfig::default().blobs)]
        blobs: PathBuf,
    },
}

/// Runs one `sepakat audit` subcommand.
pub(crate) fn run(command: AuditCommand) -> Result<ExitCode> {
    match command {
        AuditCommand::Verify { db, blobs } => block_on(async move {
            let store = open_store(&db).await?;
            let report = store
                .verify_audit()
                .await
                .context("cannot read the audit log (run `sepakat migrate` first?)")?;
            if report.is_ok() {
                println!("{report}");
            } else {
                eprintln!("{report}");
            }
            let files = blobs
                .is_dir()
                .then(|| sepakat_web::blobs::BlobStore::new(&blobs));
            let read = files.as_ref().map(|b| move |sha: &str| b.get(sha));
            let letters = store
                .verify_letters(
                    read.as_ref()
                        .map(|r| r as &dyn sepakat_store::audit::BlobReader),
                )
                .await
                .context("cannot read the issued letters")?;
            if letters.is_ok() {
                println!("{letters}");
            } else {
                eprintln!("{letters}");
            }
            if files.is_none() {
                println!(
                    "the letters' HTML and PDF files were not checked: the blob folder {} does not exist (give --blobs or SEPAKAT_BLOBS)",
                    blobs.display()
                );
            }
            // The inbox read model against what the core says of each stage.
            let waits = store
                .check_waits()
                .await
                .context("cannot read the inbox read model")?;
            if waits.is_empty() {
                println!("inbox read model: matches every application's stage");
            } else {
                let names = |roles: &[sepakat_core::Role]| {
                    roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                for (id, recorded, expected) in &waits {
                    eprintln!(
                        "inbox read model: application {id} waits on [{}] but its stage waits on [{}]",
                        names(recorded),
                        names(expected)
                    );
                }
            }
            // The stage stays and counters (dashboards) against the audit log.
            let stages = store
                .check_stage_projections(chrono::Utc::now())
                .await
                .context("cannot read the stage read models")?;
            if stages.is_true() {
                println!(
                    "stage read models: the stays and counters of {} applications match the audit log",
                    stages.applications
                );
            } else {
                for id in &stages.visits_differ {
                    eprintln!(
                        "stage read models: application {id}'s recorded stays differ from its audit log"
                    );
                }
                for (scope, measure, wf, stage, value, got, want) in &stages.stats_differ {
                    eprintln!(
                        "stage read models: counter {scope} {measure} {wf}/{stage} ({value}) is {got}, the audit log gives {want}"
                    );
                }
            }
            Ok(
                if report.is_ok() && letters.is_ok() && waits.is_empty() && stages.is_true() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                },
            )
        }),
    }
}
