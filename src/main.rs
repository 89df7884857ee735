//! `sepakat`: the command-line entry point. It wires the crates together; the logic lives in them.

//! Each family of subcommands has its own file in `src/cli/`.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use cli::{block_on, open_store};
use std::process::ExitCode;

mod cli;
mod demo;

#[derive(Parser)]
#[command(
    name = "sepakat",
    version,
    about = "Sepakat: the system of record for population-data agreements (PKS)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check and draw workflow files.
    #[command(subcommand)]
    Workflow(cli::workflow::WorkflowCommand),
    /// Apply the database migrations (harmless when there is nothing to do).
    Migrate(cli::DbArgs),
    /// Work with the tamper-evident audit log.
    #[command(subcommand)]
    Audit(cli::audit::AuditCommand),
    /// Run the server: the JSON API (and pages) on the embedded SQLite default unless told otherwise.
    Serve(sepakat_web::config::ServeConfig),
    /// Fill an empty database with the demo picture (Kalimantan Selatan, Kota Pontianak) and print the accounts.
    Demo(cli::serve::DemoArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(cli::user::UserCommand),
    /// Disdukcapil offices: where they sign and how they number their letters.
    #[command(subcommand)]
    Office(cli::directory::OfficeCommand),
    /// User institutions (agencies) and the unit of their own letter numbers.
    #[command(subcommand)]
    Agency(cli::directory::AgencyCommand),
    /// Print the OpenAPI document of the JSON API (the committed copy is docs/openapi.json).
    Openapi,
    /// Render the letters of an application.
    #[command(subcommand)]
    Letters(cli::letters::LettersCommand),
    /// The six-monthly (and incidental) evaluations.
    #[command(subcommand)]
    Evaluations(cli::evaluations::EvaluationsCommand),
    /// The notification outbox.
    #[command(subcommand)]
    Outbox(cli::outbox::OutboxCommand),
    /// Bring in agreements signed before Sepakat (docs/import/README.md).
    #[command(subcommand)]
    Import(cli::import::ImportCommand),
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Import(command) => cli::import::run(command),
        Command::Openapi => {
            println!("{}", sepakat_web::openapi::json());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate(db) => block_on(async {
            let store = open_store(&db).await?;
            let applied = store.migrate().await.context("migration failed")?;
            println!("{applied} migration(s) applied; the schema is up to date");
            Ok(ExitCode::SUCCESS)
        }),
        Command::Serve(config) => cli::serve::serve(config),
        Command::Demo(args) => cli::serve::demo(args),
        Command::User(command) => cli::user::run(command),
        Command::Office(command) => cli::directory::run_office(command),
        Command::Agency(command) => cli::directory::run_agency(command),
        Command::Letters(command) => cli::letters::run(command),
        Command::Evaluations(command) => cli::evaluations::run(command),
        Command::Outbox(command) => cli::outbox::run(command),
        Command::Audit(command) => cli::audit::run(command),
        Command::Workflow(command) => cli::workflow::run(command),
    }
}

/// glibc's malloc tuned for a long-running server on two cores (BENCHMARKS.md):
/// - **Two arenas.** glibc gives each thread that allocates its own arena (up to 8 per core),
///   and memory a thread frees stays in its arena. The SQLite driver runs each pooled
///   connection on its own thread, so after a round of national reads the server held 147 MiB;
///   with two arenas, 112 MiB ("National scale"). Two arenas cost nothing measurable here.
/// - **A fixed mmap threshold (128 KiB).** By default glibc raises the threshold each time a
///   large block is freed, after which large blocks (a letter's layout, its PDF bytes) come
///   from the heap and their pages stay with the process. Fixed, they are mapped and returned
///   whole: after 800 letters the server held about 103 MiB instead of 113 ("Memory under
///   letter load").
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn main() -> ExitCode {
    tune_malloc();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
