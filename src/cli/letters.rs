//! `sepakat letters render`: one letter of an application to a file.

use super::{DbArgs, block_on, open_store};
use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use sepakat_web::config::ServeConfig;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum LettersCommand {
    /// Write one letter of an application to a file: an issued letter exactly as it was issued,
    /// any other letter of its workflow as a draft (or the facts it still needs).
    Render {
        #[command(flatten)]
        db: DbArgs,
        /// The server's blob store, where issued letters are kept.
        #[arg(long, env = "SEPAKAT_BLOBS", default_value_os_t = ServeConfig::default().blobs)]
        blobs: PathBuf,
        /// The server's folder of templates: a draft renders with its letter overrides.
        #[arg(long, env = "SEPAKAT_TEMPLATES", default_value_os_t = ServeConfig::default().templates)]
        templates: PathBuf,
        /// One issued letter of that kind, by id (default: the latest).
        #[arg(long)]
        issue: Option<uuid::Uuid>,
        #[arg(long)]
        application: uuid::Uuid,
        /// A letter of the application's workflow, e.g. surat_permohonan or pks.
        #[arg(long)]
        letter: String,
        #[arg(long, value_enum, default_value_t = LetterFormat::Pdf)]
        format: LetterFormat,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LetterFormat {
    Pdf,
    Html,
}

/// Runs one `sepakat letters` subcommand.
pub(crate) fn run(command: LettersCommand) -> Result<ExitCode> {
    match command {
        LettersCommand::Render {
            db,
            blobs,
            templates,
            issue,
            application,
            letter,
            format,
            out,
        } => block_on(async move {
            let store = open_store(&db).await?;
            let format = match format {
                LetterFormat::Pdf => sepakat_web::api::letters::Format::Pdf,
                LetterFormat::Html => sepakat_web::api::letters::Format::Html,
            };
            let blobs = sepakat_web::blobs::BlobStore::new(&blobs);
            let letters = sepakat_web::api::letters::load_letters(&templates.join("letters"))
                .context("cannot load the letter templates (check --templates)")?;
            let bytes = sepakat_web::api::letters::render(
                &store,
                &blobs,
                &letters,
                application,
                &letter,
                issue,
                format,
                chrono::Utc::now(),
            )
            .await
            .with_context(|| {
                format!("cannot render letter `{letter}` of application {application}")
            })?
            .bytes;
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("{} written ({} bytes)", out.display(), bytes.len());
            Ok(ExitCode::SUCCESS)
        }),
    }
}
